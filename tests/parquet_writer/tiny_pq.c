/* Test-side Parquet inspector (see tiny_pq.h). Bounded; fails on bad input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include "tiny_pq.h"

typedef struct rd { const uint8_t *p; size_t n, at; int bad; } rd;

static uint64_t varint(rd *r)
{
    uint64_t v = 0;
    for (int s = 0; s < 64; s += 7) {
        if (r->at >= r->n) { r->bad = 1; return 0; }
        uint8_t b = r->p[r->at++];
        v |= (uint64_t)(b & 0x7f) << s;
        if (!(b & 0x80))
            return v;
    }
    r->bad = 1;
    return 0;
}

static int64_t zz(uint64_t v) { return (int64_t)(v >> 1) ^ -(int64_t)(v & 1); }

static void value(rd *r, int type, tnode *t, int depth);

static void parse_struct(rd *r, tnode *t, int depth)
{
    int last = 0;
    t->type = 12;
    if (depth > 32) { r->bad = 1; return; }
    while (!r->bad) {
        if (r->at >= r->n) { r->bad = 1; return; }
        uint8_t h = r->p[r->at++];
        if (!h)
            return;
        int type = h & 15, delta = h >> 4;
        int id = delta ? last + delta : (int)zz(varint(r));
        last = id;
        tnode *k = realloc(t->kids, (t->nkids + 1) * sizeof *k);
        if (!k) { r->bad = 1; return; }
        t->kids = k;
        memset(&k[t->nkids], 0, sizeof *k);
        k[t->nkids].id = id;
        value(r, type, &k[t->nkids++], depth + 1);
    }
}

static void value(rd *r, int type, tnode *t, int depth)
{
    t->type = type;
    switch (type) {
    case 1: t->i = 1; break;
    case 2: t->i = 0; break;
    case 3:
        if (r->at >= r->n) { r->bad = 1; break; }
        t->i = (int8_t)r->p[r->at++];
        break;
    case 4: case 5: case 6: t->i = zz(varint(r)); break;
    case 7: if (r->n - r->at < 8) r->bad = 1; else r->at += 8; break;
    case 8: {
        uint64_t len = varint(r);
        if (r->bad || len > r->n - r->at) { r->bad = 1; break; }
        t->bin = r->p + r->at;
        t->len = len;
        r->at += len;
        break;
    }
    case 9: case 10: {
        if (r->at >= r->n) { r->bad = 1; break; }
        uint8_t h = r->p[r->at++];
        uint64_t cnt = h >> 4;
        int et = h & 15;
        if (cnt == 15)
            cnt = varint(r);
        if (r->bad || cnt > r->n - r->at) { r->bad = 1; break; }
        t->kids = calloc(cnt ? cnt : 1, sizeof *t->kids);
        if (!t->kids) { r->bad = 1; break; }
        t->nkids = cnt;
        for (size_t i = 0; i < cnt && !r->bad; i++) {
            if (et == 1 || et == 2) { /* bools in lists are one byte each */
                if (r->at >= r->n) { r->bad = 1; break; }
                t->kids[i].type = et;
                t->kids[i].i = r->p[r->at++] == 1;
            } else {
                value(r, et, &t->kids[i], depth + 1);
            }
        }
        t->type = 9;
        break;
    }
    case 12: parse_struct(r, t, depth); break;
    default: r->bad = 1;
    }
}

size_t tn_parse_struct(const uint8_t *p, size_t n, tnode *out)
{
    rd r = { p, n, 0, 0 };
    memset(out, 0, sizeof *out);
    parse_struct(&r, out, 0);
    if (r.bad) {
        tn_free(out);
        return 0;
    }
    return r.at;
}

void tn_free(tnode *t)
{
    for (size_t i = 0; i < t->nkids; i++)
        tn_free(&t->kids[i]);
    free(t->kids);
    memset(t, 0, sizeof *t);
}

const tnode *tn_get(const tnode *t, int id)
{
    for (size_t i = 0; t && i < t->nkids; i++)
        if (t->kids[i].id == id)
            return &t->kids[i];
    return NULL;
}

