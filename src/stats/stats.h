/*
 * Column statistics and correlations for the audit.
 *
 * Conventions: a column is an array of n doubles, NaN where null. "Finite"
 * means isfinite(). Sums follow numpy's pairwise summation order so that the
 * flat-column rule (population std <= 1e-12) decides exactly as the reference
 * Python tool does, and means/stds agree with it bit for bit in most cases.
 */
#ifndef SIGMIX_STATS_STATS_H
#define SIGMIX_STATS_STATS_H

#include <stddef.h>
#include <stdint.h>

/** Population std at or below this is treated as flat (correlation null). */
#define SIGMIX_FLAT_STD 1e-12

/** Sum of x[0..n) in numpy's pairwise order (blocks of 128, 8 lanes). */
double sigmix_pairwise_sum(const double *x, size_t n);

typedef struct sigmix_colstats {
    size_t n_finite;
    double finite_ratio; /* n_finite / n; 0 when n == 0 */
    double mean, std, min, max; /* NaN when n_finite == 0 */
    double ss;                  /* sum of squared deviations from mean; NaN when none */
} sigmix_colstats;

/**
 * Statistics over the finite values of x. scratch must hold n doubles.
 */
void sigmix_column_stats(const double *x, size_t n, double *scratch, sigmix_colstats *out);

/**
 * Pearson r over rows where x and y are both finite; NaN when fewer than 3
 * such rows or either side's population std on them is <= SIGMIX_FLAT_STD.
 * Straightforward two-pass reference. scratch must hold 2*n doubles.
 */
double sigmix_pearson_ref(const double *x, const double *y, size_t n, double *scratch);

/**
 * The exact Pearson of one pair, equal to the last bit to
 * sigmix_pearson_ref(x, y, n, scratch); sx/sy are the columns'
 * sigmix_column_stats (a complete pair then costs one pass).
 * Every r the audit reports comes from here.
 */
double sigmix_pearson_pair(const double *x, const sigmix_colstats *sx, const double *y,
                           const sigmix_colstats *sy, size_t n, double *scratch);

/** r = sxy / sqrt(sxx * syy) (one rounding), clipped to [-1, 1]. */
double sigmix_corr_from_sums(double sxy, double sxx, double syy);

/** Scratch for ranking n values: allocate with sigmix_rank_scratch_new. */
typedef struct sigmix_rank_scratch sigmix_rank_scratch;
sigmix_rank_scratch *sigmix_rank_scratch_new(size_t n);
void sigmix_rank_scratch_free(sigmix_rank_scratch *s);

/**
 * Average ranks (1-based, ties share the mean rank) of the non-NaN values
 * of x; +-inf are ranked; NaN stays NaN. s must be made for >= n values.
 */
void sigmix_rank_average(const double *x, size_t n, double *ranks, sigmix_rank_scratch *s);

/**
 * The same for exact integers: rows with valid[i] == 0 get NaN. Integers
 * above 2^53 that share a double still rank apart, as pandas ranks int64.
 */
void sigmix_rank_average_i64(const int64_t *v, const uint8_t *valid, size_t n, double *ranks,
                             sigmix_rank_scratch *s);

/**
 * Screening Pearson matrix over p columns (each n doubles, NaN/inf =
 * missing for that row), pairwise-complete rows, same null rule as
 * sigmix_pearson_ref. out is p*p, row-major; only entries i < j (out[i*p+j])
 * are defined; others are left NaN.
 *
 * Accumulates centred block products with OpenBLAS (X'X, and X'M, X2'M,
 * M'M for the 0/1 validity matrix M of columns with gaps), then recomputes
 * with the reference any pair whose variance is borderline or suffers
 * cancellation, so results agree with the reference to ~1e-12 -- but not to
 * the last bit: the BLAS kernel's summation order differs. The audit uses it
 * only to decide which pairs to compute exactly (sigmix_pearson_pair).
 * `stats` are the columns' sigmix_column_stats (NULL: computed here).
 * Memory O(p^2 + 1024 p). Returns 0 or SIGMIX_ENOMEM.
 */
int sigmix_pearson_matrix_fast(const double *const *cols, size_t p, size_t n,
                               const sigmix_colstats *stats, double *out);

/** The same matrix, pair by pair with sigmix_pearson_ref (for tests). */
int sigmix_pearson_matrix_ref(const double *const *cols, size_t p, size_t n, double *out);

/**
 * The dense matrix of the values the audit reports: every pair i < j from
 * sigmix_pearson_pair (exact, deterministic). O(p^2 n); stats required.
 */
int sigmix_pearson_matrix(const double *const *cols, size_t p, size_t n,
                          const sigmix_colstats *stats, double *out);

/*
 * Screening in strips, so memory does not grow with p^2: rows of the
 * screening matrix come in strips of sigmix_pearson_strip_rows(p) rows
 * (strip buffer <= SIGMIX_STRIP_BYTES), each strip computed one block of
 * SIGMIX_BLOCK_COLS columns at a time. fn gets r, bi rows of p doubles:
 * r[(i - i0) * p + j] is the screening r of pair (i, j) for j > i, NaN
 * elsewhere. Strips come in row order. A non-zero return from fn stops and
 * is returned. stats required. Returns 0, SIGMIX_ENOMEM or fn's code.
 */
#define SIGMIX_BLOCK_COLS 256
#define SIGMIX_STRIP_BYTES ((size_t)32 << 20)
typedef int (*sigmix_strip_fn)(void *cookie, size_t i0, size_t bi, const double *r);
size_t sigmix_pearson_strip_rows(size_t p);
int sigmix_pearson_strips(const double *const *cols, size_t p, size_t n,
                          const sigmix_colstats *stats, sigmix_strip_fn fn, void *cookie);
/* The one strip of a table with p <= sigmix_pearson_strip_rows(p), written
 * to out (p x p, the layout fn gets); the same values as the strips.
 * Returns 0, SIGMIX_ENOMEM or SIGMIX_EINVAL (p too large for one strip). */
int sigmix_pearson_screen(const double *const *cols, size_t p, size_t n,
                          const sigmix_colstats *stats, double *out);

#endif
