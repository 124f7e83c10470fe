/*
 * Layout operators: Reshape, Flatten, Squeeze, Unsqueeze (copies with a new
 * shape), Transpose and Concat. Static shapes/axes are read at load time.
 */
#include <stdlib.h>
#include <string.h>

#include "onnx/ops.h"

/* Integer list from an attribute (old opsets) or a static int64 input. */
static int int_list(ox_cc *c, const ox_rawnode *r, const char *attr, int input, int64_t *out,
                    int *n, int *given)
{
    *given = sigmix_ox_attr(r, attr) != NULL;
    if (*given)
        return sigmix_ox_attr_ints(c, r, attr, OX_MAXDIM, -OX_MAX_DIM, OX_MAX_DIM, out, n);
    *n = 0;
    if (input >= r->nin || !r->in[input][0])
        return 0;
    const ox_tensor *t = sigmix_ox_static_input(c, r, input);
    if (!t || t->dtype != ONNX_INT64 || t->n > OX_MAXDIM)
        return sigmix_ox_refuse(c, r, SIGMIX_EUNSUPPORTED,
                                "input %d must be a static int64 tensor of at most %d values",
                                input + 1, OX_MAXDIM);
    for (size_t k = 0; k < t->n; k++) {
        if (t->i[k] < -OX_MAX_DIM || t->i[k] > OX_MAX_DIM)
            return sigmix_ox_refuse(c, r, SIGMIX_EUNSUPPORTED, "value out of range");
        out[k] = t->i[k];
    }
    *n = (int)t->n;
    *given = 1;
    return 0;
}

static int compile_shape_op(ox_cc *c, const ox_rawnode *r, ox_node *n)
{
    static const char *const known[] = { "allowzero", "axis", "axes", "perm", "shape", NULL };
    int64_t v, list[OX_MAXDIM];
    int cnt, given;
    if (sigmix_ox_check_attrs(c, r, known))
        return -1;
    switch (n->op) {
    case OP_RESHAPE:
        if (sigmix_ox_attr_int(c, r, "allowzero", 0, 0, 1, &v) ||
            int_list(c, r, "shape", 1, n->shape, &n->nshape, &given))
            return -1;
        if (!given)
            return sigmix_ox_refuse(c, r, SIGMIX_EUNSUPPORTED, "the shape must be static");
        n->allowzero = (int)v;
        break;
    case OP_FLATTEN:
        if (sigmix_ox_attr_int(c, r, "axis", 1, -OX_MAXDIM, OX_MAXDIM, &v))
            return -1;
        n->axis = (int)v;
        break;
    case OP_TRANSPOSE:
        if (sigmix_ox_attr_ints(c, r, "perm", OX_MAXDIM, 0, OX_MAXDIM - 1, list, &cnt))
            return -1;
        n->nperm = cnt; /* 0: reverse, resolved at run time */
        for (int k = 0; k < cnt; k++)
            n->perm[k] = (int)list[k];
        break;
    default: /* Squeeze, Unsqueeze */
        if (int_list(c, r, "axes", 1, n->shape, &n->nshape, &given))
            return -1;
        if (n->op == OP_UNSQUEEZE && !given)
            return sigmix_ox_refuse(c, r, SIGMIX_EFORMAT, "axes are missing");
        n->allowzero = given; /* Squeeze: whether axes were given */
        break;
    }
    n->nin = 1;
    return 0;
}

static int reshape_shape(run_ctx *c, const ox_node *n, const ox_shape *s, ox_shape *o)
{
    int64_t total = sigmix_ox_elems(s), known = 1;
    int infer = -1;
    o->ndim = n->nshape;
    for (int i = 0; i < n->nshape; i++) {
        int64_t v = n->shape[i];
        if (v == 0 && !n->allowzero) {
            if (i >= s->ndim)
                return sigmix_ox_node_fail(c, n, SIGMIX_EMODEL, "shape copies a missing dimension");
            v = s->d[i];
        }
        if (v == -1) {
            if (infer >= 0)
                return sigmix_ox_node_fail(c, n, SIGMIX_EMODEL, "shape has two -1 entries");
            infer = i;
            v = 1;
        } else if (v < 0) {
            return sigmix_ox_node_fail(c, n, SIGMIX_EMODEL, "negative shape entry");
        }
        if (v && known > OX_MAX_ELEMS / v)
            return sigmix_ox_node_fail(c, n, SIGMIX_ENOMEM, "output tensor too large");
        o->d[i] = v;
        known *= v;
    }
    if (infer >= 0)
        o->d[infer] = known ? total / known : 0;
    if (sigmix_ox_elems(o) != total)
        return sigmix_ox_node_fail(c, n, SIGMIX_EMODEL, "cannot reshape %lld elements", (long long)total);
    return 0;
}

