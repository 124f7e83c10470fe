/*
 * Column store: typed arrays with validity, names in a hash index,
 * strings in a chunked arena owned by the table.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sigmix/table.h"
#include "table/table_internal.h"
#include "util/arena.h"
#include "util/jsonw.h"
#include "util/prefault.h"

struct sigmix_table {
    size_t          rows, cap;     /* cap: allocated entries per column */
    size_t          ncols, colcap;
    sigmix_column  *cols;
    long           *hash;          /* open addressing, -1 empty; size hashcap */
    size_t          hashcap;
    const char    **meta;          /* key, value pairs (arena strings) */
    size_t          nmeta, metacap;
    sigmix_arena    arena;
    unsigned char  *slab;          /* numeric arrays of a large reserve (see there) */
    size_t          slab_len;
    struct block { unsigned char *p; size_t len; } *blocks; /* add_columns_uninit */
    size_t          nblocks;
};

/* Whether p points into the slab: such arrays are never freed or
 * reallocated on their own. */
static int in_slab(const sigmix_table *t, const void *p)
{
    const unsigned char *q = p;
    if (t->slab && q >= t->slab && q < t->slab + t->slab_len)
        return 1;
    for (size_t i = 0; i < t->nblocks; i++)
        if (q >= t->blocks[i].p && q < t->blocks[i].p + t->blocks[i].len)
            return 1;
    return 0;
}

static uint64_t name_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

int sigmix_table_create(sigmix_table **out)
{
    if (!out)
        return SIGMIX_EINVAL;
    sigmix_table *t = calloc(1, sizeof *t);
    *out = t;
    if (!t)
        return SIGMIX_ENOMEM;
    sigmix_arena_init(&t->arena);
    return 0;
}

static void free_arrays(const sigmix_table *t, sigmix_column *c)
{
    if (!in_slab(t, c->f64))
        free(c->f64);
    if (!in_slab(t, c->i64))
        free(c->i64);
    if (!in_slab(t, c->str))
        free(c->str);
    if (!in_slab(t, c->valid))
        free(c->valid);
    c->f64 = NULL;
    c->i64 = NULL;
    c->str = NULL;
    c->valid = NULL;
}

void sigmix_table_free(sigmix_table **pt)
{
    sigmix_table *t = pt ? *pt : NULL;
    if (!t)
        return;
    for (size_t i = 0; i < t->ncols; i++)
        free_arrays(t, &t->cols[i]);
    free(t->slab);
    for (size_t i = 0; i < t->nblocks; i++)
        free(t->blocks[i].p);
    free(t->blocks);
    free(t->cols);
    free(t->hash);
    free(t->meta);
    sigmix_arena_free(&t->arena);
    free(t);
    *pt = NULL;
}

size_t sigmix_table_rows(const sigmix_table *t) { return t ? t->rows : 0; }
size_t sigmix_table_cols(const sigmix_table *t) { return t ? t->ncols : 0; }

const sigmix_column *sigmix_table_col(const sigmix_table *t, size_t i)
{
    return t && i < t->ncols ? &t->cols[i] : NULL;
}

sigmix_column *sigmix_table_col_mut(sigmix_table *t, size_t i)
{
    return t && i < t->ncols ? &t->cols[i] : NULL;
}

long sigmix_table_find(const sigmix_table *t, const char *name)
{
    if (!t || !name || !t->hashcap)
        return -1;
    size_t mask = t->hashcap - 1;
    for (size_t h = name_hash(name) & mask;; h = (h + 1) & mask) {
        long i = t->hash[h];
        if (i < 0)
            return -1;
        if (!strcmp(t->cols[i].name, name))
            return i;
    }
}

static int rehash(sigmix_table *t, size_t cap)
{
    long *h = malloc(cap * sizeof *h);
    if (!h)
        return SIGMIX_ENOMEM;
    for (size_t i = 0; i < cap; i++)
        h[i] = -1;
    for (size_t i = 0; i < t->ncols; i++) {
        size_t k = name_hash(t->cols[i].name) & (cap - 1);
        while (h[k] >= 0)
            k = (k + 1) & (cap - 1);
        h[k] = (long)i;
    }
    free(t->hash);
    t->hash = h;
    t->hashcap = cap;
    return 0;
}

