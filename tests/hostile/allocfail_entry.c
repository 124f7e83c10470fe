/*
 * The allocation-failure run over the library's main entry points, on the
 * example tables and small fixtures: reading every format, `cat`
 * conversions, second-opinion and mos-labels joins, vmaf-log parsing and
 * pooling, ONNX load + plan + run. (The audit has its own run in
 * tests/audit/test_allocfail.c, the Parquet reader and writer in
 * tests/parquet/test_pq_allocfail.c; all share allocfail.c.)
 *
 * Each case runs once cleanly, counting allocations, then again with
 * allocation n failing for n = 1, 2, ... until a run no longer reaches n
 * (sampled beyond ALL_MAX, see allocfail_next). Every run must either fail
 * with SIGMIX_ENOMEM and leave nothing in the output folder, or succeed
 * with output byte-identical to the clean run's. Under ASan a crash, bad
 * access, double free or leak fails it too.
 *
 *   allocfail_entry [CASE-SUBSTRING]   (env SIGMIX_SRC: the source tree)
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "allocfail.h"
#include "sigmix/join.h"
#include "sigmix/onnx.h"
#include "sigmix/table.h"
#include "sigmix/vmaflog.h"
#include "util/error.h"

enum { ALL_MAX = 1200, HEAD = 300, SPREAD = 300 };

static char src[2048], tmp[2048], outdir[2100];

/* A case: run with *out set to its output (allocated with the real
 * allocator) on success. */
typedef int (*case_fn)(const char *arg, char **out, sigmix_error *err);

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = allocfail_real_malloc((size_t)n + 1);
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    if (b)
        b[n] = 0;
    fclose(f);
    return b;
}

/* Files left in the output folder: names joined, or NULL when empty. */
static int outdir_clear(int report)
{
    DIR *d = opendir(outdir);
    struct dirent *e;
    int left = 0;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
            continue;
        if (report)
            fprintf(stderr, "  left on disk: %s\n", e->d_name);
        char p[4400];
        snprintf(p, sizeof p, "%s/%s", outdir, e->d_name);
        unlink(p);
        left++;
    }
    if (d)
        closedir(d);
    return left;
}

static char *out_path(const char *name)
{
    static char p[2200];
    snprintf(p, sizeof p, "%s/%s", outdir, name);
    return p;
}

/* ---- cases ------------------------------------------------------------ */

/* arg: "INPUT>OUTPUT-NAME": read, write, hand back the written bytes. */
static int case_cat(const char *arg, char **out, sigmix_error *err)
{
    char in[2048], path[2200];
    const char *gt = strchr(arg, '>');
    snprintf(in, sizeof in, "%.*s", (int)(gt - arg), arg);
    snprintf(path, sizeof path, "%s", out_path(gt + 1));
    sigmix_read_options ro;
    sigmix_read_options_default(&ro);
    ro.threads = 2; /* the reader's worker pool must pass failures on */
    sigmix_table *t = NULL;
    int r = sigmix_table_read(in, &ro, &t, err);
    if (!r) {
        sigmix_write_options wo;
        sigmix_write_options_default(&wo);
        r = sigmix_table_write(t, path, &wo, err);
    }
    sigmix_table_free(&t);
    if (!r)
        *out = slurp(path);
    return r;
}

static int case_second_opinion(const char *arg, char **out, sigmix_error *err)
{
    (void)arg;
    char feat[2200], dover[2200], qalign[2200];
    snprintf(feat, sizeof feat, "%s/feat.jsonl", tmp);
    snprintf(dover, sizeof dover, "dover=%s/dover.jsonl", tmp);
    snprintf(qalign, sizeof qalign, "%s/qalign.json", tmp);
    const char *scores[] = { dover, qalign };
    char o_path[2200], a_path[2200];
    snprintf(o_path, sizeof o_path, "%s", out_path("so.jsonl"));
    snprintf(a_path, sizeof a_path, "%s", out_path("so.audit.json"));
    sigmix_so_options o = { 0 };
    o.features = feat;
    o.scores = scores;
    o.nscores = 2;
    o.out = o_path;
    o.audit_json = a_path;
    o.threads = 1;
    int r = sigmix_second_opinion(&o, NULL, NULL, err);
    if (!r)
        *out = slurp(o_path); /* the audit JSON holds times: only its presence counts */
    if (!r && access(a_path, F_OK))
        fprintf(stderr, "second-opinion: no audit JSON\n"), r = -100;
    return r;
}

