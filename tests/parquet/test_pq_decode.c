/*
 * Unit tests of the Parquet reader's decoders: RLE/bit-packed hybrid at
 * every width 0..32, bit unpacking up to 64 bits, DELTA_BINARY_PACKED
 * (negative deltas, extreme values, miniblock padding, 32-bit wrap),
 * DELTA_LENGTH/DELTA_BYTE_ARRAY, BYTE_STREAM_SPLIT, the Thrift reader's
 * limits, and every truncation returning an error. Encoders here are
 * test-side reference implementations written from the specification.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "table/parquet/pq_decode.h"
#include "table/parquet/pq_internal.h"
#include "table/parquet/pq_thrift.h"

typedef struct buf {
    uint8_t p[1 << 16];
    size_t  n;
} buf;

static void put(buf *b, uint8_t v) { b->p[b->n++] = v; }

static void put_varint(buf *b, uint64_t v)
{
    while (v >= 0x80) {
        put(b, (uint8_t)(v | 0x80));
        v >>= 7;
    }
    put(b, (uint8_t)v);
}

/* LSB-first bit packing of n values of bw bits, padded to whole bytes. */
static void pack(buf *b, const uint64_t *v, size_t n, int bw)
{
    size_t start = b->n, bits = n * (size_t)bw;
    memset(b->p + start, 0, (bits + 7) / 8);
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < bw; k++)
            if ((v[i] >> k) & 1) {
                size_t bit = i * (size_t)bw + (size_t)k;
                b->p[start + bit / 8] |= (uint8_t)(1u << (bit % 8));
            }
    b->n += (bits + 7) / 8;
}

static void rle_run(buf *b, uint32_t value, uint32_t count, int bw)
{
    put_varint(b, (uint64_t)count << 1);
    for (int i = 0; i < (bw + 7) / 8; i++)
        put(b, (uint8_t)(value >> (8 * i)));
}

static void test_rle_all_widths(void **state)
{
    (void)state;
    for (int bw = 0; bw <= 32; bw++) {
        buf b = { .n = 0 };
        uint64_t vals[24];
        uint32_t max = bw == 32 ? 0xffffffffu : (uint32_t)((1ull << bw) - 1);
        uint32_t expect[10 + 24 + 5], got[39];
        size_t k = 0;
        rle_run(&b, max, 10, bw);
        for (int i = 0; i < 10; i++)
            expect[k++] = max;
        for (int i = 0; i < 24; i++) {
            vals[i] = ((uint64_t)i * 2654435761u) & max;
            expect[k++] = (uint32_t)vals[i];
        }
        put_varint(&b, (3 << 1) | 1); /* 3 groups of 8 */
        pack(&b, vals, 24, bw);
        rle_run(&b, 0, 5, bw);
        for (int i = 0; i < 5; i++)
            expect[k++] = 0;
        pq_rle r;
        sigmix_pq_rle_init(&r, b.p, b.n, bw);
        /* Read in odd-sized pieces to cross run boundaries. */
        assert_int_equal(sigmix_pq_rle_get(&r, got, 7), 0);
        assert_int_equal(sigmix_pq_rle_get(&r, got + 7, 20), 0);
        assert_int_equal(sigmix_pq_rle_get(&r, got + 27, 12), 0);
        assert_memory_equal(got, expect, sizeof expect);
        /* One more value than the stream holds: error, not garbage. */
        assert_int_equal(sigmix_pq_rle_get(&r, got, 1), -1);
        /* Every truncation of the stream fails cleanly or yields a prefix. */
        for (size_t cut = 0; cut < b.n; cut++) {
            sigmix_pq_rle_init(&r, b.p, cut, bw);
            int rc = sigmix_pq_rle_get(&r, got, 39);
            if (rc == 0)
                assert_memory_equal(got, expect, sizeof expect);
        }
    }
}

