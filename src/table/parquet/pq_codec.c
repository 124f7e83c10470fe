/*
 * Page decompression through the Debian libraries (snappy, zlib, zstd,
 * lz4, brotli). The output size is always the page header's
 * uncompressed size: a stream that decodes to more or fewer bytes is an
 * error, so a lying header can never make a codec write past the buffer.
 */
#include <brotli/decode.h>
#include <lz4.h>
#include <snappy-c.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "table/parquet/pq_internal.h"

static int gzip(const uint8_t *src, size_t n, uint8_t *dst, size_t dn)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    /* 15 + 32: zlib or gzip header, detected automatically. */
    if (inflateInit2(&z, 15 + 32) != Z_OK)
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
        r = inflate(&z, Z_NO_FLUSH);
        in += before_in - z.avail_in;
        out += before_out - z.avail_out;
        if (r == Z_STREAM_END) {
            if (in < n && inflateReset(&z) != Z_OK)
                break;
            continue;
        }
        if (r != Z_OK || (before_in == z.avail_in && before_out == z.avail_out))
            break;
    }
    inflateEnd(&z);
    return r == Z_STREAM_END && out == dn ? 0 : -1;
}

/*
 * Legacy LZ4 (codec 5): either the Hadoop framing (big-endian u32
 * decompressed size, u32 compressed size, block; repeated) or, from some
 * writers, a bare LZ4 block. Try the framing first.
 */
static int hadoop_lz4(const uint8_t *src, size_t n, uint8_t *dst, size_t dn)
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
        int got = LZ4_decompress_safe((const char *)src + in, (char *)dst + out,
                                      (int)comp, (int)raw);
        if (got < 0 || (uint32_t)got != raw)
            return -1;
        in += comp;
        out += raw;
    }
    return in == n && out == dn ? 0 : -1;
}

int sigmix_pq_decompress(int codec, const uint8_t *src, size_t n, uint8_t *dst, size_t dn)
{
    switch (codec) {
    case PQ_UNCOMPRESSED:
        if (n != dn)
            return -1;
        memcpy(dst, src, n);
        return 0;
    case PQ_SNAPPY: {
        size_t len;
        if (snappy_uncompressed_length((const char *)src, n, &len) != SNAPPY_OK || len != dn)
            return -1;
        return snappy_uncompress((const char *)src, n, (char *)dst, &len) == SNAPPY_OK &&
               len == dn ? 0 : -1;
    }
    case PQ_GZIP:
        return gzip(src, n, dst, dn);
    case PQ_ZSTD: {
        size_t r = ZSTD_decompress(dst, dn, src, n);
        return !ZSTD_isError(r) && r == dn ? 0 : -1;
    }
    case PQ_BROTLI: {
        size_t len = dn;
        return BrotliDecoderDecompress(n, src, &len, dst) == BROTLI_DECODER_RESULT_SUCCESS &&
               len == dn ? 0 : -1;
    }
    case PQ_LZ4_RAW: {
        if (n > INT32_MAX || dn > INT32_MAX)
            return -1;
        int got = LZ4_decompress_safe((const char *)src, (char *)dst, (int)n, (int)dn);
        return got >= 0 && (size_t)got == dn ? 0 : -1;
    }
    case PQ_LZ4:
        if (!hadoop_lz4(src, n, dst, dn))
            return 0;
        if (n > INT32_MAX || dn > INT32_MAX)
            return -1;
        {
            int got = LZ4_decompress_safe((const char *)src, (char *)dst, (int)n, (int)dn);
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
        size_t len;
        return snappy_uncompressed_length((const char *)src, n, &len) == SNAPPY_OK && len == dn;
    }
    case PQ_GZIP:
        return dn / 1032 <= n + slack;
    case PQ_LZ4:
    case PQ_LZ4_RAW:
        return dn / 255 <= n + slack;
    case PQ_ZSTD: {
        unsigned long long c = ZSTD_getFrameContentSize(src, n);
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
