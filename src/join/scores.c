/*
 * Score files of external NR/MOS scorers: JSON Lines (one payload a line),
 * or one JSON document holding a list of payloads, {"rows": [...]},
 * {"results": [...]}, or a single bare payload. Each payload yields one
 * record: competitor, key, score (a scalar or the mean of frames[]),
 * status, runtime and frame count, with upstream's candidate lists.
 *
 * Parsing goes through the simdjson shim one payload at a time; nested
 * values (summary, frames) arrive as minified text and are parsed again.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nettle/sha2.h>

#include "join/internal.h"
#include "table/jsonrow.h"
#include "table/simdjson_shim.h"
#include "util/error.h"
#include "util/jsonw.h"
#include "util/sha256.h"

static const char *const KEY_CANDIDATES[] = {
    "clip_id", "video_id", "chug_video_id", "content_id", "file_name", "filename",
    "basename", "name", "distorted_path", "dis_path", "path", NULL,
};
static const char *const SCORE_CANDIDATES[] = {
    "score", "mos", "predicted_mos", "predicted_vmaf_or_mos", "quality", "vmaf", NULL,
};
static const char *const RUNTIME_CANDIDATES[] = {
    "runtime_ms", "runtime_total_ms", "elapsed_ms", NULL,
};

static size_t stash(jobj *o, const char *s, size_t n)
{
    if (o->blen + n + 1 > o->bcap) {
        size_t nc = o->bcap ? o->bcap : 256;
        while (nc < o->blen + n + 1)
            nc *= 2;
        char *nb = realloc(o->buf, nc);
        if (!nb) {
            o->oom = 1;
            return 0;
        }
        o->buf = nb;
        o->bcap = nc;
    }
    size_t off = o->blen;
    memcpy(o->buf + off, s, n);
    o->buf[off + n] = '\0';
    o->blen += n + 1;
    return off;
}

static int eq_ci(const char *a, size_t an, const char *b);
static const char *const *const LISTS[3] = { KEY_CANDIDATES, SCORE_CANDIDATES, RUNTIME_CANDIDATES };

/* Which candidate each key is, worked out once per field. */
static void classify(jfield *f, const char *key, size_t len)
{
    /* Candidates are lowercase ASCII: a key whose first byte, folded,
     * differs cannot match one (folding with 0x20 yields a-z only from
     * A-Z and a-z), so most comparisons end here, not in eq_ci. */
    char k0 = len ? (char)(key[0] | 0x20) : 0;
    for (int l = 0; l < 3; l++) {
        f->cand[l] = -1;
        for (int c = 0; LISTS[l][c]; c++)
            if (LISTS[l][c][0] == k0 && eq_ci(key, len, LISTS[l][c])) {
                f->cand[l] = (signed char)c;
                break;
            }
    }
}

/* classify, remembered by field position (see jobj.memo). */
static void classify_memo(jobj *o, jfield *f, const char *key, size_t len)
{
    const size_t nm = sizeof o->memo / sizeof o->memo[0];
    struct jmemo *m = o->n < nm ? &o->memo[o->n] : NULL;
    if (m && m->len1 == len + 1 && !memcmp(m->key, key, len)) {
        memcpy(f->cand, m->cand, sizeof f->cand);
        return;
    }
    classify(f, key, len);
    if (m && len < sizeof m->key) {
        memcpy(m->key, key, len);
        m->len1 = (unsigned char)(len + 1);
        memcpy(m->cand, f->cand, sizeof m->cand);
    }
}

static long on_key(void *ctx, const char *key, size_t len)
{
    jobj *o = ctx;
    if (len == SIGMIX_SJ_RAW_KEY) {
        /* Most keys have no escapes: take them as they stand. */
        size_t n = 0;
        while (key + n < o->limit && key[n] != '"' && key[n] != '\\')
            n++;
        if (key + n >= o->limit || key[n] == '\\')
            return SIGMIX_SJ_NEED_KEY;
        len = n;
    }
    if (o->n == o->cap) {
        size_t nc = o->cap ? o->cap * 2 : 16;
        jfield *nf = realloc(o->f, nc * sizeof *nf);
        if (!nf) {
            o->oom = 1;
            return -2;
        }
        o->f = nf;
        o->cap = nc;
    }
    jfield *f = &o->f[o->n];
    memset(f, 0, sizeof *f);
    f->koff = stash(o, key, len);
    f->klen = len;
    classify_memo(o, f, key, len);
    return o->oom ? -2 : (long)o->n++;
}

