/* Bounded protobuf wire-format reader; see pb.h. */
#include "onnx/pb.h"

int pb_varint(pb_reader *r, uint64_t *v)
{
    uint64_t x = 0;
    for (int shift = 0; shift < 70; shift += 7) {
        if (r->p >= r->end)
            return -1;
        uint8_t b = *r->p++;
        if (shift == 63 && (b & 0x7e))
            return -1; /* more than 64 bits */
        x |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *v = x;
            return 0;
        }
    }
    return -1;
}

int pb_key(pb_reader *r, uint32_t *field, int *wire)
{
    *field = 0;
    *wire = 0;
    if (r->p >= r->end)
        return 0;
    uint64_t k;
    if (pb_varint(r, &k) || (k >> 3) == 0 || (k >> 3) > 0x1fffffff)
        return -1;
    *field = (uint32_t)(k >> 3);
    *wire = (int)(k & 7);
    return 0;
}

int pb_bytes(pb_reader *r, pb_reader *sub)
{
    uint64_t n;
    if (pb_varint(r, &n) || n > pb_left(r))
        return -1;
    sub->p = r->p;
    sub->end = r->p + n;
    r->p += n;
    return 0;
}

int pb_fixed32(pb_reader *r, uint32_t *v)
{
    if (pb_left(r) < 4)
        return -1;
    const uint8_t *p = r->p;
    *v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    r->p += 4;
    return 0;
}

int pb_fixed64(pb_reader *r, uint64_t *v)
{
    uint32_t lo, hi;
    if (pb_fixed32(r, &lo) || pb_fixed32(r, &hi))
        return -1;
    *v = (uint64_t)hi << 32 | lo;
    return 0;
}

int pb_skip(pb_reader *r, int wire)
{
    uint64_t v;
    pb_reader sub;
    switch (wire) {
    case PB_VARINT:  return pb_varint(r, &v);
    case PB_FIXED64: return pb_fixed64(r, &v);
    case PB_LEN:     return pb_bytes(r, &sub);
    case PB_FIXED32: { uint32_t w; return pb_fixed32(r, &w); }
    default:         return -1; /* groups and reserved types */
    }
}

int pb_count_varints(const pb_reader *r, size_t *n)
{
    size_t c = 0;
    for (const uint8_t *p = r->p; p < r->end; p++)
        if (!(*p & 0x80))
            c++;
    if (r->p < r->end && (r->end[-1] & 0x80))
        return -1; /* truncated last varint */
    *n = c;
    return 0;
}
