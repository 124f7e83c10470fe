/*
 * Per-clip pooling, defined as numpy's nan-aware functions so tables match
 * the Python pipelines they replace: nanmean, nanstd (ddof 0), nanmin,
 * nanmax, nanpercentile (linear) and the VMAF harmonic mean over finite
 * values. Percentiles use selection, not a full sort: 10,000 logs x 20
 * metrics x 300 frames made sorting the hot spot.
 */
#include <math.h>
#include <stddef.h>
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

/* Put the k-th smallest of a[0..n) at a[k], smaller ones before it and
 * larger after (Wirth's selection, median-of-three pivot). After a bounded
 * number of rounds it sorts what is left, so hostile orders cannot make it
 * quadratic. */
static void select_k(double *a, size_t n, size_t kk)
{
    ptrdiff_t l = 0, m = (ptrdiff_t)n - 1, k = (ptrdiff_t)kk;
    int rounds = 0;
    while (l < m) {
        if (++rounds > 64) {
            qsort(a + l, (size_t)(m - l + 1), sizeof *a, cmp_double);
            return;
        }
        double x0 = a[l], x1 = a[l + (m - l) / 2], x2 = a[m], x;
        if (x0 < x1)
            x = x1 < x2 ? x1 : (x0 < x2 ? x2 : x0);
        else
            x = x0 < x2 ? x0 : (x1 < x2 ? x2 : x1);
        ptrdiff_t i = l, j = m;
        do {
            while (a[i] < x)
                i++;
            while (x < a[j])
                j--;
            if (i <= j) {
                double t = a[i];
                a[i] = a[j];
                a[j] = t;
                i++;
                j--;
            }
        } while (i <= j);
        if (j < k)
            l = i;
        if (k < i)
            m = j;
    }
}

/* numpy's _lerp: a + (b-a)*t, computed from b's side when t >= 0.5 so the
 * result is exact at both ends and monotone. */
static double lerp(double a, double b, double t)
{
    double d = b - a;
    return t >= 0.5 ? b - d * (1.0 - t) : a + d * t;
}

/* Percentile q of the n values in a (reordered). */
static double percentile(double *a, size_t n, double q)
{
    double pos = q / 100.0 * (double)(n - 1);
    size_t k = (size_t)floor(pos);
    if (k >= n - 1) {
        select_k(a, n, n - 1);
        return a[n - 1];
    }
    select_k(a, n, k);
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
        case SIGMIX_VMAFLOG_P10: out[s] = percentile(scratch, cnt, 10); break;
        case SIGMIX_VMAFLOG_P90: out[s] = percentile(scratch, cnt, 90); break;
        case SIGMIX_VMAFLOG_HMEAN: out[s] = 1.0 / (hsum / (double)finite) - 1.0; break;
        default: out[s] = NAN; break;
        }
    }
}
