/*
 * Test tables shared by the Parquet writer tests (cmocka asserts inside).
 * Include after <cmocka.h>.
 */
#ifndef PQW_TESTDATA_H
#define PQW_TESTDATA_H

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sigmix/table.h"

static inline size_t add(sigmix_table *t, const char *name, sigmix_kind k)
{
    size_t i;
    assert_int_equal(sigmix_table_add_column(t, name, k, &i), 0);
    return i;
}

static inline void set_str(sigmix_table *t, size_t c, size_t r, const char *s)
{
    assert_int_equal(sigmix_table_set_string(t, c, r, s, strlen(s)), 0);
}

/* A table with every kind, nulls, non-finite doubles, extremes, unicode. */
static inline sigmix_table *mixed_table(size_t rows)
{
    sigmix_table *t;
    assert_int_equal(sigmix_table_create(&t), 0);
    size_t d = add(t, "d", SIGMIX_KIND_DOUBLE), i = add(t, "i", SIGMIX_KIND_INT64);
    size_t b = add(t, "b", SIGMIX_KIND_BOOL), s = add(t, "s", SIGMIX_KIND_STRING);
    size_t j = add(t, "j", SIGMIX_KIND_JSON), u = add(t, "u", SIGMIX_KIND_STRING);
    size_t dr = add(t, "dr", SIGMIX_KIND_DOUBLE);
    assert_int_equal(sigmix_table_resize(t, rows), 0);
    static const double special[] = { NAN, INFINITY, -INFINITY, -0.0, 0.0, 1e308, -5e-324 };
    static const char *const words[] = { "", "héllo ✓", "cat", "dog", "日本語" };
    for (size_t r = 0; r < rows; r++) {
        char buf[64];
        if (r % 7 != 3)
            sigmix_table_set_double(t, d, r, r < 7 ? special[r] : (double)r * 0.25 - 3);
        if (r % 5 != 4)
            sigmix_table_set_int64(t, i, r, r == 0 ? INT64_MIN : r == 1 ? INT64_MAX
                                            : (int64_t)r * -1000003);
        if (r % 3 != 2)
            sigmix_table_set_bool(t, b, r, (r / 3) & 1);
        if (r % 6 != 5)
            set_str(t, s, r, words[r % 5]);
        snprintf(buf, sizeof buf, "{\"k\":%zu,\"v\":[1,2]}", r);
        set_str(t, j, r, buf);
        snprintf(buf, sizeof buf, "u%zu-%zu", r * 7919 % 1000003, r);
        set_str(t, u, r, buf);
        sigmix_table_set_double(t, dr, r, sin((double)r));
    }
    return t;
}

#endif
