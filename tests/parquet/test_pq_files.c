/*
 * Whole-file tests of the Parquet reader on tiny files built here
 * (pq_build.h), no ../shared needed: plain and dictionary values, nulls
 * in v1 and v2 pages, boolean RLE, page CRCs, dictionary index out of
 * range, every truncation of a file, huge claimed sizes, encryption,
 * bad magic, empty folders. Each error path checks its message.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "sigmix/table.h"
#include "pq_build.h"

static char dir[64];
static char path[128];

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/sigmix-pqfiles-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(path, sizeof path, "%s/t.parquet", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path);
    rmdir(dir);
    return 0;
}

/* Build spec into the temp file and read it; returns the read status. */
static int build_and_read(const pb_spec *s, sigmix_table **t, sigmix_error *err)
{
    uint8_t *p;
    size_t n = pb_build(s, &p);
    assert_int_equal(pb_write(path, p, n), 0);
    free(p);
    memset(err, 0, sizeof *err);
    return sigmix_table_read(path, NULL, t, err);
}

static void expect_error(const pb_spec *s, int code, const char *text)
{
    sigmix_table *t = NULL;
    sigmix_error err;
    int r = build_and_read(s, &t, &err);
    assert_int_equal(r, code);
    assert_null(t);
    if (!strstr(err.message, text))
        fail_msg("message '%s' lacks '%s'", err.message, text);
}

static const int32_t ints[5] = { 7, -3, 2147483647, 0, -2147483647 - 1 };

static void test_plain_int32(void **state)
{
    (void)state;
    pb_page pg = { .encoding = 0, .num_values = 5, .data = (const uint8_t *)ints,
                   .len = sizeof ints, .crc = 1 };
    pb_spec s = { .type = 1, .converted = -1, .num_rows = 5, .pages = &pg, .npages = 1 };
    sigmix_table *t;
    sigmix_error err;
    assert_int_equal(build_and_read(&s, &t, &err), 0);
    assert_int_equal(sigmix_table_rows(t), 5);
    const sigmix_column *c = sigmix_table_col(t, 0);
    assert_string_equal(c->name, "x");
    assert_int_equal(c->kind, SIGMIX_KIND_INT64);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(c->i64[i], ints[i]);
        assert_true(c->f64[i] == (double)ints[i]);
        assert_int_equal(c->valid[i], 1);
    }
    sigmix_table_free(&t);
    /* UINT_32: the same bits read as unsigned, flagged. */
    s.converted = 13;
    assert_int_equal(build_and_read(&s, &t, &err), 0);
    c = sigmix_table_col(t, 0);
    assert_int_equal(c->i64[1], 4294967293LL);
    assert_true(c->flags & SIGMIX_COLF_UNSIGNED);
    sigmix_table_free(&t);
    /* DATE: ISO text, flagged temporal. */
    s.converted = 6;
    assert_int_equal(build_and_read(&s, &t, &err), 0);
    c = sigmix_table_col(t, 0);
    assert_int_equal(c->kind, SIGMIX_KIND_STRING);
    assert_true(c->flags & SIGMIX_COLF_TEMPORAL);
    assert_string_equal(c->str[0].ptr, "1970-01-08");
    assert_string_equal(c->str[1].ptr, "1969-12-29");
    sigmix_table_free(&t);
}

/* A UINT64 above 2^63 stays exact: JSON numbers with every digit. */
static void test_uint64_beyond_int64_stays_exact(void **state)
{
    (void)state;
    uint64_t v[2] = { 5, 18446744073709551615ull };
    pb_page pg = { .encoding = 0, .num_values = 2, .data = (const uint8_t *)v, .len = sizeof v };
    pb_spec s = { .type = 2, .converted = 14, .num_rows = 2, .pages = &pg, .npages = 1 };
    sigmix_table *t;
    sigmix_error err;
    assert_int_equal(build_and_read(&s, &t, &err), 0);
    const sigmix_column *c = sigmix_table_col(t, 0);
    assert_int_equal(c->kind, SIGMIX_KIND_JSON);
    assert_true(c->flags & SIGMIX_COLF_UNSIGNED);
    assert_string_equal(c->str[0].ptr, "5");
    assert_string_equal(c->str[1].ptr, "18446744073709551615");
    assert_int_equal(c->pq.physical, 2);
    assert_int_equal(c->pq.converted, 14);
    sigmix_table_free(&t);
}

