/*
 * JSON reader: a list of row objects, or an object holding a "rows" list.
 * The document is streamed: a small scanner walks the outer structure and
 * cuts out each row object, then the rows are parsed in parallel batches
 * by the same row parser as JSON Lines. Other values of the wrapper
 * object are validated and ignored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "table/format.h"
#include "table/jsonrow.h"
#include "table/textread.h"
#include "util/error.h"

enum { BATCH_BYTES = 8 << 20 };

typedef struct json_reader {
    sigmix_textin  in;
    sigmix_cb_table tb;
    sigmix_jpool   pool;
    size_t         pos;      /* scan position in the current buffer */
    sigmix_jspan  *spans;    /* rows cut out but not parsed yet */
    size_t         nspans, spancap, span_bytes;
    size_t         rows;     /* rows cut out so far */
    int            reserved;
    size_t         last_rows; /* rows of the last flush */
    int            general;   /* tests: sigmix_jpool_general */
    sigmix_error  *err;
} json_reader;

#define EXPECTED "expected a list of row objects or {\"rows\": [...]}"

static char *B(json_reader *R) { return R->in.buf[R->in.cur]; }
static size_t HAVE(json_reader *R) { return R->in.have[R->in.cur]; }
static int AT_EOF(json_reader *R) { return R->in.eof[R->in.cur]; }
static unsigned long long OFF(json_reader *R, size_t p)
{
    return R->in.base[R->in.cur] + p;
}

static int fail(json_reader *R, int code, size_t p, const char *what)
{
    return sigmix_error_set(R->err, code, "%s (byte offset %llu)", what, OFF(R, p));
}

static const char *type_of(char c)
{
    switch (c) {
    case '{': return "an object";
    case '[': return "a list";
    case '"': return "a string";
    case 't': case 'f': return "a boolean";
    case 'n': return "null";
    default:
        return (c >= '0' && c <= '9') || c == '-' || c == 'N' || c == 'I' ? "a number" : NULL;
    }
}

/* Parse the pending rows on the worker threads. */
static int flush(json_reader *R)
{
    if (!R->nspans)
        return 0;
    size_t n = R->span_bytes / (256 << 10) + 1;
    if (n > R->pool.nw)
        n = R->pool.nw;
    if (n > R->nspans)
        n = R->nspans;
    for (size_t k = 0, at = 0; k < n; k++) {
        size_t cnt = R->nspans / n + (k < R->nspans % n);
        sigmix_jworker *w = &R->pool.w[k];
        w->buf = B(R);
        w->cap = R->in.alloc + SIGMIX_SJ_PADDING;
        w->spans = R->spans + at;
        w->nspans = cnt;
        at += cnt;
    }
    sigmix_jworkers_run(R->pool.w, n, R->pool.threads, NULL, NULL);
    size_t first = R->rows - R->nspans;
    R->last_rows = R->nspans;
    R->nspans = 0;
    R->span_bytes = 0;
    if (!R->reserved) {
        /* First rows: size the table before they are merged (see
         * sigmix_cb_table.reserve_rows); the spans were cut up to pos. */
        R->tb.reserve_rows = sigmix_text_estimate_rows(&R->in, R->last_rows, OFF(R, R->pos));
        R->reserved = 1;
    }
    for (size_t k = 0; k < n; k++) {
        sigmix_jworker *w = &R->pool.w[k];
        if (w->err)
            return sigmix_error_set(R->err, w->err, "%s (row %zu, byte offset %llu)", w->msg,
                                    first + w->lines + 1, OFF(R, w->err_off));
        first += w->lines;
        int r = sigmix_cb_merge(&R->tb, w->seg, R->err);
        if (r)
            return r;
    }
    return 0;
}

/* Make sure bytes are available at pos (reading more after parsing what
 * is pending). Returns 0 with pos < HAVE, 1 at the end, or an error. */
static int more(json_reader *R)
{
    if (R->pos < HAVE(R))
        return 0;
    if (AT_EOF(R))
        return 1;
    int r = flush(R);
    if (!r)
        r = sigmix_textin_refill(&R->in, R->pos, R->err);
    if (r)
        return r;
    R->pos = 0;
    return HAVE(R) ? 0 : 1;
}

