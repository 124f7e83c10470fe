/*
 * Average-linkage clustering (src/stats/cluster.c): leaf orders worked out
 * by hand, a case where single linkage would order differently, ties,
 * NaN distances and the trivial sizes.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "stats/cluster.h"

/* Distances |x_i - x_j| of points on a line. */
static void line_dist(const double *x, size_t m, double *d)
{
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < m; j++)
            d[i * m + j] = fabs(x[i] - x[j]);
}

static void check(const double *x, size_t m, const size_t *want)
{
    double d[64];
    size_t order[8];
    line_dist(x, m, d);
    assert_int_equal(sigmix_cluster_average_order(d, m, 1.0, order), 0);
    for (size_t i = 0; i < m; i++)
        assert_int_equal(order[i], want[i]);
}

/* (0,1) and (2,3) tie at 1: the pair with the lower index merges first.
 * Point 4 (5.2) then averages 4.7 to {0,1} and 5.3 to {2,3}. */
static void hand_worked(void **state)
{
    (void)state;
    const double x[] = { 0, 1, 10, 11, 5.2 };
    const size_t want[] = { 0, 1, 4, 2, 3 };
    check(x, 5, want);
}

/* Point 3 (5.4) is 4.4 from the nearest member of {0,1} but 4.9 from it on
 * average, and 4.6 from point 2: average linkage pairs it with 2, single
 * linkage would put it next to 1 (order 0 1 3 2). */
static void average_not_single(void **state)
{
    (void)state;
    const double x[] = { 0, 1, 10, 5.4 };
    const size_t want[] = { 0, 1, 2, 3 };
    check(x, 4, want);
}

/* Similar items end up adjacent whatever the input order. */
static void groups_adjacent(void **state)
{
    (void)state;
    const double x[] = { 0, 100, 0.5, 100.5, 1 };
    const size_t want[] = { 0, 2, 4, 1, 3 };
    check(x, 5, want);
}

/* NaN counts as nan_dist: with nan_dist 0 the NaN pair merges first. */
static void nan_distance(void **state)
{
    (void)state;
    double d[9] = { 0, 0.5, 0.6, 0.5, 0, NAN, 0.6, NAN, 0 };
    size_t order[3];
    assert_int_equal(sigmix_cluster_average_order(d, 3, 1.0, order), 0);
    assert_int_equal(order[0], 0);
    assert_int_equal(order[1], 1);
    assert_int_equal(order[2], 2);
    assert_int_equal(sigmix_cluster_average_order(d, 3, 0.0, order), 0);
    assert_int_equal(order[0], 0); /* {1,2} merges, then joins 0 (slot 0 first) */
    assert_int_equal(order[1], 1);
    assert_int_equal(order[2], 2);
}

static void trivial_sizes(void **state)
{
    (void)state;
    size_t order[2] = { 9, 9 };
    double d[4] = { 0, 1, 1, 0 };
    assert_int_equal(sigmix_cluster_average_order(d, 0, 1.0, order), 0);
    assert_int_equal(sigmix_cluster_average_order(d, 2, 1.0, order), 0);
    assert_int_equal(order[0], 0);
    assert_int_equal(order[1], 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hand_worked),      cmocka_unit_test(average_not_single),
        cmocka_unit_test(groups_adjacent),  cmocka_unit_test(nan_distance),
        cmocka_unit_test(trivial_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