/* Optional doubles: def levels RLE (4-byte length) then present values. */
static void test_optional_double_v1_and_v2(void **state)
{
    (void)state;
    uint8_t page[64];
    double vals[2] = { 1.5, -0.0 };
    /* defs 1,0,0,1: one bit-packed group of 8 (values beyond 4 unused) */
    uint8_t defs[] = { 0x03, 0x09 };
    uint32_t dl = sizeof defs;
    memcpy(page, &dl, 4);
    memcpy(page + 4, defs, sizeof defs);
    memcpy(page + 6, vals, sizeof vals);
    pb_page pg = { .encoding = 0, .num_values = 4, .data = page, .len = 22 };
    pb_spec s = { .type = 5, .optional = 1, .converted = -1, .num_rows = 4, .pages = &pg,
                  .npages = 1 };
    for (int v2 = 0; v2 < 2; v2++) {
        if (v2) { /* v2: levels without the length prefix */
            memmove(page, page + 4, 18);
            pg.v2 = 1;
            pg.def_len = 2;
            pg.num_nulls = 2;
            pg.len = 18;
        }
        sigmix_table *t;
        sigmix_error err;
        assert_int_equal(build_and_read(&s, &t, &err), 0);
        const sigmix_column *c = sigmix_table_col(t, 0);
        assert_int_equal(c->kind, SIGMIX_KIND_DOUBLE);
        assert_int_equal(c->valid[0], 1);
        assert_int_equal(c->valid[1], 0);
        assert_int_equal(c->valid[2], 0);
        assert_int_equal(c->valid[3], 1);
        assert_true(c->f64[0] == 1.5);
        assert_true(isnan(c->f64[1]));
        assert_true(c->f64[3] == 0.0 && signbit(c->f64[3]));
        sigmix_table_free(&t);
    }
}

static void test_boolean_rle(void **state)
{
    (void)state;
    /* length 4, RLE run of 3 trues, bit-packed group 0b00000101 */
    uint8_t page[] = { 4, 0, 0, 0, 3 << 1, 1, 0x03, 0x05 };
    pb_page pg = { .encoding = 3, .num_values = 11, .data = page, .len = sizeof page };
    pb_spec s = { .type = 0, .converted = -1, .num_rows = 11, .pages = &pg, .npages = 1 };
    sigmix_table *t;
    sigmix_error err;
    assert_int_equal(build_and_read(&s, &t, &err), 0);
    const sigmix_column *c = sigmix_table_col(t, 0);
    assert_int_equal(c->kind, SIGMIX_KIND_BOOL);
    const double want[11] = { 1, 1, 1, 1, 0, 1, 0, 0, 0, 0, 0 };
    for (int i = 0; i < 11; i++)
        assert_true(c->f64[i] == want[i]);
    sigmix_table_free(&t);
}

static void test_dictionary_and_bad_index(void **state)
{
    (void)state;
    int32_t dict[3] = { 10, 20, 30 };
    /* bit width 2; bit-packed group: indices 2,0,1,2 then padding */
    uint8_t data[] = { 2, 0x03, 0x92, 0x00 };
    pb_page pg[2] = {
        { .dict = 1, .num_values = 3, .data = (const uint8_t *)dict, .len = sizeof dict, .crc = 1 },
        { .encoding = 8, .num_values = 4, .data = data, .len = sizeof data, .crc = 1 },
    };
    pb_spec s = { .type = 1, .converted = -1, .num_rows = 4, .pages = pg, .npages = 2 };
    sigmix_table *t;
    sigmix_error err;
    assert_int_equal(build_and_read(&s, &t, &err), 0);
    const sigmix_column *c = sigmix_table_col(t, 0);
    assert_int_equal(c->i64[0], 30);
    assert_int_equal(c->i64[1], 10);
    assert_int_equal(c->i64[2], 20);
    assert_int_equal(c->i64[3], 30);
    sigmix_table_free(&t);
    data[2] = 0x93; /* first index 3: beyond the 3 entries */
    expect_error(&s, SIGMIX_EFORMAT, "dictionary index out of range (column 'x', row group 0)");
    /* No dictionary page at all. */
    s.pages = &pg[1];
    s.npages = 1;
    expect_error(&s, SIGMIX_EFORMAT, "column 'x', row group 0");
}

static void test_crc_mismatch(void **state)
{
    (void)state;
    pb_page pg = { .encoding = 0, .num_values = 5, .data = (const uint8_t *)ints,
                   .len = sizeof ints, .crc = 2 };
    pb_spec s = { .type = 1, .converted = -1, .num_rows = 5, .pages = &pg, .npages = 1 };
    expect_error(&s, SIGMIX_EFORMAT, "page CRC mismatch (column 'x', row group 0)");
}