/* A slab array moves out to its own allocation when it must grow. */
static void *regrow(const sigmix_table *t, void *p, size_t elem, size_t old, size_t cap)
{
    if (!in_slab(t, p))
        return realloc(p, cap * elem);
    void *n = malloc(cap * elem);
    if (n)
        memcpy(n, p, old * elem);
    return n;
}

/* Grow one array from old to new entries; new tail zeroed. */
static int grow(const sigmix_table *t, void **p, size_t elem, size_t old, size_t cap)
{
    if (cap > SIZE_MAX / elem)
        return SIGMIX_ENOMEM;
    void *n = regrow(t, *p, elem, old, cap);
    if (!n)
        return SIGMIX_ENOMEM;
    sigmix_prefault((char *)n + old * elem, (cap - old) * elem);
    memset((char *)n + old * elem, 0, (cap - old) * elem);
    *p = n;
    return 0;
}

static int alloc_arrays(const sigmix_table *t, sigmix_column *c, size_t old, size_t cap)
{
    int r = grow(t, (void **)&c->valid, 1, old, cap);
    if (!r && sigmix_kind_is_numeric(c->kind)) {
        r = grow(t, (void **)&c->f64, sizeof(double), old, cap);
        for (size_t i = old; !r && i < cap; i++)
            c->f64[i] = NAN;
    }
    if (!r && c->kind == SIGMIX_KIND_INT64)
        r = grow(t, (void **)&c->i64, sizeof(int64_t), old, cap);
    if (!r && (c->kind == SIGMIX_KIND_STRING || c->kind == SIGMIX_KIND_JSON))
        r = grow(t, (void **)&c->str, sizeof(sigmix_strref), old, cap);
    return r;
}

int sigmix_table_resize(sigmix_table *t, size_t rows)
{
    if (!t)
        return SIGMIX_EINVAL;
    if (rows > t->cap) {
        size_t cap = t->cap ? t->cap : 8; /* small tables are common: each page is a fault */
        while (cap < rows)
            cap = cap > SIZE_MAX / 2 ? rows : cap * 2;
        for (size_t i = 0; i < t->ncols; i++)
            if (alloc_arrays(t, &t->cols[i], t->cap, cap))
                return SIGMIX_ENOMEM;
        t->cap = cap;
    } else {
        /* Shrinking: reset dropped rows so a later grow sees nulls. */
        for (size_t i = 0; i < t->ncols; i++)
            for (size_t r = rows; r < t->rows; r++)
                sigmix_table_set_null(t, i, r);
    }
    t->rows = rows;
    return 0;
}

/*
 * Grow one array to cap entries and pre-fault its new tail
 * (sigmix_prefault): in virtual machines a page fault per 4 KiB page can cost
 * more than filling the table. Contents are initialised by alloc_arrays.
 */
static int reserve_array(const sigmix_table *t, void **p, size_t elem, size_t old, size_t cap)
{
    if (!*p)
        return 0;
    if (cap > SIZE_MAX / elem)
        return SIGMIX_ENOMEM;
    void *n = regrow(t, *p, elem, old, cap);
    if (!n)
        return SIGMIX_ENOMEM;
    *p = n;
    sigmix_prefault((char *)n + old * elem, (cap - old) * elem);
    return 0;
}

/* A reserve whose numeric arrays add up to this much takes one slab. */
#define SLAB_MIN ((size_t)8 << 20)
#define SLAB_ALIGN 64

static size_t slab_round(size_t n)
{
    return (n + SLAB_ALIGN - 1) & ~(size_t)(SLAB_ALIGN - 1);
}

/*
 * The numeric columns' arrays (f64, i64, valid) of a table reserved at
 * its final size (the Parquet reader knows it from the footers) come
 * from one allocation backed by transparent huge pages: first touching
 * a column array page by page costs one fault per 4 KiB, which in a
 * virtual machine dominates reading a large table (150,000 rows x 110
 * columns: ~33,000 faults). Only for a table without rows yet: a
 * reader that reserves from an estimate while reading (the text readers)
 * may outgrow it, and a slab array that grows is copied out while the
 * slab stays (realloc of a large block would have moved it in place).
 * The tails are initialised as alloc_arrays does, unless !init (see
 * sigmix_table_reserve_uninit). Best effort: returns 1 when the numeric
 * columns now hold `rows` entries in the slab, else 0 with the table
 * untouched (the slab does not pay or cannot be had).
 */
