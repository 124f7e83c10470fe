/*
 * Output sets: every output of one run, checked before the work starts and
 * committed together at the end.
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
 * Each output follows the rule of util/atomic.h (regular files through a
 * temporary and a rename, symlinks resolved, devices/FIFOs/stdout written
 * in place, parent folders created, stale temporaries of dead runs removed).
 *
 * Commit: every output is first flushed, fsync'ed and closed; any error
 * there removes every temporary and leaves every previous file intact.
 * Then each replaced file is kept as a hard link (".NAME.sigmix-bak.PID.R")
 * and the temporaries are renamed into place one by one; if a rename
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
#ifndef SIGMIX_UTIL_OUTSET_H
#define SIGMIX_UTIL_OUTSET_H

#include <stddef.h>
#include <stdio.h>

#include "sigmix/common.h"

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
int sigmix_outputs_check(const char *const *paths, size_t n, size_t *bad, sigmix_error *err);

/**
 * Check a file sigmix owns and reopens itself (the saliency journal): it
 * may be missing or a regular file, never a symbolic link or anything else.
 */
int sigmix_owned_file_check(const char *path, sigmix_error *err);

/** A new, empty set. */
int sigmix_outset_new(sigmix_outset **out, sigmix_error *err);

/**
 * Open one more output (parent folders are created) and give its stream in
 * *f. Nothing is visible at path until sigmix_outset_commit.
 */
int sigmix_outset_add(sigmix_outset *s, const char *path, FILE **f, sigmix_error *err);

/**
 * Finish and publish every output, all or none (see above). On failure
 * *failed (if non-NULL) points to the path that failed (valid until the
 * set is freed). A set commits once; its streams are closed afterwards.
 */
int sigmix_outset_commit(sigmix_outset *s, const char **failed, sigmix_error *err);

/** Abort what is not committed (temporaries removed), free, set *s NULL. */
void sigmix_outset_free(sigmix_outset **s);

#endif
