/* The compression libraries and libcsv on first need; see codecs.h. */
#include "util/codecs.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#include "sigmix_config.h"
#include "util/error.h"

/* One library being opened: its handle and the first entry point it lacks. */
typedef struct loader {
    void       *h;
    const char *missing;
} loader;

static void *sym(loader *L, const char *name)
{
    void *p = dlsym(L->h, name);
    if (!p && !L->missing)
        L->missing = name;
    return p;
}

/* The member and the symbol share their name; the member's type is the
 * header's (codecs.h), so the cast restores exactly that type. */
#define GET(a, name) ((a)->name = (__typeof__((a)->name))sym(L, #name))

static void fill_zlib(loader *L, void *api)
{
    sigmix_zlib_api *a = api;
    GET(a, inflateInit2_);
    GET(a, inflate);
    GET(a, inflateReset);
    GET(a, inflateEnd);
    GET(a, deflateInit2_);
    GET(a, deflate);
    GET(a, deflateBound);
    GET(a, deflateEnd);
    GET(a, compressBound);
    GET(a, compress2);
    GET(a, crc32);
}

static void fill_zstd(loader *L, void *api)
{
    sigmix_zstd_api *a = api;
    GET(a, ZSTD_isError);
    GET(a, ZSTD_getErrorName);
    GET(a, ZSTD_createDCtx);
    GET(a, ZSTD_freeDCtx);
    GET(a, ZSTD_decompressStream);
    GET(a, ZSTD_decompress);
    GET(a, ZSTD_getFrameContentSize);
    GET(a, ZSTD_createCCtx);
    GET(a, ZSTD_freeCCtx);
    GET(a, ZSTD_compressStream2);
    GET(a, ZSTD_compressBound);
    GET(a, ZSTD_compressCCtx);
}

static void fill_snappy(loader *L, void *api)
{
    sigmix_snappy_api *a = api;
    GET(a, snappy_uncompressed_length);
    GET(a, snappy_uncompress);
    GET(a, snappy_max_compressed_length);
    GET(a, snappy_compress);
}

static void fill_brotlidec(loader *L, void *api)
{
    sigmix_brotlidec_api *a = api;
    GET(a, BrotliDecoderDecompress);
}

static void fill_lz4(loader *L, void *api)
{
    sigmix_lz4_api *a = api;
    GET(a, LZ4_decompress_safe);
}

static void fill_csv(loader *L, void *api)
{
    sigmix_csv_api *a = api;
    GET(a, csv_init);
    GET(a, csv_free);
    GET(a, csv_parse);
    GET(a, csv_fini);
    GET(a, csv_error);
    GET(a, csv_strerror);
    GET(a, csv_set_delim);
    GET(a, csv_set_space_func);
    GET(a, csv_fwrite);
}

static const struct {
    const char *soname;
    void      (*fill)(loader *L, void *api);
} spec[SIGMIX_LIB_COUNT] = {
    [SIGMIX_LIB_ZLIB]      = { SIGMIX_ZLIB_SONAME, fill_zlib },
    [SIGMIX_LIB_ZSTD]      = { SIGMIX_ZSTD_SONAME, fill_zstd },
    [SIGMIX_LIB_SNAPPY]    = { SIGMIX_SNAPPY_SONAME, fill_snappy },
    [SIGMIX_LIB_BROTLIDEC] = { SIGMIX_BROTLIDEC_SONAME, fill_brotlidec },
    [SIGMIX_LIB_LZ4]       = { SIGMIX_LZ4_SONAME, fill_lz4 },
    [SIGMIX_LIB_CSV]       = { SIGMIX_CSV_SONAME, fill_csv },
};

const char *sigmix_codec_soname(sigmix_codec_lib lib)
{
    return (unsigned)lib < SIGMIX_LIB_COUNT ? spec[lib].soname : "";
}

/* Open soname and fill api with lib's entry points: the handle, or NULL
 * with the reason in msg. RTLD_LOCAL: the library's symbols never take
 * part in the resolution of anything else in the process. */
static void *open_lib(sigmix_codec_lib lib, const char *soname, void *api, char *msg,
                      size_t cap)
{
    void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *e = dlerror();
        snprintf(msg, cap, "cannot load %s: %s", soname, e ? e : "dlopen failed");
        return NULL;
    }
    loader L = { h, NULL };
    spec[lib].fill(&L, api);
    if (L.missing) {
        snprintf(msg, cap, "cannot load %s: symbol %s not found", soname, L.missing);
        dlclose(h);
        return NULL;
    }
    return h;
}