static int on_value(void *ctx, long h, const sigmix_sj_value *v)
{
    jobj *o = ctx;
    jfield *f = &o->f[h];
    f->type = v->type;
    f->i = v->i;
    f->d = v->d;
    if (v->type == SIGMIX_SJ_STRING || v->type == SIGMIX_SJ_NESTED) {
        f->soff = stash(o, v->s, v->len);
        f->slen = v->len;
    }
    return o->oom;
}

#define KEY(o, f) SIGMIX_JKEY(o, f)
#define STR(o, f) SIGMIX_JSTR(o, f)

/* Parse p[0..len) (readable to p + cap) as one object into o. */
static int parse_obj(sigmix_sj *sj, jobj *o, const char *p, size_t len, size_t cap,
                     const char **found)
{
    size_t where = 0;
    o->n = 0;
    o->blen = 0;
    o->oom = 0;
    o->limit = p + len;
    *found = "";
    int st = sigmix_sj_parse_row(sj, p, len, cap, on_key, on_value, o, &where, found);
    if (o->oom)
        return SIGMIX_SJ_NOMEM;
    return st;
}

/* Parse text that lacks simdjson's padding (nested values). */
static int parse_text(sigmix_sj *sj, jobj *o, const char *s, size_t n, const char **found)
{
    char *tmp = malloc(n + SIGMIX_SJ_PADDING);
    if (!tmp)
        return SIGMIX_SJ_NOMEM;
    memcpy(tmp, s, n);
    memset(tmp + n, 0, SIGMIX_SJ_PADDING);
    int st = parse_obj(sj, o, tmp, n, n + SIGMIX_SJ_PADDING, found);
    /* strings were copied into o->buf; tmp is no longer needed */
    free(tmp);
    return st;
}

/* Exact-name lookup; the last duplicate wins, as in a Python dict. */
static const jfield *get(const jobj *o, const char *name)
{
    size_t n = strlen(name);
    const jfield *hit = NULL;
    for (size_t i = 0; i < o->n; i++)
        if (o->f[i].klen == n && !memcmp(KEY(o, &o->f[i]), name, n))
            hit = &o->f[i];
    return hit;
}

static int eq_ci(const char *a, size_t an, const char *b)
{
    size_t i = 0;
    for (; i < an && b[i]; i++) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = (char)(x + 32);
        if (y >= 'A' && y <= 'Z') y = (char)(y + 32);
        if (x != y)
            return 0;
    }
    return i == an && !b[i];
}

/* upstream's _find_ci: the first candidate present (any case) decides,
 * even when its value is null; among equal spellings the last wins. */
static const jfield *find_ci(const jobj *o, const char *const *cands)
{
    int l = cands == KEY_CANDIDATES ? 0 : cands == SCORE_CANDIDATES ? 1 : 2;
    const jfield *hit = NULL;
    for (size_t i = 0; i < o->n; i++) {
        int c = o->f[i].cand[l];
        if (c >= 0 && (!hit || c <= hit->cand[l]))
            hit = &o->f[i];
    }
    return hit;
}

/* float(value) as upstream accepts it: numbers and numeric text. */
static int as_float(const jobj *o, const jfield *f, const char *what, double *out,
                    char *msg, size_t msgn)
{
    double v;
    if (f->type == SIGMIX_SJ_DOUBLE || f->type == SIGMIX_SJ_INT) {
        v = f->type == SIGMIX_SJ_INT ? (double)f->i : f->d;
    } else if (f->type == SIGMIX_SJ_STRING) {
        const char *s = STR(o, f);
        size_t n = f->slen;
        sigmix_join_strip(&s, &n);
        char tmp[64];
        char *end = NULL;
        if (!n || n >= sizeof tmp || memchr(s, 'x', n) || memchr(s, 'X', n))
            goto bad;
        memcpy(tmp, s, n);
        tmp[n] = '\0';
        errno = 0;
        v = strtod(tmp, &end);
        if (*end)
            goto bad;
    } else {
        goto bad;
    }
    if (!isfinite(v)) {
        snprintf(msg, msgn, "%s must be finite", what);
        return -1;
    }
    *out = v;
    return 0;
bad:
    snprintf(msg, msgn, "%s must be numeric", what);
    return -1;
}

/* Python truthiness of a field, for `rows or results`. */
static int truthy(const jobj *o, const jfield *f)
{
    if (!f)
        return 0;
    switch (f->type) {
    case SIGMIX_SJ_NULL: return 0;
    case SIGMIX_SJ_BOOL:
    case SIGMIX_SJ_INT: return f->i != 0;
    case SIGMIX_SJ_DOUBLE: return f->d != 0;
    case SIGMIX_SJ_STRING: return f->slen > 0;
    default: return !(f->slen == 2 && (!memcmp(STR(o, f), "[]", 2) || !memcmp(STR(o, f), "{}", 2)));
    }
}

