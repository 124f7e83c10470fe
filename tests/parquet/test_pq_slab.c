/*
 * Large reserves: the numeric arrays of a table reserved at its final size
 * share one huge-page slab (src/table/table.c, reserve_slab), which the
 * Parquet reader uses. Every later operation must treat those arrays as
 * ordinary ones: growing past the reserve moves them out with their values,
 * converting int64 to double or to text drops them without freeing slab
 * memory, and a Parquet write + read of such a table gives back the same
 * values. Run under ASan this proves no slab array is freed or realloc'd.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "sigmix/table.h"

enum { ROWS = 300000, NUM = 4 }; /* 4 x 300k x 17 B: over the 8 MiB slab minimum */

static double value(size_t c, size_t r)
{
    return (r % 97 == 13) ? NAN : (double)c * 1e6 + (double)r * 0.25;
}

/* d0..d3 double, i int64, s string; rows filled after one reserve. */
static sigmix_table *make(size_t rows)
{
    sigmix_table *t;
    assert_int_equal(sigmix_table_create(&t), 0);
    char name[8];
    for (size_t c = 0; c < NUM; c++) {
        snprintf(name, sizeof name, "d%zu", c);
        assert_int_equal(sigmix_table_add_column(t, name, SIGMIX_KIND_DOUBLE, NULL), 0);
    }
    assert_int_equal(sigmix_table_add_column(t, "i", SIGMIX_KIND_INT64, NULL), 0);
    assert_int_equal(sigmix_table_add_column(t, "s", SIGMIX_KIND_STRING, NULL), 0);
    assert_int_equal(sigmix_table_reserve(t, rows), 0);
    /* White box: the slab lays each numeric column's f64 then valid array
     * (64-byte aligned) back to back -- the tests below run on slab arrays. */
    size_t step = (rows * sizeof(double) + 63) / 64 * 64 + (rows + 63) / 64 * 64;
    assert_true((const char *)sigmix_table_col(t, 1)->f64 ==
                (const char *)sigmix_table_col(t, 0)->f64 + step);
    assert_int_equal(sigmix_table_resize(t, rows), 0);
    for (size_t r = 0; r < rows; r++) {
        /* Fresh rows are null, as without a slab. */
        assert_true(r % 4099 || (!sigmix_table_col(t, 0)->valid[r] &&
                                 isnan(sigmix_table_col(t, 0)->f64[r]) &&
                                 sigmix_table_col(t, NUM)->i64[r] == 0));
        for (size_t c = 0; c < NUM; c++)
            if (!isnan(value(c, r)))
                sigmix_table_set_double(t, c, r, value(c, r));
        if (r % 5)
            sigmix_table_set_int64(t, NUM, r, (int64_t)r * 3 - 7);
        if (r % 50000 == 0)
            assert_int_equal(sigmix_table_set_string(t, NUM + 1, r, "x", 1), 0);
    }
    return t;
}

static void check(const sigmix_table *t, size_t rows)
{
    for (size_t r = 0; r < rows; r++) {
        for (size_t c = 0; c < NUM; c++) {
            const sigmix_column *col = sigmix_table_col(t, c);
            double v = value(c, r);
            assert_int_equal(col->valid[r], !isnan(v));
            if (!isnan(v))
                assert_true(col->f64[r] == v);
            else
                assert_true(isnan(col->f64[r]));
        }
        const sigmix_column *ic = sigmix_table_col(t, NUM);
        assert_int_equal(ic->valid[r], r % 5 != 0);
        if (r % 5)
            assert_true(ic->f64[r] == (double)((int64_t)r * 3 - 7));
    }
}

/* Growing past the reserve keeps every value and nulls the new rows. */
static void test_grow_after_reserve(void **state)
{
    (void)state;
    sigmix_table *t = make(ROWS);
    check(t, ROWS);
    assert_int_equal(sigmix_table_resize(t, ROWS + 1000), 0);
    check(t, ROWS);
    for (size_t r = ROWS; r < ROWS + 1000; r++)
        for (size_t c = 0; c <= NUM; c++)
            assert_false(sigmix_table_col(t, c)->valid[r]);
    sigmix_table_set_double(t, 1, ROWS + 999, 42.0);
    assert_true(sigmix_table_col(t, 1)->f64[ROWS + 999] == 42.0);
    /* Shrinking and growing again within the new capacity. */
    assert_int_equal(sigmix_table_resize(t, 10), 0);
    assert_int_equal(sigmix_table_resize(t, ROWS), 0);
    assert_false(sigmix_table_col(t, 1)->valid[20]);
    sigmix_table_free(&t);
    assert_null(t);
}

/* A second, larger reserve grows the slab arrays (moves them out). */
static void test_second_reserve(void **state)
{
    (void)state;
    sigmix_table *t;
    assert_int_equal(sigmix_table_create(&t), 0);
    assert_int_equal(sigmix_table_add_column(t, "a", SIGMIX_KIND_DOUBLE, NULL), 0);
    assert_int_equal(sigmix_table_add_column(t, "b", SIGMIX_KIND_INT64, NULL), 0);
    assert_int_equal(sigmix_table_reserve(t, ROWS * 2), 0);
    assert_int_equal(sigmix_table_reserve(t, ROWS * 2 + 5000), 0);
    assert_int_equal(sigmix_table_resize(t, ROWS * 2 + 5000), 0);
    size_t last = ROWS * 2 + 4999;
    sigmix_table_set_double(t, 0, last, 2.5);
    sigmix_table_set_int64(t, 1, last, -9);
    assert_true(sigmix_table_col(t, 0)->f64[last] == 2.5);
    assert_int_equal(sigmix_table_col(t, 1)->i64[last], -9);
    /* Every other row of both columns is still null: nothing wrote past an array. */
    for (size_t r = 0; r < last; r++) {
        assert_false(sigmix_table_col(t, 0)->valid[r]);
        assert_false(sigmix_table_col(t, 1)->valid[r]);
        assert_true(isnan(sigmix_table_col(t, 0)->f64[r]));
        assert_int_equal(sigmix_table_col(t, 1)->i64[r], 0);
    }
    sigmix_table_free(&t);
}

