/*
 * Plumbing shared by the text readers: double-buffered batch input over a
 * sigmix_stream (one buffer is parsed while the next is read).
 */
#ifndef SIGMIX_TABLE_TEXTREAD_H
#define SIGMIX_TABLE_TEXTREAD_H

#include <stddef.h>

#include "sigmix/table.h"
#include "table/colbuild.h"
#include "table/stream.h"

/** Batch buffer size with its padding (the buffers grow for longer rows). */
#define SIGMIX_TEXT_BATCH ((size_t)4 << 20)

typedef struct sigmix_textin {
    sigmix_stream     *st;
    char              *buf[2];   /* each alloc + SIGMIX_SJ_PADDING bytes */
    size_t             alloc;
    size_t             have[2];
    int                eof[2];
    unsigned long long base[2];  /* stream offset of buf[i][0] */
    int                cur;
    int                next_code; /* error while reading the next batch */
    sigmix_error       next_err;
} sigmix_textin;

/** Open path ("-": standard input), yielding at most sigmix_text_limit(o)
 *  bytes after decompression (o may be NULL). */
int  sigmix_textin_open(sigmix_textin *in, const char *path, const sigmix_read_options *o,
                        sigmix_error *err);
/* Same over memory (fuzzing, tests): data must outlive the reader. */
int  sigmix_textin_open_mem(sigmix_textin *in, const void *data, size_t size,
                            const char *name, const sigmix_read_options *o, sigmix_error *err);
/** o->max_input_bytes, or the default when 0 (o may be NULL). */
uint64_t sigmix_text_limit(const sigmix_read_options *o);
/** After a successful read: fill o->digest (when asked) from the stream's
 *  hash, hashing whatever of the file the reader did not need. */
int  sigmix_textin_finish(sigmix_textin *in, const sigmix_read_options *o, sigmix_error *err);
void sigmix_textin_close(sigmix_textin *in);
/** Fill the current buffer from the start and drop a UTF-8 BOM. */
int  sigmix_textin_first(sigmix_textin *in, sigmix_error *err);
/** Double both buffers and read more into the current one. */
int  sigmix_textin_grow(sigmix_textin *in, sigmix_error *err);
/** Move cur[from..have) to the front and read more (grows when full). */
int  sigmix_textin_refill(sigmix_textin *in, size_t from, sigmix_error *err);
/** Carry cur[end..have) into the other buffer, ahead of its next read. */
void sigmix_textin_prepare_next(sigmix_textin *in, size_t end);
/** Read the other buffer (a side task for sigmix_jworkers_run). */
void sigmix_textin_read_next(void *in);
/** Switch to the other buffer; returns its read error, if any. */
int  sigmix_textin_next_result(sigmix_textin *in, sigmix_error *err);

/**
 * Once some rows are in the table, reserve room for the whole input of a
 * plain file, estimated from the bytes `done` so far (a little over), so
 * the column arrays are sized once instead of doubling past the row
 * count. Returns 1 when it made the estimate (call it once), else 0.
 */
int sigmix_text_reserve(sigmix_textin *in, sigmix_table *t, unsigned long long done);

/** The row count sigmix_text_reserve would reserve for `rows` rows in the
 *  first `done` bytes, or 0 when it cannot tell (size unknown). */
size_t sigmix_text_estimate_rows(sigmix_textin *in, size_t rows, unsigned long long done);

/** Parser threads for o->threads (0: sigmix_cpu_count()), 1..16. */
size_t sigmix_text_threads(const sigmix_read_options *o);

/* Readers over memory (fuzz targets, tests); same behaviour as the files. */
int sigmix_jsonl_read_mem(const void *data, size_t size, const sigmix_read_options *o,
                          sigmix_table **out, sigmix_error *err);
/* Tests: with 2 or more threads, the first part of each batch ends at the
 * first line end at or after batch offset split_at (the BOM not counted);
 * the second part takes the rest. split_at 0: as sigmix_jsonl_read_mem. */
int sigmix_jsonl_read_mem_split(const void *data, size_t size, const sigmix_read_options *o,
                                size_t split_at, sigmix_table **out, sigmix_error *err);
int sigmix_json_read_mem(const void *data, size_t size, const sigmix_read_options *o,
                         sigmix_table **out, sigmix_error *err);
/* Tests and fuzzing: the readers without the shim's key prediction and
 * direct stores (sigmix_jpool_general), to compare the fast path with. */
int sigmix_jsonl_read_mem_general(const void *data, size_t size, const sigmix_read_options *o,
                                  sigmix_table **out, sigmix_error *err);
int sigmix_json_read_mem_general(const void *data, size_t size, const sigmix_read_options *o,
                                 sigmix_table **out, sigmix_error *err);
int sigmix_csv_read_mem(const void *data, size_t size, const sigmix_read_options *o,
                        sigmix_table **out, sigmix_error *err);

#endif
