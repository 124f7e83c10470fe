/*
 * Source resolution with root confinement (realpath, so symlinks count),
 * opening a clip so that the file checked is the file decoded, and bounded
 * hashing of the inputs (validated before a byte is read).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#ifdef __linux__
#include <linux/openat2.h>
#endif

#include <libavutil/imgutils.h>
#include <nettle/sha2.h>

#include "saliency/internal.h"
#include "util/error.h"
#include "util/sha256.h"

static int inside(const char *p, const char *root)
{
    size_t n = strlen(root);
    if (n == 1 && root[0] == '/')
        return p[0] == '/';
    return !strncmp(p, root, n) && (p[n] == '/' || p[n] == '\0');
}

char *sigmix_sal_resolve(const char *path, size_t len, const char *root_real,
                         int allow_outside)
{
    if (!path || len == 0 || memchr(path, '\0', len))
        return NULL;
    size_t rl = root_real ? strlen(root_real) : 0;
    char *full = malloc(rl + len + 2);
    if (!full)
        return NULL;
    if (root_real && path[0] != '/') {
        memcpy(full, root_real, rl);
        full[rl] = '/';
        memcpy(full + rl + 1, path, len);
        full[rl + 1 + len] = '\0';
    } else {
        memcpy(full, path, len);
        full[len] = '\0';
    }
    char *real = realpath(full, NULL);
    free(full);
    struct stat st;
    if (!real || stat(real, &st) || !S_ISREG(st.st_mode)
        || (root_real && !allow_outside && !inside(real, root_real))) {
        free(real);
        return NULL;
    }
    return real;
}

/*
 * realpath(dir/base) is realpath(dir)/base when base is an existing name
 * that is not a symlink, "." or "..": tables list thousands of clips per
 * folder, so the folder is resolved once and each clip costs one lstat
 * instead of a readlink per component. Anything else takes the full path.
 */
#define SAL_DIR_FDS 256

