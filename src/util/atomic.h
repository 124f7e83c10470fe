/*
 * Output files, one rule for every output of every command:
 *
 *  - a missing or regular file is written to a temporary file in the same
 *    folder (".NAME.sigmix-tmp.PID.RANDOM", created O_EXCL with mode 0666
 *    so the umask applies; an existing file's permission bits are kept),
 *    fsync'ed, renamed into place, and the folder is fsync'ed;
 *  - a symbolic link is followed to its final target (chains too; a
 *    relative link is relative to the link's folder) and that target is
 *    replaced; the link itself stays;
 *  - anything else (character device, FIFO, socket, "-" = stdout,
 *    /dev/stdout) is opened and written in place, never unlinked or renamed;
 *  - missing parent folders are created (mkdirs);
 *  - on failure no temporary file is left and the previous file is intact.
 *    Temporaries left by a killed run (whose PID no longer exists) are
 *    removed the next time the same output is opened.
 *
 * Nothing here changes process-wide state (no umask toggling, no signal
 * handlers). Functions are reentrant; one sigmix_atomic (or sigmix_outset)
 * must not be used by two threads at once.
 *
 * For several outputs that must appear together, use sigmix_outset
 * (util/outset.h); sigmix_atomic is the one-file case.
 */
#ifndef SIGMIX_UTIL_ATOMIC_H
#define SIGMIX_UTIL_ATOMIC_H

#include <stdio.h>
#include <sys/types.h>

#include "sigmix/common.h"

typedef struct sigmix_atomic {
    FILE *f;       /* write here */
    char *tmp;     /* temporary path; NULL when written in place */
    char *path;    /* final target (symlinks resolved); NULL for stdout */
    char *bak;     /* internal: hard link to the replaced file while a set commits */
    int   inplace; /* internal: 1 = stdout (never closed), 2 = opened device/FIFO */
    int   existed; /* internal: the target existed when the temporary was made */
} sigmix_atomic;

/**
 * Open an output. With mkdirs, missing parent folders are created. On
 * failure a is zeroed and err says why (SIGMIX_EIO, SIGMIX_ENOMEM).
 */
int  sigmix_atomic_open(sigmix_atomic *a, const char *path, int mkdirs, sigmix_error *err);
/**
 * Flush, fsync, close and rename into place (in-place outputs: flush and
 * close). Always releases a; on failure the temporary file is removed and
 * the previous file is untouched.
 */
int  sigmix_atomic_commit(sigmix_atomic *a, sigmix_error *err);
/** Close and remove the temporary file. Safe on a zeroed or released a. */
void sigmix_atomic_abort(sigmix_atomic *a);

/** Create every missing folder above path (like mkdir -p on dirname). */
int  sigmix_mkdirs_for(const char *path, sigmix_error *err);

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
/**
 * Where this process's temporaries for path would be: *dir (the resolved
 * target's folder) and the name *prefix every one of them starts with
 * (".NAME.sigmix-tmp.PID."), both malloc'ed. Returns 1, 0 when path is
 * written in place (no temporaries), or -1. For a program's signal
 * handler, which removes them before the process dies.
 */
int  sigmix_atomic_tmp_prefix(const char *path, char **dir, char **prefix);
/** Keep the file a is about to replace as a hard link in a->bak (if possible). */
void sigmix_atomic_keep_backup(sigmix_atomic *a);
/** Make the durable folder entry after a rename (fsync of the folder). */
int  sigmix_fsync_dir_of(const char *path);
/** Release a's memory and remove its temporary/backup files, if any. */
void sigmix_atomic_release(sigmix_atomic *a);

#endif
