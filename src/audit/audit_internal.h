/* Internal state of an audit context (audit work). */
#ifndef SIGMIX_AUDIT_INTERNAL_H
#define SIGMIX_AUDIT_INTERNAL_H

#include <stdio.h>
#include <time.h>

#include "audit/families.h"
#include "sigmix/audit.h"
#include "util/arena.h"

typedef struct audit_table {
    sigmix_audit_result res;  /* public view; strings and arrays in arena */
    sigmix_arena        arena;
    int                 explicit_label; /* provenance: --input was LABEL=PATH */
} audit_table;

struct sigmix_audit {
    sigmix_audit_settings s;
    sigmix_family_set     fams;
    sigmix_family_set     metadata; /* one family: the metadata column pattern */
    audit_table         **tables;
    size_t                n, cap;
    time_t                started;
};

/*
 * Audit table t into r (arena-allocated). Never keeps t. Calls the warning
 * callback for a missing --target. Returns 0 or SIGMIX_ENOMEM.
 */
int sigmix_audit_analyze(const sigmix_audit *a, const sigmix_table *t, audit_table *r,
                         sigmix_error *err);

/*
 * keep_matrix (html work): allocate r's matrix data in ar, fill the counts
 * and the row sample, set every off-diagonal r to NaN; the pair screen then
 * stores each pair's value in (*out)->pearson. st: the p signal columns'
 * statistics; target: column index or -1.
 */
struct sigmix_colstats;
int sigmix_audit_keep_begin(sigmix_arena *ar, const sigmix_table *t, const size_t *sig,
                            size_t p, const struct sigmix_colstats *st, long target,
                            sigmix_audit_matrix **out);

/* Markdown/JSON helpers shared by the report writers. */
const char *sigmix_audit_family_label(const sigmix_audit *a, const char *key);
const sigmix_audit_family *sigmix_audit_family_by_key(const sigmix_audit *a, const char *key);

/* Markdown escaping: a name as a safe code span; free text with backslash escapes. */
void sigmix_md_code(FILE *f, const char *s);
void sigmix_md_text(FILE *f, const char *s);

/* Whether family key was listed before entry k of table ti's missing
 * (weak = 0) or weak (weak = 1) list: the reports name each action once. */
int sigmix_audit_family_seen_before(const sigmix_audit *a, size_t ti, int weak, size_t k,
                                    const char *key);

/* The JSON report naming every output of the run in its provenance. */
int sigmix_audit_write_json_for(const sigmix_audit *a, FILE *f, const sigmix_audit_outputs *o,
                                sigmix_error *err);

/* The matrix table (sigmix_audit_write_matrix) written to an open stream,
 * its format taken from path, for a caller committing it with other outputs. */
int sigmix_audit_write_matrix_stream(const sigmix_audit *a, FILE *f, const char *path,
                                     sigmix_error *err);

#endif
