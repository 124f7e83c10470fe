/*
 * Output files (see atomic.h for the rule). Temporaries are named
 * ".NAME.sigmix-tmp.PID.RANDOM" so that a later run can recognise the ones
 * a killed run left behind and remove them once that PID is gone.
 */
#define _GNU_SOURCE /* fopencookie, sync_file_range */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/atomic.h"
#include "util/error.h"

/* Longest part of the output's name copied into a temporary's name, so the
 * temporary stays under NAME_MAX (255) with its suffix (~50 bytes). */
#define TMP_BASE_MAX 180
#define MAX_LINKS 40

/* A temporary's written bytes are handed to writeback every KICK_BYTES,
 * so the fsync before the rename waits for the last part only. */
#define KICK_BYTES ((off_t)4 << 20)
#define TMP_BUF    4096 /* stdio's own choice for a file here (st_blksize) */

static const char TMP_TAG[] = ".sigmix-tmp.";
static const char BAK_TAG[] = ".sigmix-bak.";

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

static const char *base_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

int sigmix_mkdirs_for(const char *path, sigmix_error *err)
{
    sigmix_error_clear(err); /* contract: common.h */
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
                struct stat st;
                if (mkdir(p, 0777) && errno != EEXIST) {
                    int e = errno;
                    int r = sigmix_error_set(err, SIGMIX_EIO, "cannot create folder '%s' (%s)",
                                             p, strerror(e));
                    free(p);
                    return r;
                }
                if (!c && (stat(p, &st) || !S_ISDIR(st.st_mode))) {
                    int r = sigmix_error_set(err, SIGMIX_EIO, "'%s' is not a folder", p);
                    free(p);
                    return r;
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

static int is_stdout_name(const char *path)
{
    return !strcmp(path, "-") || !strcmp(path, "/dev/stdout") || !strcmp(path, "/dev/fd/1")
        || !strcmp(path, "/proc/self/fd/1");
}

int sigmix_output_resolve(const char *path, char **target, int *kind, sigmix_error *err)
{
    *target = NULL;
    *kind = 0;
    if (is_stdout_name(path)) {
        *kind = 4;
        return 0;
    }
    if (!*path)
        return sigmix_error_set(err, SIGMIX_EINVAL, "empty output path");
    char *cur = strdup(path);
    if (!cur)
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    for (int depth = 0; ; depth++) {
        struct stat st;
        if (lstat(cur, &st)) {
            int e = errno;
            if (e == ENOENT || e == ENOTDIR) { /* the folder check names the culprit */
                *target = cur; /* missing (a dangling link creates its target) */
                return 0;
            }
            free(cur);
            return sigmix_error_set(err, SIGMIX_EIO, "cannot look up output (%s)", strerror(e));
        }
        if (!S_ISLNK(st.st_mode)) {
            *kind = S_ISREG(st.st_mode) ? 1 : S_ISDIR(st.st_mode) ? 3 : 2;
            *target = cur;
            return 0;
        }
        /* /proc/PID/fd links name open files ("pipe:[123]"), not paths:
         * whatever they lead to is written in place through the link. */
        struct stat t;
        int follows = !stat(cur, &t);
        if (!strncmp(cur, "/proc/", 6) || !strncmp(cur, "/dev/fd/", 8)
            || (follows && !S_ISREG(t.st_mode))) {
            *kind = follows && S_ISDIR(t.st_mode) ? 3 : 2;
            *target = cur;
            return 0;
        }
        if (depth == MAX_LINKS) {
            free(cur);
            return sigmix_error_set(err, SIGMIX_EIO, "too many levels of symbolic links");
        }
        size_t cap = (size_t)st.st_size + 1 > 256 ? (size_t)st.st_size + 1 : 256;
        char *link = malloc(cap);
        ssize_t n = link ? readlink(cur, link, cap) : -1;
        if (n < 0 || (size_t)n >= cap) {
            int e = link ? (n < 0 ? errno : ENAMETOOLONG) : ENOMEM;
            free(link);
            free(cur);
            return sigmix_error_set(err, e == ENOMEM ? SIGMIX_ENOMEM : SIGMIX_EIO,
                                    "cannot read symbolic link (%s)", strerror(e));
        }
        link[n] = '\0';
        char *next = link;
        if (link[0] != '/') { /* relative to the link's own folder */
            char *d = dir_of(cur);
            size_t len = d ? strlen(d) + (size_t)n + 2 : 0;
            next = d ? malloc(len) : NULL;
            if (next)
                snprintf(next, len, "%s/%s", d, link);
            free(d);
            free(link);
            if (!next) {
                free(cur);
                return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
            }
        }
        free(cur);
        cur = next;
    }
}

static uint64_t random64(void)
{
    uint64_t v = 0;
    if (getrandom(&v, sizeof v, GRND_NONBLOCK) != (ssize_t)sizeof v) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        v ^= (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ull ^ (uint64_t)ts.tv_sec
           ^ (uint64_t)getpid() << 32 ^ (uint64_t)(uintptr_t)&v;
    }
    return v;
}

/* ".BASE<tag>PID.RANDOM" beside target. */
static char *sibling_name(const char *target, const char *tag)
{
    char *d = dir_of(target);
    if (!d)
        return NULL;
    const char *b = base_of(target);
    int blen = (int)(strlen(b) > TMP_BASE_MAX ? TMP_BASE_MAX : strlen(b));
    size_t n = strlen(d) + (size_t)blen + 80;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s/.%.*s%s%ld.%016llx", d, blen, b, tag, (long)getpid(),
                 (unsigned long long)random64());
    free(d);
    return s;
}

/* Whether name is "<prefix><tag>PID.HEX" of a process that no longer exists. */
static int stale_name(const char *name, const char *prefix, size_t plen, const char *tag)
{
    size_t tl = strlen(tag);
    if (strncmp(name, prefix, plen) || strncmp(name + plen, tag, tl))
        return 0;
    const char *p = name + plen + tl;
    char *e;
    errno = 0;
    long pid = strtol(p, &e, 10);
    if (e == p || *e != '.' || errno || pid <= 0 || pid == (long)getpid())
        return 0;
    for (const char *h = e + 1; *h; h++)
        if (!((*h >= '0' && *h <= '9') || (*h >= 'a' && *h <= 'f')))
            return 0;
    return kill((pid_t)pid, 0) && errno == ESRCH;
}

/* Remove temporaries and backups a killed run left for this target. */
static void remove_stale(const char *target)
{
    char *d = dir_of(target);
    DIR *dir = d ? opendir(d) : NULL;
    free(d);
    if (!dir)
        return;
    const char *b = base_of(target);
    size_t blen = strlen(b) > TMP_BASE_MAX ? TMP_BASE_MAX : strlen(b);
    char prefix[TMP_BASE_MAX + 2];
    prefix[0] = '.';
    memcpy(prefix + 1, b, blen);
    prefix[blen + 1] = '\0';
    struct dirent *ent;
    while ((ent = readdir(dir)))
        if (stale_name(ent->d_name, prefix, blen + 1, TMP_TAG)
            || stale_name(ent->d_name, prefix, blen + 1, BAK_TAG))
            unlinkat(dirfd(dir), ent->d_name, 0);
    closedir(dir);
}

/* The temporary's stream: stdio over write(2), with writeback started as
 * the file grows (a 31 MB table waited 42 ms in its final fsync, 22 ms
 * with this). */
typedef struct tmp_stream {
    int   fd;
    off_t written, kicked;
    char  buf[TMP_BUF];
} tmp_stream;

static ssize_t tmp_write(void *cookie, const char *p, size_t n)
{
    tmp_stream *t = cookie;
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(t->fd, p + done, n - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return (ssize_t)done; /* short: stdio sets the error */
        done += (size_t)w;
        t->written += w;
    }
    if (t->written - t->kicked >= KICK_BYTES) {
        /* best effort: a file system without it just syncs later */
        (void)sync_file_range(t->fd, t->kicked, t->written - t->kicked,
                              SYNC_FILE_RANGE_WRITE);
        t->kicked = t->written;
    }
    return (ssize_t)n;
}

static int tmp_close(void *cookie)
{
    tmp_stream *t = cookie;
    int r = close(t->fd);
    free(t);
    return r;
}

/* A stream on the temporary fd; closes fd when it cannot make one. */
static FILE *tmp_open(int fd)
{
    tmp_stream *t = malloc(sizeof *t);
    cookie_io_functions_t io = { NULL, tmp_write, NULL, tmp_close };
    FILE *f = t ? fopencookie(t, "w", io) : NULL;
    if (!f) {
        free(t);
        close(fd);
        errno = ENOMEM;
        return NULL;
    }
    t->fd = fd;
    t->written = t->kicked = 0;
    setvbuf(f, t->buf, _IOFBF, sizeof t->buf);
    return f;
}

/* Create the temporary for a missing/regular target; returns its fd. */
static int make_temp(sigmix_atomic *a, int existed, sigmix_error *err)
{
    struct stat old;
    int have_old = existed && !stat(a->path, &old);
    for (int tries = 0; tries < 16; tries++) {
        free(a->tmp);
        a->tmp = sibling_name(a->path, TMP_TAG);
        if (!a->tmp)
            return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
        /* 0666: the umask applies, as for any file the user creates. */
        int fd = open(a->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (fd < 0 && errno == EEXIST)
            continue;
        if (fd < 0) {
            int e = errno;
            free(a->tmp);
            a->tmp = NULL;
            return sigmix_error_set(err, SIGMIX_EIO, "cannot create output file (%s)",
                                    strerror(e));
        }
        if (have_old) { /* the replacement keeps the replaced file's owner and mode */
            if (geteuid() == 0 && fchown(fd, old.st_uid, old.st_gid)) {
                /* keep going: root's own file is still a correct output */
            }
            if (fchmod(fd, old.st_mode & 07777)) {
                /* same: the umask's mode is a safe fallback */
            }
        }
        return fd;
    }
    return sigmix_error_set(err, SIGMIX_EIO, "cannot create a unique temporary file");
}

int sigmix_atomic_open(sigmix_atomic *a, const char *path, int mkdirs, sigmix_error *err)
{
    sigmix_error_clear(err); /* contract: common.h */
    memset(a, 0, sizeof *a);
    int kind;
    int r = sigmix_output_resolve(path, &a->path, &kind, err);
    if (r)
        return r;
    if (kind == 4) {
        a->f = stdout;
        a->inplace = 1;
        return 0;
    }
    if (kind == 3) {
        sigmix_atomic_release(a);
        return sigmix_error_set(err, SIGMIX_EIO, "is a folder, not a file");
    }
    if (kind == 2) {
        /* Devices, FIFOs and sockets are written where they are. */
        /* A /proc/PID/fd link reaching a regular file (/dev/stderr redirected
         * to a log) appends, as the shell's stream does, instead of
         * overwriting the file's start. */
        int app = !strncmp(a->path, "/proc/", 6) || !strncmp(a->path, "/dev/fd/", 8)
                ? O_APPEND : 0;
        int fd = open(a->path, O_WRONLY | O_NOCTTY | O_CLOEXEC | app);
        if (fd < 0 || !(a->f = fdopen(fd, "wb"))) {
            int e = errno;
            if (fd >= 0)
                close(fd);
            sigmix_atomic_release(a);
            return sigmix_error_set(err, SIGMIX_EIO, "cannot open output (%s)", strerror(e));
        }
        a->inplace = 2;
        return 0;
    }
    if (mkdirs && (r = sigmix_mkdirs_for(a->path, err))) {
        sigmix_atomic_release(a);
        return r;
    }
    remove_stale(a->path);
    a->existed = kind == 1;
    int fd = make_temp(a, a->existed, err);
    if (fd < 0) {
        sigmix_atomic_release(a);
        return fd;
    }
    a->fd = fd;
    if (!(a->f = tmp_open(fd))) {
        sigmix_atomic_release(a);
        return sigmix_error_set(err, SIGMIX_ENOMEM, "cannot open output (out of memory)");
    }
    return 0;
}

int sigmix_atomic_finish(sigmix_atomic *a, sigmix_error *err)
{
    if (!a->f)
        return 0;
    FILE *f = a->f;
    a->f = NULL;
    if (a->inplace == 1) {
        int bad = ferror(f);
        if (fflush(f) || bad)
            return sigmix_error_set(err, SIGMIX_EIO, "cannot write to standard output (%s)",
                                    strerror(bad && !errno ? EIO : errno));
        return 0;
    }
    int bad = ferror(f) || fflush(f);
    int e = bad ? (errno ? errno : EIO) : 0;
    /* The data must be on disk before the rename makes it the output. */
    if (!bad && a->tmp && fsync(a->fd))
        bad = 1, e = errno;
    if (fclose(f) && !bad)
        bad = 1, e = errno;
    if (bad)
        return sigmix_error_set(err, SIGMIX_EIO, "cannot write output (%s)", strerror(e));
    return 0;
}

int sigmix_atomic_tmp_prefix(const char *path, char **dir, char **prefix)
{
    char *target;
    int kind;
    *dir = *prefix = NULL;
    if (sigmix_output_resolve(path, &target, &kind, NULL))
        return -1;
    if (kind > 1) {
        free(target);
        return 0;
    }
    const char *b = base_of(target);
    int blen = (int)(strlen(b) > TMP_BASE_MAX ? TMP_BASE_MAX : strlen(b));
    size_t n = (size_t)blen + 48;
    *dir = dir_of(target);
    *prefix = malloc(n);
    if (*prefix)
        snprintf(*prefix, n, ".%.*s%s%ld.", blen, b, TMP_TAG, (long)getpid());
    free(target);
    if (!*dir || !*prefix) {
        free(*dir);
        free(*prefix);
        *dir = *prefix = NULL;
        return -1;
    }
    return 1;
}

void sigmix_atomic_keep_backup(sigmix_atomic *a)
{
    if (!a->tmp || !a->existed || a->bak)
        return;
    for (int tries = 0; tries < 16; tries++) {
        a->bak = sibling_name(a->path, BAK_TAG);
        if (!a->bak || !link(a->path, a->bak))
            return;
        int e = errno;
        free(a->bak);
        a->bak = NULL;
        if (e != EEXIST)
            return; /* no hard links here: commit without a safety net */
    }
}

int sigmix_fsync_dir_of(const char *path)
{
    char *d = dir_of(path);
    int fd = d ? open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    free(d);
    if (fd < 0)
        return 0; /* cannot open the folder: nothing more can be done */
    int r = fsync(fd) && errno == EIO ? -1 : 0; /* EINVAL: the fs has no folder sync */
    close(fd);
    return r;
}

void sigmix_atomic_release(sigmix_atomic *a)
{
    if (a->tmp)
        unlink(a->tmp);
    if (a->bak)
        unlink(a->bak);
    free(a->tmp);
    free(a->bak);
    free(a->path);
    memset(a, 0, sizeof *a);
}

int sigmix_atomic_commit(sigmix_atomic *a, sigmix_error *err)
{
    sigmix_error_clear(err); /* contract: common.h */
    int r = sigmix_atomic_finish(a, err);
    if (!r && a->tmp) {
        if (rename(a->tmp, a->path))
            r = sigmix_error_set(err, SIGMIX_EIO, "cannot rename output into place (%s)",
                                 strerror(errno));
        else {
            free(a->tmp);
            a->tmp = NULL;
            if (sigmix_fsync_dir_of(a->path))
                r = sigmix_error_set(err, SIGMIX_EIO, "cannot sync the output's folder (%s)",
                                     strerror(EIO));
        }
    }
    sigmix_atomic_release(a);
    return r;
}

void sigmix_atomic_abort(sigmix_atomic *a)
{
    if (a->f && a->inplace != 1)
        fclose(a->f);
    a->f = NULL;
    sigmix_atomic_release(a);
}