/* Skip whitespace; then *c is the next byte. 1 at the end of the data. */
static int next(json_reader *R, char *c)
{
    for (;;) {
        int r = more(R);
        if (r)
            return r;
        char ch = B(R)[R->pos];
        if (ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r') {
            *c = ch;
            return 0;
        }
        R->pos++;
    }
}

/* Cut out the value at pos: *end is its end offset. At the end of the
 * data an unfinished value is handed over whole (the parser names the
 * problem). */
static int cut_value(json_reader *R, size_t *end)
{
    for (;;) {
        size_t e = sigmix_json_value_end(B(R), R->pos, HAVE(R));
        if (e == (size_t)-1)
            return fail(R, SIGMIX_EFORMAT, R->pos, "nesting deeper than 64 levels");
        if (e) {
            *end = e;
            return 0;
        }
        if (AT_EOF(R)) {
            *end = HAVE(R);
            return 0;
        }
        int r = flush(R);
        if (!r)
            r = sigmix_textin_refill(&R->in, R->pos, R->err);
        if (r)
            return r;
        R->pos = 0;
    }
}

static int add_span(json_reader *R, size_t off, size_t len)
{
    if (R->nspans == R->spancap) {
        size_t cap = R->spancap ? R->spancap * 2 : 1024;
        sigmix_jspan *s = realloc(R->spans, cap * sizeof *s);
        if (!s)
            return sigmix_error_set(R->err, SIGMIX_ENOMEM, "out of memory");
        R->spans = s;
        R->spancap = cap;
    }
    R->spans[R->nspans++] = (sigmix_jspan){ off, len };
    R->span_bytes += len;
    R->rows++;
    return R->span_bytes >= BATCH_BYTES ? flush(R) : 0;
}

/* next() result r != 0: pass errors on; at the end of the data, report
 * earlier bad rows first, then the truncation. */
static int ended(json_reader *R, int r)
{
    if (r < 0 || (r = flush(R)))
        return r;
    return fail(R, SIGMIX_EFORMAT, HAVE(R), "truncated JSON: the document ends early");
}

/* The rows list; pos is just after its '['. */
static int rows_list(json_reader *R)
{
    char c;
    int r = next(R, &c);
    if (r)
        return ended(R, r);
    if (c == ']') {
        R->pos++;
        return 0;
    }
    for (;;) {
        if (c != '{') {
            const char *t = type_of(c);
            char msg[96];
            snprintf(msg, sizeof msg, "row %zu is %s, expected an object", R->rows + 1,
                     t ? t : "not valid JSON");
            return fail(R, SIGMIX_EFORMAT, R->pos, msg);
        }
        size_t end;
        if ((r = cut_value(R, &end)) || (r = add_span(R, R->pos, end - R->pos)))
            return r;
        R->pos = end;
        if ((r = next(R, &c)))
            return ended(R, r);
        R->pos++;
        if (c == ']')
            return 0;
        if (c != ',')
            return fail(R, SIGMIX_EFORMAT, R->pos - 1, "expected ',' or ']' after a row");
        if ((r = next(R, &c)))
            return ended(R, r);
    }
}

/* A value of the wrapper object other than "rows": check and skip it. */
static int skip_value(json_reader *R)
{
    size_t end, where = 0;
    int r = flush(R);
    if (!r)
        r = cut_value(R, &end);
    if (r)
        return r;
    int st = sigmix_sj_validate(R->pool.w[0].sj, B(R) + R->pos, end - R->pos,
                                R->in.alloc + SIGMIX_SJ_PADDING - R->pos, &where);
    if (st)
        return fail(R, st == SIGMIX_SJ_NOMEM ? SIGMIX_ENOMEM : SIGMIX_EFORMAT, R->pos + where,
                    sigmix_jrow_message(st));
    R->pos = end;
    return 0;
}

