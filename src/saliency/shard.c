/*
 * Sharding: the clip -> shard function, the shard file lines, their strict
 * parser and the configuration hash that tells whether shards may be
 * merged. See shard.h for the file format.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/pixdesc.h>
#include <nettle/sha2.h>

#include "saliency/internal.h"
#include "saliency/shard.h"
#include "sigmix/shard.h"
#include "util/error.h"
#include "util/jsonw.h"

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

static int hexfloat(cur *c, double *out)
{
    if (lit(c, "\""))
        return -1;
    const char *q = memchr(c->p, '"', (size_t)(c->end - c->p));
    if (!q || q - c->p > 40 || q == c->p)
        return -1;
    char tmp[48];
    memcpy(tmp, c->p, (size_t)(q - c->p));
    tmp[q - c->p] = '\0';
    char *e;
    errno = 0;
    *out = strtod(tmp, &e);
    if (*e || errno == ERANGE || !isfinite(*out))
        return -1;
    c->p = q + 1;
    return 0;
}

/* A JSON string as sigmix_json_quote writes it; *out malloc'd. */
static int jstring(cur *c, char **out)
{
    if (lit(c, "\""))
        return -1;
    char *s = malloc((size_t)(c->end - c->p) + 1);
    size_t n = 0;
    if (!s)
        return -1;
    while (c->p < c->end && *c->p != '"') {
        unsigned char ch = (unsigned char)*c->p++;
        if (ch < 0x20) {
            free(s);
            return -1;
        }
        if (ch != '\\') {
            s[n++] = (char)ch;
            continue;
        }
        if (c->p >= c->end)
            break;
        char e = *c->p++;
        switch (e) {
        case '"': s[n++] = '"'; break;
        case '\\': s[n++] = '\\'; break;
        case '/': s[n++] = '/'; break;
        case 'n': s[n++] = '\n'; break;
        case 'r': s[n++] = '\r'; break;
        case 't': s[n++] = '\t'; break;
        case 'b': s[n++] = '\b'; break;
        case 'f': s[n++] = '\f'; break;
        case 'u': { /* only the control characters the writer escapes */
            unsigned v = 0;
            for (int i = 0; i < 4; i++) {
                char h = c->p < c->end ? *c->p++ : 'x';
                int d = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10
                      : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
                if (d < 0) {
                    free(s);
                    return -1;
                }
                v = v << 4 | (unsigned)d;
            }
            if (v == 0 || (v >= 0x20 && v != 0x7f)) {
                free(s);
                return -1;
            }
            s[n++] = (char)v;
            break;
        }
        default:
            free(s);
            return -1;
        }
    }
    if (c->p >= c->end) {
        free(s);
        return -1;
    }
    c->p++; /* closing quote */
    s[n] = '\0';
    *out = s;
    return 0;
}

/* The rest of a clip line: ,"source":"..","width":W,"height":H} */
static int clip_tail(cur *c)
{
    char *src = NULL;
    long long v;
    if (lit(c, ",\"source\":") || jstring(c, &src))
        return -1;
    free(src);
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
    char *mid = NULL;
    if (jstring(c, &mid))
        return -1;
    free(mid);
    if (lit(c, "}") || c->p != c->end || n < 1 || k >= n)
        return -1;
    h->k = (int)k;
    h->n = (int)n;
    h->clips = (size_t)clips;
    return 0;
}

static int status_of(const char *name)
{
    for (int i = SIGMIX_SAL_MISSING_GEOMETRY; i < SIGMIX_SAL_NSTATUS; i++)
        if (!strcmp(name, sigmix_saliency_status_name(i)))
            return i;
    return -1;
}

static int parse_clip(cur *c, sal_result *r)
{
    memset(r, 0, sizeof *r);
    if (lit(c, "{\"key\":") || hex64(c, r->key, 0))
        return -1;
    if (!lit(c, ",\"mean\":")) {
        if (hexfloat(c, &r->mean) || lit(c, ",\"var\":") || hexfloat(c, &r->var))
            return -1;
        r->status = SIGMIX_SAL_OK;
        return clip_tail(c);
    }
    char *st = NULL;
    if (lit(c, ",\"status\":") || jstring(c, &st))
        return -1;
    r->status = status_of(st);
    free(st);
    if (r->status < 0 || lit(c, ",\"message\":") || jstring(c, &r->msg))
        return -1;
    if (clip_tail(c)) {
        free(r->msg);
        r->msg = NULL;
        return -1;
    }
    return 0;
}

static int set_push(sigmix_saliency_shard_set *set, const sal_result *r)
{
    if (set->n == set->cap) {
        size_t nc = set->cap ? 2 * set->cap : 256;
        sal_result *nr = realloc(set->r, nc * sizeof *nr);
        if (!nr)
            return -1;
        set->r = nr;
        set->cap = nc;
    }
    set->r[set->n++] = *r;
    return 0;
}

int sigmix_sal_shard_parse(const char *buf, size_t len, sal_shard_header *h,
                           sigmix_saliency_shard_set *set, char *why, size_t whylen)
{
    const char *p = buf, *end = buf + len;
    size_t line = 0, clips = 0, first = set->n;
    memset(h, 0, sizeof *h);
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        line++;
        if (!nl) {
            snprintf(why, whylen, "line %zu: cut short (no newline)", line);
            goto bad;
        }
        cur c = { p, nl };
        if (line == 1) {
            if (parse_header(&c, h)) {
                snprintf(why, whylen, "line 1: not a sigmix saliency shard header");
                goto bad;
            }
        } else {
            sal_result r;
            if (parse_clip(&c, &r)) {
                snprintf(why, whylen, "line %zu: not a shard result line", line);
                goto bad;
            }
            r.shard = h->k;
            if (set_push(set, &r)) {
                free(r.msg);
                snprintf(why, whylen, "out of memory");
                goto oom;
            }
            clips++;
        }
        p = nl + 1;
    }
    if (line == 0) {
        snprintf(why, whylen, "empty file");
        goto bad;
    }
    if (clips != h->clips) {
        snprintf(why, whylen, "%zu clip lines, the header says %zu", clips, h->clips);
        goto bad;
    }
    return 0;
bad:
    for (size_t i = first; i < set->n; i++)
        free(set->r[i].msg);
    set->n = first;
    return SIGMIX_EFORMAT;
oom:
    for (size_t i = first; i < set->n; i++)
        free(set->r[i].msg);
    set->n = first;
    return SIGMIX_ENOMEM;
}

static int cmp_result(const void *a, const void *b)
{
    const sal_result *x = a, *y = b;
    int c = memcmp(x->key, y->key, 64); /* keys are 64 hex digits, checked */
    return c ? c : (x->shard > y->shard) - (x->shard < y->shard);
}

int sigmix_sal_shard_set_finish(sigmix_saliency_shard_set *set, int *dup_a, int *dup_b)
{
    if (set->n > 1)
        qsort(set->r, set->n, sizeof *set->r, cmp_result);
    for (size_t i = 1; i < set->n; i++)
        if (!memcmp(set->r[i - 1].key, set->r[i].key, 64)) {
            *dup_a = set->r[i - 1].shard;
            *dup_b = set->r[i].shard;
            return SIGMIX_EFORMAT;
        }
    return 0;
}

const sal_result *sigmix_sal_shard_find(const sigmix_saliency_shard_set *set, const char *key)
{
    size_t lo = 0, hi = set && strnlen(key, 65) == 64 ? set->n : 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = memcmp(set->r[mid].key, key, 64);
        if (!c)
            return &set->r[mid];
        if (c < 0)
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
    memset(set, 0, sizeof *set);
}
