/*
 * Progress reporting: the public part is in sigmix/util.h; the pieces here
 * are for tests.
 */
#ifndef SIGMIX_UTIL_PROGRESS_H
#define SIGMIX_UTIL_PROGRESS_H

#include "sigmix/util.h"

/** The same at a given monotonic time (seconds), for tests. */
void sigmix_progress_update_at(sigmix_progress *p, double now, size_t done, size_t total,
                               size_t work_done, size_t work_left, int force);

/** Monotonic seconds. */
double sigmix_progress_now(void);

#endif
