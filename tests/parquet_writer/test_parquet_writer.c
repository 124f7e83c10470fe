/*
 * Parquet writer unit tests: exact bytes of the Thrift and RLE encoders,
 * and whole files checked with the independent test-side inspector
 * (tiny_pq.c): magic, footer, schema, encodings, codecs, statistics,
 * key/value metadata and every value of every chunk.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sigmix/table.h"
#include "table/format.h"
#include "table/parquet_writer/pqw.h"
#include "tiny_pq.h"
#include "testdata.h"

/* ---- helpers ---------------------------------------------------------- */

static void write_mem(const sigmix_table *t, const sigmix_write_options *o, tpq_file *f)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    assert_non_null(fp);
    sigmix_error err = { 0 };
    sigmix_write_options def;
    if (!o) {
        sigmix_write_options_default(&def);
        o = &def;
    }
    assert_int_equal(sigmix_parquet_write(t, fp, o, &err), 0);
    fclose(fp);
    assert_int_equal(tpq_open_mem(f, buf, len), 0);
    free(buf);
}

static const tnode *schema_el(const tpq_file *f, size_t col)
{
    return tn_elem(tn_get(&f->meta, 2), col + 1);
}

static const tnode *col_meta(const tpq_file *f, size_t rg, size_t col)
{
    const tnode *g = tn_elem(tn_get(&f->meta, 4), rg);
    return tn_get(tn_elem(tn_get(g, 1), col), 3);
}

static const tnode *stats(const tpq_file *f, size_t rg, size_t col)
{
    return tn_get(col_meta(f, rg, col), 12);
}

static int has_encoding(const tnode *md, int enc)
{
    const tnode *l = tn_get(md, 2);
    for (size_t i = 0; l && i < l->nkids; i++)
        if (l->kids[i].i == enc)
            return 1;
    return 0;
}

static double bin_double(const tnode *b)
{
    double d;
    assert_non_null(b);
    assert_int_equal(b->len, 8);
    memcpy(&d, b->bin, 8);
    return d;
}

static int64_t bin_i64(const tnode *b)
{
    int64_t v;
    assert_non_null(b);
    assert_int_equal(b->len, 8);
    memcpy(&v, b->bin, 8);
    return v;
}

static int bin_eq(const tnode *b, const char *s)
{
    return b && b->len == strlen(s) && !memcmp(b->bin, s, b->len);
}

/* Every value of column `col` rows [r0, r0 + v->rows) equals the table's. */
static void check_values(const sigmix_table *t, size_t col, size_t r0, const tpq_values *v)
{
    const sigmix_column *c = sigmix_table_col(t, col);
    for (size_t i = 0; i < v->rows; i++) {
        size_t r = r0 + i;
        assert_int_equal(v->valid[i], c->valid[r]);
        if (!c->valid[r])
            continue;
        switch (c->kind) {
        case SIGMIX_KIND_DOUBLE:
            /* bit-exact: NaN payload, -0.0 and infinities survive */
            assert_memory_equal(&v->f64[i], &c->f64[r], 8);
            break;
        case SIGMIX_KIND_INT64: assert_true(v->i64[i] == c->i64[r]); break;
        case SIGMIX_KIND_BOOL:  assert_int_equal(v->i64[i], c->f64[r] != 0); break;
        default:
            assert_int_equal(v->slen[i], c->str[r].len);
            if (c->str[r].len)
                assert_memory_equal(v->str[i], c->str[r].ptr, c->str[r].len);
        }
    }
}