/* A second-opinion batch: the manifest's defaults, entries, score list
 * and LABEL= paths are parsed, then its one table runs. The manifest
 * parser once reported a failed allocation as a malformed manifest. */
static int case_join_batch(const char *arg, char **out, sigmix_error *err)
{
    (void)arg;
    char manifest[2200];
    snprintf(manifest, sizeof manifest, "%s/batch.json", tmp);
    sigmix_batch_options o = { 0 };
    o.kind = SIGMIX_JOIN_SECOND_OPINION;
    o.manifest = manifest;
    o.threads = 1;
    sigmix_batch_summary sum;
    int r = sigmix_join_batch(&o, &sum, err);
    /* A table that fails is recorded and the batch goes on, by design; the
     * fixture's table succeeds cleanly, so here its failure can only be a
     * failed allocation (the table's own ENOMEM paths are the
     * second-opinion case's). Its outputs are never left behind. */
    if (!r && sum.failed_tables)
        return sigmix_error_set(err, SIGMIX_ENOMEM, "table failed: out of memory");
    if (!r)
        *out = slurp(out_path("b.jsonl"));
    return r;
}

static int case_mos_labels(const char *arg, char **out, sigmix_error *err)
{
    (void)arg;
    char feat[2200], labels[2200], o_path[2200];
    snprintf(feat, sizeof feat, "%s/examples/ugc_mos.csv", src);
    snprintf(labels, sizeof labels, "%s/labels.jsonl", tmp);
    snprintf(o_path, sizeof o_path, "%s", out_path("mos.csv"));
    const char *lab[] = { labels };
    sigmix_mos_options o = { 0 };
    o.features = feat;
    o.labels = lab;
    o.nlabels = 1;
    o.out = o_path;
    o.feature_key_column = "video_id";
    o.label_key_column = "clip";
    o.label_mos_column = "score";
    o.overwrite = 1; /* the example already has a mos column */
    o.threads = 1;
    int r = sigmix_mos_labels(&o, NULL, NULL, err);
    if (!r)
        *out = slurp(o_path);
    return r;
}

/* arg: a log file: parse, pool per clip, write the table. */
static int case_vmaflog(const char *arg, char **out, sigmix_error *err)
{
    static const sigmix_vmaflog_stat stats[] = { SIGMIX_VMAFLOG_MEAN, SIGMIX_VMAFLOG_P10,
                                                 SIGMIX_VMAFLOG_HMEAN };
    sigmix_vmaflog_reader *rd = NULL;
    sigmix_vmaflog *log = NULL;
    sigmix_vmaflog_table *vt = NULL;
    sigmix_table *t = NULL;
    double *pooled = NULL;
    sigmix_vmaflog_table_options to = { 0, stats, 3 };
    /* reader_new, table_new and pool take no sigmix_error: say which failed */
    int r = sigmix_vmaflog_reader_new(&rd);
    if (r)
        sigmix_error_set(err, r, "reader_new failed");
    if (!r)
        r = sigmix_vmaflog_read_file(rd, arg, NULL, &log, err);
    if (!r && (r = sigmix_vmaflog_table_new(&to, &vt)))
        sigmix_error_set(err, r, "table_new failed");
    if (!r && (r = sigmix_vmaflog_pool(log, stats, 3, &pooled)))
        sigmix_error_set(err, r, "pool failed");
    if (!r)
        r = sigmix_vmaflog_table_add(vt, "clip", log, pooled, err);
    if (!r)
        r = sigmix_vmaflog_table_add_error(vt, "bad", "unreadable", err);
    if (!r)
        r = sigmix_vmaflog_table_finish(vt, &t, err);
    if (!r)
        r = sigmix_table_write(t, out_path("vl.jsonl"), NULL, err);
    if (!r)
        *out = slurp(out_path("vl.jsonl"));
    free(pooled);
    sigmix_table_free(&t);
    sigmix_vmaflog_table_free(&vt);
    sigmix_vmaflog_free(&log);
    sigmix_vmaflog_reader_free(&rd);
    return r;
}

