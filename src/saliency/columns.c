/*
 * Output columns of the saliency materializer: validation of existing
 * columns (before anything is changed) and creation of missing ones.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "saliency/columns.h"
#include "util/error.h"

static int want(const char *name) { return name && name[0]; }

/* Check one output column: absent, or of a kind we can write. */
static int check_col(const sigmix_table *t, const char *name, int numeric, sigmix_error *err)
{
    long i = sigmix_table_find(t, name);
    if (i < 0)
        return 0;
    sigmix_kind k = sigmix_table_col(t, (size_t)i)->kind;
    if (numeric && !sigmix_kind_is_numeric(k))
        return sigmix_error_set(err, SIGMIX_EINVAL,
                                "column '%s' exists and is not numeric", name);
    if (!numeric && k == SIGMIX_KIND_JSON)
        return sigmix_error_set(err, SIGMIX_EINVAL,
                                "column '%s' exists and holds nested values", name);
    return 0;
}

int sigmix_sal_columns_check(const sigmix_table *t, const sigmix_saliency_settings *s,
                             sigmix_error *err)
{
    const char *names[6] = { s->mean_column, s->var_column, s->model_id_column,
                             s->aggregator_column, s->ema_alpha_column, s->status_column };
    const int numeric[6] = { 1, 1, 0, 0, 1, 0 };
    for (int i = 0; i < 6; i++) {
        if (!want(names[i]))
            continue;
        if (!strcmp(names[i], s->path_column))
            return sigmix_error_set(err, SIGMIX_EINVAL,
                                    "output column '%s' is the path column", names[i]);
        for (int k = 0; k < i; k++)
            if (want(names[k]) && !strcmp(names[i], names[k]))
                return sigmix_error_set(err, SIGMIX_EINVAL,
                                        "column name '%s' given for two outputs", names[i]);
        int r = check_col(t, names[i], numeric[i], err);
        if (r)
            return r;
    }
    return 0;
}

static int ensure(sigmix_table *t, const char *name, sigmix_kind kind, long *idx)
{
    *idx = -1;
    if (!want(name))
        return 0;
    long i = sigmix_table_find(t, name);
    if (i < 0) {
        size_t at;
        int r = sigmix_table_add_column(t, name, kind, &at);
        if (r)
            return r;
        *idx = (long)at;
        return 0;
    }
    *idx = i;
    return sigmix_table_col(t, (size_t)i)->kind == kind ? 0
         : sigmix_table_convert(t, (size_t)i, kind);
}

int sigmix_sal_columns_prepare(sigmix_table *t, const sigmix_saliency_settings *s,
                               sal_columns *c)
{
    int r;
    c->mean_existed = sigmix_table_find(t, s->mean_column) >= 0;
    c->var_existed = sigmix_table_find(t, s->var_column) >= 0;
    if ((r = ensure(t, s->mean_column, SIGMIX_KIND_DOUBLE, &c->mean))
        || (r = ensure(t, s->var_column, SIGMIX_KIND_DOUBLE, &c->var))
        || (r = ensure(t, s->model_id_column, SIGMIX_KIND_STRING, &c->model_id))
        || (r = ensure(t, s->aggregator_column, SIGMIX_KIND_STRING, &c->aggregator))
        || (r = ensure(t, s->ema_alpha_column, SIGMIX_KIND_DOUBLE, &c->ema_alpha))
        || (r = ensure(t, s->status_column, SIGMIX_KIND_STRING, &c->status)))
        return r;
    return 0;
}

/* A row is skipped when it already holds finite mean and variance. */
int sigmix_sal_row_has_values(const sigmix_table *t, const sigmix_saliency_settings *s,
                              size_t row)
{
    long m = sigmix_table_find(t, s->mean_column), v = sigmix_table_find(t, s->var_column);
    if (m < 0 || v < 0)
        return 0;
    const sigmix_column *cm = sigmix_table_col(t, (size_t)m), *cv = sigmix_table_col(t, (size_t)v);
    if (!sigmix_kind_is_numeric(cm->kind) || !sigmix_kind_is_numeric(cv->kind))
        return 0;
    return cm->valid[row] && cv->valid[row] && isfinite(cm->f64[row]) && isfinite(cv->f64[row]);
}

