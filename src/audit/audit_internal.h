/* Internal state of an audit context (audit work). */
#ifndef SIGMIX_AUDIT_INTERNAL_H
#define SIGMIX_AUDIT_INTERNAL_H

#include <regex.h>
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
    regex_t               metadata_re;
    int                   metadata_ok;
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

/* Markdown/JSON helpers shared by the report writers. */
const char *sigmix_audit_family_label(const sigmix_audit *a, const char *key);
const sigmix_audit_family *sigmix_audit_family_by_key(const sigmix_audit *a, const char *key);

/* Markdown escaping: a name as a safe code span; free text with backslash escapes. */
void sigmix_md_code(FILE *f, const char *s);
void sigmix_md_text(FILE *f, const char *s);

#endif
