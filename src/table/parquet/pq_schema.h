/* Parquet schema -> top-level fields and column store mapping (reader). */
#ifndef SIGMIX_PQ_SCHEMA_H
#define SIGMIX_PQ_SCHEMA_H

#include "table/parquet/pq_internal.h"

/* A top-level field of the schema. */
typedef struct pq_field {
    const pq_schema_el *el;
    size_t index;    /* schema element index */
    size_t leaf;     /* first column chunk index of the field */
    size_t nleaves;  /* column chunks it spans */
    int    nested;   /* group, list, map or repeated: not a flat column */
} pq_field;

/*
 * List the top-level fields (out has room for m->nschema entries) and
 * count the leaves (column chunks per row group). Validates the tree.
 */
int sigmix_pq_fields(const pq_file_meta *m, pq_field *out, size_t *nfields, size_t *nleaves,
                     sigmix_error *err);

/* Conversion for a flat leaf; returns -1 for an unusable element. */
int sigmix_pq_leaf_setup(const pq_schema_el *e, pq_leaf *l, sigmix_kind *kind, unsigned *flags);

#endif
