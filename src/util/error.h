/* Internal helpers for filling sigmix_error. */
#ifndef SIGMIX_UTIL_ERROR_H
#define SIGMIX_UTIL_ERROR_H

#include "sigmix/common.h"

#if defined(__GNUC__)
#define SIGMIX_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define SIGMIX_PRINTF(a, b)
#endif

/**
 * Record `code` and a formatted message in err (if non-NULL) and return
 * `code`, so callers can write `return sigmix_error_set(err, ...);`.
 * Only the first error is kept: a later call does not overwrite it.
 */
int sigmix_error_set(sigmix_error *err, int code, const char *fmt, ...) SIGMIX_PRINTF(3, 4);

/**
 * A file that cannot be opened, one code and wording for every reader:
 * ENOENT/ENOTDIR -> SIGMIX_ENOTFOUND, anything else SIGMIX_EIO, message
 * "cannot open: <strerror(e)>". Returns the code.
 */
int sigmix_error_open(sigmix_error *err, int e);

/** Clear err (if non-NULL): the first statement of every public entry point
 * that takes err (the contract in sigmix/common.h). */
void sigmix_error_clear(sigmix_error *err);

#endif
