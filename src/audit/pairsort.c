/*
 * In-place introsort of pair records (see pairsort.h). qsort's merge sort
 * allocated a scratch copy (fresh pages on every run) and called the
 * comparison through a pointer; this sorts in place with the comparison
 * inlined. Quicksort with a median of three, heapsort past the depth
 * limit (no quadratic case on crafted input), insertion sort for short
 * runs.
 */
#include "audit/pairsort.h"

#include <math.h>

static inline int before(const sigmix_pair_rec *a, const sigmix_pair_rec *b)
{
    int na = isnan(a->key), nb = isnan(b->key);
    if (na != nb)
        return nb;
    if (!na && a->key != b->key)
        return a->key > b->key;
    return a->ord < b->ord;
}

static inline void swap(sigmix_pair_rec *a, sigmix_pair_rec *b)
{
    sigmix_pair_rec t = *a;
    *a = *b;
    *b = t;
}

static void sift(sigmix_pair_rec *v, size_t r, size_t n)
{
    for (;;) {
        size_t c = 2 * r + 1;
        if (c >= n)
            return;
        if (c + 1 < n && before(&v[c], &v[c + 1]))
            c++;
        if (!before(&v[r], &v[c]))
            return;
        swap(&v[r], &v[c]);
        r = c;
    }
}

static void heapsort(sigmix_pair_rec *v, size_t n)
{
    for (size_t i = n / 2; i-- > 0;)
        sift(v, i, n);
    for (size_t m = n; m > 1; m--) {
        swap(&v[0], &v[m - 1]);
        sift(v, 0, m - 1);
    }
}

void sigmix_pair_sort_depth(sigmix_pair_rec *v, size_t n, int depth)
{
    while (n > 16) {
        if (depth-- <= 0) {
            heapsort(v, n);
            return;
        }
        size_t m = n / 2;
        if (before(&v[m], &v[0]))
            swap(&v[m], &v[0]);
        if (before(&v[n - 1], &v[m])) {
            swap(&v[n - 1], &v[m]);
            if (before(&v[m], &v[0]))
                swap(&v[m], &v[0]);
        }
        sigmix_pair_rec pivot = v[m];
        size_t i = 0, j = n - 1;
        for (;;) { /* Hoare: v[0] <= pivot <= v[n - 1] bound both scans */
            while (before(&v[i], &pivot))
                i++;
            while (before(&pivot, &v[j]))
                j--;
            if (i >= j)
                break;
            swap(&v[i++], &v[j--]);
        }
        /* [0, j] and [j + 1, n), both non-empty: recurse into the smaller */
        size_t left = j + 1;
        if (left < n - left) {
            sigmix_pair_sort_depth(v, left, depth);
            v += left;
            n -= left;
        } else {
            sigmix_pair_sort_depth(v + left, n - left, depth);
            n = left;
        }
    }
    for (size_t i = 1; i < n; i++)
        for (size_t k = i; k > 0 && before(&v[k], &v[k - 1]); k--)
            swap(&v[k], &v[k - 1]);
}

void sigmix_pair_sort(sigmix_pair_rec *v, size_t n)
{
    int depth = 0;
    for (size_t k = n; k > 1; k >>= 1)
        depth += 2;
    sigmix_pair_sort_depth(v, n, depth);
}