static void check_all_values(const sigmix_table *t, const tpq_file *f)
{
    const tnode *groups = tn_get(&f->meta, 4);
    size_t r0 = 0;
    for (size_t g = 0; g < groups->nkids; g++) {
        size_t rows = (size_t)tn_int(&groups->kids[g], 3, -1);
        for (size_t c = 0; c < sigmix_table_cols(t); c++) {
            tpq_values v;
            const char *e = tpq_read_chunk(f, g, c, &v);
            if (e)
                fail_msg("row group %zu column %zu: %s", g, c, e);
            assert_int_equal(v.rows, rows);
            check_values(t, c, r0, &v);
            tpq_values_free(&v);
        }
        r0 += rows;
    }
    assert_int_equal(r0, sigmix_table_rows(t));
    assert_int_equal(tn_int(&f->meta, 3, -1), (int64_t)sigmix_table_rows(t));
}

/* ---- encoders: exact bytes ----------------------------------------------- */

static void test_thrift_bytes(void **state)
{
    (void)state;
    pqw_buf b = { 0 };
    thr_w w;
    thr_init(&w, &b);
    thr_i32(&w, 1, 1);          /* short form: delta 1, type 5 */
    thr_i64(&w, 20, -1);        /* delta 19 > 15: long form */
    thr_bool(&w, 21, 1);        /* bool in the type nibble */
    thr_list(&w, 22, THR_I32, 16);
    for (int k = 0; k < 16; k++)
        thr_elem_i32(&w, k - 8);
    thr_struct(&w, 23);
    thr_i32(&w, 1, 150);
    thr_end(&w);
    thr_str(&w, 24, "ab");      /* last id restored after the nested struct */
    thr_list(&w, 25, THR_STRUCT, 1);
    thr_elem_struct(&w);
    thr_end(&w);
    thr_end(&w);
    static const uint8_t want[] = {
        0x15, 0x02,
        0x06, 0x28, 0x01,
        0x11,
        0x19, 0xF5, 0x10,
        15, 13, 11, 9, 7, 5, 3, 1, 0, 2, 4, 6, 8, 10, 12, 14,
        0x1C, 0x15, 0xAC, 0x02, 0x00,
        0x18, 0x02, 'a', 'b',
        0x19, 0x1C, 0x00,
        0x00,
    };
    assert_false(b.oom);
    assert_int_equal(b.len, sizeof want);
    assert_memory_equal(b.p, want, sizeof want);
    pqw_buf_free(&b);
}

static void rle_case(const uint32_t *v, size_t n, int bw, const uint8_t *want, size_t wn)
{
    pqw_buf b = { 0 };
    pqw_rle_encode(&b, v, n, bw);
    assert_int_equal(b.len, wn);
    assert_memory_equal(b.p, want, wn);
    pqw_buf_free(&b);
}

static void test_rle_bytes(void **state)
{
    (void)state;
    uint32_t ones[10] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 };
    rle_case(ones, 10, 1, (const uint8_t[]){ 0x14, 0x01 }, 2);
    uint32_t alt[8] = { 0, 1, 0, 1, 0, 1, 0, 1 };
    rle_case(alt, 8, 1, (const uint8_t[]){ 0x03, 0xAA }, 2);
    /* The example from the spec's Encodings.md: 0..7 at width 3. */
    uint32_t seq[8] = { 0, 1, 2, 3, 4, 5, 6, 7 };
    rle_case(seq, 8, 3, (const uint8_t[]){ 0x03, 0x88, 0xC6, 0xFA }, 4);
    /* Short tail: one zero-padded bit-packed group. */
    uint32_t five[3] = { 5, 5, 5 };
    rle_case(five, 3, 3, (const uint8_t[]){ 0x03, 0x6D, 0x01, 0x00 }, 4);
    /* Mixed: a packed group, then an RLE run of the remaining 15 sevens;
     * 300 as a two-byte RLE value at width 9. */
    uint32_t mix[23] = { 1, 2, 3 };
    for (int k = 3; k < 23; k++)
        mix[k] = 7;
    rle_case(mix, 23, 3,
             (const uint8_t[]){ 0x03, 0xD1, 0xFE, 0xFF, 0x1E, 0x07 }, 6);
    uint32_t wide[9] = { 300, 300, 300, 300, 300, 300, 300, 300, 300 };
    rle_case(wide, 9, 9, (const uint8_t[]){ 0x12, 0x2C, 0x01 }, 3);
    assert_int_equal(pqw_bit_width(0), 1);
    assert_int_equal(pqw_bit_width(1), 1);
    assert_int_equal(pqw_bit_width(2), 2);
    assert_int_equal(pqw_bit_width(255), 8);
    assert_int_equal(pqw_bit_width(256), 9);
}

