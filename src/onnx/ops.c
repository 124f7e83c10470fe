/*
 * Load-time helpers every operator uses: attributes read with their type and
 * range checked, unknown attributes and unsupported values refused naming
 * the node, static inputs. Then the operator registry: each operator (or
 * small family) keeps its compile, shape and exec functions together in one
 * op_*.c file and is listed once, in OX_OPS (ops.h).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "onnx/ops.h"

const ox_attr *sigmix_ox_attr(const ox_rawnode *r, const char *name)
{
    for (int k = 0; k < r->nattr; k++)
        if (!strcmp(r->attrs[k].name, name))
            return &r->attrs[k];
    return NULL;
}

int sigmix_ox_refuse(ox_cc *c, const ox_rawnode *r, int code, const char *fmt, ...)
{
    char msg[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return sigmix_error_set(c->err, code, "node '%.120s' (%.60s): %s", r->name, r->op_type, msg);
}

int sigmix_ox_check_attrs(ox_cc *c, const ox_rawnode *r, const char *const *known)
{
    for (int k = 0; k < r->nattr; k++) {
        int ok = 0;
        for (const char *const *p = known; *p && !ok; p++)
            ok = !strcmp(*p, r->attrs[k].name);
        if (!ok)
            return sigmix_ox_refuse(c, r, SIGMIX_EUNSUPPORTED, "unsupported attribute '%.80s'",
                                    r->attrs[k].name);
    }
    return 0;
}

static int wrong_type(ox_cc *c, const ox_rawnode *r, const char *name)
{
    return sigmix_ox_refuse(c, r, SIGMIX_EFORMAT, "attribute '%s' has the wrong type", name);
}

int sigmix_ox_attr_int(ox_cc *c, const ox_rawnode *r, const char *name, int64_t def, int64_t lo,
                       int64_t hi, int64_t *out)
{
    const ox_attr *a = sigmix_ox_attr(r, name);
    *out = def;
    if (!a)
        return 0;
    if (a->type != ATTR_INT)
        return wrong_type(c, r, name);
    if (a->i < lo || a->i > hi)
        return sigmix_ox_refuse(c, r, SIGMIX_EUNSUPPORTED,
                                "unsupported attribute value %s=%lld", name, (long long)a->i);
    *out = a->i;
    return 0;
}

int sigmix_ox_attr_float(ox_cc *c, const ox_rawnode *r, const char *name, float def, float *out)
{
    const ox_attr *a = sigmix_ox_attr(r, name);
    *out = def;
    if (!a)
        return 0;
    if (a->type != ATTR_FLOAT)
        return wrong_type(c, r, name);
    *out = a->f;
    return 0;
}

int sigmix_ox_attr_string(ox_cc *c, const ox_rawnode *r, const char *name, const char *def,
                          const char **out)
{
    const ox_attr *a = sigmix_ox_attr(r, name);
    *out = def;
    if (!a)
        return 0;
    if (a->type != ATTR_STRING || !a->s)
        return wrong_type(c, r, name);
    *out = a->s;
    return 0;
}

int sigmix_ox_attr_ints(ox_cc *c, const ox_rawnode *r, const char *name, int max, int64_t lo,
                        int64_t hi, int64_t *out, int *n)
{
    const ox_attr *a = sigmix_ox_attr(r, name);
    *n = 0;
    if (!a)
        return 0;
    if (a->type != ATTR_INTS)
        return wrong_type(c, r, name);
    if (a->nints > (size_t)max)
        return sigmix_ox_refuse(c, r, SIGMIX_EUNSUPPORTED,
                                "attribute '%s' has %zu values (at most %d supported)", name,
                                a->nints, max);
    for (size_t k = 0; k < a->nints; k++) {
        if (a->ints[k] < lo || a->ints[k] > hi)
            return sigmix_ox_refuse(c, r, SIGMIX_EUNSUPPORTED,
                                    "unsupported value %lld in attribute '%s'",
                                    (long long)a->ints[k], name);
        out[k] = a->ints[k];
    }
    *n = (int)a->nints;
    return 0;
}

const ox_tensor *sigmix_ox_static_input(ox_cc *c, const ox_rawnode *r, int k)
{
    if (k >= r->nin || !r->in[k][0])
        return NULL;
    int id = sigmix_ox_value_find(c, r->in[k]);
    return id < 0 ? NULL : c->m->values[id].konst;
}

















float *sigmix_ox_copy_floats(ox_cc *c, const float *src, size_t n, float fill)
{
    float *p = sigmix_arena_alloc(&c->m->arena, (n ? n : 1) * sizeof(float));
    if (p)
        for (size_t k = 0; k < n; k++)
            p[k] = src ? src[k] : fill;
    return p;
}

int sigmix_ox_oom(ox_cc *c, const ox_rawnode *r)
{
    return sigmix_ox_refuse(c, r, SIGMIX_ENOMEM, "out of memory");
}

int sigmix_ox_compile_plain(ox_cc *c, const ox_rawnode *r, ox_node *n)
{
    static const char *const none[] = { NULL };
    (void)n;
    return sigmix_ox_check_attrs(c, r, none);
}

/* Constant nodes become static tensors in compile.c and never run. */
const ox_opdef sigmix_ox_op_constant = { "Constant", OP_CONSTANT, 0, 0, NULL, NULL, NULL };

/* ---- the registry: OX_OPS in ops.h lists every operator ---- */

#define OX_REF(name) &sigmix_ox_op_##name,
static const ox_opdef *const registry[] = { OX_OPS(OX_REF) };

const ox_opdef *sigmix_ox_op_find(const char *name)
{
    for (size_t k = 0; k < sizeof registry / sizeof *registry; k++)
        if (!strcmp(registry[k]->name, name))
            return registry[k];
    return NULL;
}

int sigmix_ox_compile_node(ox_cc *c, const ox_rawnode *r, ox_node *n)
{
    if (r->domain[0] && strcmp(r->domain, "ai.onnx"))
        return sigmix_ox_refuse(c, r, SIGMIX_EUNSUPPORTED, "unsupported operator domain '%.60s'",
                                r->domain);
    const ox_opdef *e = sigmix_ox_op_find(r->op_type);
    if (!e)
        return sigmix_ox_refuse(c, r, SIGMIX_EUNSUPPORTED, "unsupported operator");
    if (r->nin < e->min_in || r->nin > e->max_in || !r->in[0][0])
        return sigmix_ox_refuse(c, r, SIGMIX_EFORMAT, "unexpected number of inputs (%d)", r->nin);
    if (r->nout < 1 || !r->out[0][0])
        return sigmix_ox_refuse(c, r, SIGMIX_EFORMAT, "has no output");
    for (int k = 1; k < r->nout; k++)
        if (r->out[k][0])
            return sigmix_ox_refuse(c, r, SIGMIX_EUNSUPPORTED,
                                    "output %d ('%.60s') is not supported", k + 1, r->out[k]);
    n->op = e->op;
    n->def = e;
    return e->compile ? e->compile(c, r, n) : sigmix_ox_compile_plain(c, r, n);
}
