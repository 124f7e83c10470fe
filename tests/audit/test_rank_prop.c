/*
 * Property test of the radix ranks (src/stats/rank.c) against a plain
 * comparison sort: qsort by value, then each group of equal values gets
 * the mean of its 1-based positions -- pandas' rank(method="average").
 * Equality is C's ==, so -0.0 and +0.0 tie and nothing else that differs
 * does; NaN stays NaN. int64 values compare as integers. Ranks must match
 * bit for bit on random data with ties, NaN, -0.0, infinities,
 * subnormals, clustered values with far outliers, a single distinct value,
 * and sizes around the implementation's thresholds.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "stats/stats.h"

typedef struct ref_item {
    double   v;
    int64_t  i;
    size_t   idx;
} ref_item;

static int cmp_double(const void *pa, const void *pb)
{
    const ref_item *a = pa, *b = pb;
    return a->v < b->v ? -1 : a->v > b->v;
}

static int cmp_int(const void *pa, const void *pb)
{
    const ref_item *a = pa, *b = pb;
    return a->i < b->i ? -1 : a->i > b->i;
}

/* The reference: comparison sort, then average positions of equal runs. */
static void ref_rank(const double *x, const int64_t *iv, const uint8_t *valid, size_t n,
                     double *ranks)
{
    ref_item *it = malloc((n + 1) * sizeof *it);
    size_t m = 0;
    for (size_t k = 0; k < n; k++) {
        ranks[k] = NAN;
        if (iv ? !valid[k] : isnan(x[k]))
            continue;
        it[m++] = (ref_item){ iv ? 0.0 : x[k], iv ? iv[k] : 0, k };
    }
    qsort(it, m, sizeof *it, iv ? cmp_int : cmp_double);
    for (size_t a = 0; a < m;) {
        size_t b = a + 1;
        while (b < m && (iv ? it[b].i == it[a].i : it[b].v == it[a].v))
            b++;
        double r = ((double)(a + 1) + (double)b) / 2.0;
        for (size_t k = a; k < b; k++)
            ranks[it[k].idx] = r;
        a = b;
    }
    free(it);
}

static uint64_t rng_state = 0x243F6A8885A308D3ull;

static uint64_t next(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static double unit(void)
{
    return (double)(next() >> 11) / 9007199254740992.0;
}

/* One value of shape s: mixes of everything the ranks must handle. */
static double draw(int s)
{
    uint64_t u = next() % 100;
    switch (s) {
    case 0: /* continuous, a few specials */
        if (u < 3) return NAN;
        if (u < 4) return -0.0;
        if (u < 5) return 0.0;
        if (u < 6) return INFINITY;
        if (u < 7) return -INFINITY;
        return unit() * 2.0 - 1.0;
    case 1: /* heavy ties: small integers and their negations */
        if (u < 5) return NAN;
        return (double)((int)(next() % 9) - 4) * (u < 50 ? 1.0 : -1.0);
    case 2: /* clustered with far outliers: one bucket holds nearly all */
        if (u < 2) return 1e300 * (u ? 1 : -1);
        if (u < 3) return 5e-324;
        return 1000.0 + unit() * 1e-9;
    case 3: /* one distinct value (and its other zero) */
        return u < 50 ? 0.0 : -0.0;
    case 4: { /* random bit patterns: every exponent, subnormals, NaN payloads */
        uint64_t b = next();
        double d;
        memcpy(&d, &b, sizeof d);
        return d;
    }
    default: /* adjacent doubles around 1 */
        return nextafter(1.0, (u & 1) ? 2.0 : 0.0) + (double)(u % 3) * 2.220446049250313e-16;
    }
}

static void compare(const double *want, const double *got, size_t n, const char *what,
                    size_t size, int shape)
{
    for (size_t k = 0; k < n; k++) {
        int same = isnan(want[k]) ? isnan(got[k]) : want[k] == got[k];
        if (!same)
            fail_msg("%s n=%zu shape=%d row %zu: rank %.17g, reference %.17g", what, size,
                     shape, k, got[k], want[k]);
    }
}

static const size_t sizes[] = { 0, 1, 2, 3, 7, 31, 32, 33, 47, 48, 49, 63, 64, 65, 255, 256, 257,
                                1000, 4096, 65537, 150001 };

static void test_doubles_match_comparison_sort(void **state)
{
    (void)state;
    size_t nmax = 150001;
    double *x = malloc(nmax * sizeof *x), *want = malloc(nmax * sizeof *want),
           *got = malloc(nmax * sizeof *got);
    sigmix_rank_scratch *rs = sigmix_rank_scratch_new(nmax);
    assert_non_null(rs);
    for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++) {
        for (int shape = 0; shape < 7; shape++) {
            size_t n = sizes[si];
            for (size_t k = 0; k < n; k++) /* shape 6: a mix of all the others */
                x[k] = draw(shape < 6 ? shape : (int)(next() % 6));
            ref_rank(x, NULL, NULL, n, want);
            sigmix_rank_average(x, n, got, rs);
            compare(want, got, n, "double", n, shape);
        }
    }
    sigmix_rank_scratch_free(rs);
    free(x);
    free(want);
    free(got);
}

static void test_int64_match_comparison_sort(void **state)
{
    (void)state;
    size_t nmax = 150001;
    int64_t *v = malloc(nmax * sizeof *v);
    uint8_t *valid = malloc(nmax);
    double *want = malloc(nmax * sizeof *want), *got = malloc(nmax * sizeof *got);
    sigmix_rank_scratch *rs = sigmix_rank_scratch_new(nmax);
    assert_non_null(rs);
    for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++) {
        for (int shape = 0; shape < 4; shape++) {
            size_t n = sizes[si];
            for (size_t k = 0; k < n; k++) {
                uint64_t b = next();
                valid[k] = b % 17 != 0;
                v[k] = shape == 0   ? (int64_t)b                              /* full range */
                     : shape == 1   ? (int64_t)(b % 7) - 3                    /* ties */
                     : shape == 2   ? (INT64_C(1) << 53) + (int64_t)(b % 5)   /* share doubles */
                                    : (b % 50 ? 12345 : (b & 1 ? INT64_MIN : INT64_MAX));
            }
            ref_rank(NULL, v, valid, n, want);
            sigmix_rank_average_i64(v, valid, n, got, rs);
            compare(want, got, n, "int64", n, shape);
        }
    }
    sigmix_rank_scratch_free(rs);
    free(v);
    free(valid);
    free(want);
    free(got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_doubles_match_comparison_sort),
        cmocka_unit_test(test_int64_match_comparison_sort),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