static int squeeze_shape(run_ctx *c, const ox_node *n, const ox_shape *s, ox_shape *o)
{
    char mark[OX_MAXDIM * 2] = { 0 };
    int r = n->op == OP_UNSQUEEZE ? s->ndim + n->nshape : s->ndim;
    if (r > OX_MAXDIM)
        return sigmix_ox_node_fail(c, n, SIGMIX_EUNSUPPORTED, "result has more than %d dimensions",
                         OX_MAXDIM);
    for (int i = 0; i < n->nshape; i++) {
        int a = sigmix_ox_norm_axis((int)n->shape[i], r);
        if (a < 0 || a >= r || mark[a] ||
            (n->op == OP_SQUEEZE && s->d[a] != 1))
            return sigmix_ox_node_fail(c, n, SIGMIX_EMODEL, "bad axis %lld", (long long)n->shape[i]);
        mark[a] = 1;
    }
    o->ndim = 0;
    for (int i = 0, j = 0; i < r; i++) {
        if (n->op == OP_UNSQUEEZE)
            o->d[o->ndim++] = mark[i] ? 1 : s->d[j++];
        else if (!(mark[i] || (!n->allowzero && s->d[i] == 1)))
            o->d[o->ndim++] = s->d[i];
    }
    return 0;
}

static void copy_piece(void *ctx, int t, int thread)
{
    const piece_job *j = ctx;
    (void)thread;
    /* piece t: find its chunk by walking the cumulative piece counts */
    int64_t first = 0;
    for (int k = 0;; k++) {
        int64_t np = (j->len[k] + PIECE - 1) / PIECE;
        if (t < first + np) {
            int64_t off = (t - first) * PIECE, n = j->len[k] - off < PIECE ? j->len[k] - off : PIECE;
            memcpy(j->dst + j->start[k] + off, j->src[k] + off, (size_t)n * sizeof(float));
            return;
        }
        first += np;
    }
}

/* Batch-1 style concat (one slab per input): copy the slabs not already in
 * place in parallel pieces. */
static int concat_flat(run_ctx *c, const ox_node *n, const rt_tensor **in, rt_tensor *y,
                       int64_t inner, int axis)
{
    const float **src = malloc(sizeof(*src) * (size_t)n->nin);
    int64_t *start = malloc(sizeof(int64_t) * 2 * (size_t)n->nin), *len = start + n->nin;
    if (!src || !start) {
        free(src);
        free(start);
        return sigmix_ox_node_fail(c, n, SIGMIX_ENOMEM, "out of memory");
    }
    int64_t off = 0, pieces = 0;
    for (int k = 0; k < n->nin; k++) {
        src[k] = in[k]->data;
        start[k] = off;
        len[k] = in[k]->s.d[axis] * inner;
        off += len[k];
        if (src[k] == y->buf + start[k])
            len[k] = 0; /* its producer wrote it in place (plan.c, concat_aliases) */
        pieces += (len[k] + PIECE - 1) / PIECE;
    }
    piece_job j = { n, src, y->buf, start, len, 0 };
    sigmix_ox_parallel(c->pool, copy_piece, &j, (int)pieces);
    free(src);
    free(start);
    return 0;
}

static int concat_op(run_ctx *c, const ox_node *n, const rt_tensor **in, rt_tensor *y, int phase)
{
    const ox_shape *s = &in[0]->s;
    int axis = sigmix_ox_norm_axis(n->axis, s->ndim);
    if (phase == 1) { /* copy each input's slab into place */
        int64_t outer = 1, inner = 1, off = 0, row = y->s.d[axis];
        for (int i = 0; i < axis; i++)
            outer *= y->s.d[i];
        for (int i = axis + 1; i < y->s.ndim; i++)
            inner *= y->s.d[i];
        if (outer == 1)
            return concat_flat(c, n, in, y, inner, axis);
        for (int k = 0; k < n->nin; k++) {
            int64_t chunk = in[k]->s.d[axis] * inner;
            for (int64_t o = 0; o < outer; o++)
                memcpy(y->buf + o * row * inner + off, in[k]->data + o * chunk,
                       (size_t)chunk * sizeof(float));
            off += chunk;
        }
        return 0;
    }
    if (axis < 0 || axis >= s->ndim)
        return sigmix_ox_node_fail(c, n, SIGMIX_EMODEL, "axis %d out of range", n->axis);
    y->s = *s;
    for (int k = 1; k < n->nin; k++) {
        const ox_shape *t = &in[k]->s;
        if (t->ndim != s->ndim)
            return sigmix_ox_node_fail(c, n, SIGMIX_EMODEL, "inputs have different ranks");
        for (int i = 0; i < s->ndim; i++)
            if (i != axis && t->d[i] != s->d[i])
                return sigmix_ox_node_fail(c, n, SIGMIX_EMODEL,
                                 "inputs differ on axis %d (%lld vs %lld); for a U-Net this "
                                 "means H and W are not a multiple of its down-sampling",
                                 i, (long long)s->d[i], (long long)t->d[i]);
        y->s.d[axis] += t->d[axis];
    }
    return 0;
}

