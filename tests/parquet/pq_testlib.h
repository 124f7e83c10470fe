/*
 * Test-side helpers for the Parquet reader tests: a tiny JSON parser for
 * the expected JSONL dumps (keeps number text so values compare exactly)
 * and a value-by-value comparison of one dump row against a table row.
 * Test code only; the product never parses JSON this way.
 */
#ifndef SIGMIX_PQ_TESTLIB_H
#define SIGMIX_PQ_TESTLIB_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sigmix/table.h"

typedef enum { JV_NULL, JV_BOOL, JV_NUM, JV_STR, JV_ARR, JV_OBJ } jv_type;

typedef struct jv {
    jv_type     type;
    int         b;
    char       *s;        /* JV_STR: decoded; JV_NUM: raw text */
    size_t      slen;
    size_t      n;        /* children */
    char      **keys;     /* JV_OBJ */
    struct jv  *items;
} jv;

static inline void jv_free(jv *v)
{
    free(v->s);
    for (size_t i = 0; i < v->n; i++) {
        if (v->keys)
            free(v->keys[i]);
        jv_free(&v->items[i]);
    }
    free(v->keys);
    free(v->items);
    memset(v, 0, sizeof *v);
}

static inline const char *jv_ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    return p;
}

static inline void jv_put_utf8(char *o, size_t *n, unsigned cp)
{
    if (cp < 0x80) {
        o[(*n)++] = (char)cp;
    } else if (cp < 0x800) {
        o[(*n)++] = (char)(0xc0 | cp >> 6);
        o[(*n)++] = (char)(0x80 | (cp & 63));
    } else if (cp < 0x10000) {
        o[(*n)++] = (char)(0xe0 | cp >> 12);
        o[(*n)++] = (char)(0x80 | ((cp >> 6) & 63));
        o[(*n)++] = (char)(0x80 | (cp & 63));
    } else {
        o[(*n)++] = (char)(0xf0 | cp >> 18);
        o[(*n)++] = (char)(0x80 | ((cp >> 12) & 63));
        o[(*n)++] = (char)(0x80 | ((cp >> 6) & 63));
        o[(*n)++] = (char)(0x80 | (cp & 63));
    }
}

static inline const char *jv_str(const char *p, char **out, size_t *len)
{
    size_t cap = 64, n = 0;
    char *o = malloc(cap);
    p++; /* opening quote */
    while (*p && *p != '"') {
        if (n + 8 > cap)
            o = realloc(o, cap *= 2);
        if (*p != '\\') {
            o[n++] = *p++;
            continue;
        }
        p++;
        switch (*p) {
        case 'n': o[n++] = '\n'; break;
        case 't': o[n++] = '\t'; break;
        case 'r': o[n++] = '\r'; break;
        case 'b': o[n++] = '\b'; break;
        case 'f': o[n++] = '\f'; break;
        case 'u': {
            unsigned cp = (unsigned)strtoul((char[]){ p[1], p[2], p[3], p[4], 0 }, NULL, 16);
            p += 4;
            if (cp >= 0xd800 && cp < 0xdc00 && p[1] == '\\' && p[2] == 'u') {
                unsigned lo = (unsigned)strtoul((char[]){ p[3], p[4], p[5], p[6], 0 }, NULL, 16);
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                p += 6;
            }
            jv_put_utf8(o, &n, cp);
            break;
        }
        default: o[n++] = *p;
        }
        p++;
    }
    o[n] = 0;
    *out = o;
    *len = n;
    return *p ? p + 1 : NULL;
}

