/*
 * Thrift compact-protocol reader for the Parquet footer and page headers.
 * Bounded: every length and count is checked against the bytes left, the
 * struct nesting depth is limited and unknown fields are skipped. Errors
 * are sticky: after the first one every read returns 0 and `bad` stays set.
 * Owned by the Parquet reader (src/table/parquet).
 */
#ifndef SIGMIX_PQ_THRIFT_H
#define SIGMIX_PQ_THRIFT_H

#include <stddef.h>
#include <stdint.h>

enum {
    PQ_T_STOP = 0, PQ_T_TRUE = 1, PQ_T_FALSE = 2, PQ_T_I8 = 3, PQ_T_I16 = 4,
    PQ_T_I32 = 5, PQ_T_I64 = 6, PQ_T_DOUBLE = 7, PQ_T_BINARY = 8,
    PQ_T_LIST = 9, PQ_T_SET = 10, PQ_T_MAP = 11, PQ_T_STRUCT = 12,
};

enum { PQ_THRIFT_MAX_DEPTH = 32 };

typedef struct pq_thrift {
    const uint8_t *p, *end;
    int            depth;
    int            bad;    /* set on the first malformed byte */
} pq_thrift;

/* One struct being read: the previous field id (for delta encoding). */
typedef struct pq_tstruct {
    int16_t last;
} pq_tstruct;

void     sigmix_pq_thrift_init(pq_thrift *t, const uint8_t *p, size_t n);
/* Enter a struct (depth-checked). Returns 0 when the depth limit is hit. */
int      sigmix_pq_struct_begin(pq_thrift *t, pq_tstruct *s);
void     sigmix_pq_struct_end(pq_thrift *t);
/*
 * Next field header: returns 1 with *id and *type, or 0 at STOP or error.
 * A boolean field's value is in its type (PQ_T_TRUE / PQ_T_FALSE).
 */
int      sigmix_pq_field(pq_thrift *t, pq_tstruct *s, int *id, int *type);
/* Skip one value of `type` (structs and containers recursively). */
void     sigmix_pq_skip(pq_thrift *t, int type);
int64_t  sigmix_pq_int(pq_thrift *t, int type);  /* i8/i16/i32/i64 by type */
int      sigmix_pq_bool(pq_thrift *t, int type); /* field or list element */
/* Binary/string: pointer into the input and its length (checked). */
const uint8_t *sigmix_pq_binary(pq_thrift *t, size_t *len);
/*
 * List/set header: element type and count, where count is checked
 * against the bytes left (each element takes at least one byte, except
 * booleans which also take one in lists).
 */
size_t   sigmix_pq_list(pq_thrift *t, int *elem_type);

#endif
