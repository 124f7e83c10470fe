/* Column builder: per-segment tagged columns, stitched into a table. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "table/colbuild.h"
#include "util/error.h"
#include "util/jsonw.h"

static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

void sigmix_cb_seg_init(sigmix_cb_seg *s, const char *const *want, size_t nwant)
{
    memset(s, 0, sizeof *s);
    sigmix_arena_init(&s->arena);
    s->want = want;
    s->nwant = nwant;
}

static void free_col(sigmix_cb_col *c)
{
    free(c->tag);
    free(c->slot);
    free(c->str);
    c->tag = NULL;
    c->slot = NULL;
    c->str = NULL;
}

void sigmix_cb_seg_free(sigmix_cb_seg *s)
{
    for (size_t i = 0; i < s->ncols; i++)
        free_col(&s->cols[i]);
    free(s->cols);
    free(s->hash);
    sigmix_arena_free(&s->arena);
    memset(s, 0, sizeof *s);
}

/* Resize one column's arrays from old to cap rows; new tags are null. */
static int col_grow(sigmix_cb_col *c, size_t old, size_t cap)
{
    if (c->skip)
        return 0;
    uint8_t *t = realloc(c->tag, cap);
    if (!t)
        return SIGMIX_ENOMEM;
    c->tag = t;
    memset(t + old, 0, cap - old);
    uint64_t *v = realloc(c->slot, cap * sizeof *v);
    if (!v)
        return SIGMIX_ENOMEM;
    c->slot = v;
    if (c->str) {
        sigmix_strref *r = realloc(c->str, cap * sizeof *r);
        if (!r)
            return SIGMIX_ENOMEM;
        c->str = r;
    }
    return 0;
}

int sigmix_cb_begin_row(sigmix_cb_seg *s)
{
    if (s->rows == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 256;
        if (cap > SIZE_MAX / 16)
            return SIGMIX_ENOMEM;
        for (size_t i = 0; i < s->ncols; i++)
            if (col_grow(&s->cols[i], s->cap, cap))
                return SIGMIX_ENOMEM;
        s->cap = cap;
    }
    s->rows++;
    return 0;
}

static int wanted(const sigmix_cb_seg *s, const char *name, size_t len)
{
    if (!s->want)
        return 1;
    for (size_t i = 0; i < s->nwant; i++)
        if (s->want[i] && strlen(s->want[i]) == len && !memcmp(s->want[i], name, len))
            return 1;
    return 0;
}

static int rehash(sigmix_cb_seg *s, size_t cap)
{
    long *h = malloc(cap * sizeof *h);
    if (!h)
        return SIGMIX_ENOMEM;
    for (size_t i = 0; i < cap; i++)
        h[i] = -1;
    for (size_t i = 0; i < s->ncols; i++) {
        size_t k = hash_bytes(s->cols[i].name, s->cols[i].namelen) & (cap - 1);
        while (h[k] >= 0)
            k = (k + 1) & (cap - 1);
        h[k] = (long)i;
    }
    free(s->hash);
    s->hash = h;
    s->hashcap = cap;
    return 0;
}

static long add_col(sigmix_cb_seg *s, const char *name, size_t len, size_t slot)
{
    if (s->ncols == s->colcap) {
        size_t cap = s->colcap ? s->colcap * 2 : 32;
        sigmix_cb_col *n = realloc(s->cols, cap * sizeof *n);
        if (!n)
            return SIGMIX_ENOMEM;
        s->cols = n;
        s->colcap = cap;
    }
    sigmix_cb_col *c = &s->cols[s->ncols];
    memset(c, 0, sizeof *c);
    c->name = sigmix_arena_strndup(&s->arena, name, len);
    c->namelen = len;
    c->skip = !wanted(s, name, len);
    if (!c->name || col_grow(c, 0, s->cap)) {
        free_col(c);
        return SIGMIX_ENOMEM;
    }
    s->hash[slot] = (long)s->ncols;
    return (long)s->ncols++;
}

long sigmix_cb_column(sigmix_cb_seg *s, const char *name, size_t len)
{
    if ((s->ncols + 1) * 2 > s->hashcap && rehash(s, s->hashcap ? s->hashcap * 2 : 64))
        return SIGMIX_ENOMEM;
    size_t mask = s->hashcap - 1;
    for (size_t k = hash_bytes(name, len) & mask;; k = (k + 1) & mask) {
        long i = s->hash[k];
        if (i < 0)
            return add_col(s, name, len, k);
        if (s->cols[i].namelen == len && !memcmp(s->cols[i].name, name, len))
            return i;
    }
}

void sigmix_cb_set_num(sigmix_cb_seg *s, size_t c, int tag, uint64_t bits)
{
    sigmix_cb_col *col = &s->cols[c];
    size_t r = s->rows - 1;
    col->count[col->tag[r]]--;
    col->count[tag]++;
    col->tag[r] = (uint8_t)tag;
    col->slot[r] = bits;
}

