/*
 * Graph execution: nodes in topological order, shapes computed from the
 * actual inputs, each activation released after its last reader into a
 * small free list that later outputs reuse (so peak memory stays near the
 * largest two or three live activations). Padding policy: the input is
 * padded on the bottom/right by edge replication up to the model's
 * multiple and the output cropped back (see docs/onnx.md).
 */
#include <cblas.h>
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
    ox_pool                 *pool;
    rt_tensor               *t;      /* per value */
    float                  **fbuf;   /* free list */
    size_t                  *fcap;
    int                      nfree;
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

int64_t sigmix_ox_elem_limit = OX_MAX_ELEMS;

static int check_shape(run_ctx *c, const ox_node *n, const ox_shape *s)
{
    int64_t e = 1;
    for (int i = 0; i < s->ndim; i++) {
        if (s->d[i] < 0 || s->d[i] > OX_MAX_DIM ||
            (s->d[i] && e > sigmix_ox_elem_limit / s->d[i]))
            return node_fail(c, n, SIGMIX_ENOMEM, "output tensor too large");
        e *= s->d[i];
    }
    return 0;
}

/* Best-fitting free buffer, or a new one. */
static float *acquire(run_ctx *c, size_t n, size_t *cap)
{
    int best = -1;
    for (int k = 0; k < c->nfree; k++)
        if (c->fcap[k] >= n && (best < 0 || c->fcap[k] < c->fcap[best]))
            best = k;
    if (best >= 0) {
        float *p = c->fbuf[best];
        *cap = c->fcap[best];
        c->fbuf[best] = c->fbuf[--c->nfree];
        c->fcap[best] = c->fcap[c->nfree];
        return p;
    }
    *cap = n ? n : 1;
    return malloc(*cap * sizeof(float));
}

