/*
 * JSON Lines / NDJSON reader: streams the (decompressed) bytes in large
 * batches, cuts each batch at line ends into one part per thread, and
 * parses the parts in parallel while the next batch is being read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "table/format.h"
#include "table/jsonrow.h"
#include "table/textread.h"
#include "util/error.h"

enum { MIN_PART = 256 << 10 };

typedef struct jsonl_reader {
    sigmix_textin  in;
    sigmix_cb_table tb;
    sigmix_jpool   pool;
    unsigned long long line_base; /* lines before the current batch */
    int            reserved;
    int            general;    /* tests: sigmix_jpool_general */
    int            read_next;  /* side task: read the next batch */
    size_t         split_at;   /* tests: end the first part at the first line
                                * end at or after this batch offset (0: even parts) */
    /* The batch parsed last: its rows are merged on the calling thread
     * while the next batch is parsed (the side task), so the parse
     * threads never wait for a merge. */
    size_t         pend_n;     /* its parts (0: none) */
    size_t         pend_set;   /* its job set */
    unsigned long long pend_end; /* input offset of its end */
    int            pend_rc;    /* the side task's merge failed (message in *err) */
    sigmix_error  *err;
} jsonl_reader;

static sigmix_jworker *jobs(jsonl_reader *R, size_t set)
{
    return &R->pool.w[set * R->pool.nw];
}

static const char *last_newline(const char *b, size_t n)
{
    while (n--)
        if (b[n] == '\n')
            return b + n;
    return NULL;
}

static int blank_run(const char *b, size_t n)
{
    size_t lines;
    const char *ls;
    return sigmix_skip_blanks(b, b + n, &lines, &ls) == b + n;
}

/* Split b[0..end) into at most nw line-aligned parts of MIN_PART bytes or
 * more, and set up the jobs. */
static void setup_parts(jsonl_reader *R, size_t set, const char *b, size_t end, size_t alloc,
                        size_t *nparts)
{
    size_t n = R->split_at ? 2 : end / MIN_PART + 1, start = 0;
    if (n > R->pool.nw)
        n = R->pool.nw;
    for (size_t k = 0; k < n; k++) {
        size_t stop = end;
        if (k + 1 < n) {
            size_t target = !R->split_at ? end / n * (k + 1) : R->split_at < end ? R->split_at : end;
            const char *nl = target < start ? NULL : memchr(b + target, '\n', end - target);
            stop = nl ? (size_t)(nl - b) + 1 : end;
            if (stop < start)
                stop = start;
        }
        sigmix_jworker *w = &jobs(R, set)[k];
        w->buf = b + start;
        w->len = stop - start;
        w->cap = alloc - start;
        w->spans = NULL;
        start = stop;
    }
    *nparts = n;
}

/* The pending batch: the first failing part (in row order) decides;
 * else the parts' rows join the table in order. */
static int merge_pending(jsonl_reader *R, sigmix_error *err)
{
    size_t n = R->pend_n, rows = 0;
    sigmix_jworker *w = jobs(R, R->pend_set);
    R->pend_n = 0;
    for (size_t k = 0; k < n; k++)
        rows += w[k].seg->rows;
    if (!R->reserved && rows) {
        /* First rows: size the table before they are merged, while it
         * has no rows (sigmix_cb_table.reserve_rows). */
        R->tb.reserve_rows = sigmix_text_estimate_rows(&R->in, rows, R->pend_end);
        R->reserved = 1;
    }
    for (size_t k = 0; k < n; k++) {
        if (w[k].err)
            return sigmix_error_set(err, w[k].err, "%s (line %llu)", w[k].msg,
                                    R->line_base + w[k].lines + 1);
        R->line_base += w[k].lines;
        int r = sigmix_cb_merge(&R->tb, w[k].seg, err);
        if (r)
            return r;
    }
    return 0;
}

/* Runs on the calling thread while the parse threads work: merge the
 * batch before, then read the next (which may reuse its buffer: the
 * segments hold copies, not pointers into it). */
static void side_task(void *arg)
{
    jsonl_reader *R = arg;
    R->pend_rc = merge_pending(R, R->err);
    if (!R->pend_rc && R->read_next)
        sigmix_textin_read_next(&R->in);
}

