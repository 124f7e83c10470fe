/* Chunked bump allocator: many small strings, one free. Not thread-safe. */
#ifndef SIGMIX_UTIL_ARENA_H
#define SIGMIX_UTIL_ARENA_H

#include <stddef.h>

typedef struct sigmix_arena_chunk sigmix_arena_chunk;

typedef struct sigmix_arena {
    sigmix_arena_chunk *head;
    size_t              used, size; /* of head */
    int                 failed;     /* an allocation failed: callers tell OOM from bad input */
} sigmix_arena;

void  sigmix_arena_init(sigmix_arena *a);
void  sigmix_arena_free(sigmix_arena *a);
/** 8-byte aligned block of n bytes, or NULL on OOM. Lives until free. */
void *sigmix_arena_alloc(sigmix_arena *a, size_t n);
/** Copy of s[0..len) plus NUL, or NULL on OOM. */
char *sigmix_arena_strndup(sigmix_arena *a, const char *s, size_t len);

#endif
