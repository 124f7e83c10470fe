/*
 * UTF-8 validation shared by every writer (JSON, JSON Lines, CSV, Parquet,
 * reports): sigmix refuses to write a name or string value that is not
 * valid UTF-8 instead of passing the bytes on (a reader, sigmix's own
 * included, would then refuse the output).
 */
#ifndef SIGMIX_UTIL_UTF8_H
#define SIGMIX_UTIL_UTF8_H

#include <stddef.h>

/**
 * 1 when s[0..n) is valid UTF-8 (RFC 3629: shortest forms only, no
 * surrogates, at most U+10FFFF), else 0. When bad_at is non-NULL and the
 * text is invalid, *bad_at receives the offset of the first bad byte.
 * NUL bytes are valid UTF-8.
 */
int sigmix_utf8_valid(const char *s, size_t n, size_t *bad_at);

#endif
