/*
 * Fresh memory with few page faults: faulted in with one call, or backed
 * by transparent huge pages, instead of one fault per 4 KiB (on virtual
 * machines with shadow paging each fault costs tens of microseconds).
 * Internal; thread-safe.
 */
#ifndef SIGMIX_UTIL_PREFAULT_H
#define SIGMIX_UTIL_PREFAULT_H

#include <stddef.h>

/*
 * Best effort on [p, p + bytes), for memory about to be written whole:
 * huge pages where 2 MiB fit, the rest populated for writing in one call.
 * On the bench VM a page first written through a fault costs ~16 us;
 * populated first, ~1.5 us for the call's share and ~7.5 us at the first
 * write (the host maps it then). The call itself costs about a fault on
 * bare metal, so below 4 pages it is left to the faults (pages already
 * mapped make it a wasted call). Only speed depends on it.
 */
#define SIGMIX_PREFAULT_MIN ((size_t)16 << 10)
void sigmix_prefault(void *p, size_t bytes);

/* Memory for `bytes` (caller frees it with free()): from 1 MiB up it is
 * 2 MiB-aligned, rounded up to whole 2 MiB pages (so size large buffers
 * just under a multiple of 2 MiB) and advised for huge pages; below
 * that, plain malloc. One huge page costs about what 10 faults of 4 KiB
 * do on the bench VM, so a 1 MiB buffer (256 faults) is worth the
 * rounding. NULL when out of memory. */
#define SIGMIX_HUGE_MIN ((size_t)1 << 20)
void *sigmix_huge_alloc(size_t bytes);

/* Grows a buffer to at least *cap bytes, keeping its first `keep`: from
 * a quarter of SIGMIX_HUGE_MIN up a fresh sigmix_huge_alloc buffer (*cap
 * rounded up to whole 2 MiB pages, `keep` bytes copied, old freed), below
 * it realloc (*cap exact). NULL (old untouched, *cap unchanged) when out
 * of memory. */
void *sigmix_huge_grow(void *old, size_t keep, size_t *cap);

#endif
