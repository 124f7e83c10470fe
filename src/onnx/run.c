/*
 * Graph execution: the shape pass (phase 0 of every node, also used by the
 * memory plan), then the nodes in topological order, each writing into its
 * place in the plan's activation arena. Padding policy: the input is
 * padded on the bottom/right by edge replication up to the model's
 * multiple and the output cropped back (see docs/onnx.md).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "onnx/eltwise.h"
#include "onnx/pool.h"
#include "util/error.h"

typedef struct rt_tensor {
    ox_shape     s;
    const float *data;
    float       *buf; /* owned buffer (NULL for views of constants or the input) */
    size_t       cap;
} rt_tensor;

typedef struct run_ctx {
    const sigmix_onnx_model *m;
    ox_pool                 *pool;    /* NULL in the shape pass */
    rt_tensor               *t;       /* per value */
    int                      threads;
    size_t                   scratch; /* phase 0: floats per thread the node's kernel asks */
    sigmix_error            *err;
} run_ctx;

static int node_fail(run_ctx *c, const ox_node *n, int code, const char *fmt, ...)
    SIGMIX_PRINTF(4, 5);

static int node_fail(run_ctx *c, const ox_node *n, int code, const char *fmt, ...)
{
    char msg[320];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return sigmix_error_set(c->err, code, "node '%.120s' (%.40s): %s", n->name, n->op_type, msg);
}

static int64_t elems(const ox_shape *s)
{
    int64_t n = 1;
    for (int i = 0; i < s->ndim; i++)
        n *= s->d[i];
    return n;
}

static int check_shape(run_ctx *c, const ox_node *n, const ox_shape *s)
{
    int64_t e = 1;
    for (int i = 0; i < s->ndim; i++) {
        if (s->d[i] < 0 || s->d[i] > OX_MAX_DIM || (s->d[i] && e > OX_MAX_ELEMS / s->d[i])) {
            char dims[160] = "";
            for (int k = 0, len = 0; k < s->ndim && len < 140; k++)
                len += snprintf(dims + len, sizeof dims - (size_t)len, "%s%lld", k ? "x" : "",
                                (long long)s->d[k]);
            return node_fail(c, n, SIGMIX_ENOMEM, "output tensor %s too large (at most 2^31 "
                             "elements, 2^24 per dimension)", dims);
        }
        e *= s->d[i];
    }
    return 0;
}

static int conv_like(run_ctx *c, const ox_node *n, const rt_tensor *x, rt_tensor *y, int phase)
{
    const ox_shape *s = &x->s;
    int tr = n->op == OP_CONVT, pool = n->op == OP_MAXPOOL || n->op == OP_AVGPOOL;
    if (s->ndim != 4)
        return node_fail(c, n, SIGMIX_EMODEL, "expects a 4-D input, got %d-D", s->ndim);
    if (!pool && s->d[1] != n->cin)
        return node_fail(c, n, SIGMIX_EMODEL, "input has %lld channels, the weight expects %d",
                         (long long)s->d[1], n->cin);
    ox_conv_args a = { n, x->data, NULL, s->d[2], s->d[3], 0, 0, 0, 0, 0, 0 };
    if (sigmix_ox_win_out(&n->win, 0, a.h, tr, &a.oh, &a.pt, &a.pb) ||
        sigmix_ox_win_out(&n->win, 1, a.w, tr, &a.ow, &a.pl, &a.pr))
        return node_fail(c, n, SIGMIX_EMODEL, "input %lldx%lld is too small for the window",
                         (long long)a.w, (long long)a.h);
    if (phase == 0) {
        y->s = (ox_shape){ 4, { s->d[0], pool ? s->d[1] : n->cout, a.oh, a.ow } };
        c->scratch = pool ? 0 : tr ? sigmix_ox_convt_scratch(&a, c->threads)
                                   : sigmix_ox_conv_scratch(&a, c->threads);
        return 0;
    }
    int64_t cin = s->d[1], cout = y->s.d[1];
    for (int64_t b = 0; b < s->d[0]; b++) {
        a.x = x->data + b * cin * a.h * a.w;
        a.y = y->buf + b * cout * a.oh * a.ow;
        if (pool)
            sigmix_ox_pool2d(c->pool, &a, cin, n->op == OP_MAXPOOL);
        else if (tr)
            sigmix_ox_convt(c->pool, &a);
        else
            sigmix_ox_conv(c->pool, &a);
    }
    return 0;
}

