/*
 * The codec loader (src/util/codecs.c): every library opens by its soname
 * and has every entry point sigmix calls; a missing library or symbol
 * gives the exact "cannot load ..." message callers pass on; the
 * accessors hand out one table per library, also when many threads ask
 * first at once.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sigmix_config.h"
#include "util/codecs.h"

static void test_sonames(void **state)
{
    (void)state;
    assert_string_equal(sigmix_codec_soname(SIGMIX_LIB_ZLIB), SIGMIX_ZLIB_SONAME);
    assert_string_equal(sigmix_codec_soname(SIGMIX_LIB_ZSTD), "libzstd.so.1");
    assert_string_equal(sigmix_codec_soname(SIGMIX_LIB_SNAPPY), "libsnappy.so.1");
    assert_string_equal(sigmix_codec_soname(SIGMIX_LIB_BROTLIDEC), "libbrotlidec.so.1");
    assert_string_equal(sigmix_codec_soname(SIGMIX_LIB_LZ4), "liblz4.so.1");
    assert_string_equal(sigmix_codec_soname(SIGMIX_LIB_CSV), "libcsv.so.3");
    assert_string_equal(sigmix_codec_soname(SIGMIX_LIB_COUNT), "");
}

/* Every library, from its own soname, has every symbol in its table. */
static void test_all_load(void **state)
{
    (void)state;
    for (int lib = 0; lib < SIGMIX_LIB_COUNT; lib++) {
        sigmix_error err = { 0 };
        int r = sigmix_codec_try((sigmix_codec_lib)lib, sigmix_codec_soname(lib), &err);
        if (r)
            fail_msg("%s: %s", sigmix_codec_soname(lib), err.message);
        assert_int_equal(err.code, 0);
    }
}

static void test_missing_library(void **state)
{
    (void)state;
    sigmix_error err = { 0 };
    assert_int_equal(sigmix_codec_try(SIGMIX_LIB_ZSTD, "libsigmix-no-such-codec.so.9", &err),
                     SIGMIX_EUNSUPPORTED);
    assert_int_equal(err.code, SIGMIX_EUNSUPPORTED);
    assert_string_equal(err.message,
                        "cannot load libsigmix-no-such-codec.so.9: libsigmix-no-such-codec.so.9: "
                        "cannot open shared object file: No such file or directory");
}

/* A library that is there but is not the one asked for (or too old). */
static void test_missing_symbol(void **state)
{
    (void)state;
    sigmix_error err = { 0 };
    assert_int_equal(sigmix_codec_try(SIGMIX_LIB_ZSTD, "libz.so.1", &err), SIGMIX_EUNSUPPORTED);
    assert_string_equal(err.message, "cannot load libz.so.1: symbol ZSTD_isError not found");
    sigmix_error e2 = { 0 };
    assert_int_equal(sigmix_codec_try(SIGMIX_LIB_CSV, "libzstd.so.1", &e2), SIGMIX_EUNSUPPORTED);
    assert_string_equal(e2.message, "cannot load libzstd.so.1: symbol csv_init not found");
    sigmix_error e3 = { 0 };
    assert_int_equal(sigmix_codec_try(SIGMIX_LIB_COUNT, "libz.so.1", &e3), SIGMIX_EINVAL);
}

