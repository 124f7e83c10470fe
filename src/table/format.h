/*
 * Internal entry points of the table readers and writers. The public
 * sigmix_table_read/write (format.c) pick one by format and wrap writers
 * in an atomic file.
 */
#ifndef SIGMIX_TABLE_FORMAT_H
#define SIGMIX_TABLE_FORMAT_H

#include <stdio.h>

#include "sigmix/table.h"

/* Readers fill a fresh table *out (NULL on failure). `o` is never NULL. */
typedef int (*sigmix_read_fn)(const char *path, const sigmix_read_options *o,
                              sigmix_table **out, sigmix_error *err);
/* Writers write the whole table to f. `o` is never NULL. */
typedef int (*sigmix_write_fn)(const sigmix_table *t, FILE *f,
                               const sigmix_write_options *o, sigmix_error *err);

int sigmix_jsonl_read(const char *path, const sigmix_read_options *o,
                      sigmix_table **out, sigmix_error *err);
int sigmix_json_read(const char *path, const sigmix_read_options *o,
                     sigmix_table **out, sigmix_error *err);
int sigmix_csv_read(const char *path, const sigmix_read_options *o,
                    sigmix_table **out, sigmix_error *err);
/* path may be a folder of *.parquet files (partitioned dataset). */
int sigmix_parquet_read(const char *path, const sigmix_read_options *o,
                        sigmix_table **out, sigmix_error *err);

int sigmix_jsonl_write(const sigmix_table *t, FILE *f,
                       const sigmix_write_options *o, sigmix_error *err);
int sigmix_json_write(const sigmix_table *t, FILE *f,
                      const sigmix_write_options *o, sigmix_error *err);
int sigmix_csv_write(const sigmix_table *t, FILE *f,
                     const sigmix_write_options *o, sigmix_error *err);
int sigmix_parquet_write(const sigmix_table *t, FILE *f,
                         const sigmix_write_options *o, sigmix_error *err);

/* sigmix_table_write_stream is public: sigmix/table.h. */

#endif