static uint64_t fnv1a(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

static int dir_grow(sal_dir_cache *c)
{
    size_t cap = c->cap ? 2 * c->cap : 64;
    sal_dir_ent *e = calloc(cap, sizeof *e);
    if (!e)
        return -1;
    for (size_t i = 0; i < c->cap; i++) {
        if (!c->e[i].dir)
            continue;
        size_t j = c->e[i].hash & (cap - 1);
        while (e[j].dir)
            j = (j + 1) & (cap - 1);
        e[j] = c->e[i];
    }
    free(c->e);
    c->e = e;
    c->cap = cap;
    return 0;
}

/* The folder's entry (resolved on first sight); NULL when it has no
 * realpath or memory ran out: the caller then takes the long way. */
static const sal_dir_ent *dir_lookup(sal_dir_cache *c, const char *dir, size_t dl)
{
    if ((c->n + 1) * 2 > c->cap && dir_grow(c))
        return NULL;
    uint64_t h = fnv1a(dir, dl);
    size_t j = h & (c->cap - 1);
    while (c->e[j].dir) {
        if (c->e[j].hash == h && c->e[j].dlen == dl && !memcmp(c->e[j].dir, dir, dl))
            return c->e[j].real ? &c->e[j] : NULL;
        j = (j + 1) & (c->cap - 1);
    }
    sal_dir_ent *e = &c->e[j];
    if (!(e->dir = malloc(dl + 1)))
        return NULL;
    memcpy(e->dir, dir, dl);
    e->dir[dl] = '\0';
    e->dlen = dl;
    e->hash = h;
    e->real = realpath(e->dir, NULL);
    e->fd = -1;
    /* Bounded: a table over many folders must not run out of descriptors. */
    if (e->real && c->nfd < SAL_DIR_FDS
        && (e->fd = open(e->real, O_PATH | O_DIRECTORY | O_CLOEXEC)) >= 0)
        c->nfd++;
    c->n++;
    return e->real ? e : NULL;
}

/* The long way, then the stat the caller wants. */
static char *resolve_stat(const char *path, size_t len, const char *root_real, int allow_outside,
                          struct stat *st)
{
    char *real = sigmix_sal_resolve(path, len, root_real, allow_outside);
    if (real && stat(real, st)) {
        free(real);
        return NULL;
    }
    return real;
}

char *sigmix_sal_resolve_cached(const char *path, size_t len, const char *root_real,
                                int allow_outside, sal_dir_cache *c, struct stat *st)
{
    if (!c || !path || len == 0 || memchr(path, '\0', len))
        return resolve_stat(path, len, root_real, allow_outside, st);
    size_t rl = root_real && path[0] != '/' ? strlen(root_real) : 0;
    char *full = malloc(rl + len + 2);
    if (!full)
        return NULL;
    size_t fl = 0;
    if (rl) {
        memcpy(full, root_real, rl);
        full[rl] = '/';
        fl = rl + 1;
    }
    memcpy(full + fl, path, len);
    fl += len;
    full[fl] = '\0';
    char *slash = strrchr(full, '/');
    const char *base = slash ? slash + 1 : NULL;
    if (!base || !*base || !strcmp(base, ".") || !strcmp(base, "..")) {
        free(full);
        return resolve_stat(path, len, root_real, allow_outside, st);
    }
    size_t dl = slash == full ? 1 : (size_t)(slash - full);
    const sal_dir_ent *ent = dir_lookup(c, full, dl);
    if (!ent) {
        free(full);
        return resolve_stat(path, len, root_real, allow_outside, st);
    }
    size_t cl = strlen(ent->real), bl = strlen(base);
    int at_root = cl == 1 && ent->real[0] == '/';
    char *real = malloc(cl + bl + 2);
    if (!real) {
        free(full);
        return NULL;
    }
    memcpy(real, ent->real, cl);
    if (!at_root)
        real[cl++] = '/';
    memcpy(real + cl, base, bl + 1);
    int r = ent->fd >= 0 ? fstatat(ent->fd, base, st, AT_SYMLINK_NOFOLLOW) : lstat(real, st);
    if (r == 0 && S_ISLNK(st->st_mode)) { /* the link decides: the long way */
        free(real);
        free(full);
        return resolve_stat(path, len, root_real, allow_outside, st);
    }
    free(full);
    if (r || !S_ISREG(st->st_mode) || (root_real && !allow_outside && !inside(real, root_real))) {
        free(real);
        return NULL;
    }
    return real;
}

void sigmix_sal_dir_cache_free(sal_dir_cache *c)
{
    for (size_t i = 0; i < c->cap; i++) {
        free(c->e[i].dir);
        free(c->e[i].real);
        if (c->e[i].dir && c->e[i].fd >= 0)
            close(c->e[i].fd);
    }
    free(c->e);
    memset(c, 0, sizeof *c);
}

/* ---- opening a clip once, confined, without blocking --------------------- */

/*
 * Component-wise walk under root_fd, refusing every symlink: the path was
 * resolved by realpath, so any link met now was put there after the check.
 */
static int walk_open(int root_fd, const char *rel)
{
    char *copy = strdup(rel);
    if (!copy) {
        errno = ENOMEM;
        return -1;
    }
    int dir = dup(root_fd), fd = -1;
    char *save = NULL, *comp = strtok_r(copy, "/", &save);
    while (dir >= 0 && comp) {
        char *next = strtok_r(NULL, "/", &save);
        if (!strcmp(comp, "..")) { /* realpath leaves none; refuse a forged one */
            errno = EXDEV;
            break;
        }
        int flags = next ? O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC
                         : O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
        int nfd = openat(dir, comp, flags);
        int e = errno;
        close(dir);
        errno = e;
        dir = -1;
        if (nfd < 0)
            break;
        if (next)
            dir = nfd;
        else
            fd = nfd;
        comp = next;
    }
    if (dir >= 0)
        close(dir);
    free(copy);
    return fd;
}

int sigmix_sal_open_beneath(const char *root_real, const char *rel, int try_openat2)
{
    int root_fd = open(root_real, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (root_fd < 0)
        return -1;
    int fd = -1;
    errno = ENOSYS;
#ifdef SYS_openat2
    if (try_openat2) {
        struct open_how how;
        memset(&how, 0, sizeof how);
        how.flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
        how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
        fd = (int)syscall(SYS_openat2, root_fd, rel, &how, sizeof how);
    }
#else
    (void)try_openat2;
#endif
    if (fd < 0 && (errno == ENOSYS || errno == EPERM)) /* old kernel, seccomp, or asked */
        fd = walk_open(root_fd, rel);
    int e = errno;
    close(root_fd);
    errno = e;
    return fd;
}

int sigmix_sal_open_source(const char *real, const char *root_real, int allow_outside,
                           char *msg, size_t n)
{
    int fd;
    if (root_real && !allow_outside) {
        if (!inside(real, root_real)) {
            snprintf(msg, n, "outside the root");
            return -1;
        }
        size_t rl = strlen(root_real);
        const char *rel = real + (rl == 1 ? 1 : rl);
        while (*rel == '/')
            rel++;
        fd = sigmix_sal_open_beneath(root_real, rel, 1);
    } else {
        fd = open(real, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    }
    if (fd < 0) {
        int e = errno;
        if (e == ELOOP || e == EXDEV || e == ENOTDIR)
            snprintf(msg, n, "cannot open: the path changed since it was checked "
                     "(a symlink or a path outside the root now stands there)");
        else
            snprintf(msg, n, "cannot open (%s)", strerror(e));
        return -1;
    }
    /* Only a regular file: a FIFO or device swapped in must not block us. */
    struct stat st;
    if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        close(fd);
        snprintf(msg, n, "not a regular file any more (it was replaced after the check)");
        return -1;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    return fd;
}

int sigmix_sal_too_large(int w, int h, long long max_pixels, char *msg, size_t n)
{
    long long lim = max_pixels > 0 && max_pixels < SAL_HARD_MAX_PIXELS ? max_pixels
                  : SAL_HARD_MAX_PIXELS;
    if (w <= 0 || h <= 0)
        return 0;
    if ((long long)w * h > lim) {
        snprintf(msg, n, "frame too large (%dx%d > %lld pixels)", w, h, lim);
        return 1;
    }
    /* FFmpeg's own image bound ((w+128)(h+128) < INT_MAX/8) is a little
     * below 2^28: say so here, not as an odd errno from deep inside. */
    if (av_image_check_size((unsigned)w, (unsigned)h, 0, NULL) < 0) {
        snprintf(msg, n, "frame too large (%dx%d is beyond FFmpeg's image size limit)", w, h);
        return 1;
    }
    return 0;
}

/* ---- hashing a table input ------------------------------------------------- */

/* Hash exactly the st_size bytes of an open regular file. */
static int hash_fd(int fd, uint64_t size, struct sha256_ctx *ctx, uint8_t *buf, size_t cap)
{
    uint64_t left = size;
    while (left) {
        size_t want = left < cap ? (size_t)left : cap;
        ssize_t r = read(fd, buf, want);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1; /* shrank while we read it, or an I/O error */
        sha256_update(ctx, (size_t)r, buf);
        left -= (uint64_t)r;
    }
    return 0;
}

/* keep: NULL closes the file; else *keep gets it, rewound to offset 0. */
static int hash_regular(const char *path, char hex[65], uint64_t *size, uint8_t *buf,
                        size_t cap, int *keep, sigmix_error *err)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    struct stat st;
    if (fd < 0)
        return sigmix_error_set(err, errno == ENOENT ? SIGMIX_ENOTFOUND : SIGMIX_EIO,
                                "cannot open (%s)", strerror(errno));
    if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        close(fd);
        return sigmix_error_set(err, SIGMIX_EUNSUPPORTED,
                                "not a regular file (a device, FIFO or socket cannot be "
                                "read twice: copy it to a file first)");
    }
    struct sha256_ctx ctx;
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256_init(&ctx);
    int r = hash_fd(fd, (uint64_t)st.st_size, &ctx, buf, cap);
    if (!r && keep && lseek(fd, 0, SEEK_SET) == 0) {
        int fl = fcntl(fd, F_GETFL);
        if (fl >= 0)
            fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
        *keep = fd;
    } else {
        close(fd);
    }
    if (r)
        return sigmix_error_set(err, SIGMIX_EIO, "read error while hashing (did it change?)");
    sha256_digest(&ctx, sizeof d, d);
    sigmix_sha256_hex(d, hex);
    *size = (uint64_t)st.st_size;
    return 0;
}

typedef struct hash_walk {
    struct sha256_ctx manifest;
    uint64_t total;
    uint8_t *buf;
    size_t   cap;
    int      depth;
    dev_t    dev[33];    /* the folders on the current path, to refuse loops */
    ino_t    ino[33];
    sigmix_error *err;
} hash_walk;

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

/* The files the Parquet folder reader takes, in its order (links followed as
 * it follows them; a folder that contains itself is refused). */
static int hash_dir(hash_walk *w, const char *dir, const char *rel)
{
    struct dirent **ents;
    int n = scandir(dir, &ents, NULL, by_name), r = 0;
    if (n < 0)
        return sigmix_error_set(w->err, SIGMIX_EIO, "cannot list folder %s (%s)",
                                *rel ? rel : ".", strerror(errno));
    for (int i = 0; i < n; i++) {
        const char *name = ents[i]->d_name;
        size_t len = strlen(name);
        char p[PATH_MAX], q[PATH_MAX];
        struct stat st;
        if (!r && name[0] != '.' && name[0] != '_'
            && snprintf(p, sizeof p, "%s/%s", dir, name) < (int)sizeof p
            && snprintf(q, sizeof q, "%s%s%s", rel, *rel ? "/" : "", name) < (int)sizeof q
            && !stat(p, &st)) {
            if (S_ISDIR(st.st_mode)) {
                for (int k = 0; k <= w->depth && !r; k++)
                    if (w->dev[k] == st.st_dev && w->ino[k] == st.st_ino)
                        r = sigmix_error_set(w->err, SIGMIX_EFORMAT,
                                             "%s: a symlink loop (the folder contains itself)", q);
                if (!r && w->depth >= 32)
                    r = sigmix_error_set(w->err, SIGMIX_EUNSUPPORTED,
                                         "%s: folders nested too deeply", q);
                if (!r) {
                    w->depth++;
                    w->dev[w->depth] = st.st_dev;
                    w->ino[w->depth] = st.st_ino;
                    r = hash_dir(w, p, q);
                    w->depth--;
                }
            } else if (S_ISREG(st.st_mode)
                       && ((len > 8 && !strcasecmp(name + len - 8, ".parquet"))
                           || (len > 5 && !strcasecmp(name + len - 5, ".parq")))) {
                char hex[65];
                uint64_t sz;
                sigmix_error e = { 0 };
                if (hash_regular(p, hex, &sz, w->buf, w->cap, NULL, &e)) {
                    r = sigmix_error_set(w->err, e.code, "%s: %s", q, e.message);
                } else {
                    /* manifest line as sha256sum prints it */
                    sha256_update(&w->manifest, 64, (const uint8_t *)hex);
                    sha256_update(&w->manifest, 2, (const uint8_t *)"  ");
                    sha256_update(&w->manifest, strlen(q), (const uint8_t *)q);
                    sha256_update(&w->manifest, 1, (const uint8_t *)"\n");
                    w->total += sz;
                }
            }
        }
        free(ents[i]);
    }
    free(ents);
    return r;
}

int sigmix_sal_hash_input(const char *path, char hex[65], uint64_t *size, int *fd,
                          sigmix_error *err)
{
    if (fd)
        *fd = -1;
    enum { CAP = 1 << 20 };
    struct stat st;
    /* Check what the path is before reading a byte: /dev/zero or a FIFO
     * would otherwise be read without end, or consumed before the reader. */
    if (stat(path, &st))
        return sigmix_error_set(err, errno == ENOENT ? SIGMIX_ENOTFOUND : SIGMIX_EIO,
                                "cannot open (%s)", strerror(errno));
    if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
        return sigmix_error_set(err, SIGMIX_EUNSUPPORTED,
                                "not a regular file or a Parquet folder (saliency reads its "
                                "input twice, to hash and to parse: copy a stream to a file "
                                "first)");
    uint8_t *buf = malloc(CAP);
    if (!buf)
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    int r;
    if (S_ISREG(st.st_mode)) {
        r = hash_regular(path, hex, size, buf, CAP, fd, err);
    } else {
        hash_walk w;
        memset(&w, 0, sizeof w);
        w.dev[0] = st.st_dev;
        w.ino[0] = st.st_ino;
        w.buf = buf;
        w.cap = CAP;
        w.err = err;
        sha256_init(&w.manifest);
        r = hash_dir(&w, path, "");
        if (!r) {
            uint8_t d[SHA256_DIGEST_SIZE];
            sha256_digest(&w.manifest, sizeof d, d);
            sigmix_sha256_hex(d, hex);
            *size = w.total;
        }
    }
    free(buf);
    return r;
}

int sigmix_sal_hash_file(const char *path, char hex[65], uint64_t *size, sigmix_error *err)
{
    enum { CAP = 1 << 20 };
    uint8_t *buf = malloc(CAP);
    if (!buf)
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    int r = hash_regular(path, hex, size, buf, CAP, NULL, err);
    free(buf);
    return r;
}
