/*
 * Runs that respect their environment, and clips that cannot be swapped:
 * the automatic thread count (affinity mask, cgroup v2 cpu.max and v1 CFS
 * quota from a fake cgroup tree), the progress reporter (plain lines and a
 * bar that fits the width), cancellation through the settings' flag, the
 * --max-pixels limit, numeric-text geometry in mixed-type columns, the
 * skipped-by-another-model count, and clips swapped for a symlink out of
 * the root or a FIFO after the run has checked them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <libavutil/log.h>

#include "saliency/internal.h"
#include "util/cpu.h"
#include "util/error.h"
#include "util/progress.h"
#include "gen.h"

/* The model class runs use (NULL: the settings'), passed to the library as
 * a parameter of sigmix_sal_run_with_model. */
static const sal_model_class *test_model;

static int run_sal(sigmix_table *t, const sigmix_saliency_settings *s,
                   sigmix_saliency_report *rep, sigmix_error *err)
{
    return sigmix_sal_run_with_model(t, s, test_model, rep, err);
}

static char dir[1024], root[1100];

static void path_in(char *out, const char *rel)
{
    snprintf(out, PATH_MAX, "%s/%s", dir, rel);
}

static void put(const char *rel, const char *text)
{
    char p[PATH_MAX];
    path_in(p, rel);
    /* make the parent folders */
    for (char *s = p + strlen(dir) + 1; (s = strchr(s, '/')); s++) {
        *s = '\0';
        mkdir(p, 0777);
        *s = '/';
    }
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    (void)state;
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/sigmix-salenv-XXXXXX", tmp ? tmp : "/tmp");
    if (!mkdtemp(dir))
        return -1;
    char p[PATH_MAX];
    snprintf(root, sizeof root, "%s/root", dir);
    path_in(p, "root"); mkdir(p, 0777);
    path_in(p, "root/sub"); mkdir(p, 0777);
    path_in(p, "outside"); mkdir(p, 0777);
    gen_spec a = { 64, 36, 6, 50, 210, 8, 6, 10, 5, 2 };
    gen_spec b = { 48, 32, 5, 100, 20, 30, 10, 8, -3, 1 };
    path_in(p, "root/a.yuv"); gen_write(p, &a, 0);
    path_in(p, "root/b.y4m"); gen_write(p, &b, 1);
    path_in(p, "root/sub/v.yuv"); gen_write(p, &a, 0);
    path_in(p, "outside/o.yuv"); gen_write(p, &a, 0);
    av_log_set_level(AV_LOG_QUIET);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[1100];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* ---- CPU count ---------------------------------------------------------- */

static void cg_paths(const char *name, char *cg, char *proc)
{
    snprintf(cg, PATH_MAX, "%s/%s/sys", dir, name);
    snprintf(proc, PATH_MAX, "%s/%s/cgroup", dir, name);
}

static void test_cpu_cgroup_v2(void **state)
{
    (void)state;
    char cg[PATH_MAX], proc[PATH_MAX];
    cg_paths("v2", cg, proc);
    /* the process's own cgroup has no limit; its parent allows 1.5 CPUs */
    put("v2/cgroup", "0::/slurm/job_7/step_0\n");
    put("v2/sys/cpu.max", "max 100000\n");
    put("v2/sys/slurm/cpu.max", "max 100000\n");
    put("v2/sys/slurm/job_7/cpu.max", "150000 100000\n");
    put("v2/sys/slurm/job_7/step_0/cpu.max", "max 100000\n");
    assert_int_equal(sigmix_cpu_quota_at(cg, proc), 2);
    assert_int_equal(sigmix_cpu_count_at(cg, proc, 8), 2);
    assert_int_equal(sigmix_cpu_count_at(cg, proc, 1), 1); /* affinity is smaller */
    /* Slurm --cpus-per-task=1 as a quota of one CPU */
    put("v2/sys/slurm/job_7/step_0/cpu.max", "100000 100000\n");
    assert_int_equal(sigmix_cpu_count_at(cg, proc, 8), 1);
    /* a quota below one CPU still leaves one worker */
    put("v2/sys/slurm/job_7/step_0/cpu.max", "20000 100000\n");
    assert_int_equal(sigmix_cpu_count_at(cg, proc, 8), 1);
    /* no limit anywhere */
    put("v2/sys/slurm/job_7/step_0/cpu.max", "max 100000\n");
    put("v2/sys/slurm/job_7/cpu.max", "max 100000\n");
    assert_int_equal(sigmix_cpu_quota_at(cg, proc), 0);
    assert_int_equal(sigmix_cpu_count_at(cg, proc, 8), 8);
    /* in a container the own path is not under the mount: the mount counts */
    put("v2/cgroup", "0::/docker/abc\n");
    put("v2/sys/cpu.max", "300000 100000\n");
    assert_int_equal(sigmix_cpu_count_at(cg, proc, 8), 3);
    /* garbage is no limit, not a crash */
    put("v2/sys/cpu.max", "lots 100000\n");
    assert_int_equal(sigmix_cpu_count_at(cg, proc, 8), 8);
}

static void test_cpu_cgroup_v1(void **state)
{
    (void)state;
    char cg[PATH_MAX], proc[PATH_MAX];
    cg_paths("v1", cg, proc);
    put("v1/cgroup", "4:memory:/x\n3:cpu,cpuacct:/batch/job\n1:name=systemd:/\n");
    put("v1/sys/cpu,cpuacct/batch/job/cpu.cfs_quota_us", "-1\n");
    put("v1/sys/cpu,cpuacct/batch/job/cpu.cfs_period_us", "100000\n");
    put("v1/sys/cpu,cpuacct/batch/cpu.cfs_quota_us", "250000\n");
    put("v1/sys/cpu,cpuacct/batch/cpu.cfs_period_us", "100000\n");
    assert_int_equal(sigmix_cpu_quota_at(cg, proc), 3);
    assert_int_equal(sigmix_cpu_count_at(cg, proc, 16), 3);
    put("v1/sys/cpu,cpuacct/batch/cpu.cfs_quota_us", "-1\n");
    assert_int_equal(sigmix_cpu_count_at(cg, proc, 16), 16);
    /* separate "cpu" mount, as on some hosts */
    put("v1/cgroup", "2:cpuacct:/\n1:cpu:/\n");
    put("v1/sys/cpu/cpu.cfs_quota_us", "100000\n");
    put("v1/sys/cpu/cpu.cfs_period_us", "100000\n");
    assert_int_equal(sigmix_cpu_count_at(cg, proc, 16), 1);
    /* nothing readable: the affinity count */
    char none[PATH_MAX];
    path_in(none, "nowhere");
    assert_int_equal(sigmix_cpu_count_at(none, none, 5), 5);
}

static void test_cpu_affinity(void **state)
{
    (void)state;
    cpu_set_t old, one;
    assert_int_equal(sched_getaffinity(0, sizeof old, &old), 0);
    int first = -1;
    for (int i = 0; i < CPU_SETSIZE && first < 0; i++)
        if (CPU_ISSET(i, &old))
            first = i;
    CPU_ZERO(&one);
    CPU_SET(first, &one);
    assert_int_equal(sched_setaffinity(0, sizeof one, &one), 0);
    int n = sigmix_cpu_count();
    sched_setaffinity(0, sizeof old, &old);
    assert_int_equal(n, 1); /* online cores no longer count */
    assert_true(sigmix_cpu_count() >= 1);
    assert_true(sigmix_cpu_count() <= CPU_COUNT(&old));
}

/* ---- progress ---------------------------------------------------------------- */

static char *captured(FILE *f)
{
    static char buf[4096];
    fflush(f);
    rewind(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void test_progress_plain(void **state)
{
    (void)state;
    FILE *f = tmpfile();
    sigmix_progress p;
    sigmix_progress_init(&p, f, 0, "saliency", "rows", "clips", 30);
    double t0 = p.t0;
    /* rows 0..20 were skipped at once; 4 clips took 20 s: 0.2 clips/s */
    sigmix_progress_update_at(&p, t0 + 10, 22, 60, 2, 38, 0);  /* not due yet */
    sigmix_progress_update_at(&p, t0 + 20, 24, 60, 4, 36, 0);  /* not due yet */
    sigmix_progress_update_at(&p, t0 + 31, 26, 60, 6, 34, 0);  /* due */
    sigmix_progress_update_at(&p, t0 + 40, 27, 60, 7, 33, 0);  /* 9 s later: not due */
    sigmix_progress_update_at(&p, t0 + 62, 30, 60, 10, 30, 0); /* due */
    sigmix_progress_update_at(&p, t0 + 3700, 30, 60, 10, 30, 1); /* forced; > 1 h ETA */
    assert_string_equal(captured(f),
        "saliency: 26/60 rows (43%)  0.19 clips/s  ETA 2:56\n"
        "saliency: 30/60 rows (50%)  0.16 clips/s  ETA 3:06\n"
        "saliency: 30/60 rows (50%)  0.00 clips/s  ETA 3:05:00\n");
    /* nothing computed yet: no made-up ETA */
    f = tmpfile();
    sigmix_progress_init(&p, f, 0, "saliency", "rows", "clips", 5);
    sigmix_progress_update_at(&p, p.t0 + 6, 50, 60, 0, 10, 0);
    assert_string_equal(captured(f), "saliency: 50/60 rows (83%)  0.00 clips/s  ETA --:--\n");
}

static void test_progress_tty(void **state)
{
    (void)state;
    FILE *f = tmpfile();
    sigmix_progress p;
    sigmix_progress_init(&p, f, 1, "saliency", "rows", "clips", 30);
    p.width = 72;
    sigmix_progress_update_at(&p, p.t0 + 2, 30, 60, 4, 4, 0);
    sigmix_progress_update_at(&p, p.t0 + 2.05, 31, 60, 4, 4, 0); /* within the redraw gap */
    sigmix_progress_clear(&p);
    const char *out = captured(f);
    const char *text = "30/60 rows (50%)  2.00 clips/s  ETA 0:02";
    char want[512];
    /* 71 columns: label, " [", bar, "] ", text */
    int bar = 71 - (int)strlen("saliency [] ") - (int)strlen(text);
    char b[128];
    for (int i = 0; i < bar; i++)
        b[i] = i < bar / 2 ? '#' : '.';
    b[bar] = '\0';
    snprintf(want, sizeof want, "\r\033[Ksaliency [%s] %s\r\033[K", b, text);
    assert_string_equal(out, want);
    /* too narrow for a bar: the text is cut to the width, never wrapped */
    f = tmpfile();
    sigmix_progress_init(&p, f, 1, "saliency", "rows", "clips", 30);
    p.width = 20;
    sigmix_progress_update_at(&p, p.t0 + 2, 30, 60, 4, 4, 1);
    assert_string_equal(captured(f), "\r\033[Ksaliency 30/60 rows");
}

/* ---- runs over a small table ---------------------------------------------------- */

static sigmix_table *table_of(const char *const *src, const int *w, const int *h, size_t n)
{
    sigmix_table *t;
    size_t c;
    assert_int_equal(sigmix_table_create(&t), 0);
    assert_int_equal(sigmix_table_resize(t, n), 0);
    assert_int_equal(sigmix_table_add_column(t, "src", SIGMIX_KIND_STRING, &c), 0);
    assert_int_equal(sigmix_table_add_column(t, "width", SIGMIX_KIND_INT64, NULL), 0);
    assert_int_equal(sigmix_table_add_column(t, "height", SIGMIX_KIND_INT64, NULL), 0);
    for (size_t r = 0; r < n; r++) {
        assert_int_equal(sigmix_table_set_string(t, 0, r, src[r], strlen(src[r])), 0);
        if (w[r]) {
            sigmix_table_set_int64(t, 1, r, w[r]);
            sigmix_table_set_int64(t, 2, r, h[r]);
        } else {
            sigmix_table_set_null(t, 1, r);
            sigmix_table_set_null(t, 2, r);
        }
    }
    return t;
}

static const char *status_of(const sigmix_table *t, size_t r)
{
    const sigmix_column *c = sigmix_table_col(t, (size_t)sigmix_table_find(t, "saliency_status"));
    return c->valid[r] ? c->str[r].ptr : "(null)";
}

static char fail_msgs[4096];
static void keep_fail(void *cookie, const char *source, int status, const char *message)
{
    (void)cookie;
    size_t n = strlen(fail_msgs);
    snprintf(fail_msgs + n, sizeof fail_msgs - n, "%s: %s: %s\n", strrchr(source, '/') + 1,
             sigmix_saliency_status_name(status), message);
}

static void settings(sigmix_saliency_settings *s)
{
    sigmix_saliency_default_settings(s);
    s->root = root;
    s->jobs = 1;
    s->on_fail = keep_fail;
    fail_msgs[0] = '\0';
}

static void test_max_pixels(void **state)
{
    (void)state;
    const char *src[] = { "a.yuv", "a.yuv", "b.y4m", "a.yuv" };
    const int w[] = { 8192, 4096, 0, 64 }, h[] = { 8192, 4096, 0, 36 };
    sigmix_table *t = table_of(src, w, h, 4);
    sigmix_saliency_settings s;
    sigmix_saliency_report rep;
    sigmix_error err = { 0 };
    settings(&s);
    assert_int_equal(s.max_pixels, 7680LL * 4320);
    assert_int_equal(run_sal(t, &s, &rep, &err), 0);
    /* declared 8192x8192: refused before the file is even opened */
    assert_string_equal(status_of(t, 0), "model-failed");
    assert_string_equal(status_of(t, 1), "decode-failed"); /* allowed; the file is short */
    assert_string_equal(status_of(t, 2), "ok");
    assert_string_equal(fail_msgs,
                        "a.yuv: model-failed: frame too large (8192x8192 > 33177600 pixels)\n"
                        "a.yuv: decode-failed: no complete 4096x4096 frame\n");
    sigmix_table_free(&t);
    /* a lower limit catches the container's own geometry (48x32) too */
    t = table_of(src, w, h, 4);
    settings(&s);
    s.max_pixels = 1000;
    assert_int_equal(run_sal(t, &s, &rep, &err), 0);
    assert_string_equal(status_of(t, 2), "model-failed");
    assert_string_equal(status_of(t, 3), "model-failed");
    assert_non_null(strstr(fail_msgs, "b.y4m: model-failed: frame too large (48x32 > 1000 pixels)"));
    assert_non_null(strstr(fail_msgs, "a.yuv: model-failed: frame too large (64x36 > 1000 pixels)"));
    sigmix_table_free(&t);
    /* at the hard limit, FFmpeg's own bound is named, not an odd errno */
    char msg[200];
    assert_int_equal(sigmix_sal_too_large(16384, 16384, SAL_HARD_MAX_PIXELS, msg, sizeof msg), 1);
    assert_string_equal(msg, "frame too large (16384x16384 is beyond FFmpeg's image size limit)");
    assert_int_equal(sigmix_sal_too_large(16384, 16384, 0, msg, sizeof msg), 1);
    assert_int_equal(sigmix_sal_too_large(7680, 4320, 0, msg, sizeof msg), 0);
    assert_int_equal(sigmix_sal_too_large(0, 4320, 1, msg, sizeof msg), 0);
    settings(&s);
    s.max_pixels = -1;
    assert_int_equal(sigmix_saliency_check_settings(&s, &err), SIGMIX_EINVAL);
}

static void test_text_geometry_in_mixed_column(void **state)
{
    (void)state;
    /* as a JSONL reader keeps a column mixing 64 and "64": JSON text cells */
    sigmix_table *t;
    assert_int_equal(sigmix_table_create(&t), 0);
    assert_int_equal(sigmix_table_resize(t, 3), 0);
    assert_int_equal(sigmix_table_add_column(t, "src", SIGMIX_KIND_STRING, NULL), 0);
    assert_int_equal(sigmix_table_add_column(t, "width", SIGMIX_KIND_JSON, NULL), 0);
    assert_int_equal(sigmix_table_add_column(t, "height", SIGMIX_KIND_JSON, NULL), 0);
    const char *wv[] = { "\"64\"", "64", "\"wide\"" }, *hv[] = { "\"36\"", "36", "\"36\"" };
    for (size_t r = 0; r < 3; r++) {
        sigmix_table_set_string(t, 0, r, "a.yuv", 5);
        sigmix_table_set_string(t, 1, r, wv[r], strlen(wv[r]));
        sigmix_table_set_string(t, 2, r, hv[r], strlen(hv[r]));
    }
    sigmix_saliency_settings s;
    sigmix_saliency_report rep;
    sigmix_error err = { 0 };
    settings(&s);
    assert_int_equal(run_sal(t, &s, &rep, &err), 0);
    assert_string_equal(status_of(t, 0), "ok");
    assert_string_equal(status_of(t, 1), "ok");
    assert_string_equal(status_of(t, 2), "missing-geometry"); /* raw clip, no usable width */
    assert_int_equal(rep.clips, 2); /* "64" and 64 are the same geometry */
    sigmix_table_free(&t);
}

static void test_skipped_other_model(void **state)
{
    (void)state;
    const char *src[] = { "a.yuv", "a.yuv", "a.yuv", "a.yuv" };
    const int w[] = { 64, 64, 64, 64 }, h[] = { 36, 36, 36, 36 };
    sigmix_table *t = table_of(src, w, h, 4);
    size_t m, v, id;
    sigmix_table_add_column(t, "saliency_mean", SIGMIX_KIND_DOUBLE, &m);
    sigmix_table_add_column(t, "saliency_var", SIGMIX_KIND_DOUBLE, &v);
    sigmix_table_add_column(t, "saliency_model_id", SIGMIX_KIND_STRING, &id);
    const char *ids[] = { "old_model", "spectral_residual_v1", NULL, "old_model" };
    for (size_t r = 0; r < 4; r++) {
        sigmix_table_set_double(t, m, r, 0.5);
        sigmix_table_set_double(t, v, r, 0.1);
        if (ids[r])
            sigmix_table_set_string(t, id, r, ids[r], strlen(ids[r]));
        else
            sigmix_table_set_null(t, id, r);
    }
    sigmix_table_set_null(t, m, 3); /* row 3 is computed, not skipped */
    sigmix_saliency_settings s;
    sigmix_saliency_report rep;
    sigmix_error err = { 0 };
    settings(&s);
    assert_int_equal(run_sal(t, &s, &rep, &err), 0);
    assert_int_equal(rep.by_status[SIGMIX_SAL_SKIPPED_EXISTING], 3);
    assert_int_equal(rep.skipped_other_model, 1);
    sigmix_table_free(&t);
}

static void test_path_column_lists_columns(void **state)
{
    (void)state;
    const char *src[] = { "a.yuv" };
    const int w[] = { 64 }, h[] = { 36 };
    sigmix_table *t = table_of(src, w, h, 1);
    sigmix_saliency_settings s;
    sigmix_saliency_report rep;
    sigmix_error err = { 0 };
    settings(&s);
    s.path_column = "source";
    assert_int_equal(run_sal(t, &s, &rep, &err), SIGMIX_ENOTFOUND);
    assert_string_equal(err.message, "path column 'source' not found (columns: 'src', 'width', "
                        "'height'; see --path-column)");
    assert_null(rep.error_path); /* the table's error */
    settings(&s);
    char model[PATH_MAX];
    path_in(model, "root/a.yuv");
    s.model_path = model; /* not an ONNX model: the error names the model file */
    memset(&err, 0, sizeof err);
    assert_int_not_equal(run_sal(t, &s, &rep, &err), 0);
    assert_ptr_equal(rep.error_path, model);
    s.model_path = "/dev/zero"; /* checked before hashing: no endless read */
    memset(&err, 0, sizeof err);
    assert_int_equal(run_sal(t, &s, &rep, &err), SIGMIX_EUNSUPPORTED);
    assert_ptr_equal(rep.error_path, s.model_path);
    if (!strstr(err.message, "not a regular file"))
        fail_msg("message: %s", err.message);
    sigmix_table_free(&t);
}

/* ---- cancellation ----------------------------------------------------------------- */

static volatile sig_atomic_t cancel_flag;
static int model_calls, cancel_after;

static int mk_create(void *shared, void **inst, sigmix_error *err)
{
    (void)shared; (void)err;
    *inst = NULL;
    return 0;
}
static void mk_free(void *p) { (void)p; }

/* A flat map; raises the cancel flag on the cancel_after-th frame. */
static int cancel_run(void *inst, const sal_frame *f, float *map, sigmix_error *err)
{
    (void)inst; (void)err;
    for (int i = 0; i < f->w * f->h; i++)
        map[i] = f->y[(size_t)(i / f->w) * (size_t)f->ys + (size_t)(i % f->w)] / 255.0f;
    if (++model_calls == cancel_after)
        cancel_flag = 1;
    return 0;
}
static const sal_model_class cancelling = { "cancelling", mk_create, cancel_run, mk_free,
                                            mk_free, NULL, NULL };

static void test_cancel_and_resume(void **state)
{
    (void)state;
    const char *src[] = { "a.yuv", "a.yuv", "a.yuv", "b.y4m", "sub/v.yuv" };
    const int w[] = { 64, 32, 64, 0, 64 }, h[] = { 36, 18, 36, 0, 36 };
    char journal[PATH_MAX];
    path_in(journal, "cancel.partial.jsonl");
    unlink(journal);
    sigmix_saliency_settings s;
    sigmix_saliency_report rep;
    sigmix_error err = { 0 };
    /* reference: no cancel */
    sigmix_table *ref = table_of(src, w, h, 5);
    settings(&s);
    test_model = &cancelling;
    cancel_flag = 0;
    model_calls = 0;
    cancel_after = -1;
    assert_int_equal(run_sal(ref, &s, &rep, &err), 0);
    assert_false(rep.interrupted);
    int ref_calls = model_calls, frames_per_clip = model_calls / 4;
    /* cancel in the middle of the second clip: one clip kept */
    sigmix_table *t = table_of(src, w, h, 5);
    settings(&s);
    s.journal_path = journal;
    s.cancel = &cancel_flag;
    cancel_flag = 0;
    model_calls = 0;
    cancel_after = frames_per_clip + 2;
    size_t cols = sigmix_table_cols(t);
    assert_int_equal(run_sal(t, &s, &rep, &err), 0);
    assert_true(rep.interrupted);
    assert_int_equal(rep.clips, 4);
    assert_int_equal(rep.clips_journaled, 1);
    assert_int_equal(model_calls, frames_per_clip + 2); /* stopped at once */
    (void)cols;
    /* the journal holds exactly the finished clip */
    FILE *f = fopen(journal, "r");
    assert_non_null(f);
    int lines = 0, ch;
    while ((ch = fgetc(f)) != EOF)
        lines += ch == '\n';
    fclose(f);
    assert_int_equal(lines, 1);
    sigmix_table_free(&t);
    /* a flag raised before the run starts: nothing is computed */
    t = table_of(src, w, h, 5);
    cancel_flag = 1;
    model_calls = 0;
    assert_int_equal(run_sal(t, &s, &rep, &err), 0);
    assert_true(rep.interrupted);
    assert_int_equal(model_calls, 0);
    assert_int_equal(rep.clips_journaled, 1);
    sigmix_table_free(&t);
    /* resume: same values as the uninterrupted run */
    t = table_of(src, w, h, 5);
    cancel_flag = 0;
    cancel_after = -1;
    model_calls = 0;
    assert_int_equal(run_sal(t, &s, &rep, &err), 0);
    assert_false(rep.interrupted);
    assert_int_equal(rep.clips_from_journal, 1);
    assert_int_equal(model_calls, ref_calls - 6); /* all but the kept clip (6 frames) */
    test_model = NULL;
    long mr = sigmix_table_find(ref, "saliency_mean"), mt = sigmix_table_find(t, "saliency_mean");
    for (size_t r = 0; r < 5; r++)
        assert_memory_equal(&sigmix_table_col(ref, (size_t)mr)->f64[r],
                            &sigmix_table_col(t, (size_t)mt)->f64[r], sizeof(double));
    sigmix_table_free(&t);
    sigmix_table_free(&ref);
}

/* ---- clips swapped after the check (D8) ------------------------------------------ */

static const char *swap_kind;
static int swapped;

/* On the first frame of the first clip, replace sub/v.yuv behind the run's back. */
static int swap_run(void *inst, const sal_frame *f, float *map, sigmix_error *err)
{
    (void)inst; (void)err;
    memset(map, 0, (size_t)f->w * (size_t)f->h * sizeof *map);
    if (swapped++)
        return 0;
    char v[PATH_MAX], tmp[PATH_MAX], o[PATH_MAX], sub[PATH_MAX];
    path_in(v, "root/sub/v.yuv");
    path_in(tmp, "root/sub/v.tmp");
    path_in(o, "outside/o.yuv");
    path_in(sub, "root/sub");
    unlink(tmp);
    if (!strcmp(swap_kind, "symlink")) {
        assert_int_equal(symlink(o, tmp), 0);
        assert_int_equal(rename(tmp, v), 0);
    } else if (!strcmp(swap_kind, "fifo")) {
        assert_int_equal(mkfifo(tmp, 0600), 0);
        assert_int_equal(rename(tmp, v), 0);
    } else { /* the folder becomes a link to a folder outside the root */
        char moved[PATH_MAX], outdir[PATH_MAX];
        path_in(moved, "root/sub.moved");
        path_in(outdir, "outside/sub");
        mkdir(outdir, 0777);
        char ov[PATH_MAX];
        path_in(ov, "outside/sub/v.yuv");
        assert_int_equal(link(o, ov), 0);
        assert_int_equal(rename(sub, moved), 0);
        assert_int_equal(symlink(outdir, sub), 0);
    }
    return 0;
}
static const sal_model_class swapping = { "swapping", mk_create, swap_run, mk_free, mk_free,
                                          NULL, NULL };

static void restore_victim(void)
{
    char p[PATH_MAX], moved[PATH_MAX];
    path_in(moved, "root/sub.moved");
    path_in(p, "root/sub");
    struct stat st;
    if (!stat(moved, &st)) {
        unlink(p);
        rename(moved, p);
    }
    path_in(p, "root/sub/v.yuv");
    unlink(p);
    gen_spec a = { 64, 36, 6, 50, 210, 8, 6, 10, 5, 2 };
    gen_write(p, &a, 0);
}

static void swap_case(const char *kind, int allow_outside)
{
    const char *src[] = { "a.yuv", "sub/v.yuv" };
    const int w[] = { 64, 64 }, h[] = { 36, 36 };
    sigmix_table *t = table_of(src, w, h, 2);
    sigmix_saliency_settings s;
    sigmix_saliency_report rep;
    sigmix_error err = { 0 };
    settings(&s);
    s.allow_outside_root = allow_outside;
    swap_kind = kind;
    swapped = 0;
    test_model = &swapping;
    alarm(20); /* the old code blocks forever on the FIFO: fail, do not hang */
    assert_int_equal(run_sal(t, &s, &rep, &err), 0);
    alarm(0);
    test_model = NULL;
    if (strcmp(status_of(t, 0), "ok"))
        fail_msg("%s: row 0 is %s: %s", kind, status_of(t, 0), fail_msgs);
    /* Even where outside paths are allowed, the file decoded must be the
     * one checked: a swap is refused, never followed. */
    if (strcmp(status_of(t, 1), "decode-failed"))
        fail_msg("%s: row 1 is %s, expected decode-failed", kind, status_of(t, 1));
    assert_non_null(strstr(fail_msgs, "v.yuv: decode-failed: "));
    sigmix_table_free(&t);
    restore_victim();
}

static void test_swapped_clip(void **state)
{
    (void)state;
    swap_case("symlink", 0);
    assert_non_null(strstr(fail_msgs, "the path changed since it was checked"));
    swap_case("fifo", 0);
    assert_non_null(strstr(fail_msgs, "not a regular file"));
    swap_case("fifo", 1);
    swap_case("folder", 0);
    assert_non_null(strstr(fail_msgs, "the path changed since it was checked"));
    swap_case("symlink", 1);
}

static void test_open_beneath_walk(void **state)
{
    (void)state;
    /* the fallback where openat2 is missing refuses the same things */
    char p[PATH_MAX], o[PATH_MAX];
    for (int use2 = 0; use2 < 2; use2++) {
        int fd = sigmix_sal_open_beneath(root, "sub/v.yuv", use2);
        assert_true(fd >= 0);
        close(fd);
        path_in(p, "root/esc.yuv");
        path_in(o, "outside/o.yuv");
        unlink(p);
        assert_int_equal(symlink(o, p), 0);
        errno = 0;
        assert_int_equal(sigmix_sal_open_beneath(root, "esc.yuv", use2), -1);
        assert_true(errno == ELOOP || errno == EXDEV);
        assert_int_equal(sigmix_sal_open_beneath(root, "../outside/o.yuv", use2), -1);
        unlink(p);
    }
    /* a FIFO opens without blocking and is refused after fstat */
    path_in(p, "root/pipe.yuv");
    assert_int_equal(mkfifo(p, 0600), 0);
    char msg[256];
    char real[PATH_MAX];
    assert_non_null(realpath(p, real));
    alarm(10);
    assert_int_equal(sigmix_sal_open_source(real, root, 0, msg, sizeof msg), -1);
    alarm(0);
    assert_non_null(strstr(msg, "not a regular file"));
    unlink(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cpu_cgroup_v2),
        cmocka_unit_test(test_cpu_cgroup_v1),
        cmocka_unit_test(test_cpu_affinity),
        cmocka_unit_test(test_progress_plain),
        cmocka_unit_test(test_progress_tty),
        cmocka_unit_test(test_max_pixels),
        cmocka_unit_test(test_text_geometry_in_mixed_column),
        cmocka_unit_test(test_skipped_other_model),
        cmocka_unit_test(test_path_column_lists_columns),
        cmocka_unit_test(test_cancel_and_resume),
        cmocka_unit_test(test_swapped_clip),
        cmocka_unit_test(test_open_beneath_walk),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
