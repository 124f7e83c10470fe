/*
 * Sharding: the clip -> shard function, the shard file lines, their strict
 * parser and the configuration hash that tells whether shards may be
 * merged. See shard.h for the file format.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/pixdesc.h>

#include "saliency/internal.h"
#include "saliency/shard.h"
#include "sigmix/shard.h"
#include "util/error.h"
#include "util/prefault.h"
#include "util/jsonw.h"
#include "util/sha256.h"

int sigmix_saliency_shard_of(const char *source, int width, int height, int n)
{
    /* The generic partition (util/shard.c), keyed by path and geometry. */
    char geo[32];
    snprintf(geo, sizeof geo, "%dx%d", width, height);
    const char *parts[] = { source, geo };
    return sigmix_shard_of(parts, 2, n);
}

int sigmix_sal_parse_shard(const char *text, int *k, int *n)
{
    char *e;
    errno = 0;
    long a = strtol(text, &e, 10);
    if (e == text || *e != '/' || errno || text[0] == '-' || text[0] == '+' || text[0] == ' ')
        return -1;
    const char *p = e + 1;
    long b = strtol(p, &e, 10);
    if (e == p || *e || errno || p[0] == '-' || p[0] == '+' || p[0] == ' ')
        return -1;
    if (b < 1 || b > SAL_MAX_SHARDS || a < 0 || a >= b)
        return -1;
    *k = (int)a;
    *n = (int)b;
    return 0;
}

/* ---- configuration ----------------------------------------------------- */

void sigmix_sal_config_sha256(const sigmix_saliency_settings *s, char hex[65])
{
    char dims[64], frames[64], red[64], flags[64], maxpix[32];
    int fs = s->frame_samples < s->max_frames ? s->frame_samples : s->max_frames;
    snprintf(dims, sizeof dims, "%dx%d", s->default_width, s->default_height);
    snprintf(frames, sizeof frames, "%d/%d", s->max_frames, fs);
    snprintf(red, sizeof red, "%s/%a", sigmix_saliency_reducer_name(s->reducer),
             s->reducer == SIGMIX_SAL_EMA ? s->ema_alpha : 0.0);
    snprintf(flags, sizeof flags, "outside=%d overwrite=%d root=%d model=%s",
             s->allow_outside_root, s->overwrite, s->root != NULL,
             s->model_path ? "onnx" : "builtin");
    snprintf(maxpix, sizeof maxpix, "%lld", s->max_pixels);
    const char *parts[] = {
        "sigmix-saliency-config-1", s->path_column, s->root ? s->root : "",
        s->width_column, s->height_column, dims, s->raw_pix_fmt ? s->raw_pix_fmt : "yuv420p",
        s->model_id ? s->model_id : "", frames, red, flags, maxpix, s->mean_column,
        s->var_column, s->model_id_column, s->aggregator_column, s->ema_alpha_column,
        s->status_column,
    };
    sigmix_sal_key(hex, parts, sizeof parts / sizeof *parts);
}

/* ---- writing ------------------------------------------------------------ */

static char *quote(const char *s)
{
    size_t n = sigmix_json_quote(s, strlen(s), NULL);
    char *q = malloc(n + 1);
    if (q) {
        sigmix_json_quote(s, strlen(s), q);
        q[n] = '\0';
    }
    return q;
}