/* {"rows": [...], ...}; pos is just after the '{'. */
static int wrapper(json_reader *R)
{
    int found = 0, r;
    char c;
    for (;;) {
        if ((r = next(R, &c)))
            return ended(R, r);
        if (c == '}' && !found) {
            R->pos++;
            break;
        }
        if (c != '"')
            return fail(R, SIGMIX_EFORMAT, R->pos, "expected a key string in the top-level object");
        size_t end;
        if ((r = cut_value(R, &end)))
            return r;
        /* keys compare after unescaping: "\u0072ows" is "rows" */
        int is_rows = sigmix_json_key_is(B(R) + R->pos, end - R->pos, "rows");
        R->pos = end;
        if ((r = next(R, &c)))
            return ended(R, r);
        if (c != ':')
            return fail(R, SIGMIX_EFORMAT, R->pos, "expected ':' after a key");
        R->pos++;
        if ((r = next(R, &c)))
            return ended(R, r);
        if (is_rows) {
            if (found)
                return fail(R, SIGMIX_EFORMAT, R->pos, "the document holds two \"rows\" lists");
            if (c != '[') {
                const char *t = type_of(c);
                char msg[128];
                snprintf(msg, sizeof msg, EXPECTED ", found \"rows\" holding %s",
                         t ? t : "invalid JSON");
                return fail(R, SIGMIX_EFORMAT, R->pos, msg);
            }
            R->pos++;
            found = 1;
            r = rows_list(R);
        } else {
            r = skip_value(R);
        }
        if (r || (r = next(R, &c)))
            return ended(R, r);
        R->pos++;
        if (c == '}')
            break;
        if (c != ',')
            return fail(R, SIGMIX_EFORMAT, R->pos - 1, "expected ',' or '}' in the top-level object");
    }
    if (!found)
        return sigmix_error_set(R->err, SIGMIX_EFORMAT, EXPECTED ", found an object without \"rows\"");
    return 0;
}

static int document(json_reader *R)
{
    char c;
    int r = next(R, &c);
    if (r)
        return r < 0 ? r : sigmix_error_set(R->err, SIGMIX_EFORMAT, "empty file (no JSON value)");
    R->pos++;
    if (c == '[')
        r = rows_list(R);
    else if (c == '{')
        r = wrapper(R);
    else {
        const char *t = type_of(c);
        if (!t)
            return fail(R, SIGMIX_EFORMAT, R->pos - 1, "malformed JSON");
        char msg[128];
        snprintf(msg, sizeof msg, EXPECTED ", found %s", t);
        return sigmix_error_set(R->err, SIGMIX_EFORMAT, "%s", msg);
    }
    if (!r)
        r = flush(R);
    if (r)
        return r;
    r = next(R, &c);
    if (r < 0)
        return r;
    return r ? 0 : fail(R, SIGMIX_EFORMAT, R->pos, "unexpected text after the JSON document");
}

static int json_read_in(json_reader *R, const sigmix_read_options *o, sigmix_table **out,
                        sigmix_error *err)
{
    int r = 0;
    R->err = err;
    if (sigmix_cb_table_init(&R->tb))
        r = sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    if (!r)
        r = sigmix_jpool_init(&R->pool, o, 1, err);
    R->tb.threads = R->pool.threads;
    if (!r && R->general)
        sigmix_jpool_general(&R->pool);
    if (!r)
        r = sigmix_textin_first(&R->in, err);
    if (!r)
        r = document(R);
    if (!r)
        r = sigmix_textin_finish(&R->in, o, err);
    if (!r)
        r = sigmix_cb_table_finish(&R->tb, out, err);
    sigmix_jpool_free(&R->pool);
    sigmix_cb_table_free(&R->tb);
    sigmix_textin_close(&R->in);
    free(R->spans);
    return r;
}

int sigmix_json_read_mem(const void *data, size_t size, const sigmix_read_options *o,
                         sigmix_table **out, sigmix_error *err)
{
    json_reader R;
    *out = NULL;
    memset(&R, 0, sizeof R);
    int r = sigmix_textin_open_mem(&R.in, data, size, NULL, o, err);
    return r ? r : json_read_in(&R, o, out, err);
}

int sigmix_json_read_mem_general(const void *data, size_t size, const sigmix_read_options *o,
                                 sigmix_table **out, sigmix_error *err)
{
    json_reader R;
    *out = NULL;
    memset(&R, 0, sizeof R);
    R.general = 1;
    int r = sigmix_textin_open_mem(&R.in, data, size, NULL, o, err);
    return r ? r : json_read_in(&R, o, out, err);
}

int sigmix_json_read(const char *path, const sigmix_read_options *o,
                     sigmix_table **out, sigmix_error *err)
{
    json_reader R;
    *out = NULL;
    memset(&R, 0, sizeof R);
    int r = sigmix_textin_open(&R.in, path, o, err);
    return r ? r : json_read_in(&R, o, out, err);
}
