/*
 * The order of the report's ranked lists (pairs, target correlations):
 * descending key, NaN keys last, then ascending ord (for pairs, the order
 * in which the screen found them). Internal; thread-safe (no state).
 */
#ifndef SIGMIX_AUDIT_PAIRSORT_H
#define SIGMIX_AUDIT_PAIRSORT_H

#include <stddef.h>

typedef struct sigmix_pair_rec {
    double key; /* e.g. |r| or the summed target |r|s */
    size_t ord; /* distinct per list: i * p + j, or the position */
    double r;   /* carried along */
} sigmix_pair_rec;

/* Sort v[0..n) in place; the ords must be distinct (the order is then
 * total, so the result does not depend on the algorithm). */
void sigmix_pair_sort(sigmix_pair_rec *v, size_t n);

/* The same with at most `depth` quicksort levels before heapsort takes
 * over (sigmix_pair_sort passes 2 log2 n; tests pass 0 and 1). */
void sigmix_pair_sort_depth(sigmix_pair_rec *v, size_t n, int depth);

#endif
