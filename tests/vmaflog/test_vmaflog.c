/* Unit tests of the vmaflog layer: statistics against hand-computed
 * values, canonical names, sniffing, every reader's quirks and the exact
 * error messages with their positions. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sigmix/vmaflog.h"

/* cmocka 1.1 has no double assertion: print both values on a mismatch. */
static void near_at(double got, double want, double tol, int line)
{
    if (!(fabs(got - want) <= tol)) {
        print_error("line %d: got %.17g, want %.17g\n", line, got, want);
        fail();
    }
}
#define assert_near(got, want, tol) near_at((got), (want), (tol), __LINE__)

static const sigmix_vmaflog_stat ALL[] = {
    SIGMIX_VMAFLOG_MEAN, SIGMIX_VMAFLOG_STD, SIGMIX_VMAFLOG_MIN, SIGMIX_VMAFLOG_MAX,
    SIGMIX_VMAFLOG_P10, SIGMIX_VMAFLOG_P90, SIGMIX_VMAFLOG_HMEAN,
};

static void stats_of(const double *v, const uint8_t *present, size_t n, double out[7])
{
    sigmix_vmaflog_metric m = { "x", "x", (double *)v, (uint8_t *)present };
    double scratch[64];
    sigmix_vmaflog_stats(&m, n, ALL, 7, out, scratch);
}

static void test_stats_hand(void **state)
{
    (void)state;
    /* 1,2,3,4 plus a NaN frame and an absent frame (99 must not count). */
    const double v[] = { 3, NAN, 1, 99, 4, 2 };
    const uint8_t p[] = { 1, 1, 1, 0, 1, 1 };
    double o[7];
    stats_of(v, p, 6, o);
    assert_near(o[0], 2.5, 1e-15);
    assert_near(o[1], sqrt(1.25), 1e-15);  /* squares 2.25+.25+.25+2.25 over 4 */
    assert_near(o[2], 1.0, 0);
    assert_near(o[3], 4.0, 0);
    assert_near(o[4], 1.3, 1e-15);        /* position 0.3 between 1 and 2 */
    assert_near(o[5], 3.7, 1e-15);        /* position 2.7 between 3 and 4 */
    assert_near(o[6], 163.0 / 77.0, 1e-15); /* 1/mean(1/2,1/3,1/4,1/5) - 1 */
}

static void test_stats_edges(void **state)
{
    (void)state;
    double o[7];
    const double one[] = { 5 };
    const uint8_t p1[] = { 1 };
    stats_of(one, p1, 1, o);
    for (int i = 0; i < 7; i++)
        assert_near(o[i], i == 1 ? 0.0 : 5.0, 0);
    /* No finite value: every statistic is null (NaN), infinities included. */
    const double bad[] = { NAN, INFINITY, NAN };
    const uint8_t p3[] = { 1, 1, 1 };
    stats_of(bad, p3, 3, o);
    for (int i = 0; i < 7; i++)
        assert_true(isnan(o[i]));
    /* Absent everywhere. */
    const uint8_t p0[] = { 0, 0, 0 };
    const double v3[] = { 1, 2, 3 };
    stats_of(v3, p0, 3, o);
    for (int i = 0; i < 7; i++)
        assert_true(isnan(o[i]));
    /* An infinity joins min/max and the mean; hmean uses finite values only. */
    const double inf[] = { 1, INFINITY, 3 };
    stats_of(inf, p3, 3, o);
    assert_true(isinf(o[0]) && o[0] > 0);
    assert_true(isnan(o[1]));
    assert_near(o[2], 1.0, 0);
    assert_true(isinf(o[3]));
    assert_near(o[4], 1.4, 1e-15);
    assert_near(o[6], 5.0 / 3.0, 1e-15);
}

