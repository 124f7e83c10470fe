/*
 * Test-side builder of tiny single-column Parquet files (uncompressed),
 * with a minimal Thrift compact writer, so the reader's error paths
 * (bad CRC, dictionary index out of range, truncated pages, huge sizes,
 * encryption) can be exercised without ../shared. Also used to generate
 * fuzz seeds. Test code only.
 */
#ifndef SIGMIX_PQ_BUILD_H
#define SIGMIX_PQ_BUILD_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

typedef struct tw {
    uint8_t *p;
    size_t   n, cap;
    int      last[32];
    int      depth;
} tw;

static inline void tw_byte(tw *w, uint8_t b)
{
    if (w->n == w->cap)
        w->p = realloc(w->p, w->cap = w->cap ? w->cap * 2 : 256);
    w->p[w->n++] = b;
}

static inline void tw_bytes(tw *w, const void *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        tw_byte(w, ((const uint8_t *)p)[i]);
}

static inline void tw_varint(tw *w, uint64_t v)
{
    while (v >= 0x80) {
        tw_byte(w, (uint8_t)(v | 0x80));
        v >>= 7;
    }
    tw_byte(w, (uint8_t)v);
}

static inline void tw_zz(tw *w, int64_t v)
{
    tw_varint(w, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

static inline void tw_field(tw *w, int id, int type)
{
    int d = id - w->last[w->depth];
    if (d > 0 && d <= 15) {
        tw_byte(w, (uint8_t)(d << 4 | type));
    } else {
        tw_byte(w, (uint8_t)type);
        tw_zz(w, id);
    }
    w->last[w->depth] = id;
}

static inline void tw_i32(tw *w, int id, int64_t v) { tw_field(w, id, 5); tw_zz(w, v); }
static inline void tw_i64(tw *w, int id, int64_t v) { tw_field(w, id, 6); tw_zz(w, v); }
static inline void tw_bin(tw *w, int id, const char *s)
{
    tw_field(w, id, 8);
    tw_varint(w, strlen(s));
    tw_bytes(w, s, strlen(s));
}
/* Struct as a field (id > 0) or as a list element (id == 0). */
static inline void tw_begin(tw *w, int id)
{
    if (id)
        tw_field(w, id, 12);
    w->last[++w->depth] = 0;
}
static inline void tw_end(tw *w)
{
    tw_byte(w, 0);
    w->depth--;
}
static inline void tw_list(tw *w, int id, int elem, size_t n)
{
    tw_field(w, id, 9);
    if (n < 15) {
        tw_byte(w, (uint8_t)(n << 4 | (size_t)elem));
    } else {
        tw_byte(w, (uint8_t)(0xf0 | elem));
        tw_varint(w, n);
    }
}

/* One page of the column: raw (uncompressed) bytes as stored. */
typedef struct pb_page {
    int            dict;        /* dictionary page */
    int            v2;          /* data page v2 (levels: def_len bytes first) */
    int            encoding;
    int            num_values;
    int            num_nulls;   /* v2 */
    int            def_len;     /* v2 */
    const uint8_t *data;
    size_t         len;
    int            crc;         /* 1: correct CRC; 2: wrong CRC */
    int            claim;       /* if nonzero: uncompressed/compressed size to claim */
} pb_page;

typedef struct pb_spec {
    int      type;        /* physical type */
    int      type_length; /* FLBA */
    int      optional;
    int      converted;   /* -1: none */
    int64_t  num_rows;
    pb_page *pages;
    size_t   npages;
    int      encrypted_footer; /* write PARE magic */
    int      codec;       /* 0 none, 1 snappy, 2 gzip, 6 zstd: v1 and dictionary pages */
} pb_spec;

/* Compress with the test's codec; returns a malloc'd buffer. */
static inline uint8_t *pb_compress(int codec, const uint8_t *p, size_t n, size_t *out)
{
    size_t cap = n * 2 + 1024;
    uint8_t *o = malloc(cap);
    if (codec == 1) {
        *out = cap;
        snappy_compress((const char *)p, n, (char *)o, out);
    } else if (codec == 6) {
        *out = ZSTD_compress(o, cap, p, n, 3);
    } else {
        uLongf l = (uLongf)cap;
        z_stream z;
        memset(&z, 0, sizeof z);
        deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
        z.next_in = (Bytef *)p;
        z.avail_in = (uInt)n;
        z.next_out = o;
        z.avail_out = (uInt)l;
        deflate(&z, Z_FINISH);
        *out = z.total_out;
        deflateEnd(&z);
    }
    return o;
}

static inline void pb_page_header(tw *w, const pb_page *pg, const uint8_t *body, size_t blen)
{
    int size = pg->claim ? pg->claim : (int)blen;
    w->last[0] = 0;
    w->depth = 0;
    tw_i32(w, 1, pg->dict ? 2 : pg->v2 ? 3 : 0);
    tw_i32(w, 2, pg->claim ? pg->claim : (int)pg->len);
    tw_i32(w, 3, size);
    if (pg->crc)
        tw_i32(w, 4, (int32_t)(crc32(0, body, (uInt)blen) ^ (pg->crc == 2 ? 1u : 0u)));
    if (pg->dict) {
        tw_begin(w, 7);
        tw_i32(w, 1, pg->num_values);
        tw_i32(w, 2, 0);
        tw_end(w);
    } else if (pg->v2) {
        tw_begin(w, 8);
        tw_i32(w, 1, pg->num_values);
        tw_i32(w, 2, pg->num_nulls);
        tw_i32(w, 3, pg->num_values);
        tw_i32(w, 4, pg->encoding);
        tw_i32(w, 5, pg->def_len);
        tw_i32(w, 6, 0);
        tw_field(w, 7, 2); /* is_compressed = false */
        tw_end(w);
    } else {
        tw_begin(w, 5);
        tw_i32(w, 1, pg->num_values);
        tw_i32(w, 2, pg->encoding);
        tw_i32(w, 3, 3);
        tw_i32(w, 4, 3);
        tw_end(w);
    }
    tw_byte(w, 0);
}

/* Build the whole file into *out (malloc'd); returns its size. */
static inline size_t pb_build(const pb_spec *s, uint8_t **out)
{
    tw f = { 0 }, m = { 0 };
    tw_bytes(&f, "PAR1", 4);
    int64_t first = (int64_t)f.n, dict_off = -1, data_off = -1;
    for (size_t i = 0; i < s->npages; i++) {
        if (s->pages[i].dict && dict_off < 0)
            dict_off = (int64_t)f.n;
        if (!s->pages[i].dict && data_off < 0)
            data_off = (int64_t)f.n;
        const pb_page *pg = &s->pages[i];
        size_t blen = pg->len;
        uint8_t *body = s->codec && !pg->v2 ? pb_compress(s->codec, pg->data, pg->len, &blen) : NULL;
        pb_page_header(&f, pg, body ? body : pg->data, blen);
        tw_bytes(&f, body ? body : pg->data, blen);
        free(body);
    }
    if (data_off < 0)
        data_off = (int64_t)f.n;
    int64_t chunk = (int64_t)f.n - first;
    /* FileMetaData */
    tw_i32(&m, 1, 1);
    tw_list(&m, 2, 12, 2);
    tw_begin(&m, 0);
    tw_bin(&m, 4, "schema");
    tw_i32(&m, 5, 1);
    tw_end(&m);
    tw_begin(&m, 0);
    tw_i32(&m, 1, s->type);
    if (s->type_length)
        tw_i32(&m, 2, s->type_length);
    tw_i32(&m, 3, s->optional ? 1 : 0);
    tw_bin(&m, 4, "x");
    if (s->converted >= 0)
        tw_i32(&m, 6, s->converted);
    tw_end(&m);
    tw_i64(&m, 3, s->num_rows);
    tw_list(&m, 4, 12, 1);
    tw_begin(&m, 0);                 /* RowGroup */
    tw_list(&m, 1, 12, 1);
    tw_begin(&m, 0);                 /* ColumnChunk */
    tw_i64(&m, 2, first);
    tw_begin(&m, 3);                 /* ColumnMetaData */
    tw_i32(&m, 1, s->type);
    tw_list(&m, 2, 5, 1);
    tw_zz(&m, 0);
    tw_list(&m, 3, 8, 1);
    tw_varint(&m, 1);
    tw_byte(&m, 'x');
    tw_i32(&m, 4, s->codec);
    tw_i64(&m, 5, s->num_rows);
    tw_i64(&m, 6, chunk);
    tw_i64(&m, 7, chunk);
    tw_i64(&m, 9, data_off);
    if (dict_off >= 0)
        tw_i64(&m, 11, dict_off);
    tw_end(&m);
    tw_end(&m);
    tw_i64(&m, 2, chunk);
    tw_i64(&m, 3, s->num_rows);
    tw_end(&m);
    tw_byte(&m, 0);
    tw_bytes(&f, m.p, m.n);
    uint32_t len = (uint32_t)m.n;
    tw_bytes(&f, &len, 4); /* little-endian hosts only: fine for tests */
    tw_bytes(&f, s->encrypted_footer ? "PARE" : "PAR1", 4);
    if (s->encrypted_footer)
        memcpy(f.p, "PARE", 4);
    free(m.p);
    *out = f.p;
    return f.n;
}

static inline int pb_write(const char *path, const uint8_t *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t w = fwrite(p, 1, n, f);
    return fclose(f) || w != n ? -1 : 0;
}

#endif