/* ---- whole files --------------------------------------------------------- */

static void test_structure(void **state)
{
    (void)state;
    sigmix_table *t = mixed_table(40);
    sigmix_write_options o;
    sigmix_write_options_default(&o);
    const char *kv[] = { "sigmix.provenance", "{\"model\":\"x\"}", "empty", NULL, NULL };
    o.kv_metadata = kv;
    tpq_file f;
    write_mem(t, &o, &f);

    assert_int_equal(tn_int(&f.meta, 1, -1), 1);                 /* version */
    const tnode *schema = tn_get(&f.meta, 2);
    assert_int_equal(schema->nkids, 8);
    assert_true(bin_eq(tn_get(&schema->kids[0], 4), "schema"));
    assert_int_equal(tn_int(&schema->kids[0], 5, -1), 7);
    /* name, physical type, repetition (0 required, 1 optional), converted type */
    static const struct { const char *name; int type, rep, conv, logical; } want[] = {
        { "d", 5, 1, -1, -1 }, { "i", 2, 1, 18, 10 }, { "b", 0, 1, -1, -1 },
        { "s", 6, 1, 0, 1 }, { "j", 6, 0, 19, 12 }, { "u", 6, 0, 0, 1 }, { "dr", 5, 0, -1, -1 },
    };
    for (size_t c = 0; c < 7; c++) {
        const tnode *se = schema_el(&f, c);
        assert_true(bin_eq(tn_get(se, 4), want[c].name));
        assert_int_equal(tn_int(se, 1, -1), want[c].type);
        assert_int_equal(tn_int(se, 3, -1), want[c].rep);
        assert_int_equal(tn_int(se, 6, -1), want[c].conv);
        const tnode *lt = tn_get(se, 10);
        if (want[c].logical < 0) {
            assert_null(lt);
        } else {
            assert_non_null(lt);
            assert_int_equal(lt->nkids, 1);
            assert_int_equal(lt->kids[0].id, want[c].logical);
        }
    }
    const tnode *it = tn_get(tn_get(schema_el(&f, 1), 10), 10);   /* IntType */
    assert_int_equal(tn_int(it, 1, -1), 64);
    assert_int_equal(tn_int(it, 2, -1), 1);

    /* one row group, snappy, statistics */
    assert_int_equal(tn_get(&f.meta, 4)->nkids, 1);
    for (size_t c = 0; c < 7; c++) {
        const tnode *md = col_meta(&f, 0, c);
        assert_int_equal(tn_int(md, 4, -1), 1);                  /* SNAPPY */
        assert_int_equal(tn_int(md, 5, -1), 40);                 /* num_values */
        assert_true(bin_eq(tn_elem(tn_get(md, 3), 0), want[c].name));
        assert_int_equal(has_encoding(md, 3), want[c].rep == 1); /* RLE levels */
    }
    assert_int_equal(tn_int(stats(&f, 0, 0), 3, -1), 6);          /* null counts */
    assert_int_equal(tn_int(stats(&f, 0, 1), 3, -1), 8);
    assert_int_equal(tn_int(stats(&f, 0, 2), 3, -1), 13);
    assert_int_equal(tn_int(stats(&f, 0, 3), 3, -1), 6);
    assert_int_equal(tn_int(stats(&f, 0, 4), 3, -1), 0);
    /* doubles: NaN excluded, infinities count, legacy min/max equal */
    assert_true(bin_double(tn_get(stats(&f, 0, 0), 6)) == -INFINITY);
    assert_true(bin_double(tn_get(stats(&f, 0, 0), 5)) == INFINITY);
    assert_true(bin_double(tn_get(stats(&f, 0, 0), 2)) == -INFINITY);
    assert_true(bin_i64(tn_get(stats(&f, 0, 1), 6)) == INT64_MIN);
    assert_true(bin_i64(tn_get(stats(&f, 0, 1), 5)) == INT64_MAX);
    assert_int_equal(tn_get(stats(&f, 0, 2), 6)->bin[0], 0);
    assert_int_equal(tn_get(stats(&f, 0, 2), 5)->bin[0], 1);
    /* strings: unsigned byte order, no legacy min/max */
    assert_true(bin_eq(tn_get(stats(&f, 0, 3), 6), ""));
    assert_true(bin_eq(tn_get(stats(&f, 0, 3), 5), "日本語"));
    assert_null(tn_get(stats(&f, 0, 3), 1));
    assert_true(bin_eq(tn_get(stats(&f, 0, 5), 6), "u0-0"));
    /* low-cardinality strings take a dictionary, unique ones stay PLAIN */
    const tnode *smd = col_meta(&f, 0, 3), *umd = col_meta(&f, 0, 5);
    assert_true(has_encoding(smd, 8) && has_encoding(smd, 2));
    assert_true(tn_get(smd, 11) && tn_int(smd, 11, 0) < tn_int(smd, 9, 0));
    assert_true(has_encoding(umd, 0) && !has_encoding(umd, 8));
    assert_null(tn_get(umd, 11));

    const tnode *kvl = tn_get(&f.meta, 5);
    assert_int_equal(kvl->nkids, 2);
    assert_true(bin_eq(tn_get(&kvl->kids[0], 1), "sigmix.provenance"));
    assert_true(bin_eq(tn_get(&kvl->kids[0], 2), "{\"model\":\"x\"}"));
    assert_true(bin_eq(tn_get(&kvl->kids[1], 1), "empty"));
    assert_null(tn_get(&kvl->kids[1], 2));
    const tnode *cb = tn_get(&f.meta, 6);
    assert_true(cb && cb->len > 15 && !memcmp(cb->bin, "sigmix version ", 15));
    const tnode *co = tn_get(&f.meta, 7);
    assert_int_equal(co->nkids, 7);
    assert_non_null(tn_get(&co->kids[6], 1));                    /* TYPE_ORDER */

    check_all_values(t, &f);
    tpq_close(&f);
    sigmix_table_free(&t);
}

