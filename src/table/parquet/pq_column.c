/*
 * One column chunk of a flat column: read its bytes, walk the pages,
 * verify CRCs, decompress, decode levels and values, and hand the
 * present values to sigmix_pq_emit. Every size read from the file is
 * checked against the bytes actually present before it is used.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "table/parquet/pq_internal.h"
#include "util/codecs.h"
#include "util/error.h"
#include "util/prefault.h"

/*
 * A large scratch buffer (a string column's chunk, its interned page) is
 * fresh memory, touched first page by page; in a VM each 4 KiB fault is
 * costly, so buffers of a few MiB ask for huge pages (best effort).
 */
static void advise_huge(void *p, size_t n)
{
#if defined(MADV_HUGEPAGE)
    const uintptr_t huge = (uintptr_t)2 << 20;
    if (n < ((size_t)4 << 20))
        return;
    uintptr_t a = ((uintptr_t)p + huge - 1) & ~(huge - 1);
    uintptr_t e = ((uintptr_t)p + n) & ~(huge - 1);
    if (e > a)
        (void)madvise((void *)a, e - a, MADV_HUGEPAGE);
#else
    (void)p;
    (void)n;
#endif
}

int sigmix_pq_buf_reserve(pq_buf *b, size_t n)
{
    if (n <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < n)
        cap = cap > SIZE_MAX / 2 ? n : cap * 2;
    /* Free first: old contents are never needed after growing. */
    free(b->p);
    /* malloc, not sigmix_huge_alloc: whole huge pages made a fresh process
     * faster, but a program reading file after file then got new ones
     * (mapped, zeroed, unmapped) on every read: warm decode 5.5 -> 2.4
     * GB/s and +80 MB peak RSS (bench/parquet). */
    b->p = malloc(cap);
    b->cap = b->p ? cap : 0;
    b->oom |= !b->p;
    if (b->p)
        advise_huge(b->p, cap);
    return b->p ? 0 : -1;
}

int sigmix_pq_buf_grow(pq_buf *b, size_t n)
{
    if (n <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < n)
        cap = cap > SIZE_MAX / 2 ? n : cap * 2;
    uint8_t *p = realloc(b->p, cap);
    if (!p) {
        b->oom = 1;
        return -1;
    }
    b->p = p;
    b->cap = cap;
    advise_huge(p, cap);
    return 0;
}

int sigmix_pq_worker_oom(pq_worker *w)
{
    pq_buf *bufs[] = { &w->chunk, &w->page, &w->dict, &w->levels, &w->reps, &w->values, &w->idx,
                       &w->bytes, &w->rebuilt, &w->dba, &w->text, &w->refs };
    int oom = 0;
    for (size_t i = 0; i < sizeof bufs / sizeof *bufs; i++) {
        oom |= bufs[i]->oom;
        bufs[i]->oom = 0;
    }
    return oom;
}

void sigmix_pq_worker_free(pq_worker *w)
{
    pq_buf *bufs[] = { &w->chunk, &w->page, &w->dict, &w->levels, &w->reps, &w->values, &w->idx,
                       &w->bytes, &w->rebuilt, &w->dba, &w->text, &w->refs };
    for (size_t i = 0; i < sizeof bufs / sizeof *bufs; i++) {
        free(bufs[i]->p);
        bufs[i]->p = NULL;
        bufs[i]->cap = 0;
    }
}

/* Error "what (column 'x', row group N)". */
static int fail(sigmix_error *err, const pq_job *j, int code, const char *fmt, ...)
    SIGMIX_PRINTF(4, 5);
static int fail(sigmix_error *err, const pq_job *j, int code, const char *fmt, ...)
{
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return sigmix_error_set(err, code, "%s (column '%s', row group %zu)", what,
                            j->leaf->name, j->rg);
}

/* State of one chunk while its pages are decoded. */
typedef struct chunk_state {
    const pq_job *j;
    int           codec;
    int           have_dict;
    size_t        dict_n;      /* dictionary entries */
    size_t        done;        /* rows stored so far */
    size_t        rows;        /* rows in the row group */
} chunk_state;

static size_t value_width(const pq_leaf *l)
{
    return l->type == PQ_BYTE_ARRAY ? sizeof(pq_bytes) : (size_t)l->width;
}

