/*
 * Hierarchical clustering for the HTML report's heatmap order (html work).
 */
#ifndef SIGMIX_STATS_CLUSTER_H
#define SIGMIX_STATS_CLUSTER_H

#include <stddef.h>

/**
 * Average-linkage (UPGMA) agglomerative clustering of m items, exact
 * (O(m^3) time, O(m^2) memory; meant for the columns of one family).
 * dist is m*m, row-major, symmetric; NaN distances count as `nan_dist`.
 * At each step the closest pair of clusters merges (ties: the pair whose
 * smaller member index is lowest, then the other), and the new cluster
 * lists the cluster holding the lower original index first. On return
 * order[0..m) is the dendrogram's leaf order, so similar items sit side
 * by side. Returns 0 or SIGMIX_ENOMEM (order then holds 0..m-1).
 */
int sigmix_cluster_average_order(const double *dist, size_t m, double nan_dist, size_t *order);

#endif
