/*
 * Per-clip pooling, defined as numpy's nan-aware functions so tables match
 * the Python pipelines they replace: nanmean, nanstd (ddof 0), nanmin,
 * nanmax, nanpercentile (linear) and the VMAF harmonic mean over finite
 * values. Percentiles use selection, not a full sort: 10,000 logs x 20
 * metrics x 300 frames made sorting the hot spot.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sigmix/vmaflog.h"

static const char *const stat_names[SIGMIX_VMAFLOG_NSTATS] = {
    "mean", "std", "min", "max", "p10", "p90", "hmean",
};

const char *sigmix_vmaflog_stat_name(sigmix_vmaflog_stat s)
{
    return (unsigned)s < SIGMIX_VMAFLOG_NSTATS ? stat_names[s] : NULL;
}

int sigmix_vmaflog_stat_from_name(const char *name, size_t len)
{
    for (int i = 0; i < SIGMIX_VMAFLOG_NSTATS; i++)
        if (strlen(stat_names[i]) == len && !strncmp(stat_names[i], name, len))
            return i;
    return -1;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Put the k-th smallest of a[0..n) at a[k], no larger values before it
 * and no smaller after. Quickselect with a branch-free Lomuto partition
 * (random VMAF values make a branchy one mispredict every other compare)
 * and a median-of-three pivot; after a bounded number of rounds (long runs
 * of equal values, hostile orders) it sorts what is left. */
static void select_k(double *a, size_t n, size_t k)
{
    size_t lo = 0, hi = n; /* k is in [lo, hi) */
    int rounds = 0;
    while (hi - lo > 16) {
        if (++rounds > 64) {
            qsort(a + lo, hi - lo, sizeof *a, cmp_double);
            return;
        }
        size_t mid = lo + (hi - lo) / 2, last = hi - 1;
        double t;
        if (a[mid] < a[lo]) { t = a[mid]; a[mid] = a[lo]; a[lo] = t; }
        if (a[last] < a[lo]) { t = a[last]; a[last] = a[lo]; a[lo] = t; }
        if (a[mid] < a[last]) { t = a[mid]; a[mid] = a[last]; a[last] = t; }
        double pivot = a[last]; /* the median of the three */
        size_t store = lo;
        for (size_t i = lo; i < last; i++) {
            double x = a[i];
            a[i] = a[store];
            a[store] = x;
            store += x < pivot;
        }
        a[last] = a[store];
        a[store] = pivot;
        if (k == store)
            return;
        if (k < store)
            hi = store;
        else
            lo = store + 1;
    }
    for (size_t i = lo + 1; i < hi; i++) { /* insertion sort of the rest */
        double x = a[i];
        size_t j = i;
        for (; j > lo && a[j - 1] > x; j--)
            a[j] = a[j - 1];
        a[j] = x;
    }
}

/* numpy's _lerp: a + (b-a)*t, computed from b's side when t >= 0.5 so the
 * result is exact at both ends and monotone. */
static double lerp(double a, double b, double t)
{
    double d = b - a;
    return t >= 0.5 ? b - d * (1.0 - t) : a + d * t;
}

/* Percentile q of the n values in a[0..n), where a[0..from) are known to be
 * no larger than any of a[from..n) (an earlier selection), so only the
 * rest is searched. a is reordered; *k_out is the lower index used. */
static double percentile(double *a, size_t n, double q, size_t from, size_t *k_out)
{
    double pos = q / 100.0 * (double)(n - 1);
    size_t k = (size_t)floor(pos);
    if (k >= n - 1)
        k = n - 1;
    if (k < from)
        from = 0;
    select_k(a + from, n - from, k - from);
    *k_out = k;
    if (k == n - 1)
        return a[k];
    double lo = a[k], hi = a[k + 1];
    for (size_t i = k + 2; i < n; i++)
        if (a[i] < hi)
            hi = a[i];
    return lerp(lo, hi, pos - (double)k);
}

void sigmix_vmaflog_stats(const sigmix_vmaflog_metric *m, size_t nframes,
                          const sigmix_vmaflog_stat *which, size_t n,
                          double *out, double *scratch)
{
    size_t cnt = 0, finite = 0;
    double sum = 0, hsum = 0, mn = INFINITY, mx = -INFINITY;
    for (size_t i = 0; i < nframes; i++) {
        if (!m->present[i])
            continue;
        double x = m->values[i];
        if (isnan(x))
            continue;
        scratch[cnt++] = x;
        sum += x;
        if (x < mn)
            mn = x;
        if (x > mx)
            mx = x;
        if (isfinite(x)) {
            finite++;
            hsum += 1.0 / (x + 1.0);
        }
    }
    if (!finite) {
        for (size_t s = 0; s < n; s++)
            out[s] = NAN;
        return;
    }
    double mean = sum / (double)cnt;
    double std = NAN;
    int have_std = 0;
    size_t from = 0; /* scratch[0..from) is below the rest after a selection */
    for (size_t s = 0; s < n; s++) {
        switch (which[s]) {
        case SIGMIX_VMAFLOG_MEAN: out[s] = mean; break;
        case SIGMIX_VMAFLOG_STD:
            if (!have_std) {
                have_std = 1;
                double ss = 0;
                for (size_t i = 0; i < cnt; i++) {
                    double d = scratch[i] - mean;
                    ss += d * d;
                }
                std = sqrt(ss / (double)cnt);
            }
            out[s] = std;
            break;
        case SIGMIX_VMAFLOG_MIN: out[s] = mn; break;
        case SIGMIX_VMAFLOG_MAX: out[s] = mx; break;
        case SIGMIX_VMAFLOG_P10:
        case SIGMIX_VMAFLOG_P90: {
            size_t k;
            out[s] = percentile(scratch, cnt, which[s] == SIGMIX_VMAFLOG_P10 ? 10 : 90, from, &k);
            from = k + 1 < cnt ? k + 1 : 0;
            break;
        }
        case SIGMIX_VMAFLOG_HMEAN: out[s] = 1.0 / (hsum / (double)finite) - 1.0; break;
        default: out[s] = NAN; break;
        }
    }
}
