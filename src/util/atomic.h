/*
 * Atomic output files: write to a temporary file beside the target, then
 * rename over it on commit, so readers never see a partial file and a
 * failed run leaves nothing behind. Path "-" means stdout (not atomic).
 */
#ifndef SIGMIX_UTIL_ATOMIC_H
#define SIGMIX_UTIL_ATOMIC_H

#include <stdio.h>

#include "sigmix/common.h"

typedef struct sigmix_atomic {
    FILE *f;      /* write here */
    char *tmp;    /* temporary path (NULL for stdout) */
    char *path;   /* final path */
} sigmix_atomic;

/** Open. With mkdirs, missing parent folders are created. */
int  sigmix_atomic_open(sigmix_atomic *a, const char *path, int mkdirs, sigmix_error *err);
/** Flush, close and rename into place. Always releases a. */
int  sigmix_atomic_commit(sigmix_atomic *a, sigmix_error *err);
/** Close and remove the temporary file. Safe on a zeroed or released a. */
void sigmix_atomic_abort(sigmix_atomic *a);

/** Create every missing folder above path (like mkdir -p on dirname). */
int  sigmix_mkdirs_for(const char *path, sigmix_error *err);

#endif
