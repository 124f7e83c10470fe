/*
 * The error contract of include/sigmix/common.h, tested through the public
 * headers and libsigmix.so only (this program sees include/ alone):
 * a reused sigmix_error carries the new call's failure, a missing file has
 * one code and wording for every reader, NULL and out-of-range arguments
 * give SIGMIX_EINVAL instead of a crash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "sigmix/sigmix.h"

#define MISSING "cannot open: No such file or directory"

static const char *scratch(const char *name, char *buf, size_t n)
{
    const char *dir = getenv("TMPDIR");
    snprintf(buf, n, "%s/sigmix_contract_%ld_%s", dir ? dir : "/tmp", (long)getpid(),
             name);
    return buf;
}

static void test_version(void **state)
{
    (void)state;
    assert_int_equal(sigmix_version_api() >> 16, SIGMIX_API_VERSION_MAJOR);
    assert_int_equal(sigmix_version_api(), SIGMIX_API_VERSION);
    char want[32];
    snprintf(want, sizeof want, "%d.%d.%d", SIGMIX_API_VERSION_MAJOR, SIGMIX_API_VERSION_MINOR,
             SIGMIX_API_VERSION_PATCH);
    assert_string_equal(sigmix_version(), want);
}

/* Every reader: the same code and message for a path that does not exist. */
static void test_missing_file_same_everywhere(void **state)
{
    (void)state;
    const char *exts[] = { "jsonl", "ndjson", "json", "csv", "parquet", "pq", "jsonl.gz",
                           "csv.zst" };
    for (size_t i = 0; i < sizeof exts / sizeof *exts; i++) {
        char path[64];
        snprintf(path, sizeof path, "/nonexistent-sigmix/t.%s", exts[i]);
        sigmix_table *t = (sigmix_table *)1;
        sigmix_error err = { 0, "" };
        int rc = sigmix_table_read(path, NULL, &t, &err);
        assert_int_equal(rc, SIGMIX_ENOTFOUND);
        assert_int_equal(err.code, SIGMIX_ENOTFOUND);
        assert_string_equal(err.message, MISSING);
        assert_null(t);
    }
    sigmix_audit *a = NULL;
    sigmix_error err = { 0, "" };
    assert_int_equal(sigmix_audit_open(&a, NULL, &err), 0);
    assert_int_equal(sigmix_audit_add_file(a, NULL, "/nonexistent-sigmix/t.parquet", &err),
                     SIGMIX_ENOTFOUND);
    assert_string_equal(err.message, MISSING);
    sigmix_audit_close(&a);
}

/* A reused error struct reports the latest call, and success clears it. */
static void test_reused_error(void **state)
{
    (void)state;
    char bbuf[4096], gbuf[4096];
    const char *bad = scratch("bad.jsonl", bbuf, sizeof bbuf);
    FILE *f = fopen(bad, "w");
    assert_non_null(f);
    fputs("{\"a\": 1}\n{\"a\": \n", f);
    fclose(f);
    const char *good = scratch("good.jsonl", gbuf, sizeof gbuf);
    f = fopen(good, "w");
    assert_non_null(f);
    fputs("{\"a\": 1}\n{\"a\": 2}\n", f);
    fclose(f);

    sigmix_error err = { 0, "" };
    sigmix_table *t = NULL;
    assert_int_equal(sigmix_table_read("/nonexistent-sigmix/x.jsonl", NULL, &t, &err),
                     SIGMIX_ENOTFOUND);
    int rc = sigmix_table_read(bad, NULL, &t, &err);
    assert_true(rc < 0 && rc != SIGMIX_ENOTFOUND);
    assert_int_equal(err.code, rc);
    assert_null(strstr(err.message, "cannot open"));
    assert_non_null(strstr(err.message, "line 2"));
    assert_int_equal(sigmix_table_read(good, NULL, &t, &err), 0);
    assert_int_equal(err.code, 0);
    assert_string_equal(err.message, "");
    assert_int_equal(sigmix_table_rows(t), 2);
    sigmix_table_free(&t);
    remove(bad);
    remove(good);
}

