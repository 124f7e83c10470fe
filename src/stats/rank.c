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
#include "util/prefault.h"

enum { DIGIT_BITS = 11, BUCKETS = 1 << DIGIT_BITS, PASSES = 6 };

typedef struct item {
    uint64_t key;
    uint32_t idx;
} item;

struct sigmix_rank_scratch {
    size_t    cap;
    item     *a, *b; /* both in mem */
    void     *mem;
    uint32_t *hist;  /* PASSES * BUCKETS */
};

#define HUGE_PAGE ((size_t)2 << 20)

sigmix_rank_scratch *sigmix_rank_scratch_new(size_t n)
{
    if (n > UINT32_MAX || n > SIZE_MAX / (2 * sizeof(item)) - HUGE_PAGE)
        return NULL;
    sigmix_rank_scratch *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->cap = n;
    /* The scatter passes write to 2,048 places spread over a and b at
     * once: with 4 KiB pages nearly every store misses the TLB, which in
     * a virtual machine costs a two-level page walk. Huge pages (best
     * effort) made ranking a 150k-row column about twice as fast. */
    size_t half = ((n + 1) * sizeof(item) + 63) & ~(size_t)63;
    size_t bytes = 2 * half;
    s->mem = sigmix_huge_alloc(bytes);
    s->hist = malloc((size_t)PASSES * BUCKETS * sizeof(uint32_t));
    if (!s->mem || !s->hist) {
        sigmix_rank_scratch_free(s);
        return NULL;
    }
    s->a = s->mem;
    s->b = (item *)(void *)((char *)s->mem + half);
    return s;
}

void sigmix_rank_scratch_free(sigmix_rank_scratch *s)
{
    if (!s)
        return;
    free(s->mem);
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

/* Order-preserving key of an int64: flip the sign bit. */
static inline uint64_t int_key(int64_t v)
{
    return (uint64_t)v ^ 0x8000000000000000ull;
}

/* Keys of -0.0 and +0.0: the only distinct doubles that compare equal. */
#define NEG_ZERO_KEY 0x7FFFFFFFFFFFFFFFull
#define POS_ZERO_KEY 0x8000000000000000ull

/*
 * Sort the m items in s->a by key, then give each tie group its mean rank.
 * zero_ties: the keys are doubles' (-0.0 and +0.0 tie, nothing else does).
 */
/* Below this many items an insertion sort beats the radix passes, whose
 * 48 KiB of histograms cost more than sorting a short column outright. */
enum { SMALL_SORT = 48 };

static void insertion_sort(item *a, size_t m)
{
    for (size_t i = 1; i < m; i++) {
        item v = a[i];
        size_t j = i;
        for (; j > 0 && a[j - 1].key > v.key; j--)
            a[j] = a[j - 1];
        a[j] = v;
    }
}

/* Sort a[0..m) by key; returns where the sorted items are (a or b). */
static item *radix_sort(sigmix_rank_scratch *s, size_t m)
{
    item *a = s->a, *b = s->b;
    memset(s->hist, 0, (size_t)PASSES * BUCKETS * sizeof(uint32_t));
    for (size_t i = 0; i < m; i++)
        for (int p = 0; p < PASSES; p++)
            s->hist[p * BUCKETS + ((a[i].key >> (p * DIGIT_BITS)) & (BUCKETS - 1))]++;
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
    return a;
}

static void rank_items(sigmix_rank_scratch *s, size_t m, double *ranks, int zero_ties)
{
    item *a = s->a;
    if (m <= SMALL_SORT)
        insertion_sort(a, m);
    else
        a = radix_sort(s, m);
    for (size_t i = 0; i < m;) {
        uint64_t k0 = a[i].key;
        size_t j = i + 1;
        while (j < m && (a[j].key == k0 ||
                         (zero_ties && k0 == NEG_ZERO_KEY && a[j].key == POS_ZERO_KEY)))
            j++;
        double r = ((double)(i + 1) + (double)j) / 2.0;
        for (size_t k = i; k < j; k++)
            ranks[a[k].idx] = r;
        i = j;
    }
}

void sigmix_rank_average(const double *x, size_t n, double *ranks, sigmix_rank_scratch *s)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        ranks[i] = NAN;
        if (isnan(x[i]))
            continue;
        s->a[m].key = order_key(x[i]);
        s->a[m].idx = (uint32_t)i;
        m++;
    }
    /* -0.0 and +0.0 share a rank as in pandas; keys k and ~k of v and -v
     * are adjacent too when nothing lies between, but must not tie. */
    rank_items(s, m, ranks, 1);
}

void sigmix_rank_average_i64(const int64_t *v, const uint8_t *valid, size_t n, double *ranks,
                             sigmix_rank_scratch *s)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        ranks[i] = NAN;
        if (!valid[i])
            continue;
        s->a[m].key = int_key(v[i]);
        s->a[m].idx = (uint32_t)i;
        m++;
    }
    rank_items(s, m, ranks, 0);
}