static void test_rle_rejects_bad_runs(void **state)
{
    (void)state;
    uint32_t out[4];
    pq_rle r;
    /* RLE run value wider than the bit width. */
    uint8_t wide[] = { 4 << 1, 0x05 };
    sigmix_pq_rle_init(&r, wide, sizeof wide, 2);
    assert_int_equal(sigmix_pq_rle_get(&r, out, 2), -1);
    /* Zero-length runs never loop forever. */
    uint8_t zero[] = { 0, 0, 0, 0 };
    sigmix_pq_rle_init(&r, zero, sizeof zero, 1);
    assert_int_equal(sigmix_pq_rle_get(&r, out, 1), -1);
    /* Width above 32. */
    sigmix_pq_rle_init(&r, wide, sizeof wide, 33);
    assert_int_equal(sigmix_pq_rle_get(&r, out, 1), -1);
}

static void test_unpack64_widths(void **state)
{
    (void)state;
    for (int bw = 0; bw <= 64; bw++) {
        buf b = { .n = 0 };
        uint64_t v[40], got[40];
        uint64_t mask = bw == 64 ? ~0ull : ((1ull << bw) - 1);
        for (int i = 0; i < 40; i++)
            v[i] = (0x9e3779b97f4a7c15ull * (uint64_t)(i + 1)) & mask;
        pack(&b, v, 40, bw);
        assert_int_equal(sigmix_pq_unpack64(b.p, b.n, 0, 40, bw, got), 0);
        assert_memory_equal(got, v, sizeof v);
        assert_int_equal(sigmix_pq_unpack64(b.p, b.n, 13, 27, bw, got), 0);
        assert_memory_equal(got, v + 13, 27 * sizeof *v);
        if (bw)
            assert_int_equal(sigmix_pq_unpack64(b.p, b.n - 1, 0, 40, bw, got), -1);
    }
    assert_int_equal(sigmix_pq_unpack64(NULL, 0, 0, 1, 65, NULL), -1);
}

/* Reference DELTA_BINARY_PACKED encoder (block 128, 4 miniblocks). */
static void delta_encode(buf *b, const int64_t *v, size_t n, int garbage_widths)
{
    put_varint(b, 128);
    put_varint(b, 4);
    put_varint(b, n);
    put_varint(b, n ? ((uint64_t)v[0] << 1) ^ (uint64_t)(v[0] >> 63) : 0);
    for (size_t i = 1; i < n; i += 128) {
        size_t cnt = n - i < 128 ? n - i : 128;
        uint64_t d[128];
        int64_t mn = INT64_MAX;
        for (size_t k = 0; k < cnt; k++) {
            d[k] = (uint64_t)v[i + k] - (uint64_t)v[i + k - 1];
            if ((int64_t)d[k] < mn)
                mn = (int64_t)d[k];
        }
        put_varint(b, ((uint64_t)mn << 1) ^ (uint64_t)(mn >> 63));
        int widths[4] = { 0, 0, 0, 0 };
        size_t nmini = (cnt + 31) / 32;
        for (size_t m = 0; m < 4; m++) {
            for (size_t k = m * 32; m < nmini && k < m * 32 + 32 && k < cnt; k++) {
                uint64_t x = d[k] - (uint64_t)mn;
                while (widths[m] < 64 && (x >> widths[m]))
                    widths[m]++;
            }
            /* Unused miniblocks: writers may leave any width there. */
            put(b, (uint8_t)(m < nmini ? widths[m] : garbage_widths ? 0xab : 0));
        }
        for (size_t m = 0; m < nmini; m++) {
            uint64_t x[32] = { 0 };
            for (size_t k = 0; k < 32 && m * 32 + k < cnt; k++)
                x[k] = d[m * 32 + k] - (uint64_t)mn;
            pack(b, x, 32, widths[m]); /* the last miniblock is padded */
        }
    }
}

