/*
 * Bounded protobuf wire-format reader. Every read
 * checks the remaining bytes; a malformed buffer yields -1, never an
 * out-of-bounds access. Only the wire types ONNX uses are accepted
 * (varint, fixed64, length-delimited, fixed32); groups are refused.
 */
#ifndef SIGMIX_ONNX_PB_H
#define SIGMIX_ONNX_PB_H

#include <stddef.h>
#include <stdint.h>

enum { PB_VARINT = 0, PB_FIXED64 = 1, PB_LEN = 2, PB_FIXED32 = 5 };

typedef struct pb_reader {
    const uint8_t *p, *end;
} pb_reader;

static inline pb_reader pb_make(const void *data, size_t size)
{
    pb_reader r = { (const uint8_t *)data, (const uint8_t *)data + size };
    return r;
}

static inline size_t pb_left(const pb_reader *r) { return (size_t)(r->end - r->p); }

int pb_varint(pb_reader *r, uint64_t *v);
/** Next field key; 0 with *field = 0 at the end of the buffer. */
int pb_key(pb_reader *r, uint32_t *field, int *wire);
/** Length-delimited payload as a sub-reader (bounded by the parent). */
int pb_bytes(pb_reader *r, pb_reader *sub);
int pb_fixed32(pb_reader *r, uint32_t *v);
int pb_fixed64(pb_reader *r, uint64_t *v);
/** Skip one value of the given wire type. */
int pb_skip(pb_reader *r, int wire);

/*
 * Repeated scalars may come packed (one PB_LEN run) or one per key. This
 * counts the values in one occurrence (parse.c decodes them as it fills).
 */
int pb_count_varints(const pb_reader *r, size_t *n);

#endif