/*
 * Required plain doubles in compressed v1 pages are decompressed straight
 * into the table (pq_column.c, direct_doubles): values over two pages land
 * in their rows bit for bit, and a corrupt page is the same error as on
 * the buffered path.
 */
static void test_direct_doubles(void **state)
{
    (void)state;
    const double v[7] = { 1.5, -0.0, NAN, INFINITY, -1e300, 5e-324, 42.0 };
    pb_page pg[2] = {
        { .encoding = 0, .num_values = 4, .data = (const uint8_t *)v, .len = 4 * sizeof *v },
        { .encoding = 0, .num_values = 3, .data = (const uint8_t *)(v + 4), .len = 3 * sizeof *v },
    };
    pb_spec s = { .type = 5, .converted = -1, .num_rows = 7, .pages = pg, .npages = 2,
                  .codec = 1 };
    sigmix_table *t;
    sigmix_error err;
    assert_int_equal(build_and_read(&s, &t, &err), 0);
    const sigmix_column *c = sigmix_table_col(t, 0);
    assert_int_equal(c->kind, SIGMIX_KIND_DOUBLE);
    assert_memory_equal(c->f64, v, sizeof v);
    for (int i = 0; i < 7; i++)
        assert_int_equal(c->valid[i], 1);
    sigmix_table_free(&t);
    /* Corrupt the second page's snappy length prefix (no CRC to catch it). */
    uint8_t *file, *body;
    size_t n = pb_build(&s, &file), blen;
    body = pb_compress(1, pg[1].data, pg[1].len, &blen);
    uint8_t *at = NULL;
    for (size_t i = 0; !at && i + blen <= n; i++)
        if (!memcmp(file + i, body, blen))
            at = file + i;
    assert_non_null(at);
    at[0] ^= 0x08;
    assert_int_equal(pb_write(path, file, n), 0);
    free(file);
    free(body);
    memset(&err, 0, sizeof err);
    t = NULL;
    assert_int_equal(sigmix_table_read(path, NULL, &t, &err), SIGMIX_EFORMAT);
    assert_null(t);
    assert_string_equal(err.message,
                        "cannot decompress SNAPPY data page (column 'x', row group 0)");
}

static void test_short_and_long_pages(void **state)
{
    (void)state;
    pb_page pg = { .encoding = 0, .num_values = 5, .data = (const uint8_t *)ints, .len = 16 };
    pb_spec s = { .type = 1, .converted = -1, .num_rows = 5, .pages = &pg, .npages = 1 };
    expect_error(&s, SIGMIX_EFORMAT, "malformed or truncated values");
    pg.len = sizeof ints;
    pg.num_values = 6; /* more values than rows */
    expect_error(&s, SIGMIX_EFORMAT, "more values than the row group");
    pg.num_values = 4; /* fewer */
    expect_error(&s, SIGMIX_EFORMAT, "ends after 4 of 5 rows");
    pg.num_values = 5;
    pg.claim = 1 << 30; /* page size beyond the file */
    expect_error(&s, SIGMIX_EFORMAT, "page extends past the column chunk");
}

static void test_every_truncation_fails_cleanly(void **state)
{
    (void)state;
    int32_t dict[3] = { 10, 20, 30 };
    uint8_t data[] = { 2, 0x03, 0x92, 0x00 };
    pb_page pg[2] = {
        { .dict = 1, .num_values = 3, .data = (const uint8_t *)dict, .len = sizeof dict },
        { .encoding = 8, .num_values = 4, .data = data, .len = sizeof data },
    };
    pb_spec s = { .type = 1, .converted = -1, .num_rows = 4, .pages = pg, .npages = 2 };
    uint8_t *p;
    size_t n = pb_build(&s, &p);
    for (size_t cut = 0; cut < n; cut++) {
        sigmix_table *t = NULL;
        sigmix_error err = { 0, "" };
        assert_int_equal(pb_write(path, p, cut), 0);
        assert_true(sigmix_table_read(path, NULL, &t, &err) < 0);
        assert_null(t);
        assert_true(err.message[0] != 0);
    }
    /* Flipping any single byte never crashes (the result may be valid). */
    for (size_t i = 0; i < n; i++) {
        sigmix_table *t = NULL;
        sigmix_error err = { 0, "" };
        p[i] ^= 0x5a;
        assert_int_equal(pb_write(path, p, n), 0);
        if (sigmix_table_read(path, NULL, &t, &err))
            assert_true(err.message[0] != 0);
        sigmix_table_free(&t);
        p[i] ^= 0x5a;
    }
    free(p);
}