static char *vformat(const char *fmt, ...) SIGMIX_PRINTF(1, 2);
static char *vformat(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *out = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (!out)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(out, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return out;
}

char *sigmix_sal_shard_header_line(const sal_shard_header *h, const char *model_id)
{
    char *q = quote(model_id ? model_id : "");
    char *out = q ? vformat("{\"sigmix_saliency_shard\":1,\"shard\":%d,\"of\":%d,\"clips\":%zu,"
                            "\"input_sha256\":\"%s\",\"config_sha256\":\"%s\","
                            "\"model_sha256\":\"%s\",\"model_id\":%s}\n",
                            h->k, h->n, h->clips, h->input_sha256, h->config_sha256, h->model_sha256, q)
                  : NULL;
    free(q);
    return out;
}

char *sigmix_sal_shard_clip_line(const sigmix_saliency_clip *c)
{
    char *src = quote(c->source), *msg = NULL, *out = NULL;
    if (!src)
        return NULL;
    if (c->status == SIGMIX_SAL_OK)
        out = vformat("{\"key\":\"%s\",\"mean\":\"%a\",\"var\":\"%a\",\"source\":%s,"
                      "\"width\":%d,\"height\":%d}\n", c->key, c->mean, c->var, src,
                      c->width, c->height);
    else if ((msg = quote(c->message ? c->message : "")))
        out = vformat("{\"key\":\"%s\",\"status\":\"%s\",\"message\":%s,\"source\":%s,"
                      "\"width\":%d,\"height\":%d}\n", c->key,
                      sigmix_saliency_status_name(c->status), msg, src, c->width, c->height);
    free(src);
    free(msg);
    return out;
}

/* ---- parsing -------------------------------------------------------------- */

/* A cursor over one line; every step checks the bytes left. */
typedef struct cur {
    const char *p, *end;
} cur;

static int lit(cur *c, const char *s)
{
    size_t n = strlen(s);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, s, n))
        return -1;
    c->p += n;
    return 0;
}

static int hex64(cur *c, char out[65], int allow_empty)
{
    if (lit(c, "\""))
        return -1;
    if (allow_empty && c->p < c->end && *c->p == '"') {
        out[0] = '\0';
        c->p++;
        return 0;
    }
    if (c->end - c->p < 65)
        return -1;
    for (int i = 0; i < 64; i++)
        if (!((c->p[i] >= '0' && c->p[i] <= '9') || (c->p[i] >= 'a' && c->p[i] <= 'f')))
            return -1;
    memcpy(out, c->p, 64);
    out[64] = '\0';
    c->p += 64;
    return lit(c, "\"");
}

static int uint_val(cur *c, long long max, long long *out)
{
    long long v = 0;
    const char *start = c->p;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
        v = v * 10 + (*c->p - '0');
        if (v > max)
            return -1;
        c->p++;
    }
    /* No leading zeros: one spelling per number. */
    if (c->p == start || (c->p - start > 1 && *start == '0'))
        return -1;
    *out = v;
    return 0;
}

/* Lowercase hex digit values + 1 (0: not one): a merge decodes two keys
 * of 64 digits per clip, and the compare-chain's random branches cost
 * more than the rest of a lookup. */
