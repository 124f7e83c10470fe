/*
 * sigmix_saliency_run on in-memory tables over generated clips: statuses,
 * root confinement, de-duplication, skip/overwrite, column suppression,
 * journaling/resume, --jobs determinism, and the run's error paths.
 */
#include <limits.h>
#include <math.h>
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
#include <libavutil/pixfmt.h>

#include "saliency/internal.h"
#include "util/error.h"
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

static void write_bytes(const char *rel, const char *bytes, size_t n)
{
    char p[PATH_MAX];
    path_in(p, rel);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    fwrite(bytes, 1, n, f);
    fclose(f);
}

static int setup(void **state)
{
    (void)state;
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/sigmix-sal-XXXXXX", tmp ? tmp : "/tmp");
    if (!mkdtemp(dir))
        return -1;
    char p[PATH_MAX];
    snprintf(root, sizeof root, "%s/root", dir);
    path_in(p, "root"); mkdir(p, 0777);
    path_in(p, "root/sub"); mkdir(p, 0777);
    path_in(p, "outside"); mkdir(p, 0777);
    gen_spec a = { 64, 36, 6, 50, 210, 8, 6, 10, 5, 2 };
    gen_spec b = { 48, 32, 5, 100, 20, 30, 10, 8, -3, 1 };
    gen_spec c = { 40, 24, 3, 80, 160, 4, 4, 6, 1, 1 };
    path_in(p, "root/a.yuv"); gen_write(p, &a, 0);
    path_in(p, "root/b.y4m"); gen_write(p, &b, 1);
    path_in(p, "root/sub/c.yuv"); gen_write(p, &c, 0);
    path_in(p, "outside/o.yuv"); gen_write(p, &a, 0);
    write_bytes("root/bad.mp4", "this is not a video container at all", 36);
    write_bytes("root/empty.yuv", "", 0);
    char target[PATH_MAX];
    path_in(target, "outside/o.yuv");
    path_in(p, "root/link.yuv");
    return symlink(target, p);
}

