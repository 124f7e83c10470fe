/*
 * Column statistics and the reference Pearson correlation.
 *
 * Sums use numpy's pairwise order (8 lanes inside blocks of up to 128,
 * halves split at multiples of 8 above that). Matching the order matters
 * only at the flat-column threshold, where the decision "std <= 1e-12" on a
 * constant column depends on the last bits of the mean.
 */
#include <math.h>

#include "stats/stats.h"

enum { PW_BLOCK = 128 };

/* One generator per term shape; d = a[i] - ma etc. are rounded as numpy does. */
#define PAIRWISE(name, TERM)                                                  \
    static double name(const double *a, const double *b, double ma,          \
                       double mb, size_t n)                                  \
    {                                                                         \
        (void)b; (void)ma; (void)mb;                                          \
        if (n < 8) {                                                          \
            double res = 0.0;                                                 \
            for (size_t i = 0; i < n; i++)                                    \
                res += TERM(i);                                               \
            return res;                                                       \
        }                                                                     \
        if (n <= PW_BLOCK) {                                                  \
            double r[8];                                                      \
            size_t i;                                                         \
            for (int k = 0; k < 8; k++)                                       \
                r[k] = TERM((size_t)k);                                       \
            for (i = 8; i < n - (n % 8); i += 8)                              \
                for (int k = 0; k < 8; k++)                                   \
                    r[k] += TERM(i + (size_t)k);                              \
            double res = ((r[0] + r[1]) + (r[2] + r[3])) +                    \
                         ((r[4] + r[5]) + (r[6] + r[7]));                     \
            for (; i < n; i++)                                                \
                res += TERM(i);                                               \
            return res;                                                       \
        }                                                                     \
        size_t n2 = n / 2;                                                    \
        n2 -= n2 % 8;                                                         \
        return name(a, b, ma, mb, n2) + name(a + n2, b ? b + n2 : b, ma, mb, n - n2); \
    }

static inline double sqdev(double x, double m)
{
    double d = x - m;
    return d * d;
}

static inline double crossdev(double x, double mx, double y, double my)
{
    double dx = x - mx, dy = y - my;
    return dx * dy;
}

#define T_PLAIN(i) (a[i])
#define T_SQDEV(i) sqdev(a[i], ma)
#define T_CROSS(i) crossdev(a[i], ma, b[i], mb)
PAIRWISE(pw_plain, T_PLAIN)
PAIRWISE(pw_sqdev, T_SQDEV)
PAIRWISE(pw_cross, T_CROSS)

double sigmix_pairwise_sum(const double *x, size_t n)
{
    return 0.0 + pw_plain(x, NULL, 0, 0, n);
}

/* numpy: mean = sum/n; var = sum((x-mean)^2)/n; std = sqrt(var). *ss gets
 * the sum of squared deviations, which the correlation reuses. */
static void mean_std(const double *v, size_t n, double *mean, double *std, double *ss)
{
    double m = sigmix_pairwise_sum(v, n) / (double)n;
    double q = 0.0 + pw_sqdev(v, NULL, m, 0, n);
    *mean = m;
    *ss = q;
    *std = sqrt(q / (double)n);
}

void sigmix_column_stats(const double *x, size_t n, double *scratch, sigmix_colstats *out)
{
    size_t m = 0;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        double v = x[i];
        if (isfinite(v)) {
            scratch[m++] = v;
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
    }
    out->n_finite = m;
    if (m == 0) {
        out->finite_ratio = 0.0;
        out->mean = out->std = out->min = out->max = out->ss = NAN;
        return;
    }
    out->finite_ratio = (double)m / (double)n;
    out->min = lo;
    out->max = hi;
    mean_std(scratch, m, &out->mean, &out->std, &out->ss);
}

/*
 * The one formula behind every reported Pearson r: one rounding in the
 * denominator, so exactly collinear columns give exactly +-1 (sqrt of a
 * correctly rounded square is exact). Only when sxx * syy overflows (values
 * near 1e154 and beyond) does it fall back to two square roots.
 */
double sigmix_corr_from_sums(double sxy, double sxx, double syy)
{
    double d = sxx * syy;
    double r = isfinite(d) ? sxy / sqrt(d) : sxy / sqrt(sxx) / sqrt(syy);
    return r > 1.0 ? 1.0 : r < -1.0 ? -1.0 : r;
}

double sigmix_pearson_ref(const double *x, const double *y, size_t n, double *scratch)
{
    double *xs = scratch, *ys = scratch + n;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (isfinite(x[i]) && isfinite(y[i])) {
            xs[m] = x[i];
            ys[m] = y[i];
            m++;
        }
    }
    if (m < 3)
        return NAN;
    double mx, sx, my, sy, sxx, syy;
    mean_std(xs, m, &mx, &sx, &sxx);
    mean_std(ys, m, &my, &sy, &syy);
    if (!(sx > SIGMIX_FLAT_STD) || !(sy > SIGMIX_FLAT_STD))
        return NAN;
    return sigmix_corr_from_sums(pw_cross(xs, ys, mx, my, m), sxx, syy);
}

/*
 * When both columns are complete, the pairwise subset is the whole column:
 * the compacted copies equal the columns, so the column stats' mean and sum
 * of squares are the very numbers the reference would compute, and only the
 * cross sum is left. Bit-identical to sigmix_pearson_ref by construction.
 */
double sigmix_pearson_pair(const double *x, const sigmix_colstats *sx, const double *y,
                           const sigmix_colstats *sy, size_t n, double *scratch)
{
    if (sx->n_finite != n || sy->n_finite != n)
        return sigmix_pearson_ref(x, y, n, scratch);
    if (n < 3 || !(sx->std > SIGMIX_FLAT_STD) || !(sy->std > SIGMIX_FLAT_STD))
        return NAN;
    return sigmix_corr_from_sums(pw_cross(x, y, sx->mean, sy->mean, n), sx->ss, sy->ss);
}
