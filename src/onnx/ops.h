/*
 * The operator registry and what operator files share. Adding an operator:
 * write its compile (attributes, static inputs), shape (output shape and
 * kernel scratch) and exec functions in an op_*.c file that defines
 * `const ox_opdef sigmix_ox_op_NAME`, and add NAME to OX_OPS below (and the
 * file to meson.build). Graph passes single out a few ops through ox_op
 * (Conv fusion, the padding multiple); any other op uses OP_OTHER.
 */
#ifndef SIGMIX_ONNX_OPS_H
#define SIGMIX_ONNX_OPS_H

#include "onnx/attrs.h"
#include "onnx/eltwise.h"
#include "util/error.h"

typedef struct rt_tensor {
    ox_shape     s;
    const float *data;
    float       *buf; /* its place in the run's arena (NULL for constants and the input) */
} rt_tensor;

typedef struct run_ctx {
    const sigmix_onnx_model *m;
    ox_pool                 *pool;    /* NULL in the shape pass */
    rt_tensor               *t;       /* per value */
    int                      threads;
    size_t                   scratch; /* phase 0: floats per thread the node's kernel asks */
    sigmix_error            *err;
} run_ctx;

int sigmix_ox_node_fail(run_ctx *c, const ox_node *n, int code, const char *fmt, ...)
    SIGMIX_PRINTF(4, 5);
int64_t sigmix_ox_elems(const ox_shape *s);
/** Unary element-wise op of n (any non-unary op copies) over the pool, in pieces. */
void sigmix_ox_unary_op(run_ctx *c, const ox_node *n, const float *x, float *y, int64_t count);

static inline int sigmix_ox_norm_axis(int axis, int rank)
{
    return axis < 0 ? axis + rank : axis;
}

/* Large element-wise passes and copies are split into pieces across the pool. */
#define PIECE ((int64_t)1 << 15)

typedef struct piece_job {
    const ox_node *n;
    const float  **src;  /* per chunk (copy) or the single input (unary) */
    float         *dst;
    const int64_t *start, *len; /* per chunk: destination offset and length */
    int64_t        count;
} piece_job;

struct ox_opdef {
    const char *name;          /* ONNX op_type */
    ox_op       op;
    int         min_in, max_in;
    /* load time: check attributes, turn static inputs into node parameters */
    int (*compile)(ox_cc *c, const ox_rawnode *r, ox_node *n);
    /* set y->s from the inputs' shapes, and c->scratch (floats per thread) */
    int (*shape)(run_ctx *c, const ox_node *n, const rt_tensor **in, rt_tensor *y);
    /* compute into y->buf (shape already set) */
    int (*exec)(run_ctx *c, const ox_node *n, const rt_tensor **in, rt_tensor *y);
};

/* Every operator, one line each. */
#define OX_OPS(X)                                                                             \
    X(conv) X(conv_transpose) X(max_pool) X(average_pool) X(global_average_pool)          \
    X(relu) X(leaky_relu) X(sigmoid) X(clip) X(identity) X(add) X(sub) X(mul) X(div)      \
    X(batch_norm) X(concat) X(resize) X(upsample) X(reshape) X(flatten) X(transpose)      \
    X(squeeze) X(unsqueeze) X(constant)

#define OX_DECLARE(name) extern const ox_opdef sigmix_ox_op_##name;
OX_OPS(OX_DECLARE)

const ox_opdef *sigmix_ox_op_find(const char *name);
/* Shared load-time helpers (ops.c). */
int    sigmix_ox_compile_plain(ox_cc *c, const ox_rawnode *r, ox_node *n); /* no attributes */
float *sigmix_ox_copy_floats(ox_cc *c, const float *src, size_t n, float fill);
int    sigmix_ox_oom(ox_cc *c, const ox_rawnode *r);

#endif
