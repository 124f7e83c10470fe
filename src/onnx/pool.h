/* Per-run thread pool of the ONNX runner; see pool.c. */
#ifndef SIGMIX_ONNX_POOL_H
#define SIGMIX_ONNX_POOL_H

#include "onnx/internal.h"

/** Pool of `threads` threads including the caller (NULL on OOM). */
ox_pool *sigmix_ox_pool_new(int threads);
void     sigmix_ox_pool_free(ox_pool *p);
/** Nonzero once a scratch allocation failed. */
int      sigmix_ox_pool_oom(const ox_pool *p);

/*
 * Profile counters (sigmix_onnx_run_profiled), in thread CPU time so they mean
 * the same on a loaded machine: busy = all threads' time inside tasks; span =
 * per fork-join the slowest thread's share, summed (what the wall time would
 * be with a core per thread); caller = the calling thread's time inside
 * sigmix_ox_parallel, waits included, so run.c can tell serial work apart.
 */
typedef struct ox_pool_stats {
    int64_t busy_ns, span_ns, caller_ns, forks;
} ox_pool_stats;
void    sigmix_ox_pool_profile(ox_pool *p, int on);
void    sigmix_ox_pool_stats(const ox_pool *p, ox_pool_stats *st);
/** CPU time of the calling thread, ns. */
int64_t sigmix_ox_thread_ns(void);

#endif
