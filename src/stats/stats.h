/*
 * Column statistics and correlations for the audit (owned by the audit work).
 *
 * Conventions: a column is an array of n doubles, NaN where null. "Finite"
 * means isfinite(). Sums follow numpy's pairwise summation order so that the
 * flat-column rule (population std <= 1e-12) decides exactly as the reference
 * Python tool does, and means/stds agree with it bit for bit in most cases.
 */
#ifndef SIGMIX_STATS_STATS_H
#define SIGMIX_STATS_STATS_H

#include <stddef.h>

/** Population std at or below this is treated as flat (correlation null). */
#define SIGMIX_FLAT_STD 1e-12

/** Sum of x[0..n) in numpy's pairwise order (blocks of 128, 8 lanes). */
double sigmix_pairwise_sum(const double *x, size_t n);

typedef struct sigmix_colstats {
    size_t n_finite;
    double finite_ratio; /* n_finite / n; 0 when n == 0 */
    double mean, std, min, max; /* NaN when n_finite == 0 */
} sigmix_colstats;

/**
 * Statistics over the finite values of x. scratch must hold n doubles.
 */
void sigmix_column_stats(const double *x, size_t n, double *scratch, sigmix_colstats *out);

/**
 * Mean and population std of the n values v (all finite), numpy's way.
 * v is overwritten with squared deviations.
 */
void sigmix_mean_std_inplace(double *v, size_t n, double *mean, double *std);

/**
 * Pearson r over rows where x and y are both finite; NaN when fewer than 3
 * such rows or either side's population std on them is <= SIGMIX_FLAT_STD.
 * Straightforward two-pass reference. scratch must hold 2*n doubles.
 */
double sigmix_pearson_ref(const double *x, const double *y, size_t n, double *scratch);

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
 * Pairwise Pearson matrix over p columns (each n doubles, NaN/inf = missing
 * for that row), pairwise-complete rows, same null rule as
 * sigmix_pearson_ref. out is p*p, row-major; only entries i < j (out[i*p+j])
 * are defined; others are left NaN.
 *
 * The fast path accumulates centred block products with OpenBLAS (X'X, and
 * X'M, X2'M, M'M for the 0/1 validity matrix M of columns with gaps), then
 * recomputes with the reference any pair whose variance is borderline or
 * suffers cancellation, so results agree with the reference to ~1e-12.
 * `stats` are the columns' sigmix_column_stats (NULL: computed here).
 * Returns 0 or SIGMIX_ENOMEM.
 */
int sigmix_pearson_matrix(const double *const *cols, size_t p, size_t n,
                          const sigmix_colstats *stats, double *out);

/* The BLAS path alone (sigmix_pearson_matrix uses the reference for small
 * tables, where it is cheap and bit-for-bit reproducible). */
int sigmix_pearson_matrix_fast(const double *const *cols, size_t p, size_t n,
                               const sigmix_colstats *stats, double *out);

/** The same matrix, pair by pair with sigmix_pearson_ref (for tests). */
int sigmix_pearson_matrix_ref(const double *const *cols, size_t p, size_t n, double *out);

#endif