/* The tables, written once under their pthread_once and read-only after.
 * The handles stay open for the process (the tables point into them). */
static sigmix_zlib_api      zlib_api;
static sigmix_zstd_api      zstd_api;
static sigmix_snappy_api    snappy_api;
static sigmix_brotlidec_api brotlidec_api;
static sigmix_lz4_api       lz4_api;
static sigmix_csv_api       csv_api;

static void *const api_of[SIGMIX_LIB_COUNT] = {
    &zlib_api, &zstd_api, &snappy_api, &brotlidec_api, &lz4_api, &csv_api,
};

static struct {
    pthread_once_t once;
    int            ok;
    char           msg[SIGMIX_ERROR_MSG];
} state[SIGMIX_LIB_COUNT] = {
    { PTHREAD_ONCE_INIT, 0, "" }, { PTHREAD_ONCE_INIT, 0, "" }, { PTHREAD_ONCE_INIT, 0, "" },
    { PTHREAD_ONCE_INIT, 0, "" }, { PTHREAD_ONCE_INIT, 0, "" }, { PTHREAD_ONCE_INIT, 0, "" },
};

static void load(sigmix_codec_lib lib)
{
    state[lib].ok = open_lib(lib, spec[lib].soname, api_of[lib], state[lib].msg,
                             sizeof state[lib].msg) != NULL;
}

/* pthread_once takes no argument: one entry per library. */
static void load_zlib(void) { load(SIGMIX_LIB_ZLIB); }
static void load_zstd(void) { load(SIGMIX_LIB_ZSTD); }
static void load_snappy(void) { load(SIGMIX_LIB_SNAPPY); }
static void load_brotlidec(void) { load(SIGMIX_LIB_BROTLIDEC); }
static void load_lz4(void) { load(SIGMIX_LIB_LZ4); }
static void load_csv(void) { load(SIGMIX_LIB_CSV); }

static void (*const load_fn[SIGMIX_LIB_COUNT])(void) = {
    load_zlib, load_zstd, load_snappy, load_brotlidec, load_lz4, load_csv,
};

static const void *get(sigmix_codec_lib lib, sigmix_error *err)
{
    pthread_once(&state[lib].once, load_fn[lib]);
    if (state[lib].ok)
        return api_of[lib];
    sigmix_error_set(err, SIGMIX_EUNSUPPORTED, "%s", state[lib].msg);
    return NULL;
}

const sigmix_zlib_api *sigmix_zlib(sigmix_error *err)
{
    return get(SIGMIX_LIB_ZLIB, err);
}

const sigmix_zstd_api *sigmix_zstd(sigmix_error *err)
{
    return get(SIGMIX_LIB_ZSTD, err);
}

const sigmix_snappy_api *sigmix_snappy(sigmix_error *err)
{
    return get(SIGMIX_LIB_SNAPPY, err);
}

const sigmix_brotlidec_api *sigmix_brotlidec(sigmix_error *err)
{
    return get(SIGMIX_LIB_BROTLIDEC, err);
}

const sigmix_lz4_api *sigmix_lz4(sigmix_error *err)
{
    return get(SIGMIX_LIB_LZ4, err);
}

const sigmix_csv_api *sigmix_csv(sigmix_error *err)
{
    return get(SIGMIX_LIB_CSV, err);
}

int sigmix_codec_try(sigmix_codec_lib lib, const char *soname, sigmix_error *err)
{
    if ((unsigned)lib >= SIGMIX_LIB_COUNT)
        return sigmix_error_set(err, SIGMIX_EINVAL, "no such codec library");
    union {
        sigmix_zlib_api z;
        sigmix_zstd_api zs;
        sigmix_snappy_api s;
        sigmix_brotlidec_api b;
        sigmix_lz4_api l;
        sigmix_csv_api c;
    } scratch;
    char msg[SIGMIX_ERROR_MSG];
    void *h = open_lib(lib, soname, &scratch, msg, sizeof msg);
    if (!h)
        return sigmix_error_set(err, SIGMIX_EUNSUPPORTED, "%s", msg);
    dlclose(h);
    return 0;
}