static int reserve_slab(sigmix_table *t, size_t rows, int init)
{
    size_t bytes = 0;
    if (t->slab || t->rows || rows > SIZE_MAX / 32)
        return 0;
    for (size_t i = 0; i < t->ncols; i++) {
        const sigmix_column *c = &t->cols[i];
        if (!sigmix_kind_is_numeric(c->kind))
            continue;
        size_t per = slab_round(rows * sizeof(double)) + slab_round(rows) +
                     (c->kind == SIGMIX_KIND_INT64 ? slab_round(rows * sizeof(int64_t)) : 0);
        if (per > SIZE_MAX - bytes - SLAB_ALIGN)
            return 0;
        bytes += per;
    }
    if (bytes < SLAB_MIN)
        return 0;
    /* whole huge pages: a malloc'd slab's unaligned head and tail took
     * up to 1,000 small-page faults */
    unsigned char *slab = sigmix_huge_alloc(bytes);
    if (!slab)
        return 0; /* the per-column arrays below may still fit */
    unsigned char *p = slab;
    const size_t old = t->cap;
    for (size_t i = 0; i < t->ncols; i++) {
        sigmix_column *c = &t->cols[i];
        if (!sigmix_kind_is_numeric(c->kind))
            continue;
        double *f = (double *)(void *)p;
        p += slab_round(rows * sizeof(double));
        uint8_t *v = p;
        p += slab_round(rows);
        memcpy(f, c->f64, old * sizeof *f);
        memcpy(v, c->valid, old);
        free(c->f64);
        free(c->valid);
        c->f64 = f;
        c->valid = v;
        if (c->kind == SIGMIX_KIND_INT64) {
            int64_t *q = (int64_t *)(void *)p;
            p += slab_round(rows * sizeof(int64_t));
            memcpy(q, c->i64, old * sizeof *q);
            free(c->i64);
            c->i64 = q;
        }
        if (init)
            sigmix_table_clear_rows(c, old, rows - old);
    }
    t->slab = slab;
    t->slab_len = bytes;
    return 1;
}

static int reserve(sigmix_table *t, size_t rows, int init)
{
    if (!t)
        return SIGMIX_EINVAL;
    if (rows <= t->cap)
        return 0;
    int slab = reserve_slab(t, rows, init);
    for (size_t i = 0; i < t->ncols; i++) {
        sigmix_column *c = &t->cols[i];
        if (slab && sigmix_kind_is_numeric(c->kind))
            continue; /* done by reserve_slab */
        if (reserve_array(t, (void **)&c->valid, 1, t->cap, rows) ||
            reserve_array(t, (void **)&c->f64, sizeof(double), t->cap, rows) ||
            reserve_array(t, (void **)&c->i64, sizeof(int64_t), t->cap, rows) ||
            reserve_array(t, (void **)&c->str, sizeof(sigmix_strref), t->cap, rows) ||
            alloc_arrays(t, c, t->cap, rows))
            return SIGMIX_ENOMEM;
    }
    t->cap = rows;
    return 0;
}

int sigmix_table_reserve(sigmix_table *t, size_t rows)
{
    return reserve(t, rows, 1);
}

int sigmix_table_reserve_uninit(sigmix_table *t, size_t rows)
{
    return reserve(t, rows, 0);
}

void sigmix_table_clear_rows(sigmix_column *c, size_t r0, size_t n)
{
    if (!c || !sigmix_kind_is_numeric(c->kind))
        return;
    if (c->f64)
        for (size_t r = r0; r < r0 + n; r++)
            c->f64[r] = NAN;
    if (c->valid)
        memset(c->valid + r0, 0, n);
    if (c->i64)
        memset(c->i64 + r0, 0, n * sizeof *c->i64);
}

