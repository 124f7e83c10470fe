/*
 * Memory plan of one run (docs/onnx.md, "Memory"). The shape pass gives
 * every value its size; a value lives from the node that writes it to its
 * last reader (the graph output to the end). Values are placed in one
 * arena, largest first, each at the lowest offset that no value alive at
 * the same time occupies. The planned peak is that arena plus the kernel
 * scratch of every worker thread, the padded input copy and the output
 * buffer; run.c allocates exactly these, so a refusal here happens before
 * anything large exists and the figure is the real one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx/internal.h"
#include "onnx/ops.h"
#include "util/error.h"

/* Above this many values the quadratic placement is skipped and every value
 * gets its own bytes: an over-estimate, only for graphs no saliency network
 * comes near, so a hostile file cannot make planning slow. */
#define PLAN_GREEDY_MAX 4096
#define ALIGN_FLOATS    16 /* 64-byte cache lines */

typedef struct span {
    size_t off, end;
} span;

static int cmp_span(const void *a, const void *b)
{
    const span *x = a, *y = b;
    return x->off < y->off ? -1 : x->off > y->off;
}

typedef struct vitem {
    int    v;
    size_t size;
    int    birth, death;
} vitem;

static int cmp_item(const void *a, const void *b)
{
    const vitem *x = a, *y = b;
    if (x->size != y->size)
        return x->size > y->size ? -1 : 1;
    return x->birth - y->birth;
}

static size_t elems(const ox_shape *s)
{
    size_t n = 1;
    for (int i = 0; i < s->ndim; i++)
        n *= (size_t)s->d[i];
    return n;
}

/* Largest first, lowest free offset among the values alive at the same time. */
static int place(ox_plan *p, vitem *it, int n)
{
    span *busy = malloc(sizeof(span) * ((size_t)n + 1));
    if (!busy)
        return -1;
    qsort(it, (size_t)n, sizeof *it, cmp_item);
    for (int k = 0; k < n; k++) {
        int nb = 0;
        for (int j = 0; j < k; j++)
            if (it[j].birth <= it[k].death && it[k].birth <= it[j].death)
                busy[nb++] = (span){ p->off[it[j].v], p->off[it[j].v] + it[j].size };
        qsort(busy, (size_t)nb, sizeof *busy, cmp_span);
        size_t cur = 0;
        for (int j = 0; j < nb && busy[j].off < cur + it[k].size; j++)
            if (busy[j].end > cur)
                cur = busy[j].end;
        p->off[it[k].v] = cur;
        if (cur + it[k].size > p->arena)
            p->arena = cur + it[k].size;
    }
    free(busy);
    return 0;
}

/* Node that makes the plan outgrow `limit`: the first whose high-water mark
 * (tensors so far, scratch so far, input copy) passes it, else the last one
 * (the output buffer or placement slack tipped it). Without a limit: the
 * node where live memory peaks. -2: out of memory. */
static int culprit(const sigmix_onnx_model *m, const ox_plan *p, const vitem *it, int n,
                   const size_t *scr, uint64_t fixed, uint64_t limit)
{
    int nn = m->nnodes, best = -1;
    uint64_t *live = calloc((size_t)nn + 2, sizeof *live);
    if (!live)
        return -2; /* out of memory: a guessed node would be a different plan */
    for (int k = 0; k < n; k++) {
        live[it[k].birth] += it[k].size;
        live[it[k].death + 1] -= it[k].size;
    }
    uint64_t cur = 0, hw = 0, scr_hw = 0, best_v = 0, t = (uint64_t)p->threads;
    for (int i = 0; i < nn; i++) {
        cur += live[i];
        hw = cur > hw ? cur : hw;
        scr_hw = scr[i] > scr_hw ? scr[i] : scr_hw;
        if (limit && (hw + scr_hw * t) * sizeof(float) + fixed > limit) {
            free(live);
            return i;
        }
        uint64_t now = (cur + scr[i] * t) * sizeof(float);
        if (best < 0 || now > best_v) {
            best = i;
            best_v = now;
        }
    }
    free(live);
    return limit ? nn - 1 : best;
}

