/* JSON row objects -> column builder, through the simdjson shim. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "table/jsonrow.h"
#include "table/textread.h"
#include "util/error.h"

int sigmix_jworker_init(sigmix_jworker *w)
{
    memset(w, 0, sizeof *w);
    w->sj = sigmix_sj_new();
    if (!w->sj)
        return SIGMIX_ENOMEM;
    sigmix_sj_set_sink(w->sj, &w->sink);
    return 0;
}

void sigmix_jworker_free(sigmix_jworker *w)
{
    sigmix_sj_free(w->sj);
    free(w->pred);
    memset(w, 0, sizeof *w);
}

const char *sigmix_jrow_message(int st)
{
    switch (st) {
    case SIGMIX_SJ_UNTERMINATED: return "unterminated string";
    case SIGMIX_SJ_BAD_UTF8:     return "invalid UTF-8";
    case SIGMIX_SJ_TOO_DEEP:     return "nesting deeper than 64 levels";
    case SIGMIX_SJ_TRUNCATED:    return "truncated JSON: an object or list is not closed";
    case SIGMIX_SJ_TRAILING:     return "unexpected text after the row object";
    case SIGMIX_SJ_BAD_NUMBER:   return "malformed number";
    case SIGMIX_SJ_BAD_STRING:   return "malformed string escape";
    case SIGMIX_SJ_NOMEM:        return "out of memory";
    case SIGMIX_SJ_EMPTY:        return "no JSON value";
    default:                     return "malformed JSON";
    }
}

static int cb_fail(sigmix_jworker *w, int code, const char *msg)
{
    w->cb_error = code;
    snprintf(w->cb_msg, sizeof w->cb_msg, "%s", msg);
    return code;
}

/*
 * Key -> column, for a key the shim did not predict (simdjson_shim.h:
 * it compares each raw key with the column at the same position in the
 * previous row); the hash lookup, and the prediction for the next row.
 */
static long on_key(void *ctx, const char *key, size_t len)
{
    sigmix_jworker *w = ctx;
    sigmix_cb_seg *s = w->seg;
    if (len == SIGMIX_SJ_RAW_KEY) /* no sink (sigmix_jpool_general) */
        return SIGMIX_SJ_NEED_KEY;
    size_t pos = w->sink.field++;
    if (memchr(key, 0, len))
        return cb_fail(w, SIGMIX_EFORMAT, "column name contains a NUL character"), -2;
    long c = sigmix_cb_column(s, key, len);
    if (c < 0)
        return cb_fail(w, SIGMIX_ENOMEM, "out of memory"), -2;
    if (pos >= w->predcap) {
        size_t cap = w->predcap ? w->predcap * 2 : 64;
        long *p = realloc(w->pred, cap * sizeof *p);
        if (!p)
            return cb_fail(w, SIGMIX_ENOMEM, "out of memory"), -2;
        w->pred = p;
        w->predcap = cap;
        w->sink.pred = p;
    }
    w->pred[pos] = c;
    if (pos >= w->sink.npred)
        w->sink.npred = pos + 1;
    return s->cols[c].skip ? -1 : c;
}

