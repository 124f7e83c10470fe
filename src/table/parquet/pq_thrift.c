/* Thrift compact protocol, read side (see pq_thrift.h). */
#include "table/parquet/pq_thrift.h"

void sigmix_pq_thrift_init(pq_thrift *t, const uint8_t *p, size_t n)
{
    t->p = p;
    t->end = p + n;
    t->depth = 0;
    t->bad = 0;
}

static uint64_t varint(pq_thrift *t)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (t->bad || t->p >= t->end) {
            t->bad = 1;
            return 0;
        }
        uint8_t b = *t->p++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return v;
    }
    t->bad = 1; /* more than 10 bytes */
    return 0;
}

static int64_t zigzag(uint64_t v)
{
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static uint8_t byte(pq_thrift *t)
{
    if (t->bad || t->p >= t->end) {
        t->bad = 1;
        return 0;
    }
    return *t->p++;
}

int sigmix_pq_struct_begin(pq_thrift *t, pq_tstruct *s)
{
    s->last = 0;
    if (++t->depth > PQ_THRIFT_MAX_DEPTH)
        t->bad = 1;
    return !t->bad;
}

void sigmix_pq_struct_end(pq_thrift *t)
{
    t->depth--;
}

int sigmix_pq_field(pq_thrift *t, pq_tstruct *s, int *id, int *type)
{
    uint8_t h = byte(t);
    if (t->bad || h == 0)
        return 0;
    int delta = h >> 4;
    *type = h & 0x0f;
    if (delta)
        *id = s->last + delta;
    else
        *id = (int)zigzag(varint(t));
    if (*id < -32768 || *id > 32767 || *type > PQ_T_STRUCT) {
        t->bad = 1;
        return 0;
    }
    s->last = (int16_t)*id;
    return !t->bad;
}

int64_t sigmix_pq_int(pq_thrift *t, int type)
{
    switch (type) {
    case PQ_T_I8:
        return (int8_t)byte(t);
    case PQ_T_I16:
    case PQ_T_I32:
    case PQ_T_I64:
        return zigzag(varint(t));
    default:
        sigmix_pq_skip(t, type);
        t->bad = 1; /* wrong type for an integer field */
        return 0;
    }
}

int sigmix_pq_bool(pq_thrift *t, int type)
{
    if (type == PQ_T_TRUE)
        return 1;
    if (type == PQ_T_FALSE)
        return 0;
    t->bad = 1;
    return 0;
}

const uint8_t *sigmix_pq_binary(pq_thrift *t, size_t *len)
{
    uint64_t n = varint(t);
    if (t->bad || n > (uint64_t)(t->end - t->p)) {
        t->bad = 1;
        *len = 0;
        return NULL;
    }
    const uint8_t *p = t->p;
    t->p += n;
    *len = (size_t)n;
    return p;
}

size_t sigmix_pq_list(pq_thrift *t, int *elem_type)
{
    uint8_t h = byte(t);
    uint64_t n = h >> 4;
    *elem_type = h & 0x0f;
    if (n == 15)
        n = varint(t);
    /* Every element, whatever its type, takes at least one byte. */
    if (t->bad || n > (uint64_t)(t->end - t->p) || *elem_type > PQ_T_STRUCT) {
        t->bad = 1;
        return 0;
    }
    return (size_t)n;
}

void sigmix_pq_skip(pq_thrift *t, int type)
{
    if (t->bad)
        return;
    switch (type) {
    case PQ_T_TRUE:
    case PQ_T_FALSE:
        return;
    case PQ_T_I8:
        byte(t);
        return;
    case PQ_T_I16:
    case PQ_T_I32:
    case PQ_T_I64:
        varint(t);
        return;
    case PQ_T_DOUBLE:
        if (t->end - t->p < 8)
            t->bad = 1;
        else
            t->p += 8;
        return;
    case PQ_T_BINARY: {
        size_t n;
        sigmix_pq_binary(t, &n);
        return;
    }
    case PQ_T_LIST:
    case PQ_T_SET: {
        int et;
        size_t n = sigmix_pq_list(t, &et);
        if (++t->depth > PQ_THRIFT_MAX_DEPTH)
            t->bad = 1;
        for (size_t i = 0; i < n && !t->bad; i++)
            sigmix_pq_skip(t, et == PQ_T_TRUE || et == PQ_T_FALSE ? PQ_T_I8 : et);
        t->depth--;
        return;
    }
    case PQ_T_MAP: {
        uint64_t n = varint(t);
        if (n == 0)
            return;
        uint8_t kv = byte(t);
        if (t->bad || n > (uint64_t)(t->end - t->p)) {
            t->bad = 1;
            return;
        }
        int kt = kv >> 4, vt = kv & 0x0f;
        if (kt == PQ_T_TRUE || kt == PQ_T_FALSE)
            kt = PQ_T_I8;
        if (vt == PQ_T_TRUE || vt == PQ_T_FALSE)
            vt = PQ_T_I8;
        if (++t->depth > PQ_THRIFT_MAX_DEPTH)
            t->bad = 1;
        for (uint64_t i = 0; i < n && !t->bad; i++) {
            sigmix_pq_skip(t, kt);
            sigmix_pq_skip(t, vt);
        }
        t->depth--;
        return;
    }
    case PQ_T_STRUCT: {
        pq_tstruct s;
        int id, ft;
        if (!sigmix_pq_struct_begin(t, &s))
            return;
        while (sigmix_pq_field(t, &s, &id, &ft))
            sigmix_pq_skip(t, ft);
        sigmix_pq_struct_end(t);
        return;
    }
    default:
        t->bad = 1;
    }
}