/* PLAIN values: fixed-size ones are used in place; byte arrays are listed. */
static int plain(pq_worker *w, const pq_leaf *l, const uint8_t *p, size_t n, size_t nn,
                 const void **out)
{
    if (l->type == PQ_BOOLEAN) {
        if ((nn + 7) / 8 > n || sigmix_pq_buf_reserve(&w->values, nn + 1))
            return -1;
        for (size_t i = 0; i < nn; i++)
            w->values.p[i] = (p[i >> 3] >> (i & 7)) & 1;
        *out = w->values.p;
        return 0;
    }
    if (l->type == PQ_BYTE_ARRAY) {
        if (nn > n / 4 + 1 || sigmix_pq_buf_reserve(&w->values, (nn + 1) * sizeof(pq_bytes)))
            return -1;
        pq_bytes *b = (pq_bytes *)(void *)w->values.p;
        size_t pos = 0;
        for (size_t i = 0; i < nn; i++) {
            if (n - pos < 4)
                return -1;
            uint32_t len = (uint32_t)p[pos] | (uint32_t)p[pos + 1] << 8 |
                           (uint32_t)p[pos + 2] << 16 | (uint32_t)p[pos + 3] << 24;
            pos += 4;
            if (len > n - pos)
                return -1;
            b[i] = (pq_bytes){ p + pos, len };
            pos += len;
        }
        *out = b;
        return 0;
    }
    if ((uint64_t)nn * (uint64_t)l->width > n)
        return -1;
    *out = p;
    return 0;
}

static int dict_values(pq_worker *w, chunk_state *s, const uint8_t *p, size_t n, size_t nn,
                       const void **out)
{
    const pq_leaf *l = s->j->leaf;
    if (!s->have_dict || n < 1 || p[0] > 32)
        return -1;
    size_t vw = value_width(l);
    if (sigmix_pq_buf_reserve(&w->idx, (nn + 1) * sizeof(uint32_t)) ||
        sigmix_pq_buf_reserve(&w->values, (nn + 1) * vw))
        return -1;
    uint32_t *idx = (uint32_t *)(void *)w->idx.p;
    pq_rle r;
    sigmix_pq_rle_init(&r, p + 1, n - 1, p[0]);
    if (sigmix_pq_rle_get(&r, idx, nn))
        return -1;
    const uint8_t *d = w->bytes.p;
    uint8_t *o = w->values.p;
    for (size_t i = 0; i < nn; i++) {
        if (idx[i] >= s->dict_n)
            return -2;
        memcpy(o + i * vw, d + (size_t)idx[i] * vw, vw);
    }
    *out = o;
    return 0;
}

static int delta_ints(pq_worker *w, const pq_leaf *l, const uint8_t *p, size_t n, size_t nn,
                      const void **out)
{
    size_t count, used;
    if (l->type != PQ_INT32 && l->type != PQ_INT64)
        return -1;
    if (sigmix_pq_buf_reserve(&w->dba, (nn + 1) * sizeof(int64_t)) ||
        sigmix_pq_buf_reserve(&w->values, (nn + 1) * sizeof(int64_t)))
        return -1;
    int64_t *tmp = (int64_t *)(void *)w->dba.p;
    if (sigmix_pq_delta_binary(p, n, tmp, nn, &count, &used, l->type == PQ_INT32) ||
        count != nn)
        return -1;
    if (l->type == PQ_INT32) {
        int32_t *o = (int32_t *)(void *)w->values.p;
        for (size_t i = 0; i < nn; i++)
            o[i] = (int32_t)tmp[i];
    } else {
        memcpy(w->values.p, tmp, nn * sizeof(int64_t));
    }
    *out = w->values.p;
    return 0;
}

