/*
 * Schema analysis: which top-level fields are flat columns, which column
 * chunk holds each, and how its values map onto the column store.
 */
#include <stdio.h>
#include <string.h>

#include "table/parquet/pq_schema.h"
#include "util/error.h"

enum { MAX_SCHEMA_DEPTH = 64 };

int sigmix_pq_fields(const pq_file_meta *m, pq_field *out, size_t *nfields, size_t *nleaves,
                     sigmix_error *err)
{
    const pq_schema_el *s = m->schema;
    size_t n = m->nschema, leaf = 0, nf = 0;
    if (s[0].num_children <= 0 && n > 1)
        return sigmix_error_set(err, SIGMIX_EFORMAT, "malformed schema (root has no children)");
    /* Remaining children per open group; stack[0] is the root. */
    int64_t stack[MAX_SCHEMA_DEPTH];
    int depth = 1;
    stack[0] = s[0].num_children;
    for (size_t i = 1; i < n; i++) {
        while (depth > 0 && stack[depth - 1] == 0)
            depth--;
        if (depth == 0)
            return sigmix_error_set(err, SIGMIX_EFORMAT, "malformed schema (extra elements)");
        stack[depth - 1]--;
        const pq_schema_el *e = &s[i];
        if (depth == 1) {
            out[nf].el = e;
            out[nf].index = i;
            out[nf].leaf = leaf;
            out[nf].nested = e->num_children > 0 || e->repetition == PQ_REPEATED ||
                             e->type < 0;
            out[nf].nleaves = 0;
            nf++;
        }
        if (e->num_children > 0) {
            if (depth == MAX_SCHEMA_DEPTH)
                return sigmix_error_set(err, SIGMIX_EFORMAT, "schema nested too deeply");
            if ((uint64_t)e->num_children > n - i - 1)
                return sigmix_error_set(err, SIGMIX_EFORMAT,
                                        "malformed schema (more children than elements)");
            stack[depth++] = e->num_children;
        } else if (e->type >= 0) {
            leaf++;
            out[nf - 1].nleaves++;
        }
    }
    while (depth > 0 && stack[depth - 1] == 0)
        depth--;
    if (depth != 0)
        return sigmix_error_set(err, SIGMIX_EFORMAT, "malformed schema (missing elements)");
    *nfields = nf;
    *nleaves = leaf;
    return 0;
}

static int is_string(const pq_schema_el *e)
{
    return e->logical == PQ_LT_STRING || e->logical == PQ_LT_ENUM ||
           e->logical == PQ_LT_JSON || e->converted == PQ_CT_UTF8 ||
           e->converted == PQ_CT_ENUM || e->converted == PQ_CT_JSON;
}

static int is_decimal(const pq_schema_el *e)
{
    return e->logical == PQ_LT_DECIMAL || e->converted == PQ_CT_DECIMAL;
}

/* Integer annotation: *bits and *is_signed, or 0 when none. */
static int int_annotation(const pq_schema_el *e, int *bits, int *is_signed)
{
    if (e->logical == PQ_LT_INTEGER) {
        *bits = e->lt_bits;
        *is_signed = e->lt_signed;
        return 1;
    }
    switch (e->converted) {
    case PQ_CT_UINT_8:  *bits = 8;  *is_signed = 0; return 1;
    case PQ_CT_UINT_16: *bits = 16; *is_signed = 0; return 1;
    case PQ_CT_UINT_32: *bits = 32; *is_signed = 0; return 1;
    case PQ_CT_UINT_64: *bits = 64; *is_signed = 0; return 1;
    case PQ_CT_INT_8:   *bits = 8;  *is_signed = 1; return 1;
    case PQ_CT_INT_16:  *bits = 16; *is_signed = 1; return 1;
    case PQ_CT_INT_32:  *bits = 32; *is_signed = 1; return 1;
    case PQ_CT_INT_64:  *bits = 64; *is_signed = 1; return 1;
    default: return 0;
    }
}

