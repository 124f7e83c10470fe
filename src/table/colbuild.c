/* Column builder: per-segment tagged columns, stitched into a table. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "table/colbuild.h"
#include "table/table_internal.h"
#include "util/error.h"
#include "util/jsonw.h"
#include "util/parallel.h"

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
    sigmix_arena_init(&s->strings);
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
    free(s->map);
    sigmix_arena_free(&s->arena);
    sigmix_arena_free(&s->strings);
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
        size_t cap = s->cap ? s->cap * 2 : 16; /* small: a fresh page costs a fault per column */
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

/* Grow array *p of elem-sized entries from old to cap, new tail zeroed. */
static int grow_zeroed(void **p, size_t elem, size_t old, size_t cap)
{
    unsigned char *n = realloc(*p, cap * elem);
    if (!n)
        return SIGMIX_ENOMEM;
    memset(n + old * elem, 0, (cap - old) * elem);
    *p = n;
    return 0;
}

/* Room for one more entry in array *p holding n of *cap (doubling from first). */
static int room_for_one(void **p, size_t elem, size_t n, size_t *cap, size_t first)
{
    if (n < *cap)
        return 0;
    size_t c = *cap ? *cap * 2 : first;
    void *q = realloc(*p, c * elem);
    if (!q)
        return SIGMIX_ENOMEM;
    *p = q;
    *cap = c;
    return 0;
}

