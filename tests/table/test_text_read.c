/*
 * Text readers: typing rules per format (the same content as JSON Lines,
 * JSON and CSV gives the same kinds and values), key union, NaN/Infinity,
 * int64 exactness, gzip/zstd input, projection, multi-batch merging.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tt_util.h"

static const char *TYPING_JSONL =
    "{\"i\": 1, \"d\": 1.5, \"mix\": 2, \"b\": true, \"s\": \"x\", \"n\": null, \"bn\": true, \"j\": \"a\"}\n"
    "{\"i\": 2, \"d\": 2, \"mix\": 2.5, \"b\": false, \"s\": \"y\", \"n\": null, \"bn\": 3, \"j\": 4}\n"
    "{\"i\": -3, \"d\": NaN, \"mix\": null, \"b\": null, \"s\": null, \"n\": null, \"bn\": null, \"j\": null}\n";

static const char *TYPING_CSV =
    "i,d,mix,b,s,n,bn,j\n"
    "1,1.5,2,true,x,,true,a\n"
    "2,2,2.5,false,y,,3,4\n"
    "-3,NaN,,,,,,\n";

/* CSV keeps a column of numbers mixed with text as STRING, each field's
 * own text; JSON makes it JSON text. */
static int typing_csv;

static void check_typing_table(const sigmix_table *t)
{
    assert_non_null(t);
    assert_int_equal(sigmix_table_rows(t), 3);
    assert_int_equal(sigmix_table_cols(t), 8);
    static const char *names[] = { "i", "d", "mix", "b", "s", "n", "bn", "j" };
    const sigmix_kind kinds[] = { SIGMIX_KIND_INT64, SIGMIX_KIND_DOUBLE, SIGMIX_KIND_DOUBLE,
        SIGMIX_KIND_BOOL, SIGMIX_KIND_STRING, SIGMIX_KIND_DOUBLE, SIGMIX_KIND_DOUBLE,
        typing_csv ? SIGMIX_KIND_STRING : SIGMIX_KIND_JSON };
    for (int k = 0; k < 8; k++) {
        assert_string_equal(sigmix_table_col(t, (size_t)k)->name, names[k]);
        assert_int_equal(sigmix_table_col(t, (size_t)k)->kind, kinds[k]);
    }
    const sigmix_column *c = tt_col(t, "i");
    assert_true(c->i64[0] == 1 && c->i64[1] == 2 && c->i64[2] == -3);
    assert_true(c->f64[2] == -3.0);
    c = tt_col(t, "d");
    assert_true(c->f64[0] == 1.5 && c->f64[1] == 2.0);
    assert_int_equal(c->valid[2], 1); /* NaN is a present value */
    assert_true(isnan(c->f64[2]));
    c = tt_col(t, "mix");
    assert_true(c->f64[0] == 2.0 && c->f64[1] == 2.5);
    assert_int_equal(c->valid[2], 0);
    c = tt_col(t, "b");
    assert_true(c->f64[0] == 1.0 && c->f64[1] == 0.0);
    assert_int_equal(c->valid[2], 0);
    c = tt_col(t, "s");
    assert_string_equal(c->str[0].ptr, "x");
    assert_string_equal(c->str[1].ptr, "y");
    assert_int_equal(c->valid[2], 0);
    c = tt_col(t, "n");
    for (int r = 0; r < 3; r++)
        assert_int_equal(c->valid[r], 0);
    c = tt_col(t, "bn");
    assert_true(c->f64[0] == 1.0 && c->f64[1] == 3.0);
    c = tt_col(t, "j");
    assert_string_equal(c->str[0].ptr, typing_csv ? "a" : "\"a\"");
    assert_string_equal(c->str[1].ptr, "4");
    assert_int_equal(c->valid[2], 0);
}

static char *wrap_json(const char *jsonl, const char *pre, const char *post)
{
    size_t n = strlen(jsonl);
    char *out = malloc(n * 2 + strlen(pre) + strlen(post) + 8);
    strcpy(out, pre);
    const char *p = jsonl;
    int first = 1;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t k = nl ? (size_t)(nl - p) : strlen(p);
        if (k) {
            if (!first)
                strcat(out, ",\n");
            strncat(out, p, k);
            first = 0;
        }
        p += k + (nl != NULL);
    }
    strcat(out, post);
    return out;
}

