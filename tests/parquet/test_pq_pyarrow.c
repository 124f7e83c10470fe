/*
 * Parquet in the layout pandas/pyarrow write, built here (pq_build_multi.h):
 * a 3-level LIST with an `element` field over two pages, a struct with
 * optional fields, UINT_64 past 2^63, FLOAT, INT32 INT(8), DATE,
 * TIMESTAMP(us, UTC), a dictionary-encoded string, pandas' index column
 * and its `pandas` footer key. Checks the values read, the index flag,
 * and that `sigmix cat x.parquet --output y.parquet` and the writer keep
 * every type and the key/value metadata. Also folders that mix types.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "sigmix/table.h"
#include "pq_pyarrow_file.h"

static char dir[64], in_path[128], out_path[128];

static void build_file(const char *path)
{
    assert_int_equal(pyarrow_file(path), 0);
}

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/sigmix-pqarrow-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(in_path, sizeof in_path, "%s/in.parquet", dir);
    snprintf(out_path, sizeof out_path, "%s/out.parquet", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static const sigmix_column *col(const sigmix_table *t, const char *name)
{
    long i = sigmix_table_find(t, name);
    assert_true(i >= 0);
    return sigmix_table_col(t, (size_t)i);
}

static void expect_list(const sigmix_column *c, size_t r)
{
    char want[256];
    size_t n = 0;
    int k = list_len(r);
    if (k < 0) {
        assert_false(c->valid[r]);
        return;
    }
    want[n++] = '[';
    for (int j = 0; j < k; j++) {
        if (j)
            want[n++] = ',';
        n += elem_null(r, j) ? (size_t)snprintf(want + n, sizeof want - n, "null")
                             : (size_t)snprintf(want + n, sizeof want - n, "%.17g", elem(r, j));
    }
    want[n++] = ']';
    want[n] = 0;
    assert_true(c->valid[r]);
    assert_int_equal(c->str[r].len, n);
    assert_memory_equal(c->str[r].ptr, want, n);
}

/* rewritten: nested columns come back as JSON text in a STRING column
 * (sigmix writes nested values as JSON-annotated strings). */
static void check_values(const sigmix_table *t, int rewritten)
{
    assert_int_equal(sigmix_table_rows(t), N);
    const sigmix_column *sc = col(t, "scores"), *m = col(t, "meta"), *u = col(t, "u");
    assert_int_equal(sc->kind, rewritten ? SIGMIX_KIND_STRING : SIGMIX_KIND_JSON);
    for (size_t r = 0; r < N; r++)
        expect_list(sc, r);
    assert_false(m->valid[0]);
    assert_string_equal(m->str[1].ptr, "{\"a\":null,\"b\":\"n1\"}");
    assert_string_equal(m->str[599].ptr, "{\"a\":5990,\"b\":\"n599\"}");
    /* UINT64 past 2^63: exact digits, never a rounded double */
    assert_int_equal(u->kind, SIGMIX_KIND_JSON);
    assert_string_equal(u->str[3].ptr, "18446744073709551615");
    assert_string_equal(u->str[4].ptr, "9223372036854775808");
    assert_string_equal(u->str[5].ptr, "5");
    assert_false(u->valid[7]);
    const sigmix_column *f = col(t, "f"), *i8 = col(t, "i8"), *d = col(t, "d"),
                        *ts = col(t, "ts"), *s = col(t, "s");
    assert_false(f->valid[0]);
    assert_true(f->f64[5] == (double)(5 * 0.5f + 0.1f));
    assert_int_equal(i8->i64[0], -100);
    assert_string_equal(d->str[300].ptr, "1970-01-01");
    assert_string_equal(ts->str[1].ptr, "2023-11-14T22:13:21.000001Z");
    assert_int_equal(s->kind, SIGMIX_KIND_STRING);
    assert_string_equal(s->str[4].ptr, "beta");
}

/* The source types the reader records, which a rewrite must keep. */
static void check_types(const sigmix_table *t)
{
    const sigmix_column *f = col(t, "f"), *i8 = col(t, "i8"), *d = col(t, "d"),
                        *ts = col(t, "ts"), *u = col(t, "u"), *s = col(t, "s");
    assert_int_equal(f->pq.physical, 4);
    assert_int_equal(i8->pq.physical, 1);
    assert_int_equal(i8->pq.logical, PM_LT_INTEGER);
    assert_int_equal(i8->pq.bits, 8);
    assert_int_equal(i8->pq.is_signed, 1);
    assert_int_equal(d->pq.physical, 1);
    assert_int_equal(d->pq.logical, PM_LT_DATE);
    assert_int_equal(ts->pq.physical, 2);
    assert_int_equal(ts->pq.logical, PM_LT_TIMESTAMP);
    assert_int_equal(ts->pq.unit, 2);
    assert_int_equal(ts->pq.utc, 1);
    assert_int_equal(u->pq.physical, 2);
    assert_int_equal(u->pq.logical, PM_LT_INTEGER);
    assert_int_equal(u->pq.is_signed, 0);
    assert_int_equal(s->pq.physical, 6);
    assert_int_equal(s->pq.logical, PM_LT_STRING);
    assert_true(col(t, "__index_level_0__")->flags & SIGMIX_COLF_INDEX);
    assert_false(f->flags & SIGMIX_COLF_INDEX);
}