static const unsigned char HEXV[256] = {
    ['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7, ['7'] = 8,
    ['8'] = 9, ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15,
    ['f'] = 16,
};

static int hexdigit(char h)
{
    return (int)HEXV[(unsigned char)h] - 1;
}

int sigmix_sal_hexfloat(const char *p, size_t n, double *out)
{
    if (n == 0 || n > 40)
        return -1;
    char tmp[48];
    memcpy(tmp, p, n);
    tmp[n] = '\0';
    char *e;
    errno = 0;
    *out = strtod(tmp, &e);
    if (*e || errno == ERANGE || !isfinite(*out))
        return -1;
    return 0;
}

static int hexfloat(cur *c, double *out)
{
    if (lit(c, "\""))
        return -1;
    const char *q = memchr(c->p, '"', (size_t)(c->end - c->p));
    if (!q || sigmix_sal_hexfloat(c->p, (size_t)(q - c->p), out))
        return -1;
    c->p = q + 1;
    return 0;
}

/*
 * A JSON string as sigmix_json_quote writes it, decoded into s (room for
 * the bytes left on the line), or only checked when s is NULL: a merge
 * checks 150k source names it never keeps.
 */
static int jstring_to(cur *c, char *s)
{
    if (lit(c, "\""))
        return -1;
    size_t n = 0;
    while (c->p < c->end && *c->p != '"') {
        unsigned char ch = (unsigned char)*c->p++;
        if (ch < 0x20)
            return -1;
        if (ch != '\\') {
            if (s)
                s[n] = (char)ch;
            n++;
            continue;
        }
        if (c->p >= c->end)
            break;
        char e = *c->p++, d;
        switch (e) {
        case '"': d = '"'; break;
        case '\\': d = '\\'; break;
        case '/': d = '/'; break;
        case 'n': d = '\n'; break;
        case 'r': d = '\r'; break;
        case 't': d = '\t'; break;
        case 'b': d = '\b'; break;
        case 'f': d = '\f'; break;
        case 'u': { /* only the control characters the writer escapes */
            unsigned v = 0;
            for (int i = 0; i < 4; i++) {
                char h = c->p < c->end ? *c->p++ : 'x';
                int x = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10
                      : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
                if (x < 0)
                    return -1;
                v = v << 4 | (unsigned)x;
            }
            if (v == 0 || (v >= 0x20 && v != 0x7f))
                return -1;
            d = (char)v;
            break;
        }
        default:
            return -1;
        }
        if (s)
            s[n] = d;
        n++;
    }
    if (c->p >= c->end)
        return -1;
    c->p++; /* closing quote */
    if (s)
        s[n] = '\0';
    return 0;
}

/* The same, *out malloc'd. */
static int jstring(cur *c, char **out)
{
    char *s = malloc((size_t)(c->end - c->p) + 1);
    if (!s || jstring_to(c, s)) {
        free(s);
        return -1;
    }
    *out = s;
    return 0;
}

/* The rest of a clip line: ,"source":"..","width":W,"height":H} */
static int clip_tail(cur *c)
{
    long long v;
    if (lit(c, ",\"source\":") || jstring_to(c, NULL))
        return -1;
    if (lit(c, ",\"width\":") || uint_val(c, 1 << 20, &v) || lit(c, ",\"height\":")
        || uint_val(c, 1 << 20, &v) || lit(c, "}"))
        return -1;
    return c->p == c->end ? 0 : -1;
}

static int parse_header(cur *c, sal_shard_header *h)
{
    long long k, n, clips;
    if (lit(c, "{\"sigmix_saliency_shard\":1,\"shard\":") || uint_val(c, SAL_MAX_SHARDS, &k)
        || lit(c, ",\"of\":") || uint_val(c, SAL_MAX_SHARDS, &n) || lit(c, ",\"clips\":")
        || uint_val(c, (long long)1 << 40, &clips) || lit(c, ",\"input_sha256\":")
        || hex64(c, h->input_sha256, 0) || lit(c, ",\"config_sha256\":")
        || hex64(c, h->config_sha256, 0) || lit(c, ",\"model_sha256\":")
        || hex64(c, h->model_sha256, 1) || lit(c, ",\"model_id\":"))
        return -1;
    if (jstring_to(c, NULL))
        return -1;
    if (lit(c, "}") || c->p != c->end || n < 1 || k >= n)
        return -1;
    h->k = (int)k;
    h->n = (int)n;
    h->clips = (size_t)clips;
    return 0;
}

static int status_of(const char *name, size_t len)
{
    for (int i = SIGMIX_SAL_MISSING_GEOMETRY; i < SIGMIX_SAL_NSTATUS; i++) {
        const char *s = sigmix_saliency_status_name(i);
        if (strlen(s) == len && !memcmp(name, s, len))
            return i;
    }
    return -1;
}

/* "<64 lowercase hex digits>" into 32 bytes. */
static int key32(cur *c, unsigned char out[32])
{
    if (lit(c, "\"") || c->end - c->p < 65)
        return -1;
    for (int i = 0; i < 32; i++) {
        int hi = hexdigit(c->p[2 * i]), lo = hexdigit(c->p[2 * i + 1]);
        if ((hi | lo) < 0)
            return -1;
        out[i] = (unsigned char)(hi << 4 | lo);
    }
    c->p += 64;
    return lit(c, "\"");
}

void sigmix_sal_shard_key_hex(const sal_result *r, char hex[65])
{
    sigmix_sha256_hex(r->key, hex);
}

static int parse_clip(cur *c, sal_result *r)
{
    memset(r, 0, sizeof *r);
    if (lit(c, "{\"key\":") || key32(c, r->key))
        return -1;
    if (!lit(c, ",\"mean\":")) {
        if (hexfloat(c, &r->mean) || lit(c, ",\"var\":") || hexfloat(c, &r->var))
            return -1;
        r->status = SIGMIX_SAL_OK;
        return clip_tail(c);
    }
    /* Status names have no escapes: the text up to the next quote is the
     * name, or it is no status at all (as a decoded string would not be). */
    if (lit(c, ",\"status\":") || lit(c, "\""))
        return -1;
    const char *q = memchr(c->p, '"', (size_t)(c->end - c->p));
    if (!q)
        return -1;
    r->status = status_of(c->p, (size_t)(q - c->p));
    c->p = q + 1;
    if (r->status < 0 || lit(c, ",\"message\":") || jstring(c, &r->msg))
        return -1;
    if (clip_tail(c)) {
        free(r->msg);
        r->msg = NULL;
        return -1;
    }
    return 0;
}

/* Room for want results in all; a failed grow leaves the set as it was. */
static int set_reserve(sigmix_saliency_shard_set *set, size_t want)
{
    if (want <= set->cap)
        return 0;
    if (want > SIZE_MAX / sizeof *set->r)
        return -1;
    sal_result *nr = realloc(set->r, want * sizeof *nr);
    if (!nr)
        return -1;
    if (!set->n) /* a first reservation (from a header's count) is filled */
        sigmix_prefault(nr, want * sizeof *nr); /* ~19 MB for 150,000 clips */
    set->r = nr;
    set->cap = want;
    return 0;
}

static int set_push(sigmix_saliency_shard_set *set, const sal_result *r)
{
    if (set->n == set->cap && set_reserve(set, set->cap ? 2 * set->cap : 256))
        return -1;
    set->r[set->n++] = *r;
    return 0;
}

/* Results appended after a lookup index was built make it stale. */
static void drop_index(sigmix_saliency_shard_set *set)
{
    free(set->idx);
    set->idx = NULL;
}

/* The shortest clip line the writer makes is 134 bytes and a newline: a
 * header's count reserves no more than the file could hold. */
#define MIN_CLIP_LINE 128

void sigmix_sal_shard_parse_begin(sal_shard_parser *ps, sal_shard_header *h,
                                  sigmix_saliency_shard_set *set, size_t file_size,
                                  char *why, size_t whylen)
{
    memset(ps, 0, sizeof *ps);
    memset(h, 0, sizeof *h);
    ps->h = h;
    ps->set = set;
    ps->why = why;
    ps->whylen = whylen;
    ps->first = set->n;
    ps->fit = file_size / MIN_CLIP_LINE;
    drop_index(set);
}

/* Undo a failed parse: the set is as before begin. */
static int parse_fail(sal_shard_parser *ps, int code)
{
    sigmix_saliency_shard_set *set = ps->set;
    for (size_t i = ps->first; i < set->n; i++)
        free(set->r[i].msg);
    set->n = ps->first;
    return code;
}

int sigmix_sal_shard_parse_line(sal_shard_parser *ps, const char *p, size_t len)
{
    cur c = { p, p + len };
    ps->line++;
    if (ps->line == 1) {
        if (parse_header(&c, ps->h)) {
            snprintf(ps->why, ps->whylen, "line 1: not a sigmix saliency shard header");
            return parse_fail(ps, SIGMIX_EFORMAT);
        }
        /* One allocation for the announced clips (a grow per doubling
         * copies 150k results several times over). */
        size_t want = ps->h->clips < ps->fit ? ps->h->clips : ps->fit;
        if (set_reserve(ps->set, ps->set->n + want)) {
            snprintf(ps->why, ps->whylen, "out of memory");
            return parse_fail(ps, SIGMIX_ENOMEM);
        }
        return 0;
    }
    sal_result r;
    if (parse_clip(&c, &r)) {
        snprintf(ps->why, ps->whylen, "line %zu: not a shard result line", ps->line);
        return parse_fail(ps, SIGMIX_EFORMAT);
    }
    r.shard = ps->h->k;
    if (set_push(ps->set, &r)) {
        free(r.msg);
        snprintf(ps->why, ps->whylen, "out of memory");
        return parse_fail(ps, SIGMIX_ENOMEM);
    }
    ps->clips++;
    return 0;
}

int sigmix_sal_shard_parse_end(sal_shard_parser *ps, size_t tail)
{
    if (tail) {
        snprintf(ps->why, ps->whylen, "line %zu: cut short (no newline)", ps->line + 1);
        return parse_fail(ps, SIGMIX_EFORMAT);
    }
    if (ps->line == 0) {
        snprintf(ps->why, ps->whylen, "empty file");
        return parse_fail(ps, SIGMIX_EFORMAT);
    }
    if (ps->clips != ps->h->clips) {
        snprintf(ps->why, ps->whylen, "%zu clip lines, the header says %zu", ps->clips,
                 ps->h->clips);
        return parse_fail(ps, SIGMIX_EFORMAT);
    }
    return 0;
}

int sigmix_sal_shard_parse(const char *buf, size_t len, sal_shard_header *h,
                           sigmix_saliency_shard_set *set, char *why, size_t whylen)
{
    sal_shard_parser ps;
    sigmix_sal_shard_parse_begin(&ps, h, set, len, why, whylen);
    const char *p = buf, *end = buf + len, *nl;
    int r;
    for (; p < end && (nl = memchr(p, '\n', (size_t)(end - p))); p = nl + 1)
        if ((r = sigmix_sal_shard_parse_line(&ps, p, (size_t)(nl - p))))
            return r;
    return sigmix_sal_shard_parse_end(&ps, (size_t)(end - p));
}

static int cmp_result(const void *a, const void *b)
{
    const sal_result *x = a, *y = b;
    int c = memcmp(x->key, y->key, sizeof x->key);
    return c ? c : (x->shard > y->shard) - (x->shard < y->shard);
}

/* In (key, shard) order: a file written by sigmix always is. */
static void sort_part(sigmix_saliency_shard_set *set)
{
    for (size_t i = 1; i < set->n; i++)
        if (cmp_result(&set->r[i - 1], &set->r[i]) > 0) {
            qsort(set->r, set->n, sizeof *set->r, cmp_result);
            return;
        }
}

#define NBUCKETS 65536u

/* Below this a bsearch is as quick as the index costs to build. */
#define INDEX_MIN 4096

/* After sorting: the first adjacent pair with one key (the smallest key
 * held twice, its two lowest shards), then the bucket index. */
static int finish_sorted(sigmix_saliency_shard_set *set, int *dup_a, int *dup_b)
{
    for (size_t i = 1; i < set->n; i++)
        if (!memcmp(set->r[i - 1].key, set->r[i].key, sizeof set->r[i].key)) {
            *dup_a = set->r[i - 1].shard;
            *dup_b = set->r[i].shard;
            return SIGMIX_EFORMAT;
        }
    /* Without memory for the index, lookups bsearch the whole set. */
    if (set->n >= INDEX_MIN && set->n < UINT32_MAX
        && (set->idx = malloc((NBUCKETS + 1) * sizeof *set->idx))) {
        size_t j = 0;
        for (size_t i = 0; i < set->n; i++)
            for (size_t p = (size_t)set->r[i].key[0] << 8 | set->r[i].key[1]; j <= p; j++)
                set->idx[j] = (uint32_t)i;
        for (; j <= NBUCKETS; j++)
            set->idx[j] = (uint32_t)set->n;
    }
    return 0;
}

int sigmix_sal_shard_set_finish(sigmix_saliency_shard_set *set, int *dup_a, int *dup_b)
{
    drop_index(set);
    sort_part(set);
    return finish_sorted(set, dup_a, dup_b);
}

/* A min-heap of part indices by their next result. */
typedef struct heap {
    size_t *h, n;
    sigmix_saliency_shard_set *parts;
    size_t *pos; /* next result of each part */
} heap;

static int heap_less(const heap *hp, size_t a, size_t b)
{
    return cmp_result(&hp->parts[a].r[hp->pos[a]], &hp->parts[b].r[hp->pos[b]]) < 0;
}

static void heap_down(heap *hp, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < hp->n && heap_less(hp, hp->h[l], hp->h[m]))
            m = l;
        if (l + 1 < hp->n && heap_less(hp, hp->h[l + 1], hp->h[m]))
            m = l + 1;
        if (m == i)
            return;
        size_t t = hp->h[i];
        hp->h[i] = hp->h[m];
        hp->h[m] = t;
        i = m;
    }
}

