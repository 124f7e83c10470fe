/*
 * Page decompression through the Debian libraries (snappy, zlib, zstd,
 * lz4, brotli), each opened when the first column chunk needs it
 * (sigmix_pq_codec_load; util/codecs.h). The output size is always the
 * page header's uncompressed size: a stream that decodes to more or fewer
 * bytes is an error, so a lying header can never make a codec write past
 * the buffer.
 */
#include <string.h>

#include "table/parquet/pq_internal.h"
#include "util/codecs.h"

int sigmix_pq_codec_load(int codec, sigmix_error *err)
{
    int ok = 1;
    switch (codec) {
    case PQ_SNAPPY: ok = sigmix_snappy(err) != NULL; break;
    case PQ_GZIP:   ok = sigmix_zlib(err) != NULL; break;
    case PQ_ZSTD:   ok = sigmix_zstd(err) != NULL; break;
    case PQ_BROTLI: ok = sigmix_brotlidec(err) != NULL; break;
    case PQ_LZ4:
    case PQ_LZ4_RAW: ok = sigmix_lz4(err) != NULL; break;
    default: break;
    }
    return ok ? 0 : SIGMIX_EUNSUPPORTED;
}

static int gzip(const sigmix_zlib_api *zl, const uint8_t *src, size_t n, uint8_t *dst, size_t dn)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    /* 15 + 32: zlib or gzip header, detected automatically. */
    if (sigmix_inflate_init2(zl, &z, 15 + 32) != Z_OK)
        return -1;
    size_t in = 0, out = 0;
    int r = Z_OK;
    /* Loop over concatenated gzip members (Hadoop writes several). */
    while (in < n) {
        z.next_in = (Bytef *)(src + in);
        z.avail_in = (uInt)(n - in > UINT32_MAX ? UINT32_MAX : n - in);
        z.next_out = dst + out;
        z.avail_out = (uInt)(dn - out > UINT32_MAX ? UINT32_MAX : dn - out);
        size_t before_in = z.avail_in, before_out = z.avail_out;
        r = zl->inflate(&z, Z_NO_FLUSH);
        in += before_in - z.avail_in;
        out += before_out - z.avail_out;
        if (r == Z_STREAM_END) {
            if (in < n && zl->inflateReset(&z) != Z_OK)
                break;
            continue;
        }
        if (r != Z_OK || (before_in == z.avail_in && before_out == z.avail_out))
            break;
    }
    zl->inflateEnd(&z);
    return r == Z_STREAM_END && out == dn ? 0 : -1;
}

/*
 * Legacy LZ4 (codec 5): either the Hadoop framing (big-endian u32
 * decompressed size, u32 compressed size, block; repeated) or, from some
 * writers, a bare LZ4 block. Try the framing first.
 */
static int hadoop_lz4(const sigmix_lz4_api *lz, const uint8_t *src, size_t n, uint8_t *dst,
                      size_t dn)
{
    size_t in = 0, out = 0;
    while (in + 8 <= n) {
        uint32_t raw = (uint32_t)src[in] << 24 | (uint32_t)src[in + 1] << 16 |
                       (uint32_t)src[in + 2] << 8 | src[in + 3];
        uint32_t comp = (uint32_t)src[in + 4] << 24 | (uint32_t)src[in + 5] << 16 |
                        (uint32_t)src[in + 6] << 8 | src[in + 7];
        in += 8;
        if (comp > n - in || raw > dn - out || comp > INT32_MAX || raw > INT32_MAX)
            return -1;
        int got = lz->LZ4_decompress_safe((const char *)src + in, (char *)dst + out,
                                          (int)comp, (int)raw);
        if (got < 0 || (uint32_t)got != raw)
            return -1;
        in += comp;
        out += raw;
    }
    return in == n && out == dn ? 0 : -1;
}

/* The accessors below cannot fail once sigmix_pq_codec_load succeeded for
 * the chunk's codec; without it they answer -1 (undecodable). */
