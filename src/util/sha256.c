#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nettle/sha2.h>

#include "util/error.h"
#include "util/sha256.h"

void sigmix_sha256_hex(const uint8_t d[32], char hex[65])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        hex[2 * i] = digits[d[i] >> 4];
        hex[2 * i + 1] = digits[d[i] & 15];
    }
    hex[64] = 0;
}

void sigmix_sha256_buf(const void *p, size_t n, char hex[65])
{
    struct sha256_ctx ctx;
    unsigned char d[SHA256_DIGEST_SIZE];
    sha256_init(&ctx);
    sha256_update(&ctx, n, p);
    sha256_digest(&ctx, sizeof d, d);
    sigmix_sha256_hex(d, hex);
}

int sigmix_sha256_file(const char *path, char hex[65], uint64_t *size, sigmix_error *err)
{
    /* Pieces that stay in the L2 cache between read() and the hash. Files
     * under SMALL_FILE (the program itself, run provenance's inputs) use a
     * smaller buffer: each fresh 4 KiB page costs a fault, which on some
     * virtual machines outweighs the extra read() calls. */
    enum { BUF = 256 << 10, SMALL_BUF = 32 << 10, SMALL_FILE = 8 << 20 };
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return sigmix_error_open(err, errno);
    struct stat st;
    size_t bufsize = !fstat(fd, &st) && st.st_size < SMALL_FILE ? SMALL_BUF : BUF;
    unsigned char *buf = malloc(bufsize);
    if (!buf) {
        close(fd);
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    }
    struct sha256_ctx ctx;
    uint64_t total = 0;
    ssize_t n;
    sha256_init(&ctx);
    for (;;) {
        n = read(fd, buf, bufsize);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        sha256_update(&ctx, (size_t)n, buf);
        total += (uint64_t)n;
    }
    close(fd);
    free(buf);
    if (n < 0)
        return sigmix_error_set(err, SIGMIX_EIO, "read error while hashing");
    unsigned char d[SHA256_DIGEST_SIZE];
    sha256_digest(&ctx, sizeof d, d);
    sigmix_sha256_hex(d, hex);
    if (size)
        *size = total;
    return 0;
}

static void *job_main(void *arg)
{
    sigmix_sha256_job *j = arg;
    j->rc = sigmix_sha256_file(j->path, j->hex, &j->size, NULL);
    return NULL;
}

void sigmix_sha256_start(sigmix_sha256_job *j, const char *path)
{
    struct stat st;
    memset(j, 0, sizeof *j);
    j->rc = -1;
    if (!path || stat(path, &st) || !S_ISREG(st.st_mode))
        return;
    j->path = path;
    j->started = pthread_create(&j->th, NULL, job_main, j) == 0;
    if (!j->started) /* no thread: hash here */
        job_main(j);
}

int sigmix_sha256_finish(sigmix_sha256_job *j, sigmix_read_digest *digest)
{
    if (j->started)
        pthread_join(j->th, NULL);
    j->started = 0;
    if (!j->rc && digest) {
        memcpy(digest->sha256, j->hex, sizeof j->hex);
        digest->bytes = j->size;
    }
    return j->rc;
}
