/*
 * Statistics: numpy-order sums, column stats, Pearson/Spearman edge cases,
 * and the BLAS Pearson matrix against the per-pair reference on random data.
 * Expected constants marked "numpy" were computed with numpy 1.24 / pandas 1.5.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sigmix/common.h"
#include "stats/stats.h"

/* cmocka 1.1 has no double assertion. */
#define assert_double_equal(a, b, tol) assert_near_impl((a), (b), (tol), #a, __LINE__)
static void assert_near_impl(double a, double b, double tol, const char *what, int line)
{
    if (!(fabs(a - b) <= tol))
        fail_msg("line %d: %s = %.17g, expected %.17g", line, what, a, b);
}

static void test_pairwise_sum_matches_numpy(void **state)
{
    (void)state;
    double v[1000];
    for (int i = 0; i < 1000; i++)
        v[i] = 0.1;
    assert_true(sigmix_pairwise_sum(v, 10) == 1.0);                  /* numpy */
    assert_true(sigmix_pairwise_sum(v, 1000) == 100.00000000000001); /* numpy */
    assert_true(sigmix_pairwise_sum(v, 0) == 0.0);
    for (int i = 0; i < 1000; i++)
        v[i] = (double)i;
    assert_true(sigmix_pairwise_sum(v, 1000) == 499500.0);
}

static void test_constant_column_std_like_numpy(void **state)
{
    (void)state;
    double *v = malloc(1000 * sizeof *v), *scratch = malloc(1000 * sizeof *scratch);
    sigmix_colstats st;
    for (int i = 0; i < 1000; i++)
        v[i] = 1702.3197118584496;
    sigmix_column_stats(v, 1000, scratch, &st);
    /* numpy: the mean is off by rounding and the std is pure noise, but it is
     * that noise which decides the flat rule. */
    assert_true(st.mean == 1702.3197118584499);
    assert_true(st.std == 2.2737367544323206e-13);
    for (int i = 0; i < 777; i++)
        v[i] = 0.3;
    sigmix_column_stats(v, 777, scratch, &st);
    assert_true(st.std == 5.551115123125783e-17); /* numpy */
    free(v);
    free(scratch);
}

static void test_column_stats_edges(void **state)
{
    (void)state;
    double scratch[8];
    sigmix_colstats st;
    double v[] = { 0.5, 1.25, NAN, 7.0, -3.5, INFINITY, 2.0 };
    sigmix_column_stats(v, 7, scratch, &st);
    assert_int_equal(st.n_finite, 5);
    assert_double_equal(st.finite_ratio, 5.0 / 7.0, 0);
    assert_true(st.mean == 1.45);               /* numpy */
    assert_true(st.std == 3.3630343441600474);  /* numpy */
    assert_true(st.min == -3.5 && st.max == 7.0);
    double nulls[] = { NAN, NAN, -INFINITY };
    sigmix_column_stats(nulls, 3, scratch, &st);
    assert_int_equal(st.n_finite, 0);
    assert_true(st.finite_ratio == 0.0);
    assert_true(isnan(st.mean) && isnan(st.std) && isnan(st.min) && isnan(st.max));
    sigmix_column_stats(nulls, 0, scratch, &st);
    assert_true(st.finite_ratio == 0.0 && isnan(st.mean));
}