int sigmix_sal_shard_set_merge(sigmix_saliency_shard_set *dst, sigmix_saliency_shard_set *parts,
                               size_t nparts, int *dup_a, int *dup_b)
{
    size_t total = 0, live = 0;
    for (size_t i = 0; i < nparts; i++) {
        if (parts[i].n > SIZE_MAX / sizeof *dst->r - total)
            return SIGMIX_ENOMEM;
        total += parts[i].n;
        live += parts[i].n > 0;
    }
    drop_index(dst);
    sal_result *out = malloc((total ? total : 1) * sizeof *out);
    heap hp = { malloc((live ? live : 1) * sizeof *hp.h), 0, parts,
                calloc(nparts ? nparts : 1, sizeof *hp.pos) };
    if (!out || !hp.h || !hp.pos) {
        free(out);
        free(hp.h);
        free(hp.pos);
        return SIGMIX_ENOMEM;
    }
    sigmix_prefault(out, total * sizeof *out);
    for (size_t i = 0; i < nparts; i++) {
        sort_part(&parts[i]);
        if (parts[i].n)
            hp.h[hp.n++] = i;
    }
    for (size_t i = hp.n / 2; i-- > 0;)
        heap_down(&hp, i);
    size_t k = 0;
    while (hp.n) {
        size_t p = hp.h[0];
        out[k++] = parts[p].r[hp.pos[p]++];
        if (hp.pos[p] == parts[p].n)
            hp.h[0] = hp.h[--hp.n];
        heap_down(&hp, 0);
    }
    /* Every result (and message) now belongs to dst. */
    for (size_t i = 0; i < nparts; i++) {
        free(parts[i].r);
        drop_index(&parts[i]);
        parts[i].r = NULL;
        parts[i].n = parts[i].cap = 0;
    }
    free(hp.h);
    free(hp.pos);
    free(dst->r);
    dst->r = out;
    dst->n = dst->cap = total;
    return finish_sorted(dst, dup_a, dup_b);
}

const sal_result *sigmix_sal_shard_find(const sigmix_saliency_shard_set *set, const char *key)
{
    unsigned char k[32];
    if (!set || !key || strnlen(key, 65) != 64)
        return NULL;
    for (int i = 0; i < 32; i++) { /* every key held is lowercase hex */
        int hi = hexdigit(key[2 * i]), lo = hexdigit(key[2 * i + 1]);
        if ((hi | lo) < 0)
            return NULL;
        k[i] = (unsigned char)(hi << 4 | lo);
    }
    size_t lo = 0, hi = set->n;
    if (set->idx) {
        size_t b = (size_t)k[0] << 8 | k[1];
        lo = set->idx[b];
        hi = set->idx[b + 1];
    }
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cm = memcmp(set->r[mid].key, k, sizeof k);
        if (!cm)
            return &set->r[mid];
        if (cm < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

void sigmix_sal_shard_set_free(sigmix_saliency_shard_set *set)
{
    for (size_t i = 0; i < set->n; i++)
        free(set->r[i].msg);
    free(set->r);
    free(set->seen);
    free(set->idx);
    memset(set, 0, sizeof *set);
}
