/*
 * Parquet value and level decoders that do not depend on the column type:
 * RLE/bit-packed hybrid, DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY,
 * DELTA_BYTE_ARRAY and BYTE_STREAM_SPLIT. Every decoder reads only
 * inside the buffer it is given and returns -1 on malformed or truncated
 * input. Owned by the Parquet reader; unit-tested in tests/parquet.
 */
#ifndef SIGMIX_PQ_DECODE_H
#define SIGMIX_PQ_DECODE_H

#include <stddef.h>
#include <stdint.h>

/* RLE/bit-packed hybrid stream of `bw`-bit values (0 <= bw <= 32). */
typedef struct pq_rle {
    const uint8_t *p, *end;
    int            bw;
    uint32_t       left;       /* values left in the current run */
    int            packed;     /* current run is bit-packed */
    uint32_t       value;      /* RLE run value */
    const uint8_t *bp;         /* bit-packed run start */
    size_t         bp_bytes;   /* bytes available in that run */
    uint64_t       bp_index;   /* next value index in the run */
} pq_rle;

void sigmix_pq_rle_init(pq_rle *r, const uint8_t *p, size_t n, int bw);
/* Next n values into out. Returns 0, or -1 when the stream ends early. */
int  sigmix_pq_rle_get(pq_rle *r, uint32_t *out, size_t n);

/*
 * Unpack n little-endian bit-packed values of bw bits (0..64) starting at
 * value index `first` of buf[0..len). Returns -1 if they are not all
 * inside buf.
 */
int  sigmix_pq_unpack64(const uint8_t *buf, size_t len, uint64_t first, size_t n,
                        int bw, uint64_t *out);

/*
 * DELTA_BINARY_PACKED: decode every value of the stream at p[0..n) into
 * out (room for max values). *count receives the value count from the
 * header and *used the bytes consumed. is32: values wrap at 32 bits.
 * Returns 0 or -1.
 */
int  sigmix_pq_delta_binary(const uint8_t *p, size_t n, int64_t *out, size_t max,
                            size_t *count, size_t *used, int is32);

/* Value count announced by a DELTA_BINARY_PACKED header (for sizing), or -1. */
int64_t sigmix_pq_delta_count(const uint8_t *p, size_t n);

/* A byte string decoded from a page: offset into a buffer, and length. */
typedef struct pq_span {
    size_t off;
    size_t len;
} pq_span;

/*
 * DELTA_LENGTH_BYTE_ARRAY: up to max values; spans are offsets into p.
 * Returns the number of values or -1.
 */
long sigmix_pq_delta_length(const uint8_t *p, size_t n, pq_span *out, size_t max);

/*
 * DELTA_BYTE_ARRAY: values are rebuilt into *buf (grown with realloc,
 * *cap its size; at most `limit` bytes in all) and spans point into it.
 * Returns the number of values or -1.
 */
long sigmix_pq_delta_byte_array(const uint8_t *p, size_t n, pq_span *out, size_t max,
                                uint8_t **buf, size_t *cap, size_t limit);

/* BYTE_STREAM_SPLIT: n values of width w from src (n*w bytes) into dst. */
void sigmix_pq_bss(const uint8_t *src, size_t n, size_t w, uint8_t *dst);

#endif