static int delta_bytes(pq_worker *w, const pq_leaf *l, int enc, const uint8_t *p, size_t n,
                       size_t nn, const void **out)
{
    if (l->type != PQ_BYTE_ARRAY && !(l->type == PQ_FLBA && enc == PQ_ENC_DELTA_BYTE_ARRAY))
        return -1;
    if (sigmix_pq_buf_reserve(&w->dba, (nn + 1) * sizeof(pq_span)) ||
        sigmix_pq_buf_reserve(&w->values, (nn + 1) * (sizeof(pq_bytes) + (size_t)l->width)))
        return -1;
    pq_span *sp = (pq_span *)(void *)w->dba.p;
    const uint8_t *base = p;
    long c;
    if (enc == PQ_ENC_DELTA_LENGTH) {
        c = sigmix_pq_delta_length(p, n, sp, nn);
    } else {
        c = sigmix_pq_delta_byte_array(p, n, sp, nn, &w->rebuilt.p, &w->rebuilt.cap,
                                       PQ_MAX_PAGE_BYTES);
        base = w->rebuilt.p;
    }
    if (c < 0 || (size_t)c != nn)
        return -1;
    if (l->type == PQ_FLBA) {
        for (size_t i = 0; i < nn; i++) {
            if (sp[i].len != (size_t)l->width)
                return -1;
            memcpy(w->values.p + i * (size_t)l->width, base + sp[i].off, sp[i].len);
        }
    } else {
        pq_bytes *b = (pq_bytes *)(void *)w->values.p;
        for (size_t i = 0; i < nn; i++)
            b[i] = (pq_bytes){ base + sp[i].off, sp[i].len };
    }
    *out = w->values.p;
    return 0;
}

/*
 * Decode nn present values of one data page. Returns 0, -1 (malformed)
 * or -2 (dictionary index out of range), -3 (unsupported encoding).
 */
static int decode_values(pq_worker *w, chunk_state *s, int enc, const uint8_t *p, size_t n,
                         size_t nn, const void **out)
{
    const pq_leaf *l = s->j->leaf;
    switch (enc) {
    case PQ_ENC_PLAIN:
        return plain(w, l, p, n, nn, out);
    case PQ_ENC_PLAIN_DICT:
    case PQ_ENC_RLE_DICT:
        return dict_values(w, s, p, n, nn, out);
    case PQ_ENC_RLE: {
        if (l->type != PQ_BOOLEAN || n < 4 || sigmix_pq_buf_reserve(&w->idx, (nn + 1) * 4) ||
            sigmix_pq_buf_reserve(&w->values, nn + 1))
            return -1;
        uint32_t len = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                       (uint32_t)p[3] << 24;
        if (len > n - 4)
            return -1;
        pq_rle r;
        uint32_t *v = (uint32_t *)(void *)w->idx.p;
        sigmix_pq_rle_init(&r, p + 4, len, 1);
        if (sigmix_pq_rle_get(&r, v, nn))
            return -1;
        for (size_t i = 0; i < nn; i++)
            w->values.p[i] = (uint8_t)v[i];
        *out = w->values.p;
        return 0;
    }
    case PQ_ENC_DELTA_BINARY:
        return delta_ints(w, l, p, n, nn, out);
    case PQ_ENC_DELTA_LENGTH:
    case PQ_ENC_DELTA_BYTE_ARRAY:
        return delta_bytes(w, l, enc, p, n, nn, out);
    case PQ_ENC_BSS: {
        size_t wd = (size_t)l->width;
        if (l->type == PQ_BOOLEAN || l->type == PQ_BYTE_ARRAY || l->type == PQ_INT96 ||
            wd == 0 || nn > n / wd || sigmix_pq_buf_reserve(&w->values, nn * wd + 1))
            return -1;
        /* Streams are n / wd bytes long; the first nn values are used. */
        size_t stride = n / wd;
        for (size_t b = 0; b < wd; b++)
            for (size_t i = 0; i < nn; i++)
                w->values.p[i * wd + b] = p[b * stride + i];
        *out = w->values.p;
        return 0;
    }
    default:
        return -3;
    }
}

