/*
 * Average ranks for Spearman: an LSD radix sort of the doubles' order-
 * preserving bit patterns (11-bit digits, passes with a single populated
 * bucket skipped), then one walk over tie groups. A comparison sort of
 * 100 columns x 150k rows would dominate the audit's statistics time.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stats/stats.h"

enum { DIGIT_BITS = 11, BUCKETS = 1 << DIGIT_BITS, PASSES = 6 };

typedef struct item {
    uint64_t key;
    uint32_t idx;
} item;

struct sigmix_rank_scratch {
    size_t    cap;
    item     *a, *b;
    uint32_t *hist; /* PASSES * BUCKETS */
};

sigmix_rank_scratch *sigmix_rank_scratch_new(size_t n)
{
    if (n > UINT32_MAX || n > SIZE_MAX / sizeof(item) - 1)
        return NULL;
    sigmix_rank_scratch *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->cap = n;
    s->a = malloc((n + 1) * sizeof(item));
    s->b = malloc((n + 1) * sizeof(item));
    s->hist = malloc((size_t)PASSES * BUCKETS * sizeof(uint32_t));
    if (!s->a || !s->b || !s->hist) {
        sigmix_rank_scratch_free(s);
        return NULL;
    }
    return s;
}

void sigmix_rank_scratch_free(sigmix_rank_scratch *s)
{
    if (!s)
        return;
    free(s->a);
    free(s->b);
    free(s->hist);
    free(s);
}

/* Unsigned key whose order is the doubles' order (-0.0 just below +0.0). */
static inline uint64_t order_key(double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    return (u & 0x8000000000000000ull) ? ~u : u | 0x8000000000000000ull;
}

void sigmix_rank_average(const double *x, size_t n, double *ranks, sigmix_rank_scratch *s)
{
    item *a = s->a, *b = s->b;
    size_t m = 0;
    memset(s->hist, 0, (size_t)PASSES * BUCKETS * sizeof(uint32_t));
    for (size_t i = 0; i < n; i++) {
        ranks[i] = NAN;
        if (isnan(x[i]))
            continue;
        uint64_t k = order_key(x[i]);
        a[m].key = k;
        a[m].idx = (uint32_t)i;
        m++;
        for (int p = 0; p < PASSES; p++)
            s->hist[p * BUCKETS + ((k >> (p * DIGIT_BITS)) & (BUCKETS - 1))]++;
    }
    for (int p = 0; p < PASSES; p++) {
        uint32_t *h = s->hist + p * BUCKETS;
        int shift = p * DIGIT_BITS;
        if (m == 0 || h[(a[0].key >> shift) & (BUCKETS - 1)] == m)
            continue; /* every key has this digit: the pass would not move anything */
        uint32_t sum = 0;
        for (int d = 0; d < BUCKETS; d++) {
            uint32_t c = h[d];
            h[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < m; i++)
            b[h[(a[i].key >> shift) & (BUCKETS - 1)]++] = a[i];
        item *t = a;
        a = b;
        b = t;
    }
    /* Tie groups compare values, so -0.0 and +0.0 share a rank as in pandas. */
    for (size_t i = 0; i < m;) {
        double v = x[a[i].idx];
        size_t j = i + 1;
        while (j < m && x[a[j].idx] == v)
            j++;
        double r = ((double)(i + 1) + (double)j) / 2.0;
        for (size_t k = i; k < j; k++)
            ranks[a[k].idx] = r;
        i = j;
    }
}