int64_t tn_int(const tnode *t, int id, int64_t dflt)
{
    const tnode *k = tn_get(t, id);
    return k ? k->i : dflt;
}

const tnode *tn_elem(const tnode *list, size_t k)
{
    return list && k < list->nkids ? &list->kids[k] : NULL;
}

int tpq_open_mem(tpq_file *f, const void *data, size_t size)
{
    memset(f, 0, sizeof *f);
    if (size < 12 || memcmp(data, "PAR1", 4) || memcmp((const uint8_t *)data + size - 4, "PAR1", 4))
        return -1;
    f->data = malloc(size);
    if (!f->data)
        return -1;
    memcpy(f->data, data, size);
    f->size = size;
    const uint8_t *t = f->data + size - 8;
    f->footer_len = (size_t)t[0] | (size_t)t[1] << 8 | (size_t)t[2] << 16 | (size_t)t[3] << 24;
    if (f->footer_len > size - 12 ||
        tn_parse_struct(f->data + size - 8 - f->footer_len, f->footer_len, &f->meta) != f->footer_len) {
        tpq_close(f);
        return -1;
    }
    return 0;
}

int tpq_open(tpq_file *f, const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return -1;
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    void *buf = malloc(n > 0 ? (size_t)n : 1);
    int r = buf && n >= 0 && fread(buf, 1, (size_t)n, fp) == (size_t)n
            ? tpq_open_mem(f, buf, (size_t)n) : -1;
    free(buf);
    fclose(fp);
    return r;
}

void tpq_close(tpq_file *f)
{
    free(f->data);
    tn_free(&f->meta);
    memset(f, 0, sizeof *f);
}

/* ---- pages ---------------------------------------------------------- */

static uint8_t *decompress(int codec, const uint8_t *src, size_t n, size_t unc)
{
    uint8_t *out = malloc(unc ? unc : 1);
    if (!out)
        return NULL;
    size_t got = 0;
    if (codec == 0 && n == unc) {
        memcpy(out, src, n);
        got = n;
    } else if (codec == 1) {
        got = unc;
        if (snappy_uncompress((const char *)src, n, (char *)out, &got) != SNAPPY_OK)
            got = (size_t)-1;
    } else if (codec == 6) {
        got = ZSTD_decompress(out, unc, src, n);
    } else if (codec == 2) {
        z_stream z;
        memset(&z, 0, sizeof z);
        if (inflateInit2(&z, 15 + 16) == Z_OK) {
            z.next_in = (Bytef *)(uintptr_t)src;
            z.avail_in = (uInt)n;
            z.next_out = out;
            z.avail_out = (uInt)unc;
            if (inflate(&z, Z_FINISH) == Z_STREAM_END)
                got = z.total_out;
            inflateEnd(&z);
        }
    }
    if (got != unc) {
        free(out);
        return NULL;
    }
    return out;
}

/* RLE/bit-packed hybrid decode of `count` values (spec, Encodings.md). */
static int hybrid(const uint8_t *p, size_t n, int bw, uint32_t *out, size_t count)
{
    rd r = { p, n, 0, 0 };
    size_t k = 0;
    while (k < count) {
        uint64_t h = varint(&r);
        if (r.bad)
            return -1;
        if (h & 1) {
            size_t vals = (size_t)(h >> 1) * 8, bits = 0;
            size_t bytes = vals * (size_t)bw / 8;
            if (bytes > r.n - r.at)
                return -1;
            for (size_t i = 0; i < vals; i++, bits += (size_t)bw) {
                uint32_t v = 0;
                for (int b = 0; b < bw; b++) {
                    size_t bit = bits + (size_t)b;
                    v |= (uint32_t)((r.p[r.at + bit / 8] >> (bit % 8)) & 1) << b;
                }
                if (k < count)
                    out[k++] = v;
            }
            r.at += bytes;
        } else {
            size_t run = (size_t)(h >> 1), w = ((size_t)bw + 7) / 8;
            if (w > r.n - r.at || !run)
                return -1;
            uint32_t v = 0;
            for (size_t b = 0; b < w; b++)
                v |= (uint32_t)r.p[r.at + b] << (8 * b);
            r.at += w;
            for (size_t i = 0; i < run && k < count; i++)
                out[k++] = v;
        }
    }
    return 0;
}