static int copy_exec(run_ctx *c, const ox_node *n, const rt_tensor **in, rt_tensor *y)
{
    sigmix_ox_unary_op(c, n, in[0]->data, y->buf, sigmix_ox_elems(&in[0]->s));
    return 0;
}

static int reshape_op_shape(run_ctx *c, const ox_node *n, const rt_tensor **in, rt_tensor *y)
{
    return reshape_shape(c, n, &in[0]->s, &y->s);
}

static int squeeze_op_shape(run_ctx *c, const ox_node *n, const rt_tensor **in, rt_tensor *y)
{
    return squeeze_shape(c, n, &in[0]->s, &y->s);
}

static int flatten_shape(run_ctx *c, const ox_node *n, const rt_tensor **in, rt_tensor *y)
{
    const ox_shape *s = &in[0]->s;
    int a = sigmix_ox_norm_axis(n->axis, s->ndim);
    if (a < 0 || a > s->ndim)
        return sigmix_ox_node_fail(c, n, SIGMIX_EMODEL, "bad axis %d", n->axis);
    int64_t outer = 1;
    for (int i = 0; i < a; i++)
        outer *= s->d[i];
    y->s = (ox_shape){ 2, { outer, outer ? sigmix_ox_elems(s) / outer : 0 } };
    return 0;
}

static void transpose_perm(const ox_node *n, const ox_shape *s, int *perm)
{
    for (int i = 0; i < s->ndim; i++)
        perm[i] = n->nperm ? n->perm[i] : s->ndim - 1 - i;
}

static int transpose_shape(run_ctx *c, const ox_node *n, const rt_tensor **in, rt_tensor *y)
{
    const ox_shape *s = &in[0]->s;
    int perm[OX_MAXDIM];
    if (n->nperm && n->nperm != s->ndim)
        return sigmix_ox_node_fail(c, n, SIGMIX_EMODEL, "perm does not match the input rank");
    transpose_perm(n, s, perm);
    y->s.ndim = s->ndim;
    for (int i = 0, seen = 0; i < s->ndim; i++) {
        if (perm[i] >= s->ndim || (seen & (1 << perm[i])))
            return sigmix_ox_node_fail(c, n, SIGMIX_EMODEL, "perm is not a permutation");
        seen |= 1 << perm[i];
        y->s.d[i] = s->d[perm[i]];
    }
    return 0;
}

static int transpose_exec(run_ctx *c, const ox_node *n, const rt_tensor **in, rt_tensor *y)
{
    int perm[OX_MAXDIM];
    (void)c;
    transpose_perm(n, &in[0]->s, perm);
    sigmix_ox_transpose(in[0]->data, &in[0]->s, perm, y->buf);
    return 0;
}

static int concat_compile(ox_cc *c, const ox_rawnode *r, ox_node *n)
{
    static const char *const known[] = { "axis", NULL };
    int64_t axis;
    if (sigmix_ox_check_attrs(c, r, known) ||
        sigmix_ox_attr_int(c, r, "axis", INT64_MIN, -OX_MAXDIM, OX_MAXDIM - 1, &axis))
        return -1;
    if (axis == INT64_MIN)
        return sigmix_ox_refuse(c, r, SIGMIX_EFORMAT, "attribute 'axis' is missing");
    n->axis = (int)axis;
    return 0;
}

static int concat_shape(run_ctx *c, const ox_node *n, const rt_tensor **in, rt_tensor *y)
{
    return concat_op(c, n, in, y, 0);
}

static int concat_exec(run_ctx *c, const ox_node *n, const rt_tensor **in, rt_tensor *y)
{
    return concat_op(c, n, in, y, 1);
}

const ox_opdef sigmix_ox_op_reshape = { "Reshape", OP_RESHAPE, 1, 2, compile_shape_op,
                                        reshape_op_shape, copy_exec };
const ox_opdef sigmix_ox_op_flatten = { "Flatten", OP_FLATTEN, 1, 1, compile_shape_op,
                                        flatten_shape, copy_exec };
const ox_opdef sigmix_ox_op_squeeze = { "Squeeze", OP_SQUEEZE, 1, 2, compile_shape_op,
                                        squeeze_op_shape, copy_exec };
const ox_opdef sigmix_ox_op_unsqueeze = { "Unsqueeze", OP_UNSQUEEZE, 1, 2, compile_shape_op,
                                          squeeze_op_shape, copy_exec };
const ox_opdef sigmix_ox_op_transpose = { "Transpose", OP_TRANSPOSE, 1, 1, compile_shape_op,
                                          transpose_shape, transpose_exec };
const ox_opdef sigmix_ox_op_concat = { "Concat", OP_CONCAT, 1, 4096, concat_compile,
                                       concat_shape, concat_exec };