/*
 * Concat into its destination: an input of a Concat whose inputs are
 * contiguous slabs of the output (nothing but 1s before the axis) is placed
 * at its slab, so its producer writes there and the Concat copies nothing
 * for it (op_layout.c skips a slab already in place). Such an input must be
 * written by a node other than a Concat, appear once in that Concat, not be
 * a graph output and not sit in another Concat already. Its other readers
 * read the slab; the output's lifetime is widened to cover the inputs'.
 */
typedef struct alias {
    int    into;         /* value id of the Concat output holding it, or -1 */
    size_t at;           /* float offset in there */
    int    birth, death; /* for a Concat output: span of its aliased inputs, or -1 */
} alias;

static int concat_aliases(const sigmix_onnx_model *m, const ox_shape *shape, alias *al)
{
    int nv = m->nvalues, nn = m->nnodes;
    int *prod = malloc(sizeof(int) * ((size_t)nv + 1));
    if (!prod)
        return -1;
    for (int v = 0; v < nv; v++) {
        prod[v] = -1;
        al[v] = (alias){ -1, 0, -1, -1 };
    }
    for (int i = 0; i < nn; i++)
        prod[m->nodes[i].out] = i;
    for (int i = 0; i < nn; i++) {
        const ox_node *n = &m->nodes[i];
        const ox_shape *s = &shape[n->out];
        int axis = sigmix_ox_norm_axis(n->axis, s->ndim);
        if (n->op != OP_CONCAT || axis < 0 || axis >= s->ndim)
            continue;
        size_t outer = 1, inner = 1, at = 0;
        for (int d = 0; d < axis; d++)
            outer *= (size_t)s->d[d];
        for (int d = axis + 1; d < s->ndim; d++)
            inner *= (size_t)s->d[d];
        if (outer != 1 || m->values[n->out].is_output)
            continue;
        for (int k = 0; k < n->nin; k++) {
            int v = n->in[k], once = 1;
            if (v < 0)
                break;
            for (int q = 0; q < n->nin; q++)
                once &= q == k || n->in[q] != v;
            size_t len = (size_t)shape[v].d[axis] * inner;
            if (once && prod[v] >= 0 && m->nodes[prod[v]].op != OP_CONCAT &&
                !m->values[v].is_output && al[v].into < 0) {
                al[v].into = n->out;
                al[v].at = at;
                alias *o = &al[n->out];
                if (o->birth < 0 || prod[v] < o->birth)
                    o->birth = prod[v];
                if (m->values[v].last_use > o->death)
                    o->death = m->values[v].last_use;
            }
            at += len;
        }
    }
    free(prod);
    return 0;
}

void sigmix_ox_plan_free(ox_plan *p)
{
    free(p->shape);
    free(p->off);
    p->shape = NULL;
    p->off = NULL;
}

