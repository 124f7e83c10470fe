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

/*
 * Append n columns names[i] of kinds[i] (index[i]: their positions) whose
 * arrays come from one block and whose rows 0..rows-1 are left
 * UNINITIALISED: for a caller that writes every one of those rows of
 * every array the kind has (valid; f64 when numeric; i64 for INT64; str
 * for STRING/JSON) before anything reads them - the joins, whose new
 * columns add_column would zero and NaN-fill only for the join to
 * overwrite. Rows past the end read null as after sigmix_table_add_column.
 * A name already present, repeated, NULL or a bad kind: SIGMIX_EINVAL
 * with the table unchanged. SIGMIX_ENOMEM may leave the first columns
 * added. *failed (may be NULL): the name that was refused or failed.
 */
int sigmix_table_add_columns_uninit(sigmix_table *t, const char *const *names,
                                    const sigmix_kind *kinds, size_t n, size_t *index,
                                    size_t *failed);

#endif
