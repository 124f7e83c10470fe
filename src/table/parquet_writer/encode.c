/*
 * Parquet encodings the writer needs: the RLE/bit-packed hybrid (levels and
 * dictionary indices), bit-packed booleans, and page compression through
 * libsnappy, libzstd and zlib (opened on first use, util/codecs.h).
 */
#include <stdlib.h>
#include <string.h>

#include "table/parquet_writer/pqw.h"
#include "util/codecs.h"

int pqw_bit_width(uint32_t max_value)
{
    int bw = 1;
    while (bw < 32 && (max_value >> bw))
        bw++;
    return bw;
}

/* Length of the run of equal values starting at v[i], capped at cap. */
static size_t run_at(const uint32_t *v, size_t n, size_t i, size_t cap)
{
    size_t j = i + 1;
    while (j < n && j - i < cap && v[j] == v[i])
        j++;
    return j - i;
}

static void rle_run(pqw_buf *b, uint32_t value, size_t count, int bw)
{
    pqw_put_varint(b, (uint64_t)count << 1);
    for (int k = 0; k < (bw + 7) / 8; k++)
        pqw_put_byte(b, (uint8_t)(value >> (8 * k)));
}

/* One bit-packed run of `groups` groups of 8 values (zero-padded past n). */
static void packed_run(pqw_buf *b, const uint32_t *v, size_t n, size_t groups, int bw)
{
    pqw_put_varint(b, (uint64_t)groups << 1 | 1);
    if (pqw_buf_reserve(b, groups * (size_t)bw))
        return;
    uint64_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < groups * 8; i++) {
        acc |= (uint64_t)(i < n ? v[i] : 0) << bits;
        bits += bw;
        while (bits >= 8) {
            b->p[b->len++] = (uint8_t)acc;
            acc >>= 8;
            bits -= 8;
        }
    }
}

/*
 * Runs of 8 or more equal values become RLE runs; the rest goes into
 * bit-packed runs of whole groups of 8 (the last one zero-padded, which
 * readers ignore because pages carry their value count).
 */
void pqw_rle_encode(pqw_buf *b, const uint32_t *v, size_t n, int bw)
{
    size_t i = 0;
    while (i < n) {
        size_t run = run_at(v, n, i, SIZE_MAX);
        if (run >= 8) {
            rle_run(b, v[i], run, bw);
            i += run;
            continue;
        }
        size_t start = i, groups = 0;
        /* Up to 63 groups keeps the run header to one byte. */
        while (i < n && groups < 63) {
            if (groups && run_at(v, n, i, 8) >= 8)
                break;
            i += 8;
            groups++;
        }
        packed_run(b, v + start, n - start, groups, bw);
        if (i > n)
            i = n;
    }
}

void pqw_pack_bools(pqw_buf *b, const uint8_t *bits, size_t n)
{
    if (pqw_buf_reserve(b, (n + 7) / 8))
        return;
    for (size_t i = 0; i < n; i += 8) {
        uint8_t x = 0;
        for (size_t k = 0; k < 8 && i + k < n; k++)
            x |= (uint8_t)((bits[i + k] ? 1u : 0u) << k);
        b->p[b->len++] = x;
    }
}

/* ---- compression ---------------------------------------------------- */

struct pqw_codec {
    int        codec;
    const sigmix_zlib_api   *zl;   /* every page's CRC-32; GZIP pages */
    const sigmix_snappy_api *sn;   /* SNAPPY */
    const sigmix_zstd_api   *zs;   /* ZSTD */
    ZSTD_CCtx *zstd;
};

int pqw_codec_open(pqw_codec **out, int codec, sigmix_error *err)
{
    *out = NULL;
    const sigmix_zlib_api *zl = sigmix_zlib(err);
    const sigmix_snappy_api *sn = NULL;
    const sigmix_zstd_api *zs = NULL;
    if (!zl || (codec == PQ_CODEC_SNAPPY && !(sn = sigmix_snappy(err))) ||
        (codec == PQ_CODEC_ZSTD && !(zs = sigmix_zstd(err))))
        return SIGMIX_EUNSUPPORTED;
    pqw_codec *c = calloc(1, sizeof *c);
    *out = c;
    if (!c)
        return SIGMIX_ENOMEM;
    c->codec = codec;
    c->zl = zl, c->sn = sn, c->zs = zs;
    if (codec == PQ_CODEC_ZSTD && !(c->zstd = zs->ZSTD_createCCtx())) {
        pqw_codec_close(out);
        return SIGMIX_ENOMEM;
    }
    return 0;
}

void pqw_codec_close(pqw_codec **pc)
{
    pqw_codec *c = *pc;
    if (!c)
        return;
    if (c->zstd)
        c->zs->ZSTD_freeCCtx(c->zstd);
    free(c);
    *pc = NULL;
}

uint32_t pqw_crc32(const pqw_codec *c, const uint8_t *p, size_t n)
{
    return (uint32_t)c->zl->crc32(c->zl->crc32(0, Z_NULL, 0), p, (uInt)n);
}

static int gzip_compress(const sigmix_zlib_api *zl, const uint8_t *src, size_t n, pqw_buf *out)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    /* windowBits 15 + 16: gzip framing, as parquet-mr and Arrow write GZIP pages. */
    if (sigmix_deflate_init2(zl, &z, Z_DEFAULT_COMPRESSION, 15 + 16, 8) != Z_OK)
        return SIGMIX_ENOMEM;
    if (n > UINT32_MAX / 2) {
        zl->deflateEnd(&z);
        return SIGMIX_EUNSUPPORTED;
    }
    size_t bound = zl->deflateBound(&z, (uLong)n);
    if (pqw_buf_reserve(out, bound)) {
        zl->deflateEnd(&z);
        return SIGMIX_ENOMEM;
    }
    z.next_in = (Bytef *)(uintptr_t)src;
    z.avail_in = (uInt)n;
    z.next_out = out->p;
    z.avail_out = (uInt)bound;
    int r = zl->deflate(&z, Z_FINISH);
    out->len = z.total_out;
    zl->deflateEnd(&z);
    return r == Z_STREAM_END ? 0 : SIGMIX_ENOMEM;
}

int pqw_compress(pqw_codec *c, const uint8_t *src, size_t n, pqw_buf *out)
{
    out->len = 0;
    if (c->codec == PQ_CODEC_NONE) {
        pqw_put(out, src, n);
        return out->oom ? SIGMIX_ENOMEM : 0;
    }
    if (c->codec == PQ_CODEC_GZIP)
        return gzip_compress(c->zl, src, n, out);
    if (c->codec == PQ_CODEC_SNAPPY) {
        size_t bound = c->sn->snappy_max_compressed_length(n);
        if (pqw_buf_reserve(out, bound))
            return SIGMIX_ENOMEM;
        size_t len = bound;
        if (c->sn->snappy_compress((const char *)src, n, (char *)out->p, &len) != SNAPPY_OK)
            return SIGMIX_ENOMEM;
        out->len = len;
        return 0;
    }
    size_t bound = c->zs->ZSTD_compressBound(n);
    if (pqw_buf_reserve(out, bound))
        return SIGMIX_ENOMEM;
    size_t len = c->zs->ZSTD_compressCCtx(c->zstd, out->p, bound, src, n, ZSTD_CLEVEL_DEFAULT);
    if (c->zs->ZSTD_isError(len))
        return SIGMIX_ENOMEM;
    out->len = len;
    return 0;
}