static inline const char *jv_parse(const char *p, jv *v)
{
    memset(v, 0, sizeof *v);
    p = jv_ws(p);
    if (*p == '"') {
        v->type = JV_STR;
        return jv_str(p, &v->s, &v->slen);
    }
    if (*p == '{' || *p == '[') {
        int obj = *p == '{';
        v->type = obj ? JV_OBJ : JV_ARR;
        p = jv_ws(p + 1);
        size_t cap = 0;
        while (*p && *p != (obj ? '}' : ']')) {
            if (v->n == cap) {
                cap = cap ? cap * 2 : 8;
                v->items = realloc(v->items, cap * sizeof *v->items);
                if (obj)
                    v->keys = realloc(v->keys, cap * sizeof *v->keys);
            }
            if (obj) {
                size_t kl;
                p = jv_str(jv_ws(p), &v->keys[v->n], &kl);
                if (!p)
                    return NULL;
                p = jv_ws(p);
                if (*p++ != ':')
                    return NULL;
            }
            p = jv_parse(p, &v->items[v->n]);
            v->n++;
            if (!p)
                return NULL;
            p = jv_ws(p);
            if (*p == ',')
                p = jv_ws(p + 1);
        }
        return *p ? p + 1 : NULL;
    }
    if (!strncmp(p, "null", 4))
        return v->type = JV_NULL, p + 4;
    if (!strncmp(p, "true", 4))
        return v->type = JV_BOOL, v->b = 1, p + 4;
    if (!strncmp(p, "false", 5))
        return v->type = JV_BOOL, v->b = 0, p + 5;
    const char *s = p;
    while (*p && strchr("+-0123456789.eE", *p))
        p++;
    if (p == s)
        return NULL;
    v->type = JV_NUM;
    v->slen = (size_t)(p - s);
    v->s = malloc(v->slen + 1);
    memcpy(v->s, s, v->slen);
    v->s[v->slen] = 0;
    return p;
}

static inline const jv *jv_get(const jv *o, const char *key)
{
    for (size_t i = 0; o->type == JV_OBJ && i < o->n; i++)
        if (!strcmp(o->keys[i], key))
            return &o->items[i];
    return NULL;
}

/* a + "/" + b, malloc'd. */
static inline char *path_join(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *p = malloc(n);
    memcpy(p, a, strlen(a));
    p[strlen(a)] = '/';
    memcpy(p + strlen(a) + 1, b, strlen(b) + 1);
    return p;
}

/* Read a whole file (NUL-terminated); NULL if absent. */
static inline char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    size_t k;
    while ((k = fread(b + n, 1, cap - n - 1, f)) > 0) {
        n += k;
        if (cap - n < 2)
            b = realloc(b, cap *= 2);
    }
    fclose(f);
    b[n] = 0;
    if (len)
        *len = n;
    return b;
}

/*
 * Compare expected value e with row r of column c. Returns 0 when equal,
 * else writes a description into why.
 */
static inline int pq_value_cmp(const jv *e, const sigmix_column *c, size_t r, char *why, size_t wn)
{
    if (e->type == JV_NULL) {
        if (!c->valid[r])
            return 0;
        snprintf(why, wn, "expected null, got a value");
        return 1;
    }
    if (!c->valid[r]) {
        snprintf(why, wn, "expected a value, got null");
        return 1;
    }
    switch (c->kind) {
    case SIGMIX_KIND_DOUBLE: {
        double v = c->f64[r], x;
        if (e->type == JV_STR) {
            x = !strcmp(e->s, "NaN") ? NAN : !strcmp(e->s, "Infinity") ? INFINITY :
                !strcmp(e->s, "-Infinity") ? -INFINITY : strtod(e->s, NULL);
        } else if (e->type == JV_NUM) {
            x = strtod(e->s, NULL);
        } else {
            snprintf(why, wn, "expected a non-number");
            return 1;
        }
        if ((isnan(x) && isnan(v)) || (x == v && signbit(x) == signbit(v)))
            return 0;
        snprintf(why, wn, "expected %.17g, got %.17g", x, v);
        return 1;
    }
    case SIGMIX_KIND_INT64: {
        char buf[32];
        if (c->flags & SIGMIX_COLF_UNSIGNED)
            snprintf(buf, sizeof buf, "%llu", (unsigned long long)c->i64[r]);
        else
            snprintf(buf, sizeof buf, "%lld", (long long)c->i64[r]);
        if ((e->type == JV_NUM || e->type == JV_STR) && !strcmp(e->s, buf))
            return 0;
        snprintf(why, wn, "expected %s, got %s", e->s ? e->s : "?", buf);
        return 1;
    }
    case SIGMIX_KIND_BOOL:
        if (e->type == JV_BOOL && e->b == (c->f64[r] != 0))
            return 0;
        snprintf(why, wn, "boolean differs");
        return 1;
    case SIGMIX_KIND_STRING:
        if (e->type == JV_STR && e->slen == c->str[r].len &&
            !memcmp(e->s, c->str[r].ptr, e->slen))
            return 0;
        snprintf(why, wn, "expected \"%.60s\", got \"%.60s\"", e->s ? e->s : "?",
                 c->str[r].ptr);
        return 1;
    default:
        snprintf(why, wn, "unexpected column kind %d", (int)c->kind);
        return 1;
    }
}

#endif
