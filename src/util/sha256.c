#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/sha2.h>

#include "util/error.h"
#include "util/sha256.h"

int sigmix_sha256_file(const char *path, char hex[65], uint64_t *size, sigmix_error *err)
{
    enum { BUF = 1 << 20 };
    FILE *f = fopen(path, "rb");
    if (!f)
        return sigmix_error_open(err, errno);
    unsigned char *buf = malloc(BUF);
    if (!buf) {
        fclose(f);
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    }
    struct sha256_ctx ctx;
    uint64_t total = 0;
    size_t n;
    sha256_init(&ctx);
    while ((n = fread(buf, 1, BUF, f)) > 0) {
        sha256_update(&ctx, n, buf);
        total += n;
    }
    int bad = ferror(f);
    fclose(f);
    free(buf);
    if (bad)
        return sigmix_error_set(err, SIGMIX_EIO, "read error while hashing");
    unsigned char d[SHA256_DIGEST_SIZE];
    sha256_digest(&ctx, sizeof d, d);
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    if (size)
        *size = total;
    return 0;
}