/* Dictionary page: PLAIN values kept for the whole chunk. */
static int load_dict(pq_worker *w, chunk_state *s, const pq_page_header *h,
                     const uint8_t *p, size_t n, sigmix_error *err)
{
    const pq_job *j = s->j;
    const pq_leaf *l = j->leaf;
    if (s->have_dict)
        return fail(err, j, SIGMIX_EFORMAT, "second dictionary page");
    if (h->encoding != PQ_ENC_PLAIN && h->encoding != PQ_ENC_PLAIN_DICT)
        return fail(err, j, SIGMIX_EUNSUPPORTED, "dictionary encoding %d", h->encoding);
    if (l->type == PQ_BOOLEAN)
        return fail(err, j, SIGMIX_EFORMAT, "dictionary page for a boolean column");
    size_t nv = (size_t)h->num_values;
    /* Every entry takes at least one byte (4 for byte arrays). */
    if (nv > n + 1)
        return fail(err, j, SIGMIX_EFORMAT, "dictionary page claims %zu values in %zu bytes", nv, n);
    /* Keep the dictionary's bytes: later pages reuse the page buffer. */
    if (sigmix_pq_buf_reserve(&w->dict, n + 1))
        return fail(err, j, SIGMIX_ENOMEM, "out of memory");
    memcpy(w->dict.p, p, n);
    const void *vals;
    if (plain(w, l, w->dict.p, n, nv, &vals))
        return fail(err, j, SIGMIX_EFORMAT, "malformed dictionary page");
    size_t vw = value_width(l);
    if (sigmix_pq_buf_reserve(&w->bytes, (nv + 1) * vw))
        return fail(err, j, SIGMIX_ENOMEM, "out of memory");
    memcpy(w->bytes.p, vals, nv * vw);
    s->have_dict = 1;
    s->dict_n = nv;
    return 0;
}

static int bit_width(int max_level)
{
    int b = 0;
    while (max_level >> b)
        b++;
    return b;
}

/*
 * Levels (repetition or definition) of nv entries at bit width for
 * max_level into buf; every level must be <= max_level.
 */
static int levels(pq_buf *buf, const uint8_t *p, size_t n, size_t nv, int max_level,
                  int bitpacked, uint32_t **out)
{
    int bw = bit_width(max_level);
    if (sigmix_pq_buf_reserve(buf, (nv + 1) * sizeof(uint32_t)))
        return -1;
    uint32_t *d = (uint32_t *)(void *)buf->p;
    if (bitpacked) { /* deprecated BIT_PACKED levels: most significant bit first */
        if (((uint64_t)nv * (uint64_t)bw + 7) / 8 > n)
            return -1;
        for (size_t i = 0; i < nv; i++) {
            uint32_t v = 0;
            for (int k = 0; k < bw; k++) {
                size_t bit = i * (size_t)bw + (size_t)k;
                v = v << 1 | ((p[bit >> 3] >> (7 - (bit & 7))) & 1);
            }
            d[i] = v;
        }
    } else {
        pq_rle r;
        sigmix_pq_rle_init(&r, p, n, bw);
        if (sigmix_pq_rle_get(&r, d, nv))
            return -1;
    }
    for (size_t i = 0; i < nv; i++)
        if (d[i] > (uint32_t)max_level)
            return -1;
    *out = d;
    return 0;
}

/* v1 levels: RLE with a 4-byte length, or legacy BIT_PACKED without. */
static int v1_levels(pq_buf *buf, const uint8_t **p, size_t *len, size_t nv, int max_level,
                     int encoding, uint32_t **out)
{
    size_t used, skip = 0;
    if (encoding == PQ_ENC_BIT_PACKED) {
        used = (size_t)(((uint64_t)nv * (uint64_t)bit_width(max_level) + 7) / 8);
    } else {
        if (*len < 4)
            return -1;
        used = 4 + ((size_t)(*p)[0] | (size_t)(*p)[1] << 8 | (size_t)(*p)[2] << 16 |
                    (size_t)(*p)[3] << 24);
        skip = 4;
    }
    if (used > *len || used < skip ||
        levels(buf, *p + skip, used - skip, nv, max_level, encoding == PQ_ENC_BIT_PACKED, out))
        return -1;
    *p += used;
    *len -= used;
    return 0;
}

/* Bytes of page data after decompression, in w->page (or in place). */
static int inflate_page(pq_worker *w, int codec, const uint8_t *src, size_t n, size_t usize,
                        const uint8_t **out)
{
    if (codec == PQ_UNCOMPRESSED || (usize == 0 && n == 0)) {
        *out = src;
        return 0;
    }
    if (usize > PQ_MAX_PAGE_BYTES)
        return -2;
    if (!sigmix_pq_size_plausible(codec, src, n, usize))
        return -1;
    if (sigmix_pq_buf_reserve(&w->page, usize + 1))
        return -2;
    if (sigmix_pq_decompress(codec, src, n, w->page.p, usize))
        return -1;
    *out = w->page.p;
    return 0;
}

