/*
 * The pair lists' sort (src/audit/pairsort.c) against qsort with the
 * same order, on every path: insertion sort only, quicksort, and heapsort
 * from the first level or after one (depth 0 and 1), on random keys with
 * many ties, NaNs, sorted and reversed input.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "audit/pairsort.h"

static uint64_t rng = 12345;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static int cmp(const void *pa, const void *pb)
{
    const sigmix_pair_rec *a = pa, *b = pb;
    int na = isnan(a->key), nb = isnan(b->key);
    if (na != nb)
        return na - nb;
    if (!na && a->key != b->key)
        return a->key > b->key ? -1 : 1;
    return a->ord < b->ord ? -1 : a->ord > b->ord;
}

/* kind 0: random keys from a few values (ties), some NaN; 1: already in
 * order; 2: reversed. ords: a random permutation. */
static void fill(sigmix_pair_rec *v, size_t n, int kind)
{
    for (size_t i = 0; i < n; i++) {
        v[i].ord = i;
        v[i].r = (double)i;
        v[i].key = next() % 17 == 0 ? NAN : (double)(next() % 7) / 7.0;
    }
    for (size_t i = n; i > 1; i--) {
        size_t k = next() % i;
        size_t t = v[i - 1].ord;
        v[i - 1].ord = v[k].ord;
        v[k].ord = t;
    }
    if (kind)
        qsort(v, n, sizeof *v, cmp);
    for (size_t i = 0; kind == 2 && i < n / 2; i++) {
        sigmix_pair_rec t = v[i];
        v[i] = v[n - 1 - i];
        v[n - 1 - i] = t;
    }
}

static void test_same_order_as_qsort(void **state)
{
    (void)state;
    const size_t sizes[] = { 0, 1, 2, 3, 15, 16, 17, 18, 33, 100, 257, 1000, 5000 };
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        size_t n = sizes[s];
        sigmix_pair_rec *a = malloc((n ? n : 1) * sizeof *a), *b = malloc((n ? n : 1) * sizeof *b);
        for (int kind = 0; kind < 3; kind++) {
            for (int depth = -1; depth <= 1; depth++) {
                fill(a, n, kind);
                memcpy(b, a, n * sizeof *a);
                qsort(b, n, sizeof *b, cmp);
                if (depth < 0)
                    sigmix_pair_sort(a, n);
                else
                    sigmix_pair_sort_depth(a, n, depth);
                for (size_t i = 0; i < n; i++)
                    if (a[i].ord != b[i].ord || a[i].r != b[i].r)
                        fail_msg("n=%zu kind=%d depth=%d: item %zu is ord %zu, want %zu", n, kind,
                                 depth, i, a[i].ord, b[i].ord);
            }
        }
        free(a);
        free(b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_order_as_qsort),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
