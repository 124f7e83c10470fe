/*
 * A small, bounded JSON parser for families files: strict RFC 8259 syntax,
 * UTF-8 validated, nesting limited, every node allocated from an arena
 * (so node count is bounded by the input size). Families files are tiny and
 * hand-written, so clarity beats speed here; table JSON goes through the
 * table layer's simdjson reader instead.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "audit/famjson.h"
#include "util/error.h"

enum { MAX_DEPTH = 16 };

typedef struct parser {
    const unsigned char *p, *end, *start;
    int                  depth;
    sigmix_arena        *arena;
    sigmix_error        *err;
} parser;

static int fail(parser *ps, const char *what)
{
    size_t off = (size_t)(ps->p - ps->start), line = 1;
    for (const unsigned char *q = ps->start; q < ps->p; q++)
        line += *q == '\n';
    return sigmix_error_set(ps->err, SIGMIX_EFORMAT, "%s (line %zu, byte %zu)", what, line, off);
}

static void skip_ws(parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

static famjson *node(parser *ps, famjson_type t)
{
    famjson *v = sigmix_arena_alloc(ps->arena, sizeof *v);
    if (v) {
        memset(v, 0, sizeof *v);
        v->type = t;
    }
    return v;
}

static int hex4(parser *ps, unsigned *out)
{
    unsigned v = 0;
    if (ps->end - ps->p < 4)
        return fail(ps, "truncated \\u escape");
    for (int i = 0; i < 4; i++) {
        unsigned c = ps->p[i], d;
        if (c >= '0' && c <= '9') d = c - '0';
        else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
        else return fail(ps, "bad \\u escape");
        v = v * 16 + d;
    }
    ps->p += 4;
    *out = v;
    return 0;
}

static size_t put_utf8(unsigned char *o, unsigned cp)
{
    if (cp < 0x80) { o[0] = (unsigned char)cp; return 1; }
    if (cp < 0x800) { o[0] = (unsigned char)(0xC0 | cp >> 6); o[1] = (unsigned char)(0x80 | (cp & 0x3F)); return 2; }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | cp >> 12);
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | cp >> 18);
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Length of a valid UTF-8 sequence at p (0 if invalid). */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
    unsigned c = p[0];
    size_t n;
    unsigned min;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) { n = 2; min = 0x80; }
    else if (c >= 0xE0 && c <= 0xEF) { n = 3; min = 0x800; }
    else if (c >= 0xF0 && c <= 0xF4) { n = 4; min = 0x10000; }
    else return 0;
    if ((size_t)(end - p) < n)
        return 0;
    unsigned cp = c & (0x3F >> (n - 1));
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

/* String at ps->p (on the opening quote): decoded, NUL-terminated, in the arena. */
static int parse_string(parser *ps, char **out, size_t *outlen)
{
    ps->p++;
    const unsigned char *q = ps->p;
    while (q < ps->end && *q != '"') /* decoded length <= raw length */
        q += (*q == '\\' && q + 1 < ps->end) ? 2 : 1;
    if (q >= ps->end)
        return fail(ps, "unterminated string");
    unsigned char *o = sigmix_arena_alloc(ps->arena, (size_t)(q - ps->p) + 1);
    if (!o)
        return sigmix_error_set(ps->err, SIGMIX_ENOMEM, "out of memory");
    size_t n = 0;
    while (*ps->p != '"') {
        unsigned c = *ps->p;
        if (c < 0x20)
            return fail(ps, "control character in string");
        if (c != '\\') {
            size_t k = utf8_len(ps->p, ps->end);
            if (!k)
                return fail(ps, "invalid UTF-8 in string");
            memcpy(o + n, ps->p, k);
            n += k;
            ps->p += k;
            continue;
        }
        ps->p++;
        c = *ps->p++;
        switch (c) {
        case '"': case '\\': case '/': o[n++] = (unsigned char)c; break;
        case 'b': o[n++] = '\b'; break;
        case 'f': o[n++] = '\f'; break;
        case 'n': o[n++] = '\n'; break;
        case 'r': o[n++] = '\r'; break;
        case 't': o[n++] = '\t'; break;
        case 'u': {
            unsigned cp = 0, lo = 0;
            int r = hex4(ps, &cp);
            if (r)
                return r;
            if (cp >= 0xDC00 && cp <= 0xDFFF)
                return fail(ps, "lone low surrogate in \\u escape");
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (ps->end - ps->p < 2 || ps->p[0] != '\\' || ps->p[1] != 'u')
                    return fail(ps, "lone high surrogate in \\u escape");
                ps->p += 2;
                if ((r = hex4(ps, &lo)))
                    return r;
                if (lo < 0xDC00 || lo > 0xDFFF)
                    return fail(ps, "bad surrogate pair in \\u escape");
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            if (cp == 0)
                return fail(ps, "NUL character in string");
            /* A \u escape is 6 raw bytes and decodes to at most 4: fits. */
            n += put_utf8(o + n, cp);
            break;
        }
        default:
            return fail(ps, "bad escape in string");
        }
    }
    ps->p++;
    o[n] = '\0';
    *out = (char *)o;
    *outlen = n;
    return 0;
}