static int read_all(jsonl_reader *R, sigmix_error *err)
{
    size_t set = 0;
    R->err = err;
    int r = 0;
    while (!r) {
        char *b = R->in.buf[R->in.cur];
        size_t have = R->in.have[R->in.cur], end;
        if (!have && R->in.eof[R->in.cur])
            break;
        if (R->in.eof[R->in.cur]) {
            end = have;
        } else {
            const char *nl = last_newline(b, have);
            if (!nl && blank_run(b, have)) {
                /* a run of blanks longer than the buffer (a whitespace
                 * bomb): drop it rather than grow the buffer for it */
                r = sigmix_textin_refill(&R->in, have, err);
                continue;
            }
            if (!nl) { /* one line longer than the buffer */
                r = sigmix_textin_grow(&R->in, err);
                continue;
            }
            end = (size_t)(nl - b) + 1;
        }
        size_t n = 0;
        setup_parts(R, set, b, end, R->in.alloc + SIGMIX_SJ_PADDING, &n);
        unsigned long long end_off = R->in.base[R->in.cur] + end;
        sigmix_textin_prepare_next(&R->in, end);
        /* Read the next batch meanwhile, unless this one is the last. */
        R->read_next = !R->in.eof[R->in.cur];
        /* (a file of one batch has no side task: no thread is started for it) */
        sigmix_jworkers_run(jobs(R, set), n, R->pool.threads,
                            R->pend_n || R->read_next ? side_task : NULL, R);
        r = R->pend_rc;
        R->pend_n = n;
        R->pend_set = set;
        R->pend_end = end_off;
        set = R->pool.sets - 1 - set;
        if (!r)
            r = sigmix_textin_next_result(&R->in, err);
    }
    /* The last batch; or, after a failure further on, the batch before it,
     * whose errors come first. */
    if (R->pend_n && !R->pend_rc) {
        sigmix_error first = { 0 };
        int p = merge_pending(R, r ? &first : err);
        if (p && r)
            *err = first;
        r = p ? p : r;
    }
    return r;
}

static int jsonl_read_in(jsonl_reader *R, const sigmix_read_options *o,
                         sigmix_table **out, sigmix_error *err)
{
    int r = 0;
    if (sigmix_cb_table_init(&R->tb))
        r = sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    if (!r)
        r = sigmix_textin_first(&R->in, err);
    if (!r) {
        /* An input that is one part of one batch gets one parser: no CPU
         * count, no job slots for threads that would have nothing to do. */
        sigmix_read_options one;
        if (o)
            one = *o;
        else
            sigmix_read_options_default(&one);
        int whole = R->in.eof[R->in.cur] && R->in.have[R->in.cur] < MIN_PART && !R->split_at;
        if (whole)
            one.threads = 1;
        r = sigmix_jpool_init(&R->pool, &one, whole ? 1 : 2, err);
    }
    R->tb.threads = R->pool.threads;
    if (!r && R->general)
        sigmix_jpool_general(&R->pool);
    if (!r)
        r = read_all(R, err);
    if (!r)
        r = sigmix_textin_finish(&R->in, o, err);
    /* 0 bytes or blank lines only: a table of 0 rows, as [] is for JSON. */
    if (!r)
        r = sigmix_cb_table_finish(&R->tb, out, err);
    sigmix_jpool_free(&R->pool);
    sigmix_cb_table_free(&R->tb);
    sigmix_textin_close(&R->in);
    return r;
}

int sigmix_jsonl_read(const char *path, const sigmix_read_options *o,
                      sigmix_table **out, sigmix_error *err)
{
    jsonl_reader *R = calloc(1, sizeof *R);
    *out = NULL;
    if (!R)
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    int r = sigmix_textin_open(&R->in, path, o, err);
    if (!r)
        r = jsonl_read_in(R, o, out, err);
    free(R);
    return r;
}

int sigmix_jsonl_read_mem(const void *data, size_t size, const sigmix_read_options *o,
                          sigmix_table **out, sigmix_error *err)
{
    return sigmix_jsonl_read_mem_split(data, size, o, 0, out, err);
}

int sigmix_jsonl_read_mem_general(const void *data, size_t size, const sigmix_read_options *o,
                                  sigmix_table **out, sigmix_error *err)
{
    jsonl_reader *R = calloc(1, sizeof *R);
    *out = NULL;
    if (!R)
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    R->general = 1;
    int r = sigmix_textin_open_mem(&R->in, data, size, NULL, o, err);
    if (!r)
        r = jsonl_read_in(R, o, out, err);
    free(R);
    return r;
}

int sigmix_jsonl_read_mem_split(const void *data, size_t size, const sigmix_read_options *o,
                                size_t split_at, sigmix_table **out, sigmix_error *err)
{
    jsonl_reader *R = calloc(1, sizeof *R);
    *out = NULL;
    if (!R)
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    R->split_at = split_at;
    int r = sigmix_textin_open_mem(&R->in, data, size, NULL, o, err);
    if (!r)
        r = jsonl_read_in(R, o, out, err);
    free(R);
    return r;
}
