#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/atomic.h"
#include "util/error.h"

int sigmix_mkdirs_for(const char *path, sigmix_error *err)
{
    char *p = strdup(path);
    if (!p)
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    char *slash = strrchr(p, '/');
    if (slash && slash != p) {
        *slash = '\0';
        for (char *q = p + 1; ; q++) {
            if (*q == '/' || *q == '\0') {
                char c = *q;
                *q = '\0';
                if (mkdir(p, 0777) && errno != EEXIST) {
                    int e = errno;
                    free(p);
                    return sigmix_error_set(err, SIGMIX_EIO, "cannot create folder (%s)", strerror(e));
                }
                *q = c;
                if (!c)
                    break;
            }
        }
    }
    free(p);
    return 0;
}

int sigmix_atomic_open(sigmix_atomic *a, const char *path, int mkdirs, sigmix_error *err)
{
    memset(a, 0, sizeof *a);
    if (!strcmp(path, "-")) {
        a->f = stdout;
        return 0;
    }
    if (mkdirs) {
        int r = sigmix_mkdirs_for(path, err);
        if (r)
            return r;
    }
    size_t n = strlen(path) + 32;
    a->path = strdup(path);
    a->tmp = malloc(n);
    if (!a->path || !a->tmp) {
        sigmix_atomic_abort(a);
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    }
    snprintf(a->tmp, n, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(a->tmp);
    if (fd < 0 || !(a->f = fdopen(fd, "wb"))) {
        int e = errno;
        if (fd >= 0) {
            close(fd);
            unlink(a->tmp);
        }
        free(a->tmp);
        a->tmp = NULL;
        sigmix_atomic_abort(a);
        return sigmix_error_set(err, SIGMIX_EIO, "cannot create output file (%s)", strerror(e));
    }
    /* mkstemp makes 0600 files; outputs should honour the umask like any file. */
    mode_t um = umask(0);
    umask(um);
    fchmod(fd, 0666 & ~um);
    return 0;
}

int sigmix_atomic_commit(sigmix_atomic *a, sigmix_error *err)
{
    int r = 0;
    if (!a->tmp) { /* stdout */
        if (a->f && fflush(a->f))
            r = sigmix_error_set(err, SIGMIX_EIO, "cannot write to stdout (%s)", strerror(errno));
        a->f = NULL;
        return r;
    }
    int bad = ferror(a->f);
    if (fclose(a->f) || bad) {
        a->f = NULL;
        r = sigmix_error_set(err, SIGMIX_EIO, "cannot write output (%s)", strerror(errno));
    }
    a->f = NULL;
    if (!r && rename(a->tmp, a->path))
        r = sigmix_error_set(err, SIGMIX_EIO, "cannot rename output into place (%s)", strerror(errno));
    if (r)
        unlink(a->tmp);
    free(a->tmp);
    free(a->path);
    a->tmp = a->path = NULL;
    return r;
}

void sigmix_atomic_abort(sigmix_atomic *a)
{
    if (a->f && a->f != stdout)
        fclose(a->f);
    if (a->tmp)
        unlink(a->tmp);
    free(a->tmp);
    free(a->path);
    memset(a, 0, sizeof *a);
}