void sigmix_cb_set_double(sigmix_cb_seg *s, size_t c, double v)
{
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    sigmix_cb_set_num(s, c, SIGMIX_CB_DOUBLE, b);
}

void sigmix_cb_set_int(sigmix_cb_seg *s, size_t c, int64_t v)
{
    sigmix_cb_set_num(s, c, SIGMIX_CB_INT, (uint64_t)v);
}

void sigmix_cb_set_bool(sigmix_cb_seg *s, size_t c, int v)
{
    sigmix_cb_set_num(s, c, SIGMIX_CB_BOOL, v ? 1u : 0u);
}

void sigmix_cb_set_null(sigmix_cb_seg *s, size_t c)
{
    sigmix_cb_set_num(s, c, SIGMIX_CB_NULL, 0);
}

int sigmix_cb_set_text(sigmix_cb_seg *s, size_t c, int tag, const char *p, size_t len)
{
    sigmix_cb_col *col = &s->cols[c];
    if (!col->str && !(col->str = malloc((s->cap ? s->cap : 1) * sizeof *col->str)))
        return SIGMIX_ENOMEM;
    const char *q = sigmix_arena_strndup(&s->arena, p, len);
    if (!q)
        return SIGMIX_ENOMEM;
    sigmix_cb_set_num(s, c, tag, 0);
    col->str[s->rows - 1] = (sigmix_strref){ q, len };
    return 0;
}

/* ---- stitching segments into a table -------------------------------- */

typedef struct global_col {
    size_t count[SIGMIX_CB_NTAGS];
} global_col;

static sigmix_kind decide_kind(const size_t *n)
{
    size_t nums = n[SIGMIX_CB_DOUBLE] + n[SIGMIX_CB_INT] + n[SIGMIX_CB_BOOL];
    if (n[SIGMIX_CB_STRING] || n[SIGMIX_CB_NESTED])
        return n[SIGMIX_CB_NESTED] || nums ? SIGMIX_KIND_JSON : SIGMIX_KIND_STRING;
    if (n[SIGMIX_CB_DOUBLE] || (n[SIGMIX_CB_INT] && n[SIGMIX_CB_BOOL]))
        return SIGMIX_KIND_DOUBLE;
    if (n[SIGMIX_CB_INT])
        return SIGMIX_KIND_INT64;
    if (n[SIGMIX_CB_BOOL])
        return SIGMIX_KIND_BOOL;
    return SIGMIX_KIND_DOUBLE;
}

static double slot_double(int tag, uint64_t bits)
{
    double d;
    if (tag == SIGMIX_CB_DOUBLE) {
        memcpy(&d, &bits, sizeof d);
        return d;
    }
    return (double)(int64_t)bits;
}