/* The next column's slot, cleared, with its name and kind: room in the
 * column and hash arrays made, the name interned. NULL: out of memory. The
 * column exists once column_commit hashes it. */
static sigmix_column *column_slot(sigmix_table *t, const char *name, sigmix_kind kind)
{
    if (t->ncols == t->colcap) {
        size_t cap = t->colcap ? t->colcap * 2 : 16;
        sigmix_column *n = realloc(t->cols, cap * sizeof *n);
        if (!n)
            return NULL;
        t->cols = n;
        t->colcap = cap;
    }
    if ((t->ncols + 1) * 2 > t->hashcap &&
        rehash(t, t->hashcap ? t->hashcap * 2 : 32))
        return NULL;
    const char *nm = sigmix_table_intern(t, name, strlen(name));
    if (!nm)
        return NULL;
    sigmix_column *c = &t->cols[t->ncols];
    memset(c, 0, sizeof *c);
    c->name = nm;
    c->kind = kind;
    return c;
}

/* Hash the slot column_slot filled; returns its index. */
static size_t column_commit(sigmix_table *t)
{
    size_t k = name_hash(t->cols[t->ncols].name) & (t->hashcap - 1);
    while (t->hash[k] >= 0)
        k = (k + 1) & (t->hashcap - 1);
    t->hash[k] = (long)t->ncols;
    return t->ncols++;
}

int sigmix_table_add_column(sigmix_table *t, const char *name, sigmix_kind kind,
                            size_t *index)
{
    if (!t || !name || kind > SIGMIX_KIND_JSON || sigmix_table_find(t, name) >= 0)
        return SIGMIX_EINVAL;
    sigmix_column *c = column_slot(t, name, kind);
    if (!c)
        return SIGMIX_ENOMEM;
    if (alloc_arrays(t, c, 0, t->cap ? t->cap : 1)) {
        free_arrays(t, c);
        return SIGMIX_ENOMEM;
    }
    size_t i = column_commit(t);
    if (index)
        *index = i;
    return 0;
}

/* Bytes of one column's arrays for cap rows (as alloc_arrays allocates them). */
static size_t block_bytes(sigmix_kind kind, size_t cap)
{
    size_t b = slab_round(cap);
    if (sigmix_kind_is_numeric(kind))
        b += slab_round(cap * sizeof(double));
    if (kind == SIGMIX_KIND_INT64)
        b += slab_round(cap * sizeof(int64_t));
    if (kind == SIGMIX_KIND_STRING || kind == SIGMIX_KIND_JSON)
        b += slab_round(cap * sizeof(sigmix_strref));
    return b;
}

int sigmix_table_add_columns_uninit(sigmix_table *t, const char *const *names,
                                    const sigmix_kind *kinds, size_t n, size_t *index,
                                    size_t *failed)
{
    if (failed)
        *failed = 0;
    if (!t || !names || !kinds || !index)
        return SIGMIX_EINVAL;
    /* Everything add_column would refuse is refused before any change. */
    for (size_t i = 0; i < n; i++) {
        if (failed)
            *failed = i;
        if (!names[i] || kinds[i] > SIGMIX_KIND_JSON || sigmix_table_find(t, names[i]) >= 0)
            return SIGMIX_EINVAL;
        for (size_t j = 0; j < i; j++)
            if (!strcmp(names[i], names[j]))
                return SIGMIX_EINVAL;
    }
    if (failed)
        *failed = 0;
    if (!n)
        return 0;
    const size_t cap = t->cap ? t->cap : 1;
    if (cap > SIZE_MAX / 64 / n)
        return SIGMIX_ENOMEM;
    size_t bytes = 0;
    for (size_t i = 0; i < n; i++)
        bytes += block_bytes(kinds[i], cap);
    struct block *nb = realloc(t->blocks, (t->nblocks + 1) * sizeof *nb);
    if (!nb)
        return SIGMIX_ENOMEM;
    t->blocks = nb;
    unsigned char *blk = sigmix_huge_alloc(bytes);
    if (!blk)
        return SIGMIX_ENOMEM;
    t->blocks[t->nblocks].p = blk;
    t->blocks[t->nblocks].len = bytes;
    t->nblocks++;
    unsigned char *p = blk;
    /* The caller writes the block in full: fault it in at once (best
     * effort). */
    sigmix_prefault(p, bytes);
    for (size_t i = 0; i < n; i++) {
        if (failed)
            *failed = i;
        sigmix_column *c = column_slot(t, names[i], kinds[i]);
        if (!c)
            return SIGMIX_ENOMEM;
        c->valid = p;
        p += slab_round(cap);
        if (sigmix_kind_is_numeric(c->kind)) {
            c->f64 = (double *)(void *)p;
            p += slab_round(cap * sizeof(double));
        }
        if (c->kind == SIGMIX_KIND_INT64) {
            c->i64 = (int64_t *)(void *)p;
            p += slab_round(cap * sizeof(int64_t));
        }
        if (c->kind == SIGMIX_KIND_STRING || c->kind == SIGMIX_KIND_JSON) {
            c->str = (sigmix_strref *)(void *)p;
            p += slab_round(cap * sizeof(sigmix_strref));
        }
        /* Rows past the table's end read as alloc_arrays leaves them, so
         * a later resize that grows into them finds nulls. */
        const size_t r0 = t->rows < cap ? t->rows : cap;
        if (sigmix_kind_is_numeric(c->kind)) {
            sigmix_table_clear_rows(c, r0, cap - r0);
        } else {
            memset(c->valid + r0, 0, cap - r0);
            memset(c->str + r0, 0, (cap - r0) * sizeof *c->str);
        }
        index[i] = column_commit(t);
    }
    if (failed)
        *failed = 0;
    return 0;
}

