/* pandas metadata in a Parquet footer (see pq_pandas.c). Owned by the Parquet reader. */
#ifndef SIGMIX_PQ_PANDAS_H
#define SIGMIX_PQ_PANDAS_H

#include "sigmix/table.h"

/*
 * Flag the columns the `pandas` metadata names in index_columns with
 * SIGMIX_COLF_INDEX. Malformed JSON flags nothing (it is the writer's
 * note, not data). Returns 0, or -1 when out of memory.
 */
int sigmix_pq_pandas_index(sigmix_table *t, const char *json);

#endif