typedef struct dict { uint8_t *page; size_t n; int64_t *i; double *d; const uint8_t **s; uint32_t *sl; } dict;

static const char *plain_value(int ptype, const uint8_t *p, size_t n, size_t *at,
                               size_t bitpos, tpq_values *v, size_t row)
{
    if (ptype == 0) {
        if (bitpos / 8 >= n)
            return "bool past page end";
        v->i64[row] = (p[bitpos / 8] >> (bitpos % 8)) & 1;
        return NULL;
    }
    if (ptype == 6) {
        if (n - *at < 4)
            return "string length past page end";
        uint32_t len = (uint32_t)p[*at] | (uint32_t)p[*at + 1] << 8 |
                       (uint32_t)p[*at + 2] << 16 | (uint32_t)p[*at + 3] << 24;
        *at += 4;
        if (len > n - *at)
            return "string past page end";
        v->str[row] = p + *at;
        v->slen[row] = len;
        *at += len;
        return NULL;
    }
    if (n - *at < 8)
        return "value past page end";
    if (ptype == 5)
        memcpy(&v->f64[row], p + *at, 8);
    else
        memcpy(&v->i64[row], p + *at, 8);
    *at += 8;
    return NULL;
}

static int keep(tpq_values *v, void *p)
{
    void **k = realloc(v->keep, (v->nkeep + 1) * sizeof *k);
    if (!k)
        return -1;
    v->keep = k;
    k[v->nkeep++] = p;
    return 0;
}

static const char *data_page(const tnode *ph, uint8_t *pg, size_t n, int ptype, int optional,
                             tpq_values *v, size_t *row, tpq_values *dv)
{
    const tnode *dh = tn_get(ph, 5);
    if (!dh)
        return "page is neither data nor dictionary page";
    size_t nv = (size_t)tn_int(dh, 1, -1);
    int enc = (int)tn_int(dh, 2, -1);
    if (nv > v->rows - *row)
        return "more values than rows";
    size_t at = 0;
    uint32_t *lv = calloc(nv ? nv : 1, sizeof *lv);
    if (!lv)
        return "oom";
    const char *err = NULL;
    if (optional) {
        if (n < 4) { free(lv); return "no level length"; }
        uint32_t ll = (uint32_t)pg[0] | (uint32_t)pg[1] << 8 | (uint32_t)pg[2] << 16 | (uint32_t)pg[3] << 24;
        if (ll > n - 4 || hybrid(pg + 4, ll, 1, lv, nv)) { free(lv); return "bad levels"; }
        at = 4 + ll;
    } else {
        for (size_t i = 0; i < nv; i++)
            lv[i] = 1;
    }
    size_t nn = 0;
    for (size_t i = 0; i < nv; i++)
        nn += lv[i];
    uint32_t *ix = NULL;
    if (enc == 8) {
        if (at >= n || !dv) { free(lv); return "dictionary page missing"; }
        int bw = pg[at++];
        ix = calloc(nn ? nn : 1, sizeof *ix);
        if (!ix || hybrid(pg + at, n - at, bw, ix, nn)) { free(lv); free(ix); return "bad indices"; }
    } else if (enc != 0) {
        free(lv);
        return "unexpected encoding";
    }
    size_t k = 0, bitpos = at * 8;
    for (size_t i = 0; i < nv && !err; i++, (*row)++) {
        v->valid[*row] = (uint8_t)lv[i];
        if (!lv[i])
            continue;
        if (ix) {
            uint32_t e = ix[k++];
            if (e >= dv->rows) { err = "index past dictionary"; break; }
            if (ptype == 6) { v->str[*row] = dv->str[e]; v->slen[*row] = dv->slen[e]; }
            else v->i64[*row] = dv->i64[e];
        } else {
            err = plain_value(ptype, pg, n, &at, bitpos, v, *row);
            bitpos++;
        }
    }
    free(lv);
    free(ix);
    return err;
}

