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
#include <time.h>
#include <unistd.h>

#include "onnx/ops.h"
#include "onnx/pool.h"
#include "util/error.h"
#include "util/cpu.h"
#include "util/prefault.h"

int sigmix_ox_node_fail(run_ctx *c, const ox_node *n, int code, const char *fmt, ...)
{
    char msg[320];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return sigmix_error_set(c->err, code, "node '%.120s' (%.40s): %s", n->name, n->op_type, msg);
}

int64_t sigmix_ox_elems(const ox_shape *s)
{
    int64_t n = 1;
    for (int i = 0; i < s->ndim; i++)
        n *= s->d[i];
    return n;
}

static void unary_piece(void *ctx, int t, int thread)
{
    const piece_job *j = ctx;
    int64_t off = (int64_t)t * PIECE, n = j->count - off < PIECE ? j->count - off : PIECE;
    (void)thread;
    sigmix_ox_unary(j->n, j->src[0] + off, j->dst + off, (size_t)n);
}

void sigmix_ox_unary_op(run_ctx *c, const ox_node *n, const float *x, float *y, int64_t count)
{
    piece_job j = { n, &x, y, NULL, NULL, count };
    sigmix_ox_parallel(c->pool, unary_piece, &j, (int)((count + PIECE - 1) / PIECE));
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
            return sigmix_ox_node_fail(c, n, SIGMIX_ENOMEM, "output tensor %s too large (at most 2^31 "
                             "elements, 2^24 per dimension)", dims);
        }
        e *= s->d[i];
    }
    return 0;
}














/* Inputs of node n: activations, or views of constants (only binary ops and
 * copies read these). inp/konst hold 16; more are allocated (freed by caller). */
static int gather(run_ctx *c, const ox_node *n, const rt_tensor ***inp, rt_tensor **konst)
{
    if (n->nin > 16) {
        *inp = malloc(sizeof(**inp) * (size_t)n->nin);
        *konst = malloc(sizeof(**konst) * (size_t)n->nin);
        if (!*inp || !*konst)
            return sigmix_ox_node_fail(c, n, SIGMIX_ENOMEM, "out of memory");
    }
    for (int k = 0; k < n->nin; k++) {
        const ox_value *v = &c->m->values[n->in[k]];
        if (v->konst) {
            if (v->konst->dtype != ONNX_FLOAT)
                return sigmix_ox_node_fail(c, n, SIGMIX_EUNSUPPORTED, "input %d must be float32", k + 1);
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
        rc = n->def->shape(c, n, inp, y);
        if (!rc)
            rc = check_shape(c, n, &y->s);
    } else if (!rc) {
        rc = n->def->exec(c, n, inp, &c->t[n->out]);
        if (!rc && sigmix_ox_pool_oom(c->pool))
            rc = sigmix_ox_node_fail(c, n, SIGMIX_ENOMEM, "out of memory for scratch buffers");
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

/* A buffer of n floats from the cache or a fresh allocation (cap: its
 * real size). Large buffers get transparent huge pages: a 1080p
 * activation arena is ~390 MB, and with 4 KiB pages every run pays TLB
 * misses over all of it (in a virtual machine, two-level walks) and the
 * first run ~100,000 page faults. */
static float *take_buffer(sigmix_onnx_model *m, size_t n, size_t *cap)
{
    float *b = cache_get(m, n ? n : 1, cap);
    if (!b) {
        *cap = n ? n : 1;
        b = sigmix_huge_alloc(*cap * sizeof(float));
    }
    return b;
}

int sigmix_ox_threads(int t)
{
    if (t > 0)
        return t > 64 ? 64 : t;
    int n = sigmix_cpu_count();
    return n > 64 ? 64 : n;
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

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int sigmix_onnx_run(const sigmix_onnx_model *m, const float *in, const int64_t in_shape[4],
                    float **out, int64_t out_shape[4], sigmix_error *err)
{
    return sigmix_onnx_run_profiled(m, in, in_shape, out, out_shape, NULL, err);
}

int sigmix_onnx_run_profiled(const sigmix_onnx_model *m, const float *in,
                             const int64_t in_shape[4], float **out, int64_t out_shape[4],
                             sigmix_onnx_op_time *times, sigmix_error *err)
{
    sigmix_error_clear(err);
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
    /* the pool first: it may start fewer threads than asked, and the plan's scratch
     * and tiles must match the threads that actually run */
    ox_pool *pool = sigmix_ox_pool_new(sigmix_ox_threads(m->settings.threads));
    if (!pool)
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    int threads = sigmix_ox_pool_threads(pool);
    int pad = ps[2] != in_shape[2] || ps[3] != in_shape[3];
    ox_plan plan;
    if ((rc = sigmix_ox_plan(m, ps, threads, pad, &plan, err)) ||
        (rc = sigmix_ox_plan_check(m, &plan, err))) {
        if (plan.shape)
            sigmix_ox_plan_free(&plan);
        sigmix_ox_pool_free(pool);
        return rc;
    }
    sigmix_onnx_model *mm = (sigmix_onnx_model *)m; /* only the mutex-guarded cache */
    run_ctx c = { m, pool, calloc((size_t)m->nvalues + 1, sizeof(rt_tensor)), threads, 0, err };
    size_t acap = 0, scap = 0;
    float *arena = take_buffer(mm, plan.arena, &acap);
    float *padded = pad ? pad_input(in, ps[0] * ps[1], in_shape[2], in_shape[3], ps[2], ps[3])
                        : NULL;
    rc = !c.t || !arena || (pad && !padded);
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
        sigmix_ox_pool_profile(c.pool, times != NULL);
        c.t[m->input].s = plan.shape[m->input];
        c.t[m->input].data = padded ? padded : in;
        for (int i = 0; i < m->nnodes && !rc; i++) {
            rt_tensor *y = &c.t[m->nodes[i].out];
            y->s = plan.shape[m->nodes[i].out];
            y->buf = arena + plan.off[m->nodes[i].out];
            y->data = y->buf;
            double t0 = times ? now_ms() : 0.0;
            ox_pool_stats s0, s1;
            int64_t c0 = 0;
            if (times) {
                sigmix_ox_pool_stats(c.pool, &s0);
                c0 = sigmix_ox_thread_ns();
            }
            rc = node_phase(&c, i, 1);
            if (times) {
                sigmix_onnx_op_time *ot = &times[m->nodes[i].op_index];
                sigmix_ox_pool_stats(c.pool, &s1);
                /* the caller's time outside sigmix_ox_parallel is serial work */
                int64_t serial = sigmix_ox_thread_ns() - c0 - (s1.caller_ns - s0.caller_ns);
                serial = serial > 0 ? serial : 0;
                ot->ms += now_ms() - t0;
                ot->cpu_ms += (double)(s1.busy_ns - s0.busy_ns + serial) / 1e6;
                ot->span_ms += (double)(s1.span_ns - s0.span_ns + serial) / 1e6;
                ot->count++;
            }
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
