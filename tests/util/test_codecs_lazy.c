/*
 * libsigmix.so opens the compression libraries and libcsv only when a
 * command needs them (src/util/codecs.c). Linked like the CLI (public
 * headers, libsigmix.so only), this program checks which of them are in
 * the process after each step: none after reading and auditing JSON
 * Lines, exactly libcsv after a CSV read, and exactly the codec's library
 * after reading each compressed Parquet file. The tests run in order in
 * one process; each adds what it expects to `want`.
 */
#define _GNU_SOURCE
#include <link.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "sigmix/sigmix.h"

enum { L_Z = 1, L_ZSTD = 2, L_SNAPPY = 4, L_BROTLI = 8, L_LZ4 = 16, L_CSV = 32 };

static const struct {
    const char *prefix;
    unsigned    bit;
} libs[] = {
    { "libz.so", L_Z },
    { "libzstd.so", L_ZSTD },
    { "libsnappy.so", L_SNAPPY },
    { "libbrotlidec.so", L_BROTLI },
    { "libbrotlienc.so", L_BROTLI },
    { "libbrotlicommon.so", L_BROTLI },
    { "liblz4.so", L_LZ4 },
    { "libcsv.so", L_CSV },
};

static unsigned want; /* what the steps so far should have loaded */

static int each_object(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    unsigned *seen = data;
    const char *slash = strrchr(info->dlpi_name, '/');
    const char *base = slash ? slash + 1 : info->dlpi_name;
    for (size_t i = 0; i < sizeof libs / sizeof libs[0]; i++)
        if (!strncmp(base, libs[i].prefix, strlen(libs[i].prefix)))
            *seen |= libs[i].bit;
    return 0;
}

static unsigned loaded(void)
{
    unsigned seen = 0;
    dl_iterate_phdr(each_object, &seen);
    return seen;
}

static const char *src_path(const char *rel, char *buf, size_t n)
{
    const char *src = getenv("SIGMIX_SRC");
    snprintf(buf, n, "%s/%s", src ? src : ".", rel);
    return buf;
}

static const char *scratch(const char *name, char *buf, size_t n)
{
    const char *dir = getenv("TMPDIR");
    snprintf(buf, n, "%s/sigmix_codecs_%ld_%s", dir ? dir : "/tmp", (long)getpid(), name);
    return buf;
}

static void test_start(void **state)
{
    (void)state;
    assert_int_equal(loaded(), 0);
}

/* Read, audit (JSON + Markdown report) and write JSON Lines: no codec. */
static void test_jsonl_audit(void **state)
{
    (void)state;
    char in[4096], js[512], md[512], out[512];
    src_path("examples/vmaf_features.jsonl", in, sizeof in);
    sigmix_error err = { 0 };
    sigmix_table *t = NULL;
    assert_int_equal(sigmix_table_read(in, NULL, &t, &err), 0);
    assert_true(sigmix_table_rows(t) > 0);
    assert_int_equal(sigmix_table_write(t, scratch("t.jsonl", out, sizeof out), NULL, &err), 0);
    sigmix_table_free(&t);
    sigmix_audit *a = NULL;
    assert_int_equal(sigmix_audit_open(&a, NULL, &err), 0);
    assert_int_equal(sigmix_audit_add_file(a, "ex", in, &err), 0);
    assert_int_equal(sigmix_audit_write_reports(a, scratch("r.json", js, sizeof js),
                                                scratch("r.md", md, sizeof md), NULL, &err), 0);
    sigmix_audit_close(&a);
    unlink(out);
    unlink(js);
    unlink(md);
    assert_int_equal(loaded(), want);
}

static void test_csv(void **state)
{
    (void)state;
    char in[4096];
    sigmix_error err = { 0 };
    sigmix_table *t = NULL;
    assert_int_equal(sigmix_table_read(src_path("examples/ugc_mos.csv", in, sizeof in), NULL, &t,
                                       &err), 0);
    assert_true(sigmix_table_rows(t) > 0);
    sigmix_table_free(&t);
    want |= L_CSV;
    assert_int_equal(loaded(), want);
}

/* Each DuckDB file holds the same 3000-row table with another codec
 * (../shared/parquet-writers/README.md). */
static void read_pq(const char *name, unsigned bit)
{
    const char *shared = getenv("SIGMIX_SHARED");
    char path[4096];
    snprintf(path, sizeof path, "%s/parquet-writers/%s", shared ? shared : "../shared", name);
    if (access(path, R_OK))
        skip();
    sigmix_error err = { 0 };
    sigmix_table *t = NULL;
    int r = sigmix_table_read(path, NULL, &t, &err);
    if (r)
        fail_msg("%s: %s", name, err.message);
    assert_int_equal(sigmix_table_rows(t), 3000);
    sigmix_table_free(&t);
    want |= bit;
    assert_int_equal(loaded(), want);
}

static void test_pq_uncompressed(void **s) { (void)s; read_pq("duckdb_uncompressed.parquet", 0); }
static void test_pq_snappy(void **s) { (void)s; read_pq("duckdb_snappy.parquet", L_SNAPPY); }
static void test_pq_zstd(void **s) { (void)s; read_pq("duckdb_zstd.parquet", L_ZSTD); }
static void test_pq_brotli(void **s) { (void)s; read_pq("duckdb_brotli.parquet", L_BROTLI); }
static void test_pq_lz4(void **s) { (void)s; read_pq("duckdb_lz4_raw.parquet", L_LZ4); }
static void test_pq_gzip(void **s) { (void)s; read_pq("duckdb_gzip.parquet", L_Z); }

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_start),
        cmocka_unit_test(test_jsonl_audit),
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_pq_uncompressed),
        cmocka_unit_test(test_pq_snappy),
        cmocka_unit_test(test_pq_zstd),
        cmocka_unit_test(test_pq_brotli),
        cmocka_unit_test(test_pq_lz4),
        cmocka_unit_test(test_pq_gzip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
