#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/prefault.h"

struct sigmix_arena_chunk {
    sigmix_arena_chunk *next;
    size_t              pad; /* keeps data 16-byte aligned */
    unsigned char       data[];
};

/* Chunk sizes (header included) grow from 64 KiB to 256 KiB, 2 MiB and 4 MiB,
 * so a large arena soon takes chunks on huge pages (sigmix_huge_alloc)
 * instead of a page fault per 4 KiB of strings; a small one stays small. */
enum { ARENA_CHUNK = 1 << 16, ARENA_MAX = 4 << 20 };

void sigmix_arena_init(sigmix_arena *a)
{
    a->head = NULL;
    a->used = a->size = 0;
    a->failed = 0;
}

void sigmix_arena_free(sigmix_arena *a)
{
    while (a->head) {
        sigmix_arena_chunk *n = a->head->next;
        free(a->head);
        a->head = n;
    }
    a->used = a->size = 0;
}

void *sigmix_arena_alloc(sigmix_arena *a, size_t n)
{
    n = (n + 7) & ~(size_t)7;
    if (n < 8)
        n = 8;
    if (!a->head || a->size - a->used < n) {
        const size_t hdr = sizeof(sigmix_arena_chunk);
        size_t total = !a->head ? ARENA_CHUNK
                     : a->size + hdr >= ARENA_MAX / 4 ? ARENA_MAX : 4 * (a->size + hdr);
        /* Requests of a quarter MiB and more (a Parquet page's strings)
         * mean a large arena: go straight to the largest chunks. */
        if (n >= ARENA_MAX / 16 && n <= (ARENA_MAX - hdr) / 4)
            total = ARENA_MAX;
        /* sigmix_huge_alloc rounds 1 MiB and up to whole huge pages: use them */
        if (total >= SIGMIX_HUGE_MIN)
            total = (total + ((size_t)2 << 20) - 1) & ~(((size_t)2 << 20) - 1);
        size_t sz = total - hdr;
        /* Big requests get their own chunk behind the head so the head's
         * free space is not wasted. */
        int big = n > sz / 4;
        if (big)
            sz = n;
        sigmix_arena_chunk *c = sz > SIZE_MAX - hdr ? NULL : sigmix_huge_alloc(hdr + sz);
        if (!c) {
            a->failed = 1;
            return NULL;
        }
        if (big && a->head) {
            c->next = a->head->next;
            a->head->next = c;
            return c->data;
        }
        c->next = a->head;
        a->head = c;
        a->size = sz;
        a->used = 0;
    }
    void *p = a->head->data + a->used;
    a->used += n;
    return p;
}

char *sigmix_arena_strndup(sigmix_arena *a, const char *s, size_t len)
{
    if (len == SIZE_MAX)
        return NULL;
    char *p = sigmix_arena_alloc(a, len + 1);
    if (!p)
        return NULL;
    if (len)
        memcpy(p, s, len);
    p[len] = '\0';
    return p;
}
