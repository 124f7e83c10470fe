/*
 * sigmix — small services for programs built on sigmix: how many threads
 * "automatic" means, and a progress reporter for long runs.
 */
#ifndef SIGMIX_UTIL_H
#define SIGMIX_UTIL_H

#include <stddef.h>
#include <stdio.h>

#include "sigmix/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * The CPUs available to this process: the size of its affinity mask
 * (sched_getaffinity: taskset, Slurm's task binding, a cpuset cgroup),
 * capped by the cgroup CPU quota rounded up (cgroup v2 cpu.max of the
 * process's cgroup and its ancestors; cgroup v1 cpu.cfs_quota_us /
 * cpu.cfs_period_us as a fallback). Always >= 1. Reads /proc and /sys on
 * every call: callers ask once per run.
 * Thread-safe.
 * A thread count of 0 in any sigmix setting means this number.
 */
SIGMIX_API int sigmix_cpu_count(void);

/*
 * Progress reporting for long commands, on stderr. On a terminal: one line
 * with a bar that fits the terminal's width, redrawn in place. Otherwise
 * (batch logs): one plain line every `interval` seconds. The speed and the
 * ETA count units of real work (clips computed), so rows that were skipped
 * or failed at once do not make the estimate optimistic.
 *
 * The struct is filled by sigmix_progress_init; callers treat its fields as
 * private. One reporter is used by one thread at a time.
 */
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
SIGMIX_API void sigmix_progress_init(sigmix_progress *p, FILE *out, int tty, const char *label,
                          const char *item, const char *unit, double interval_s);

/**
 * Report: done of total items; work_done units computed so far in this run,
 * work_left units still to compute. Prints only when due; force prints now.
 */
SIGMIX_API void sigmix_progress_update(sigmix_progress *p, size_t done, size_t total, size_t work_done,
                            size_t work_left, int force);
/** Clear the terminal line (tty mode) before other messages or the end. */
SIGMIX_API void sigmix_progress_clear(sigmix_progress *p);

#ifdef __cplusplus
}
#endif

#endif /* SIGMIX_UTIL_H */