static void test_huge_claims(void **state)
{
    (void)state;
    pb_page pg = { .encoding = 0, .num_values = 5, .data = (const uint8_t *)ints, .len = sizeof ints };
    pb_spec s = { .type = 1, .converted = -1, .num_rows = 1000000000000LL, .pages = &pg,
                  .npages = 1 };
    expect_error(&s, SIGMIX_EFORMAT, "more than their 37 bytes can hold");
}

static void test_encrypted(void **state)
{
    (void)state;
    pb_page pg = { .encoding = 0, .num_values = 5, .data = (const uint8_t *)ints, .len = sizeof ints };
    pb_spec s = { .type = 1, .converted = -1, .num_rows = 5, .pages = &pg, .npages = 1,
                  .encrypted_footer = 1 };
    expect_error(&s, SIGMIX_EUNSUPPORTED, "file is encrypted");
    s.encrypted_footer = 0;
    s.encrypted_plain = 1; /* plaintext footer, encrypted columns */
    expect_error(&s, SIGMIX_EUNSUPPORTED, "file is encrypted");
    s.encrypted_plain = 0;
    s.encrypted_column = 1;
    expect_error(&s, SIGMIX_EUNSUPPORTED, "file is encrypted");
}

static void test_not_parquet_and_empty_folder(void **state)
{
    (void)state;
    sigmix_table *t = NULL;
    sigmix_error err = { 0, "" };
    assert_int_equal(pb_write(path, (const uint8_t *)"PAR1 this is not parquet PAR2", 29), 0);
    assert_int_equal(sigmix_table_read(path, NULL, &t, &err), SIGMIX_EFORMAT);
    assert_non_null(strstr(err.message, "not a Parquet file"));
    unlink(path);
    err = (sigmix_error){ 0, "" };
    assert_int_equal(sigmix_table_read(dir, NULL, &t, &err), SIGMIX_ENOTFOUND);
    assert_non_null(strstr(err.message, "no .parquet files"));
}

/* Top-level repeated INT32: rows [1,2], [], [3] as JSON arrays. */
static void test_repeated_column_as_json(void **state)
{
    (void)state;
    uint8_t page[] = { 2, 0, 0, 0, 0x03, 0x02, 2, 0, 0, 0, 0x03, 0x0b, 1, 0, 0, 0, 2, 0, 0, 0,
                       3, 0, 0, 0 };
    pb_page pg = { .encoding = 0, .num_values = 4, .data = page, .len = sizeof page };
    pb_spec s = { .type = 1, .optional = 2, .converted = -1, .num_rows = 3, .pages = &pg,
                  .npages = 1 };
    sigmix_table *t;
    sigmix_error err;
    assert_int_equal(build_and_read(&s, &t, &err), 0);
    const sigmix_column *c = sigmix_table_col(t, 0);
    assert_int_equal(c->kind, SIGMIX_KIND_JSON);
    assert_string_equal(c->str[0].ptr, "[1,2]");
    assert_string_equal(c->str[1].ptr, "[]");
    assert_string_equal(c->str[2].ptr, "[3]");
    sigmix_table_free(&t);
    /* A record that does not start at repetition level 0 is malformed. */
    page[5] = 0x03;
    expect_error(&s, SIGMIX_EFORMAT, "first repetition level is not 0 (column 'x', row group 0)");
    /* More records than the row group claims. */
    page[5] = 0x00;
    expect_error(&s, SIGMIX_EFORMAT, "more rows than the row group");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_int32),
        cmocka_unit_test(test_uint64_beyond_int64_stays_exact),
        cmocka_unit_test(test_optional_double_v1_and_v2),
        cmocka_unit_test(test_boolean_rle),
        cmocka_unit_test(test_dictionary_and_bad_index),
        cmocka_unit_test(test_crc_mismatch),
        cmocka_unit_test(test_direct_doubles),
        cmocka_unit_test(test_short_and_long_pages),
        cmocka_unit_test(test_every_truncation_fails_cleanly),
        cmocka_unit_test(test_huge_claims),
        cmocka_unit_test(test_encrypted),
        cmocka_unit_test(test_not_parquet_and_empty_folder),
        cmocka_unit_test(test_repeated_column_as_json),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
