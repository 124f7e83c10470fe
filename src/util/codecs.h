/*
 * The compression libraries and libcsv on first need (internal).
 *
 * libsigmix.so does not link zlib, zstd, snappy, brotli, lz4 or libcsv:
 * every one costs page faults, mmaps and relocations at every start, and
 * most commands (JSON tables, joins, audits) never call them. Each is
 * opened by soname (from meson.build) with dlopen the first time a
 * reader or writer needs it, its entry points resolved into a read-only
 * table, and kept for the process, like OpenBLAS (blas.c).
 *
 * Usage: const sigmix_zlib_api *z = sigmix_zlib(err); if (!z) return
 * SIGMIX_EUNSUPPORTED; z->inflate(...). On failure the accessor sets err
 * (if non-NULL) to SIGMIX_EUNSUPPORTED "cannot load SONAME: WHY" and
 * returns NULL; it fails the same way on every later call. Thread-safe.
 */
#ifndef SIGMIX_UTIL_CODECS_H
#define SIGMIX_UTIL_CODECS_H

#include <stddef.h>

#include <brotli/decode.h>
#include <csv.h>
#include <lz4.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include "sigmix/common.h"

/* A table member with exactly the type of the header's declaration, so
 * the compiler checks every call made through it. __typeof__ never
 * references the symbol itself. */
#define SIGMIX_CODEC_FN(f) __typeof__(&f) f

typedef struct sigmix_zlib_api {
    SIGMIX_CODEC_FN(inflateInit2_);
    SIGMIX_CODEC_FN(inflate);
    SIGMIX_CODEC_FN(inflateReset);
    SIGMIX_CODEC_FN(inflateEnd);
    SIGMIX_CODEC_FN(deflateInit2_);
    SIGMIX_CODEC_FN(deflate);
    SIGMIX_CODEC_FN(deflateBound);
    SIGMIX_CODEC_FN(deflateEnd);
    SIGMIX_CODEC_FN(compressBound);
    SIGMIX_CODEC_FN(compress2);
    SIGMIX_CODEC_FN(crc32);
} sigmix_zlib_api;

typedef struct sigmix_zstd_api {
    SIGMIX_CODEC_FN(ZSTD_isError);
    SIGMIX_CODEC_FN(ZSTD_getErrorName);
    SIGMIX_CODEC_FN(ZSTD_createDCtx);
    SIGMIX_CODEC_FN(ZSTD_freeDCtx);
    SIGMIX_CODEC_FN(ZSTD_decompressStream);
    SIGMIX_CODEC_FN(ZSTD_decompress);
    SIGMIX_CODEC_FN(ZSTD_getFrameContentSize);
    SIGMIX_CODEC_FN(ZSTD_createCCtx);
    SIGMIX_CODEC_FN(ZSTD_freeCCtx);
    SIGMIX_CODEC_FN(ZSTD_compressStream2);
    SIGMIX_CODEC_FN(ZSTD_compressBound);
    SIGMIX_CODEC_FN(ZSTD_compressCCtx);
} sigmix_zstd_api;

typedef struct sigmix_snappy_api {
    SIGMIX_CODEC_FN(snappy_uncompressed_length);
    SIGMIX_CODEC_FN(snappy_uncompress);
    SIGMIX_CODEC_FN(snappy_max_compressed_length);
    SIGMIX_CODEC_FN(snappy_compress);
} sigmix_snappy_api;

typedef struct sigmix_brotlidec_api {
    SIGMIX_CODEC_FN(BrotliDecoderDecompress);
} sigmix_brotlidec_api;

typedef struct sigmix_lz4_api {
    SIGMIX_CODEC_FN(LZ4_decompress_safe);
} sigmix_lz4_api;

typedef struct sigmix_csv_api {
    SIGMIX_CODEC_FN(csv_init);
    SIGMIX_CODEC_FN(csv_free);
    SIGMIX_CODEC_FN(csv_parse);
    SIGMIX_CODEC_FN(csv_fini);
    SIGMIX_CODEC_FN(csv_error);
    SIGMIX_CODEC_FN(csv_strerror);
    SIGMIX_CODEC_FN(csv_set_delim);
    SIGMIX_CODEC_FN(csv_set_space_func);
    SIGMIX_CODEC_FN(csv_fwrite);
} sigmix_csv_api;

const sigmix_zlib_api *sigmix_zlib(sigmix_error *err);
const sigmix_zstd_api *sigmix_zstd(sigmix_error *err);
const sigmix_snappy_api *sigmix_snappy(sigmix_error *err);
const sigmix_brotlidec_api *sigmix_brotlidec(sigmix_error *err);
const sigmix_lz4_api *sigmix_lz4(sigmix_error *err);
const sigmix_csv_api *sigmix_csv(sigmix_error *err);

/* zlib's inflateInit2/deflateInit2 are macros over the versioned calls. */
static inline int sigmix_inflate_init2(const sigmix_zlib_api *z, z_stream *s, int bits)
{
    return z->inflateInit2_(s, bits, ZLIB_VERSION, (int)sizeof *s);
}

static inline int sigmix_deflate_init2(const sigmix_zlib_api *z, z_stream *s, int level,
                                       int bits, int mem_level)
{
    return z->deflateInit2_(s, level, Z_DEFLATED, bits, mem_level, Z_DEFAULT_STRATEGY,
                            ZLIB_VERSION, (int)sizeof *s);
}

/* For tests: the libraries the accessors above open, in this order. */
typedef enum sigmix_codec_lib {
    SIGMIX_LIB_ZLIB,
    SIGMIX_LIB_ZSTD,
    SIGMIX_LIB_SNAPPY,
    SIGMIX_LIB_BROTLIDEC,
    SIGMIX_LIB_LZ4,
    SIGMIX_LIB_CSV,
    SIGMIX_LIB_COUNT
} sigmix_codec_lib;

/* The soname the accessor for `lib` opens. */
const char *sigmix_codec_soname(sigmix_codec_lib lib);

/*
 * For tests: open `soname` and resolve `lib`'s entry points from it into
 * a scratch table, with the accessor's checks and messages, and close it
 * again. Leaves the accessors' own state alone. 0 or SIGMIX_EUNSUPPORTED.
 */
int sigmix_codec_try(sigmix_codec_lib lib, const char *soname, sigmix_error *err);

#endif
