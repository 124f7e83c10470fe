/* SHA-256 of a file through nettle, for run provenance. */
#ifndef SIGMIX_UTIL_SHA256_H
#define SIGMIX_UTIL_SHA256_H

#include <stdint.h>

#include "sigmix/common.h"

/** Hash the file at path into hex (64 chars + NUL); *size gets its byte size. */
int sigmix_sha256_file(const char *path, char hex[65], uint64_t *size, sigmix_error *err);

/** A 32-byte digest as 64 lowercase hex digits + NUL. */
void sigmix_sha256_hex(const uint8_t d[32], char hex[65]);

#endif