const char *sigmix_table_intern(sigmix_table *t, const char *s, size_t len)
{
    return sigmix_arena_strndup(&t->arena, s, len);
}

/* Setters check their indices: a wrong call does nothing instead of
 * writing outside the arrays (the void ones cannot report it). */
static int settable(const sigmix_table *t, size_t col, size_t row)
{
    return t && col < t->ncols && row < t->rows;
}

void sigmix_table_set_null(sigmix_table *t, size_t col, size_t row)
{
    if (!settable(t, col, row))
        return;
    sigmix_column *c = &t->cols[col];
    c->valid[row] = 0;
    if (c->f64)
        c->f64[row] = NAN;
    if (c->i64)
        c->i64[row] = 0;
    if (c->str)
        c->str[row] = (sigmix_strref){ NULL, 0 };
}

void sigmix_table_set_double(sigmix_table *t, size_t col, size_t row, double v)
{
    if (!settable(t, col, row) || !t->cols[col].f64)
        return;
    sigmix_column *c = &t->cols[col];
    c->valid[row] = 1;
    c->f64[row] = v;
}

void sigmix_table_set_int64(sigmix_table *t, size_t col, size_t row, int64_t v)
{
    if (!settable(t, col, row) || !t->cols[col].i64)
        return;
    sigmix_column *c = &t->cols[col];
    c->valid[row] = 1;
    c->f64[row] = (double)v;
    c->i64[row] = v;
}

void sigmix_table_set_bool(sigmix_table *t, size_t col, size_t row, int v)
{
    sigmix_table_set_double(t, col, row, v ? 1.0 : 0.0);
}

int sigmix_table_set_string(sigmix_table *t, size_t col, size_t row,
                            const char *s, size_t len)
{
    if (!settable(t, col, row) || !t->cols[col].str || (!s && len))
        return SIGMIX_EINVAL;
    sigmix_column *c = &t->cols[col];
    const char *p = sigmix_arena_strndup(&t->arena, s, len);
    if (!p)
        return SIGMIX_ENOMEM;
    c->valid[row] = 1;
    c->str[row] = (sigmix_strref){ p, len };
    return 0;
}

