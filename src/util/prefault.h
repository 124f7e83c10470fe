/*
 * Fault in fresh memory with one call instead of one page fault per 4 KiB:
 * on virtual machines with shadow paging each fault costs tens of
 * microseconds. Internal; thread-safe (it only advises the kernel).
 */
#ifndef SIGMIX_UTIL_PREFAULT_H
#define SIGMIX_UTIL_PREFAULT_H

#include <stddef.h>

/* Best effort on [p, p + bytes): huge pages where 2 MiB fit, the rest
 * populated for writing. Nothing for less than 1 MiB; only speed depends
 * on it. */
void sigmix_prefault(void *p, size_t bytes);

#endif
