/*
 * Average-linkage clustering, the textbook way: keep the cluster distance
 * matrix and update it with the Lance-Williams rule
 *     d(k, i+j) = (|i| d(k,i) + |j| d(k,j)) / (|i| + |j|),
 * which for average linkage equals the mean of all member distances. Each
 * cluster is a linked list of leaves so the merged order is a splice.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "sigmix/common.h"
#include "stats/cluster.h"

int sigmix_cluster_average_order(const double *dist, size_t m, double nan_dist, size_t *order)
{
    for (size_t i = 0; i < m; i++)
        order[i] = i;
    if (m < 3)
        return 0;
    if (m > SIZE_MAX / m / sizeof(double))
        return SIGMIX_ENOMEM;
    double *d = malloc(m * m * sizeof *d);
    size_t *size = malloc(m * sizeof *size), *head = malloc(m * sizeof *head),
           *tail = malloc(m * sizeof *tail), *next = malloc(m * sizeof *next);
    unsigned char *alive = malloc(m);
    if (!d || !size || !head || !tail || !next || !alive) {
        free(d), free(size), free(head), free(tail), free(next), free(alive);
        return SIGMIX_ENOMEM;
    }
    for (size_t i = 0; i < m * m; i++)
        d[i] = isnan(dist[i]) ? nan_dist : dist[i];
    for (size_t i = 0; i < m; i++) {
        size[i] = 1;
        head[i] = tail[i] = i;
        next[i] = SIZE_MAX;
        alive[i] = 1;
    }
    /* Slot i of a cluster is its lowest original index (merges keep the
     * lower slot), so scanning slots in order is the documented tie-break. */
    for (size_t step = 0; step + 1 < m; step++) {
        size_t bi = 0, bj = 0;
        double best = INFINITY;
        for (size_t i = 0; i < m; i++) {
            if (!alive[i])
                continue;
            for (size_t j = i + 1; j < m; j++)
                if (alive[j] && d[i * m + j] < best) {
                    best = d[i * m + j];
                    bi = i;
                    bj = j;
                }
        }
        if (best == INFINITY) { /* only infinite distances left: merge in order */
            for (bi = 0; !alive[bi]; bi++) {}
            for (bj = bi + 1; !alive[bj]; bj++) {}
        }
        double si = (double)size[bi], sj = (double)size[bj];
        for (size_t k = 0; k < m; k++) {
            if (!alive[k] || k == bi || k == bj)
                continue;
            double v = (si * d[k * m + bi] + sj * d[k * m + bj]) / (si + sj);
            d[k * m + bi] = d[bi * m + k] = v;
        }
        next[tail[bi]] = head[bj]; /* bi holds the lower original index */
        tail[bi] = tail[bj];
        size[bi] += size[bj];
        alive[bj] = 0;
    }
    size_t at = 0;
    for (size_t i = 0; i < m; i++)
        if (alive[i])
            for (size_t v = head[i]; v != SIZE_MAX; v = next[v])
                order[at++] = v;
    free(d), free(size), free(head), free(tail), free(next), free(alive);
    return 0;
}