static void release(run_ctx *c, rt_tensor *t)
{
    if (t->buf) {
        c->fbuf[c->nfree] = t->buf;
        c->fcap[c->nfree++] = t->cap;
    }
    memset(t, 0, sizeof *t);
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
            sigmix_ox_unary(n, in[0]->data, y->buf, (size_t)elems(s));
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

static int exec_node(run_ctx *c, int i)
{
    const ox_node *n = &c->m->nodes[i];
    const rt_tensor *in[16], **inp = in;
    rt_tensor kv[16], *konst = kv;
    int rc = 0;
    if (n->nin > 16) {
        inp = malloc(sizeof(*inp) * (size_t)n->nin);
        konst = malloc(sizeof(*konst) * (size_t)n->nin);
        if (!inp || !konst) {
            rc = node_fail(c, n, SIGMIX_ENOMEM, "out of memory");
            goto done;
        }
    }
    for (int k = 0; k < n->nin; k++) {
        const ox_value *v = &c->m->values[n->in[k]];
        if (v->konst) { /* view of a constant (only binary ops and copies read these) */
            if (v->konst->dtype != ONNX_FLOAT) {
                rc = node_fail(c, n, SIGMIX_EUNSUPPORTED, "input %d must be float32", k + 1);
                goto done;
            }
            memset(&konst[k], 0, sizeof konst[k]);
            konst[k].s.ndim = v->konst->ndim;
            memcpy(konst[k].s.d, v->konst->dims, sizeof konst[k].s.d);
            konst[k].data = v->konst->f;
            inp[k] = &konst[k];
        } else {
            inp[k] = &c->t[n->in[k]];
        }
    }
    rt_tensor *y = &c->t[n->out];
    memset(y, 0, sizeof *y);
    if ((rc = dispatch(c, n, inp, y, 0)) || (rc = check_shape(c, n, &y->s)))
        goto done;
    size_t cnt = (size_t)elems(&y->s);
    if (!(y->buf = acquire(c, cnt, &y->cap))) {
        rc = node_fail(c, n, SIGMIX_ENOMEM, "out of memory");
        goto done;
    }
    y->data = y->buf;
    if ((rc = dispatch(c, n, inp, y, 1)))
        goto done;
    if (sigmix_ox_pool_oom(c->pool))
        rc = node_fail(c, n, SIGMIX_ENOMEM, "out of memory for scratch buffers");
done:
    if (inp != in)
        free(inp);
    if (konst != kv)
        free(konst);
    return rc;
}

/* Take the model's cached buffers: largest first to the thread scratch slots,
 * the rest into this run's free list. */
static void cache_take(run_ctx *c)
{
    sigmix_onnx_model *m = (sigmix_onnx_model *)c->m; /* only the mutex-guarded cache */
    pthread_mutex_lock(&m->cache_mu);
    for (int k = 0; k < m->ncache; k++) {
        c->fbuf[c->nfree] = m->cache[k];
        c->fcap[c->nfree++] = m->cache_cap[k];
    }
    m->ncache = 0;
    pthread_mutex_unlock(&m->cache_mu);
    for (int t = 0; t < sigmix_ox_pool_threads(c->pool); t++) {
        int best = -1;
        for (int k = 0; k < c->nfree; k++)
            if (c->fcap[k] <= (size_t)1 << 22 && (best < 0 || c->fcap[k] > c->fcap[best]))
                best = k;
        if (best < 0)
            break;
        sigmix_ox_pool_give(c->pool, t, c->fbuf[best], c->fcap[best]);
        c->fbuf[best] = c->fbuf[--c->nfree];
        c->fcap[best] = c->fcap[c->nfree];
    }
}

static void cache_put(run_ctx *c, float *b, size_t cap)
{
    sigmix_onnx_model *m = (sigmix_onnx_model *)c->m;
    if (!b)
        return;
    pthread_mutex_lock(&m->cache_mu);
    if (m->ncache < OX_CACHE) {
        m->cache[m->ncache] = b;
        m->cache_cap[m->ncache++] = cap;
        b = NULL;
    }
    pthread_mutex_unlock(&m->cache_mu);
    free(b);
}

static int execute(run_ctx *c)
{
    const sigmix_onnx_model *m = c->m;
    for (int i = 0; i < m->nnodes; i++) {
        int rc = exec_node(c, i);
        if (rc)
            return rc;
        const ox_node *n = &m->nodes[i];
        for (int k = 0; k < n->nin; k++) {
            int v = n->in[k];
            if (m->values[v].last_use == i && !m->values[v].is_output && !m->values[v].konst)
                release(c, &c->t[v]);
        }
    }
    return 0;
}

static int resolve_threads(int t)
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
        e *= s[k];
    }
    if (e > sigmix_ox_elem_limit)
        return sigmix_error_set(err, SIGMIX_ENOMEM, "input tensor too large");
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
    int64_t ps[4] = { in_shape[0], in_shape[1], in_shape[2], in_shape[3] };
    int mult = m->pad_multiple, rc;
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
    if ((rc = check_input(m, ps, err)))
        return rc;
    run_ctx c = { m, NULL, NULL, NULL, NULL, 0, err };
    float *padded = NULL;
    c.t = calloc((size_t)m->nvalues, sizeof *c.t);
    c.fbuf = calloc((size_t)m->nvalues + 1 + OX_CACHE, sizeof *c.fbuf);
    c.fcap = calloc((size_t)m->nvalues + 1 + OX_CACHE, sizeof *c.fcap);
    if (ps[2] != in_shape[2] || ps[3] != in_shape[3])
        padded = pad_input(in, ps[0] * ps[1], in_shape[2], in_shape[3], ps[2], ps[3]);
    openblas_set_num_threads(1); /* our threads split the work; see docs/onnx.md */
    c.pool = sigmix_ox_pool_new(resolve_threads(m->settings.threads));
    if (!c.t || !c.fbuf || !c.fcap || !c.pool || (ps[2] != in_shape[2] && !padded) ||
        (ps[3] != in_shape[3] && !padded)) {
        rc = sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    } else {
        cache_take(&c);
        rt_tensor *x = &c.t[m->input];
        x->s = (ox_shape){ 4, { ps[0], ps[1], ps[2], ps[3] } };
        x->data = padded ? padded : in;
        rc = execute(&c);
        if (!rc)
            rc = take_output(&c, ps, in_shape, out, out_shape);
    }
    for (int v = 0; c.t && v < m->nvalues; v++)
        cache_put(&c, c.t[v].buf, c.t[v].cap);
    for (int k = 0; k < c.nfree; k++)
        cache_put(&c, c.fbuf[k], c.fcap[k]);
    for (int t = 0; c.pool && t < sigmix_ox_pool_threads(c.pool); t++) {
        size_t cap;
        float *b = sigmix_ox_pool_take(c.pool, t, &cap);
        cache_put(&c, b, cap);
    }
    sigmix_ox_pool_free(c.pool);
    free(c.t);
    free(c.fbuf);
    free(c.fcap);
    free(padded);
    return rc;
}
