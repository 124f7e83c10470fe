/*
 * sigmix — outputs: one rule for every file a sigmix program writes, and
 * output sets that appear together or not at all.
 *
 * Single outputs (sigmix_atomic):
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
 * (below); sigmix_atomic is the one-file case.
 *
 * Output sets (sigmix_outset): every output of one run, checked before the
 * work starts and committed together at the end.
 *
 *   const char *outs[] = { json_path, md_path };
 *   size_t bad;
 *   if (sigmix_outputs_check(outs, 2, &bad, &err))   // before any work
 *       ... report outs[bad]: err.message, exit 2 ...
 *   ... work ...
 *   sigmix_outset *set;
 *   FILE *fj, *fm;
 *   sigmix_outset_new(&set, &err);
 *   sigmix_outset_add(set, json_path, &fj, &err);   // temporary file
 *   sigmix_outset_add(set, md_path, &fm, &err);
 *   ... write fj and fm ...
 *   sigmix_outset_commit(set, &failed, &err);       // all appear, or none
 *   sigmix_outset_free(&set);                        // aborts whatever is left
 *
 * Each output follows the rule above (regular files through a
 * temporary and a rename, symlinks resolved, devices/FIFOs/stdout written
 * in place, parent folders created, stale temporaries of dead runs removed).
 *
 * Commit: every output is first flushed, fsync'ed and closed; any error
 * there removes every temporary and leaves every previous file intact.
 * Then each replaced file but the last to be renamed is kept as a hard
 * link (".NAME.sigmix-bak.PID.R") and the temporaries are renamed into
 * place one by one; if a rename
 * fails, the outputs already renamed are put back from their links (or
 * removed, when they did not exist before), so the previous files are
 * what remains. Only when all renames succeeded are the folders fsync'ed
 * and the links removed. Outputs written in place (stdout, devices,
 * FIFOs) cannot be taken back: they are flushed first, before any rename.
 * A file system without hard links commits without that safety net.
 *
 * Ownership: the set owns its FILE handles; callers write to them but never
 * fclose them. Paths are copied. The set must be freed with
 * sigmix_outset_free, committed or not.
 * Errors: 0 or a negative SIGMIX_E* code with err filled; the message does
 * not repeat the path, the caller prefixes it (failed/bad say which one).
 * Thread-safety: a set is used by one thread at a time; distinct sets are
 * independent. No process-wide state is changed (umask, signals, cwd).
 */
#ifndef SIGMIX_OUTPUT_H
#define SIGMIX_OUTPUT_H

#include <stddef.h>
#include <stdio.h>

#include "sigmix/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One output being written. The caller writes to f and reads nothing else;
 * the other members belong to the library. */
typedef struct sigmix_atomic {
    FILE *f;       /* write here */
    char *tmp;     /* temporary path; NULL when written in place */
    char *path;    /* final target (symlinks resolved); NULL for stdout */
    char *bak;     /* internal: hard link to the replaced file while a set commits */
    int   inplace; /* internal: 1 = stdout (never closed), 2 = opened device/FIFO */
    int   existed; /* internal: the target existed when the temporary was made */
    int   fd;      /* internal: the temporary's descriptor (f writes to it) */
} sigmix_atomic;

/**
 * Open an output. With mkdirs, missing parent folders are created. On
 * failure a is zeroed and err says why (SIGMIX_EIO, SIGMIX_ENOMEM).
 */
SIGMIX_API int  sigmix_atomic_open(sigmix_atomic *a, const char *path, int mkdirs, sigmix_error *err);
/**
 * Flush, fsync, close and rename into place (in-place outputs: flush and
 * close). Always releases a; on failure the temporary file is removed and
 * the previous file is untouched.
 */
SIGMIX_API int  sigmix_atomic_commit(sigmix_atomic *a, sigmix_error *err);
/** Close and remove the temporary file. Safe on a zeroed or released a. */
SIGMIX_API void sigmix_atomic_abort(sigmix_atomic *a);

/** Create every missing folder above path (like mkdir -p on dirname). */
SIGMIX_API int  sigmix_mkdirs_for(const char *path, sigmix_error *err);

/**
 * Where this process's temporaries for path would be: *dir (the resolved
 * target's folder) and the name *prefix every one of them starts with
 * (".NAME.sigmix-tmp.PID."), both malloc'ed (release with sigmix_free).
 * Returns 1, 0 when path is written in place (no temporaries), or -1. For a
 * program's signal handler, which removes them before the process dies.
 */
SIGMIX_API int sigmix_atomic_tmp_prefix(const char *path, char **dir, char **prefix);

typedef struct sigmix_outset sigmix_outset;

/**
 * Check outputs before any work: each (NULL entries are skipped) must not
 * be a folder, its folder must exist and be writable or be creatable under
 * a writable folder, at most one may be standard output ("-",
 * /dev/stdout), and no two may name the same file. Nothing is created.
 * On failure *bad (if non-NULL) is the index of the offending path; the
 * code is SIGMIX_EINVAL for usage mistakes (two stdouts, same file twice),
 * SIGMIX_EIO otherwise.
 */
SIGMIX_API int sigmix_outputs_check(const char *const *paths, size_t n, size_t *bad, sigmix_error *err);

/**
 * Check a file sigmix owns and reopens itself (the saliency journal): it
 * may be missing or a regular file, never a symbolic link or anything else.
 */
SIGMIX_API int sigmix_owned_file_check(const char *path, sigmix_error *err);

/** A new, empty set. */
SIGMIX_API int sigmix_outset_new(sigmix_outset **out, sigmix_error *err);

/**
 * Open one more output (parent folders are created) and give its stream in
 * *f. Nothing is visible at path until sigmix_outset_commit.
 */
SIGMIX_API int sigmix_outset_add(sigmix_outset *s, const char *path, FILE **f, sigmix_error *err);

/**
 * Finish and publish every output, all or none (see above). On failure
 * *failed (if non-NULL) points to the path that failed (valid until the
 * set is freed). A set commits once; its streams are closed afterwards.
 */
SIGMIX_API int sigmix_outset_commit(sigmix_outset *s, const char **failed, sigmix_error *err);

/** Abort what is not committed (temporaries removed), free, set *s NULL. */
SIGMIX_API void sigmix_outset_free(sigmix_outset **s);

#ifdef __cplusplus
}
#endif

#endif /* SIGMIX_OUTPUT_H */