static void check_delta(const int64_t *v, size_t n, int is32, int garbage)
{
    buf b = { .n = 0 };
    int64_t got[1000];
    size_t count, used;
    delta_encode(&b, v, n, garbage);
    assert_int_equal(sigmix_pq_delta_binary(b.p, b.n, got, 1000, &count, &used, is32), 0);
    assert_int_equal(count, n);
    assert_int_equal(used, b.n);
    assert_memory_equal(got, v, n * sizeof *v);
    assert_int_equal(sigmix_pq_delta_count(b.p, b.n), (int64_t)n);
    /* Too small an output: refused, not overrun. */
    if (n)
        assert_int_equal(sigmix_pq_delta_binary(b.p, b.n, got, n - 1, &count, &used, is32), -1);
    for (size_t cut = 0; cut < b.n; cut++)
        if (sigmix_pq_delta_binary(b.p, cut, got, 1000, &count, &used, is32) == 0)
            assert_true(used <= cut);
}

static void test_delta_binary(void **state)
{
    (void)state;
    int64_t v[600];
    /* Negative deltas and a sawtooth. */
    for (int i = 0; i < 600; i++)
        v[i] = (i % 7 == 0 ? -1000 : 17) * (int64_t)i - 5000;
    check_delta(v, 600, 0, 0);
    /* Miniblock padding: counts around block and miniblock edges. */
    size_t counts[] = { 0, 1, 2, 31, 32, 33, 128, 129, 130, 161, 257 };
    for (size_t c = 0; c < sizeof counts / sizeof *counts; c++)
        check_delta(v, counts[c], 0, 1);
    /* Extreme values: deltas that wrap 64 bits. */
    int64_t ext[] = { INT64_MIN, INT64_MAX, 0, INT64_MIN, -1, INT64_MAX, INT64_MIN + 1, 42 };
    check_delta(ext, 8, 0, 0);
    /* All equal: bit width 0 everywhere. */
    int64_t same[300];
    for (int i = 0; i < 300; i++)
        same[i] = -7;
    check_delta(same, 300, 0, 0);
    /* INT32 wrap-around. */
    int64_t w32[] = { INT32_MAX, INT32_MIN, INT32_MAX, -1, 0, INT32_MIN };
    check_delta(w32, 6, 1, 0);
}

static void test_delta_binary_rejects(void **state)
{
    (void)state;
    int64_t out[8];
    size_t count, used;
    buf b = { .n = 0 };
    put_varint(&b, 100); /* block size not a multiple of 128 */
    put_varint(&b, 4);
    put_varint(&b, 2);
    put_varint(&b, 0);
    assert_int_equal(sigmix_pq_delta_binary(b.p, b.n, out, 8, &count, &used, 0), -1);
    b.n = 0;
    put_varint(&b, 128);
    put_varint(&b, 3); /* 128 / 3 not whole */
    put_varint(&b, 2);
    put_varint(&b, 0);
    assert_int_equal(sigmix_pq_delta_binary(b.p, b.n, out, 8, &count, &used, 0), -1);
    b.n = 0;
    put_varint(&b, 128);
    put_varint(&b, 4);
    put_varint(&b, 3);
    put_varint(&b, 0);
    put_varint(&b, 0);
    for (int i = 0; i < 4; i++)
        put(&b, 65); /* bit width above 64 */
    assert_int_equal(sigmix_pq_delta_binary(b.p, b.n, out, 8, &count, &used, 0), -1);
}