static void test_typing_same_across_formats(void **state)
{
    sigmix_error err;
    (void)state;
    sigmix_table *t = tt_read(tt_write_str("typing.jsonl", TYPING_JSONL), NULL, &err);
    check_typing_table(t);
    sigmix_table_free(&t);
    char *list = wrap_json(TYPING_JSONL, "[", "]");
    t = tt_read(tt_write_str("typing.json", list), NULL, &err);
    check_typing_table(t);
    sigmix_table_free(&t);
    char *rows = wrap_json(TYPING_JSONL, " {\"meta\": {\"x\": [1, \"]\"]}, \"rows\": [", "], \"n\": 3}\n");
    t = tt_read(tt_write_str("typing_rows.json", rows), NULL, &err);
    check_typing_table(t);
    sigmix_table_free(&t);
    typing_csv = 1;
    t = tt_read(tt_write_str("typing.csv", TYPING_CSV), NULL, &err);
    check_typing_table(t);
    typing_csv = 0;
    sigmix_table_free(&t);
    free(list);
    free(rows);
}

static void test_key_union_missing(void **state)
{
    sigmix_error err;
    (void)state;
    sigmix_table *t = tt_read(tt_write_str("union.ndjson",
        "{\"a\": 1}\n\n  \n{\"b\": 2, \"a\": 3}\r\n{\"c\": \"x\", \"a\": 4}\n"), NULL, &err);
    assert_non_null(t);
    assert_int_equal(sigmix_table_rows(t), 3);
    assert_int_equal(sigmix_table_cols(t), 3);
    assert_string_equal(sigmix_table_col(t, 0)->name, "a");
    assert_string_equal(sigmix_table_col(t, 1)->name, "b");
    assert_string_equal(sigmix_table_col(t, 2)->name, "c");
    const sigmix_column *b = tt_col(t, "b"), *c = tt_col(t, "c");
    assert_int_equal(b->valid[0], 0);
    assert_int_equal(b->valid[1], 1);
    assert_int_equal(b->valid[2], 0);
    assert_int_equal(c->kind, SIGMIX_KIND_STRING);
    assert_int_equal(c->valid[0] + c->valid[1], 0);
    assert_true(tt_col(t, "a")->i64[2] == 4);
    sigmix_table_free(&t);
}

/* Escaped keys name the same column as their plain spelling. */
static void test_escaped_keys(void **state)
{
    sigmix_error err;
    (void)state;
    sigmix_table *t = tt_read(tt_write_str("keys.jsonl",
        "{\"ab\": 1, \"a\\\\b\": 2, \"q\\\"\": 3}\n"
        "{\"a\\u0062\": 4, \"a\\\\b\": 5, \"q\\\"\": 6}\n"
        "{\"a\\\\b\": 7, \"ab\": 8}\n"), NULL, &err);
    assert_non_null(t);
    assert_int_equal(sigmix_table_cols(t), 3);
    assert_string_equal(sigmix_table_col(t, 1)->name, "a\\b");
    assert_string_equal(sigmix_table_col(t, 2)->name, "q\"");
    const sigmix_column *ab = tt_col(t, "ab"), *bs = tt_col(t, "a\\b");
    assert_true(ab->i64[0] == 1 && ab->i64[1] == 4 && ab->i64[2] == 8);
    assert_true(bs->i64[0] == 2 && bs->i64[1] == 5 && bs->i64[2] == 7);
    assert_true(tt_col(t, "q\"")->i64[1] == 6);
    sigmix_table_free(&t);
}

static void test_nan_infinity(void **state)
{
    sigmix_error err;
    (void)state;
    sigmix_table *t = tt_read(tt_write_str("nan.jsonl",
        "{\"x\": NaN, \"s\": \"NaN\", \"j\": [NaN, -Infinity, {\"k\": Infinity}]}\n"
        "{\"x\": Infinity , \"s\": \"Infinity\"}\n{\"x\":-Infinity}\n{\"x\": 1}\n"), NULL, &err);
    assert_non_null(t);
    const sigmix_column *x = tt_col(t, "x");
    assert_int_equal(x->kind, SIGMIX_KIND_DOUBLE);
    for (int r = 0; r < 4; r++)
        assert_int_equal(x->valid[r], 1);
    assert_true(isnan(x->f64[0]));
    assert_true(isinf(x->f64[1]) && x->f64[1] > 0);
    assert_true(isinf(x->f64[2]) && x->f64[2] < 0);
    assert_true(x->f64[3] == 1.0);
    assert_int_equal(tt_col(t, "s")->kind, SIGMIX_KIND_STRING);
    assert_string_equal(tt_col(t, "s")->str[0].ptr, "NaN");
    assert_string_equal(tt_col(t, "j")->str[0].ptr, "[NaN,-Infinity,{\"k\":Infinity}]");
    sigmix_table_free(&t);
    /* CSV spellings */
    t = tt_read(tt_write_str("nan.csv", "x\nnan\ninf\n-Infinity\n+inf\nNAN\n2\n"), NULL, &err);
    assert_non_null(t);
    x = tt_col(t, "x");
    assert_int_equal(x->kind, SIGMIX_KIND_DOUBLE);
    assert_true(isnan(x->f64[0]) && x->valid[0]);
    assert_true(x->f64[1] > 0 && isinf(x->f64[1]));
    assert_true(x->f64[2] < 0 && isinf(x->f64[2]));
    assert_true(x->f64[3] > 0 && isinf(x->f64[3]));
    assert_true(isnan(x->f64[4]));
    sigmix_table_free(&t);
}