/* arg: a model: load, plan at 8x11, run on a fixed input. */
static int case_onnx(const char *arg, char **out, sigmix_error *err)
{
    sigmix_onnx_settings s;
    sigmix_onnx_default_settings(&s);
    s.threads = 1;
    s.max_model_memory = 64u << 20;
    sigmix_onnx_model *m = NULL;
    sigmix_onnx_plan p;
    float *in = NULL, *res = NULL;
    int64_t oshape[4];
    int r = sigmix_onnx_load(arg, &s, &m, err);
    if (!r)
        r = sigmix_onnx_plan_memory(m, 8, 11, &p, err);
    char *text = NULL;
    size_t len = 0;
    if (!r) {
        int64_t ishape[4] = { p.in_shape[0], p.in_shape[1], 8, 11 };
        size_t n = (size_t)(ishape[0] * ishape[1] * 8 * 11);
        in = allocfail_real_malloc(n * sizeof *in);
        for (size_t i = 0; i < n; i++)
            in[i] = (float)sin((double)i);
        if (p.peak_bytes <= p.limit_bytes || !p.limit_bytes)
            r = sigmix_onnx_run(m, in, ishape, &res, oshape, err);
        else
            oshape[0] = oshape[1] = oshape[2] = oshape[3] = 0;
    }
    if (!r) {
        FILE *f = open_memstream(&text, &len);
        fprintf(f, "plan %lld %lld %lld %lld peak %llu act %llu scratch %llu node %s\n",
                (long long)p.in_shape[0], (long long)p.in_shape[1], (long long)p.in_shape[2],
                (long long)p.in_shape[3], (unsigned long long)p.peak_bytes,
                (unsigned long long)p.activation_bytes, (unsigned long long)p.scratch_bytes,
                p.peak_node ? p.peak_node : "-");
        size_t no = res ? (size_t)(oshape[0] * oshape[1] * oshape[2] * oshape[3]) : 0;
        for (size_t i = 0; i < no; i++)
            fprintf(f, "%a\n", (double)res[i]);
        fclose(f);
        *out = text;
    }
    free(in);
    free(res);
    sigmix_onnx_free(&m);
    return r;
}

/* ---- the sweep -------------------------------------------------------- */

static long total_runs;