static void test_pearson_edges(void **state)
{
    (void)state;
    double s[32];
    double x[] = { 1, 2, 3, 4, 5 }, y[] = { 2, 4, 6, 8, 10 }, ny[] = { -1, -2, -3, -4, -5 };
    assert_double_equal(sigmix_pearson_ref(x, y, 5, s), 1.0, 1e-15);
    assert_double_equal(sigmix_pearson_ref(x, ny, 5, s), -1.0, 1e-15);
    /* Fewer than 3 pairwise-complete rows: null. */
    double g[] = { 1, NAN, INFINITY, 4, -INFINITY };
    assert_true(isnan(sigmix_pearson_ref(x, g, 5, s)));
    assert_true(isnan(sigmix_pearson_ref(x, y, 2, s)));
    assert_true(isnan(sigmix_pearson_ref(x, y, 0, s)));
    /* Flat on the pairwise subset (not on the whole column): null. */
    double f[] = { 7, 7, 7, NAN, 9 };
    double h[] = { 1, 2, 3, 4, NAN };
    assert_true(isnan(sigmix_pearson_ref(f, h, 5, s)));
    /* Tiny spread: std 1e-13 is "flat". */
    double t[] = { 1e-13, -1e-13, 1e-13, -1e-13, 0 };
    assert_true(isnan(sigmix_pearson_ref(t, x, 5, s)));
    /* numpy: rows with inf are dropped for Pearson. */
    double a[] = { 3.0, 1.0, INFINITY, 2.0, NAN, -INFINITY, 2.0, -0.0, 0.0 };
    double b[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
    assert_double_equal(sigmix_pearson_ref(a, b, 9, s), -0.7147829162043507, 1e-15);
}

static void test_ranks_and_spearman(void **state)
{
    (void)state;
    double a[] = { 3.0, 1.0, INFINITY, 2.0, NAN, -INFINITY, 2.0, -0.0, 0.0 };
    double b[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
    double want[] = { 7.0, 4.0, 8.0, 5.5, NAN, 1.0, 5.5, 2.5, 2.5 }; /* pandas */
    double ra[9], rb[9], s[32];
    sigmix_rank_scratch *rs = sigmix_rank_scratch_new(9);
    assert_non_null(rs);
    sigmix_rank_average(a, 9, ra, rs);
    for (int i = 0; i < 9; i++) {
        if (isnan(want[i]))
            assert_true(isnan(ra[i]));
        else
            assert_true(ra[i] == want[i]);
    }
    sigmix_rank_average(b, 9, rb, rs);
    /* pandas: inf values are ranked and take part in Spearman. */
    assert_double_equal(sigmix_pearson_ref(ra, rb, 9, s), -0.6451822708364094, 1e-15);
    double allnan[] = { NAN, NAN, NAN };
    sigmix_rank_average(allnan, 3, ra, rs);
    assert_true(isnan(ra[0]) && isnan(ra[2]));
    sigmix_rank_scratch_free(rs);
}

static void test_rank_large_with_ties(void **state)
{
    (void)state;
    enum { N = 5000 };
    double *x = malloc(N * sizeof *x), *r = malloc(N * sizeof *r);
    sigmix_rank_scratch *rs = sigmix_rank_scratch_new(N);
    uint64_t seed = 12345;
    for (int i = 0; i < N; i++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        x[i] = (double)((int)(seed >> 33) % 200) - 100.0; /* many ties, negatives */
    }
    sigmix_rank_average(x, N, r, rs);
    /* Check each rank against its definition: count below + (count equal + 1) / 2. */
    for (int i = 0; i < N; i += 37) {
        double below = 0, equal = 0;
        for (int j = 0; j < N; j++) {
            below += x[j] < x[i];
            equal += x[j] == x[i];
        }
        assert_true(r[i] == below + (equal + 1) / 2);
    }
    sigmix_rank_scratch_free(rs);
    free(x);
    free(r);
}

static uint64_t rng_state;
static double urand(void)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(rng_state >> 11) / 9007199254740992.0;
}

/* Random columns exercising every path of the fast matrix. */
static double **make_columns(size_t p, size_t n)
{
    double **c = malloc(p * sizeof *c);
    for (size_t j = 0; j < p; j++) {
        c[j] = malloc((n ? n : 1) * sizeof **c);
        int kind = (int)(j % 9);
        for (size_t i = 0; i < n; i++) {
            double base = urand() * 2 - 1 + (j % 3 ? c[0][i] * 0.5 : 0);
            double v = base;
            switch (kind) {
            case 1: v = urand() < 0.3 ? NAN : base; break;                 /* gaps */
            case 2: v = 1702.3197118584496; break;                         /* flat */
            case 3: v = urand() < 0.5 ? NAN : 1702.3197118584496; break;   /* flat + gaps */
            case 4: v = urand() < 0.1 ? (urand() < 0.5 ? INFINITY : -INFINITY) : base * 1e6; break;
            case 5: v = base * 1e-13; break;                               /* below the flat rule */
            case 6: v = urand() < 0.9 ? NAN : base; break;                 /* NaN-heavy */
            case 7: /* gaps that select rows far from the column mean */
                v = urand() < 0.5 ? 1e5 + base * 1e-3 : (urand() < 0.7 ? NAN : -1e5 + base);
                break;
            case 8: v = (double)(int)(base * 3); break;                    /* ties */
            default: break;
            }
            c[j][i] = v;
        }
    }
    return c;
}

static void compare_matrix(size_t p, size_t n)
{
    double **c = make_columns(p, n);
    double *fast = malloc(p * p * sizeof *fast), *ref = malloc(p * p * sizeof *ref);
    assert_int_equal(sigmix_pearson_matrix_fast((const double *const *)c, p, n, NULL, fast), 0);
    assert_int_equal(sigmix_pearson_matrix_ref((const double *const *)c, p, n, ref), 0);
    for (size_t i = 0; i < p; i++) {
        for (size_t j = i + 1; j < p; j++) {
            double f = fast[i * p + j], r = ref[i * p + j];
            if (isnan(r)) {
                if (!isnan(f))
                    fail_msg("p=%zu n=%zu pair %zu,%zu: fast %.17g, reference null", p, n, i, j, f);
            } else if (isnan(f) || fabs(f - r) > 1e-9) {
                fail_msg("p=%zu n=%zu pair %zu,%zu: fast %.17g, reference %.17g", p, n, i, j, f, r);
            }
        }
    }
    for (size_t j = 0; j < p; j++)
        free(c[j]);
    free(c);
    free(fast);
    free(ref);
}

static void test_matrix_matches_reference(void **state)
{
    (void)state;
    rng_state = 42;
    size_t ns[] = { 0, 1, 2, 3, 4, 5, 17, 1023, 1024, 1025, 3000 };
    for (size_t k = 0; k < sizeof ns / sizeof *ns; k++)
        compare_matrix(27, ns[k]);
    compare_matrix(1, 100);
    compare_matrix(2, 100);
}

/* Issue: v and -v formed one tie group whenever nothing lay between them. */
static void test_ranks_do_not_join_v_and_minus_v(void **state)
{
    (void)state;
    double mos[] = { 1, 2, 3, 4, 5 }, x[] = { -1, 1, -1, 1, 1 };
    double rm[5], rx[5], s[16];
    sigmix_rank_scratch *rs = sigmix_rank_scratch_new(5);
    sigmix_rank_average(x, 5, rx, rs);
    double want[] = { 1.5, 4, 1.5, 4, 4 }; /* pandas */
    for (int i = 0; i < 5; i++)
        assert_true(rx[i] == want[i]);
    sigmix_rank_average(mos, 5, rm, rs);
    assert_double_equal(sigmix_pearson_ref(rx, rm, 5, s), 0.5773502691896258, 1e-15); /* pandas */
    double z[] = { 2.5, -2.5, 0.0, -0.0, -2.5, 0.0 };
    double wz[] = { 6, 1.5, 4, 4, 1.5, 4 };
    double rz[6];
    sigmix_rank_scratch *r6 = sigmix_rank_scratch_new(6);
    sigmix_rank_average(z, 6, rz, r6);
    for (int i = 0; i < 6; i++)
        assert_true(rz[i] == wz[i]);
    sigmix_rank_scratch_free(rs);
    sigmix_rank_scratch_free(r6);
}

/* Integers above 2^53 share doubles but must rank apart, as pandas ranks int64. */
static void test_rank_int64_exact(void **state)
{
    (void)state;
    const int64_t big = (int64_t)1 << 53;
    int64_t v[] = { big + 1, big, INT64_MIN, 0, big + 1, INT64_MAX, -5, 77 };
    uint8_t valid[] = { 1, 1, 1, 1, 1, 1, 1, 0 };
    double want[] = { 5.5, 4, 1, 3, 5.5, 7, 2, NAN };
    double r[8];
    sigmix_rank_scratch *rs = sigmix_rank_scratch_new(8);
    sigmix_rank_average_i64(v, valid, 8, r, rs);
    for (int i = 0; i < 7; i++)
        if (r[i] != want[i])
            fail_msg("rank %d = %g, expected %g", i, r[i], want[i]);
    assert_true(isnan(r[7]));
    sigmix_rank_scratch_free(rs);
}

/* One rounding in the denominator: exactly collinear columns give exactly 1. */
static void test_collinear_is_exactly_one(void **state)
{
    (void)state;
    double s[64];
    double mos[] = { 1, 2, 3, 4, 5 }, y[] = { 2, 4, 6, 8, 10 }, ny[] = { -2, -4, -6, -8, -10 };
    assert_true(sigmix_pearson_ref(mos, y, 5, s) == 1.0);   /* was 0.9999999999999999 */
    assert_true(sigmix_pearson_ref(mos, ny, 5, s) == -1.0);
    double x[23], d[23];
    for (int i = 0; i < 23; i++)
        x[i] = d[i] = sin(i * 1.7) * 1e3 + 0.1 * i;
    assert_true(sigmix_pearson_ref(x, d, 23, s) == 1.0);
    /* Overflowing sxx * syy falls back to two roots instead of NaN. */
    double h[] = { 1e100, -1e100, 3e100, 0 }, h2[] = { 2e100, -2e100, 6e100, 0 };
    assert_double_equal(sigmix_pearson_ref(h, h2, 4, s), 1.0, 1e-15);
}

/* Every path that yields a reported r gives the reference's value to the bit. */
static void test_exact_paths_bit_identical(void **state)
{
    (void)state;
    rng_state = 7;
    enum { P = 14, NR = 2000 };
    double **c = make_columns(P, NR);
    /* Badly conditioned: a 1e9 offset with a 3e-4 spread. */
    for (size_t i = 0; i < NR; i++) {
        c[9][i] = 1e9 + 3e-4 * urand();
        c[10][i] = c[9][i] + 1e-5 * urand();
    }
    sigmix_colstats st[P];
    double *scratch = malloc(2 * NR * sizeof *scratch);
    for (size_t j = 0; j < P; j++)
        sigmix_column_stats(c[j], NR, scratch, &st[j]);
    double *m = malloc(P * P * sizeof *m), *ref = malloc(P * P * sizeof *ref);
    assert_int_equal(sigmix_pearson_matrix((const double *const *)c, P, NR, st, m), 0);
    assert_int_equal(sigmix_pearson_matrix_ref((const double *const *)c, P, NR, ref), 0);
    for (size_t i = 0; i < P; i++) {
        for (size_t j = i + 1; j < P; j++) {
            double e = sigmix_pearson_pair(c[i], &st[i], c[j], &st[j], NR, scratch);
            if (memcmp(&e, &ref[i * P + j], sizeof e) || memcmp(&m[i * P + j], &e, sizeof e))
                fail_msg("pair %zu,%zu: pair %.17g matrix %.17g reference %.17g", i, j, e,
                         m[i * P + j], ref[i * P + j]);
        }
    }
    for (size_t j = 0; j < P; j++)
        free(c[j]);
    free(c);
    free(m);
    free(ref);
    free(scratch);
}

/* p random columns of n rows (make_columns) with their statistics. */
typedef struct colset {
    double          **c;
    sigmix_colstats  *st;
} colset;

static colset colset_make(size_t p, size_t n)
{
    colset s = { make_columns(p, n), malloc(p * sizeof(sigmix_colstats)) };
    double *scratch = malloc(2 * (n ? n : 1) * sizeof *scratch);
    for (size_t j = 0; j < p; j++)
        sigmix_column_stats(s.c[j], n, scratch, &s.st[j]);
    free(scratch);
    return s;
}

static void colset_free(colset *s, size_t p)
{
    for (size_t j = 0; j < p; j++)
        free(s->c[j]);
    free(s->c);
    free(s->st);
}

typedef struct strip_check {
    size_t       p, next_row, rows_seen;
    const double *want;
} strip_check;

static int on_strip(void *cookie, size_t i0, size_t bi, const double *r)
{
    strip_check *k = cookie;
    assert_int_equal(i0, k->next_row); /* strips in row order */
    assert_true(bi >= 1 && bi <= sigmix_pearson_strip_rows(k->p));
    for (size_t i = i0; i < i0 + bi; i++) {
        for (size_t j = i + 1; j < k->p; j++) {
            double got = r[(i - i0) * k->p + j], want = k->want[i * k->p + j];
            if (isnan(want) ? !isnan(got) : !(fabs(got - want) <= 1e-9))
                fail_msg("p=%zu pair %zu,%zu: strip %.17g, reference %.17g", k->p, i, j, got, want);
        }
    }
    k->next_row = i0 + bi;
    k->rows_seen += bi;
    return 0;
}

/* Strips across several column blocks screen like the reference. */
static void test_strips_cover_every_pair(void **state)
{
    (void)state;
    rng_state = 99;
    size_t ps[] = { 2, 300, 600 }, ns[] = { 40, 40, 9 };
    for (size_t t = 0; t < 3; t++) {
        size_t p = ps[t], n = ns[t];
        colset s = colset_make(p, n);
        const double *const *cc = (const double *const *)s.c;
        double *ref = malloc(p * p * sizeof *ref);
        assert_int_equal(sigmix_pearson_matrix_ref(cc, p, n, ref), 0);
        strip_check k = { p, 0, 0, ref };
        assert_int_equal(sigmix_pearson_strips(cc, p, n, s.st, on_strip, &k), 0);
        assert_int_equal(k.rows_seen, p);
        colset_free(&s, p);
        free(ref);
    }
    assert_true(sigmix_pearson_strip_rows(10000) == SIGMIX_BLOCK_COLS);
    assert_true(sigmix_pearson_strip_rows(1000000) * 1000000 * sizeof(double) <= SIGMIX_STRIP_BYTES);
}

static int keep_strip(void *cookie, size_t i0, size_t bi, const double *r)
{
    double *out = cookie;
    assert_int_equal(i0, 0); /* one strip */
    memcpy(out, r, bi * bi * sizeof *r);
    return 0;
}

/* A one-strip table screened in place gives the strip's bits, on both the
 * reference (small) and the BLAS path; wider tables are refused. */
static void test_screen_is_the_one_strip(void **state)
{
    (void)state;
    rng_state = 7;
    size_t ps[] = { 2, 85, 200 }, ns[] = { 3, 10, 200 };
    for (size_t t = 0; t < 3; t++) {
        size_t p = ps[t], n = ns[t];
        colset s = colset_make(p, n);
        const double *const *cc = (const double *const *)s.c;
        double *a = malloc(p * p * sizeof *a), *b = malloc(p * p * sizeof *b);
        assert_int_equal(sigmix_pearson_screen(cc, p, n, s.st, a), 0);
        assert_int_equal(sigmix_pearson_strips(cc, p, n, s.st, keep_strip, b), 0);
        assert_memory_equal(a, b, p * p * sizeof *a);
        colset_free(&s, p);
        free(a);
        free(b);
    }
    assert_int_equal(sigmix_pearson_screen(NULL, SIGMIX_BLOCK_COLS + 1, 3, NULL, NULL),
                     SIGMIX_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pairwise_sum_matches_numpy),
        cmocka_unit_test(test_constant_column_std_like_numpy),
        cmocka_unit_test(test_column_stats_edges),
        cmocka_unit_test(test_pearson_edges),
        cmocka_unit_test(test_ranks_and_spearman),
        cmocka_unit_test(test_rank_large_with_ties),
        cmocka_unit_test(test_matrix_matches_reference),
        cmocka_unit_test(test_ranks_do_not_join_v_and_minus_v),
        cmocka_unit_test(test_rank_int64_exact),
        cmocka_unit_test(test_collinear_is_exactly_one),
        cmocka_unit_test(test_exact_paths_bit_identical),
        cmocka_unit_test(test_strips_cover_every_pair),
        cmocka_unit_test(test_screen_is_the_one_strip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