/* Cut a JSON array's text (already validated) into element spans. */
static int split_array(const char *s, size_t n, size_t **off, size_t **len, size_t *count)
{
    size_t cap = 0, k = 0, i = 0;
    *off = *len = NULL;
    while (i < n && s[i] != '[')
        i++;
    i++;
    int depth = 0;
    size_t start = SIZE_MAX;
    for (; i < n; i++) {
        char c = s[i];
        if (c == '"') {
            if (start == SIZE_MAX)
                start = i;
            for (i++; i < n && s[i] != '"'; i++)
                if (s[i] == '\\')
                    i++;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
            continue;
        if (depth == 0 && (c == ',' || c == ']')) {
            if (start != SIZE_MAX) {
                if (k == cap) {
                    size_t nc = cap ? cap * 2 : 64;
                    size_t *no = realloc(*off, nc * sizeof *no), *nl;
                    if (!no)
                        return -1;
                    *off = no;
                    nl = realloc(*len, nc * sizeof *nl);
                    if (!nl)
                        return -1;
                    *len = nl;
                    cap = nc;
                }
                size_t e = i;
                while (e > start && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\n'
                                     || s[e - 1] == '\r'))
                    e--;
                (*off)[k] = start;
                (*len)[k] = e - start;
                k++;
            }
            start = SIZE_MAX;
            if (c == ']')
                break;
            continue;
        }
        if (start == SIZE_MAX)
            start = i;
        if (c == '[' || c == '{')
            depth++;
        else if (c == ']' || c == '}')
            depth--;
    }
    *count = k;
    return 0;
}

typedef struct parser {
    sigmix_sj *sj;
    jobj       row, sub;
    const sigmix_score_opts *o;
    sigmix_score_file *out;
    const char *last_comp;  /* the previous record's competitor (arena copy) */
    size_t      last_compn;
    int         oom;        /* an allocation failed: ENOMEM, not a malformed row */
    char       msg[400];
} parser;

static int out_of_memory(parser *P)
{
    P->oom = 1;
    snprintf(P->msg, sizeof P->msg, "out of memory");
    return -1;
}

/* Nested text into P->sub. A failed allocation is remembered: a fallback
 * taken on it (another competitor, key or runtime) would change the table. */
static int sub_parse(parser *P, const char *s, size_t n)
{
    const char *found;
    int st = parse_text(P->sj, &P->sub, s, n, &found);
    if (st == SIGMIX_SJ_NOMEM)
        out_of_memory(P);
    return st;
}

/* Key text of a field as str() renders it; 0 with msg on failure. */
static int key_text(parser *P, const jobj *o, const jfield *f, const char *column,
                    const char **ks, size_t *kn, char *buf)
{
    switch (f->type) {
    case SIGMIX_SJ_STRING: *ks = STR(o, f); *kn = f->slen; break;
    case SIGMIX_SJ_INT: *kn = (size_t)snprintf(buf, 48, "%lld", (long long)f->i); *ks = buf; break;
    case SIGMIX_SJ_DOUBLE:
        if (isfinite(f->d))
            sigmix_format_double(f->d, buf, 48);
        else
            strcpy(buf, f->d != f->d ? "nan" : f->d > 0 ? "inf" : "-inf");
        *ks = buf;
        *kn = strlen(buf);
        break;
    case SIGMIX_SJ_BOOL: strcpy(buf, f->i ? "True" : "False"); *ks = buf; *kn = strlen(buf); break;
    case SIGMIX_SJ_NULL: *ks = ""; *kn = 0; break;
    default:
        snprintf(P->msg, sizeof P->msg, "key field '%s' must be text or a number", column);
        return -1;
    }
    sigmix_join_normalize(ks, kn, P->o->key_normalize, column, 0);
    return 0;
}