/* Selection must agree with sorting on many orders, duplicates included. */
static void test_percentile_select(void **state)
{
    (void)state;
    enum { N = 301 };
    double v[N], s[N];
    uint8_t p[N];
    unsigned seed = 12345;
    for (int round = 0; round < 50; round++) {
        for (int i = 0; i < N; i++) {
            seed = seed * 1103515245u + 12345u;
            v[i] = (double)((seed >> 16) % (round % 3 ? 1000 : 7));
            p[i] = 1;
            s[i] = v[i];
        }
        for (int i = 1; i < N; i++) /* insertion sort of the copy */
            for (int j = i; j > 0 && s[j - 1] > s[j]; j--) {
                double t = s[j]; s[j] = s[j - 1]; s[j - 1] = t;
            }
        sigmix_vmaflog_metric m = { "x", "x", v, p };
        double scratch[N], o[2];
        const sigmix_vmaflog_stat w[] = { SIGMIX_VMAFLOG_P10, SIGMIX_VMAFLOG_P90 };
        sigmix_vmaflog_stats(&m, N, w, 2, o, scratch);
        assert_near(o[0], s[30], 0);   /* position 30 exactly */
        assert_near(o[1], s[270], 0);
        /* The other order: the second selection cannot reuse the first. */
        const sigmix_vmaflog_stat w2[] = { SIGMIX_VMAFLOG_P90, SIGMIX_VMAFLOG_P10 };
        sigmix_vmaflog_stats(&m, N, w2, 2, o, scratch);
        assert_near(o[0], s[270], 0);
        assert_near(o[1], s[30], 0);
    }
}