static int parse_value(parser *ps, famjson **out);

static int parse_number(parser *ps)
{
    const unsigned char *p = ps->p;
    if (p < ps->end && *p == '-') p++;
    if (p >= ps->end || !(*p >= '0' && *p <= '9'))
        return fail(ps, "bad number");
    if (*p == '0') p++;
    else while (p < ps->end && *p >= '0' && *p <= '9') p++;
    if (p < ps->end && *p == '.') {
        p++;
        if (p >= ps->end || !(*p >= '0' && *p <= '9'))
            return fail(ps, "bad number");
        while (p < ps->end && *p >= '0' && *p <= '9') p++;
    }
    if (p < ps->end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < ps->end && (*p == '+' || *p == '-')) p++;
        if (p >= ps->end || !(*p >= '0' && *p <= '9'))
            return fail(ps, "bad number");
        while (p < ps->end && *p >= '0' && *p <= '9') p++;
    }
    ps->p = p;
    return 0;
}

static int literal(parser *ps, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n))
        return fail(ps, "unexpected character");
    ps->p += n;
    return 0;
}

/* Array or object body; ps->p on the opening bracket. */
static int parse_container(parser *ps, famjson *v)
{
    int is_obj = v->type == FAMJSON_OBJECT;
    char close = is_obj ? '}' : ']';
    famjson **tail = &v->child;
    if (++ps->depth > MAX_DEPTH)
        return fail(ps, "nesting too deep");
    ps->p++;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
        ps->depth--;
        return 0;
    }
    for (;;) {
        char *key = NULL;
        size_t keylen = 0;
        famjson *item;
        skip_ws(ps);
        if (is_obj) {
            if (ps->p >= ps->end || *ps->p != '"')
                return fail(ps, "expected a string key");
            int r = parse_string(ps, &key, &keylen);
            if (r)
                return r;
            skip_ws(ps);
            if (ps->p >= ps->end || *ps->p != ':')
                return fail(ps, "expected ':'");
            ps->p++;
        }
        int r = parse_value(ps, &item);
        if (r)
            return r;
        item->key = key;
        *tail = item;
        tail = &item->next;
        v->count++;
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        if (ps->p < ps->end && *ps->p == close) {
            ps->p++;
            ps->depth--;
            return 0;
        }
        return fail(ps, ps->p >= ps->end ? "unexpected end of input" : "expected ',' or a closing bracket");
    }
}

static int parse_value(parser *ps, famjson **out)
{
    skip_ws(ps);
    if (ps->p >= ps->end)
        return fail(ps, "unexpected end of input");
    famjson *v;
    unsigned c = *ps->p;
    famjson_type t = c == '{' ? FAMJSON_OBJECT : c == '[' ? FAMJSON_ARRAY : c == '"' ? FAMJSON_STRING
                   : c == 't' || c == 'f' ? FAMJSON_BOOL : c == 'n' ? FAMJSON_NULL : FAMJSON_NUMBER;
    if (t == FAMJSON_NUMBER && c != '-' && !(c >= '0' && c <= '9'))
        return fail(ps, "unexpected character");
    if (!(v = node(ps, t)))
        return sigmix_error_set(ps->err, SIGMIX_ENOMEM, "out of memory");
    *out = v;
    switch (t) {
    case FAMJSON_OBJECT:
    case FAMJSON_ARRAY: return parse_container(ps, v);
    case FAMJSON_STRING: return parse_string(ps, &v->str, &v->len);
    case FAMJSON_BOOL: return literal(ps, c == 't' ? "true" : "false");
    case FAMJSON_NULL: return literal(ps, "null");
    default: return parse_number(ps);
    }
}

int sigmix_famjson_parse(const char *buf, size_t len, sigmix_arena *arena, famjson **out,
                         sigmix_error *err)
{
    parser ps = { (const unsigned char *)buf, (const unsigned char *)buf + len,
                  (const unsigned char *)buf, 0, arena, err };
    *out = NULL;
    if (len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3))
        ps.p += 3; /* tolerate a UTF-8 byte-order mark */
    int r = parse_value(&ps, out);
    if (r)
        return r;
    skip_ws(&ps);
    if (ps.p != ps.end)
        return fail(&ps, "trailing characters after the JSON value");
    return 0;
}

const famjson *sigmix_famjson_get(const famjson *obj, const char *key)
{
    if (!obj || obj->type != FAMJSON_OBJECT)
        return NULL;
    for (const famjson *c = obj->child; c; c = c->next)
        if (!strcmp(c->key, key))
            return c;
    return NULL;
}