static void test_pyarrow_layout_reads(void **state)
{
    (void)state;
    build_file(in_path);
    sigmix_table *t;
    sigmix_error err = { 0, "" };
    assert_int_equal(sigmix_table_read(in_path, NULL, &t, &err), 0);
    check_values(t, 0);
    check_types(t);
    assert_string_equal(sigmix_table_get_meta(t, "pandas"), PANDAS);
    assert_string_equal(sigmix_table_get_meta(t, "ARROW:schema"), "/////base64");
    sigmix_table_free(&t);
}

/* `sigmix cat` parquet -> parquet keeps values, types and the footer keys. */
static void test_cat_keeps_types_and_metadata(void **state)
{
    (void)state;
    const char *bin = getenv("SIGMIX_BIN");
    if (!bin)
        skip();
    build_file(in_path);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "'%s' cat '%s' --output '%s'", bin, in_path, out_path);
    assert_int_equal(system(cmd), 0);
    sigmix_table *t;
    sigmix_error err = { 0, "" };
    assert_int_equal(sigmix_table_read(out_path, NULL, &t, &err), 0);
    check_values(t, 1);
    check_types(t);
    assert_string_equal(sigmix_table_get_meta(t, "pandas"), PANDAS);
    sigmix_table_free(&t);
    /* JSON Lines: valid text, no NUL bytes, exact unsigned values. */
    snprintf(out_path, sizeof out_path, "%s/out.jsonl", dir);
    snprintf(cmd, sizeof cmd, "'%s' cat '%s' --output '%s'", bin, in_path, out_path);
    assert_int_equal(system(cmd), 0);
    FILE *fp = fopen(out_path, "rb");
    assert_non_null(fp);
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = 0;
    assert_int_equal(strlen(buf), n);
    assert_non_null(strstr(buf, "\"u\":18446744073709551615,"));
    assert_non_null(strstr(buf, "\"scores\":[9.125,9.375,9.625]"));
    snprintf(out_path, sizeof out_path, "%s/out.parquet", dir);
}

/* The audit does not count pandas' index column (read_parquet makes it the index). */
static void test_audit_skips_pandas_index(void **state)
{
    (void)state;
    const char *bin = getenv("SIGMIX_BIN");
    if (!bin)
        skip();
    build_file(in_path);
    char cmd[512], json[160];
    snprintf(json, sizeof json, "%s/audit.json", dir);
    snprintf(cmd, sizeof cmd, "'%s' audit --input '%s' --target i8 --out-json '%s' 2>/dev/null",
             bin, in_path, json);
    assert_int_equal(system(cmd), 0);
    FILE *fp = fopen(json, "rb");
    assert_non_null(fp);
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = 0;
    assert_null(strstr(buf, "__index_level_0__"));
    assert_non_null(strstr(buf, "\"i8\""));
    assert_non_null(strstr(buf, "\"f\""));
}

/* The writer adds the caller's keys to the table's (saliency's path). */
static void test_writer_merges_metadata(void **state)
{
    (void)state;
    build_file(in_path);
    sigmix_table *t;
    sigmix_error err = { 0, "" };
    assert_int_equal(sigmix_table_read(in_path, NULL, &t, &err), 0);
    const char *kv[] = { "sigmix.version", "9.9", "ARROW:schema", "replaced", NULL, NULL };
    sigmix_write_options o;
    sigmix_write_options_default(&o);
    o.kv_metadata = kv;
    assert_int_equal(sigmix_table_write(t, out_path, &o, &err), 0);
    sigmix_table_free(&t);
    assert_int_equal(sigmix_table_read(out_path, NULL, &t, &err), 0);
    assert_int_equal(sigmix_table_meta_count(t), 3);
    assert_string_equal(sigmix_table_get_meta(t, "pandas"), PANDAS);
    assert_string_equal(sigmix_table_get_meta(t, "ARROW:schema"), "replaced");
    assert_string_equal(sigmix_table_get_meta(t, "sigmix.version"), "9.9");
    check_types(t);
    sigmix_table_free(&t);
}