/* The payload's score: score_field, candidates, summary, then frames[]. */
static int payload_score(parser *P, double *score, int64_t *frames, const jfield *summary)
{
    const jobj *o = &P->row;
    const char *sf = P->o->score_field;
    const jfield *f;
    *frames = 0;
    if (sf && *sf && (f = get(o, sf)))
        return as_float(o, f, sf, score, P->msg, sizeof P->msg);
    f = find_ci(o, SCORE_CANDIDATES);
    if (f && f->type != SIGMIX_SJ_NULL)
        return as_float(o, f, "score", score, P->msg, sizeof P->msg);
    if (summary) {
        if (sub_parse(P, STR(o, summary), summary->slen))
            return P->oom ? -1 : (snprintf(P->msg, sizeof P->msg, "summary is not valid JSON"), -1);
        f = find_ci(&P->sub, SCORE_CANDIDATES);
        if (f && f->type != SIGMIX_SJ_NULL)
            return as_float(&P->sub, f, "summary score", score, P->msg, sizeof P->msg);
    }
    f = get(o, "frames");
    size_t *off = NULL, *len = NULL, n = 0;
    int split = 0; /* nonzero only when split_array ran out of memory */
    if (!f || f->type != SIGMIX_SJ_NESTED || STR(o, f)[0] != '['
        || (split = split_array(STR(o, f), f->slen, &off, &len, &n)) || !n) {
        free(off);
        free(len);
        if (split)
            return out_of_memory(P);
        snprintf(P->msg, sizeof P->msg, "score row has neither a score field nor non-empty frames[]");
        return -1;
    }
    double sum = 0;
    int r = 0;
    for (size_t i = 0; i < n && !r; i++) {
        char what[64];
        int st = sub_parse(P, STR(o, f) + off[i], len[i]);
        if (P->oom) {
            r = -1;
            break;
        }
        if (st) {
            snprintf(P->msg, sizeof P->msg, "frames[%zu] must be an object", i);
            r = -1;
            break;
        }
        const jfield *v = find_ci(&P->sub, SCORE_CANDIDATES);
        if (!v || v->type == SIGMIX_SJ_NULL) {
            snprintf(P->msg, sizeof P->msg, "frames[%zu] has no score-like field", i);
            r = -1;
            break;
        }
        double x;
        snprintf(what, sizeof what, "frames[%zu] score", i);
        r = as_float(&P->sub, v, what, &x, P->msg, sizeof P->msg);
        sum += x;
    }
    if (!r) {
        *score = sum / (double)n;
        *frames = (int64_t)n;
    }
    free(off);
    free(len);
    return r;
}

static int payload_runtime(parser *P, double *rt, const jfield *summary)
{
    const jobj *o = &P->row;
    *rt = NAN;
    const jfield *f = find_ci(o, RUNTIME_CANDIDATES);
    if (f && f->type != SIGMIX_SJ_NULL)
        return as_float(o, f, "runtime", rt, P->msg, sizeof P->msg);
    int st = summary ? sub_parse(P, STR(o, summary), summary->slen) : -1;
    if (P->oom)
        return -1;
    if (!st) {
        f = find_ci(&P->sub, RUNTIME_CANDIDATES);
        if (f && f->type != SIGMIX_SJ_NULL)
            return as_float(&P->sub, f, "summary runtime", rt, P->msg, sizeof P->msg);
    }
    f = get(o, "frames");
    if (!f || f->type != SIGMIX_SJ_NESTED || STR(o, f)[0] != '[')
        return 0;
    size_t *off = NULL, *len = NULL, n = 0;
    if (split_array(STR(o, f), f->slen, &off, &len, &n)) {
        free(off);
        free(len);
        return out_of_memory(P);
    }
    double total = 0;
    int seen = 0, r = 0;
    for (size_t i = 0; i < n && !r; i++) {
        if (sub_parse(P, STR(o, f) + off[i], len[i])) {
            if (P->oom) {
                r = -1;
                break;
            }
            continue; /* not an object: upstream skips it here */
        }
        const jfield *v = find_ci(&P->sub, RUNTIME_CANDIDATES);
        if (v && v->type != SIGMIX_SJ_NULL) {
            double x;
            r = as_float(&P->sub, v, "frame runtime", &x, P->msg, sizeof P->msg);
            total += x;
            seen = 1;
        }
    }
    free(off);
    free(len);
    if (!r && seen)
        *rt = total;
    return r;
}

/* A string field's value when it is non-empty text after stripping. */
static int text_field(const jobj *o, const jfield *f, const char **s, size_t *n)
{
    if (!f || f->type != SIGMIX_SJ_STRING)
        return 0;
    *s = STR(o, f);
    *n = f->slen;
    sigmix_join_strip(s, n);
    return *n > 0;
}

