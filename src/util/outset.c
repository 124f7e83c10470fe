/* Output sets and the up-front output check (see outset.h). */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/atomic.h"
#include "util/error.h"
#include "util/outset.h"

struct sigmix_outset {
    sigmix_atomic *a;
    char         **given; /* paths as the caller named them, for messages */
    size_t         n, cap;
    int            committed;
};

static char *parent_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

/*
 * The folder of a missing/regular target must exist and be writable, or
 * its nearest existing ancestor must be a writable folder (mkdirs). *canon
 * gets a canonical spelling of the target for duplicate detection.
 */
static int check_folder(const char *target, char **canon, sigmix_error *err)
{
    char *cur = parent_of(target);
    int r = 0;
    while (cur) {
        struct stat st;
        if (!stat(cur, &st)) {
            if (!S_ISDIR(st.st_mode))
                r = sigmix_error_set(err, SIGMIX_EIO, "cannot create folder: '%s' is not a folder",
                                     cur);
            else if (access(cur, W_OK | X_OK))
                r = sigmix_error_set(err, SIGMIX_EIO, "cannot write in folder '%s' (%s)", cur,
                                     strerror(errno));
            break;
        }
        if (errno != ENOENT && errno != ENOTDIR) {
            r = sigmix_error_set(err, SIGMIX_EIO, "cannot look up folder '%s' (%s)", cur,
                                 strerror(errno));
            break;
        }
        if (!strcmp(cur, ".") || !strcmp(cur, "/")) {
            r = sigmix_error_set(err, SIGMIX_EIO, "no folder to create the output in");
            break;
        }
        char *up = parent_of(cur);
        free(cur);
        cur = up;
    }
    if (!cur)
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    if (!r) {
        char *real = realpath(cur, NULL);
        size_t cl = strlen(cur);
        const char *rest = !strncmp(target, cur, cl) && target[cl] == '/' ? target + cl + 1
                         : target;
        size_t n = (real ? strlen(real) : 0) + strlen(rest) + 2;
        *canon = real ? malloc(n) : NULL;
        if (*canon)
            snprintf(*canon, n, "%s/%s", real, rest);
        free(real);
        if (!*canon)
            r = sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    }
    free(cur);
    return r;
}

int sigmix_outputs_check(const char *const *paths, size_t n, size_t *bad, sigmix_error *err)
{
    sigmix_error_clear(err); /* contract: common.h */
    char **canon = calloc(n ? n : 1, sizeof *canon);
    if (!canon)
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    size_t nstdout = 0, i;
    int r = 0;
    for (i = 0; i < n && !r; i++) {
        if (!paths[i])
            continue;
        char *target;
        int kind;
        if ((r = sigmix_output_resolve(paths[i], &target, &kind, err)))
            break;
        if (kind == 4 && nstdout++)
            r = sigmix_error_set(err, SIGMIX_EINVAL,
                                 "only one output can go to standard output");
        else if (kind == 3)
            r = sigmix_error_set(err, SIGMIX_EIO, "is a folder, not a file");
        else if (kind == 2 && access(target, W_OK))
            r = sigmix_error_set(err, SIGMIX_EIO, "cannot write (%s)", strerror(errno));
        else if (kind <= 1)
            r = check_folder(target, &canon[i], err);
        for (size_t k = 0; !r && canon[i] && k < i; k++)
            if (canon[k] && !strcmp(canon[k], canon[i]))
                r = sigmix_error_set(err, SIGMIX_EINVAL,
                                     "the same file is given as two outputs");
        free(target);
        if (r)
            break;
    }
    if (r && bad)
        *bad = i;
    for (size_t k = 0; k < n; k++)
        free(canon[k]);
    free(canon);
    return r;
}

int sigmix_owned_file_check(const char *path, sigmix_error *err)
{
    sigmix_error_clear(err); /* contract: common.h */
    struct stat st;
    if (lstat(path, &st))
        return errno == ENOENT ? 0
             : sigmix_error_set(err, SIGMIX_EIO, "cannot look up (%s)", strerror(errno));
    if (S_ISLNK(st.st_mode))
        return sigmix_error_set(err, SIGMIX_EINVAL,
                                "is a symbolic link; refusing to follow it");
    if (!S_ISREG(st.st_mode))
        return sigmix_error_set(err, SIGMIX_EINVAL, "is not a regular file");
    return 0;
}

int sigmix_outset_new(sigmix_outset **out, sigmix_error *err)
{
    sigmix_error_clear(err); /* contract: common.h */
    *out = calloc(1, sizeof **out);
    return *out ? 0 : sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
}

