/*
 * Test-side builder of multi-column Parquet files with any schema tree
 * (groups, LIST/MAP annotations, logical types), several row groups and
 * footer key/value metadata, on top of pq_build.h's Thrift writer and
 * page layout. Chunk offsets and sizes can be forced to build hostile
 * files (overlapping chunks, row counts no page backs). Test code only.
 */
#ifndef SIGMIX_PQ_BUILD_MULTI_H
#define SIGMIX_PQ_BUILD_MULTI_H

#include "pq_build.h"

/* LogicalType union members used by the tests (parquet.thrift ids). */
enum { PM_LT_NONE = 0, PM_LT_STRING = 1, PM_LT_LIST = 3, PM_LT_DATE = 6,
       PM_LT_TIMESTAMP = 8, PM_LT_INTEGER = 10 };

typedef struct pm_el {
    const char *name;
    int type;          /* physical; -1 for a group */
    int rep;           /* 0 required, 1 optional, 2 repeated */
    int nkids;         /* groups */
    int converted;     /* -1 none */
    int logical;       /* PM_LT_* */
    int la, lb;        /* INTEGER: bits, signed; TIMESTAMP: utc, unit (1 ms, 2 us, 3 ns) */
} pm_el;

typedef struct pm_chunk {
    pb_page *pages;
    size_t   npages;
    int64_t  num_values;
    int64_t  force_off;   /* nonzero: claim this data page offset */
    int64_t  force_len;   /* nonzero: claim this total_compressed_size */
    /* filled by pm_build: */
    int64_t  off, len;
} pm_chunk;

typedef struct pm_spec {
    const pm_el        *schema;    /* depth-first, without the root */
    size_t              nschema;
    size_t              ntop;      /* children of the root */
    size_t              nleaves;
    size_t              nrg;
    const int64_t      *rg_rows;
    pm_chunk           *chunks;    /* nrg * nleaves, row group major */
    const char *const  *kv;        /* key, value pairs, NULL-terminated; may be NULL */
    const char *const  *paths;     /* path_in_schema of each leaf ("a.list.element") */
} pm_spec;

/* RLE levels with the v1 4-byte length: one RLE run per entry. */
static inline void pm_levels(tw *w, const uint32_t *v, size_t n, int bw)
{
    tw body = { 0 };
    for (size_t i = 0; i < n; i++) {
        tw_varint(&body, 1u << 1);
        for (int b = 0; b < (bw + 7) / 8; b++)
            tw_byte(&body, (uint8_t)(v[i] >> (8 * b)));
    }
    uint32_t len = (uint32_t)body.n;
    tw_bytes(w, &len, 4);
    tw_bytes(w, body.p, body.n);
    free(body.p);
}

static inline void pm_path(tw *m, const char *path)
{
    size_t parts = 1;
    for (const char *c = path; *c; c++)
        parts += *c == '.';
    tw_list(m, 3, 8, parts);
    const char *s = path;
    for (;;) {
        const char *e = strchr(s, '.');
        size_t l = e ? (size_t)(e - s) : strlen(s);
        tw_varint(m, l);
        tw_bytes(m, s, l);
        if (!e)
            break;
        s = e + 1;
    }
}

static inline size_t pm_build(pm_spec *s, uint8_t **out)
{
    tw f = { 0 }, m = { 0 };
    tw_bytes(&f, "PAR1", 4);
    for (size_t c = 0; c < s->nrg * s->nleaves; c++) {
        pm_chunk *ch = &s->chunks[c];
        ch->off = (int64_t)f.n;
        for (size_t i = 0; i < ch->npages; i++) {
            pb_page_header(&f, &ch->pages[i], ch->pages[i].data, ch->pages[i].len);
            tw_bytes(&f, ch->pages[i].data, ch->pages[i].len);
        }
        ch->len = (int64_t)f.n - ch->off;
    }
    m.last[0] = 0;
    m.depth = 0;
    tw_i32(&m, 1, 1);
    tw_list(&m, 2, 12, s->nschema + 1);
    tw_begin(&m, 0);
    tw_bin(&m, 4, "schema");
    tw_i32(&m, 5, (int64_t)s->ntop);
    tw_end(&m);
    for (size_t i = 0; i < s->nschema; i++) {
        const pm_el *e = &s->schema[i];
        tw_begin(&m, 0);
        if (e->type >= 0)
            tw_i32(&m, 1, e->type);
        tw_i32(&m, 3, e->rep);
        tw_bin(&m, 4, e->name);
        if (e->type < 0)
            tw_i32(&m, 5, e->nkids);
        if (e->converted >= 0)
            tw_i32(&m, 6, e->converted);
        if (e->logical) {
            tw_begin(&m, 10);
            tw_begin(&m, e->logical);
            if (e->logical == PM_LT_INTEGER) {
                tw_field(&m, 1, 3);
                tw_byte(&m, (uint8_t)e->la);
                tw_field(&m, 2, e->lb ? 1 : 2);
            } else if (e->logical == PM_LT_TIMESTAMP) {
                tw_field(&m, 1, e->la ? 1 : 2);
                tw_begin(&m, 2);
                tw_begin(&m, e->lb);
                tw_end(&m);
                tw_end(&m);
            }
            tw_end(&m);
            tw_end(&m);
        }
        tw_end(&m);
    }
    int64_t total = 0;
    for (size_t g = 0; g < s->nrg; g++)
        total += s->rg_rows[g];
    tw_i64(&m, 3, total);
    tw_list(&m, 4, 12, s->nrg);
    for (size_t g = 0; g < s->nrg; g++) {
        int64_t bytes = 0;
        tw_begin(&m, 0);
        tw_list(&m, 1, 12, s->nleaves);
        for (size_t c = 0; c < s->nleaves; c++) {
            pm_chunk *ch = &s->chunks[g * s->nleaves + c];
            int64_t off = ch->force_off ? ch->force_off : ch->off;
            int64_t len = ch->force_len ? ch->force_len : ch->len;
            int type = 0;
            for (size_t i = 0, k = 0; i < s->nschema; i++)
                if (s->schema[i].type >= 0 && k++ == c)
                    type = s->schema[i].type;
            bytes += len;
            tw_begin(&m, 0);
            tw_i64(&m, 2, off);
            tw_begin(&m, 3);
            tw_i32(&m, 1, type);
            tw_list(&m, 2, 5, 1);
            tw_zz(&m, 0);
            pm_path(&m, s->paths[c]);
            tw_i32(&m, 4, 0);
            tw_i64(&m, 5, ch->num_values);
            tw_i64(&m, 6, len);
            tw_i64(&m, 7, len);
            tw_i64(&m, 9, off);
            tw_end(&m);
            tw_end(&m);
        }
        tw_i64(&m, 2, bytes);
        tw_i64(&m, 3, s->rg_rows[g]);
        tw_end(&m);
    }
    size_t nkv = 0;
    while (s->kv && s->kv[2 * nkv])
        nkv++;
    if (nkv) {
        tw_list(&m, 5, 12, nkv);
        for (size_t i = 0; i < nkv; i++) {
            tw_begin(&m, 0);
            tw_bin(&m, 1, s->kv[2 * i]);
            tw_bin(&m, 2, s->kv[2 * i + 1]);
            tw_end(&m);
        }
    }
    tw_byte(&m, 0);
    tw_bytes(&f, m.p, m.n);
    uint32_t len = (uint32_t)m.n;
    tw_bytes(&f, &len, 4);
    tw_bytes(&f, "PAR1", 4);
    free(m.p);
    *out = f.p;
    return f.n;
}

#endif