static void test_names(void **state)
{
    (void)state;
    char tmp[256];
    static const char *const cases[][2] = {
        { "integer_adm2", "adm2" },
        { "integer_adm_scale3", "adm_scale3" },
        { "integer_vif_scale0", "vif_scale0" },
        { "integer_motion", "motion" },
        { "integer_motion3", "motion3" },
        { "'VMAF_integer_feature_vif_scale2_score'", "vif_scale2" },
        { "'VMAF_feature_adm2_score'", "adm2" },
        { "VMAF_feature_motion2_score", "motion2" },
        { "VMAF_integer_feature_adm2_score", "adm2" },
        { "VMAF_feature_psnr_y_score", "psnr_y" },
        { "VMAF_score", "vmaf" },
        { "integer_aim", "integer_aim" },
        { "psnr_y", "psnr_y" },
        { "float_ssim", "float_ssim" },
        { "'quoted'", "'quoted'" },
        { "VMAF_feature__score", "VMAF_feature__score" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        assert_string_equal(sigmix_vmaflog_canonical(cases[i][0], tmp, sizeof tmp), cases[i][1]);
}

static void test_sniff(void **state)
{
    (void)state;
    assert_int_equal(sigmix_vmaflog_sniff("\xEF\xBB\xBF {\"a\":1}", 11), SIGMIX_VMAFLOG_JSON);
    assert_int_equal(sigmix_vmaflog_sniff("{0}{1}frame: 0|", 15), SIGMIX_VMAFLOG_SUB);
    assert_int_equal(sigmix_vmaflog_sniff("\n<VMAF>", 7), SIGMIX_VMAFLOG_XML);
    assert_int_equal(sigmix_vmaflog_sniff("Frame,a,\n", 9), SIGMIX_VMAFLOG_CSV);
    assert_int_equal(sigmix_vmaflog_sniff("frame,a", 7), SIGMIX_VMAFLOG_UNKNOWN);
    assert_int_equal(sigmix_vmaflog_sniff("  ", 2), SIGMIX_VMAFLOG_UNKNOWN);
}

/* Parse text (copied into a padded buffer). */
static int parse(const char *text, int keep, sigmix_vmaflog **log, sigmix_error *err)
{
    static sigmix_vmaflog_reader *rd;
    if (!rd)
        assert_int_equal(sigmix_vmaflog_reader_new(&rd), 0);
    if (!text) {
        sigmix_vmaflog_reader_free(&rd);
        return 0;
    }
    size_t n = strlen(text);
    char *buf = calloc(n + SIGMIX_VMAFLOG_PADDING, 1);
    memcpy(buf, text, n);
    sigmix_vmaflog_options o = { .keep_names = keep };
    memset(err, 0, sizeof *err);
    int r = sigmix_vmaflog_parse(rd, buf, n, &o, log, err);
    free(buf);
    return r;
}

static const sigmix_vmaflog_metric *metric(const sigmix_vmaflog *L, const char *name)
{
    for (size_t i = 0; i < L->nmetrics; i++)
        if (!strcmp(L->metrics[i].name, name))
            return &L->metrics[i];
    fail_msg("no metric %s", name);
    return NULL;
}

static void test_json_quirks(void **state)
{
    (void)state;
    sigmix_vmaflog *L;
    sigmix_error e;
    /* 2.3.1: fps inf, null without newline, metric missing on frame 1,
     * %.16f value, no final newline. */
    const char *j =
        "{\n  \"version\": \"2.3.1\",\n  \"fps\": inf,\n  \"frames\": [\n"
        "    {\n      \"frameNum\": 0,\n      \"metrics\": {\n"
        "        \"integer_adm2\": null,        \"cambi\": 0.0000012345678901\n      }\n    },\n"
        "    {\n      \"frameNum\": 2,\n      \"metrics\": {\n"
        "        \"integer_adm2\": 0.500000\n      }\n    }\n  ],\n"
        "  \"pooled_metrics\": {\n    \"integer_adm2\": {\n      \"mean\": null\n    }\n  },\n"
        "  \"aggregate_metrics\": {\n  }\n}";
    assert_int_equal(parse(j, 0, &L, &e), 0);
    assert_int_equal(L->format, SIGMIX_VMAFLOG_JSON);
    assert_string_equal(L->version, "2.3.1");
    assert_true(isnan(L->fps));
    assert_int_equal(L->nframes, 2);
    assert_int_equal(L->frame_num[1], 2);
    const sigmix_vmaflog_metric *a = metric(L, "adm2");
    assert_string_equal(a->source, "integer_adm2");
    assert_true(a->present[0] && isnan(a->values[0]));
    assert_near(a->values[1], 0.5, 0);
    const sigmix_vmaflog_metric *c = metric(L, "cambi");
    assert_true(c->present[0] && !c->present[1]);
    assert_near(c->values[0], 0.0000012345678901, 0);
    sigmix_vmaflog_free(&L);
    /* 2.0.0: pooled_metrics as an array, finite fps. */
    assert_int_equal(parse("{\"version\":\"2.0.0\",\"fps\":12.50,\"frames\":[{\"frameNum\":0,"
                           "\"metrics\":{\"vmaf\":90.0}}],\"pooled_metrics\":[{\"vmaf\":"
                           "{\"mean\":1}}]}\n", 0, &L, &e), 0);
    assert_near(L->fps, 12.5, 0);
    assert_near(metric(L, "vmaf")->values[0], 90.0, 0);
    sigmix_vmaflog_free(&L);
    /* 1.x and Python layouts. */
    assert_int_equal(parse("{\"version\":\"1.3.15\",\"params\":{\"subsample\":1},\"metrics\":"
                           "[\"adm2\"],\"frames\":[{\"frameNum\":0,\"metrics\":{\"adm2\":0.9}}],"
                           "\"VMAF score\":1.0,\"ExecFps\":7.25}", 0, &L, &e), 0);
    assert_int_equal(L->format, SIGMIX_VMAFLOG_JSON_V1);
    assert_near(L->fps, 7.25, 0);
    sigmix_vmaflog_free(&L);
    assert_int_equal(parse("{\"executorId\":\"x\",\"frames\":[{\"frameNum\":0,"
                           "\"VMAF_feature_adm2_score\":NaN,\"VMAF_score\":50.5,\"note\":\"x\"}],"
                           "\"aggregate\":{\"VMAF_score\":50.5}}", 0, &L, &e), 0);
    assert_int_equal(L->format, SIGMIX_VMAFLOG_JSON_PYTHON);
    assert_int_equal(L->nmetrics, 2);
    assert_true(isnan(metric(L, "adm2")->values[0]));
    assert_near(metric(L, "vmaf")->values[0], 50.5, 0);
    sigmix_vmaflog_free(&L);
    /* --keep-names */
    assert_int_equal(parse("{\"frames\":[{\"frameNum\":0,\"metrics\":{\"integer_adm2\":0.9}}]}",
                           1, &L, &e), 0);
    assert_string_equal(L->metrics[0].name, "integer_adm2");
    sigmix_vmaflog_free(&L);
}

static void test_text_formats(void **state)
{
    (void)state;
    sigmix_vmaflog *L;
    sigmix_error e;
    /* CSV: trailing commas; the short row's values are positional. */
    assert_int_equal(parse("Frame,integer_adm2,vmaf,cambi,\n0,0.1,50.0,0.3,\n1,0.2,60.0,\n"
                           "2,nan,-nan,inf,", 0, &L, &e), 0);
    assert_int_equal(L->format, SIGMIX_VMAFLOG_CSV);
    assert_int_equal(L->nframes, 3);
    const sigmix_vmaflog_metric *c = metric(L, "cambi");
    assert_true(c->present[0] && !c->present[1] && c->present[2]);
    assert_true(isinf(c->values[2]));
    assert_near(metric(L, "vmaf")->values[1], 60.0, 0);
    assert_true(isnan(metric(L, "adm2")->values[2]));
    sigmix_vmaflog_free(&L);
    /* SUB, subsampled. */
    assert_int_equal(parse("{0}{1}frame: 0|integer_adm2: 0.250000|vmaf: 99.000000|\n"
                           "{3}{4}frame: 3|integer_adm2: -nan|\n", 0, &L, &e), 0);
    assert_int_equal(L->format, SIGMIX_VMAFLOG_SUB);
    assert_int_equal(L->frame_num[1], 3);
    assert_true(isnan(metric(L, "adm2")->values[1]));
    assert_false(metric(L, "vmaf")->present[1]);
    sigmix_vmaflog_free(&L);
    /* XML with pooled metrics (ignored). */
    assert_int_equal(parse("<?xml version=\"1.0\"?>\n<VMAF version=\"2.3.1\">\n"
                           "  <fyi fps=\"29.97\" />\n  <frames>\n"
                           "    <frame frameNum=\"0\" integer_vif_scale0=\"0.5\" vmaf=\"nan\" />\n"
                           "    <frame frameNum=\"1\" integer_vif_scale0=\"0.7\" />\n  </frames>\n"
                           "  <pooled_metrics>\n    <metric name=\"vmaf\" mean=\"1\" />\n"
                           "  </pooled_metrics>\n</VMAF>\n", 0, &L, &e), 0);
    assert_int_equal(L->format, SIGMIX_VMAFLOG_XML);
    assert_near(L->fps, 29.97, 0);
    assert_near(metric(L, "vif_scale0")->values[1], 0.7, 0);
    assert_true(isnan(metric(L, "vmaf")->values[0]));
    sigmix_vmaflog_free(&L);
}

static void expect_error(const char *text, const char *msg)
{
    sigmix_vmaflog *L = (sigmix_vmaflog *)1;
    sigmix_error e;
    assert_int_not_equal(parse(text, 0, &L, &e), 0);
    assert_null(L);
    assert_string_equal(e.message, msg);
}

static void test_errors(void **state)
{
    (void)state;
    expect_error("", "empty file (byte 0)");
    expect_error("hello", "not a libvmaf log: JSON, XML, CSV or SUB expected (line 1)");
    expect_error("{\"frames\":[{\"frameNum\":0,\"metrics\":{\"integer_adm2\":0.1,\"adm2\":0.2}}]}",
                 "metrics 'integer_adm2' and 'adm2' both map to 'adm2' (use --keep-names to"
                 " keep both)");
    expect_error("{\"version\":\"2.3.1\",\n\"frames\":[{\"frameNum\":0,\"metrics\":{\"a\":inf}}]}",
                 "metric value is not a number or null (line 2, byte 59)");
    expect_error("{\"fps\":inf,\"frames\":[{\"frameNum\":0,\"metrics\":{\"a\":1,\"a\":2}}]}",
                 "metric 'a' twice in frame 0 (line 1, byte 52)");
    expect_error("{\"frames\":[{\"metrics\":{\"a\":1}}]}", "frame without frameNum (line 1, byte 11)");
    expect_error("{\"version\":\"2.3.1\"}", "no \"frames\" array (line 1, byte 19)");
    expect_error("Frame,a,\n0,0.1,\n1,0.2,0.3,\n", "more values than header names (line 3)");
    expect_error("Frame,a,\n0,x,\n", "value is not a number (line 2)");
    expect_error("{0}{1}frame: 0|a: 0.1|\n{1}{2}frame: 1|a: 0.2", 
                 "entry not closed by '|' (truncated?) (line 2)");
    expect_error("<VMAF><frames><frame frameNum=\"0\" a=\"zz\"/></frames></VMAF>",
                 "value of 'a' is not a number (line 1)");
}

static void test_truncated_json(void **state)
{
    (void)state;
    sigmix_vmaflog *L;
    sigmix_error e;
    const char *j = "{\n  \"version\": \"3.0.0\",\n  \"frames\": [\n    {\n      \"frameNum\": 0,\n"
                    "      \"metrics\": {\n        \"vmaf\": 90.0";
    assert_int_not_equal(parse(j, 0, &L, &e), 0);
    assert_string_equal(e.message, "truncated JSON: object or array not closed (line 7, byte 104)");
    assert_int_equal(strlen(j), 104); /* the end of the input */
    const char *x = "<VMAF version=\"2\">\n<frames>\n<frame frameNum=\"0\" vmaf=\"1.0\" />\n<fra";
    assert_int_not_equal(parse(x, 0, &L, &e), 0);
    assert_string_equal(e.message, "invalid XML: Couldn't find end of Start Tag fra (line 4)");
}

static void test_table(void **state)
{
    (void)state;
    sigmix_vmaflog *L;
    sigmix_error e;
    assert_int_equal(parse("Frame,integer_adm2,\n0,1.0,\n1,3.0,\n", 0, &L, &e), 0);
    const sigmix_vmaflog_stat st[] = { SIGMIX_VMAFLOG_MAX, SIGMIX_VMAFLOG_MEAN };
    sigmix_vmaflog_table_options o = { .per_frame = 0, .stats = st, .nstats = 2 };
    sigmix_vmaflog_table *vt;
    assert_int_equal(sigmix_vmaflog_table_new(&o, &vt), 0);
    assert_int_equal(sigmix_vmaflog_table_add(vt, "clip", L, NULL, &e), 0);
    assert_int_equal(sigmix_vmaflog_table_add_error(vt, "bad", "broken (line 1)", &e), 0);
    sigmix_table *t;
    assert_int_equal(sigmix_vmaflog_table_finish(vt, &t, &e), 0);
    sigmix_vmaflog_table_free(&vt);
    static const char *const cols[] = { "key", "frames", "vmaf_log_format", "vmaf_version", "fps",
                                        "adm2_max", "adm2_mean", "vmaf_log_error" };
    assert_int_equal(sigmix_table_cols(t), 8);
    for (size_t i = 0; i < 8; i++)
        assert_string_equal(sigmix_table_col(t, i)->name, cols[i]);
    assert_near(sigmix_table_col(t, 5)->f64[0], 3.0, 0);
    assert_near(sigmix_table_col(t, 6)->f64[0], 2.0, 0);
    assert_false(sigmix_table_col(t, 6)->valid[1]);
    assert_false(sigmix_table_col(t, 4)->valid[0]);
    assert_string_equal(sigmix_table_col(t, 7)->str[1].ptr, "broken (line 1)");
    sigmix_table_free(&t);
    sigmix_vmaflog_free(&L);
    parse(NULL, 0, NULL, NULL);
}

/* Shard files: what the writer writes the reader reads back bit for bit,
 * texts that are not UTF-8 included; damaged lines are refused with their
 * line number. */
static sigmix_vmaflog_shard *shard_parse(const char *text, sigmix_error *e)
{
    size_t n = strlen(text);
    char *buf = calloc(n + SIGMIX_VMAFLOG_PADDING, 1);
    memcpy(buf, text, n);
    sigmix_vmaflog_shard *s = NULL;
    sigmix_vmaflog_shard_parse(buf, n, &s, e);
    free(buf);
    return s;
}

static void test_shard_roundtrip(void **state)
{
    (void)state;
    sigmix_vmaflog *L;
    sigmix_error e;
    assert_int_equal(parse("Frame,integer_adm2,vmaf,\n0,0.1,nan,\n1,0.30000000000000004,-inf,\n",
                           0, &L, &e), 0);
    /* A metric name that is not UTF-8 (possible in CSV logs). */
    char *odd = strdup("m\xff\xfe");
    free((char *)L->metrics[1].source);
    L->metrics[1].source = odd;
    L->metrics[1].name = odd;
    L->fps = 29.97;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    sigmix_vmaflog_shard_header h = { .k = 1, .n = 3, .per_frame = 1, .logs = 2 };
    memset(h.input_sha256, 'a', 64);
    memset(h.config_sha256, 'b', 64);
    assert_int_equal(sigmix_vmaflog_shard_write_header(f, &h), 0);
    assert_int_equal(sigmix_vmaflog_shard_write_log(f, 5, "/x/\xc3\xa9.csv", L, 1, NULL, 0), 0);
    assert_int_equal(sigmix_vmaflog_shard_write_error(f, 7, "/x/\xff.json", "bad \"x\""), 0);
    fclose(f);
    sigmix_vmaflog_shard *s = shard_parse(text, &e);
    assert_non_null(s);
    const sigmix_vmaflog_shard_header *g = sigmix_vmaflog_shard_header_of(s);
    assert_int_equal(g->k, 1);
    assert_int_equal(g->n, 3);
    assert_int_equal(g->per_frame, 1);
    assert_int_equal(sigmix_vmaflog_shard_count(s), 2);
    const sigmix_vmaflog_shard_entry *a = sigmix_vmaflog_shard_at(s, 0);
    assert_int_equal(a->index, 5);
    assert_string_equal(a->path, "/x/\xc3\xa9.csv");
    assert_null(a->error);
    assert_int_equal(a->log->format, SIGMIX_VMAFLOG_CSV);
    assert_true(a->log->fps == 29.97);
    assert_int_equal(a->log->nframes, 2);
    assert_int_equal(a->log->nmetrics, 2);
    assert_string_equal(a->log->metrics[0].name, "adm2");
    assert_string_equal(a->log->metrics[0].source, "integer_adm2");
    assert_string_equal(a->log->metrics[1].name, "m\xff\xfe");
    assert_true(a->log->metrics[0].values[1] == 0.30000000000000004);
    assert_true(isnan(a->log->metrics[1].values[0]) && a->log->metrics[1].present[0]);
    assert_true(isinf(a->log->metrics[1].values[1]) && a->log->metrics[1].values[1] < 0);
    const sigmix_vmaflog_shard_entry *b = sigmix_vmaflog_shard_at(s, 1);
    assert_int_equal(b->index, 7);
    assert_string_equal(b->path, "/x/\xff.json");
    assert_string_equal(b->error, "bad \"x\"");
    assert_null(sigmix_vmaflog_shard_at(s, 2));
    sigmix_vmaflog_shard_free(&s);
    assert_null(s);

    /* Damage: a line missing, a bad header, nothing. */
    char *cut = strdup(text);
    char *last = strstr(cut, "\n{\"log\":7");
    last[1] = '\0';
    assert_null(shard_parse(cut, &e));
    assert_string_equal(e.message, "line 2: 1 log lines, the header says 2 (cut short?)");
    assert_null(shard_parse("{\"x\":1}\n", &e));
    assert_string_equal(e.message, "line 1: not a vmaf-logs shard header");
    assert_null(shard_parse("", &e));
    assert_string_equal(e.message, "line 1: empty file, no header");
    free(cut);
    free(text);
    sigmix_vmaflog_free(&L);
    parse(NULL, 0, NULL, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stats_hand),
        cmocka_unit_test(test_stats_edges),
        cmocka_unit_test(test_percentile_select),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_sniff),
        cmocka_unit_test(test_json_quirks),
        cmocka_unit_test(test_text_formats),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_truncated_json),
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_shard_roundtrip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