static int run_case(const char *name, case_fn fn, const char *arg)
{
    sigmix_error err = { 0, "" };
    char *clean = NULL, *got;
    allocfail_arm(0);
    int r = fn(arg, &clean, &err);
    long total = allocfail_disarm();
    if (r || !clean) {
        fprintf(stderr, "%s %s: clean run failed (%d): %s\n", name, arg, r, err.message);
        return 1;
    }
    outdir_clear(0);
    int bad = 0;
    long runs = 0, same = 0;
    for (long n = allocfail_next(0, total, ALL_MAX, HEAD, SPREAD); n;
         n = allocfail_next(n, total, ALL_MAX, HEAD, SPREAD)) {
        got = NULL;
        memset(&err, 0, sizeof err);
        allocfail_arm(n);
        r = fn(arg, &got, &err);
        allocfail_disarm();
        int hit = allocfail_hit();
        runs++;
        if (!r) {
            if (!got || strcmp(got, clean)) {
                fprintf(stderr, "%s %s: allocation %ld failed, the run succeeded with a "
                                "different output\n", name, arg, n);
                bad = 1;
            }
            same++;
            outdir_clear(0);
        } else {
            if (r != SIGMIX_ENOMEM || !hit) {
                fprintf(stderr, "%s %s: allocation %ld%s -> error %d (%s), expected "
                                "SIGMIX_ENOMEM\n", name, arg, n, hit ? " failed" : " not reached",
                        r, err.message);
                bad = 1;
            } else if (!err.message[0]) {
                fprintf(stderr, "%s %s: allocation %ld: ENOMEM without a message\n", name, arg, n);
                bad = 1;
            }
            if (outdir_clear(1)) {
                fprintf(stderr, "%s %s: allocation %ld: output left behind\n", name, arg, n);
                bad = 1;
            }
        }
        free(got);
        if (!hit)
            break;
    }
    total_runs += runs;
    printf("%s %s: %ld allocations, %ld runs, %ld succeeded identically%s\n", name, arg, total,
           runs, same, bad ? ", FAILED" : "");
    free(clean);
    return bad;
}

static int put(const char *name, const char *text)
{
    char p[2200];
    snprintf(p, sizeof p, "%s/%s", tmp, name);
    FILE *f = fopen(p, "w");
    if (!f || fputs(text, f) < 0 || fclose(f)) {
        perror(p);
        return 1;
    }
    return 0;
}

/* Fixtures in tmp: the second-opinion and mos-labels inputs, a Parquet and
 * a zstd copy of the examples (made without injection). */
static int setup(void)
{
    if (put("feat.jsonl", "{\"clip_id\":\"001\",\"vmaf\":0.30000000000000004,\"note\":\"a\"}\n"
                          "{\"clip_id\":\"1\",\"vmaf\":1e-300,\"note\":null}\n"
                          "{\"clip_id\":\"café_01\",\"vmaf\":50.0,\"note\":\"ü\"}\n"
                          "{\"clip_id\":null,\"vmaf\":60.5,\"note\":\"nokey\"}\n") ||
        put("dover.jsonl", "{\"clip_id\":\"001\",\"score\":0.1,\"runtime_ms\":12.5}\n"
                           "{\"clip_id\":1,\"score\":0.7,\"status\":\"success\"}\n"
                           "{\"clip_id\":\"café_01\",\"frames\":[{\"score\":0.25},"
                           "{\"score\":0.5,\"runtime_ms\":4}],\"status\":\"oom\"}\n") ||
        put("qalign.json", "{\"results\":[{\"video_id\":\"001\",\"competitor\":\"Q-Align\","
                           "\"summary\":{\"mos\":3.5,\"runtime_total_ms\":80}},"
                           "{\"video_id\":\"1\",\"competitor\":\"Q-Align\",\"mos\":\"2.25\"}]}\n") ||
        put("batch.json", "{\"defaults\":{\"key_normalize\":\"auto\",\"prefix\":\"so\","
                          "\"missing_policy\":\"mark\"},\"tables\":[{\"id\":7,"
                          "\"features\":\"feat.jsonl\",\"scores\":[\"dover=dover.jsonl\","
                          "\"qalign.json\"],\"out\":\"out/b.jsonl\",\"overwrite\":false}]}\n") ||
        put("labels.jsonl", "{\"clip\":\"ugc00000\",\"score\":3.5}\n"
                            "{\"clip\":\"ugc00001\",\"score\":2}\n"
                            "{\"clip\":\"ugc00007\",\"score\":4.25}\n"))
        return 1;
    const char *conv[][2] = { { "examples/ugc_mos.csv", "ugc.parquet" },
                              { "examples/vmaf_features.jsonl", "vmaf.jsonl.zst" } };
    for (int i = 0; i < 2; i++) {
        char in[2200], o[2200];
        sigmix_table *t = NULL;
        sigmix_error err = { 0, "" };
        snprintf(in, sizeof in, "%s/%s", src, conv[i][0]);
        snprintf(o, sizeof o, "%s/%s", tmp, conv[i][1]);
        if (sigmix_table_read(in, NULL, &t, &err) || sigmix_table_write(t, o, NULL, &err)) {
            fprintf(stderr, "%s: %s\n", in, err.message);
            return 1;
        }
        sigmix_table_free(&t);
    }
    return 0;
}