/* Error for a failed inflate_page: too large (limit) or corrupt. */
static int inflate_fail(sigmix_error *err, const pq_job *j, int r, int codec, size_t usize,
                        const char *what)
{
    if (r == -2)
        return fail(err, j, SIGMIX_ENOMEM, "%s page of %zu bytes exceeds the %zu MiB limit", what,
                    usize, PQ_MAX_PAGE_BYTES >> 20);
    return fail(err, j, SIGMIX_EFORMAT, "cannot decompress %s %s page",
                sigmix_pq_codec_name(codec), what);
}

/*
 * Plain doubles, every row present, compressed: the page's values are
 * the column's next rows byte for byte, so the codec writes them straight
 * into the table (no page buffer, no copy). codec/src/n: the compressed
 * values; nv rows. Returns 1 if done, 0 if not applicable, or an error.
 */
static int direct_doubles(const chunk_state *s, const pq_page_header *h, int codec,
                          const uint8_t *src, size_t n, size_t nv, size_t usize,
                          sigmix_error *err)
{
    const pq_job *j = s->j;
    const pq_leaf *l = j->leaf;
    sigmix_column *c = j->col;
    if (j->sink || l->max_rep || l->conv != CV_DOUBLE || l->type != PQ_DOUBLE ||
        c->kind != SIGMIX_KIND_DOUBLE || h->encoding != PQ_ENC_PLAIN ||
        codec == PQ_UNCOMPRESSED || usize != nv * sizeof(double))
        return 0;
    if (!sigmix_pq_size_plausible(codec, src, n, usize))
        return fail(err, j, SIGMIX_EFORMAT, "cannot decompress %s data page",
                    sigmix_pq_codec_name(codec));
    size_t row = j->row0 + s->done;
    if (sigmix_pq_decompress(codec, src, n, (uint8_t *)(c->f64 + row), usize)) {
        /* Leave no half-written values behind (the read fails anyway). */
        for (size_t r = 0; r < nv; r++)
            c->f64[row + r] = NAN;
        return fail(err, j, SIGMIX_EFORMAT, "cannot decompress %s data page",
                    sigmix_pq_codec_name(codec));
    }
    memset(c->valid + row, 1, nv);
    return 1;
}

/* Whether any of the nv def levels is below max (NULL: none). */
static int all_but(const uint32_t *defs, size_t nv, uint32_t max)
{
    for (size_t i = 0; defs && i < nv; i++)
        if (defs[i] != max)
            return 1;
    return 0;
}

