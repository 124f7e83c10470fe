/*
 * sigmix -> Parquet -> sigmix: what the writer writes, the reader
 * (src/table/parquet) gives back: names, order, kinds, nulls and every
 * value (doubles bit-exact, NaN and infinities included). Exits 77 while
 * the Parquet reader is still a placeholder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "testdata.h"

static char dir[] = "/tmp/sigmix-pqrt-XXXXXX";

static sigmix_table *roundtrip(const sigmix_table *t, const sigmix_write_options *o,
                               const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    sigmix_error err = { 0 };
    int r = sigmix_table_write(t, path, o, &err);
    if (r)
        fail_msg("write %s: %s", name, err.message);
    sigmix_table *back = NULL;
    r = sigmix_table_read(path, NULL, &back, &err);
    if (r)
        fail_msg("read %s: %s", name, err.message);
    unlink(path);
    return back;
}

static void assert_same(const sigmix_table *a, const sigmix_table *b)
{
    assert_int_equal(sigmix_table_rows(a), sigmix_table_rows(b));
    assert_int_equal(sigmix_table_cols(a), sigmix_table_cols(b));
    for (size_t c = 0; c < sigmix_table_cols(a); c++) {
        const sigmix_column *x = sigmix_table_col(a, c), *y = sigmix_table_col(b, c);
        assert_string_equal(x->name, y->name);
        /* The reader loads Parquet JSON columns as text: same bytes. */
        if (x->kind == SIGMIX_KIND_JSON)
            assert_true(y->kind == SIGMIX_KIND_JSON || y->kind == SIGMIX_KIND_STRING);
        else
            assert_int_equal(x->kind, y->kind);
        assert_int_equal(x->flags & SIGMIX_COLF_UNSIGNED, y->flags & SIGMIX_COLF_UNSIGNED);
        for (size_t r = 0; r < sigmix_table_rows(a); r++) {
            if (x->valid[r] != y->valid[r])
                fail_msg("column %s row %zu: validity %d vs %d", x->name, r, x->valid[r], y->valid[r]);
            if (!x->valid[r])
                continue;
            if (x->kind == SIGMIX_KIND_DOUBLE)
                assert_memory_equal(&x->f64[r], &y->f64[r], 8);
            else if (x->kind == SIGMIX_KIND_INT64)
                assert_true(x->i64[r] == y->i64[r]);
            else if (x->kind == SIGMIX_KIND_BOOL)
                assert_true(x->f64[r] == y->f64[r]);
            else {
                assert_int_equal(x->str[r].len, y->str[r].len);
                if (x->str[r].len)
                    assert_memory_equal(x->str[r].ptr, y->str[r].ptr, x->str[r].len);
            }
        }
    }
}

static void test_every_codec(void **state)
{
    (void)state;
    static const sigmix_compression codecs[] = { SIGMIX_COMPRESSION_DEFAULT,
        SIGMIX_COMPRESSION_NONE, SIGMIX_COMPRESSION_ZSTD, SIGMIX_COMPRESSION_GZIP };
    sigmix_table *t = mixed_table(2000);
    for (size_t k = 0; k < 4; k++) {
        sigmix_write_options o;
        sigmix_write_options_default(&o);
        o.compression = codecs[k];
        sigmix_table *back = roundtrip(t, &o, "codec.parquet");
        assert_same(t, back);
        sigmix_table_free(&back);
    }
    sigmix_table_free(&t);
}

static void test_many_row_groups_and_empty(void **state)
{
    (void)state;
    sigmix_write_options o;
    sigmix_write_options_default(&o);
    o.row_group_rows = 13;
    sigmix_table *t = mixed_table(500), *back = roundtrip(t, &o, "groups.parquet");
    assert_same(t, back);
    sigmix_table_free(&back);
    sigmix_table_free(&t);
    t = mixed_table(0);
    back = roundtrip(t, NULL, "empty.parquet");
    assert_same(t, back);
    sigmix_table_free(&back);
    sigmix_table_free(&t);
}

static void test_pages_dictionary_unsigned(void **state)
{
    (void)state;
    sigmix_table *t;
    size_t rows = 250000;
    assert_int_equal(sigmix_table_create(&t), 0);
    size_t x = add(t, "x", SIGMIX_KIND_DOUBLE), k = add(t, "k", SIGMIX_KIND_INT64);
    size_t s = add(t, "s", SIGMIX_KIND_STRING), u = add(t, "u", SIGMIX_KIND_INT64);
    size_t b = add(t, "b", SIGMIX_KIND_BOOL);
    assert_int_equal(sigmix_table_resize(t, rows), 0);
    sigmix_table_col_mut(t, u)->flags = SIGMIX_COLF_UNSIGNED;
    for (size_t r = 0; r < rows; r++) {
        char buf[32];
        sigmix_table_set_double(t, x, r, r % 1000 == 7 ? NAN : (double)r / 7);
        if (r % 3)
            sigmix_table_set_int64(t, k, r, (int64_t)(r % 500) - 250);
        snprintf(buf, sizeof buf, "level-%zu", (r / 999) % 23);
        set_str(t, s, r, buf);
        sigmix_table_set_int64(t, u, r, (int64_t)r * 36028797018963ll);
        sigmix_table_set_bool(t, b, r, (int)((r / 5) & 1));
    }
    sigmix_table *back = roundtrip(t, NULL, "pages.parquet");
    assert_same(t, back);
    sigmix_table_free(&back);
    sigmix_table_free(&t);
}

/* The shared 3000 x 58 feature table (JSONL ground truth), every codec. */
static void test_shared_feature_table(void **state)
{
    (void)state;
    const char *shared = getenv("SIGMIX_SHARED");
    char path[1024];
    snprintf(path, sizeof path, "%s/parquet-writers/feat.jsonl", shared ? shared : "../shared");
    if (access(path, R_OK))
        skip();
    sigmix_table *t = NULL;
    sigmix_error err = { 0 };
    if (sigmix_table_read(path, NULL, &t, &err))
        fail_msg("read %s: %s", path, err.message);
    assert_int_equal(sigmix_table_rows(t), 3000);
    assert_int_equal(sigmix_table_cols(t), 58);
    static const sigmix_compression codecs[] = { SIGMIX_COMPRESSION_SNAPPY,
        SIGMIX_COMPRESSION_ZSTD, SIGMIX_COMPRESSION_GZIP, SIGMIX_COMPRESSION_NONE };
    for (size_t k = 0; k < 4; k++) {
        sigmix_write_options o;
        sigmix_write_options_default(&o);
        o.compression = codecs[k];
        o.row_group_rows = k == 3 ? 500 : 0;
        sigmix_table *back = roundtrip(t, &o, "feat.parquet");
        assert_same(t, back);
        sigmix_table_free(&back);
    }
    sigmix_table_free(&t);
}

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_codec),
        cmocka_unit_test(test_many_row_groups_and_empty),
        cmocka_unit_test(test_pages_dictionary_unsigned),
        cmocka_unit_test(test_shared_feature_table),
    };
    int r = cmocka_run_group_tests(tests, NULL, NULL);
    rmdir(dir);
    return r;
}