static int alloc_values(tpq_values *v, size_t rows)
{
    v->rows = rows;
    v->valid = calloc(rows + 1, 1);
    v->i64 = calloc(rows + 1, sizeof *v->i64);
    v->f64 = calloc(rows + 1, sizeof *v->f64);
    v->str = calloc(rows + 1, sizeof *v->str);
    v->slen = calloc(rows + 1, sizeof *v->slen);
    return v->valid && v->i64 && v->f64 && v->str && v->slen ? 0 : -1;
}

const char *tpq_read_chunk(const tpq_file *f, size_t rg, size_t col, tpq_values *v)
{
    memset(v, 0, sizeof *v);
    const tnode *g = tn_elem(tn_get(&f->meta, 4), rg);
    const tnode *cc = tn_elem(tn_get(g, 1), col);
    const tnode *md = tn_get(cc, 3);
    const tnode *se = tn_elem(tn_get(&f->meta, 2), col + 1);
    if (!md || !se)
        return "no such column chunk";
    int ptype = (int)tn_int(md, 1, -1), codec = (int)tn_int(md, 4, -1);
    int optional = tn_int(se, 3, -1) == 1;
    size_t rows = (size_t)tn_int(g, 3, 0);
    int64_t off = tn_int(md, 11, tn_int(md, 9, -1));
    int64_t end = off + tn_int(md, 7, 0);
    if (off < 4 || end > (int64_t)f->size || alloc_values(v, rows))
        return "bad chunk bounds";
    tpq_values dv;
    memset(&dv, 0, sizeof dv);
    int have_dict = 0;
    size_t row = 0;
    const char *err = NULL;
    while (!err && off < end) {
        tnode ph;
        size_t hl = tn_parse_struct(f->data + off, (size_t)(end - off), &ph);
        if (!hl)
            return "bad page header";
        size_t unc = (size_t)tn_int(&ph, 2, -1), comp = (size_t)tn_int(&ph, 3, -1);
        const uint8_t *src = f->data + off + hl;
        if (comp > (size_t)(end - off) - hl) { tn_free(&ph); return "page past chunk"; }
        uint32_t crc = (uint32_t)crc32(0, src, (uInt)comp);
        if (!tn_get(&ph, 4) || (uint32_t)tn_int(&ph, 4, 0) != crc)
            err = "page CRC missing or wrong";
        uint8_t *pg = err ? NULL : decompress(codec, src, comp, unc);
        if (!err && !pg)
            err = "decompression failed";
        if (!err && keep(v, pg)) {
            free(pg);
            err = "oom";
        }
        if (!err && tn_int(&ph, 1, -1) == 2) {
            const tnode *dh = tn_get(&ph, 7);
            size_t n = (size_t)tn_int(dh, 1, -1), at = 0;
            v->dict_pages++;
            if (have_dict || !dh || n > unc || alloc_values(&dv, n))
                err = "bad dictionary page";
            for (size_t i = 0; !err && i < n; i++)
                err = plain_value(ptype, pg, unc, &at, 0, &dv, i);
            have_dict = 1;
        } else if (!err) {
            v->data_pages++;
            err = data_page(&ph, pg, unc, ptype, optional, v, &row, have_dict ? &dv : NULL);
        }
        tn_free(&ph);
        off += (int64_t)(hl + comp);
    }
    tpq_values_free(&dv);
    if (!err && row != rows)
        err = "fewer values than rows";
    return err;
}

void tpq_values_free(tpq_values *v)
{
    free(v->valid);
    free(v->i64);
    free(v->f64);
    free(v->str);
    free(v->slen);
    for (size_t i = 0; i < v->nkeep; i++)
        free(v->keep[i]);
    free(v->keep);
    memset(v, 0, sizeof *v);
}
