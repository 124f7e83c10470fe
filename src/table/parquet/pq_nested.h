/*
 * Nested top-level columns (structs, lists, maps, repeated fields) as
 * JSON text: each leaf's levels and values are decoded into a pq_nsink,
 * then records are assembled from the repetition/definition levels
 * (Dremel) following the schema: struct -> object (fields in schema
 * order), LIST / repeated -> array, MAP -> array of {"key", "value"}.
 * Owned by the Parquet reader.
 */
#ifndef SIGMIX_PQ_NESTED_H
#define SIGMIX_PQ_NESTED_H

#include "table/parquet/pq_internal.h"

enum { PQ_N_PRIM, PQ_N_STRUCT, PQ_N_LIST, PQ_N_MAP };

typedef struct pq_nnode {
    const pq_schema_el *el;
    int    kind;
    int    def, rep;        /* levels of a present instance of this node */
    size_t kid0, nkids;     /* children: kids[kid0 .. kid0 + nkids) */
    size_t leaf0, nleaves;  /* leaves under it: leaves[leaf0 .. leaf0 + nleaves) */
} pq_nnode;

/* A nested top-level field and its plan. */
typedef struct pq_nfield {
    const char *name;
    size_t      dest;      /* table column (kind JSON) */
    pq_nnode   *nodes;     /* nodes[0] is the field itself */
    size_t      nnodes;
    size_t     *kids;      /* node indices */
    pq_leaf    *leaves;
    size_t      nleaves;
    int         failed;    /* a row group could not be rendered */
    char        why[256];  /* its message */
} pq_nfield;

/*
 * Build the plan of the field whose schema element is m->schema[index]
 * and whose first column chunk is first_leaf. Returns 0, or -1 when the
 * field cannot be rendered (caller skips it with a warning).
 */
int  sigmix_pq_nfield_init(pq_nfield *f, const pq_file_meta *m, size_t index, size_t first_leaf);
void sigmix_pq_nfield_free(pq_nfield *f);

/* Decode the field's chunks of one row group and store its JSON rows. */
int  sigmix_pq_read_nested(pq_worker *w, const pq_job *j, pq_nfield *f, sigmix_error *err);

#endif