static void test_codecs_roundtrip(void **state)
{
    (void)state;
    static const sigmix_compression comp[] = { SIGMIX_COMPRESSION_DEFAULT,
        SIGMIX_COMPRESSION_NONE, SIGMIX_COMPRESSION_SNAPPY, SIGMIX_COMPRESSION_ZSTD,
        SIGMIX_COMPRESSION_GZIP };
    static const int codec[] = { 1, 0, 1, 6, 2 };
    sigmix_table *t = mixed_table(3000);
    for (size_t k = 0; k < 5; k++) {
        sigmix_write_options o;
        sigmix_write_options_default(&o);
        o.compression = comp[k];
        tpq_file f;
        write_mem(t, &o, &f);
        assert_int_equal(tn_int(col_meta(&f, 0, 0), 4, -1), codec[k]);
        check_all_values(t, &f);
        tpq_close(&f);
    }
    sigmix_table_free(&t);
}

static void test_row_groups(void **state)
{
    (void)state;
    sigmix_table *t = mixed_table(100);
    sigmix_write_options o;
    sigmix_write_options_default(&o);
    o.row_group_rows = 7;
    tpq_file f;
    write_mem(t, &o, &f);
    const tnode *g = tn_get(&f.meta, 4);
    assert_int_equal(g->nkids, 15);
    int64_t prev_end = 4;
    for (size_t k = 0; k < 15; k++) {
        assert_int_equal(tn_int(&g->kids[k], 3, -1), k < 14 ? 7 : 2);
        assert_int_equal(tn_int(&g->kids[k], 7, -1), (int64_t)k);   /* ordinal */
        int64_t start = tn_int(&g->kids[k], 5, -1), comp = tn_int(&g->kids[k], 6, -1);
        assert_int_equal(start, prev_end);           /* chunks are contiguous */
        prev_end = start + comp;
    }
    assert_int_equal((size_t)prev_end, f.size - 8 - f.footer_len);
    /* statistics are per row group: rows 7..13 of "dr" */
    double lo = INFINITY;
    for (size_t r = 7; r < 14; r++)
        lo = fmin(lo, sin((double)r));
    assert_true(bin_double(tn_get(stats(&f, 1, 6), 6)) == lo);
    check_all_values(t, &f);
    tpq_close(&f);
    sigmix_table_free(&t);
}