static int norm_axis(int axis, int rank)
{
    return axis < 0 ? axis + rank : axis;
}

static int reshape_shape(run_ctx *c, const ox_node *n, const ox_shape *s, ox_shape *o)
{
    int64_t total = elems(s), known = 1;
    int infer = -1;
    o->ndim = n->nshape;
    for (int i = 0; i < n->nshape; i++) {
        int64_t v = n->shape[i];
        if (v == 0 && !n->allowzero) {
            if (i >= s->ndim)
                return node_fail(c, n, SIGMIX_EMODEL, "shape copies a missing dimension");
            v = s->d[i];
        }
        if (v == -1) {
            if (infer >= 0)
                return node_fail(c, n, SIGMIX_EMODEL, "shape has two -1 entries");
            infer = i;
            v = 1;
        } else if (v < 0) {
            return node_fail(c, n, SIGMIX_EMODEL, "negative shape entry");
        }
        if (v && known > OX_MAX_ELEMS / v)
            return node_fail(c, n, SIGMIX_ENOMEM, "output tensor too large");
        o->d[i] = v;
        known *= v;
    }
    if (infer >= 0)
        o->d[infer] = known ? total / known : 0;
    if (elems(o) != total)
        return node_fail(c, n, SIGMIX_EMODEL, "cannot reshape %lld elements", (long long)total);
    return 0;
}

