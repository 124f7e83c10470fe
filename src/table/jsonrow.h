/*
 * Row parsing shared by the JSON Lines and JSON readers: a worker turns
 * JSON row objects into column-builder values (colbuild.h) through the
 * simdjson shim, and parses batches of rows on several threads.
 */
#ifndef SIGMIX_TABLE_JSONROW_H
#define SIGMIX_TABLE_JSONROW_H

#include <stddef.h>

#include "sigmix/table.h"
#include "table/colbuild.h"
#include "table/simdjson_shim.h"

/** A row's bytes within a batch buffer. */
typedef struct sigmix_jspan {
    size_t off, len;
} sigmix_jspan;

/** Per-thread state; reused across batches. */
typedef struct sigmix_jworker {
    sigmix_sj         *sj;
    sigmix_cb_seg     *seg;        /* segment being filled */
    sigmix_sj_sink     sink;       /* key prediction (pred: column by field position) */
    long              *pred;       /* sink.pred's array */
    size_t             predcap;
    int                cb_error;   /* set by a callback */
    char               cb_msg[160];
    /* job: either the lines of buf[0..len) (spans NULL) or the spans */
    const char        *buf;
    size_t             len, cap;   /* cap: readable bytes from buf */
    const sigmix_jspan *spans;
    size_t             nspans;
    size_t             lines;      /* lines (or spans) completed */
    /* failure: code (0 = none), message without location, offset in buf */
    int                err;
    char               msg[200];
    size_t             err_off;
} sigmix_jworker;

int  sigmix_jworker_init(sigmix_jworker *w);
void sigmix_jworker_free(sigmix_jworker *w);

/* Threads at most, and parse jobs per thread: a batch cut into a few
 * parts per thread, taken in turn by whichever thread is free, keeps both
 * cores busy when one of them first reads (and hashes) the next batch. */
enum { SIGMIX_JWORKERS_MAX = 16, SIGMIX_JJOBS_PER_THREAD = 4 };

/** The readers' job slots, each a worker state with its own column
 *  segment, reused across batches. */
typedef struct sigmix_jpool {
    sigmix_cb_seg  *seg;     /* sets * nw of each */
    sigmix_jworker *w;
    size_t         nw;      /* job slots per set */
    size_t         sets;    /* 1, or 2: set k % 2 parses batch k while the
                             * other set's rows are merged */
    size_t         threads; /* threads that run them (sigmix_text_threads) */
} sigmix_jpool;

/** SIGMIX_JJOBS_PER_THREAD job slots per reader thread (one for a single
 *  thread) in each of `sets` (1 or 2) sets, honouring o->columns. */
int  sigmix_jpool_init(sigmix_jpool *p, const sigmix_read_options *o, size_t sets,
                       sigmix_error *err);
/** Tests: parse without the shim's sink (every key looked up by the
 *  callbacks, every value through on_value), the path the sink must match. */
void sigmix_jpool_general(sigmix_jpool *p);
/** Free what init made; safe after a failed init. */
void sigmix_jpool_free(sigmix_jpool *p);
/**
 * Parse jobs w[0..n) (each already holding its job and segment) on up to
 * `threads` threads, each taking the next job not yet taken; side(side_ctx)
 * runs first on the calling thread, which then takes jobs too (with one
 * thread, a helper parses meanwhile). Each worker's err/msg/err_off say
 * how it ended.
 */
void sigmix_jworkers_run(sigmix_jworker *w, size_t n, size_t threads, void (*side)(void *),
                         void *side_ctx);

/**
 * A message for a row that failed with shim status st (NOT_OBJECT uses
 * found); what = "line" or "row N" context is added by the caller.
 */
const char *sigmix_jrow_message(int st);

/**
 * End (exclusive offset) of the JSON value starting at b[p], scanning no
 * further than have: 0 when it runs past have, (size_t)-1 when nested
 * deeper than SIGMIX_SJ_MAX_DEPTH. Only brackets and strings are tracked;
 * the parser validates the rest.
 */
size_t sigmix_json_value_end(const char *b, size_t p, size_t have);

/**
 * Skip blanks (space, tab, CR, LF) from p up to end, 8 bytes per step.
 * Returns the first other byte (or end); *lines gets the LFs skipped and
 * *line_start the byte after the last of them (p when none).
 */
const char *sigmix_skip_blanks(const char *p, const char *end, size_t *lines,
                               const char **line_start);

/**
 * Decode the JSON string body s[0..n) (no quotes; escapes as RFC 8259,
 * surrogate pairs joined) into out[0..cap). Returns the length, or
 * (size_t)-1 for a bad escape or when out is too small.
 */
size_t sigmix_json_unescape(const char *s, size_t n, char *out, size_t cap);

/** Whether the quoted JSON string q[0..n) means `want` once unescaped
 *  ("\u0072ows" is "rows"). */
int sigmix_json_key_is(const char *q, size_t n, const char *want);

#endif
