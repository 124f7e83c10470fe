/*
 * Point-wise operators: Relu, LeakyRelu, Sigmoid, Clip, Identity (one input,
 * same shape), Add/Sub/Mul/Div (numpy broadcasting), BatchNormalization
 * (folded into a preceding Conv by compile.c where it can be) and
 * GlobalAveragePool. Kernels in eltwise.c.
 */
#include <math.h>
#include <string.h>

#include "onnx/ops.h"

/* Clip: bounds from attributes (opset < 11) or from static inputs. */
static int compile_clip(ox_cc *c, const ox_rawnode *r, ox_node *n)
{
    static const char *const known[] = { "min", "max", NULL };
    if (sigmix_ox_check_attrs(c, r, known) ||
        sigmix_ox_attr_float(c, r, "min", -INFINITY, &n->lo) ||
        sigmix_ox_attr_float(c, r, "max", INFINITY, &n->hi))
        return -1;
    for (int k = 1; k < r->nin && k < 3; k++) {
        if (!r->in[k][0])
            continue;
        const ox_tensor *t = sigmix_ox_static_input(c, r, k);
        if (!t || t->dtype != ONNX_FLOAT || t->n != 1)
            return sigmix_ox_refuse(c, r, SIGMIX_EUNSUPPORTED,
                                    "the %s input must be a float32 scalar initializer",
                                    k == 1 ? "min" : "max");
        *(k == 1 ? &n->lo : &n->hi) = t->f[0];
    }
    n->nin = 1;
    return 0;
}

static int compile_bn(ox_cc *c, const ox_rawnode *r, ox_node *n)
{
    static const char *const known[] = { "epsilon", "momentum", "spatial", "training_mode",
                                         "is_test", "consumed_inputs", NULL };
    int64_t v;
    float eps;
    if (sigmix_ox_check_attrs(c, r, known) ||
        sigmix_ox_attr_float(c, r, "epsilon", 1e-5f, &eps) ||
        sigmix_ox_attr_int(c, r, "spatial", 1, 1, 1, &v) ||
        sigmix_ox_attr_int(c, r, "training_mode", 0, 0, 0, &v))
        return -1;
    if (r->nin != 5)
        return sigmix_ox_refuse(c, r, SIGMIX_EFORMAT, "expects 5 inputs, has %d", r->nin);
    const ox_tensor *p[4];
    for (int k = 0; k < 4; k++) {
        p[k] = sigmix_ox_static_input(c, r, k + 1);
        if (!p[k] || p[k]->dtype != ONNX_FLOAT || p[k]->ndim != 1 || p[k]->n != p[0]->n)
            return sigmix_ox_refuse(c, r, SIGMIX_EUNSUPPORTED,
                                    "scale, bias, mean and var must be float32 initializers "
                                    "of one length");
    }
    size_t ch = p[0]->n;
    n->w = sigmix_ox_copy_floats(c, NULL, ch, 0.0f);
    n->b = sigmix_ox_copy_floats(c, NULL, ch, 0.0f);
    if (!n->w || !n->b)
        return sigmix_ox_oom(c, r);
    for (size_t k = 0; k < ch; k++) { /* y = x*w + b */
        float s = p[0]->f[k] / sqrtf(p[3]->f[k] + eps);
        n->w[k] = s;
        n->b[k] = p[1]->f[k] - p[2]->f[k] * s;
    }
    n->cout = (int)ch;
    n->nin = 1;
    return 0;
}

static int leaky_compile(ox_cc *c, const ox_rawnode *r, ox_node *n)
{
    static const char *const known[] = { "alpha", NULL };
    return sigmix_ox_check_attrs(c, r, known) ||
           sigmix_ox_attr_float(c, r, "alpha", 0.01f, &n->alpha) ? -1 : 0;
}

static int same_shape(run_ctx *c, const ox_node *n, const rt_tensor **in, rt_tensor *y)
{
    (void)c;
    (void)n;
    y->s = in[0]->s;
    return 0;
}

static int unary_exec(run_ctx *c, const ox_node *n, const rt_tensor **in, rt_tensor *y)
{
    sigmix_ox_unary_op(c, n, in[0]->data, y->buf, sigmix_ox_elems(&in[0]->s));
    return 0;
}