static void test_empty_tables(void **state)
{
    (void)state;
    sigmix_table *t = mixed_table(0);
    tpq_file f;
    write_mem(t, NULL, &f);
    assert_int_equal(tn_int(&f.meta, 3, -1), 0);
    assert_int_equal(tn_get(&f.meta, 4)->nkids, 0);
    assert_int_equal(tn_get(&f.meta, 2)->nkids, 8);
    assert_int_equal(tn_int(schema_el(&f, 0), 3, -1), 0);    /* no nulls: REQUIRED */
    tpq_close(&f);
    sigmix_table_free(&t);

    /* No columns: refused (other readers reject a schema without leaves). */
    assert_int_equal(sigmix_table_create(&t), 0);
    assert_int_equal(sigmix_table_resize(t, 5), 0);
    sigmix_write_options o;
    sigmix_write_options_default(&o);
    sigmix_error err = { 0 };
    FILE *fp = fopen("/dev/null", "wb");
    assert_int_equal(sigmix_parquet_write(t, fp, &o, &err), SIGMIX_EINVAL);
    assert_string_equal(err.message, "a Parquet file needs at least one column");
    fclose(fp);
    sigmix_table_free(&t);
}

static void test_pages_and_dictionary(void **state)
{
    (void)state;
    sigmix_table *t;
    size_t rows = 300000;
    assert_int_equal(sigmix_table_create(&t), 0);
    size_t d = add(t, "x", SIGMIX_KIND_DOUBLE), k = add(t, "k", SIGMIX_KIND_INT64);
    size_t s = add(t, "s", SIGMIX_KIND_STRING);
    assert_int_equal(sigmix_table_resize(t, rows), 0);
    for (size_t r = 0; r < rows; r++) {
        char buf[32];
        sigmix_table_set_double(t, d, r, (double)r / 3);
        sigmix_table_set_int64(t, k, r, (int64_t)(r % 300) - 150);
        snprintf(buf, sizeof buf, "level-%zu", (r / 1000) % 17);
        if (r % 11)
            set_str(t, s, r, buf);
    }
    tpq_file f;
    write_mem(t, NULL, &f);
    tpq_values v;
    assert_null(tpq_read_chunk(&f, 0, 0, &v));
    assert_int_equal(v.data_pages, 3);         /* 2.4 MB of doubles, ~1 MB pages */
    assert_int_equal(v.dict_pages, 0);
    tpq_values_free(&v);
    assert_null(tpq_read_chunk(&f, 0, 1, &v));
    assert_int_equal(v.dict_pages, 1);         /* 300 distinct int64: dictionary */
    tpq_values_free(&v);
    assert_true(has_encoding(col_meta(&f, 0, 1), 8));
    assert_true(has_encoding(col_meta(&f, 0, 2), 8));
    const tnode *es = tn_get(col_meta(&f, 0, 0), 13);   /* encoding_stats */
    assert_int_equal(es->nkids, 1);
    assert_int_equal(tn_int(&es->kids[0], 3, -1), 3);
    check_all_values(t, &f);
    tpq_close(&f);
    sigmix_table_free(&t);
}

