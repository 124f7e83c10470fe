/*
 * Load-time helpers shared by compile.c and ops.c:
 * name -> value lookup, typed attribute access and refusal messages that
 * name the node, its operator and the attribute.
 */
#ifndef SIGMIX_ONNX_ATTRS_H
#define SIGMIX_ONNX_ATTRS_H

#include "onnx/internal.h"
#include "util/error.h"

typedef struct ox_cc {
    sigmix_onnx_model *m;
    sigmix_error      *err;
    const char       **keys; /* open-addressing name table */
    int               *ids;
    size_t             cap;
} ox_cc;

int  sigmix_ox_value_find(const ox_cc *c, const char *name);
int  sigmix_ox_value_add(ox_cc *c, const char *name, int *id);

const ox_attr *sigmix_ox_attr(const ox_rawnode *r, const char *name);
/* Refuse attributes not in the NULL-terminated list. */
int sigmix_ox_check_attrs(ox_cc *c, const ox_rawnode *r, const char *const *known);
int sigmix_ox_attr_int(ox_cc *c, const ox_rawnode *r, const char *name, int64_t def,
                       int64_t lo, int64_t hi, int64_t *out);
int sigmix_ox_attr_float(ox_cc *c, const ox_rawnode *r, const char *name, float def, float *out);
int sigmix_ox_attr_string(ox_cc *c, const ox_rawnode *r, const char *name, const char *def,
                          const char **out);
/* INTS attribute into out[0..*n) (at most max values, each in [lo, hi]); *n = 0 if absent. */
int sigmix_ox_attr_ints(ox_cc *c, const ox_rawnode *r, const char *name, int max, int64_t lo,
                        int64_t hi, int64_t *out, int *n);

/* Errors of the form "node 'NAME' (OP): ...". */
int sigmix_ox_refuse(ox_cc *c, const ox_rawnode *r, int code, const char *fmt, ...)
    SIGMIX_PRINTF(4, 5);

/** Static tensor behind input k of r, or NULL when absent, omitted or computed. */
const ox_tensor *sigmix_ox_static_input(ox_cc *c, const ox_rawnode *r, int k);

/** Fill node n (already holding op/name/inputs) from raw node r. */
int sigmix_ox_compile_node(ox_cc *c, const ox_rawnode *r, ox_node *n);

#endif