/* The tables work: a round trip through each compressor in the table. */
static void test_tables_work(void **state)
{
    (void)state;
    static const char text[] = "sigmix sigmix sigmix sigmix sigmix sigmix sigmix sigmix";
    unsigned char z[256], back[256];
    const sigmix_zstd_api *zs = sigmix_zstd(NULL);
    assert_non_null(zs);
    ZSTD_CCtx *c = zs->ZSTD_createCCtx();
    size_t n = zs->ZSTD_compressCCtx(c, z, sizeof z, text, sizeof text, 3);
    zs->ZSTD_freeCCtx(c);
    assert_false(zs->ZSTD_isError(n));
    assert_int_equal(zs->ZSTD_getFrameContentSize(z, n), sizeof text);
    assert_int_equal(zs->ZSTD_decompress(back, sizeof back, z, n), sizeof text);
    assert_memory_equal(back, text, sizeof text);

    const sigmix_zlib_api *zl = sigmix_zlib(NULL);
    assert_non_null(zl);
    uLongf zn = sizeof z;
    assert_int_equal(zl->compress2(z, &zn, (const Bytef *)text, sizeof text, 9), Z_OK);
    z_stream s;
    memset(&s, 0, sizeof s);
    assert_int_equal(sigmix_inflate_init2(zl, &s, 15), Z_OK);
    s.next_in = z;
    s.avail_in = (uInt)zn;
    s.next_out = back;
    s.avail_out = sizeof back;
    assert_int_equal(zl->inflate(&s, Z_FINISH), Z_STREAM_END);
    assert_int_equal(s.total_out, sizeof text);
    zl->inflateEnd(&s);
    assert_memory_equal(back, text, sizeof text);
    /* the check value of "123456789" (ITU-T V.42 CRC-32) */
    assert_int_equal(zl->crc32(0, (const Bytef *)"123456789", 9), 0xCBF43926u);

    const sigmix_snappy_api *sn = sigmix_snappy(NULL);
    assert_non_null(sn);
    size_t len = sizeof z;
    assert_int_equal(sn->snappy_compress(text, sizeof text, (char *)z, &len), SNAPPY_OK);
    size_t bl = sizeof back;
    assert_int_equal(sn->snappy_uncompress((const char *)z, len, (char *)back, &bl), SNAPPY_OK);
    assert_int_equal(bl, sizeof text);
    assert_memory_equal(back, text, sizeof text);
}

struct race {
    const void *got[SIGMIX_LIB_COUNT];
};

static void *race_one(void *arg)
{
    struct race *r = arg;
    r->got[SIGMIX_LIB_ZLIB] = sigmix_zlib(NULL);
    r->got[SIGMIX_LIB_ZSTD] = sigmix_zstd(NULL);
    r->got[SIGMIX_LIB_SNAPPY] = sigmix_snappy(NULL);
    r->got[SIGMIX_LIB_BROTLIDEC] = sigmix_brotlidec(NULL);
    r->got[SIGMIX_LIB_LZ4] = sigmix_lz4(NULL);
    r->got[SIGMIX_LIB_CSV] = sigmix_csv(NULL);
    return NULL;
}

/* First use from many threads at once: one table each, all filled. */
static void test_threads(void **state)
{
    (void)state;
    enum { T = 8 };
    pthread_t th[T];
    struct race r[T];
    memset(r, 0, sizeof r);
    for (int i = 0; i < T; i++)
        assert_int_equal(pthread_create(&th[i], NULL, race_one, &r[i]), 0);
    for (int i = 0; i < T; i++)
        pthread_join(th[i], NULL);
    for (int lib = 0; lib < SIGMIX_LIB_COUNT; lib++)
        for (int i = 0; i < T; i++) {
            assert_non_null(r[i].got[lib]);
            assert_ptr_equal(r[i].got[lib], r[0].got[lib]);
        }
    const sigmix_csv_api *cv = r[0].got[SIGMIX_LIB_CSV];
    assert_non_null(cv->csv_fwrite);
    assert_string_equal(cv->csv_strerror(CSV_EPARSE), "error parsing data while strict checking enabled");
    const sigmix_lz4_api *lz = r[0].got[SIGMIX_LIB_LZ4];
    char out[8];
    assert_true(lz->LZ4_decompress_safe("\x10", out, 1, (int)sizeof out) < 0);
    const sigmix_brotlidec_api *br = r[0].got[SIGMIX_LIB_BROTLIDEC];
    size_t bn = sizeof out;
    assert_int_equal(br->BrotliDecoderDecompress(1, (const uint8_t *)"\x06", &bn, (uint8_t *)out),
                     BROTLI_DECODER_RESULT_SUCCESS); /* the empty stream */
    assert_int_equal(bn, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sonames),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_all_load),
        cmocka_unit_test(test_missing_library),
        cmocka_unit_test(test_missing_symbol),
        cmocka_unit_test(test_tables_work),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