/* Temporal annotation of INT32/INT64: fills conv and unit; 0 when none. */
static int temporal(const pq_schema_el *e, pq_leaf *l)
{
    if (e->logical == PQ_LT_DATE || e->converted == PQ_CT_DATE) {
        l->conv = CV_DATE;
        return e->type == PQ_INT32;
    }
    if (e->logical == PQ_LT_TIME || e->logical == PQ_LT_TIMESTAMP) {
        l->conv = e->logical == PQ_LT_TIME ? CV_TIME : CV_TIMESTAMP;
        l->unit = e->lt_unit ? e->lt_unit : PQ_UNIT_MICROS;
        l->utc = e->logical == PQ_LT_TIMESTAMP && e->lt_utc;
    } else if (e->converted == PQ_CT_TIME_MILLIS || e->converted == PQ_CT_TIME_MICROS) {
        l->conv = CV_TIME;
        l->unit = e->converted == PQ_CT_TIME_MILLIS ? PQ_UNIT_MILLIS : PQ_UNIT_MICROS;
    } else if (e->converted == PQ_CT_TS_MILLIS || e->converted == PQ_CT_TS_MICROS) {
        l->conv = CV_TIMESTAMP;
        l->unit = e->converted == PQ_CT_TS_MILLIS ? PQ_UNIT_MILLIS : PQ_UNIT_MICROS;
    } else {
        return 0;
    }
    /* TIME(MILLIS) is INT32; everything else is INT64. */
    if (l->conv == CV_TIME && l->unit == PQ_UNIT_MILLIS)
        return e->type == PQ_INT32;
    return e->type == PQ_INT64;
}

int sigmix_pq_leaf_setup(const pq_schema_el *e, pq_leaf *l, sigmix_kind *kind, unsigned *flags)
{
    static const int widths[] = { 1, 4, 8, 12, 4, 8, 0, 0 };
    int bits, sgn;
    l->el = e;
    l->name = e->name;
    l->type = e->type;
    l->max_def = e->repetition == PQ_OPTIONAL;
    l->width = e->type == PQ_FLBA ? e->type_length : widths[e->type];
    l->scale = e->scale;
    l->unit = 0;
    l->utc = 0;
    l->overflow = 0;
    *flags = 0;
    if (e->type == PQ_FLBA && (e->type_length <= 0 || e->type_length > (1 << 20)))
        return -1;
    if (is_decimal(e) && e->type != PQ_BOOLEAN && e->type != PQ_FLOAT &&
        e->type != PQ_DOUBLE && e->type != PQ_INT96) {
        if (e->logical == PQ_LT_DECIMAL)
            l->scale = e->scale;
        l->conv = CV_DECIMAL;
        *kind = SIGMIX_KIND_DOUBLE;
        return 0;
    }
    switch (e->type) {
    case PQ_BOOLEAN:
        l->conv = CV_BOOL;
        *kind = SIGMIX_KIND_BOOL;
        return 0;
    case PQ_INT32:
    case PQ_INT64:
        if (temporal(e, l)) {
            *kind = SIGMIX_KIND_STRING;
            *flags = SIGMIX_COLF_TEMPORAL;
            return 0;
        }
        *kind = SIGMIX_KIND_INT64;
        if (int_annotation(e, &bits, &sgn) && !sgn) {
            *flags = SIGMIX_COLF_UNSIGNED;
            l->conv = e->type == PQ_INT32 ? CV_U32 : CV_U64;
        } else {
            l->conv = e->type == PQ_INT32 ? CV_I32 : CV_I64;
        }
        return 0;
    case PQ_INT96:
        l->conv = CV_INT96;
        *kind = SIGMIX_KIND_STRING;
        *flags = SIGMIX_COLF_TEMPORAL;
        return 0;
    case PQ_FLOAT:
    case PQ_DOUBLE:
        l->conv = e->type == PQ_FLOAT ? CV_FLOAT : CV_DOUBLE;
        *kind = SIGMIX_KIND_DOUBLE;
        return 0;
    case PQ_FLBA:
        if (e->logical == PQ_LT_FLOAT16 && e->type_length == 2) {
            l->conv = CV_F16;
            *kind = SIGMIX_KIND_DOUBLE;
            return 0;
        }
        if (e->logical == PQ_LT_UUID && e->type_length == 16) {
            l->conv = CV_UUID;
            *kind = SIGMIX_KIND_STRING;
            return 0;
        }
        l->conv = is_string(e) ? CV_STRING : CV_BASE64;
        *kind = SIGMIX_KIND_STRING;
        return 0;
    case PQ_BYTE_ARRAY:
        l->conv = is_string(e) ? CV_STRING : CV_BASE64;
        *kind = SIGMIX_KIND_STRING;
        return 0;
    default:
        return -1;
    }
}