int sigmix_pq_decompress(int codec, const uint8_t *src, size_t n, uint8_t *dst, size_t dn)
{
    switch (codec) {
    case PQ_UNCOMPRESSED:
        if (n != dn)
            return -1;
        memcpy(dst, src, n);
        return 0;
    case PQ_SNAPPY: {
        const sigmix_snappy_api *sn = sigmix_snappy(NULL);
        size_t len;
        if (!sn || sn->snappy_uncompressed_length((const char *)src, n, &len) != SNAPPY_OK ||
            len != dn)
            return -1;
        return sn->snappy_uncompress((const char *)src, n, (char *)dst, &len) == SNAPPY_OK &&
               len == dn ? 0 : -1;
    }
    case PQ_GZIP: {
        const sigmix_zlib_api *zl = sigmix_zlib(NULL);
        return zl ? gzip(zl, src, n, dst, dn) : -1;
    }
    case PQ_ZSTD: {
        const sigmix_zstd_api *zs = sigmix_zstd(NULL);
        if (!zs)
            return -1;
        size_t r = zs->ZSTD_decompress(dst, dn, src, n);
        return !zs->ZSTD_isError(r) && r == dn ? 0 : -1;
    }
    case PQ_BROTLI: {
        const sigmix_brotlidec_api *br = sigmix_brotlidec(NULL);
        size_t len = dn;
        return br && br->BrotliDecoderDecompress(n, src, &len, dst) ==
                     BROTLI_DECODER_RESULT_SUCCESS && len == dn ? 0 : -1;
    }
    case PQ_LZ4_RAW:
    case PQ_LZ4: {
        const sigmix_lz4_api *lz = sigmix_lz4(NULL);
        if (!lz)
            return -1;
        if (codec == PQ_LZ4 && !hadoop_lz4(lz, src, n, dst, dn))
            return 0;
        if (n > INT32_MAX || dn > INT32_MAX)
            return -1;
        int got = lz->LZ4_decompress_safe((const char *)src, (char *)dst, (int)n, (int)dn);
        return got >= 0 && (size_t)got == dn ? 0 : -1;
    }
    default:
        return -1;
    }
}

int sigmix_pq_size_plausible(int codec, const uint8_t *src, size_t n, size_t dn)
{
    /* Worst-case expansion of each format, plus a little slack. */
    const size_t slack = 1024;
    switch (codec) {
    case PQ_UNCOMPRESSED:
        return dn == n;
    case PQ_SNAPPY: {
        const sigmix_snappy_api *sn = sigmix_snappy(NULL);
        size_t len;
        return sn && sn->snappy_uncompressed_length((const char *)src, n, &len) == SNAPPY_OK &&
               len == dn;
    }
    case PQ_GZIP:
        return dn / 1032 <= n + slack;
    case PQ_LZ4:
    case PQ_LZ4_RAW:
        return dn / 255 <= n + slack;
    case PQ_ZSTD: {
        const sigmix_zstd_api *zs = sigmix_zstd(NULL);
        if (!zs)
            return 0;
        unsigned long long c = zs->ZSTD_getFrameContentSize(src, n);
        if (c != ZSTD_CONTENTSIZE_UNKNOWN && c != ZSTD_CONTENTSIZE_ERROR)
            return c <= dn; /* several frames may follow: the first fits */
        return dn / 4096 <= n + slack * 16;
    }
    case PQ_BROTLI:
        return dn / 4096 <= n + slack * 16;
    default:
        return 0;
    }
}

const char *sigmix_pq_codec_name(int codec)
{
    static const char *const names[] = { "UNCOMPRESSED", "SNAPPY", "GZIP", "LZO",
                                         "BROTLI", "LZ4", "ZSTD", "LZ4_RAW" };
    return codec >= 0 && codec < 8 ? names[codec] : "unknown";
}
