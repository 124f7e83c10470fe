/*
 * pandas' footer key: the `pandas` JSON names the columns that hold the
 * DataFrame index (`index_columns`), which read_parquet turns back into
 * the index. Those columns are flagged SIGMIX_COLF_INDEX. Only the array
 * of names is scanned; range indexes (objects) take no column.
 * Owned by the Parquet reader.
 */
#include <stdlib.h>
#include <string.h>

#include "table/parquet/pq_pandas.h"

/* Skip JSON whitespace. */
static const char *ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    return p;
}

static int hex4(const char *p, unsigned *v)
{
    *v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
                c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            return -1;
        *v = *v << 4 | (unsigned)d;
    }
    return 0;
}

static size_t utf8(unsigned cp, char *o)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xc0 | cp >> 6);
        o[1] = (char)(0x80 | (cp & 63));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xe0 | cp >> 12);
        o[1] = (char)(0x80 | ((cp >> 6) & 63));
        o[2] = (char)(0x80 | (cp & 63));
        return 3;
    }
    o[0] = (char)(0xf0 | cp >> 18);
    o[1] = (char)(0x80 | ((cp >> 12) & 63));
    o[2] = (char)(0x80 | ((cp >> 6) & 63));
    o[3] = (char)(0x80 | (cp & 63));
    return 4;
}

/*
 * Decode the JSON string at p (at its opening quote) into out (room for
 * strlen(p) bytes; NULL to skip). Returns the byte after the closing
 * quote, or NULL when malformed.
 */
static const char *string(const char *p, char *out, size_t *len)
{
    size_t n = 0;
    for (p++; *p != '"'; p++) {
        char c = *p;
        if (!c)
            return NULL;
        if (c != '\\') {
            if (out)
                out[n] = c;
            n++;
            continue;
        }
        c = *++p;
        unsigned cp;
        char buf[4];
        size_t k = 1;
        switch (c) {
        case '"': case '\\': case '/': buf[0] = c; break;
        case 'b': buf[0] = '\b'; break;
        case 'f': buf[0] = '\f'; break;
        case 'n': buf[0] = '\n'; break;
        case 'r': buf[0] = '\r'; break;
        case 't': buf[0] = '\t'; break;
        case 'u': {
            if (hex4(p + 1, &cp))
                return NULL;
            p += 4;
            if (cp >= 0xd800 && cp < 0xdc00 && p[1] == '\\' && p[2] == 'u') {
                unsigned lo;
                if (!hex4(p + 3, &lo) && lo >= 0xdc00 && lo < 0xe000) {
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                    p += 6;
                }
            }
            k = utf8(cp, buf);
            break;
        }
        default: return NULL;
        }
        if (out)
            memcpy(out + n, buf, k);
        n += k;
    }
    *len = n;
    return p + 1;
}

/* Skip one JSON value; NULL when malformed. */
static const char *skip_value(const char *p, int depth)
{
    size_t len;
    p = ws(p);
    if (depth > 64)
        return NULL;
    if (*p == '"')
        return string(p, NULL, &len);
    if (*p == '{' || *p == '[') {
        char close = *p == '{' ? '}' : ']';
        p = ws(p + 1);
        if (*p == close)
            return p + 1;
        for (;;) {
            if (close == '}') {
                if (*p != '"' || !(p = string(p, NULL, &len)) || *(p = ws(p)) != ':')
                    return NULL;
                p++;
            }
            if (!(p = skip_value(p, depth + 1)))
                return NULL;
            p = ws(p);
            if (*p == close)
                return p + 1;
            if (*p != ',')
                return NULL;
            p = ws(p + 1);
        }
    }
    while (*p && !strchr(",}] \t\r\n", *p))
        p++;
    return p;
}

int sigmix_pq_pandas_index(sigmix_table *t, const char *json)
{
    size_t len;
    const char *p = ws(json);
    char *name = malloc(strlen(json) + 1);
    if (!name)
        return -1;
    if (*p != '{')
        goto out;
    p = ws(p + 1);
    while (*p == '"') {
        const char *v = string(p, name, &len);
        if (!v || *(v = ws(v)) != ':')
            goto out;
        v = ws(v + 1);
        if (len == 13 && !memcmp(name, "index_columns", 13) && *v == '[') {
            for (p = ws(v + 1); *p && *p != ']'; p = ws(p)) {
                if (*p == '"') {
                    if (!(p = string(p, name, &len)))
                        goto out;
                    name[len] = 0;
                    long c = strlen(name) == len ? sigmix_table_find(t, name) : -1;
                    if (c >= 0)
                        sigmix_table_col_mut(t, (size_t)c)->flags |= SIGMIX_COLF_INDEX;
                } else if (!(p = skip_value(p, 1))) {
                    goto out;
                }
                p = ws(p);
                if (*p == ',')
                    p++;
                else if (*p != ']')
                    goto out;
            }
            goto out;
        }
        if (!(p = skip_value(v, 1)))
            goto out;
        p = ws(p);
        if (*p != ',')
            goto out;
        p = ws(p + 1);
    }
out:
    free(name);
    return 0;
}
