#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "sigmix/table.h"

static void test_add_find_resize(void **state)
{
    sigmix_table *t;
    size_t a, b;
    (void)state;
    assert_int_equal(sigmix_table_create(&t), 0);
    assert_int_equal(sigmix_table_add_column(t, "adm2", SIGMIX_KIND_DOUBLE, &a), 0);
    assert_int_equal(sigmix_table_add_column(t, "codec", SIGMIX_KIND_STRING, &b), 0);
    assert_int_equal(sigmix_table_add_column(t, "adm2", SIGMIX_KIND_DOUBLE, NULL), SIGMIX_EINVAL);
    assert_int_equal(sigmix_table_find(t, "codec"), 1);
    assert_int_equal(sigmix_table_find(t, "nope"), -1);
    for (size_t r = 0; r < 1000; r++) {
        assert_int_equal(sigmix_table_resize(t, r + 1), 0);
        if (r % 3)
            sigmix_table_set_double(t, a, r, (double)r);
        assert_int_equal(sigmix_table_set_string(t, b, r, "x264", 4), 0);
    }
    const sigmix_column *c = sigmix_table_col(t, a);
    assert_int_equal(c->valid[0], 0);
    assert_true(isnan(c->f64[0]));
    assert_int_equal(c->valid[1], 1);
    assert_true(c->f64[998] == 998.0);
    assert_string_equal(sigmix_table_col(t, b)->str[500].ptr, "x264");
    /* Many columns: the hash index must grow and keep every name. */
    for (int i = 0; i < 300; i++) {
        char name[32];
        snprintf(name, sizeof name, "col%d", i);
        assert_int_equal(sigmix_table_add_column(t, name, SIGMIX_KIND_INT64, NULL), 0);
    }
    assert_int_equal(sigmix_table_find(t, "col299"), 301);
    assert_int_equal(sigmix_table_cols(t), 302);
    assert_int_equal(sigmix_table_col(t, 301)->valid[999], 0);
    sigmix_table_free(&t);
    assert_null(t);
}

static void test_convert(void **state)
{
    sigmix_table *t;
    size_t i, s;
    (void)state;
    sigmix_table_create(&t);
    sigmix_table_resize(t, 4);
    sigmix_table_add_column(t, "n", SIGMIX_KIND_INT64, &i);
    sigmix_table_add_column(t, "s", SIGMIX_KIND_STRING, &s);
    sigmix_table_set_int64(t, i, 0, 9007199254740993LL);
    sigmix_table_set_int64(t, i, 2, -4);
    sigmix_table_set_string(t, s, 1, "a\"b", 3);
    assert_int_equal(sigmix_table_convert(t, i, SIGMIX_KIND_JSON), 0);
    const sigmix_column *c = sigmix_table_col(t, i);
    assert_int_equal(c->kind, SIGMIX_KIND_JSON);
    assert_string_equal(c->str[0].ptr, "9007199254740993");
    assert_null(c->str[1].ptr);
    assert_string_equal(c->str[2].ptr, "-4");
    assert_int_equal(sigmix_table_convert(t, s, SIGMIX_KIND_JSON), 0);
    assert_string_equal(sigmix_table_col(t, s)->str[1].ptr, "\"a\\\"b\"");
    assert_int_equal(sigmix_table_convert(t, s, SIGMIX_KIND_DOUBLE), SIGMIX_EINVAL);
    sigmix_table_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_find_resize),
        cmocka_unit_test(test_convert),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
