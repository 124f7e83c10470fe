/* sigmix_table_select: order, row limit, copies that outlive the source. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sigmix/table.h"

static sigmix_table *source(void)
{
    sigmix_table *t;
    assert_int_equal(sigmix_table_create(&t), 0);
    assert_int_equal(sigmix_table_add_column(t, "d", SIGMIX_KIND_DOUBLE, NULL), 0);
    assert_int_equal(sigmix_table_add_column(t, "i", SIGMIX_KIND_INT64, NULL), 0);
    assert_int_equal(sigmix_table_add_column(t, "s", SIGMIX_KIND_STRING, NULL), 0);
    assert_int_equal(sigmix_table_add_column(t, "j", SIGMIX_KIND_JSON, NULL), 0);
    assert_int_equal(sigmix_table_add_column(t, "b", SIGMIX_KIND_BOOL, NULL), 0);
    assert_int_equal(sigmix_table_resize(t, 5), 0);
    sigmix_table_col_mut(t, 2)->flags = SIGMIX_COLF_TEMPORAL;
    for (size_t r = 0; r < 5; r++) {
        char buf[16];
        snprintf(buf, sizeof buf, "s%zu", r);
        if (r != 1)
            sigmix_table_set_double(t, 0, r, r == 3 ? NAN : (double)r / 2);
        sigmix_table_set_int64(t, 1, r, r == 4 ? INT64_MIN : (int64_t)r);
        if (r != 2)
            assert_int_equal(sigmix_table_set_string(t, 2, r, buf, strlen(buf)), 0);
        assert_int_equal(sigmix_table_set_string(t, 3, r, "[1]", 3), 0);
        sigmix_table_set_bool(t, 4, r, (int)(r & 1));
    }
    return t;
}

static void test_reorder_and_head(void **state)
{
    (void)state;
    sigmix_table *src = source(), *out;
    size_t cols[] = { 2, 0, 1 };
    assert_int_equal(sigmix_table_select(src, cols, 3, 4, &out), 0);
    sigmix_table_free(&src);          /* the copy owns its strings */
    assert_int_equal(sigmix_table_rows(out), 4);
    assert_int_equal(sigmix_table_cols(out), 3);
    const sigmix_column *s = sigmix_table_col(out, 0), *d = sigmix_table_col(out, 1);
    const sigmix_column *i = sigmix_table_col(out, 2);
    assert_string_equal(s->name, "s");
    assert_int_equal(s->kind, SIGMIX_KIND_STRING);
    assert_int_equal(s->flags, SIGMIX_COLF_TEMPORAL);
    assert_int_equal(s->valid[2], 0);
    assert_int_equal(s->str[3].len, 2);
    assert_memory_equal(s->str[3].ptr, "s3", 2);
    assert_string_equal(d->name, "d");
    assert_int_equal(d->valid[1], 0);
    assert_true(isnan(d->f64[3]) && d->valid[3]);
    assert_true(d->f64[2] == 1.0);
    assert_int_equal(i->i64[3], 3);
    assert_int_equal(sigmix_table_find(out, "i"), 2);
    assert_int_equal(sigmix_table_find(out, "j"), -1);
    sigmix_table_free(&out);
}

static void test_all_rows_and_errors(void **state)
{
    (void)state;
    sigmix_table *src = source(), *out = (sigmix_table *)1;
    size_t cols[] = { 4, 3 };
    assert_int_equal(sigmix_table_select(src, cols, 2, SIZE_MAX, &out), 0);
    assert_int_equal(sigmix_table_rows(out), 5);
    assert_true(sigmix_table_col(out, 0)->f64[1] == 1.0);
    assert_int_equal(sigmix_table_col(out, 1)->kind, SIGMIX_KIND_JSON);
    sigmix_table_free(&out);
    assert_int_equal(sigmix_table_select(src, cols, 0, 0, &out), 0);
    assert_int_equal(sigmix_table_rows(out), 0);
    assert_int_equal(sigmix_table_cols(out), 0);
    sigmix_table_free(&out);
    size_t bad[] = { 1, 9 }, dup[] = { 1, 1 };
    assert_int_equal(sigmix_table_select(src, bad, 2, 1, &out), SIGMIX_EINVAL);
    assert_null(out);
    assert_int_equal(sigmix_table_select(src, dup, 2, 1, &out), SIGMIX_EINVAL);
    assert_null(out);
    sigmix_table_free(&src);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reorder_and_head),
        cmocka_unit_test(test_all_rows_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
