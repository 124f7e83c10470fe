/*
 * Column-store calls for the table readers only (not public API).
 * Owned by src/table/table.c.
 */
#ifndef SIGMIX_TABLE_INTERNAL_H
#define SIGMIX_TABLE_INTERNAL_H

#include <stddef.h>

#include "sigmix/table.h"

/*
 * sigmix_table_reserve for a reader that knows its final size and fills
 * the rows from several threads: when the numeric arrays come from the
 * huge-page slab (see table.c), their rows are left uninitialised, so
 * that the first write to each page - which costs the kernel a page
 * clear, a large share of reading a big table in a virtual machine -
 * happens on the decoding threads, in parallel and just before the
 * values land there, instead of serially here. The caller must then
 * pass every row of every numeric column through sigmix_table_clear_rows
 * before anything else reads or writes it. Without a slab this is
 * sigmix_table_reserve (rows already cleared; clearing again is harmless).
 */
int sigmix_table_reserve_uninit(sigmix_table *t, size_t rows);

/* Rows r0..r0+n of a numeric column to null (f64 NaN, valid 0, i64 0),
 * as sigmix_table_reserve leaves new rows; other kinds are untouched. */
void sigmix_table_clear_rows(sigmix_column *c, size_t r0, size_t n);

#endif