static void test_null_and_range(void **state)
{
    (void)state;
    sigmix_error err = { 0, "" };
    sigmix_table *t = NULL;
    assert_int_equal(sigmix_table_create(NULL), SIGMIX_EINVAL);
    assert_int_equal(sigmix_table_read(NULL, NULL, &t, &err), SIGMIX_EINVAL);
    assert_string_equal(err.message, "no path given");
    assert_int_equal(sigmix_table_read("x.jsonl", NULL, NULL, &err), SIGMIX_EINVAL);
    assert_int_equal(sigmix_table_write(NULL, "x.jsonl", NULL, &err), SIGMIX_EINVAL);
    assert_int_equal(sigmix_table_add_column(NULL, "a", SIGMIX_KIND_DOUBLE, NULL), SIGMIX_EINVAL);
    assert_int_equal(sigmix_table_rows(NULL), 0);
    assert_int_equal(sigmix_table_cols(NULL), 0);
    assert_null(sigmix_table_col(NULL, 0));
    assert_int_equal(sigmix_table_find(NULL, "a"), -1);

    assert_int_equal(sigmix_table_create(&t), 0);
    assert_int_equal(sigmix_table_add_column(t, NULL, SIGMIX_KIND_DOUBLE, NULL), SIGMIX_EINVAL);
    size_t d, s;
    assert_int_equal(sigmix_table_add_column(t, "d", SIGMIX_KIND_DOUBLE, &d), 0);
    assert_int_equal(sigmix_table_add_column(t, "s", SIGMIX_KIND_STRING, &s), 0);
    assert_int_equal(sigmix_table_resize(t, 2), 0);
    assert_null(sigmix_table_col(t, 2));
    assert_int_equal(sigmix_table_convert(t, 2, SIGMIX_KIND_STRING), SIGMIX_EINVAL);
    assert_int_equal(sigmix_table_set_string(t, 2, 0, "x", 1), SIGMIX_EINVAL);
    assert_int_equal(sigmix_table_set_string(t, s, 2, "x", 1), SIGMIX_EINVAL);
    assert_int_equal(sigmix_table_set_string(t, d, 0, "x", 1), SIGMIX_EINVAL); /* kind */
    /* Out of range or wrong kind: nothing written, nothing crashes. */
    sigmix_table_set_double(t, d, 5, 1.0);
    sigmix_table_set_double(t, 9, 0, 1.0);
    sigmix_table_set_double(t, s, 0, 1.0);
    sigmix_table_set_int64(t, s, 0, 1);
    sigmix_table_set_null(t, d, 7);
    assert_int_equal(sigmix_table_col(t, d)->valid[0], 0);
    assert_int_equal(sigmix_table_col(t, s)->valid[0], 0);
    sigmix_table_set_double(t, d, 1, 2.5);
    assert_true(sigmix_table_col(t, d)->f64[1] == 2.5);

    sigmix_table *sel = (sigmix_table *)1;
    size_t cols[] = { 0, 3 };
    assert_int_equal(sigmix_table_select(t, cols, 2, 2, &sel), SIGMIX_EINVAL);
    assert_null(sel);
    assert_int_equal(sigmix_table_select(NULL, cols, 1, 2, &sel), SIGMIX_EINVAL);
    assert_int_equal(sigmix_table_select(t, cols, 1, 2, NULL), SIGMIX_EINVAL);
    sigmix_table_free(&t);
    assert_null(t);
}

/* What the library allocates for the caller goes back through sigmix_free. */
static void test_sigmix_free(void **state)
{
    (void)state;
    char *label = sigmix_audit_default_label("dir/clips.features.jsonl");
    assert_non_null(label);
    assert_string_equal(label, "clips.features");
    sigmix_free(label);
    sigmix_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version),
        cmocka_unit_test(test_missing_file_same_everywhere),
        cmocka_unit_test(test_reused_error),
        cmocka_unit_test(test_null_and_range),
        cmocka_unit_test(test_sigmix_free),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