static void rm_tree(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
            continue;
        char p[4400];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (unlink(p))
            rm_tree(p);
    }
    if (d)
        closedir(d);
    rmdir(dir);
}

int main(int argc, char **argv)
{
    const char *s = getenv("SIGMIX_SRC");
    const char *only = argc > 1 ? argv[1] : NULL;
    if (!s) {
        fputs("SIGMIX_SRC not set\n", stderr);
        return 1;
    }
    snprintf(src, sizeof src, "%s", s);
    snprintf(tmp, sizeof tmp, "/tmp/sigmix_allocfail_XXXXXX");
    if (!mkdtemp(tmp)) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(outdir, sizeof outdir, "%s/out", tmp);
    if (mkdir(outdir, 0700) || setup()) {
        rm_tree(tmp);
        return 1;
    }
    /* Every reader and every writer at least once, text compression both ways. */
    const char *cats[][2] = {
        { "examples/ugc_mos.csv", "a.jsonl" },   { "examples/ugc_mos.csv", "a.json" },
        { "examples/ugc_mos.csv", "a.parquet" }, { "examples/vmaf_features.jsonl", "a.csv.gz" },
        { "@ugc.parquet", "a.csv" },             { "@vmaf.jsonl.zst", "a.parquet" },
    };
    int bad = 0;
    char arg[4400];
    for (size_t i = 0; i < sizeof cats / sizeof *cats; i++) {
        const char *in = cats[i][0];
        if (*in == '@')
            snprintf(arg, sizeof arg, "%s/%s>%s", tmp, in + 1, cats[i][1]);
        else
            snprintf(arg, sizeof arg, "%s/%s>%s", src, in, cats[i][1]);
        if (!only || strstr("cat", only) || strstr(arg, only))
            bad |= run_case("cat", case_cat, arg);
    }
    /* second-opinion once reported a failed allocation as a malformed row and
     * succeeded with another table when a label or nested payload copy failed. */
    if (!only || strstr("second-opinion", only))
        bad |= run_case("second-opinion", case_second_opinion, "");
    if (!only || strstr("join-batch", only))
        bad |= run_case("join-batch", case_join_batch, "");
    if (!only || strstr("mos-labels", only))
        bad |= run_case("mos-labels", case_mos_labels, "");
    static const char *logs[] = { "a_json231.json", "d_v1.json", "e_python.json", "f_log.xml",
                                  "g_log.csv", "h_log.sub" };
    for (size_t i = 0; i < sizeof logs / sizeof *logs; i++) {
        snprintf(arg, sizeof arg, "%s/fuzz/vmaflog/corpus/%s", src, logs[i]);
        if (!only || strstr("vmaf-logs", only) || strstr(arg, only))
            bad |= run_case("vmaf-logs", case_vmaflog, arg);
    }
    /* mixed and unet once named another peak node when the planner's
     * live-memory count could not be allocated. A table-only build
     * (-Donnx=disabled) has no runner to test. */
    static const char *models[] = { "affine.onnx", "mixed.onnx", "unet.onnx" };
    for (size_t i = 0; sigmix_has_feature("onnx") && i < sizeof models / sizeof *models; i++) {
        snprintf(arg, sizeof arg, "%s/fuzz/onnx/corpus/%s", src, models[i]);
        if (!only || strstr("onnx", only) || strstr(arg, only))
            bad |= run_case("onnx", case_onnx, arg);
    }
    printf("%ld runs with one allocation failing%s\n", total_runs, bad ? "; FAILURES above" : "");
    rm_tree(tmp);
    return bad;
}