static void test_int64_exact(void **state)
{
    sigmix_error err;
    (void)state;
    const char *jl = "{\"a\": 9007199254740993, \"b\": 9223372036854775807, \"c\": 1}\n"
                     "{\"a\": -9223372036854775808, \"b\": 1, \"c\": 9223372036854775808}\n";
    const char *csv = "a,b,c\n9007199254740993,9223372036854775807,1\n"
                      "-9223372036854775808,1,9223372036854775808\n";
    const char *paths[2] = { tt_write_str("int.jsonl", jl), tt_write_str("int.csv", csv) };
    for (int k = 0; k < 2; k++) {
        sigmix_table *t = tt_read(paths[k], NULL, &err);
        assert_non_null(t);
        const sigmix_column *a = tt_col(t, "a"), *b = tt_col(t, "b"), *c = tt_col(t, "c");
        assert_int_equal(a->kind, SIGMIX_KIND_INT64);
        assert_true(a->i64[0] == 9007199254740993LL);
        assert_true(a->i64[1] == INT64_MIN);
        assert_true(b->i64[0] == INT64_MAX);
        /* beyond int64: the column is DOUBLE, value correctly rounded */
        assert_int_equal(c->kind, SIGMIX_KIND_DOUBLE);
        assert_true(c->f64[1] == 9223372036854775808.0);
        sigmix_table_free(&t);
    }
    /* correctly rounded doubles */
    sigmix_table *t = tt_read(tt_write_str("round.jsonl",
        "{\"x\": 0.1}\n{\"x\": 2.2250738585072011e-308}\n{\"x\": 9007199254740993.0}\n{\"x\": 1e400}\n"),
        NULL, &err);
    /* 1e400 is valid JSON whose correctly rounded value is +inf */
    assert_non_null(t);
    assert_true(isinf(tt_col(t, "x")->f64[3]) && tt_col(t, "x")->f64[3] > 0);
    sigmix_table_free(&t);
    t = tt_read(tt_write_str("round2.jsonl",
        "{\"x\": 0.1}\n{\"x\": 2.2250738585072011e-308}\n{\"x\": 9007199254740993.0}\n"), NULL, &err);
    assert_non_null(t);
    assert_true(tt_col(t, "x")->f64[0] == 0.1);
    assert_true(tt_col(t, "x")->f64[1] == 2.2250738585072011e-308);
    assert_true(tt_col(t, "x")->f64[2] == 9007199254740992.0);
    sigmix_table_free(&t);
}

static void test_compressed(void **state)
{
    sigmix_error err;
    (void)state;
    unsigned char *gz = NULL, *zs = NULL;
    size_t half = strlen(TYPING_JSONL) / 2;
    while (TYPING_JSONL[half - 1] != '\n')
        half--;
    /* two gzip members, split between rows */
    size_t n = tt_gzip_append(&gz, 0, TYPING_JSONL, half);
    n = tt_gzip_append(&gz, n, TYPING_JSONL + half, strlen(TYPING_JSONL) - half);
    sigmix_table *t = tt_read(tt_write("typing.jsonl.gz", gz, n), NULL, &err);
    check_typing_table(t);
    sigmix_table_free(&t);
    /* gzip magic wins over the name */
    t = tt_read(tt_write("gz_named_plain.jsonl", gz, n), NULL, &err);
    check_typing_table(t);
    sigmix_table_free(&t);
    typing_csv = 1;
    n = tt_zstd(&zs, TYPING_CSV, strlen(TYPING_CSV));
    t = tt_read(tt_write("typing.csv.zst", zs, n), NULL, &err);
    check_typing_table(t);
    sigmix_table_free(&t);
    free(gz);
    free(zs);
    gz = NULL;
    n = tt_gzip_append(&gz, 0, TYPING_CSV, strlen(TYPING_CSV));
    t = tt_read(tt_write("typing.csv.gz", gz, n), NULL, &err);
    check_typing_table(t);
    typing_csv = 0;
    sigmix_table_free(&t);
    free(gz);
}