/* Conversions drop slab arrays without freeing them (ASan would say). */
static void test_convert_slab_columns(void **state)
{
    (void)state;
    sigmix_table *t = make(ROWS);
    assert_int_equal(sigmix_table_convert(t, NUM, SIGMIX_KIND_DOUBLE), 0);
    assert_null(sigmix_table_col(t, NUM)->i64);
    assert_true(sigmix_table_col(t, NUM)->f64[7] == 14.0);
    assert_int_equal(sigmix_table_convert(t, 2, SIGMIX_KIND_STRING), 0);
    const sigmix_column *s = sigmix_table_col(t, 2);
    assert_null(s->f64);
    assert_int_equal(s->valid[13], 0);
    assert_string_equal(s->str[4].ptr, "2000001.0");
    /* The other slab columns are untouched. */
    assert_true(sigmix_table_col(t, 3)->f64[4] == value(3, 4));
    sigmix_table_free(&t);
}

/* A Parquet round trip of a slab-sized table: the reader's own reserve. */
static void test_parquet_round_trip(void **state)
{
    (void)state;
    char dir[] = "/tmp/sigmix-pqslab-XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/t.parquet", dir);
    sigmix_table *t = make(ROWS), *u = NULL;
    sigmix_error err = { 0, "" };
    assert_int_equal(sigmix_table_write(t, path, NULL, &err), 0);
    assert_int_equal(sigmix_table_read(path, NULL, &u, &err), 0);
    assert_int_equal(sigmix_table_rows(u), ROWS);
    check(u, ROWS);
    assert_int_equal(sigmix_table_col(u, NUM)->i64[6], 11);
    assert_int_equal(sigmix_table_resize(u, ROWS + 1), 0);
    check(u, ROWS);
    sigmix_table_free(&t);
    sigmix_table_free(&u);
    unlink(path);
    rmdir(dir);
}

/*
 * The reader leaves slab rows uninitialised and clears them on the
 * decoding threads (sigmix_table_reserve_uninit): rows of a column that a
 * folder's later file lacks, and a partition key's rows, have no decoding
 * job, and must still come out null / set -- not as the zeros of fresh
 * memory (a missing column's f64 would read 0.0).
 */
static void test_parquet_folder_uncovered(void **state)
{
    (void)state;
    char dir[] = "/tmp/sigmix-pqslab-XXXXXX", sub[96], path[128];
    assert_non_null(mkdtemp(dir));
    sigmix_table *a = make(ROWS), *b, *u = NULL;
    sigmix_error err = { 0, "" };
    snprintf(sub, sizeof sub, "%s/k=1", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    snprintf(path, sizeof path, "%s/a.parquet", sub);
    assert_int_equal(sigmix_table_write(a, path, NULL, &err), 0);
    /* The second file: d1 only, every row set. */
    assert_int_equal(sigmix_table_create(&b), 0);
    assert_int_equal(sigmix_table_add_column(b, "d1", SIGMIX_KIND_DOUBLE, NULL), 0);
    assert_int_equal(sigmix_table_resize(b, ROWS), 0);
    for (size_t r = 0; r < ROWS; r++)
        sigmix_table_set_double(b, 0, r, -(double)r);
    snprintf(sub, sizeof sub, "%s/k=2", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    snprintf(path, sizeof path, "%s/b.parquet", sub);
    assert_int_equal(sigmix_table_write(b, path, NULL, &err), 0);
    assert_int_equal(sigmix_table_read(dir, NULL, &u, &err), 0);
    assert_int_equal(sigmix_table_rows(u), 2 * ROWS);
    check(u, ROWS); /* the first file's rows, nulls included */
    long k = sigmix_table_find(u, "k"), d1 = sigmix_table_find(u, "d1");
    assert_true(k >= 0 && d1 >= 0);
    const sigmix_column *kc = sigmix_table_col(u, (size_t)k);
    for (size_t r = ROWS; r < 2 * ROWS; r++) {
        for (size_t c = 0; c <= NUM; c++) {
            const sigmix_column *col = sigmix_table_col(u, c);
            if ((long)c == d1)
                continue;
            assert_false(col->valid[r]);
            assert_true(isnan(col->f64[r]));
        }
        assert_int_equal(sigmix_table_col(u, NUM)->i64[r], 0);
        assert_true(sigmix_table_col(u, (size_t)d1)->f64[r] == -(double)(r - ROWS));
        assert_true(kc->valid[r] && kc->valid[r - ROWS]);
    }
    assert_int_equal(kc->kind, SIGMIX_KIND_STRING); /* hive keys are text */
    assert_string_equal(kc->str[0].ptr, "1");
    assert_string_equal(kc->str[2 * ROWS - 1].ptr, "2");
    sigmix_table_free(&a);
    sigmix_table_free(&b);
    sigmix_table_free(&u);
    unlink(path);
    snprintf(path, sizeof path, "%s/k=1/a.parquet", dir);
    unlink(path);
    rmdir(sub);
    snprintf(sub, sizeof sub, "%s/k=1", dir);
    rmdir(sub);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grow_after_reserve),
        cmocka_unit_test(test_second_reserve),
        cmocka_unit_test(test_convert_slab_columns),
        cmocka_unit_test(test_parquet_round_trip),
        cmocka_unit_test(test_parquet_folder_uncovered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
