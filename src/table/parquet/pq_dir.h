/*
 * Parquet datasets: a single file, or a folder whose *.parquet files (in
 * name order, recursively) form one table; key=value folder names become
 * STRING columns. Owned by the Parquet reader.
 */
#ifndef SIGMIX_PQ_DIR_H
#define SIGMIX_PQ_DIR_H

#include <stddef.h>

#include "sigmix/table.h"

typedef struct pq_dfile {
    char   *path;     /* as given to open() */
    char   *rel;      /* relative to the folder (for messages) */
    size_t  row0, nrows;
    char  **vals;     /* partition value per dataset key (NULL: null) */
    size_t  npairs;   /* while walking: (key index, value) per key=value folder */
    size_t  pkey[32];
    char   *pval[32];
} pq_dfile;

typedef struct pq_dataset {
    int       is_dir;
    size_t    nfiles;
    pq_dfile *files;
    size_t    nkeys;
    char    **keys;   /* partition keys in first-seen order */
    long     *key_col; /* table column per key, -1 when not loaded */
} pq_dataset;

int  sigmix_pq_dataset_open(const char *path, pq_dataset *ds, sigmix_error *err);
/* Add the STRING columns of the partition keys the options ask for. */
int  sigmix_pq_dataset_add_keys(pq_dataset *ds, sigmix_table *t, const sigmix_read_options *o,
                                sigmix_error *err);
/* Fill file i's rows of the partition columns. */
int  sigmix_pq_dataset_fill_keys(const pq_dataset *ds, size_t i, sigmix_table *t, sigmix_error *err);
void sigmix_pq_dataset_free(pq_dataset *ds);

#endif