/* Text of a numeric value as it would appear in JSON. */
static size_t numeric_text(const sigmix_column *c, size_t r, int json, char *buf, size_t n)
{
    double v = c->f64[r];
    if (c->kind == SIGMIX_KIND_INT64)
        return (size_t)snprintf(buf, n, "%lld", (long long)c->i64[r]);
    if (c->kind == SIGMIX_KIND_BOOL)
        return (size_t)snprintf(buf, n, "%s", v != 0 ? "true" : "false");
    if (!isfinite(v)) {
        if (!json)
            return 0;
        return (size_t)snprintf(buf, n, "%s", isnan(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity");
    }
    return sigmix_format_double(v, buf, n);
}

int sigmix_table_convert(sigmix_table *t, size_t col, sigmix_kind kind)
{
    if (!t || col >= t->ncols)
        return SIGMIX_EINVAL;
    sigmix_column *c = &t->cols[col];
    sigmix_column n = *c;
    if (c->kind == kind)
        return 0;
    n.kind = kind;
    n.f64 = NULL;
    n.i64 = NULL;
    n.str = NULL;
    n.valid = NULL;
    if (sigmix_kind_is_numeric(c->kind) && kind == SIGMIX_KIND_DOUBLE) {
        if (!in_slab(t, c->i64))
            free(c->i64);
        c->i64 = NULL;
        c->kind = kind;
        return 0;
    }
    int to_text = kind == SIGMIX_KIND_STRING || kind == SIGMIX_KIND_JSON;
    if (!to_text || (c->kind == SIGMIX_KIND_JSON && kind == SIGMIX_KIND_STRING))
        return SIGMIX_EINVAL;
    if (alloc_arrays(t, &n, 0, t->cap ? t->cap : 1)) {
        free_arrays(t, &n);
        return SIGMIX_ENOMEM;
    }
    for (size_t r = 0; r < t->rows; r++) {
        char buf[64];
        const char *p = NULL;
        size_t len = 0;
        if (!c->valid[r])
            continue;
        if (sigmix_kind_is_numeric(c->kind)) {
            len = numeric_text(c, r, kind == SIGMIX_KIND_JSON, buf, sizeof buf);
            if (!len)
                continue; /* non-finite in STRING: null */
            p = sigmix_arena_strndup(&t->arena, buf, len);
        } else { /* STRING -> JSON: quote */
            char *q;
            len = sigmix_json_quote(c->str[r].ptr, c->str[r].len, NULL);
            q = sigmix_arena_alloc(&t->arena, len + 1);
            if (q)
                sigmix_json_quote(c->str[r].ptr, c->str[r].len, q), q[len] = 0;
            p = q;
        }
        if (!p) {
            free_arrays(t, &n);
            return SIGMIX_ENOMEM;
        }
        n.valid[r] = 1;
        n.str[r] = (sigmix_strref){ p, len };
    }
    free_arrays(t, c);
    *c = n;
    return 0;
}

int sigmix_table_set_meta(sigmix_table *t, const char *key, const char *value)
{
    const char *k = NULL, *v = NULL;
    size_t i = 0;
    while (i < t->nmeta && strcmp(t->meta[2 * i], key))
        i++;
    if (i == t->nmeta && t->nmeta == t->metacap) {
        size_t cap = t->metacap ? t->metacap * 2 : 8;
        const char **n = realloc(t->meta, cap * 2 * sizeof *n);
        if (!n)
            return SIGMIX_ENOMEM;
        t->meta = n;
        t->metacap = cap;
    }
    if ((i == t->nmeta && !(k = sigmix_arena_strndup(&t->arena, key, strlen(key)))) ||
        (value && !(v = sigmix_arena_strndup(&t->arena, value, strlen(value)))))
        return SIGMIX_ENOMEM;
    if (i == t->nmeta) {
        t->meta[2 * i] = k;
        t->nmeta++;
    }
    t->meta[2 * i + 1] = v;
    return 0;
}

size_t sigmix_table_meta_count(const sigmix_table *t) { return t->nmeta; }

int sigmix_table_meta_at(const sigmix_table *t, size_t i, const char **key, const char **value)
{
    if (i >= t->nmeta)
        return SIGMIX_EINVAL;
    *key = t->meta[2 * i];
    *value = t->meta[2 * i + 1];
    return 0;
}

const char *sigmix_table_get_meta(const sigmix_table *t, const char *key)
{
    for (size_t i = 0; i < t->nmeta; i++)
        if (!strcmp(t->meta[2 * i], key))
            return t->meta[2 * i + 1];
    return NULL;
}