int sigmix_outset_add(sigmix_outset *s, const char *path, FILE **f, sigmix_error *err)
{
    sigmix_error_clear(err); /* contract: common.h */
    *f = NULL;
    if (s->committed)
        return sigmix_error_set(err, SIGMIX_EINVAL, "output set already committed");
    if (s->n == s->cap) {
        size_t nc = s->cap ? 2 * s->cap : 4;
        sigmix_atomic *na = realloc(s->a, nc * sizeof *na);
        if (na)
            s->a = na;
        char **ng = na ? realloc(s->given, nc * sizeof *ng) : NULL;
        if (!ng)
            return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
        s->given = ng;
        s->cap = nc;
    }
    char *copy = strdup(path);
    if (!copy)
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    sigmix_atomic *a = &s->a[s->n];
    int r = sigmix_atomic_open(a, path, 1, err);
    if (r) {
        free(copy);
        return r;
    }
    /* Two entries renaming onto one file would lose the first silently. */
    for (size_t k = 0; k < s->n; k++)
        if ((a->inplace == 1 && s->a[k].inplace == 1)
            || (a->tmp && s->a[k].tmp && !strcmp(a->path, s->a[k].path))) {
            const char *why = a->tmp ? "the same file is given as two outputs"
                                     : "only one output can go to standard output";
            sigmix_atomic_abort(a);
            free(copy);
            return sigmix_error_set(err, SIGMIX_EINVAL, "%s", why);
        }
    s->given[s->n++] = copy;
    *f = a->f;
    return 0;
}

/* Put back what the first `done` renames replaced. */
static void roll_back(sigmix_outset *s, size_t done)
{
    for (size_t k = 0; k < done; k++) {
        sigmix_atomic *a = &s->a[k];
        if (!a->path || a->inplace)
            continue;
        if (a->bak) {
            /* Restored, or (rename failed) left on disk for the user:
             * either way the abort below must not unlink it. */
            rename(a->bak, a->path);
            free(a->bak);
            a->bak = NULL;
        } else if (!a->existed) {
            unlink(a->path);
        }
    }
}

int sigmix_outset_commit(sigmix_outset *s, const char **failed, sigmix_error *err)
{
    sigmix_error_clear(err); /* contract: common.h */
    if (failed)
        *failed = NULL;
    if (s->committed)
        return sigmix_error_set(err, SIGMIX_EINVAL, "output set already committed");
    s->committed = 1;
    size_t i;
    int r = 0;
    /* 1. Everything complete and on disk (in-place outputs flushed) first. */
    for (i = 0; i < s->n && !r; i++)
        r = sigmix_atomic_finish(&s->a[i], err);
    if (r)
        goto fail;
    /* 2. Keep what is replaced, then rename one by one. A failed rename
     * rolls back only the ones before it, so the last needs no backup
     * (a run with one output makes none). */
    size_t last = 0;
    for (i = 0; i < s->n; i++)
        if (s->a[i].tmp)
            last = i;
    for (i = 0; i < last; i++)
        sigmix_atomic_keep_backup(&s->a[i]);
    for (i = 0; i < s->n; i++) {
        sigmix_atomic *a = &s->a[i];
        if (!a->tmp)
            continue;
        if (rename(a->tmp, a->path)) {
            r = sigmix_error_set(err, SIGMIX_EIO, "cannot rename output into place (%s)",
                                 strerror(errno));
            roll_back(s, i);
            i++;
            goto fail;
        }
        free(a->tmp);
        a->tmp = NULL;
    }
    /* 3. Durable folder entries, then drop the safety links. */
    for (i = 0; i < s->n; i++) {
        sigmix_atomic *a = &s->a[i];
        if (a->path && !a->inplace && sigmix_fsync_dir_of(a->path) && !r) {
            r = sigmix_error_set(err, SIGMIX_EIO, "cannot sync the output's folder (%s)",
                                 strerror(EIO));
            if (failed)
                *failed = s->given[i];
        }
        sigmix_atomic_release(a);
    }
    return r;
fail:
    if (failed)
        *failed = s->given[i - 1];
    for (size_t k = 0; k < s->n; k++)
        sigmix_atomic_abort(&s->a[k]);
    return r;
}

void sigmix_outset_free(sigmix_outset **s)
{
    if (!s || !*s)
        return;
    for (size_t k = 0; k < (*s)->n; k++) {
        sigmix_atomic_abort(&(*s)->a[k]);
        free((*s)->given[k]);
    }
    free((*s)->a);
    free((*s)->given);
    free(*s);
    *s = NULL;
}