static int squeeze_shape(run_ctx *c, const ox_node *n, const ox_shape *s, ox_shape *o)
{
    char mark[OX_MAXDIM * 2] = { 0 };
    int r = n->op == OP_UNSQUEEZE ? s->ndim + n->nshape : s->ndim;
    if (r > OX_MAXDIM)
        return node_fail(c, n, SIGMIX_EUNSUPPORTED, "result has more than %d dimensions",
                         OX_MAXDIM);
    for (int i = 0; i < n->nshape; i++) {
        int a = norm_axis((int)n->shape[i], r);
        if (a < 0 || a >= r || mark[a] ||
            (n->op == OP_SQUEEZE && s->d[a] != 1))
            return node_fail(c, n, SIGMIX_EMODEL, "bad axis %lld", (long long)n->shape[i]);
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

/* Large element-wise passes and copies are split into pieces across the pool. */
#define PIECE ((int64_t)1 << 15)

typedef struct piece_job {
    const ox_node *n;
    const float  **src;  /* per chunk (copy) or the single input (unary) */
    float         *dst;
    const int64_t *start, *len; /* per chunk: destination offset and length */
    int64_t        count;
} piece_job;

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

static void unary_piece(void *ctx, int t, int thread)
{
    const piece_job *j = ctx;
    int64_t off = (int64_t)t * PIECE, n = j->count - off < PIECE ? j->count - off : PIECE;
    (void)thread;
    sigmix_ox_unary(j->n, j->src[0] + off, j->dst + off, (size_t)n);
}

static void unary_op(run_ctx *c, const ox_node *n, const float *x, float *y, int64_t count)
{
    piece_job j = { n, &x, y, NULL, NULL, count };
    sigmix_ox_parallel(c->pool, unary_piece, &j, (int)((count + PIECE - 1) / PIECE));
}

/* Batch-1 style concat (one slab per input): copy the slabs in parallel pieces. */
static int concat_flat(run_ctx *c, const ox_node *n, const rt_tensor **in, rt_tensor *y,
                       int64_t inner, int axis)
{
    const float **src = malloc(sizeof(*src) * (size_t)n->nin);
    int64_t *start = malloc(sizeof(int64_t) * 2 * (size_t)n->nin), *len = start + n->nin;
    if (!src || !start) {
        free(src);
        free(start);
        return node_fail(c, n, SIGMIX_ENOMEM, "out of memory");
    }
    int64_t off = 0, pieces = 0;
    for (int k = 0; k < n->nin; k++) {
        src[k] = in[k]->data;
        start[k] = off;
        len[k] = in[k]->s.d[axis] * inner;
        off += len[k];
        pieces += (len[k] + PIECE - 1) / PIECE;
    }
    piece_job j = { n, src, y->buf, start, len, 0 };
    sigmix_ox_parallel(c->pool, copy_piece, &j, (int)pieces);
    free(src);
    free(start);
    return 0;
}

/* Output shape (phase 0) or computation (phase 1) of a non-spatial op. */
static int misc_op(run_ctx *c, const ox_node *n, const rt_tensor **in, rt_tensor *y, int phase)
{
    const ox_shape *s = &in[0]->s;
    int perm[OX_MAXDIM];
    switch (n->op) {
    case OP_ADD: case OP_SUB: case OP_MUL: case OP_DIV:
        if (phase == 0)
            return sigmix_ox_broadcast(s, &in[1]->s, &y->s)
                       ? node_fail(c, n, SIGMIX_EMODEL, "input shapes cannot be broadcast")
                       : 0;
        sigmix_ox_binary(n->op, in[0]->data, s, in[1]->data, &in[1]->s, y->buf, &y->s);
        return 0;
    case OP_BN:
        if (phase == 0) {
            if (s->ndim < 2 || s->d[1] != n->cout)
                return node_fail(c, n, SIGMIX_EMODEL, "input channels do not match");
            y->s = *s;
            return 0;
        }
        sigmix_ox_bn(n, in[0]->data, y->buf, s->d[0], s->d[1], elems(s) / (s->d[0] * s->d[1]));
        return 0;
    case OP_GAP:
        if (phase == 0) {
            if (s->ndim < 3)
                return node_fail(c, n, SIGMIX_EMODEL, "expects at least 3-D input");
            y->s = *s;
            for (int i = 2; i < s->ndim; i++)
                y->s.d[i] = 1;
            return 0;
        }
        sigmix_ox_gap(in[0]->data, y->buf, s->d[0] * s->d[1], elems(s) / (s->d[0] * s->d[1]));
        return 0;
    case OP_TRANSPOSE:
        for (int i = 0; i < s->ndim; i++)
            perm[i] = n->nperm ? n->perm[i] : s->ndim - 1 - i;
        if (phase == 1) {
            sigmix_ox_transpose(in[0]->data, s, perm, y->buf);
            return 0;
        }
        if (n->nperm && n->nperm != s->ndim)
            return node_fail(c, n, SIGMIX_EMODEL, "perm does not match the input rank");
        y->s.ndim = s->ndim;
        for (int i = 0, seen = 0; i < s->ndim; i++) {
            if (perm[i] >= s->ndim || (seen & (1 << perm[i])))
                return node_fail(c, n, SIGMIX_EMODEL, "perm is not a permutation");
            seen |= 1 << perm[i];
            y->s.d[i] = s->d[perm[i]];
        }
        return 0;
    default: /* unary element-wise and pure reshapes */
        if (phase == 1) {
            unary_op(c, n, in[0]->data, y->buf, elems(s));
            return 0;
        }
        if (n->op == OP_RESHAPE)
            return reshape_shape(c, n, s, &y->s);
        if (n->op == OP_SQUEEZE || n->op == OP_UNSQUEEZE)
            return squeeze_shape(c, n, s, &y->s);
        if (n->op == OP_FLATTEN) {
            int a = norm_axis(n->axis, s->ndim);
            if (a < 0 || a > s->ndim)
                return node_fail(c, n, SIGMIX_EMODEL, "bad axis %d", n->axis);
            int64_t outer = 1;
            for (int i = 0; i < a; i++)
                outer *= s->d[i];
            y->s = (ox_shape){ 2, { outer, outer ? elems(s) / outer : 0 } };
            return 0;
        }
        y->s = *s;
        return 0;
    }
}

static int concat_op(run_ctx *c, const ox_node *n, const rt_tensor **in, rt_tensor *y, int phase)
{
    const ox_shape *s = &in[0]->s;
    int axis = norm_axis(n->axis, s->ndim);
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
        return node_fail(c, n, SIGMIX_EMODEL, "axis %d out of range", n->axis);
    y->s = *s;
    for (int k = 1; k < n->nin; k++) {
        const ox_shape *t = &in[k]->s;
        if (t->ndim != s->ndim)
            return node_fail(c, n, SIGMIX_EMODEL, "inputs have different ranks");
        for (int i = 0; i < s->ndim; i++)
            if (i != axis && t->d[i] != s->d[i])
                return node_fail(c, n, SIGMIX_EMODEL,
                                 "inputs differ on axis %d (%lld vs %lld); for a U-Net this "
                                 "means H and W are not a multiple of its down-sampling",
                                 i, (long long)s->d[i], (long long)t->d[i]);
        y->s.d[axis] += t->d[axis];
    }
    return 0;
}

static int resize_op(run_ctx *c, const ox_node *n, const rt_tensor *x, rt_tensor *y, int phase)
{
    const ox_shape *s = &x->s;
    if (s->ndim != 4)
        return node_fail(c, n, SIGMIX_EMODEL, "expects a 4-D input, got %d-D", s->ndim);
    if (phase == 1) {
        sigmix_ox_resize(c->pool, n, x->data, y->buf, s->d[0] * s->d[1], s->d[2], s->d[3],
                         y->s.d[2], y->s.d[3]);
        return 0;
    }
    y->s = *s;
    for (int k = 0; k < 4; k++) {
        int64_t v = n->rs_has_sizes ? n->rs_sizes[k] : (int64_t)((float)s->d[k] * n->rs_scales[k]);
        if (k < 2 && v != s->d[k])
            return node_fail(c, n, SIGMIX_EUNSUPPORTED, "resizing N or C is not supported");
        if (v < 1 || v > OX_MAX_DIM)
            return node_fail(c, n, SIGMIX_EMODEL, "output size %lld out of range", (long long)v);
        y->s.d[k] = v;
    }
    c->scratch = sigmix_ox_resize_scratch(y->s.d[2], y->s.d[3]);
    return 0;
}

static int dispatch(run_ctx *c, const ox_node *n, const rt_tensor **in, rt_tensor *y, int phase)
{
    switch (n->op) {
    case OP_CONV: case OP_CONVT: case OP_MAXPOOL: case OP_AVGPOOL:
        return conv_like(c, n, in[0], y, phase);
    case OP_CONCAT: return concat_op(c, n, in, y, phase);
    case OP_RESIZE: return resize_op(c, n, in[0], y, phase);
    default:        return misc_op(c, n, in, y, phase);
    }
}

/* Inputs of node n: activations, or views of constants (only binary ops and
 * copies read these). inp/konst hold 16; more are allocated (freed by caller). */
static int gather(run_ctx *c, const ox_node *n, const rt_tensor ***inp, rt_tensor **konst)
{
    if (n->nin > 16) {
        *inp = malloc(sizeof(**inp) * (size_t)n->nin);
        *konst = malloc(sizeof(**konst) * (size_t)n->nin);
        if (!*inp || !*konst)
            return node_fail(c, n, SIGMIX_ENOMEM, "out of memory");
    }
    for (int k = 0; k < n->nin; k++) {
        const ox_value *v = &c->m->values[n->in[k]];
        if (v->konst) {
            if (v->konst->dtype != ONNX_FLOAT)
                return node_fail(c, n, SIGMIX_EUNSUPPORTED, "input %d must be float32", k + 1);
            rt_tensor *t = &(*konst)[k];
            memset(t, 0, sizeof *t);
            t->s.ndim = v->konst->ndim;
            memcpy(t->s.d, v->konst->dims, sizeof t->s.d);
            t->data = v->konst->f;
            (*inp)[k] = t;
        } else {
            (*inp)[k] = &c->t[n->in[k]];
        }
    }
    return 0;
}

/* Phase 0 (shape and scratch) or 1 (compute into y, already placed) of node i. */
static int node_phase(run_ctx *c, int i, int phase)
{
    const ox_node *n = &c->m->nodes[i];
    const rt_tensor *in[16], **inp = in;
    rt_tensor kv[16], *konst = kv;
    int rc = gather(c, n, &inp, &konst);
    if (!rc && phase == 0) {
        rt_tensor *y = &c->t[n->out];
        memset(y, 0, sizeof *y);
        c->scratch = 0;
        rc = dispatch(c, n, inp, y, 0);
        if (!rc)
            rc = check_shape(c, n, &y->s);
    } else if (!rc) {
        rc = dispatch(c, n, inp, &c->t[n->out], 1);
        if (!rc && sigmix_ox_pool_oom(c->pool))
            rc = node_fail(c, n, SIGMIX_ENOMEM, "out of memory for scratch buffers");
    }
    if (inp != in)
        free(inp);
    if (konst != kv)
        free(konst);
    return rc;
}

int sigmix_ox_shapes(const sigmix_onnx_model *m, int threads, ox_shape *shape, size_t *scratch,
                     sigmix_error *err)
{
    run_ctx c = { m, NULL, calloc((size_t)m->nvalues + 1, sizeof(rt_tensor)), threads, 0, err };
    if (!c.t)
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    c.t[m->input].s = shape[m->input];
    int rc = 0;
    for (int i = 0; i < m->nnodes && !rc; i++) {
        rc = node_phase(&c, i, 0);
        shape[m->nodes[i].out] = c.t[m->nodes[i].out].s;
        scratch[i] = c.scratch;
    }
    free(c.t);
    return rc;
}

/* Smallest cached buffer of at least n floats (NULL if none), out of the cache. */
static float *cache_get(sigmix_onnx_model *m, size_t n, size_t *cap)
{
    float *b = NULL;
    pthread_mutex_lock(&m->cache_mu);
    int best = -1;
    for (int k = 0; k < m->ncache; k++)
        if (m->cache_cap[k] >= n && (best < 0 || m->cache_cap[k] < m->cache_cap[best]))
            best = k;
    if (best >= 0) {
        b = m->cache[best];
        *cap = m->cache_cap[best];
        m->cache[best] = m->cache[--m->ncache];
        m->cache_cap[best] = m->cache_cap[m->ncache];
    }
    pthread_mutex_unlock(&m->cache_mu);
    return b;
}

/* Keep a buffer for the next run (a full cache drops its smallest). */
static void cache_put(sigmix_onnx_model *m, float *b, size_t cap)
{
    if (!b)
        return;
    pthread_mutex_lock(&m->cache_mu);
    if (m->ncache == OX_CACHE) {
        int small = 0;
        for (int k = 1; k < m->ncache; k++)
            if (m->cache_cap[k] < m->cache_cap[small])
                small = k;
        if (m->cache_cap[small] < cap) {
            float *old = m->cache[small];
            m->cache[small] = b;
            m->cache_cap[small] = cap;
            b = old;
        }
    } else {
        m->cache[m->ncache] = b;
        m->cache_cap[m->ncache++] = cap;
        b = NULL;
    }
    pthread_mutex_unlock(&m->cache_mu);
    free(b);
}

/* A buffer of n floats from the cache or malloc (cap: its real size). */
static float *take_buffer(sigmix_onnx_model *m, size_t n, size_t *cap)
{
    float *b = cache_get(m, n ? n : 1, cap);
    if (!b) {
        *cap = n ? n : 1;
        b = malloc(*cap * sizeof(float));
    }
    return b;
}

int sigmix_ox_threads(int t)
{
    if (t > 0)
        return t > 64 ? 64 : t;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

/* Copy with bottom/right edge replication up to hp x wp. */
static float *pad_input(const float *in, int64_t nc, int64_t h, int64_t w, int64_t hp, int64_t wp)
{
    float *p = malloc(sizeof(float) * (size_t)(nc * hp * wp));
    if (!p)
        return NULL;
    for (int64_t c = 0; c < nc; c++)
        for (int64_t y = 0; y < hp; y++) {
            const float *src = in + (c * h + (y < h ? y : h - 1)) * w;
            float *dst = p + (c * hp + y) * wp;
            memcpy(dst, src, sizeof(float) * (size_t)w);
            for (int64_t x = w; x < wp; x++)
                dst[x] = src[w - 1];
        }
    return p;
}

static int check_input(const sigmix_onnx_model *m, const int64_t s[4], sigmix_error *err)
{
    static const char *const axes[4] = { "batch", "channel", "height", "width" };
    int64_t e = 1;
    for (int k = 0; k < 4; k++) {
        if (s[k] < 1 || s[k] > OX_MAX_DIM)
            return sigmix_error_set(err, SIGMIX_EINVAL, "input %s %lld out of range", axes[k],
                                    (long long)s[k]);
        if (e > OX_MAX_ELEMS / s[k])
            return sigmix_error_set(err, SIGMIX_ENOMEM, "input tensor too large");
        e *= s[k];
    }
    const ox_valueinfo *vi = &m->raw.inputs[m->input_info];
    for (int k = 0; k < 4 && k < vi->ndim; k++)
        if (vi->dims[k] > 0 && vi->dims[k] != s[k])
            return sigmix_error_set(err, SIGMIX_EINVAL, "input %s is %lld, the model expects "
                                    "%lld", axes[k], (long long)s[k], (long long)vi->dims[k]);
    return 0;
}

static int take_output(run_ctx *c, const int64_t ps[4], const int64_t in_shape[4], float **out,
                       int64_t out_shape[4])
{
    const rt_tensor *o = &c->t[c->m->output];
    if (o->s.ndim > 4)
        return sigmix_error_set(c->err, SIGMIX_EUNSUPPORTED, "output has %d dimensions (at most "
                                "4 supported)", o->s.ndim);
    int64_t s[4] = { 1, 1, 1, 1 };
    for (int k = 0; k < o->s.ndim; k++)
        s[4 - o->s.ndim + k] = o->s.d[k];
    int crop = o->s.ndim == 4 && (ps[2] != in_shape[2] || ps[3] != in_shape[3]) &&
               s[2] == ps[2] && s[3] == ps[3];
    int64_t h = crop ? in_shape[2] : s[2], w = crop ? in_shape[3] : s[3];
    float *r = malloc(sizeof(float) * (size_t)(s[0] * s[1] * h * w + 1));
    if (!r)
        return sigmix_error_set(c->err, SIGMIX_ENOMEM, "out of memory");
    for (int64_t p = 0; p < s[0] * s[1]; p++)
        for (int64_t y = 0; y < h; y++)
            memcpy(r + (p * h + y) * w, o->data + (p * s[2] + y) * s[3], sizeof(float) * (size_t)w);
    out_shape[0] = s[0];
    out_shape[1] = s[1];
    out_shape[2] = h;
    out_shape[3] = w;
    *out = r;
    return 0;
}

/* The shape the graph runs at: H and W padded up to the model's multiple. */
static int pad_shape(const sigmix_onnx_model *m, const int64_t in[4], int64_t ps[4],
                     sigmix_error *err)
{
    int mult = m->pad_multiple;
    for (int k = 0; k < 4; k++)
        ps[k] = in[k];
    for (int k = 2; k < 4; k++) {
        if (ps[k] < 1 || ps[k] % mult == 0)
            continue;
        if (!m->settings.pad)
            return sigmix_error_set(err, SIGMIX_EMODEL,
                                    "input %s %lld is not a multiple of %d, which the model "
                                    "requires (padding is off)", k == 2 ? "height" : "width",
                                    (long long)ps[k], mult);
        ps[k] = (ps[k] + mult - 1) / mult * mult;
    }
    return check_input(m, ps, err);
}

int sigmix_onnx_plan_memory(const sigmix_onnx_model *m, int64_t h, int64_t w,
                            sigmix_onnx_plan *plan, sigmix_error *err)
{
    sigmix_error local = { 0, "" };
    if (!err)
        err = &local;
    if (!m || !plan)
        return sigmix_error_set(err, SIGMIX_EINVAL, "missing argument");
    const ox_valueinfo *vi = &m->raw.inputs[m->input_info];
    int64_t in[4] = { 1, 0, h, w }, ps[4];
    if (vi->ndim == 4 && vi->dims[0] > 0)
        in[0] = vi->dims[0];
    if (vi->ndim == 4 && vi->dims[1] > 0)
        in[1] = vi->dims[1];
    for (int i = 0; i < m->nnodes && !in[1]; i++) /* channels the first reader expects */
        for (int k = 0; k < m->nodes[i].nin && !in[1]; k++)
            if (m->nodes[i].in[k] == m->input)
                in[1] = m->nodes[i].op == OP_CONV || m->nodes[i].op == OP_CONVT
                            ? m->nodes[i].cin : m->nodes[i].op == OP_BN ? m->nodes[i].cout : 1;
    if (!in[1])
        in[1] = 1;
    int rc = pad_shape(m, in, ps, err);
    if (rc)
        return rc;
    ox_plan p;
    int padded = ps[2] != h || ps[3] != w;
    if ((rc = sigmix_ox_plan(m, ps, sigmix_ox_threads(m->settings.threads), padded, &p, err)))
        return rc;
    *plan = p.pub;
    sigmix_ox_plan_free(&p);
    return 0;
}

int sigmix_onnx_run(const sigmix_onnx_model *m, const float *in, const int64_t in_shape[4],
                    float **out, int64_t out_shape[4], sigmix_error *err)
{
    sigmix_error local = { 0, "" };
    if (!err)
        err = &local;
    if (out)
        *out = NULL;
    if (!m || !in || !in_shape || !out || !out_shape)
        return sigmix_error_set(err, SIGMIX_EINVAL, "missing argument");
    int64_t ps[4];
    int rc = pad_shape(m, in_shape, ps, err);
    if (rc)
        return rc;
    int threads = sigmix_ox_threads(m->settings.threads);
    int pad = ps[2] != in_shape[2] || ps[3] != in_shape[3];
    ox_plan plan;
    if ((rc = sigmix_ox_plan(m, ps, threads, pad, &plan, err)))
        return rc;
    if ((rc = sigmix_ox_plan_check(m, &plan, err))) {
        sigmix_ox_plan_free(&plan);
        return rc;
    }
    sigmix_onnx_model *mm = (sigmix_onnx_model *)m; /* only the mutex-guarded cache */
    run_ctx c = { m, NULL, calloc((size_t)m->nvalues + 1, sizeof(rt_tensor)), threads, 0, err };
    size_t acap = 0, scap = 0;
    float *arena = take_buffer(mm, plan.arena, &acap);
    float *padded = pad ? pad_input(in, ps[0] * ps[1], in_shape[2], in_shape[3], ps[2], ps[3])
                        : NULL;
    c.pool = sigmix_ox_pool_new(threads);
    rc = !c.t || !arena || (pad && !padded) || !c.pool;
    for (int t = 0; !rc && plan.scratch && t < threads; t++) { /* all scratch up front */
        float *b = take_buffer(mm, plan.scratch, &scap);
        if (b)
            sigmix_ox_pool_give(c.pool, t, b, scap);
        rc = !b;
    }
    if (rc) {
        rc = sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    } else {
        sigmix_ox_blas_enter(m->settings.blas_threads);
        c.t[m->input].s = plan.shape[m->input];
        c.t[m->input].data = padded ? padded : in;
        for (int i = 0; i < m->nnodes && !rc; i++) {
            rt_tensor *y = &c.t[m->nodes[i].out];
            y->s = plan.shape[m->nodes[i].out];
            y->buf = arena + plan.off[m->nodes[i].out];
            y->data = y->buf;
            rc = node_phase(&c, i, 1);
        }
        sigmix_ox_blas_leave(m->settings.blas_threads);
        if (!rc)
            rc = take_output(&c, ps, in_shape, out, out_shape);
    }
    cache_put(mm, arena, acap);
    for (int t = 0; c.pool && t < sigmix_ox_pool_threads(c.pool); t++) {
        size_t cap;
        float *b = sigmix_ox_pool_take(c.pool, t, &cap);
        cache_put(mm, b, cap);
    }
    sigmix_ox_pool_free(c.pool);
    free(c.t);
    free(padded);
    sigmix_ox_plan_free(&plan);
    return rc;
}