static int data_page(pq_worker *w, chunk_state *s, const pq_page_header *h,
                     const uint8_t *body, size_t n, sigmix_error *err)
{
    const pq_job *j = s->j;
    const pq_leaf *l = j->leaf;
    size_t nv = (size_t)h->num_values;
    if (nv == 0)
        return 0;
    if (!l->max_rep && nv > s->rows - s->done)
        return fail(err, j, SIGMIX_EFORMAT, "page holds more values than the row group's %zu rows",
                    s->rows);
    const uint8_t *p;
    size_t len;
    uint32_t *defs = NULL, *reps = NULL;
    if (h->type == PQ_DATA_PAGE && !l->max_def) { /* no levels: the page is the values */
        int dr = direct_doubles(s, h, s->codec, body, n, nv, (size_t)h->uncompressed, err);
        if (dr) {
            s->done += dr > 0 ? nv : 0;
            return dr > 0 ? 0 : dr;
        }
    }
    if (h->type == PQ_DATA_PAGE) {
        int ir = inflate_page(w, s->codec, body, n, (size_t)h->uncompressed, &p);
        if (ir)
            return inflate_fail(err, j, ir, s->codec, (size_t)h->uncompressed, "data");
        len = s->codec == PQ_UNCOMPRESSED ? n : (size_t)h->uncompressed;
        if (l->max_rep && v1_levels(&w->reps, &p, &len, nv, l->max_rep, h->rep_encoding, &reps))
            return fail(err, j, SIGMIX_EFORMAT, "malformed repetition levels");
        if (l->max_def && v1_levels(&w->levels, &p, &len, nv, l->max_def, h->def_encoding, &defs))
            return fail(err, j, SIGMIX_EFORMAT, "malformed definition levels");
    } else { /* v2: levels first, uncompressed; then the (maybe compressed) values */
        size_t lv = (size_t)h->rep_len + (size_t)h->def_len;
        if (lv > n)
            return fail(err, j, SIGMIX_EFORMAT, "level lengths exceed the page");
        if (l->max_rep && levels(&w->reps, body, (size_t)h->rep_len, nv, l->max_rep, 0, &reps))
            return fail(err, j, SIGMIX_EFORMAT, "malformed repetition levels");
        if (l->max_def &&
            levels(&w->levels, body + h->rep_len, (size_t)h->def_len, nv, l->max_def, 0, &defs))
            return fail(err, j, SIGMIX_EFORMAT, "malformed definition levels");
        size_t usize = (size_t)h->uncompressed >= lv ? (size_t)h->uncompressed - lv : 0;
        int codec = h->is_compressed ? s->codec : PQ_UNCOMPRESSED;
        if (!reps && !all_but(defs, nv, (uint32_t)l->max_def)) {
            int dr = direct_doubles(s, h, codec, body + lv, n - lv, nv, usize, err);
            if (dr) {
                s->done += dr > 0 ? nv : 0;
                return dr > 0 ? 0 : dr;
            }
        }
        int ir = inflate_page(w, codec, body + lv, n - lv, usize, &p);
        if (ir)
            return inflate_fail(err, j, ir, codec, usize, "data");
        len = codec == PQ_UNCOMPRESSED ? n - lv : usize;
    }
    size_t nn = nv, rows = nv;
    if (reps) {
        rows = 0;
        for (size_t i = 0; i < nv; i++)
            rows += reps[i] == 0;
        if (s->done == 0 && reps[0] != 0)
            return fail(err, j, SIGMIX_EFORMAT, "first repetition level is not 0");
        if (rows > s->rows - s->done)
            return fail(err, j, SIGMIX_EFORMAT, "page holds more rows than the row group's %zu",
                        s->rows);
    }
    if (defs) {
        nn = 0;
        for (size_t i = 0; i < nv; i++)
            nn += defs[i] == (uint32_t)l->max_def;
        if (nn == nv && !j->sink)
            defs = NULL;
    }
    const void *vals = NULL;
    int r = nn ? decode_values(w, s, h->encoding, p, len, nn, &vals) : 0;
    if (r == -2)
        return fail(err, j, SIGMIX_EFORMAT, "dictionary index out of range");
    if (r == -3)
        return fail(err, j, SIGMIX_EUNSUPPORTED, "unsupported encoding %d", h->encoding);
    if (r)
        return fail(err, j, SIGMIX_EFORMAT, "malformed or truncated values (encoding %d)",
                    h->encoding);
    if (j->sink)
        r = sigmix_pq_sink_page(w, j, reps, defs, nv, vals, nn, err);
    else
        r = sigmix_pq_emit(w, j, j->row0 + s->done, nv, defs, vals, nn, err);
    s->done += rows;
    return r;
}

