/*
 * Resume journal: one JSON object per line, appended and flushed as clips
 * complete. Only lines of the exact shape this file writes are used
 * ({"key":"<64 hex>","mean":"<hex float>","var":"<hex float>",...}); hex
 * floats make the values round-trip bit for bit. Anything else (a line cut
 * by an interruption, foreign text) is ignored.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nettle/sha2.h>

#include "saliency/internal.h"
#include "saliency/shard.h"
#include "util/error.h"
#include "util/jsonw.h"
#include "util/sha256.h"

void sigmix_sal_key(char hex[65], const char *const *parts, size_t nparts)
{
    struct sha256_ctx ctx;
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256_init(&ctx);
    for (size_t i = 0; i < nparts; i++)
        sha256_update(&ctx, strlen(parts[i]) + 1, (const uint8_t *)parts[i]);
    sha256_digest(&ctx, sizeof d, d);
    sigmix_sha256_hex(d, hex); /* a merge makes one per clip: no printf */
}

int sigmix_sal_journal_line(char *buf, size_t n, const char *key, double mean,
                            double var, const char *source, int w, int h)
{
    size_t qn = sigmix_json_quote(source, strlen(source), NULL);
    char *q = malloc(qn + 1);
    if (!q)
        return SIGMIX_ENOMEM;
    sigmix_json_quote(source, strlen(source), q);
    q[qn] = '\0';
    int len = snprintf(buf, n, "{\"key\":\"%s\",\"mean\":\"%a\",\"var\":\"%a\","
                       "\"source\":%s,\"width\":%d,\"height\":%d}\n",
                       key, mean, var, q, w, h);
    free(q);
    return len > 0 && (size_t)len < n ? 0 : SIGMIX_ENOMEM;
}

static int parse_hexfloat(const char *p, const char *end, double *out, const char **next)
{
    if (p >= end || *p != '"')
        return -1;
    /* at most 39 bytes between the quotes, read as shard values are */
    const char *q = memchr(p + 1, '"', (size_t)(end - p - 1));
    if (!q || q - p > 40 || sigmix_sal_hexfloat(p + 1, (size_t)(q - p - 1), out))
        return -1;
    *next = q + 1;
    return 0;
}

static int parse_line(const char *p, const char *end, sal_journal_entry *e)
{
    static const char k0[] = "{\"key\":\"", k1[] = "\",\"mean\":", k2[] = ",\"var\":";
    size_t n0 = sizeof k0 - 1, n1 = sizeof k1 - 1, n2 = sizeof k2 - 1;
    if ((size_t)(end - p) < n0 + 64 + n1 || memcmp(p, k0, n0))
        return -1;
    p += n0;
    for (int i = 0; i < 64; i++)
        if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
            return -1;
    memcpy(e->key, p, 64);
    e->key[64] = '\0';
    p += 64;
    if (memcmp(p, k1, n1))
        return -1;
    p += n1;
    if (parse_hexfloat(p, end, &e->mean, &p) || (size_t)(end - p) < n2 || memcmp(p, k2, n2))
        return -1;
    p += n2;
    if (parse_hexfloat(p, end, &e->var, &p))
        return -1;
    /* The rest (source, geometry) is for people; the line must close. */
    return end[-1] == '}' ? 0 : -1;
}

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const sal_journal_entry *)a)->key, ((const sal_journal_entry *)b)->key);
}

/*
 * Open the journal without following a symlink and without blocking on a
 * FIFO, and make sure it is a regular file: sigmix truncates and appends to
 * it, which must never reach a file the user did not give sigmix.
 */
static int open_owned(const char *path, int flags, sigmix_error *err)
{
    int fd = open(path, flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0666);
    if (fd < 0) {
        int e = errno;
        if (e == ENOENT)
            return -1;
        if (e == ELOOP)
            sigmix_error_set(err, SIGMIX_EIO, "%s: the journal is a symbolic link; sigmix "
                             "refuses to follow it", path);
        else
            sigmix_error_set(err, SIGMIX_EIO, "%s: cannot open journal (%s)", path, strerror(e));
        return -2;
    }
    struct stat st;
    if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        close(fd);
        sigmix_error_set(err, SIGMIX_EIO, "%s: the journal is not a regular file", path);
        return -2;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    return fd;
}

FILE *sigmix_sal_journal_append(const char *path, sigmix_error *err)
{
    int fd = open_owned(path, O_WRONLY | O_APPEND | O_CREAT, err);
    if (fd == -1)
        sigmix_error_set(err, SIGMIX_EIO, "%s: cannot create journal", path);
    if (fd < 0)
        return NULL;
    FILE *f = fdopen(fd, "ab");
    if (!f) {
        close(fd);
        sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    }
    return f;
}

int sigmix_sal_journal_load(const char *path, sal_journal *j, sigmix_error *err)
{
    memset(j, 0, sizeof *j);
    int fd = open_owned(path, O_RDONLY, err);
    if (fd < 0)
        return fd == -1 ? 0 : SIGMIX_EIO;
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        close(fd);
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    }
    char *line = NULL;
    size_t cap = 0, good = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, f)) > 0) {
        if (line[len - 1] != '\n')
            break; /* cut by an interruption: dropped below */
        good += (size_t)len;
        sal_journal_entry e;
        if (parse_line(line, line + len - 1, &e))
            continue;
        if (j->n == j->cap) {
            size_t nc = j->cap ? 2 * j->cap : 64;
            sal_journal_entry *ne = realloc(j->e, nc * sizeof *ne);
            if (!ne) {
                free(line);
                fclose(f);
                sigmix_sal_journal_free(j);
                return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
            }
            j->e = ne;
            j->cap = nc;
        }
        j->e[j->n++] = e;
    }
    free(line);
    int bad = ferror(f);
    long total = ftell(f);
    fclose(f);
    if (bad) {
        sigmix_sal_journal_free(j);
        return sigmix_error_set(err, SIGMIX_EIO, "cannot read journal");
    }
    if (total >= 0 && (size_t)total != good) {
        int wfd = open_owned(path, O_WRONLY, err);
        int bad_trunc = wfd < 0 || ftruncate(wfd, (off_t)good);
        int e = errno;
        if (wfd >= 0)
            close(wfd);
        if (bad_trunc) {
            sigmix_sal_journal_free(j);
            return sigmix_error_set(err, SIGMIX_EIO, "cannot repair journal (%s)", strerror(e));
        }
    }
    if (j->n)
        qsort(j->e, j->n, sizeof *j->e, cmp_entry);
    return 0;
}

void sigmix_sal_journal_free(sal_journal *j)
{
    free(j->e);
    memset(j, 0, sizeof *j);
}

const sal_journal_entry *sigmix_sal_journal_find(const sal_journal *j, const char *key)
{
    sal_journal_entry k;
    if (!j->n)
        return NULL;
    snprintf(k.key, sizeof k.key, "%s", key);
    return bsearch(&k, j->e, j->n, sizeof *j->e, cmp_entry);
}
