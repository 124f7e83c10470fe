/*
 * Join keys are text. A key cell is rendered as upstream's str() renders
 * the value it holds, so an integer column joins against "17" and a text
 * column keeps "001" as "001" (pandas would have turned it into 1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "join/internal.h"
#include "sigmix/join.h"
#include "util/jsonw.h"

int sigmix_key_mode_parse(const char *s, sigmix_key_mode *out)
{
    static const char *const names[] = { "auto", "raw", "basename", "stem" };
    for (int i = 0; i < 4; i++)
        if (s && !strcmp(s, names[i])) {
            *out = (sigmix_key_mode)i;
            return 0;
        }
    return SIGMIX_EINVAL;
}

const char *sigmix_key_mode_name(sigmix_key_mode m)
{
    switch (m) {
    case SIGMIX_KEY_RAW: return "raw";
    case SIGMIX_KEY_BASENAME: return "basename";
    case SIGMIX_KEY_STEM: return "stem";
    default: return "auto";
    }
}

static int hexval(int c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static size_t put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) { o[0] = (char)cp; return 1; }
    if (cp < 0x800) { o[0] = (char)(0xc0 | cp >> 6); o[1] = (char)(0x80 | (cp & 63)); return 2; }
    if (cp < 0x10000) {
        o[0] = (char)(0xe0 | cp >> 12); o[1] = (char)(0x80 | (cp >> 6 & 63));
        o[2] = (char)(0x80 | (cp & 63));
        return 3;
    }
    o[0] = (char)(0xf0 | cp >> 18); o[1] = (char)(0x80 | (cp >> 12 & 63));
    o[2] = (char)(0x80 | (cp >> 6 & 63)); o[3] = (char)(0x80 | (cp & 63));
    return 4;
}

static int read_u4(const char *s, size_t len, size_t i, unsigned *out)
{
    if (i + 4 > len)
        return -1;
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
        int h = hexval((unsigned char)s[i + k]);
        if (h < 0)
            return -1;
        v = v << 4 | (unsigned)h;
    }
    *out = v;
    return 0;
}

char *sigmix_join_json_unquote(const char *s, size_t len, size_t *outlen)
{
    if (len < 2 || s[0] != '"' || s[len - 1] != '"')
        return NULL;
    char *o = malloc(len + 1), *q = o;
    if (!o)
        return NULL;
    for (size_t i = 1; i + 1 < len; i++) {
        if (s[i] != '\\') {
            *q++ = s[i];
            continue;
        }
        char c = s[++i];
        switch (c) {
        case 'n': *q++ = '\n'; break;
        case 't': *q++ = '\t'; break;
        case 'r': *q++ = '\r'; break;
        case 'b': *q++ = '\b'; break;
        case 'f': *q++ = '\f'; break;
        case 'u': {
            unsigned cp, lo;
            if (read_u4(s, len - 1, i + 1, &cp)) { free(o); return NULL; }
            i += 4;
            if (cp >= 0xd800 && cp < 0xdc00 && i + 2 < len - 1 && s[i + 1] == '\\'
                && s[i + 2] == 'u' && !read_u4(s, len - 1, i + 3, &lo) && lo >= 0xdc00
                && lo < 0xe000) {
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                i += 6;
            }
            q += put_utf8(q, cp);
            break;
        }
        default: *q++ = c; break;
        }
    }
    *q = '\0';
    *outlen = (size_t)(q - o);
    return o;
}

int sigmix_join_cell_text(const sigmix_column *c, size_t row, char *buf,
                          const char **s, size_t *len)
{
    if (!c->valid[row])
        return 0;
    switch (c->kind) {
    case SIGMIX_KIND_STRING:
    case SIGMIX_KIND_JSON:
        *s = c->str[row].ptr;
        *len = c->str[row].len;
        return 1;
    case SIGMIX_KIND_INT64:
        *len = (size_t)snprintf(buf, 48, "%lld", (long long)c->i64[row]);
        *s = buf;
        return 1;
    case SIGMIX_KIND_BOOL:
        strcpy(buf, c->f64[row] != 0 ? "True" : "False");
        *s = buf;
        *len = strlen(buf);
        return 1;
    case SIGMIX_KIND_DOUBLE: {
        double v = c->f64[row];
        if (v != v)
            return 0;
        if (v == 1.0 / 0.0 || v == -1.0 / 0.0)
            strcpy(buf, v > 0 ? "inf" : "-inf");
        else
            sigmix_format_double(v, buf, 48);
        *s = buf;
        *len = strlen(buf);
        return 1;
    }
    }
    return 0;
}

static int py_space(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

void sigmix_join_strip(const char **s, size_t *len)
{
    const char *p = *s;
    size_t n = *len;
    while (n && py_space((unsigned char)*p)) { p++; n--; }
    while (n && py_space((unsigned char)p[n - 1])) n--;
    *s = p;
    *len = n;
}

static int contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *p = hay; *p; p++) {
        size_t k = 0;
        while (k < n && p[k] && (p[k] | 0x20) == needle[k])
            k++;
        if (k == n)
            return 1;
    }
    return 0;
}

/* The last path component as pathlib's .name gives it: trailing slashes
 * and "." segments do not count. */