/* Read the chunk's bytes [start, start+len) into w->chunk. */
static int read_at(pq_worker *w, const pq_file *f, uint64_t start, size_t len, size_t keep)
{
    if (len > w->chunk.cap) {
        /* Only the first `keep` bytes are still needed. */
        size_t cap = w->chunk.cap <= SIZE_MAX / 2 && 2 * w->chunk.cap > len ? 2 * w->chunk.cap
                   : len;
        uint8_t *n = sigmix_huge_grow(w->chunk.p, keep, &cap);
        if (!n) {
            w->chunk.oom = 1;
            return -1;
        }
        w->chunk.p = n;
        w->chunk.cap = cap;
    }
    size_t got = keep;
    while (got < len) {
        ssize_t r = pread(f->fd, w->chunk.p + got, len - got, (off_t)(start + got));
        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    return 0;
}

int sigmix_pq_read_chunk(pq_worker *w, const pq_job *j, sigmix_error *err)
{
    const pq_file *f = j->file;
    const pq_row_group *g = &f->meta.rgs[j->rg];
    const pq_chunk_meta *cm = &g->cols[j->leaf->chunk];
    chunk_state s = { .j = j, .codec = cm->codec, .rows = (size_t)g->num_rows };
    if (cm->type != j->leaf->type)
        return fail(err, j, SIGMIX_EFORMAT, "column chunk type differs from the schema");
    if (cm->codec < 0 || cm->codec > PQ_LZ4_RAW || cm->codec == PQ_LZO)
        return fail(err, j, SIGMIX_EUNSUPPORTED, "compression codec %s is not supported",
                    sigmix_pq_codec_name(cm->codec));
    if (s.rows == 0)
        return 0;
    if (sigmix_pq_codec_load(cm->codec, err))
        return SIGMIX_EUNSUPPORTED;
    uint64_t start = (uint64_t)cm->data_page_offset;
    if (cm->dict_page_offset > 0 && (uint64_t)cm->dict_page_offset < start)
        start = (uint64_t)cm->dict_page_offset;
    if (cm->data_page_offset < 4 || start >= f->data_end || cm->total_compressed <= 0)
        return fail(err, j, SIGMIX_EFORMAT, "column chunk outside the file");
    uint64_t avail = f->data_end - start;
    size_t len = (size_t)((uint64_t)cm->total_compressed < avail ? (uint64_t)cm->total_compressed : avail);
    if (read_at(w, f, start, len, 0))
        return fail(err, j, SIGMIX_EIO, "cannot read column chunk");
    size_t pos = 0;
    /* Nested leaves: a row's entries may continue on the next page. */
    while (s.done < s.rows || (j->leaf->max_rep && pos < len)) {
        pq_page_header h;
        size_t used;
        if (pos >= len && s.done == s.rows)
            break;
        if (pos >= len)
            return fail(err, j, SIGMIX_EFORMAT, "column chunk ends after %zu of %zu rows",
                        s.done, s.rows);
        if (sigmix_pq_page_header(w->chunk.p + pos, len - pos, &h, &used))
            return fail(err, j, SIGMIX_EFORMAT, "malformed page header at chunk offset %zu", pos);
        pos += used;
        size_t body = (size_t)h.compressed;
        if (body > len - pos) {
            /* PARQUET-816: old writers under-report chunk sizes; the page's
             * own size wins as long as it stays inside the data area. */
            if (body > avail - pos || read_at(w, f, start, pos + body, len))
                return fail(err, j, SIGMIX_EFORMAT, "page extends past the column chunk");
            len = pos + body;
        }
        const uint8_t *p = w->chunk.p + pos;
        if (h.has_crc && (h.type == PQ_DATA_PAGE || h.type == PQ_DATA_PAGE_V2 ||
                          h.type == PQ_DICT_PAGE)) {
            const sigmix_zlib_api *zl = sigmix_zlib(err); /* zlib's CRC-32 */
            if (!zl)
                return SIGMIX_EUNSUPPORTED;
            if ((uint32_t)zl->crc32(0, p, (uInt)body) != h.crc)
                return fail(err, j, SIGMIX_EFORMAT, "page CRC mismatch");
        }
        int r = 0;
        if ((h.type == PQ_DATA_PAGE || h.type == PQ_DATA_PAGE_V2 || h.type == PQ_DICT_PAGE) &&
            !h.has_sub)
            return fail(err, j, SIGMIX_EFORMAT, "page header lacks its %s header",
                        h.type == PQ_DICT_PAGE ? "dictionary" : "data page");
        if (h.type == PQ_DICT_PAGE) {
            const uint8_t *d;
            int ir = inflate_page(w, s.codec, p, body, (size_t)h.uncompressed, &d);
            if (ir)
                return inflate_fail(err, j, ir, s.codec, (size_t)h.uncompressed, "dictionary");
            r = load_dict(w, &s, &h, d, s.codec == PQ_UNCOMPRESSED ? body : (size_t)h.uncompressed,
                          err);
        } else if (h.type == PQ_DATA_PAGE || h.type == PQ_DATA_PAGE_V2) {
            r = data_page(w, &s, &h, p, body, err);
        }
        if (r)
            return r;
        pos += body;
    }
    return 0;
}
