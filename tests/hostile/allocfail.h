/*
 * Allocation-failure injection for tests (after dav1d's): a program linked
 * with ALLOCFAIL_WRAP (see tests/hostile/meson.build) sends every allocation
 * the sigmix objects linked into it make through allocfail.c, which can fail
 * exactly the n-th one. libc's, OpenBLAS's and libstdc++'s own allocations
 * are not rewritten (--wrap only changes references from the linked objects).
 */
#ifndef SIGMIX_TEST_ALLOCFAIL_H
#define SIGMIX_TEST_ALLOCFAIL_H

#include <stddef.h>

/* Count allocations from zero and fail the n-th (n = 0: fail none). */
void allocfail_arm(long n);
/* Stop failing (counting goes on); returns the allocations since arm. */
long allocfail_disarm(void);
/* The chosen allocation was reached and failed since the last arm. */
int  allocfail_hit(void);

/* Allocations that bypass injection, for the test's own bookkeeping. */
void *allocfail_real_malloc(size_t n);
char *allocfail_real_strdup(const char *s);

/*
 * Which n to try for a run of `total` allocations: every n up to all_max,
 * else n = 1..head and then about `spread` more spaced evenly. Returns the
 * next n after `n` (start with 0), or 0 when done. SIGMIX_ALLOCFAIL_ALL=1 in
 * the environment tries every n.
 */
long allocfail_next(long n, long total, long all_max, long head, long spread);

#endif
