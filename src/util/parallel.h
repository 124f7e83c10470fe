/*
 * Fork/join over a few items: item 0 runs on the calling thread, each
 * other item on a thread of its own, and an item whose thread cannot be
 * started runs on the calling thread afterwards, so the work is always
 * done. Internal; no state outside the call.
 */
#ifndef SIGMIX_UTIL_PARALLEL_H
#define SIGMIX_UTIL_PARALLEL_H

#include <stddef.h>

enum { SIGMIX_PARALLEL_MAX = 16 };

/* fn(items + i * size) for i in [0, n), n <= SIGMIX_PARALLEL_MAX (more
 * are run on the calling thread); returns when all have returned. */
void sigmix_parallel(void *(*fn)(void *), void *items, size_t size, size_t n);

#endif