static long add_col(sigmix_cb_seg *s, const char *name, size_t len, size_t slot)
{
    if (room_for_one((void **)&s->cols, sizeof *s->cols, s->ncols, &s->colcap, 32))
        return SIGMIX_ENOMEM;
    sigmix_cb_col *c = &s->cols[s->ncols];
    memset(c, 0, sizeof *c);
    c->name = sigmix_arena_strndup(&s->arena, name, len);
    c->namelen = len;
    c->skip = !wanted(s, name, len);
    c->backslash = memchr(name, '\\', len) != NULL;
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

int sigmix_cb_set_text(sigmix_cb_seg *s, size_t c, int tag, const char *p, size_t len)
{
    sigmix_cb_col *col = &s->cols[c];
    if (!col->str && !(col->str = malloc((s->cap ? s->cap : 1) * sizeof *col->str)))
        return SIGMIX_ENOMEM;
    const char *q = sigmix_arena_strndup(&s->strings, p, len);
    if (!q)
        return SIGMIX_ENOMEM;
    sigmix_cb_set_num(s, c, tag, 0);
    col->str[s->rows - 1] = (sigmix_strref){ q, len };
    return 0;
}

int sigmix_cb_set_num_raw(sigmix_cb_seg *s, size_t c, int tag, uint64_t bits,
                          const char *p, size_t len)
{
    sigmix_cb_col *col = &s->cols[c];
    if (!col->str && !(col->str = malloc((s->cap ? s->cap : 1) * sizeof *col->str)))
        return SIGMIX_ENOMEM;
    const char *q = sigmix_arena_strndup(&s->strings, p, len);
    if (!q)
        return SIGMIX_ENOMEM;
    sigmix_cb_set_num(s, c, tag, bits);
    col->str[s->rows - 1] = (sigmix_strref){ q, len };
    return 0;
}

/* ---- merging segments into the table ------------------------------- */

int sigmix_cb_table_init(sigmix_cb_table *b)
{
    memset(b, 0, sizeof *b);
    sigmix_arena_init(&b->na_text);
    return sigmix_table_create(&b->t);
}

static void free_xtags(sigmix_cb_table *b)
{
    for (size_t g = 0; b->xtag && g < b->cap; g++)
        free(b->xtag[g]);
    free(b->xtag);
    free(b->xcap);
    free(b->exact);
    b->xtag = NULL;
    b->xcap = NULL;
    b->exact = NULL;
    b->nexact = b->exactcap = 0;
}

void sigmix_cb_table_free(sigmix_cb_table *b)
{
    sigmix_table_free(&b->t);
    free_xtags(b);
    free(b->count);
    free(b->lostcol);
    free(b->na);
    sigmix_arena_free(&b->na_text);
    memset(b, 0, sizeof *b);
}

/* Non-null values (NA markers included). */
static size_t values(const size_t *n)
{
    size_t v = 0;
    for (int k = 1; k < SIGMIX_CB_NTAGS; k++)
        v += n[k];
    return v;
}

/* Values that decide a kind: an NA marker alone does not (a column of NA
 * markers so far may still turn out numeric). */
static size_t typed_values(const size_t *n)
{
    return values(n) - n[SIGMIX_CB_NA];
}

static sigmix_kind decide_kind(const size_t *n, int csv)
{
    size_t nums = n[SIGMIX_CB_DOUBLE] + n[SIGMIX_CB_INT] + n[SIGMIX_CB_BOOL];
    if (csv && (n[SIGMIX_CB_STRING] || (!nums && n[SIGMIX_CB_NA])))
        return SIGMIX_KIND_STRING;
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

static int keep_tags(sigmix_cb_table *b, size_t g);
static int to_json_keeping_tags(sigmix_cb_table *b, size_t g);

/*
 * Move column g to the kind its values so far call for. A column with no
 * value yet is kept as INT64 (so later integers stay exact); every other
 * step is one sigmix_table_convert supports. BOOL and DOUBLE share their
 * storage (f64, no i64), so an INT64 column without values turns BOOL by
 * going to DOUBLE and relabelling.
 */
static int settle_kind(sigmix_cb_table *b, size_t g, const size_t *before)
{
    sigmix_column *c = sigmix_table_col_mut(b->t, g);
    if (!typed_values(b->count[g]))
        return 0;
    sigmix_kind want = decide_kind(b->count[g], b->csv);
    if (c->kind == want)
        return 0;
    if (b->csv && want == SIGMIX_KIND_STRING && typed_values(before)) {
        /* rows merged as numbers are re-printed (NA markers come back
         * from b->na at the end); the CSV reader restores their text */
        b->lost += typed_values(before);
        b->lostcol[g] = 1;
    }
    if (!b->csv && want == SIGMIX_KIND_DOUBLE &&
        (c->kind == SIGMIX_KIND_INT64 || c->kind == SIGMIX_KIND_BOOL) && keep_tags(b, g))
        return SIGMIX_ENOMEM;
    if (!b->csv && want == SIGMIX_KIND_JSON && c->kind == SIGMIX_KIND_DOUBLE && b->xtag[g])
        return to_json_keeping_tags(b, g);
    if (want == SIGMIX_KIND_BOOL) {
        int r = sigmix_table_convert(b->t, g, SIGMIX_KIND_DOUBLE);
        if (!r)
            sigmix_table_col_mut(b->t, g)->kind = SIGMIX_KIND_BOOL;
        return r;
    }
    return sigmix_table_convert(b->t, g, want);
}

static int grow_counts(sigmix_cb_table *b, size_t n)
{
    if (n <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap * 2 : 64;
    while (cap < n)
        cap *= 2;
    if (grow_zeroed((void **)&b->count, sizeof *b->count, b->cap, cap) ||
        grow_zeroed((void **)&b->lostcol, 1, b->cap, cap) ||
        grow_zeroed((void **)&b->xtag, sizeof *b->xtag, b->cap, cap) ||
        grow_zeroed((void **)&b->xcap, sizeof *b->xcap, b->cap, cap))
        return SIGMIX_ENOMEM;
    b->cap = cap;
    return 0;
}

/* xtag flag: the integer is in b->exact (its double is not exact). */
#define XTAG_EXACT 0x80

/* Row tags of DOUBLE column g, zeroed, for at least `rows` rows. */
static uint8_t *xtags(sigmix_cb_table *b, size_t g, size_t rows)
{
    if (rows > b->xcap[g]) {
        size_t cap = b->xcap[g] ? b->xcap[g] : 256;
        while (cap < rows)
            cap *= 2;
        if (grow_zeroed((void **)&b->xtag[g], 1, b->xcap[g], cap))
            return NULL;
        b->xcap[g] = cap;
    }
    return b->xtag[g];
}

/* Note that row `row` of DOUBLE column g holds an integer or boolean. */
static int note_xtag(sigmix_cb_table *b, size_t g, size_t row, int tag, int64_t v)
{
    uint8_t *x = xtags(b, g, row + 1);
    if (!x)
        return SIGMIX_ENOMEM;
    x[row] = (uint8_t)tag;
    double d = (double)v;
    if (tag == SIGMIX_CB_INT && !(d >= -0x1p63 && d < 0x1p63 && (int64_t)d == v)) {
        x[row] |= XTAG_EXACT;
        if (room_for_one((void **)&b->exact, sizeof *b->exact, b->nexact, &b->exactcap, 16))
            return SIGMIX_ENOMEM;
        b->exact[b->nexact++] = (sigmix_cb_exact){ g, row, v };
    }
    return 0;
}

/* INT64 or BOOL column g is about to become DOUBLE: remember its rows'
 * tags (and big integers) first. */
static int keep_tags(sigmix_cb_table *b, size_t g)
{
    const sigmix_column *c = sigmix_table_col(b->t, g);
    size_t rows = sigmix_table_rows(b->t);
    int tag = c->kind == SIGMIX_KIND_INT64 ? SIGMIX_CB_INT : SIGMIX_CB_BOOL;
    for (size_t r = 0; r < rows; r++)
        if (c->valid[r] && note_xtag(b, g, r, tag, tag == SIGMIX_CB_INT ? c->i64[r] : 0))
            return SIGMIX_ENOMEM;
    return 0;
}

/* Convert DOUBLE column g to JSON; rows that were integers or booleans
 * get their own text (as json_text gives them in one segment). */
static int to_json_keeping_tags(sigmix_cb_table *b, size_t g)
{
    sigmix_table *t = b->t;
    const sigmix_column *c = sigmix_table_col(t, g);
    size_t rows = sigmix_table_rows(t), n = 0;
    const uint8_t *x = b->xtag[g];
    for (size_t r = 0; r < rows && r < b->xcap[g]; r++)
        n += x[r] && c->valid[r];
    sigmix_cb_na *keep = malloc((n ? n : 1) * sizeof *keep);
    if (!keep)
        return SIGMIX_ENOMEM;
    n = 0;
    for (size_t r = 0; r < rows && r < b->xcap[g]; r++) {
        char buf[32];
        if (!x[r] || !c->valid[r] || (x[r] & XTAG_EXACT))
            continue;
        size_t len = x[r] == SIGMIX_CB_BOOL
                   ? (size_t)snprintf(buf, sizeof buf, "%s", c->f64[r] != 0 ? "true" : "false")
                   : (size_t)snprintf(buf, sizeof buf, "%" PRId64, (int64_t)c->f64[r]);
        const char *p = sigmix_table_intern(t, buf, len);
        if (!p) {
            free(keep);
            return SIGMIX_ENOMEM;
        }
        keep[n++] = (sigmix_cb_na){ g, r, { p, len } };
    }
    int rc = sigmix_table_convert(t, g, SIGMIX_KIND_JSON);
    if (!rc) {
        sigmix_column *m = sigmix_table_col_mut(t, g);
        for (size_t i = 0; i < n; i++)
            m->str[keep[i].row] = keep[i].text;
        for (size_t i = 0; !rc && i < b->nexact; i++) {
            const sigmix_cb_exact *e = &b->exact[i];
            if (e->col != g || !m->valid[e->row] || !(x[e->row] & XTAG_EXACT))
                continue;
            char buf[32];
            size_t len = (size_t)snprintf(buf, sizeof buf, "%" PRId64, e->v);
            const char *p = sigmix_table_intern(t, buf, len);
            if (!p)
                rc = SIGMIX_ENOMEM;
            else
                m->str[e->row] = (sigmix_strref){ p, len };
        }
    }
    if (!rc) {
        free(b->xtag[g]);
        b->xtag[g] = NULL;
        b->xcap[g] = 0;
    }
    free(keep);
    return rc;
}

/* Table column of each local column (added in first-seen order). */
static int map_columns(sigmix_cb_table *b, sigmix_cb_seg *s)
{
    if (s->ncols > s->mapcap) {
        long *m = realloc(s->map, s->colcap * sizeof *m);
        if (!m)
            return SIGMIX_ENOMEM;
        s->map = m;
        s->mapcap = s->colcap;
    }
    for (size_t i = s->nmap; i < s->ncols; i++) {
        const sigmix_cb_col *c = &s->cols[i];
        long g = -1;
        if (!c->skip && (g = sigmix_table_find(b->t, c->name)) < 0) {
            size_t gi;
            sigmix_kind k = typed_values(c->count) ? decide_kind(c->count, b->csv) : SIGMIX_KIND_INT64;
            if (sigmix_table_add_column(b->t, c->name, k, &gi) ||
                grow_counts(b, gi + 1))
                return SIGMIX_ENOMEM;
            g = (long)gi;
        }
        s->map[i] = g;
    }
    s->nmap = s->ncols;
    return 0;
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

/* JSON text of one value of a JSON-kind column, in the table arena. */
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

/* Remember an NA marker stored as null in numeric column g. */
static int keep_na(sigmix_cb_table *b, size_t g, size_t row, const sigmix_strref *s)
{
    if (room_for_one((void **)&b->na, sizeof *b->na, b->nna, &b->nacap, 64))
        return SIGMIX_ENOMEM;
    const char *p = sigmix_arena_strndup(&b->na_text, s->ptr, s->len);
    if (!p)
        return SIGMIX_ENOMEM;
    b->na[b->nna++] = (sigmix_cb_na){ g, row, { p, s->len } };
    return 0;
}

/* Copy a local column's rows into rows [base, base + rows) of table column g. */
static int copy_values(sigmix_cb_table *b, size_t g, size_t base, const sigmix_cb_col *sc, size_t rows)
{
    sigmix_table *t = b->t;
    sigmix_column *c = sigmix_table_col_mut(t, g);
    size_t others = values(sc->count) - sc->count[SIGMIX_CB_DOUBLE] - sc->count[SIGMIX_CB_INT];
    if (!others && c->kind == SIGMIX_KIND_DOUBLE && !sc->count[SIGMIX_CB_INT]) {
        /* the common case (only doubles and nulls), as the general loop
         * below does it: merging runs between batches, on one thread */
        for (size_t r = 0; r < rows; r++)
            if (sc->tag[r]) {
                c->valid[base + r] = 1;
                memcpy(&c->f64[base + r], &sc->slot[r], sizeof(double));
            }
        return 0;
    }
    if (!others && c->kind == SIGMIX_KIND_INT64 && !sc->count[SIGMIX_CB_DOUBLE]) {
        for (size_t r = 0; r < rows; r++)
            if (sc->tag[r]) {
                c->valid[base + r] = 1;
                c->i64[base + r] = (int64_t)sc->slot[r];
                c->f64[base + r] = (double)c->i64[base + r];
            }
        return 0;
    }
    /* integers or booleans into a DOUBLE column: keep their tags */
    int note = !b->csv && c->kind == SIGMIX_KIND_DOUBLE &&
               (sc->count[SIGMIX_CB_INT] || sc->count[SIGMIX_CB_BOOL]);
    for (size_t r = 0; r < rows; r++) {
        int tag = sc->tag[r];
        size_t row = base + r;
        if (!tag)
            continue;
        if (b->csv && c->kind == SIGMIX_KIND_STRING) { /* the field's own text */
            const char *p = sigmix_table_intern(t, sc->str[r].ptr, sc->str[r].len);
            if (!p)
                return SIGMIX_ENOMEM;
            c->valid[row] = 1;
            c->str[row] = (sigmix_strref){ p, sc->str[r].len };
            continue;
        }
        if (tag == SIGMIX_CB_NA) { /* null among numbers */
            if (keep_na(b, g, row, &sc->str[r]))
                return SIGMIX_ENOMEM;
            continue;
        }
        c->valid[row] = 1;
        switch (c->kind) {
        case SIGMIX_KIND_INT64:
            c->i64[row] = (int64_t)sc->slot[r];
            c->f64[row] = (double)c->i64[row];
            break;
        case SIGMIX_KIND_DOUBLE:
            if (note && tag != SIGMIX_CB_DOUBLE && note_xtag(b, g, row, tag, (int64_t)sc->slot[r]))
                return SIGMIX_ENOMEM;
            /* fall through */
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

/* Empty the segment for its next batch; columns, map and arrays stay. */
static void seg_reset(sigmix_cb_seg *s)
{
    for (size_t i = 0; i < s->ncols; i++) {
        sigmix_cb_col *c = &s->cols[i];
        if (c->tag)
            memset(c->tag, 0, s->rows);
        memset(c->count, 0, sizeof c->count);
    }
    s->rows = 0;
    sigmix_arena_free(&s->strings);
    sigmix_arena_init(&s->strings);
}

typedef struct clear_job {
    sigmix_table *t;
    size_t        g0, g1, rows; /* columns [g0, g1), rows [0, rows) */
} clear_job;

static void *clear_cols(void *arg)
{
    const clear_job *j = arg;
    for (size_t g = j->g0; g < j->g1; g++)
        sigmix_table_clear_rows(sigmix_table_col_mut(j->t, g), 0, j->rows);
    return NULL;
}

/* Initialise rows [0, rows) of every numeric column, the columns split
 * over up to b->threads threads (each array is one contiguous run of
 * pages, so the threads never fault the same page). */
static void clear_reserved(sigmix_cb_table *b, size_t rows)
{
    size_t nc = sigmix_table_cols(b->t), k = b->threads < 1 ? 1 : b->threads;
    if (k > SIGMIX_PARALLEL_MAX)
        k = SIGMIX_PARALLEL_MAX;
    if (k > nc)
        k = nc ? nc : 1;
    if ((double)rows * (double)nc < (double)(1 << 20))
        k = 1; /* a small table: a thread costs more than it saves */
    clear_job job[SIGMIX_PARALLEL_MAX];
    for (size_t i = 0; i < k; i++)
        job[i] = (clear_job){ b->t, nc * i / k, nc * (i + 1) / k, rows };
    sigmix_parallel(clear_cols, job, sizeof job[0], k);
}

int sigmix_cb_merge(sigmix_cb_table *b, sigmix_cb_seg *s, sigmix_error *err)
{
    size_t base = sigmix_table_rows(b->t);
    int r = map_columns(b, s);
    for (size_t i = 0; !r && i < s->ncols; i++) {
        long g = s->map[i];
        if (g < 0)
            continue;
        size_t before[SIGMIX_CB_NTAGS];
        memcpy(before, b->count[g], sizeof before);
        for (int k = 0; k < SIGMIX_CB_NTAGS; k++)
            b->count[g][k] += s->cols[i].count[k];
        r = settle_kind(b, (size_t)g, before);
    }
    if (!r && s->rows && !base && b->reserve_rows > s->rows &&
        !sigmix_table_reserve_uninit(b->t, b->reserve_rows)) { /* a hint: failure is harmless */
        clear_reserved(b, b->reserve_rows);
    }
    if (s->rows)
        b->reserve_rows = 0;
    if (!r && s->rows)
        r = sigmix_table_resize(b->t, base + s->rows);
    for (size_t i = 0; !r && s->rows && i < s->ncols; i++)
        if (s->map[i] >= 0 && values(s->cols[i].count))
            r = copy_values(b, (size_t)s->map[i], base, &s->cols[i], s->rows);
    seg_reset(s);
    if (r)
        return sigmix_error_set(err, r, "out of memory while building the table");
    return 0;
}

int sigmix_cb_table_finish(sigmix_cb_table *b, sigmix_table **out, sigmix_error *err)
{
    /* Columns that never held a value are numeric with no valid value;
     * CSV columns of NA markers only are text. */
    for (size_t g = 0; g < sigmix_table_cols(b->t); g++) {
        sigmix_kind k = !values(b->count[g]) ? SIGMIX_KIND_DOUBLE
                      : !typed_values(b->count[g]) ? SIGMIX_KIND_STRING : sigmix_table_col(b->t, g)->kind;
        if (k != sigmix_table_col(b->t, g)->kind && sigmix_table_convert(b->t, g, k))
            return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    }
    /* NA markers kept as null in a column that ended up text: their text. */
    for (size_t i = 0; i < b->nna; i++) {
        const sigmix_cb_na *n = &b->na[i];
        if (sigmix_table_col(b->t, n->col)->kind == SIGMIX_KIND_STRING &&
            sigmix_table_set_string(b->t, n->col, n->row, n->text.ptr, n->text.len))
            return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    }
    *out = b->t;
    b->t = NULL;
    return 0;
}