static void test_statistics_rules(void **state)
{
    (void)state;
    sigmix_table *t;
    assert_int_equal(sigmix_table_create(&t), 0);
    size_t nan = add(t, "nan", SIGMIX_KIND_DOUBLE), zero = add(t, "zero", SIGMIX_KIND_DOUBLE);
    size_t big = add(t, "big", SIGMIX_KIND_STRING), nul = add(t, "nul", SIGMIX_KIND_INT64);
    size_t bad = add(t, "bad", SIGMIX_KIND_STRING), un = add(t, "un", SIGMIX_KIND_INT64);
    size_t neg = add(t, "neg", SIGMIX_KIND_INT64);
    assert_int_equal(sigmix_table_resize(t, 4), 0);
    sigmix_table_col_mut(t, un)->flags |= SIGMIX_COLF_UNSIGNED;
    sigmix_table_col_mut(t, neg)->flags |= SIGMIX_COLF_UNSIGNED;
    char *longs = malloc(5000);
    memset(longs, 'z', 5000);
    for (size_t r = 0; r < 4; r++) {
        sigmix_table_set_double(t, nan, r, NAN);
        sigmix_table_set_double(t, zero, r, r & 1 ? 0.0 : -0.0);
        assert_int_equal(sigmix_table_set_string(t, big, r, longs, r == 2 ? 5000 : 3), 0);
        assert_int_equal(sigmix_table_set_string(t, bad, r, r == 1 ? "\xff\xfe" : "ok", 2), 0);
        sigmix_table_set_int64(t, un, r, (int64_t)r);
        sigmix_table_set_int64(t, neg, r, (int64_t)r - 1);
    }
    free(longs);
    tpq_file f;
    write_mem(t, NULL, &f);
    const tnode *st = stats(&f, 0, nan);
    assert_int_equal(tn_int(st, 3, -1), 0);
    assert_null(tn_get(st, 5));                 /* only NaN: no min/max */
    assert_null(tn_get(st, 6));
    double mn = bin_double(tn_get(stats(&f, 0, zero), 6));
    double mx = bin_double(tn_get(stats(&f, 0, zero), 5));
    assert_true(mn == 0 && signbit(mn));        /* zero min written as -0.0 */
    assert_true(mx == 0 && !signbit(mx));       /* zero max written as +0.0 */
    assert_null(tn_get(stats(&f, 0, big), 5));  /* 5000-byte max left out */
    assert_int_equal(tn_int(stats(&f, 0, nul), 3, -1), 4);
    assert_null(tn_get(stats(&f, 0, nul), 6));
    assert_int_equal(tn_int(schema_el(&f, nul), 3, -1), 1);
    /* invalid UTF-8: raw BYTE_ARRAY without STRING annotation */
    assert_null(tn_get(schema_el(&f, bad), 6));
    assert_null(tn_get(schema_el(&f, bad), 10));
    assert_int_equal(tn_int(schema_el(&f, un), 6, -1), 14);            /* UINT_64 */
    assert_int_equal(tn_int(tn_get(tn_get(schema_el(&f, un), 10), 10), 2, -1), 0);
    assert_int_equal(tn_int(schema_el(&f, neg), 6, -1), 18);           /* negatives: INT_64 */
    check_all_values(t, &f);
    tpq_close(&f);
    sigmix_table_free(&t);
}

