/*
 * Fuzz target for the Parquet value decoders on raw bytes: the first
 * byte picks the decoder and its parameter, the rest is the stream.
 */
#include <stdint.h>
#include <stdlib.h>

#include "table/parquet/pq_decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { MAXV = 4096 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    uint8_t sel = data[0];
    const uint8_t *p = data + 1;
    size_t n = size - 1;
    switch (sel % 5) {
    case 0: { /* RLE/bit-packed hybrid at width sel/5 (0..51: >32 must fail) */
        uint32_t *out = malloc(MAXV * sizeof *out);
        if (!out) /* the allocation-failure run (tests/hostile) failed ours */
            break;
        pq_rle r;
        sigmix_pq_rle_init(&r, p, n, sel / 5);
        for (int i = 0; i < 8 && !sigmix_pq_rle_get(&r, out, (size_t)(i * 97) % MAXV); i++)
            ;
        free(out);
        break;
    }
    case 1: { /* DELTA_BINARY_PACKED, 32 or 64 bit */
        int64_t *out = malloc(MAXV * sizeof *out);
        if (!out)
            break;
        size_t count, used;
        sigmix_pq_delta_binary(p, n, out, MAXV, &count, &used, sel & 8);
        free(out);
        break;
    }
    case 2: {
        pq_span *sp = malloc(MAXV * sizeof *sp);
        if (!sp)
            break;
        sigmix_pq_delta_length(p, n, sp, MAXV);
        free(sp);
        break;
    }
    case 3: {
        pq_span *sp = malloc(MAXV * sizeof *sp);
        if (!sp)
            break;
        uint8_t *buf = NULL;
        size_t cap = 0;
        sigmix_pq_delta_byte_array(p, n, sp, MAXV, &buf, &cap, 1 << 20);
        free(buf);
        free(sp);
        break;
    }
    default: { /* bit unpacking at width sel/5 (0..51) from an offset */
        uint64_t *out = malloc(64 * sizeof *out);
        if (!out)
            break;
        sigmix_pq_unpack64(p, n, sel & 7, 64, sel / 5, out);
        free(out);
        break;
    }
    }
    return 0;
}