static int on_value(void *ctx, long h, const sigmix_sj_value *v)
{
    sigmix_jworker *w = ctx;
    switch (v->type) {
    case SIGMIX_SJ_DOUBLE: sigmix_cb_set_double(w->seg, (size_t)h, v->d); return 0;
    case SIGMIX_SJ_INT:    sigmix_cb_set_int(w->seg, (size_t)h, v->i); return 0;
    case SIGMIX_SJ_BOOL:   sigmix_cb_set_bool(w->seg, (size_t)h, (int)v->i); return 0;
    case SIGMIX_SJ_NULL:   sigmix_cb_set_null(w->seg, (size_t)h); return 0;
    default:
        if (sigmix_cb_set_text(w->seg, (size_t)h, v->type == SIGMIX_SJ_STRING ?
                               SIGMIX_CB_STRING : SIGMIX_CB_NESTED, v->s, v->len))
            return cb_fail(w, SIGMIX_ENOMEM, "out of memory");
        return 0;
    }
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static long hex4(const char *s, size_t n, size_t i)
{
    long v = 0;
    if (n - i < 4)
        return -1;
    for (int k = 0; k < 4; k++) {
        int h = hexval(s[i + (size_t)k]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

size_t sigmix_json_unescape(const char *s, size_t n, char *out, size_t cap)
{
    size_t o = 0;
#define PUT(ch) do { if (o >= cap) return (size_t)-1; out[o++] = (char)(ch); } while (0)
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '\\') {
            PUT(s[i]);
            continue;
        }
        if (++i >= n)
            return (size_t)-1;
        switch (s[i]) {
        case '"': case '\\': case '/': PUT(s[i]); break;
        case 'b': PUT('\b'); break;
        case 'f': PUT('\f'); break;
        case 'n': PUT('\n'); break;
        case 'r': PUT('\r'); break;
        case 't': PUT('\t'); break;
        case 'u': {
            long u = hex4(s, n, i + 1);
            if (u < 0)
                return (size_t)-1;
            i += 4;
            if (u >= 0xD800 && u < 0xDC00) { /* a surrogate pair */
                long lo = i + 2 < n && s[i + 1] == '\\' && s[i + 2] == 'u' ? hex4(s, n, i + 3) : -1;
                if (lo < 0xDC00 || lo > 0xDFFF)
                    return (size_t)-1;
                u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                i += 6;
            } else if (u >= 0xDC00 && u < 0xE000) {
                return (size_t)-1;
            }
            if (u < 0x80) {
                PUT(u);
            } else if (u < 0x800) {
                PUT(0xC0 | (u >> 6));
                PUT(0x80 | (u & 0x3F));
            } else if (u < 0x10000) {
                PUT(0xE0 | (u >> 12));
                PUT(0x80 | ((u >> 6) & 0x3F));
                PUT(0x80 | (u & 0x3F));
            } else {
                PUT(0xF0 | (u >> 18));
                PUT(0x80 | ((u >> 12) & 0x3F));
                PUT(0x80 | ((u >> 6) & 0x3F));
                PUT(0x80 | (u & 0x3F));
            }
            break;
        }
        default:
            return (size_t)-1;
        }
    }
#undef PUT
    return o;
}

int sigmix_json_key_is(const char *q, size_t n, const char *want)
{
    char buf[64];
    size_t w = strlen(want);
    if (n < 2 || q[0] != '"' || q[n - 1] != '"' || w >= sizeof buf)
        return 0;
    if (!memchr(q + 1, '\\', n - 2))
        return n - 2 == w && !memcmp(q + 1, want, w);
    size_t len = sigmix_json_unescape(q + 1, n - 2, buf, sizeof buf);
    return len == w && !memcmp(buf, want, w);
}

size_t sigmix_json_value_end(const char *b, size_t p, size_t have)
{
    int depth = 0;
    size_t i = p;
    while (i < have) {
        char c = b[i];
        if (c == '"') {
            for (i++; i < have && b[i] != '"'; i += b[i] == '\\' ? 2 : 1)
                ;
            if (i >= have)
                return 0;
            if (++i, depth == 0)
                return i;
        } else if (c == '{' || c == '[') {
            if (++depth > SIGMIX_SJ_MAX_DEPTH)
                return (size_t)-1;
            i++;
        } else if (c == '}' || c == ']') {
            if (depth == 0)
                return i;
            i++;
            if (--depth == 0)
                return i;
        } else if (depth == 0 && (c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r')) {
            return i;
        } else {
            i++;
        }
    }
    return 0;
}

/* simdjson reports text after a row object as an unclosed object; tell
 * the two apart by finding where the object really ends. */
static int refine_truncated(const char *p, size_t len, size_t *where)
{
    size_t e = sigmix_json_value_end(p, 0, len);
    if (!e || e == (size_t)-1 || e >= len)
        return SIGMIX_SJ_TRUNCATED;
    for (size_t i = e; i < len; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r') {
            *where = i;
            return SIGMIX_SJ_TRAILING;
        }
    return SIGMIX_SJ_TRUNCATED;
}

/* Parse one row into a new row of the segment. 0 or a shim status. */
static int parse_row(sigmix_jworker *w, const char *p, size_t len, size_t cap,
                     size_t *where, const char **found)
{
    if (sigmix_cb_begin_row(w->seg))
        return cb_fail(w, SIGMIX_ENOMEM, "out of memory"), SIGMIX_SJ_CALLBACK;
    w->sink.seg = w->seg;
    w->sink.field = 0;
    w->sink.limit = p + cap;
    int st = sigmix_sj_parse_row(w->sj, p, len, cap, on_key, on_value, w, where, found);
    return st == SIGMIX_SJ_TRUNCATED ? refine_truncated(p, len, where) : st;
}

static void fail(sigmix_jworker *w, int st, const char *found, size_t off)
{
    w->err_off = off;
    if (st == SIGMIX_SJ_CALLBACK) {
        w->err = w->cb_error;
        snprintf(w->msg, sizeof w->msg, "%s", w->cb_msg);
    } else if (st == SIGMIX_SJ_NOT_OBJECT) {
        w->err = SIGMIX_EFORMAT;
        snprintf(w->msg, sizeof w->msg, "not a JSON object (found %s)", found);
    } else {
        w->err = st == SIGMIX_SJ_NOMEM ? SIGMIX_ENOMEM : SIGMIX_EFORMAT;
        snprintf(w->msg, sizeof w->msg, "%s", sigmix_jrow_message(st));
    }
}

static int is_blank(char c)
{
    return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && \
    (defined(__GNUC__) || defined(__clang__))
#define ONES 0x0101010101010101ull
#define LOW7 0x7f7f7f7f7f7f7f7full
/* 0x80 in each byte of w equal to c, 0 elsewhere (exact, no carries). */
static uint64_t bytes_eq(uint64_t w, unsigned char c)
{
    uint64_t t = w ^ (ONES * c);
    return ~(((t & LOW7) + LOW7) | t | LOW7);
}
#define SWAR_BLANKS 1
#endif

const char *sigmix_skip_blanks(const char *p, const char *end, size_t *lines,
                               const char **line_start)
{
    size_t n = 0;
    const char *ls = p;
#ifdef SWAR_BLANKS
    /* blank-line runs (decompression bombs, padding) at memory speed */
    while (end - p >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        uint64_t lf = bytes_eq(w, '\n');
        uint64_t b = lf | bytes_eq(w, ' ') | bytes_eq(w, '\t') | bytes_eq(w, '\r');
        if (b != ONES * 0x80) { /* a byte that is not blank: stop before it */
            uint64_t keep = (((~b & ONES * 0x80) & -(~b & ONES * 0x80)) - 1);
            lf &= keep;
            end = p + (__builtin_ctzll(~b & ONES * 0x80) >> 3);
        }
        if (lf) {
            n += (size_t)__builtin_popcountll(lf);
            ls = p + ((63 - __builtin_clzll(lf)) >> 3) + 1;
        }
        if (b != ONES * 0x80) {
            *lines = n;
            *line_start = ls;
            return end;
        }
        p += 8;
    }
#endif
    for (; p < end && is_blank(*p); p++)
        if (*p == '\n') {
            n++;
            ls = p + 1;
        }
    *lines = n;
    *line_start = ls;
    return p;
}

static int blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
            return 0;
    return 1;
}

/* JSON Lines job: every line of buf[0..len); blank lines are skipped. */
static void run_lines(sigmix_jworker *w)
{
    const char *p = w->buf, *end = w->buf + w->len;
    while (p < end) {
        if (is_blank(*p)) { /* whole blank lines go by in one step */
            size_t k;
            const char *q = sigmix_skip_blanks(p, end, &k, &p);
            w->lines += k;
            if (q == end && p < end) { /* blanks to the end, no LF: one more line */
                w->lines++;
                break;
            }
            if (p == end)
                break;
        }
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = (size_t)((nl ? nl : end) - p);
        if (n && !blank(p, n)) {
            size_t where = 0;
            const char *found = "";
            int st = parse_row(w, p, n, w->cap - (size_t)(p - w->buf), &where, &found);
            if (st) {
                fail(w, st, found, (size_t)(p - w->buf) + where);
                return;
            }
        }
        w->lines++;
        p += n + 1;
    }
}

/* JSON job: each span is one row object. */
static void run_spans(sigmix_jworker *w)
{
    for (size_t i = 0; i < w->nspans; i++) {
        const sigmix_jspan *s = &w->spans[i];
        size_t where = 0;
        const char *found = "";
        int st = parse_row(w, w->buf + s->off, s->len, w->cap - s->off, &where, &found);
        if (st) {
            fail(w, st, found, s->off + where);
            return;
        }
        w->lines++;
    }
}

static void *run(void *arg)
{
    sigmix_jworker *w = arg;
    w->err = 0;
    w->lines = 0;
    w->sink.npred = 0; /* predictions index the previous segment's columns */
    if (w->spans)
        run_spans(w);
    else
        run_lines(w);
    return NULL;
}

typedef struct jqueue {
    sigmix_jworker *w;
    size_t          n;
    size_t          next; /* atomic: the next job to take */
} jqueue;

static void *take_jobs(void *arg)
{
    jqueue *q = arg;
    size_t i;
    while ((i = __atomic_fetch_add(&q->next, 1, __ATOMIC_RELAXED)) < q->n)
        run(&q->w[i]);
    return NULL;
}

void sigmix_jworkers_run(sigmix_jworker *w, size_t n, size_t threads, void (*side)(void *),
                         void *side_ctx)
{
    pthread_t th[SIGMIX_JWORKERS_MAX];
    int started[SIGMIX_JWORKERS_MAX] = { 0 };
    jqueue q = { w, n, 0 };
    size_t t = threads < n ? threads : n;
    if (t > SIGMIX_JWORKERS_MAX)
        t = SIGMIX_JWORKERS_MAX;
    /* helpers besides this thread; one at least while it does the side task */
    size_t helpers = t > 1 ? t - 1 : side && n ? 1 : 0;
    for (size_t i = 0; i < helpers; i++)
        started[i] = !pthread_create(&th[i], NULL, take_jobs, &q);
    if (side)
        side(side_ctx);
    take_jobs(&q); /* also whatever a helper that failed to start would have taken */
    for (size_t i = 0; i < helpers; i++)
        if (started[i])
            pthread_join(th[i], NULL);
}

int sigmix_jpool_init(sigmix_jpool *p, const sigmix_read_options *o, size_t sets,
                      sigmix_error *err)
{
    int r = 0;
    p->threads = sigmix_text_threads(o);
    p->nw = p->threads > 1 ? p->threads * SIGMIX_JJOBS_PER_THREAD : 1;
    p->sets = sets == 2 ? 2 : 1;
    p->seg = calloc(p->sets * p->nw, sizeof *p->seg);
    p->w = calloc(p->sets * p->nw, sizeof *p->w);
    if (!p->seg || !p->w) {
        free(p->seg);
        free(p->w);
        p->seg = NULL;
        p->w = NULL;
        p->nw = 0;
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < p->sets * p->nw; i++) {
        sigmix_cb_seg_init(&p->seg[i], o->columns, o->columns ? o->ncolumns : 0);
        if (!r && sigmix_jworker_init(&p->w[i]))
            r = sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
        p->w[i].seg = &p->seg[i];
    }
    return r;
}

void sigmix_jpool_general(sigmix_jpool *p)
{
    for (size_t i = 0; i < p->sets * p->nw; i++)
        if (p->w[i].sj)
            sigmix_sj_set_sink(p->w[i].sj, NULL);
}

void sigmix_jpool_free(sigmix_jpool *p)
{
    for (size_t i = 0; p->w && i < p->sets * p->nw; i++) {
        sigmix_jworker_free(&p->w[i]);
        sigmix_cb_seg_free(&p->seg[i]);
    }
    free(p->w);
    free(p->seg);
    p->w = NULL;
    p->seg = NULL;
}