/* An edited value that no longer fits the source type: the kind's own type. */
static void test_type_dropped_when_values_do_not_fit(void **state)
{
    (void)state;
    build_file(in_path);
    sigmix_table *t;
    sigmix_error err = { 0, "" };
    assert_int_equal(sigmix_table_read(in_path, NULL, &t, &err), 0);
    long fi = sigmix_table_find(t, "f"), ii = sigmix_table_find(t, "i8");
    sigmix_table_set_double(t, (size_t)fi, 1, 0.1);    /* not a float */
    sigmix_table_set_int64(t, (size_t)ii, 1, 1000);    /* not an INT8 */
    assert_int_equal(sigmix_table_write(t, out_path, NULL, &err), 0);
    sigmix_table_free(&t);
    assert_int_equal(sigmix_table_read(out_path, NULL, &t, &err), 0);
    assert_int_equal(col(t, "f")->pq.physical, 5);
    assert_true(col(t, "f")->f64[1] == 0.1);
    assert_int_equal(col(t, "i8")->pq.physical, 2);
    assert_int_equal(col(t, "i8")->i64[1], 1000);
    sigmix_table_free(&t);
}

/* One-column file of physical type `type` (INT64 or DOUBLE or BYTE_ARRAY). */
static void one_column_conv(const char *path, int type, int64_t seed, int conv);
static void one_column(const char *path, int type, int64_t seed)
{
    one_column_conv(path, type, seed, type == 6 ? 0 : -1);
}

static void one_column_conv(const char *path, int type, int64_t seed, int conv)
{
    uint8_t data[64];
    size_t len;
    if (type == 6) {
        uint32_t n = 3;
        memcpy(data, &n, 4);
        memcpy(data + 4, "abc", 3);
        len = 7;
    } else {
        int64_t i = seed;
        double d = (double)seed + 0.5;
        memcpy(data, type == 2 ? (const void *)&i : (const void *)&d, 8);
        len = 8;
    }
    pb_page pg = { .num_values = 1, .data = data, .len = len };
    pb_spec s = { .type = type, .converted = conv, .num_rows = 1, .pages = &pg,
                  .npages = 1 };
    uint8_t *p;
    size_t n = pb_build(&s, &p);
    assert_int_equal(pb_write(path, p, n), 0);
    free(p);
}

static void test_folder_mixed_types(void **state)
{
    (void)state;
    char sub[128], a[160], b[160];
    snprintf(sub, sizeof sub, "%s/ds", dir);
    mkdir(sub, 0755);
    snprintf(a, sizeof a, "%s/a.parquet", sub);
    snprintf(b, sizeof b, "%s/b.parquet", sub);
    one_column(a, 2, 7);
    one_column(b, 5, 2);
    sigmix_table *t;
    sigmix_error err = { 0, "" };
    assert_int_equal(sigmix_table_read(sub, NULL, &t, &err), 0);
    assert_int_equal(sigmix_table_col(t, 0)->kind, SIGMIX_KIND_DOUBLE);
    assert_true(sigmix_table_col(t, 0)->f64[0] == 7.0);
    assert_true(sigmix_table_col(t, 0)->f64[1] == 2.5);
    sigmix_table_free(&t);
    one_column(b, 6, 0);
    memset(&err, 0, sizeof err);
    assert_int_equal(sigmix_table_read(sub, NULL, &t, &err), SIGMIX_EFORMAT);
    assert_null(t);
    assert_string_equal(err.message,
                        "column 'x' is INT64 in a.parquet but BYTE_ARRAY in b.parquet "
                        "(file b.parquet)");
}

/* Binary (no text annotation) is shown as base64 and written back as the bytes. */
static void test_binary_stays_binary(void **state)
{
    (void)state;
    one_column_conv(in_path, 6, 0, -1);
    sigmix_table *t;
    sigmix_error err = { 0, "" };
    assert_int_equal(sigmix_table_read(in_path, NULL, &t, &err), 0);
    assert_string_equal(sigmix_table_col(t, 0)->str[0].ptr, "YWJj");
    assert_int_equal(sigmix_table_write(t, out_path, NULL, &err), 0);
    sigmix_table_free(&t);
    assert_int_equal(sigmix_table_read(out_path, NULL, &t, &err), 0);
    const sigmix_column *c = sigmix_table_col(t, 0);
    assert_int_equal(c->pq.physical, 6);
    assert_int_equal(c->pq.converted, -1);
    assert_int_equal(c->pq.logical, 0);
    assert_string_equal(c->str[0].ptr, "YWJj");
    sigmix_table_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pyarrow_layout_reads),
        cmocka_unit_test(test_cat_keeps_types_and_metadata),
        cmocka_unit_test(test_writer_merges_metadata),
        cmocka_unit_test(test_audit_skips_pandas_index),
        cmocka_unit_test(test_type_dropped_when_values_do_not_fit),
        cmocka_unit_test(test_folder_mixed_types),
        cmocka_unit_test(test_binary_stays_binary),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
