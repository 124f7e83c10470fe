/* SHA-256 of a file through nettle, for run provenance. */
#ifndef SIGMIX_UTIL_SHA256_H
#define SIGMIX_UTIL_SHA256_H

#include <stdint.h>

#include <pthread.h>

#include "sigmix/common.h"
#include "sigmix/table.h"

/** Hash the file at path into hex (64 chars + NUL); *size gets its byte size. */
int sigmix_sha256_file(const char *path, char hex[65], uint64_t *size, sigmix_error *err);

/** Hash n bytes at p into hex (64 chars + NUL). */
void sigmix_sha256_buf(const void *p, size_t n, char hex[65]);

/** A 32-byte digest as 64 lowercase hex digits + NUL. */
void sigmix_sha256_hex(const uint8_t d[32], char hex[65]);

/**
 * Hash a regular file on a thread of its own while the caller reads it
 * (for readers that fetch a file by ranges, such as Parquet). start with
 * path NULL, or a path that is not a regular file, does nothing; finish
 * joins and, when the hash succeeded and digest is non-NULL, fills it.
 */
typedef struct sigmix_sha256_job {
    const char        *path;
    pthread_t          th;
    int                started, rc;
    char               hex[65];
    uint64_t           size;
} sigmix_sha256_job;

void sigmix_sha256_start(sigmix_sha256_job *j, const char *path);
int  sigmix_sha256_finish(sigmix_sha256_job *j, sigmix_read_digest *digest);

#endif