/* JSON text of one value of a JSON-kind column into the table arena. */
static int json_text(sigmix_table *t, int tag, uint64_t bits, const sigmix_strref *s,
                     sigmix_strref *out)
{
    char buf[64];
    const char *p = buf;
    size_t len;
    double d;
    switch (tag) {
    case SIGMIX_CB_INT:
        len = (size_t)snprintf(buf, sizeof buf, "%" PRId64, (int64_t)bits);
        break;
    case SIGMIX_CB_BOOL:
        len = (size_t)snprintf(buf, sizeof buf, "%s", bits ? "true" : "false");
        break;
    case SIGMIX_CB_DOUBLE:
        memcpy(&d, &bits, sizeof d);
        if (isfinite(d))
            len = sigmix_format_double(d, buf, sizeof buf);
        else
            len = (size_t)snprintf(buf, sizeof buf, "%s",
                                   isnan(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
        break;
    case SIGMIX_CB_NESTED:
        p = s->ptr;
        len = s->len;
        break;
    default: { /* string: quote it */
        len = sigmix_json_quote(s->ptr, s->len, NULL);
        char *q = len < sizeof buf ? buf : malloc(len + 1);
        if (!q)
            return SIGMIX_ENOMEM;
        sigmix_json_quote(s->ptr, s->len, q);
        const char *r = sigmix_table_intern(t, q, len);
        if (q != buf)
            free(q);
        *out = (sigmix_strref){ r, len };
        return r ? 0 : SIGMIX_ENOMEM;
    }
    }
    const char *r = sigmix_table_intern(t, p, len);
    *out = (sigmix_strref){ r, len };
    return r ? 0 : SIGMIX_ENOMEM;
}

/* Copy one segment column into rows [base, base + rows) of table column ci. */
static int fill(sigmix_table *t, size_t ci, size_t base, const sigmix_cb_col *sc, size_t rows)
{
    sigmix_column *c = sigmix_table_col_mut(t, ci);
    for (size_t r = 0; r < rows; r++) {
        int tag = sc->tag[r];
        size_t row = base + r;
        if (!tag)
            continue;
        c->valid[row] = 1;
        switch (c->kind) {
        case SIGMIX_KIND_INT64:
            c->i64[row] = (int64_t)sc->slot[r];
            c->f64[row] = (double)c->i64[row];
            break;
        case SIGMIX_KIND_DOUBLE:
        case SIGMIX_KIND_BOOL:
            c->f64[row] = slot_double(tag, sc->slot[r]);
            break;
        case SIGMIX_KIND_STRING: {
            const char *p = sigmix_table_intern(t, sc->str[r].ptr, sc->str[r].len);
            if (!p)
                return SIGMIX_ENOMEM;
            c->str[row] = (sigmix_strref){ p, sc->str[r].len };
            break;
        }
        default:
            if (json_text(t, tag, sc->slot[r], sc->str ? &sc->str[r] : NULL, &c->str[row]))
                return SIGMIX_ENOMEM;
        }
    }
    return 0;
}

/* Union of the segments' columns in first-seen order; per segment, the
 * global index of each local column (-1 when skipped). */
static int union_columns(sigmix_cb_seg *segs, size_t n, sigmix_table *idx,
                         long **maps, global_col **gcols, size_t *ngcols)
{
    size_t cap = 0;
    for (size_t s = 0; s < n; s++) {
        maps[s] = malloc((segs[s].ncols ? segs[s].ncols : 1) * sizeof **maps);
        if (!maps[s])
            return SIGMIX_ENOMEM;
        for (size_t i = 0; i < segs[s].ncols; i++) {
            const sigmix_cb_col *c = &segs[s].cols[i];
            maps[s][i] = -1;
            if (c->skip)
                continue;
            long g = sigmix_table_find(idx, c->name);
            if (g < 0) {
                size_t gi;
                if (sigmix_table_add_column(idx, c->name, SIGMIX_KIND_DOUBLE, &gi))
                    return SIGMIX_ENOMEM;
                if (gi >= cap) {
                    cap = cap ? cap * 2 : 64;
                    global_col *ng = realloc(*gcols, cap * sizeof *ng);
                    if (!ng)
                        return SIGMIX_ENOMEM;
                    *gcols = ng;
                }
                memset(&(*gcols)[gi], 0, sizeof **gcols);
                g = (long)gi;
                *ngcols = gi + 1;
            }
            maps[s][i] = g;
            for (int k = 0; k < SIGMIX_CB_NTAGS; k++)
                (*gcols)[g].count[k] += c->count[k];
        }
    }
    return 0;
}

static int stitch(sigmix_cb_seg *segs, size_t n, long **maps, const global_col *gcols,
                  size_t ngcols, sigmix_table *idx, sigmix_table *t)
{
    size_t total = 0;
    for (size_t s = 0; s < n; s++)
        total += segs[s].rows;
    if (sigmix_table_resize(t, total))
        return SIGMIX_ENOMEM;
    /* inv[s * ngcols + g]: local index of global column g in segment s, or -1 */
    if (ngcols && n > SIZE_MAX / sizeof(long) / ngcols)
        return SIGMIX_ENOMEM;
    long *inv = malloc((n * ngcols > 0 ? n * ngcols : 1) * sizeof *inv);
    if (!inv)
        return SIGMIX_ENOMEM;
    for (size_t i = 0; i < n * ngcols; i++)
        inv[i] = -1;
    for (size_t s = 0; s < n; s++)
        for (size_t i = 0; i < segs[s].ncols; i++)
            if (maps[s][i] >= 0)
                inv[s * ngcols + (size_t)maps[s][i]] = (long)i;
    int r = 0;
    for (size_t g = 0; g < ngcols && !r; g++) {
        size_t ci;
        r = sigmix_table_add_column(t, sigmix_table_col(idx, g)->name,
                                    decide_kind(gcols[g].count), &ci);
        for (size_t s = 0, base = 0; s < n && !r; base += segs[s].rows, s++) {
            long i = inv[s * ngcols + g];
            if (i < 0)
                continue;
            r = fill(t, ci, base, &segs[s].cols[i], segs[s].rows);
            free_col(&segs[s].cols[i]); /* keep peak memory near one copy */
        }
    }
    free(inv);
    return r;
}

int sigmix_cb_finish(sigmix_cb_seg *segs, size_t n, sigmix_table **out, sigmix_error *err)
{
    sigmix_table *idx = NULL, *t = NULL;
    long **maps = calloc(n ? n : 1, sizeof *maps);
    global_col *gcols = NULL;
    size_t ngcols = 0;
    int r = maps ? 0 : SIGMIX_ENOMEM;
    *out = NULL;
    if (!r)
        r = sigmix_table_create(&idx);
    if (!r)
        r = union_columns(segs, n, idx, maps, &gcols, &ngcols);
    if (!r)
        r = sigmix_table_create(&t);
    if (!r)
        r = stitch(segs, n, maps, gcols, ngcols, idx, t);
    for (size_t s = 0; maps && s < n; s++)
        free(maps[s]);
    free(maps);
    free(gcols);
    sigmix_table_free(&idx);
    if (r) {
        sigmix_table_free(&t);
        return sigmix_error_set(err, r, "out of memory while building the table");
    }
    *out = t;
    return 0;
}
