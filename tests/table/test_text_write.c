/* Text writers: exact output and read-back round trips. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "table/format.h"
#include "tt_util.h"

/* A table with every kind; json != 0 adds a JSON-kind column. */
static sigmix_table *sample(int json)
{
    sigmix_table *t;
    size_t d, i, b, s, j = 0;
    assert_int_equal(sigmix_table_create(&t), 0);
    assert_int_equal(sigmix_table_add_column(t, "d", SIGMIX_KIND_DOUBLE, &d), 0);
    assert_int_equal(sigmix_table_add_column(t, "i", SIGMIX_KIND_INT64, &i), 0);
    assert_int_equal(sigmix_table_add_column(t, "b", SIGMIX_KIND_BOOL, &b), 0);
    assert_int_equal(sigmix_table_add_column(t, "s, \"q\"", SIGMIX_KIND_STRING, &s), 0);
    if (json)
        assert_int_equal(sigmix_table_add_column(t, "j", SIGMIX_KIND_JSON, &j), 0);
    assert_int_equal(sigmix_table_resize(t, 4), 0);
    sigmix_table_set_double(t, d, 0, 0.1);
    sigmix_table_set_double(t, d, 1, 5.0);
    sigmix_table_set_double(t, d, 2, NAN);
    sigmix_table_set_int64(t, i, 0, INT64_MAX);
    sigmix_table_set_int64(t, i, 1, -9007199254740993LL);
    sigmix_table_set_int64(t, i, 3, 0);
    sigmix_table_set_bool(t, b, 0, 1);
    sigmix_table_set_bool(t, b, 2, 0);
    assert_int_equal(sigmix_table_set_string(t, s, 0, "plain", 5), 0);
    assert_int_equal(sigmix_table_set_string(t, s, 1, "a,\"b\"\nc", 7), 0);
    assert_int_equal(sigmix_table_set_string(t, s, 2, " édge ", strlen(" édge ")), 0);
    assert_int_equal(sigmix_table_set_string(t, s, 3, "", 0), 0);
    if (json) {
        sigmix_column *c = sigmix_table_col_mut(t, j);
        const char *v0 = "{\"k\":[1,NaN]}", *v1 = "\"NaN\"", *v2 = "Infinity";
        c->valid[0] = c->valid[1] = c->valid[2] = 1;
        c->str[0] = (sigmix_strref){ sigmix_table_intern(t, v0, strlen(v0)), strlen(v0) };
        c->str[1] = (sigmix_strref){ sigmix_table_intern(t, v1, strlen(v1)), strlen(v1) };
        c->str[2] = (sigmix_strref){ sigmix_table_intern(t, v2, strlen(v2)), strlen(v2) };
    }
    return t;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = calloc(1, 1 << 16);
    size_t n = fread(buf, 1, (1 << 16) - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

static void write_ok(const sigmix_table *t, const char *path)
{
    sigmix_error err = { 0 };
    if (sigmix_table_write(t, path, NULL, &err))
        fail_msg("write %s: %s", path, err.message);
}

static void test_golden(void **state)
{
    (void)state;
    sigmix_table *t = sample(1);
    write_ok(t, tt_path("g.jsonl"));
    char *s = slurp(tt_path("g.jsonl"));
    assert_string_equal(s,
        "{\"d\":0.1,\"i\":9223372036854775807,\"b\":true,\"s, \\\"q\\\"\":\"plain\",\"j\":{\"k\":[1,null]}}\n"
        "{\"d\":5.0,\"i\":-9007199254740993,\"b\":null,\"s, \\\"q\\\"\":\"a,\\\"b\\\"\\nc\",\"j\":\"NaN\"}\n"
        "{\"d\":null,\"i\":null,\"b\":false,\"s, \\\"q\\\"\":\" édge \",\"j\":null}\n"
        "{\"d\":null,\"i\":0,\"b\":null,\"s, \\\"q\\\"\":\"\",\"j\":null}\n");
    free(s);
    write_ok(t, tt_path("g.json"));
    s = slurp(tt_path("g.json"));
    assert_true(!strncmp(s, "[\n{\"d\":0.1,", 11));
    assert_true(strstr(s, "\"j\":null}\n]\n") != NULL);
    free(s);
    sigmix_table_free(&t);
    t = sample(0);
    write_ok(t, tt_path("g.csv"));
    s = slurp(tt_path("g.csv"));
    assert_string_equal(s,
        "d,i,b,\"s, \"\"q\"\"\"\n"
        "0.1,9223372036854775807,true,plain\n"
        "5.0,-9007199254740993,,\"a,\"\"b\"\"\nc\"\n"
        "NaN,,false,\" édge \"\n"
        ",0,,\"\"\n");
    free(s);
    sigmix_table_free(&t);
}

/* Read back what was written: same columns, kinds and values, except
 * that non-finite numbers come back as null through strict JSON. */
static void check_round_trip(const char *name, int json)
{
    sigmix_error err;
    sigmix_table *a = sample(json);
    write_ok(a, tt_path(name));
    sigmix_table *b = tt_read(tt_path(name), NULL, &err);
    if (!b)
        fail_msg("%s: %s", name, err.message);
    assert_int_equal(sigmix_table_rows(a), sigmix_table_rows(b));
    assert_int_equal(sigmix_table_cols(a), sigmix_table_cols(b));
    for (size_t c = 0; c < sigmix_table_cols(a); c++) {
        const sigmix_column *x = sigmix_table_col(a, c), *y = sigmix_table_col(b, c);
        assert_string_equal(x->name, y->name);
        assert_int_equal(x->kind, y->kind);
        for (size_t r = 0; r < sigmix_table_rows(a); r++) {
            int xv = x->valid[r];
            if (x->kind == SIGMIX_KIND_DOUBLE && xv && !isfinite(x->f64[r]) && json)
                xv = 0; /* CSV keeps NaN/inf (written NaN, inf, -inf) */
            if (x->kind == SIGMIX_KIND_JSON && xv && !strcmp(x->str[r].ptr, "Infinity"))
                xv = 0;
            assert_int_equal(xv, y->valid[r]);
            if (!xv)
                continue;
            if (x->kind == SIGMIX_KIND_INT64)
                assert_true(x->i64[r] == y->i64[r]);
            else if (sigmix_kind_is_numeric(x->kind))
                assert_true(x->f64[r] == y->f64[r] || (isnan(x->f64[r]) && isnan(y->f64[r])));
            else if (x->kind == SIGMIX_KIND_STRING)
                assert_string_equal(x->str[r].ptr, y->str[r].ptr);
        }
    }
    if (json) /* NaN inside nested JSON is written as null */
        assert_string_equal(tt_col(b, "j")->str[0].ptr, "{\"k\":[1,null]}");
    sigmix_table_free(&a);
    sigmix_table_free(&b);
}

static void test_round_trips(void **state)
{
    (void)state;
    check_round_trip("rt.jsonl", 1);
    check_round_trip("rt.json", 1);
    check_round_trip("rt.csv", 0);
    /* compressed by name, read back through the decompressing reader */
    check_round_trip("rt.jsonl.gz", 1);
    check_round_trip("rt.json.zst", 1);
    check_round_trip("rt.csv.gz", 0);
}

/* Bytes of a file start with magic. */
static void assert_magic(const char *path, const unsigned char *magic, size_t n)
{
    unsigned char buf[8] = { 0 };
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fread(buf, 1, n, f), n);
    fclose(f);
    assert_memory_equal(buf, magic, n);
}

/* A table larger than one 1 MiB compression chunk, both codecs. */
static void test_compressed_large(void **state)
{
    sigmix_error err = { 0 };
    sigmix_write_options o;
    (void)state;
    sigmix_table *t;
    size_t c;
    assert_int_equal(sigmix_table_create(&t), 0);
    assert_int_equal(sigmix_table_add_column(t, "v", SIGMIX_KIND_DOUBLE, &c), 0);
    assert_int_equal(sigmix_table_resize(t, 200000), 0);
    for (size_t r = 0; r < 200000; r++)
        sigmix_table_set_double(t, c, r, (double)r / 7.0);
    write_ok(t, tt_path("big.jsonl.zst"));
    assert_magic(tt_path("big.jsonl.zst"), (const unsigned char *)"\x28\xb5\x2f\xfd", 4);
    /* the writer itself takes any codec it is given */
    sigmix_write_options_default(&o);
    o.compression = SIGMIX_COMPRESSION_GZIP;
    FILE *f = fopen(tt_path("big.csv"), "wb");
    assert_non_null(f);
    assert_int_equal(sigmix_csv_write(t, f, &o, &err), 0);
    assert_int_equal(fclose(f), 0);
    assert_magic(tt_path("big.csv"), (const unsigned char *)"\x1f\x8b", 2);
    const char *names[] = { "big.jsonl.zst", "big.csv" };
    for (int k = 0; k < 2; k++) {
        sigmix_table *b = tt_read(tt_path(names[k]), NULL, &err);
        assert_non_null(b);
        assert_int_equal(sigmix_table_rows(b), 200000);
        for (size_t r = 0; r < 200000; r += 997)
            assert_true(sigmix_table_col(b, 0)->f64[r] == (double)r / 7.0);
        sigmix_table_free(&b);
    }
    sigmix_table_free(&t);
}

static void test_write_errors(void **state)
{
    sigmix_error err = { 0 };
    sigmix_write_options o;
    struct stat st;
    (void)state;
    sigmix_table *t = sample(0);
    sigmix_write_options_default(&o);
    o.compression = SIGMIX_COMPRESSION_SNAPPY;
    assert_int_equal(sigmix_table_write(t, tt_path("c.jsonl"), &o, &err), SIGMIX_EUNSUPPORTED);
    assert_string_equal(err.message, "compression is only available for Parquet output");
    assert_int_equal(stat(tt_path("c.jsonl"), &st), -1); /* nothing left behind */
    /* a codec that disagrees with the name is refused too */
    memset(&err, 0, sizeof err);
    o.compression = SIGMIX_COMPRESSION_ZSTD;
    assert_int_equal(sigmix_table_write(t, tt_path("c.jsonl.gz"), &o, &err), SIGMIX_EUNSUPPORTED);
    assert_int_equal(stat(tt_path("c.jsonl.gz"), &st), -1);
    /* ... and one that agrees is fine */
    memset(&err, 0, sizeof err);
    assert_int_equal(sigmix_table_write(t, tt_path("c.jsonl.zst"), &o, &err), 0);
    /* snappy straight to the writer */
    FILE *f = fopen(tt_path("s.jsonl"), "wb");
    assert_non_null(f);
    memset(&err, 0, sizeof err);
    o.compression = SIGMIX_COMPRESSION_SNAPPY;
    assert_int_equal(sigmix_jsonl_write(t, f, &o, &err), SIGMIX_EUNSUPPORTED);
    assert_string_equal(err.message, "snappy compression is only available for Parquet output");
    fclose(f);
    sigmix_table_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden),
        cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_compressed_large),
        cmocka_unit_test(test_write_errors),
    };
    tt_setup_dir();
    int r = cmocka_run_group_tests(tests, NULL, NULL);
    tt_cleanup_dir();
    return r;
}
