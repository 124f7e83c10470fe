/* One-call fault-in of fresh arrays (see prefault.h). */
#include "util/prefault.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

void sigmix_prefault(void *p, size_t bytes)
{
    if (bytes < SIGMIX_PREFAULT_MIN)
        return;
#if defined(MADV_HUGEPAGE)
    const uintptr_t huge = (uintptr_t)2 << 20;
    uintptr_t ha = ((uintptr_t)p + huge - 1) & ~(huge - 1), hb = ((uintptr_t)p + bytes) & ~(huge - 1);
    if (hb > ha)
        (void)madvise((void *)ha, hb - ha, MADV_HUGEPAGE);
#endif
#if defined(MADV_POPULATE_WRITE)
    long pg = sysconf(_SC_PAGESIZE);
    if (pg > 0) {
        uintptr_t a = ((uintptr_t)p + (uintptr_t)pg - 1) & ~((uintptr_t)pg - 1);
        uintptr_t b = ((uintptr_t)p + bytes) & ~((uintptr_t)pg - 1);
        if (b > a)
            (void)madvise((void *)a, b - a, MADV_POPULATE_WRITE);
    }
#endif
}

void *sigmix_huge_grow(void *old, size_t keep, size_t *cap)
{
    const size_t huge = (size_t)2 << 20;
    size_t want = *cap;
    if (want < SIGMIX_HUGE_MIN / 4)
        return realloc(old, want ? want : 1);
    if (want < SIGMIX_HUGE_MIN)
        want = SIGMIX_HUGE_MIN; /* a buffer this big tends to grow on */
    if (want > PTRDIFF_MAX - huge)
        return NULL;
    want = (want + huge - 1) & ~(huge - 1);
    void *p = sigmix_huge_alloc(want);
    if (!p)
        return NULL;
    if (keep)
        memcpy(p, old, keep);
    free(old);
    *cap = want;
    return p;
}

void *sigmix_huge_alloc(size_t bytes)
{
    const size_t huge = (size_t)2 << 20;
    if (bytes < SIGMIX_HUGE_MIN || bytes > SIZE_MAX - huge)
        return malloc(bytes ? bytes : 1);
    bytes = (bytes + huge - 1) & ~(huge - 1);
    void *p = aligned_alloc(huge, bytes);
#if defined(MADV_HUGEPAGE)
    if (p)
        (void)madvise(p, bytes, MADV_HUGEPAGE); /* best effort */
#endif
    return p;
}
