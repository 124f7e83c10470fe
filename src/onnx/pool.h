/* Per-run thread pool of the ONNX runner; see pool.c. */
#ifndef SIGMIX_ONNX_POOL_H
#define SIGMIX_ONNX_POOL_H

#include "onnx/internal.h"

/** Pool of `threads` threads including the caller (NULL on OOM). */
ox_pool *sigmix_ox_pool_new(int threads);
void     sigmix_ox_pool_free(ox_pool *p);
/** Nonzero once a scratch allocation failed. */
int      sigmix_ox_pool_oom(const ox_pool *p);

#endif