static void test_projection(void **state)
{
    sigmix_error err;
    sigmix_read_options o;
    const char *want[] = { "bn", "s", "absent" };
    (void)state;
    sigmix_read_options_default(&o);
    o.columns = want;
    o.ncolumns = 3;
    const char *paths[] = { tt_write_str("proj.jsonl", TYPING_JSONL), tt_write_str("proj.csv", TYPING_CSV) };
    for (int k = 0; k < 2; k++) {
        sigmix_table *t = tt_read(paths[k], &o, &err);
        assert_non_null(t);
        assert_int_equal(sigmix_table_cols(t), 2);
        assert_string_equal(sigmix_table_col(t, 0)->name, "s"); /* file order */
        assert_string_equal(sigmix_table_col(t, 1)->name, "bn");
        assert_int_equal(sigmix_table_rows(t), 3);
        assert_true(tt_col(t, "bn")->f64[1] == 3.0);
        sigmix_table_free(&t);
    }
}

/* Enough rows for several batches and both threads; kinds change late. */
static void test_many_batches(void **state)
{
    sigmix_error err;
    sigmix_read_options o;
    (void)state;
    size_t rows = 40000, cap = rows * 200, n = 0;
    char *buf = malloc(cap);
    for (size_t r = 0; r < rows; r++) {
        n += (size_t)snprintf(buf + n, cap - n, "{\"id\": %zu, \"pad\": \"%0100zu\"", r, r);
        if (r >= 33000)
            n += (size_t)snprintf(buf + n, cap - n, ", \"late\": %zu", r);
        n += (size_t)snprintf(buf + n, cap - n, ", \"nullfirst\": %s", r < 26000 ? "null" : "7");
        n += (size_t)snprintf(buf + n, cap - n, ", \"todouble\": %s", r == 37000 ? "0.5" : "1");
        n += (size_t)snprintf(buf + n, cap - n, ", \"tojson\": %s}\n", r == 39999 ? "\"s\"" : "2");
    }
    const char *p = tt_write("batches.jsonl", buf, n);
    sigmix_read_options_default(&o);
    o.threads = 2;
    sigmix_table *t = tt_read(p, &o, &err);
    assert_non_null(t);
    assert_int_equal(sigmix_table_rows(t), rows);
    const sigmix_column *id = tt_col(t, "id"), *late = tt_col(t, "late");
    for (size_t r = 0; r < rows; r++)
        assert_true(id->i64[r] == (int64_t)r);
    assert_int_equal(sigmix_table_col(t, 2)->name[0], 'n'); /* nullfirst before late */
    assert_int_equal(late->kind, SIGMIX_KIND_INT64);
    assert_int_equal(late->valid[32999], 0);
    assert_true(late->i64[33000] == 33000);
    assert_int_equal(tt_col(t, "nullfirst")->kind, SIGMIX_KIND_INT64);
    assert_int_equal(tt_col(t, "nullfirst")->valid[25999], 0);
    assert_true(tt_col(t, "nullfirst")->i64[26000] == 7);
    assert_int_equal(tt_col(t, "todouble")->kind, SIGMIX_KIND_DOUBLE);
    assert_true(tt_col(t, "todouble")->f64[37000] == 0.5);
    assert_int_equal(tt_col(t, "tojson")->kind, SIGMIX_KIND_JSON);
    assert_string_equal(tt_col(t, "tojson")->str[0].ptr, "2");
    assert_string_equal(tt_col(t, "tojson")->str[39999].ptr, "\"s\"");
    assert_string_equal(tt_col(t, "pad")->str[12345].ptr, "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000012345");
    sigmix_table_free(&t);
    /* the same rows as one JSON list */
    char *list = malloc(n + rows * 2 + 8);
    size_t m = 0;
    list[m++] = '[';
    for (size_t i = 0; i < n; i++)
        if (buf[i] == '\n') {
            if (i + 1 < n)
                list[m++] = ',';
        } else {
            list[m++] = buf[i];
        }
    list[m++] = ']';
    t = tt_read(tt_write("batches.json", list, m), &o, &err);
    assert_non_null(t);
    assert_int_equal(sigmix_table_rows(t), rows);
    assert_true(tt_col(t, "late")->i64[39999] == 39999);
    assert_int_equal(tt_col(t, "tojson")->kind, SIGMIX_KIND_JSON);
    sigmix_table_free(&t);
    free(list);
    free(buf);
}

