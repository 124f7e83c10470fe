/*
 * Output files: the public part (the rule, sigmix_atomic, open/commit/abort)
 * is in sigmix/output.h; these are the pieces shared with util/outset.c.
 */
#ifndef SIGMIX_UTIL_ATOMIC_H
#define SIGMIX_UTIL_ATOMIC_H

#include <stdio.h>
#include <sys/types.h>

#include "sigmix/output.h"

/* ---- pieces shared with util/outset.c -------------------------------- */

/**
 * Where an output really goes. *target gets a malloc'ed path: the final
 * target of a symlink chain, or path itself. *kind: 0 missing, 1 regular
 * file, 2 write in place (device, FIFO, socket, /proc magic link), 3 folder,
 * 4 stdout ("-", /dev/stdout). Returns 0 or a SIGMIX_E* code.
 */
int  sigmix_output_resolve(const char *path, char **target, int *kind, sigmix_error *err);
/** Step 1 of a commit: flush, fsync and close (or flush stdout). */
int  sigmix_atomic_finish(sigmix_atomic *a, sigmix_error *err);
/** Keep the file a is about to replace as a hard link in a->bak (if possible). */
void sigmix_atomic_keep_backup(sigmix_atomic *a);
/** Make the durable folder entry after a rename (fsync of the folder). */
int  sigmix_fsync_dir_of(const char *path);
/** Release a's memory and remove its temporary/backup files, if any. */
void sigmix_atomic_release(sigmix_atomic *a);

#endif