static void test_delta_length_and_byte_array(void **state)
{
    (void)state;
    const char *words[] = { "apple", "applesauce", "apply", "", "banana", "band" };
    int64_t lens[6], pre[6], suf[6];
    size_t prev = 0;
    for (int i = 0; i < 6; i++) {
        lens[i] = (int64_t)strlen(words[i]);
        size_t p = 0;
        while (i && words[i][p] && words[i - 1][p] == words[i][p])
            p++;
        pre[i] = (int64_t)p;
        suf[i] = lens[i] - (int64_t)p;
        prev = (size_t)lens[i];
    }
    (void)prev;
    /* DELTA_LENGTH_BYTE_ARRAY */
    buf b = { .n = 0 };
    delta_encode(&b, lens, 6, 0);
    for (int i = 0; i < 6; i++)
        memcpy(b.p + b.n, words[i], strlen(words[i])), b.n += strlen(words[i]);
    pq_span sp[6];
    assert_int_equal(sigmix_pq_delta_length(b.p, b.n, sp, 6), 6);
    for (int i = 0; i < 6; i++) {
        assert_int_equal(sp[i].len, strlen(words[i]));
        assert_memory_equal(b.p + sp[i].off, words[i], sp[i].len);
    }
    assert_int_equal(sigmix_pq_delta_length(b.p, b.n - 1, sp, 6), -1); /* data cut */
    assert_int_equal(sigmix_pq_delta_length(b.p, b.n, sp, 5), -1);     /* too many */
    /* DELTA_BYTE_ARRAY */
    b.n = 0;
    delta_encode(&b, pre, 6, 0);
    delta_encode(&b, suf, 6, 0);
    for (int i = 0; i < 6; i++)
        memcpy(b.p + b.n, words[i] + pre[i], (size_t)suf[i]), b.n += (size_t)suf[i];
    uint8_t *rebuilt = NULL;
    size_t cap = 0;
    assert_int_equal(sigmix_pq_delta_byte_array(b.p, b.n, sp, 6, &rebuilt, &cap, 1 << 20), 6);
    for (int i = 0; i < 6; i++) {
        assert_int_equal(sp[i].len, strlen(words[i]));
        assert_memory_equal(rebuilt + sp[i].off, words[i], sp[i].len);
    }
    /* Output limit respected. */
    assert_int_equal(sigmix_pq_delta_byte_array(b.p, b.n, sp, 6, &rebuilt, &cap, 10), -1);
    /* A prefix longer than the previous value is malformed. */
    b.n = 0;
    int64_t badpre[] = { 0, 9 }, badsuf[] = { 1, 1 };
    delta_encode(&b, badpre, 2, 0);
    delta_encode(&b, badsuf, 2, 0);
    put(&b, 'a');
    put(&b, 'b');
    assert_int_equal(sigmix_pq_delta_byte_array(b.p, b.n, sp, 6, &rebuilt, &cap, 1 << 20), -1);
    free(rebuilt);
    /* D9: empty values before any buffer exists (UBSan: NULL + 0, memmove from NULL). */
    b.n = 0;
    int64_t zero[] = { 0, 0 };
    delta_encode(&b, zero, 2, 0);
    delta_encode(&b, zero, 2, 0);
    rebuilt = NULL;
    cap = 0;
    assert_int_equal(sigmix_pq_delta_byte_array(b.p, b.n, sp, 2, &rebuilt, &cap, 1 << 20), 2);
    assert_int_equal(sp[0].len, 0);
    assert_int_equal(sp[1].len, 0);
    assert_null(rebuilt);
}

static void test_byte_stream_split(void **state)
{
    (void)state;
    double v[5] = { 1.5, -2.25, 3e300, 0.0, -0.0 }, got[5];
    uint8_t enc[40];
    const uint8_t *src = (const uint8_t *)v;
    for (int i = 0; i < 5; i++)
        for (int k = 0; k < 8; k++)
            enc[k * 5 + i] = src[i * 8 + k];
    sigmix_pq_bss(enc, 5, 8, (uint8_t *)got);
    assert_memory_equal(got, v, sizeof v);
}