static int teardown(void **state)
{
    (void)state;
    char cmd[1100];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

enum { NROWS = 14 };

/* Row plan: path (NULL: null cell), width, height (0: null), expected status. */
typedef struct row_plan { const char *src; int w, h, status; } row_plan;
static char abs_out[1200], abs_in[1200];

static const row_plan *plan(void)
{
    static row_plan p[NROWS];
    snprintf(abs_out, sizeof abs_out, "%s/outside/o.yuv", dir);
    snprintf(abs_in, sizeof abs_in, "%s/root/a.yuv", dir);
    const row_plan init[NROWS] = {
        { "a.yuv", 64, 36, SIGMIX_SAL_OK },
        { "b.y4m", 0, 0, SIGMIX_SAL_OK },
        { "a.yuv", 64, 36, SIGMIX_SAL_OK },
        { "sub/../a.yuv", 64, 36, SIGMIX_SAL_OK },
        { "../outside/o.yuv", 64, 36, SIGMIX_SAL_MISSING_SOURCE },
        { abs_out, 64, 36, SIGMIX_SAL_MISSING_SOURCE },
        { "link.yuv", 64, 36, SIGMIX_SAL_MISSING_SOURCE },
        { "missing.yuv", 64, 36, SIGMIX_SAL_MISSING_SOURCE },
        { "sub/c.yuv", 0, 0, SIGMIX_SAL_MISSING_GEOMETRY },
        { "bad.mp4", 0, 0, SIGMIX_SAL_DECODE_FAILED },
        { "empty.yuv", 64, 36, SIGMIX_SAL_DECODE_FAILED },
        { NULL, 0, 0, SIGMIX_SAL_MISSING_SOURCE },
        { "a.yuv", 64, 36, SIGMIX_SAL_SKIPPED_EXISTING },
        { abs_in, 64, 36, SIGMIX_SAL_OK },
    };
    memcpy(p, init, sizeof p);
    return p;
}

/* Table: src, width, height, saliency_mean, saliency_var, saliency_model_id. */
static sigmix_table *make_table(void)
{
    const row_plan *p = plan();
    sigmix_table *t;
    size_t c;
    assert_int_equal(sigmix_table_create(&t), 0);
    assert_int_equal(sigmix_table_resize(t, NROWS), 0);
    assert_int_equal(sigmix_table_add_column(t, "src", SIGMIX_KIND_STRING, &c), 0);
    assert_int_equal(sigmix_table_add_column(t, "width", SIGMIX_KIND_INT64, NULL), 0);
    assert_int_equal(sigmix_table_add_column(t, "height", SIGMIX_KIND_DOUBLE, NULL), 0);
    assert_int_equal(sigmix_table_add_column(t, "saliency_mean", SIGMIX_KIND_DOUBLE, NULL), 0);
    assert_int_equal(sigmix_table_add_column(t, "saliency_var", SIGMIX_KIND_DOUBLE, NULL), 0);
    assert_int_equal(sigmix_table_add_column(t, "saliency_model_id", SIGMIX_KIND_STRING, NULL), 0);
    for (size_t r = 0; r < NROWS; r++) {
        if (p[r].src)
            sigmix_table_set_string(t, 0, r, p[r].src, strlen(p[r].src));
        if (p[r].w) {
            sigmix_table_set_int64(t, 1, r, p[r].w);
            sigmix_table_set_double(t, 2, r, p[r].h);
        }
    }
    /* row 12 already holds values from an anonymous older run; row 7 has NaN */
    sigmix_table_set_double(t, 3, 12, 0.125);
    sigmix_table_set_double(t, 4, 12, 0.0625);
    sigmix_table_set_string(t, 5, 12, "old", 3);
    sigmix_table_set_double(t, 3, 7, NAN);
    sigmix_table_set_double(t, 4, 7, 0.5);
    return t;
}

static void settings(sigmix_saliency_settings *s)
{
    sigmix_saliency_default_settings(s);
    s->root = root;
    s->jobs = 1;
}

static const sigmix_column *col(const sigmix_table *t, const char *name)
{
    long i = sigmix_table_find(t, name);
    return i < 0 ? NULL : sigmix_table_col(t, (size_t)i);
}

static const char *str(const sigmix_column *c, size_t r)
{
    return c->valid[r] ? c->str[r].ptr : NULL;
}

static int fails;
static void count_fail(void *cookie, const char *source, int status, const char *message)
{
    (void)cookie; (void)source; (void)status;
    assert_non_null(message);
    fails++;
}

static void test_statuses_and_metadata(void **state)
{
    (void)state;
    sigmix_table *t = make_table();
    sigmix_saliency_settings s;
    sigmix_saliency_report rep;
    sigmix_error err = { 0 };
    settings(&s);
    s.on_fail = count_fail;
    fails = 0;
    assert_int_equal(run_sal(t, &s, &rep, &err), 0);
    const row_plan *p = plan();
    const sigmix_column *st = col(t, "saliency_status"), *m = col(t, "saliency_mean"),
        *v = col(t, "saliency_var"), *id = col(t, "saliency_model_id"),
        *ag = col(t, "saliency_aggregator"), *al = col(t, "saliency_ema_alpha");
    assert_non_null(st); assert_non_null(ag); assert_non_null(al);
    for (size_t r = 0; r < NROWS; r++) {
        if (strcmp(str(st, r), sigmix_saliency_status_name(p[r].status)))
            fail_msg("row %zu: status %s, expected %s", r, str(st, r),
                     sigmix_saliency_status_name(p[r].status));
        if (p[r].status == SIGMIX_SAL_OK) {
            assert_true(m->f64[r] > 0.0 && m->f64[r] < 1.0);
            assert_true(v->f64[r] > 0.0 && v->f64[r] < 0.25);
            assert_string_equal(str(id, r), "spectral_residual_v1");
            assert_string_equal(str(ag, r), "mean");
            /* the configured alpha even for mean, as upstream writes it */
            assert_true(al->valid[r]);
            assert_true(al->f64[r] == 0.6);
        } else if (p[r].status != SIGMIX_SAL_SKIPPED_EXISTING) {
            assert_null(str(id, r));
            assert_null(str(ag, r));
        }
    }
    /* duplicates of a.yuv share one result; the skipped row is untouched */
    assert_memory_equal(&m->f64[0], &m->f64[2], sizeof(double));
    assert_memory_equal(&m->f64[0], &m->f64[3], sizeof(double));
    assert_memory_equal(&m->f64[0], &m->f64[13], sizeof(double));
    assert_true(m->f64[12] == 0.125 && v->f64[12] == 0.0625);
    assert_string_equal(str(id, 12), "old");
    assert_null(str(ag, 12));
    assert_true(isnan(m->f64[7]));
    /* counters */
    assert_int_equal(rep.total, NROWS);
    assert_int_equal(rep.by_status[SIGMIX_SAL_OK], 5);
    assert_int_equal(rep.by_status[SIGMIX_SAL_SKIPPED_EXISTING], 1);
    assert_int_equal(rep.by_status[SIGMIX_SAL_MISSING_SOURCE], 5);
    assert_int_equal(rep.by_status[SIGMIX_SAL_MISSING_GEOMETRY], 1);
    assert_int_equal(rep.by_status[SIGMIX_SAL_DECODE_FAILED], 2);
    assert_int_equal(rep.clips, 5); /* a, b, c, bad, empty */
    assert_int_equal(fails, 5 + 1 + 2);
    assert_string_equal(rep.model_id, "spectral_residual_v1");
    sigmix_table_free(&t);
}

static void test_overwrite_outside_defaults(void **state)
{
    (void)state;
    sigmix_table *t = make_table();
    sigmix_saliency_settings s;
    sigmix_saliency_report rep;
    sigmix_error err = { 0 };
    settings(&s);
    s.overwrite = 1;
    s.allow_outside_root = 1;
    s.default_width = 40;
    s.default_height = 24;
    s.reducer = SIGMIX_SAL_EMA;
    s.ema_alpha = 0.25;
    s.model_id = "custom";
    assert_int_equal(run_sal(t, &s, &rep, &err), 0);
    const sigmix_column *st = col(t, "saliency_status"), *m = col(t, "saliency_mean"),
        *id = col(t, "saliency_model_id"), *al = col(t, "saliency_ema_alpha"),
        *ag = col(t, "saliency_aggregator");
    const int ok_rows[] = { 0, 1, 2, 3, 4, 5, 6, 8, 12, 13 };
    for (size_t k = 0; k < sizeof ok_rows / sizeof *ok_rows; k++) {
        int r = ok_rows[k];
        if (strcmp(str(st, r), "ok"))
            fail_msg("row %d: %s", r, str(st, r));
        assert_string_equal(str(id, r), "custom");
        assert_string_equal(str(ag, r), "ema");
        assert_true(al->valid[r] && al->f64[r] == 0.25);
    }
    /* outside copy is the same clip content: same value; overwritten row 12 too */
    assert_memory_equal(&m->f64[0], &m->f64[4], sizeof(double));
    assert_memory_equal(&m->f64[0], &m->f64[12], sizeof(double));
    assert_string_equal(str(st, 7), "missing-source");
    sigmix_table_free(&t);
}

static void test_column_suppression(void **state)
{
    (void)state;
    sigmix_table *t = make_table();
    size_t cols = sigmix_table_cols(t);
    sigmix_saliency_settings s;
    sigmix_saliency_report rep;
    sigmix_error err = { 0 };
    settings(&s);
    s.status_column = "";
    s.aggregator_column = "";
    s.ema_alpha_column = "";
    s.model_id_column = "";
    assert_int_equal(run_sal(t, &s, &rep, &err), 0);
    assert_int_equal(sigmix_table_cols(t), cols); /* nothing appended */
    assert_null(col(t, "saliency_status"));
    /* the pre-existing model id column is left alone when suppressed */
    assert_null(str(col(t, "saliency_model_id"), 0));
    assert_true(col(t, "saliency_mean")->valid[0]);
    /* renamed columns */
    sigmix_table_free(&t);
    t = make_table();
    settings(&s);
    s.status_column = "st";
    s.aggregator_column = "agg";
    assert_int_equal(run_sal(t, &s, &rep, &err), 0);
    assert_string_equal(str(col(t, "st"), 0), "ok");
    assert_string_equal(str(col(t, "agg"), 0), "mean");
    assert_null(col(t, "saliency_status"));
    sigmix_table_free(&t);
}

static void run_all(int jobs, sigmix_saliency_reducer red, double *means, double *vars)
{
    sigmix_table *t = make_table();
    sigmix_saliency_settings s;
    sigmix_saliency_report rep;
    sigmix_error err = { 0 };
    settings(&s);
    s.jobs = jobs;
    s.reducer = red;
    s.overwrite = 1;
    s.default_width = 40;
    s.default_height = 24;
    assert_int_equal(run_sal(t, &s, &rep, &err), 0);
    assert_int_equal(rep.jobs, jobs);
    memcpy(means, col(t, "saliency_mean")->f64, NROWS * sizeof *means);
    memcpy(vars, col(t, "saliency_var")->f64, NROWS * sizeof *vars);
    sigmix_table_free(&t);
}

static void test_jobs_determinism(void **state)
{
    (void)state;
    for (int red = 0; red <= SIGMIX_SAL_MOTION_WEIGHTED; red++) {
        double m1[NROWS], v1[NROWS], m3[NROWS], v3[NROWS];
        run_all(1, (sigmix_saliency_reducer)red, m1, v1);
        run_all(3, (sigmix_saliency_reducer)red, m3, v3);
        assert_memory_equal(m1, m3, sizeof m1);
        assert_memory_equal(v1, v3, sizeof v1);
    }
}

static char *slurp(const char *p, size_t *n)
{
    FILE *f = fopen(p, "rb");
    if (!f)
        return NULL;
    char *b = calloc(1, 1 << 20);
    *n = 0;
    if (!b) {
        fclose(f);
        return NULL;
    }
    *n = fread(b, 1, (1 << 20) - 1, f);
    fclose(f);
    return b;
}

static void test_journal_resume(void **state)
{
    (void)state;
    char jp[PATH_MAX];
    path_in(jp, "out.jsonl.partial.jsonl");
    unlink(jp);
    sigmix_saliency_settings s;
    sigmix_saliency_report rep;
    sigmix_error err = { 0 };
    settings(&s);
    s.journal_path = jp;
    sigmix_table *t = make_table();
    assert_int_equal(run_sal(t, &s, &rep, &err), 0);
    double a_mean = col(t, "saliency_mean")->f64[0], b_mean = col(t, "saliency_mean")->f64[1];
    sigmix_table_free(&t);
    size_t n = 0;
    char *j = slurp(jp, &n);
    assert_non_null(j);
    int lines = 0;
    for (size_t i = 0; i < n; i++)
        lines += j[i] == '\n';
    assert_int_equal(lines, 2); /* the two ok clips: a.yuv and b.y4m */
    assert_int_equal(rep.clips_from_journal, 0);

    /* A rerun reuses everything. */
    t = make_table();
    assert_int_equal(run_sal(t, &s, &rep, &err), 0);
    assert_int_equal(rep.clips_from_journal, 2);
    assert_true(col(t, "saliency_mean")->f64[0] == a_mean);
    sigmix_table_free(&t);

    /* Interrupted run: keep the line of a.yuv with a marker value, then a
     * line cut mid-way. The rerun must take a.yuv from the journal, compute
     * b.y4m and drop the cut line. */
    const char *a_line = strstr(j, "\"source\":\"") ? j : NULL;
    assert_non_null(a_line);
    char *first_end = strchr(j, '\n');
    *first_end = '\0';
    const char *line = strstr(j, "root/a.yuv") ? j : first_end + 1;
    char key[65];
    memcpy(key, line + 8, 64);
    key[64] = '\0';
    FILE *f = fopen(jp, "wb");
    fprintf(f, "{\"key\":\"%s\",\"mean\":\"0x1p-1\",\"var\":\"0x1p-4\",\"source\":\"x\"}\n", key);
    fprintf(f, "garbage line\n{\"key\":\"%.20s", key);
    fclose(f);
    free(j);
    t = make_table();
    assert_int_equal(run_sal(t, &s, &rep, &err), 0);
    assert_int_equal(rep.clips_from_journal, 1);
    assert_true(col(t, "saliency_mean")->f64[0] == 0.5);
    assert_true(col(t, "saliency_var")->f64[2] == 0.0625);
    assert_true(col(t, "saliency_mean")->f64[1] == b_mean);
    sigmix_table_free(&t);
    j = slurp(jp, &n);
    assert_true(n > 0 && j[n - 1] == '\n');
    assert_null(strstr(j, "}{"));
    lines = 0;
    for (size_t i = 0; i < n; i++)
        lines += j[i] == '\n';
    assert_int_equal(lines, 3); /* marker, garbage, b.y4m */
    free(j);

    /* A different configuration does not reuse the entries. */
    s.max_frames = 4;
    t = make_table();
    assert_int_equal(run_sal(t, &s, &rep, &err), 0);
    assert_int_equal(rep.clips_from_journal, 0);
    assert_true(col(t, "saliency_mean")->f64[0] != 0.5);
    sigmix_table_free(&t);
    unlink(jp);
}

/* --raw-pix-fmt: a yuv444p raw clip goes through libswscale (bicubic): luma
 * is kept exactly at 1:1, chroma is subsampled close to the 2x2 mean. */
static void test_raw_pix_fmt_conversion(void **state)
{
    (void)state;
    const int w = 32, h = 16, frames = 2;
    char p[PATH_MAX];
    path_in(p, "root/c444.yuv");
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    uint8_t plane[3][32 * 16];
    for (int t = 0; t < frames; t++) {
        for (int i = 0; i < w * h; i++) {
            int x = i % w, y = i / w;
            plane[0][i] = (uint8_t)(20 + 5 * x + 2 * y + 5 * t);
            plane[1][i] = (uint8_t)(100 + 2 * x);
            plane[2][i] = (uint8_t)(150 - 3 * y);
        }
        fwrite(plane, 1, sizeof plane, f);
    }
    fclose(f);
    sal_decode_opts o = { w, h, 0, 0, AV_PIX_FMT_YUV444P, 8, 0, NULL };
    sal_clip c;
    char msg[256];
    assert_int_equal(sigmix_sal_decode(p, &o, &c, msg, sizeof msg), SIGMIX_SAL_OK);
    assert_int_equal(c.n, frames);
    const sal_frame *fr = &c.frames[1];
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            assert_int_equal(fr->y[(size_t)y * fr->ys + x], 20 + 5 * x + 2 * y + 5);
    for (int y = 1; y < h / 2 - 1; y++)
        for (int x = 1; x < w / 2 - 1; x++) {
            int u = fr->u[(size_t)y * fr->us + x], v = fr->v[(size_t)y * fr->vs + x];
            int eu = 100 + 2 * (2 * x) + 1, ev = 150 - 3 * (2 * y) - 1;
            if (abs(u - eu) > 2 || abs(v - ev) > 2)
                fail_msg("chroma (%d,%d): %d %d, expected about %d %d", x, y, u, v, eu, ev);
        }
    sigmix_sal_clip_free(&c);
    /* a size that does not fill a whole frame of that format */
    o.row_w = 1000;
    o.row_h = 1000;
    assert_int_equal(sigmix_sal_decode(p, &o, &c, msg, sizeof msg), SIGMIX_SAL_DECODE_FAILED);
    assert_non_null(strstr(msg, "no complete 1000x1000 frame"));
}

/* Playlists and concat lists inside the root must not reach files outside. */
static void test_nested_open_refused(void **state)
{
    (void)state;
    char p[PATH_MAX], o[PATH_MAX];
    gen_spec g = { 48, 32, 3, 100, 20, 30, 10, 8, -3, 1 };
    path_in(o, "outside/o.y4m");
    assert_int_equal(gen_write(o, &g, 1), 0);
    /* a "safe" relative name in the list, but a symlink pointing out */
    path_in(p, "root/outlink.y4m");
    assert_int_equal(symlink(o, p), 0);
    path_in(p, "root/list.ffconcat");
    FILE *f = fopen(p, "w");
    fprintf(f, "ffconcat version 1.0\nfile outlink.y4m\n");
    fclose(f);
    path_in(p, "root/p.m3u8");
    f = fopen(p, "w");
    fprintf(f, "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\n%s\n#EXT-X-ENDLIST\n", o);
    fclose(f);
    const char *rows[] = { "list.ffconcat", "p.m3u8", o };
    sigmix_table *t;
    assert_int_equal(sigmix_table_create(&t), 0);
    assert_int_equal(sigmix_table_resize(t, 3), 0);
    assert_int_equal(sigmix_table_add_column(t, "src", SIGMIX_KIND_STRING, NULL), 0);
    for (size_t r = 0; r < 3; r++)
        sigmix_table_set_string(t, 0, r, rows[r], strlen(rows[r]));
    sigmix_saliency_settings s;
    sigmix_saliency_report rep;
    sigmix_error err = { 0 };
    settings(&s);
    s.allow_outside_root = 1; /* the outside clip itself is fine when named */
    assert_int_equal(run_sal(t, &s, &rep, &err), 0);
    const sigmix_column *st = col(t, "saliency_status");
    assert_string_equal(str(st, 0), "decode-failed");
    assert_string_equal(str(st, 1), "decode-failed");
    assert_string_equal(str(st, 2), "ok");
    sigmix_table_free(&t);
}

static int fail_create(void *shared, void **inst, sigmix_error *err)
{
    (void)shared; (void)err;
    *inst = NULL;
    return 0;
}
static int fail_run(void *inst, const sal_frame *f, float *map, sigmix_error *err)
{
    (void)inst; (void)f; (void)map;
    return sigmix_error_set(err, SIGMIX_EMODEL, "synthetic failure");
}
static void fail_free(void *p) { (void)p; }
static const sal_model_class failing = { "failing", fail_create, fail_run, fail_free, fail_free,
                                         NULL, NULL };

static void test_model_failed(void **state)
{
    (void)state;
    sigmix_table *t = make_table();
    sigmix_saliency_settings s;
    sigmix_saliency_report rep;
    sigmix_error err = { 0 };
    settings(&s);
    test_model = &failing;
    int r = run_sal(t, &s, &rep, &err);
    test_model = NULL;
    assert_int_equal(r, 0);
    assert_int_equal(rep.by_status[SIGMIX_SAL_MODEL_FAILED], 5);
    assert_string_equal(str(col(t, "saliency_status"), 0), "model-failed");
    assert_false(col(t, "saliency_mean")->valid[0]);
    assert_null(str(col(t, "saliency_model_id"), 0));
    sigmix_table_free(&t);
}

static void expect_run_error(sigmix_table *t, const sigmix_saliency_settings *s, int code,
                             const char *msg)
{
    sigmix_saliency_report rep;
    sigmix_error err = { 0 };
    size_t cols = sigmix_table_cols(t);
    assert_int_equal(run_sal(t, s, &rep, &err), code);
    if (!strstr(err.message, msg))
        fail_msg("message '%s' lacks '%s'", err.message, msg);
    assert_int_equal(sigmix_table_cols(t), cols); /* unchanged */
}

static void test_run_errors(void **state)
{
    (void)state;
    sigmix_table *t = make_table();
    sigmix_saliency_settings s;
    settings(&s);
    s.path_column = "path";
    expect_run_error(t, &s, SIGMIX_ENOTFOUND, "path column 'path' not found");
    settings(&s);
    s.ema_alpha = 0.0;
    expect_run_error(t, &s, SIGMIX_EINVAL, "ema-alpha must lie in (0, 1]");
    s.ema_alpha = 1.5;
    expect_run_error(t, &s, SIGMIX_EINVAL, "ema-alpha");
    settings(&s);
    s.max_frames = 0;
    expect_run_error(t, &s, SIGMIX_EINVAL, "max-frames must be at least 1");
    settings(&s);
    s.reducer = (sigmix_saliency_reducer)9;
    expect_run_error(t, &s, SIGMIX_EINVAL, "unknown temporal aggregator");
    settings(&s);
    s.root = "/nonexistent/sigmix/root";
    expect_run_error(t, &s, SIGMIX_ENOTFOUND, "root folder not found");
    settings(&s);
    s.status_column = "src";
    expect_run_error(t, &s, SIGMIX_EINVAL, "output column 'src' is the path column");
    settings(&s);
    s.aggregator_column = "saliency_status";
    expect_run_error(t, &s, SIGMIX_EINVAL, "given for two outputs");
    settings(&s);
    s.raw_pix_fmt = "nonsense";
    expect_run_error(t, &s, SIGMIX_EINVAL, "unknown pixel format 'nonsense'");
    settings(&s);
    s.default_width = 10;
    expect_run_error(t, &s, SIGMIX_EINVAL, "given together");
    settings(&s);
    s.model_path = "/nonexistent/model.onnx";
    expect_run_error(t, &s, SIGMIX_ENOTFOUND, "cannot open (No such file or directory)");
    settings(&s);
    s.mean_column = "src"; /* exists, text: cannot hold saliency values */
    s.path_column = "width";
    expect_run_error(t, &s, SIGMIX_EINVAL, "column 'src' exists and is not numeric");
    sigmix_table_free(&t);
}

int main(void)
{
    av_log_set_level(AV_LOG_QUIET);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_statuses_and_metadata),
        cmocka_unit_test(test_overwrite_outside_defaults),
        cmocka_unit_test(test_column_suppression),
        cmocka_unit_test(test_jobs_determinism),
        cmocka_unit_test(test_journal_resume),
        cmocka_unit_test(test_model_failed),
        cmocka_unit_test(test_raw_pix_fmt_conversion),
        cmocka_unit_test(test_nested_open_refused),
        cmocka_unit_test(test_run_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