/* Turn the payload in P->row into a record. */
static int payload_record(parser *P, size_t where)
{
    const jobj *o = &P->row;
    sigmix_score_file *F = P->out;
    const jfield *summary = get(o, "summary");
    if (summary && (summary->type != SIGMIX_SJ_NESTED || STR(o, summary)[0] != '{'))
        summary = NULL;

    /* competitor: the payload's own field wins over the LABEL= hint */
    const char *comp = NULL;
    size_t compn = 0;
    char *subcomp = NULL;
    if (!text_field(o, get(o, "competitor"), &comp, &compn) && summary) {
        const char *s;
        size_t n;
        int st = sub_parse(P, STR(o, summary), summary->slen);
        if (P->oom)
            return -1;
        if (!st && text_field(&P->sub, get(&P->sub, "competitor"), &s, &n)) {
            if (!(subcomp = sigmix_arena_strndup(&F->arena, s, n)))
                return out_of_memory(P);
            comp = subcomp;
            compn = n;
        }
    }
    if (!comp && P->o->hint) {
        comp = P->o->hint;
        compn = strlen(comp);
    }
    if (!comp) {
        snprintf(P->msg, sizeof P->msg, "score row has no competitor field; use LABEL=path for --scores");
        return -1;
    }

    /* key */
    char kbuf[48];
    const char *ks = NULL;
    size_t kn = 0;
    const char *kf = P->o->score_key_field;
    int from_sub = 0;
    if (kf && *kf) {
        const jfield *f = get(o, kf);
        if (!f) {
            char *r = sigmix_join_repr(kf, strlen(kf));
            snprintf(P->msg, sizeof P->msg, "score row lacks requested key field %s", r ? r : kf);
            free(r);
            return -1;
        }
        if (key_text(P, o, f, kf, &ks, &kn, kbuf))
            return -1;
    } else {
        const jfield *f = find_ci(o, KEY_CANDIDATES);
        if (f && f->type != SIGMIX_SJ_NULL) {
            if (key_text(P, o, f, KEY(o, f), &ks, &kn, kbuf))
                return -1;
        } else {
            const jfield *g = NULL;
            if (summary && !sub_parse(P, STR(o, summary), summary->slen))
                g = find_ci(&P->sub, KEY_CANDIDATES);
            if (P->oom)
                return -1;
            if (!g || g->type == SIGMIX_SJ_NULL) {
                snprintf(P->msg, sizeof P->msg, "score row has no key field; pass --score-key-field");
                return -1;
            }
            if (key_text(P, &P->sub, g, KEY(&P->sub, g), &ks, &kn, kbuf))
                return -1;
            from_sub = 1;
        }
    }
    if (!kn) {
        snprintf(P->msg, sizeof P->msg, "empty score key");
        return -1;
    }
    /* keep the key before P->sub is reused */
    char *key = sigmix_arena_strndup(&F->arena, ks, kn);
    (void)from_sub;
    /* A file usually names one competitor: share its copy across records. */
    char *compc = subcomp;
    if (!compc && P->last_comp && P->last_compn == compn && !memcmp(P->last_comp, comp, compn))
        compc = (char *)P->last_comp;
    else if (!compc && (compc = sigmix_arena_strndup(&F->arena, comp, compn))) {
        P->last_comp = compc;
        P->last_compn = compn;
    }
    if (!key || !compc)
        return out_of_memory(P);

    sigmix_score_rec rec = { .competitor = compc, .key = key, .key_len = kn, .where = where };
    if (payload_score(P, &rec.score, &rec.frames, summary))
        return -1;
    const jfield *st = get(o, "status");
    rec.status = SIGMIX_SCORE_OK;
    if (st && st->type != SIGMIX_SJ_NULL) {
        const char *s = "";
        size_t n = 0;
        rec.status = SIGMIX_SCORE_BAD;
        if (st->type == SIGMIX_SJ_STRING) {
            s = STR(o, st);
            n = st->slen;
            sigmix_join_strip(&s, &n);
            if (!n || eq_ci(s, n, "ok") || eq_ci(s, n, "pass") || eq_ci(s, n, "success"))
                rec.status = SIGMIX_SCORE_OK;
        }
    }
    if (payload_runtime(P, &rec.runtime_ms, summary))
        return -1;
    if (F->n == F->cap) {
        size_t nc = F->cap ? F->cap * 2 : 1024;
        sigmix_score_rec *nr = realloc(F->rec, nc * sizeof *nr);
        if (!nr)
            return out_of_memory(P);
        F->rec = nr;
        F->cap = nc;
    }
    F->rec[F->n++] = rec;
    return 0;
}

static int fail_parse(parser *P, int st, const char *found)
{
    if (st == SIGMIX_SJ_NOT_OBJECT)
        snprintf(P->msg, sizeof P->msg, "score row must be a JSON object (found %s)", found);
    else
        snprintf(P->msg, sizeof P->msg, "%s", sigmix_jrow_message(st));
    return st == SIGMIX_SJ_NOMEM ? SIGMIX_ENOMEM : SIGMIX_EFORMAT;
}

