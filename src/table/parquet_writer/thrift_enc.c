/* Byte buffer and Thrift compact-protocol encoder for the Parquet writer. */
#include <stdlib.h>
#include <string.h>

#include "table/parquet_writer/pqw.h"
#include "util/prefault.h"

void pqw_buf_free(pqw_buf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

int pqw_buf_reserve(pqw_buf *b, size_t extra)
{
    if (b->oom)
        return -1;
    if (extra <= b->cap - b->len)
        return 0;
    if (extra > SIZE_MAX / 2 - b->len) {
        b->oom = 1;
        return -1;
    }
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len < extra)
        cap *= 2;
    uint8_t *p = sigmix_huge_grow(b->p, b->len, &cap); /* few faults (prefault.h) */
    if (!p) {
        b->oom = 1;
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

void pqw_put(pqw_buf *b, const void *p, size_t n)
{
    if (!n || pqw_buf_reserve(b, n))
        return;
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

void pqw_put_byte(pqw_buf *b, uint8_t v)
{
    if (b->len < b->cap)
        b->p[b->len++] = v;
    else
        pqw_put(b, &v, 1);
}

void pqw_put_u32le(pqw_buf *b, uint32_t v)
{
    uint8_t x[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
    pqw_put(b, x, 4);
}

void pqw_put_varint(pqw_buf *b, uint64_t v)
{
    uint8_t x[10];
    size_t n = 0;
    while (v >= 0x80) {
        x[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    x[n++] = (uint8_t)v;
    pqw_put(b, x, n);
}

static uint64_t zigzag(int64_t v)
{
    return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

void thr_init(thr_w *w, pqw_buf *b)
{
    memset(w, 0, sizeof *w);
    w->b = b;
    w->depth = 1;
}

/* Field header: short form when the id delta is 1..15 (compact protocol). */
static void field(thr_w *w, int16_t id, int type)
{
    int16_t *last = &w->last[w->depth - 1];
    int delta = id - *last;
    if (delta > 0 && delta <= 15) {
        pqw_put_byte(w->b, (uint8_t)(delta << 4 | type));
    } else {
        pqw_put_byte(w->b, (uint8_t)type);
        pqw_put_varint(w->b, zigzag(id));
    }
    *last = id;
}

void thr_i32(thr_w *w, int16_t id, int32_t v)
{
    field(w, id, THR_I32);
    pqw_put_varint(w->b, zigzag(v));
}

void thr_i64(thr_w *w, int16_t id, int64_t v)
{
    field(w, id, THR_I64);
    pqw_put_varint(w->b, zigzag(v));
}

void thr_i16(thr_w *w, int16_t id, int16_t v)
{
    field(w, id, THR_I16);
    pqw_put_varint(w->b, zigzag(v));
}

void thr_byte(thr_w *w, int16_t id, int8_t v)
{
    field(w, id, THR_BYTE);
    pqw_put_byte(w->b, (uint8_t)v);
}

void thr_bool(thr_w *w, int16_t id, int v)
{
    field(w, id, v ? THR_TRUE : THR_FALSE);
}

void thr_bin(thr_w *w, int16_t id, const void *p, size_t n)
{
    field(w, id, THR_BINARY);
    thr_elem_bin(w, p, n);
}

void thr_str(thr_w *w, int16_t id, const char *s)
{
    thr_bin(w, id, s, strlen(s));
}

static void push(thr_w *w)
{
    /* Depth is fixed by the writer's own schema; overflow is a bug,
     * reported as a failed buffer rather than a stray write. */
    if (w->depth >= THR_MAX_DEPTH) {
        w->b->oom = 1;
        return;
    }
    w->last[w->depth++] = 0;
}

void thr_struct(thr_w *w, int16_t id)
{
    field(w, id, THR_STRUCT);
    push(w);
}

void thr_list(thr_w *w, int16_t id, int elem_type, size_t n)
{
    field(w, id, THR_LIST);
    if (n < 15) {
        pqw_put_byte(w->b, (uint8_t)(n << 4 | (size_t)elem_type));
    } else {
        pqw_put_byte(w->b, (uint8_t)(0xF0 | elem_type));
        pqw_put_varint(w->b, n);
    }
}

void thr_elem_struct(thr_w *w)
{
    push(w);
}

void thr_elem_i32(thr_w *w, int32_t v)
{
    pqw_put_varint(w->b, zigzag(v));
}

void thr_elem_bin(thr_w *w, const void *p, size_t n)
{
    pqw_put_varint(w->b, n);
    pqw_put(w->b, p, n);
}

void thr_end(thr_w *w)
{
    pqw_put_byte(w->b, 0);
    if (w->depth > 0)
        w->depth--;
}