static void basename_of(const char **s, size_t *len)
{
    const char *p = *s;
    size_t n = *len;
    for (;;) {
        while (n && p[n - 1] == '/')
            n--;
        if (n >= 2 && p[n - 1] == '.' && p[n - 2] == '/') {
            n -= 2;
            continue;
        }
        if (n == 1 && p[0] == '.')
            n = 0;
        break;
    }
    size_t start = n;
    while (start && p[start - 1] != '/')
        start--;
    *s = p + start;
    *len = n - start;
}

void sigmix_join_normalize(const char **s, size_t *len, sigmix_key_mode mode,
                           const char *column, int src_counts)
{
    sigmix_join_strip(s, len);
    if (!*len)
        return;
    if (mode == SIGMIX_KEY_AUTO) {
        const char *c = column ? column : "";
        int pathlike = contains_ci(c, "path") || contains_ci(c, "file") || contains_ci(c, "name")
                       || (src_counts && contains_ci(c, "src"));
        mode = pathlike ? SIGMIX_KEY_BASENAME : SIGMIX_KEY_RAW;
    }
    if (mode == SIGMIX_KEY_RAW)
        return;
    basename_of(s, len);
    if (mode == SIGMIX_KEY_STEM) {
        /* pathlib: the suffix starts at the last dot, unless that dot
         * opens the name or ends it */
        size_t i = *len;
        while (i && (*s)[i - 1] != '.')
            i--;
        if (i > 1 && i < *len)
            *len = i - 1;
    }
}

char *sigmix_join_slug(const char *s)
{
    size_t n = strlen(s), k = 0;
    char *o = malloc(n + 1);
    if (!o)
        return NULL;
    int gap = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c + 32);
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            if (gap && k)
                o[k++] = '_';
            gap = 0;
            o[k++] = c;
        } else {
            gap = 1;
        }
    }
    o[k] = '\0';
    return o;
}

char *sigmix_join_repr(const char *s, size_t len)
{
    char *o = malloc(len * 4 + 3), *q = o;
    if (!o)
        return NULL;
    *q++ = '\'';
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\'' || c == '\\') {
            *q++ = '\\';
            *q++ = (char)c;
        } else if (c < 0x20 || c == 0x7f) {
            q += sprintf(q, "\\x%02x", c);
        } else {
            *q++ = (char)c;
        }
    }
    *q++ = '\'';
    *q = '\0';
    return o;
}

/* A label that cannot be copied is SIGMIX_ENOMEM: without it the file's
 * records would silently lose their LABEL= competitor. */
int sigmix_join_split_label(const char *spec, char **label, const char **path)
{
    struct stat st;
    const char *eq = strchr(spec, '=');
    *label = NULL;
    *path = spec;
    if (!eq || !stat(spec, &st))
        return 0;
    const char *l = spec;
    size_t n = (size_t)(eq - spec);
    sigmix_join_strip(&l, &n);
    *path = eq + 1;
    if (n) {
        *label = malloc(n + 1);
        if (!*label)
            return SIGMIX_ENOMEM;
        memcpy(*label, l, n);
        (*label)[n] = '\0';
    }
    return 0;
}

void sigmix_join_split_spec(const char *spec, char **label, const char **path)
{
    (void)sigmix_join_split_label(spec, label, path);
}

/* ---- hash map ---- */