/* One line of a JSONL file: s[0..n) (readable to s + cap), 1-based. */
static int parse_line(parser *P, const char *s, size_t n, size_t cap, size_t line,
                      sigmix_error *err)
{
    if (line == 1 && n >= 3 && !memcmp(s, "\xef\xbb\xbf", 3)) {
        s += 3;
        n -= 3;
        cap -= 3;
    }
    const char *t = s;
    size_t tn = n;
    sigmix_join_strip(&t, &tn);
    if (!tn)
        return 0;
    const char *found;
    int st = parse_obj(P->sj, &P->row, t, tn, cap - (size_t)(t - s), &found);
    if (st) {
        int code = fail_parse(P, st, found);
        return sigmix_error_set(err, code, "%s (line %zu)", P->msg, line);
    }
    if (payload_record(P, line))
        return sigmix_error_set(err, P->oom ? SIGMIX_ENOMEM : SIGMIX_EFORMAT, "%s (line %zu)",
                                P->msg, line);
    return 0;
}

/* Room for n records at once instead of doubling through realloc (copies
 * and page faults on 150,000 rows). */
static int reserve_recs(sigmix_score_file *F, size_t n)
{
    if (n <= F->cap)
        return 0;
    sigmix_score_rec *nr = realloc(F->rec, n * sizeof *nr);
    if (!nr)
        return -1;
    F->rec = nr;
    if (!F->n)
        sigmix_prefault(nr, n * sizeof *nr);
    F->cap = n;
    return 0;
}

static size_t count_newlines(const char *buf, size_t len)
{
    size_t n = 0;
    for (const char *q = buf, *end = buf + len; (q = memchr(q, '\n', (size_t)(end - q))); q++)
        n++;
    return n;
}

static int parse_lines(parser *P, const char *buf, size_t len, sigmix_error *err)
{
    /* One record per line at most. */
    if (reserve_recs(P->out, count_newlines(buf, len) + 1))
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    size_t line = 0;
    for (size_t pos = 0; pos < len;) {
        const char *nlp = memchr(buf + pos, '\n', len - pos);
        size_t end = nlp ? (size_t)(nlp - buf) : len;
        int r = parse_line(P, buf + pos, end - pos, len + SIGMIX_SJ_PADDING - pos, ++line, err);
        if (r)
            return r;
        pos = end + 1;
    }
    return 0;
}

static int parse_rows(parser *P, const char *buf, size_t len, size_t cap, sigmix_error *err)
{
    size_t *off = NULL, *ln = NULL, n = 0;
    if (split_array(buf, len, &off, &ln, &n)) {
        free(off);
        free(ln);
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    }
    int r = 0;
    for (size_t i = 0; i < n && !r; i++) {
        const char *found;
        int st = parse_obj(P->sj, &P->row, buf + off[i], ln[i], cap - off[i], &found);
        if (st == SIGMIX_SJ_NOT_OBJECT)
            r = sigmix_error_set(err, SIGMIX_EFORMAT, "rows[%zu] must be a JSON object", i);
        else if (st)
            r = sigmix_error_set(err, fail_parse(P, st, found), "%s (rows[%zu])", P->msg, i);
        else if (payload_record(P, i))
            r = sigmix_error_set(err, P->oom ? SIGMIX_ENOMEM : SIGMIX_EFORMAT, "%s (rows[%zu])",
                                 P->msg, i);
    }
    free(off);
    free(ln);
    return r;
}

static int parse_document(parser *P, const char *buf, size_t len, sigmix_error *err)
{
    size_t where = 0;
    int st = sigmix_sj_validate(P->sj, buf, len, len + SIGMIX_SJ_PADDING, &where);
    if (st)
        return sigmix_error_set(err, st == SIGMIX_SJ_NOMEM ? SIGMIX_ENOMEM : SIGMIX_EFORMAT,
                                "%s (byte %zu)", sigmix_jrow_message(st), where);
    size_t i = 0;
    while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' || buf[i] == '\r'))
        i++;
    if (i < len && buf[i] == '[')
        return parse_rows(P, buf, len, len + SIGMIX_SJ_PADDING, err);
    if (i >= len || buf[i] != '{')
        return sigmix_error_set(err, SIGMIX_EFORMAT,
            "unsupported score format: expected an object or a list of objects");
    const char *found;
    st = parse_obj(P->sj, &P->row, buf, len, len + SIGMIX_SJ_PADDING, &found);
    if (st)
        return sigmix_error_set(err, fail_parse(P, st, found), "%s", P->msg);
    const jfield *rows = get(&P->row, "rows");
    const jfield *pick = truthy(&P->row, rows) ? rows : get(&P->row, "results");
    if (pick && pick->type == SIGMIX_SJ_NESTED && STR(&P->row, pick)[0] == '[') {
        /* copy out: parsing the rows reuses P->row */
        size_t n = pick->slen;
        char *tmp = malloc(n + SIGMIX_SJ_PADDING);
        if (!tmp)
            return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
        memcpy(tmp, STR(&P->row, pick), n);
        memset(tmp + n, 0, SIGMIX_SJ_PADDING);
        int r = parse_rows(P, tmp, n, n + SIGMIX_SJ_PADDING, err);
        free(tmp);
        return r;
    }
    if (payload_record(P, 0))
        return sigmix_error_set(err, P->oom ? SIGMIX_ENOMEM : SIGMIX_EFORMAT, "%s", P->msg);
    return 0;
}