static void test_thrift_limits(void **state)
{
    (void)state;
    pq_thrift t;
    pq_tstruct s;
    int id, ty;
    /* 40 nested structs exceed the depth limit while skipping. */
    uint8_t deep[80];
    for (int i = 0; i < 40; i++)
        deep[i] = 0x1c; /* field 1, struct */
    memset(deep + 40, 0, 40);
    sigmix_pq_thrift_init(&t, deep, sizeof deep);
    sigmix_pq_struct_begin(&t, &s);
    while (sigmix_pq_field(&t, &s, &id, &ty))
        sigmix_pq_skip(&t, ty);
    assert_true(t.bad);
    /* A list claiming more elements than bytes left. */
    uint8_t lst[] = { 0xf5, 0xff, 0xff, 0x03, 0x00 };
    int et;
    sigmix_pq_thrift_init(&t, lst, sizeof lst);
    assert_int_equal(sigmix_pq_list(&t, &et), 0);
    assert_true(t.bad);
    /* A binary longer than the input. */
    uint8_t bin[] = { 0x10, 'a' };
    size_t len;
    sigmix_pq_thrift_init(&t, bin, sizeof bin);
    assert_null(sigmix_pq_binary(&t, &len));
    assert_true(t.bad);
    /* Unknown fields of every type are skipped. */
    uint8_t unk[] = { 0x15, 0x04, 0x18, 0x02, 'h', 'i', 0x19, 0x25, 0x02, 0x04,
                      0x1b, 0x01, 0x55, 0x02, 0x04, 0x17, 0, 0, 0, 0, 0, 0, 0, 0,
                      0x11, 0x12, 0x13, 0x7f, 0x1c, 0x15, 0x02, 0x00, 0x00 };
    sigmix_pq_thrift_init(&t, unk, sizeof unk);
    sigmix_pq_struct_begin(&t, &s);
    int fields = 0;
    while (sigmix_pq_field(&t, &s, &id, &ty)) {
        sigmix_pq_skip(&t, ty);
        fields++;
    }
    assert_false(t.bad);
    assert_int_equal(fields, 9);
    assert_ptr_equal(t.p, unk + sizeof unk);
}

static void test_text_renderings(void **state)
{
    (void)state;
    char b[64];
    sigmix_pq_format_date(0, b);
    assert_string_equal(b, "1970-01-01");
    sigmix_pq_format_date(-719528, b);
    assert_string_equal(b, "0000-01-01");
    sigmix_pq_format_date(19723, b);
    assert_string_equal(b, "2024-01-01");
    sigmix_pq_format_timestamp(-1, 86399999000000LL, 6, 1, b);
    assert_string_equal(b, "1969-12-31T23:59:59.999000Z");
    sigmix_pq_format_timestamp(18000000, 0, 3, 0, b);
    assert_string_equal(b, "+51252-04-29T00:00:00");
    sigmix_pq_format_time(3723000000000LL + 5000000, 3, b);
    assert_string_equal(b, "01:02:03.005");
    assert_true(sigmix_pq_half_to_double(0x3c00) == 1.0);
    assert_true(sigmix_pq_half_to_double(0xc000) == -2.0);
    assert_true(sigmix_pq_half_to_double(0x0001) == 5.960464477539063e-08);
    assert_true(isinf(sigmix_pq_half_to_double(0x7c00)));
    assert_true(isnan(sigmix_pq_half_to_double(0x7e00)));
    uint8_t dec[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x85 }; /* -123 */
    assert_true(sigmix_pq_decimal_be(dec, sizeof dec, 2) == -1.23);
    uint8_t big[] = { 0x05, 0x6b, 0xc7, 0x5e, 0x2d, 0x63, 0x10, 0x00, 0x00 }; /* 1e20 */
    assert_true(sigmix_pq_decimal_be(big, sizeof big, 20) == 1.0);
    assert_int_equal(sigmix_pq_base64((const uint8_t *)"ab", 2, b), 4);
    assert_memory_equal(b, "YWI=", 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rle_all_widths),
        cmocka_unit_test(test_rle_rejects_bad_runs),
        cmocka_unit_test(test_unpack64_widths),
        cmocka_unit_test(test_delta_binary),
        cmocka_unit_test(test_delta_binary_rejects),
        cmocka_unit_test(test_delta_length_and_byte_array),
        cmocka_unit_test(test_byte_stream_split),
        cmocka_unit_test(test_thrift_limits),
        cmocka_unit_test(test_text_renderings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
