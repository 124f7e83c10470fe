/*
 * Byte-stream input for the text table readers: opens a file and yields
 * its bytes in caller-sized pieces, decompressing gzip (zlib, concatenated
 * members included) or zstd (libzstd streaming) on the fly. Compression is
 * recognised by magic bytes; a .gz/.zst name whose bytes do not match is an
 * error. Memory is bounded: one 1 MiB input buffer plus the codec state.
 */
#ifndef SIGMIX_TABLE_STREAM_H
#define SIGMIX_TABLE_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "sigmix/common.h"

typedef struct sigmix_stream sigmix_stream;

typedef enum sigmix_stream_codec {
    SIGMIX_STREAM_PLAIN = 0,
    SIGMIX_STREAM_GZIP,
    SIGMIX_STREAM_ZSTD,
} sigmix_stream_codec;

/**
 * Open path for reading ("-": standard input, left open on close). Fails
 * (with a message such as "cannot open: No such file or directory") when
 * the file cannot be read; 0 bytes is an empty stream. On success *out owns
 * the stream.
 */
int sigmix_stream_open(const char *path, sigmix_stream **out, sigmix_error *err);

/**
 * Open an in-memory buffer (not copied; must outlive the stream). Used by
 * the fuzz targets and tests; same detection and errors as a file.
 */
int sigmix_stream_open_mem(const void *data, size_t size, const char *name,
                           sigmix_stream **out, sigmix_error *err);

/**
 * Read up to n bytes into buf: fewer only at the end of the data. Returns
 * the count (0 at the end) or a negative SIGMIX_E* code with err filled
 * ("bad gzip data: ... (byte offset N)", "truncated zstd data ...").
 */
long sigmix_stream_read(sigmix_stream *s, void *buf, size_t n, sigmix_error *err);

/**
 * Refuse to yield more than limit bytes (0: no limit): the read that would
 * pass it fails with SIGMIX_ENOMEM and "decompressed input exceeds
 * --max-input-bytes (N bytes)" ("input exceeds ..." when not compressed).
 */
void sigmix_stream_set_limit(sigmix_stream *s, uint64_t limit);

/**
 * Hash the raw input (the file's bytes as stored: compressed bytes for
 * gzip/zstd) with SHA-256 while it is read, so provenance needs no second
 * pass over the file. Call right after open.
 */
void sigmix_stream_hash(sigmix_stream *s);

/**
 * Finish the hash: reads (and hashes) whatever of the raw input is still
 * unread, then writes 64 hex digits + NUL to hex and the raw byte count to
 * *bytes. hex is "" when sigmix_stream_hash was not called.
 */
int sigmix_stream_digest(sigmix_stream *s, char hex[65], uint64_t *bytes, sigmix_error *err);

/** Bytes the stream will yield when known (plain regular files), else 0. */
uint64_t sigmix_stream_size_hint(const sigmix_stream *s);

/** Size of the (possibly compressed) input when known, else 0. */
uint64_t sigmix_stream_input_size(const sigmix_stream *s);

/** Close and free; *s becomes NULL. NULL is fine. */
void sigmix_stream_close(sigmix_stream **s);

#endif
