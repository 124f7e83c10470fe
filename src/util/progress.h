/*
 * Progress reporting for long commands, on stderr. On a terminal: one line
 * with a bar that fits the terminal's width, redrawn in place. Otherwise
 * (batch logs): one plain line every `interval` seconds. The speed and the
 * ETA count units of real work (clips computed), so rows that were skipped
 * or failed at once do not make the estimate optimistic.
 */
#ifndef SIGMIX_UTIL_PROGRESS_H
#define SIGMIX_UTIL_PROGRESS_H

#include <stddef.h>
#include <stdio.h>

typedef struct sigmix_progress {
    FILE       *out;
    const char *label;     /* "saliency" */
    const char *item;      /* what done/total count: "rows" */
    const char *unit;      /* what work counts: "clips" */
    int         tty;       /* redraw one line (else plain lines) */
    int         width;     /* terminal columns; 0: ask the terminal each time */
    double      interval;  /* plain mode: seconds between lines */
    double      redraw;    /* tty mode: seconds between redraws */
    double      t0, last;
    int         drawn;     /* tty line currently on screen */
} sigmix_progress;

/**
 * Start reporting to out; tty: whether out is a terminal (the caller asks
 * isatty, so tests can force either mode). interval_s <= 0 means 30 s.
 */
void sigmix_progress_init(sigmix_progress *p, FILE *out, int tty, const char *label,
                          const char *item, const char *unit, double interval_s);

/**
 * Report: done of total items; work_done units computed so far in this run,
 * work_left units still to compute. Prints only when due; force prints now.
 */
void sigmix_progress_update(sigmix_progress *p, size_t done, size_t total, size_t work_done,
                            size_t work_left, int force);
/** The same at a given monotonic time (seconds), for tests. */
void sigmix_progress_update_at(sigmix_progress *p, double now, size_t done, size_t total,
                               size_t work_done, size_t work_left, int force);

/** Clear the terminal line (tty mode) before other messages or the end. */
void sigmix_progress_clear(sigmix_progress *p);

/** Monotonic seconds. */
double sigmix_progress_now(void);

#endif