static int parser_begin(parser *P, const sigmix_score_opts *o, sigmix_score_file *out, int jsonl)
{
    memset(out, 0, sizeof *out);
    sigmix_arena_init(&out->arena);
    out->jsonl = jsonl;
    memset(P, 0, sizeof *P);
    P->o = o;
    P->out = out;
    P->sj = sigmix_sj_new();
    return P->sj ? 0 : -1;
}

static int parser_end(parser *P, int r)
{
    sigmix_sj_free(P->sj);
    free(P->row.f);
    free(P->row.buf);
    free(P->sub.f);
    free(P->sub.buf);
    if (r)
        sigmix_score_file_free(P->out);
    return r;
}

int sigmix_score_parse(const char *buf, size_t len, int jsonl, const sigmix_score_opts *o,
                       sigmix_score_file *out, sigmix_error *err)
{
    parser P;
    if (parser_begin(&P, o, out, jsonl))
        return parser_end(&P, sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory"));
    /* simdjson validates UTF-8 as it indexes each payload */
    int r = jsonl ? parse_lines(&P, buf, len, err) : parse_document(&P, buf, len, err);
    return parser_end(&P, r);
}

/*
 * JSON Lines parsed as they are read, a chunk at a time: the bytes are
 * hashed, split into lines and parsed while they are still in cache, and
 * no buffer of the file's size is filled and then read twice more (on a
 * 150,000-line file that cost more than the parsing). A line longer than
 * the buffer doubles it. limit: the size fstat gave, read no further
 * (growth after it is not this run's input); 0 reads to the end.
 */
static int stream_lines(parser *P, int fd, uint64_t limit, size_t chunk,
                        struct sha256_ctx *sha, uint64_t *total, sigmix_error *err)
{
    size_t cap = chunk, have = 0, scan = 0, line = 0;
    char *buf = malloc(cap + SIGMIX_SJ_PADDING);
    if (!buf)
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    uint64_t got_all = 0;
    int r = 0, eof = 0, sized = 0;
    while (!r) {
        if (have == cap) {
            char *nb = cap < (SIZE_MAX - SIGMIX_SJ_PADDING) / 2
                     ? realloc(buf, cap * 2 + SIGMIX_SJ_PADDING) : NULL;
            if (!nb) {
                r = sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t want = cap - have;
        if (limit && limit - got_all < want)
            want = (size_t)(limit - got_all);
        ssize_t g = read(fd, buf + have, want);
        if (g < 0 && errno == EINTR)
            continue;
        if (g < 0) {
            r = sigmix_error_set(err, SIGMIX_EIO, "read error");
            break;
        }
        if (sha)
            sha256_update(sha, (size_t)g, (const uint8_t *)buf + have);
        have += (size_t)g;
        got_all += (uint64_t)g;
        eof = !g || (limit && got_all == limit);
        memset(buf + have, 0, SIGMIX_SJ_PADDING);
        if (!sized && limit) {
            /* records for the whole file from the first chunk's line
             * length, an eighth more; payload_record grows beyond it */
            size_t nl = count_newlines(buf, have);
            uint64_t est = (nl ? limit / (have / nl) : 1) + nl / 8 + 16;
            if (est > limit / 3 + 16)
                est = limit / 3 + 16;
            sized = 1;
            if (reserve_recs(P->out, (size_t)est)) {
                r = sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
                break;
            }
        }
        size_t pos = 0;
        const char *nl;
        while ((nl = memchr(buf + scan, '\n', have - scan))) {
            size_t end = (size_t)(nl - buf);
            if ((r = parse_line(P, buf + pos, end - pos, have + SIGMIX_SJ_PADDING - pos, ++line,
                                err)))
                break;
            pos = scan = end + 1;
        }
        if (r)
            break;
        if (eof) {
            if (pos < have)
                r = parse_line(P, buf + pos, have - pos, have + SIGMIX_SJ_PADDING - pos, ++line,
                               err);
            break;
        }
        /* the unfinished line moves to the front */
        memmove(buf, buf + pos, have - pos);
        have -= pos;
        scan = have;
    }
    free(buf);
    *total = got_all;
    return r;
}

static void hex_digest(struct sha256_ctx *ctx, char *out)
{
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256_digest(ctx, sizeof d, d);
    sigmix_sha256_hex(d, out);
}

static int ends_with_ci(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && eq_ci(s + n - m, m, suf);
}

int sigmix_score_load(const char *path, const sigmix_score_opts *o, sigmix_score_file *out,
                      sigmix_error *err)
{
    return sigmix_score_load_chunked(path, o, 0, out, err);
}

int sigmix_score_load_chunked(const char *path, const sigmix_score_opts *o, size_t chunk,
                              sigmix_score_file *out, sigmix_error *err)
{
    int jsonl;
    memset(out, 0, sizeof *out);
    if (ends_with_ci(path, ".jsonl") || ends_with_ci(path, ".ndjson"))
        jsonl = 1;
    else if (ends_with_ci(path, ".json"))
        jsonl = 0;
    else
        return sigmix_error_set(err, SIGMIX_EUNSUPPORTED,
                                "unsupported score format; use .jsonl, .ndjson or .json");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return sigmix_error_open(err, errno);
    struct stat st;
    int known = !fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_size > 0;
    if (jsonl) {
        parser P;
        struct sha256_ctx ctx;
        uint64_t total = 0;
        sha256_init(&ctx);
        int r = parser_begin(&P, o, out, 1)
              ? sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory")
              : stream_lines(&P, fd, known ? (uint64_t)st.st_size : 0,
                             chunk ? chunk : (size_t)1 << 18, o->hash ? &ctx : NULL,
                             &total, err);
        parser_end(&P, r);
        close(fd);
        if (!r && o->hash) {
            hex_digest(&ctx, out->sha256);
            out->size = total;
        }
        return r;
    }
    /* A JSON document: one buffer of the file's size when it is known (a
     * regular file), pre-faulted: a large file otherwise costs thousands
     * of page faults as read() fills fresh heap pages. Anything else (a
     * FIFO) is read in growing steps. The file is read once: its SHA-256
     * for the provenance comes from these bytes. */
    size_t cap = known ? (size_t)st.st_size : (size_t)1 << 16, len = 0;
    char *buf = malloc(cap + SIGMIX_SJ_PADDING);
    if (buf && known)
        sigmix_prefault(buf, cap + SIGMIX_SJ_PADDING);
    int bad = 0;
    while (buf) {
        ssize_t got = read(fd, buf + len, cap - len);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            bad = got < 0;
            break;
        }
        len += (size_t)got;
        if (len == cap) {
            if (known)
                break; /* the size fstat gave: growth after it is not this run's input */
            char *nb = realloc(buf, cap * 2 + SIGMIX_SJ_PADDING);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    close(fd);
    if (!buf)
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    int r;
    if (bad) {
        r = sigmix_error_set(err, SIGMIX_EIO, "read error");
    } else {
        memset(buf + len, 0, SIGMIX_SJ_PADDING);
        r = sigmix_score_parse(buf, len, jsonl, o, out, err);
    }
    if (!r && o->hash) {
        struct sha256_ctx ctx;
        sha256_init(&ctx);
        sha256_update(&ctx, len, (const uint8_t *)buf);
        hex_digest(&ctx, out->sha256);
        out->size = len;
    }
    free(buf);
    return r;
}

void sigmix_score_file_free(sigmix_score_file *f)
{
    sigmix_arena_free(&f->arena);
    free(f->rec);
    memset(f, 0, sizeof *f);
}

int sigmix_jobj_parse(sigmix_sj *sj, jobj *o, const char *s, size_t n, const char **found)
{
    return parse_text(sj, o, s, n, found);
}

const jfield *sigmix_jobj_get(const jobj *o, const char *name) { return get(o, name); }

int sigmix_join_split_array(const char *s, size_t n, size_t **off, size_t **len, size_t *count)
{
    return split_array(s, n, off, len, count);
}

void sigmix_jobj_free(jobj *o)
{
    free(o->f);
    free(o->buf);
    memset(o, 0, sizeof *o);
}