/* Positive integer dimension from a numeric or text cell, else 0. */
int sigmix_sal_cell_dim(const sigmix_table *t, long col, size_t row)
{
    if (col < 0)
        return 0;
    const sigmix_column *c = sigmix_table_col(t, (size_t)col);
    if (!c->valid[row])
        return 0;
    double v;
    if (sigmix_kind_is_numeric(c->kind)) {
        v = c->kind == SIGMIX_KIND_INT64 ? (double)c->i64[row] : c->f64[row];
    } else if ((c->kind == SIGMIX_KIND_STRING || c->kind == SIGMIX_KIND_JSON) && c->str
               && c->str[row].len && c->str[row].len < 32) {
        /* Text "320" counts, also in a mixed-type column, where cells are
         * kept as JSON: a number 320 or a string "320" there. */
        const char *p = c->str[row].ptr;
        size_t n = c->str[row].len;
        if (c->kind == SIGMIX_KIND_JSON && n >= 2 && p[0] == '"' && p[n - 1] == '"') {
            p++;
            n -= 2;
        }
        char buf[32], *e;
        memcpy(buf, p, n);
        buf[n] = '\0';
        if (!n || buf[0] == ' ' || buf[0] == '\t')
            return 0;
        v = strtod(buf, &e);
        if (*e)
            return 0;
    } else {
        return 0;
    }
    if (!(v >= 1 && v <= SAL_MAX_DIM) || v != floor(v))
        return 0;
    return (int)v;
}

static int hexval(int c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static int hex4(const char *p, const char *end, unsigned *out)
{
    unsigned v = 0;
    if (end - p < 4)
        return -1;
    for (int i = 0; i < 4; i++) {
        int h = hexval((unsigned char)p[i]);
        if (h < 0)
            return -1;
        v = v * 16 + (unsigned)h;
    }
    *out = v;
    return 0;
}

static size_t put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) { o[0] = (char)cp; return 1; }
    if (cp < 0x800) { o[0] = (char)(0xC0 | cp >> 6); o[1] = (char)(0x80 | (cp & 0x3F)); return 2; }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | cp >> 12); o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | cp >> 18); o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

char *sigmix_sal_cell_path(const sigmix_column *c, size_t row, size_t *len)
{
    if (!c->str || !c->valid[row])
        return NULL;
    const char *p = c->str[row].ptr, *end = p + c->str[row].len;
    if (c->kind == SIGMIX_KIND_STRING) {
        if (memchr(p, '\0', c->str[row].len))
            return NULL; /* a NUL cannot be part of a path */
        char *o = malloc(c->str[row].len + 1);
        if (o) {
            memcpy(o, p, c->str[row].len);
            o[c->str[row].len] = '\0';
            *len = c->str[row].len;
        }
        return o;
    }
    /* JSON kind (a mixed-type column): only a JSON string names a path. */
    if (c->kind != SIGMIX_KIND_JSON || end - p < 2 || *p != '"' || end[-1] != '"')
        return NULL;
    char *o = malloc((size_t)(end - p)), *w = o;
    if (!o)
        return NULL;
    for (p++, end--; p < end; p++) {
        if ((unsigned char)*p < 0x20)
            goto bad; /* raw control bytes (a NUL among them) are not JSON */
        if (*p != '\\') {
            *w++ = *p;
            continue;
        }
        if (++p >= end)
            goto bad;
        unsigned cp;
        switch (*p) {
        case '"': case '\\': case '/': *w++ = *p; break;
        case 'b': *w++ = '\b'; break;
        case 'f': *w++ = '\f'; break;
        case 'n': *w++ = '\n'; break;
        case 'r': *w++ = '\r'; break;
        case 't': *w++ = '\t'; break;
        case 'u':
            if (hex4(p + 1, end, &cp))
                goto bad;
            p += 4;
            if (cp >= 0xD800 && cp < 0xDC00) { /* surrogate pair */
                unsigned lo;
                if (end - p < 7 || p[1] != '\\' || p[2] != 'u' || hex4(p + 3, end, &lo)
                    || lo < 0xDC00 || lo > 0xDFFF)
                    goto bad;
                p += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else if (cp >= 0xDC00 && cp < 0xE000) {
                goto bad;
            }
            if (cp == 0)
                goto bad; /* a NUL cannot be part of a path */
            w += put_utf8(w, cp);
            break;
        default:
            goto bad;
        }
    }
    *w = '\0';
    *len = (size_t)(w - o);
    return o;
bad:
    free(o);
    return NULL;
}