uint64_t sigmix_join_hash(const char *s, size_t len)
{
    /* FNV-1a over 8-byte words then bytes, finished with a mixer: keys are
     * short and hashing must not dominate a 450,000-record join. */
    uint64_t h = 1469598103934665603ull ^ len;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = (h ^ w) * 0x100000001b3ull;
        h ^= h >> 29;
    }
    for (; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
}

int sigmix_kmap_get(const sigmix_kmap *m, const char *k, size_t len, size_t *val)
{
    return sigmix_kmap_get_h(m, k, len, sigmix_join_hash(k, len), val);
}

int sigmix_kmap_get_h(const sigmix_kmap *m, const char *k, size_t len, uint64_t h64,
                      size_t *val)
{
    if (!m->cap)
        return 0;
    uint32_t h = (uint32_t)(h64 >> 32);
    for (size_t i = h64 & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        const struct kslot *sl = &m->slot[i];
        if (!sl->e)
            return 0;
        if (sl->h == h) {
            const struct kent *e = &m->ent[sl->e - 1];
            if (e->len == len && !memcmp(e->k, k, len)) {
                *val = e->val;
                return 1;
            }
        }
    }
}

static int rehash(sigmix_kmap *m, size_t cap)
{
    struct kslot *ns = calloc(cap, sizeof *ns);
    if (!ns)
        return -1;
    sigmix_prefault(ns, cap * sizeof *ns);
    for (size_t j = 0; j < m->n; j++) {
        const struct kent *e = &m->ent[j];
        uint64_t h64 = sigmix_join_hash(e->k, e->len);
        size_t i = h64 & (cap - 1);
        while (ns[i].e)
            i = (i + 1) & (cap - 1);
        ns[i].h = (uint32_t)(h64 >> 32);
        ns[i].e = (uint32_t)(j + 1);
    }
    free(m->slot);
    m->slot = ns;
    m->cap = cap;
    return 0;
}

int sigmix_kmap_reserve(sigmix_kmap *m, size_t n)
{
    size_t cap = m->cap ? m->cap : 64;
    while (cap < (m->n + n + 1) * 2)
        cap *= 2;
    if (cap != m->cap && rehash(m, cap))
        return -1;
    if (m->n + n > m->entcap) {
        struct kent *ne = realloc(m->ent, (m->n + n) * sizeof *ne);
        if (!ne)
            return -1;
        if (!m->n)
            sigmix_prefault(ne, (m->n + n) * sizeof *ne);
        m->ent = ne;
        m->entcap = m->n + n;
    }
    return 0;
}

int sigmix_kmap_put(sigmix_kmap *m, const char *k, size_t len, size_t *val)
{
    return sigmix_kmap_put_h(m, k, len, sigmix_join_hash(k, len), val);
}

int sigmix_kmap_put_h(sigmix_kmap *m, const char *k, size_t len, uint64_t h64, size_t *val)
{
    if (m->n >= UINT32_MAX - 1)
        return -1;
    if ((m->n + 1) * 2 > m->cap && rehash(m, m->cap ? m->cap * 2 : 64))
        return -1;
    if (m->n == m->entcap) {
        size_t nc = m->entcap ? m->entcap * 2 : 64;
        struct kent *ne = realloc(m->ent, nc * sizeof *ne);
        if (!ne)
            return -1;
        m->ent = ne;
        m->entcap = nc;
    }
    uint32_t h = (uint32_t)(h64 >> 32);
    size_t i = h64 & (m->cap - 1);
    for (;; i = (i + 1) & (m->cap - 1)) {
        struct kslot *sl = &m->slot[i];
        if (!sl->e)
            break;
        if (sl->h == h) {
            const struct kent *e = &m->ent[sl->e - 1];
            if (e->len == len && !memcmp(e->k, k, len)) {
                *val = e->val;
                return 1;
            }
        }
    }
    m->ent[m->n].k = k ? k : "";
    m->ent[m->n].len = len;
    m->ent[m->n].val = *val;
    m->n++;
    m->slot[i].h = h;
    m->slot[i].e = (uint32_t)m->n;
    return 0;
}

void sigmix_kmap_free(sigmix_kmap *m)
{
    free(m->slot);
    free(m->ent);
    memset(m, 0, sizeof *m);
}