static int binary_shape(run_ctx *c, const ox_node *n, const rt_tensor **in, rt_tensor *y)
{
    return sigmix_ox_broadcast(&in[0]->s, &in[1]->s, &y->s)
               ? sigmix_ox_node_fail(c, n, SIGMIX_EMODEL, "input shapes cannot be broadcast")
               : 0;
}

static int binary_exec(run_ctx *c, const ox_node *n, const rt_tensor **in, rt_tensor *y)
{
    (void)c;
    sigmix_ox_binary(n->op, in[0]->data, &in[0]->s, in[1]->data, &in[1]->s, y->buf, &y->s);
    return 0;
}

static int bn_shape(run_ctx *c, const ox_node *n, const rt_tensor **in, rt_tensor *y)
{
    const ox_shape *s = &in[0]->s;
    if (s->ndim < 2 || s->d[1] != n->cout)
        return sigmix_ox_node_fail(c, n, SIGMIX_EMODEL, "input channels do not match");
    y->s = *s;
    return 0;
}

static int bn_exec(run_ctx *c, const ox_node *n, const rt_tensor **in, rt_tensor *y)
{
    const ox_shape *s = &in[0]->s;
    (void)c;
    sigmix_ox_bn(n, in[0]->data, y->buf, s->d[0], s->d[1],
                 sigmix_ox_elems(s) / (s->d[0] * s->d[1]));
    return 0;
}

static int gap_shape(run_ctx *c, const ox_node *n, const rt_tensor **in, rt_tensor *y)
{
    const ox_shape *s = &in[0]->s;
    if (s->ndim < 3)
        return sigmix_ox_node_fail(c, n, SIGMIX_EMODEL, "expects at least 3-D input");
    y->s = *s;
    for (int i = 2; i < s->ndim; i++)
        y->s.d[i] = 1;
    return 0;
}

static int gap_exec(run_ctx *c, const ox_node *n, const rt_tensor **in, rt_tensor *y)
{
    const ox_shape *s = &in[0]->s;
    (void)c;
    (void)n;
    sigmix_ox_gap(in[0]->data, y->buf, s->d[0] * s->d[1], sigmix_ox_elems(s) / (s->d[0] * s->d[1]));
    return 0;
}

#define PLAIN sigmix_ox_compile_plain
const ox_opdef sigmix_ox_op_relu = { "Relu", OP_RELU, 1, 1, PLAIN, same_shape, unary_exec };
const ox_opdef sigmix_ox_op_leaky_relu = { "LeakyRelu", OP_LEAKY, 1, 1, leaky_compile, same_shape,
                                           unary_exec };
const ox_opdef sigmix_ox_op_sigmoid = { "Sigmoid", OP_SIGMOID, 1, 1, PLAIN, same_shape,
                                        unary_exec };
const ox_opdef sigmix_ox_op_clip = { "Clip", OP_CLIP, 1, 3, compile_clip, same_shape, unary_exec };
const ox_opdef sigmix_ox_op_identity = { "Identity", OP_IDENTITY, 1, 1, PLAIN, same_shape,
                                         unary_exec };
const ox_opdef sigmix_ox_op_add = { "Add", OP_ADD, 2, 2, PLAIN, binary_shape, binary_exec };
const ox_opdef sigmix_ox_op_sub = { "Sub", OP_SUB, 2, 2, PLAIN, binary_shape, binary_exec };
const ox_opdef sigmix_ox_op_mul = { "Mul", OP_MUL, 2, 2, PLAIN, binary_shape, binary_exec };
const ox_opdef sigmix_ox_op_div = { "Div", OP_DIV, 2, 2, PLAIN, binary_shape, binary_exec };
const ox_opdef sigmix_ox_op_batch_norm = { "BatchNormalization", OP_BN, 5, 5, compile_bn,
                                           bn_shape, bn_exec };
const ox_opdef sigmix_ox_op_global_average_pool = { "GlobalAveragePool", OP_GAP, 1, 1, PLAIN,
                                                    gap_shape, gap_exec };