int sigmix_ox_plan(const sigmix_onnx_model *m, const int64_t in[4], int threads, int padded,
                   ox_plan *p, sigmix_error *err)
{
    memset(p, 0, sizeof *p);
    p->threads = threads;
    int nv = m->nvalues, nn = m->nnodes, rc = 0;
    p->shape = calloc((size_t)nv + 1, sizeof *p->shape);
    p->off = malloc(sizeof(size_t) * ((size_t)nv + 1));
    size_t *scr = calloc((size_t)nn + 1, sizeof *scr);
    vitem *it = malloc(sizeof(vitem) * ((size_t)nn + 1));
    alias *al = malloc(sizeof(alias) * ((size_t)nv + 1));
    if (!p->shape || !p->off || !scr || !it || !al) {
        rc = sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
        goto done;
    }
    p->shape[m->input] = (ox_shape){ 4, { in[0], in[1], in[2], in[3] } };
    if ((rc = sigmix_ox_shapes(m, threads, p->shape, scr, err)))
        goto done;
    for (int v = 0; v < nv; v++)
        p->off[v] = SIZE_MAX;
    if (concat_aliases(m, p->shape, al)) {
        rc = sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
        goto done;
    }
    int n = 0;
    for (int i = 0; i < nn; i++) {
        int v = m->nodes[i].out;
        if (scr[i] > p->scratch)
            p->scratch = scr[i];
        if (al[v].into >= 0)
            continue; /* lives inside its Concat's output */
        size_t e = elems(&p->shape[v]);
        it[n].v = v;
        it[n].size = (e + ALIGN_FLOATS - 1) / ALIGN_FLOATS * ALIGN_FLOATS;
        it[n].size = it[n].size ? it[n].size : ALIGN_FLOATS;
        it[n].birth = i;
        it[n].death = m->values[v].is_output ? nn : m->values[v].last_use;
        if (it[n].death < i)
            it[n].death = i;
        /* a Concat output holding its inputs lives from the first of them to
         * the last reader of any of them */
        if (al[v].birth >= 0 && al[v].birth < it[n].birth)
            it[n].birth = al[v].birth;
        if (al[v].death > it[n].death)
            it[n].death = al[v].death;
        n++;
    }
    if (n <= PLAN_GREEDY_MAX) {
        if (place(p, it, n)) {
            rc = sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
            goto done;
        }
    } else {
        for (int k = 0; k < n; k++) {
            p->off[it[k].v] = p->arena;
            p->arena += it[k].size;
        }
    }
    for (int v = 0; v < nv; v++)
        if (al[v].into >= 0)
            p->off[v] = p->off[al[v].into] + al[v].at;
    sigmix_onnx_plan *q = &p->pub;
    for (int k = 0; k < 4; k++) {
        q->in_shape[k] = in[k];
        q->out_shape[k] = 1;
    }
    const ox_shape *os = &p->shape[m->output];
    for (int k = 0; k < os->ndim && k < 4; k++)
        q->out_shape[4 - (os->ndim < 4 ? os->ndim : 4) + k] = os->d[k];
    q->activation_bytes = (uint64_t)p->arena * sizeof(float);
    q->scratch_bytes = (uint64_t)p->scratch * (uint64_t)threads * sizeof(float);
    q->output_bytes = ((uint64_t)elems(os) + 1) * sizeof(float);
    q->input_bytes = padded ? (uint64_t)elems(&p->shape[m->input]) * sizeof(float) : 0;
    q->limit_bytes = m->settings.max_model_memory;
    q->threads = threads;
    q->peak_bytes = q->activation_bytes + q->scratch_bytes + q->input_bytes + q->output_bytes;
    int over = q->limit_bytes && q->peak_bytes > q->limit_bytes;
    int c = nn ? culprit(m, p, it, n, scr, q->input_bytes, over ? q->limit_bytes : 0) : -1;
    if (c == -2) {
        rc = sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
        goto done;
    }
    q->peak_node = c >= 0 ? m->nodes[c].name : "";
    q->peak_op = c >= 0 ? m->nodes[c].op_type : "";
done:
    free(scr);
    free(it);
    free(al);
    if (rc)
        sigmix_ox_plan_free(p);
    return rc;
}

/* "1.5 GiB" style, for messages. */
static void human(uint64_t b, char *out, size_t n)
{
    static const char *const unit[] = { "bytes", "KiB", "MiB", "GiB", "TiB" };
    double v = (double)b;
    int u = 0;
    while (v >= 1024.0 && u < 4) {
        v /= 1024.0;
        u++;
    }
    if (u == 0)
        snprintf(out, n, "%llu bytes", (unsigned long long)b);
    else
        snprintf(out, n, "%.1f %s", v, unit[u]);
}

int sigmix_ox_plan_check(const sigmix_onnx_model *m, const ox_plan *p, sigmix_error *err)
{
    const sigmix_onnx_plan *q = &p->pub;
    if (!q->limit_bytes || q->peak_bytes <= q->limit_bytes)
        return 0;
    char need[32], lim[32];
    human(q->peak_bytes, need, sizeof need);
    human(q->limit_bytes, lim, sizeof lim);
    (void)m;
    return sigmix_error_set(err, SIGMIX_ENOMEM,
                            "node '%.120s' (%.40s): planned memory %s at input %lldx%lldx%lldx%lld "
                            "exceeds --max-model-memory %s", q->peak_node, q->peak_op, need,
                            (long long)q->in_shape[0], (long long)q->in_shape[1],
                            (long long)q->in_shape[2], (long long)q->in_shape[3], lim);
}