static void test_write_errors(void **state)
{
    (void)state;
    sigmix_table *t = mixed_table(50000);
    sigmix_write_options o;
    sigmix_write_options_default(&o);
    FILE *fp = fopen("/dev/full", "wb");
    if (!fp)
        skip();
    sigmix_error err = { 0 };
    assert_int_equal(sigmix_parquet_write(t, fp, &o, &err), SIGMIX_EIO);
    assert_non_null(strstr(err.message, "cannot write Parquet output"));
    fclose(fp);
    o.row_group_rows = 1;
    memset(&err, 0, sizeof err);
    fp = fopen("/dev/null", "wb");
    assert_int_equal(sigmix_parquet_write(t, fp, &o, &err), SIGMIX_EINVAL);
    assert_string_equal(err.message, "too many row groups (50000; at most 32767)");
    fclose(fp);
    sigmix_table_free(&t);
}

/* The file written with options o, in memory (caller frees *buf). */
static void write_bytes_of(const sigmix_table *t, const sigmix_write_options *o, char **buf,
                           size_t *len)
{
    FILE *fp = open_memstream(buf, len);
    assert_non_null(fp);
    sigmix_error err = { 0 };
    assert_int_equal(sigmix_parquet_write(t, fp, o, &err), 0);
    assert_int_equal(fclose(fp), 0);
}

/* Chunks encoded side by side are appended in column order with their
 * offsets moved: the file is the serial one, byte for byte, for every
 * codec, one row group or many, and any number of threads. */
static void test_threads_same_bytes(void **state)
{
    (void)state;
    static const sigmix_compression comp[] = { SIGMIX_COMPRESSION_NONE,
        SIGMIX_COMPRESSION_SNAPPY, SIGMIX_COMPRESSION_ZSTD, SIGMIX_COMPRESSION_GZIP };
    static const size_t groups[] = { 0, 7, 700 };
    static const int threads[] = { 2, 3, 5, 16, 0 };
    sigmix_table *t = mixed_table(3000);
    for (size_t c = 0; c < 4; c++)
        for (size_t g = 0; g < 3; g++) {
            sigmix_write_options o;
            sigmix_write_options_default(&o);
            o.compression = comp[c];
            o.row_group_rows = groups[g];
            o.threads = 1;
            char *want = NULL, *got = NULL;
            size_t wn = 0, gn = 0;
            write_bytes_of(t, &o, &want, &wn);
            for (size_t k = 0; k < 5; k++) {
                o.threads = threads[k];
                write_bytes_of(t, &o, &got, &gn);
                assert_int_equal(gn, wn);
                assert_memory_equal(got, want, wn);
                free(got);
                got = NULL;
            }
            free(want);
        }
    sigmix_table_free(&t);
}

/* A failed write with encoder threads: the same error as a serial write,
 * and every thread stops (a hang here would time the test out). */
static void test_threads_write_error(void **state)
{
    (void)state;
    sigmix_table *t = mixed_table(50000);
    FILE *fp = fopen("/dev/full", "wb");
    if (!fp)
        skip();
    setvbuf(fp, NULL, _IONBF, 0); /* the first page fails, with most columns still to do */
    sigmix_write_options o;
    sigmix_write_options_default(&o);
    o.row_group_rows = 1000;
    o.threads = 3;
    sigmix_error err = { 0 };
    assert_int_equal(sigmix_parquet_write(t, fp, &o, &err), SIGMIX_EIO);
    assert_non_null(strstr(err.message, "cannot write Parquet output"));
    fclose(fp);
    sigmix_table_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_thrift_bytes),
        cmocka_unit_test(test_rle_bytes),
        cmocka_unit_test(test_structure),
        cmocka_unit_test(test_codecs_roundtrip),
        cmocka_unit_test(test_row_groups),
        cmocka_unit_test(test_empty_tables),
        cmocka_unit_test(test_pages_and_dictionary),
        cmocka_unit_test(test_statistics_rules),
        cmocka_unit_test(test_write_errors),
        cmocka_unit_test(test_threads_same_bytes),
        cmocka_unit_test(test_threads_write_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
