/* A growing text buffer for the table tests that build inputs in memory.
 * Include after <cmocka.h> (a failed allocation fails the test). */
#ifndef TT_BUF_H
#define TT_BUF_H

#include <stdlib.h>
#include <string.h>

typedef struct buf {
    char  *p;
    size_t n, cap;
} buf;

static void put(buf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->p = realloc(b->p, b->cap);
        assert_non_null(b->p);
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

static void puts_(buf *b, const char *s)
{
    put(b, s, strlen(s));
}

#endif