static int warnings;
static void count_warn(void *cookie, const char *msg)
{
    (void)cookie;
    printf("warning: %s\n", msg);
    warnings++;
}

static void test_csv_details(void **state)
{
    sigmix_error err;
    sigmix_read_options o;
    (void)state;
    sigmix_read_options_default(&o);
    o.warn = count_warn;
    warnings = 0;
    sigmix_table *t = tt_read(tt_write_str("hdr.csv",
        "\xEF\xBB\xBF" "a,,a, b ,a.1\r\n1,2,3,4,5\r\n\"x,\"\"y\"\"\nz\",\"\",1e3,.5,-0\r\n"), &o, &err);
    assert_non_null(t);
    assert_int_equal(warnings, 3);
    static const char *names[] = { "a", "column_2", "a.1", " b ", "a.1.1" };
    for (int k = 0; k < 5; k++)
        assert_string_equal(sigmix_table_col(t, (size_t)k)->name, names[k]);
    /* an int and a string: text, each field as it was */
    assert_int_equal(tt_col(t, "a")->kind, SIGMIX_KIND_STRING);
    assert_string_equal(tt_col(t, "a")->str[0].ptr, "1");
    assert_string_equal(tt_col(t, "a")->str[1].ptr, "x,\"y\"\nz");
    /* a quoted empty field is an empty string, not null */
    assert_int_equal(tt_col(t, "column_2")->kind, SIGMIX_KIND_STRING);
    assert_string_equal(tt_col(t, "column_2")->str[1].ptr, "");
    assert_int_equal(tt_col(t, "a.1")->kind, SIGMIX_KIND_DOUBLE);
    assert_true(tt_col(t, "a.1")->f64[1] == 1000.0);
    assert_true(tt_col(t, " b ")->f64[1] == 0.5); /* header blanks kept, as pandas */
    assert_int_equal(tt_col(t, "a.1.1")->kind, SIGMIX_KIND_INT64);
    sigmix_table_free(&t);
    /* header only: columns, no rows */
    t = tt_read(tt_write_str("hdronly.csv", "x,y\n"), NULL, &err);
    assert_non_null(t);
    assert_int_equal(sigmix_table_rows(t), 0);
    assert_int_equal(sigmix_table_cols(t), 2);
    assert_int_equal(tt_col(t, "x")->kind, SIGMIX_KIND_DOUBLE);
    sigmix_table_free(&t);
}

static void test_json_shapes(void **state)
{
    sigmix_error err;
    (void)state;
    sigmix_table *t = tt_read(tt_write_str("empty_list.json", " [ ] "), NULL, &err);
    assert_non_null(t);
    assert_int_equal(sigmix_table_rows(t), 0);
    assert_int_equal(sigmix_table_cols(t), 0);
    sigmix_table_free(&t);
    t = tt_read(tt_write_str("rows_last.json", "{\"v\": NaN, \"w\": [Infinity], \"s\": \"rows\", \"rows\": [{\"a\": {\"b\": [1, 2]}}]}"),
                NULL, &err);
    assert_non_null(t);
    assert_int_equal(tt_col(t, "a")->kind, SIGMIX_KIND_JSON);
    assert_string_equal(tt_col(t, "a")->str[0].ptr, "{\"b\":[1,2]}");
    sigmix_table_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_typing_same_across_formats),
        cmocka_unit_test(test_key_union_missing),
        cmocka_unit_test(test_escaped_keys),
        cmocka_unit_test(test_nan_infinity),
        cmocka_unit_test(test_int64_exact),
        cmocka_unit_test(test_compressed),
        cmocka_unit_test(test_projection),
        cmocka_unit_test(test_many_batches),
        cmocka_unit_test(test_csv_details),
        cmocka_unit_test(test_json_shapes),
    };
    tt_setup_dir();
    int r = cmocka_run_group_tests(tests, NULL, NULL);
    tt_cleanup_dir();
    return r;
}
