/*
 * Element-wise and data-movement kernels: activations, BatchNormalization
 * (when not folded), numpy-broadcasting arithmetic, Concat, Transpose and
 * GlobalAveragePool. These are memory-bound and cheap next to the
 * convolutions, so they stay single-threaded.
 */
#include <math.h>
#include <string.h>

#include "onnx/eltwise.h"

void sigmix_ox_unary(const ox_node *n, const float *x, float *y, size_t count)
{
    switch (n->op) {
    case OP_RELU:
        for (size_t k = 0; k < count; k++)
            y[k] = x[k] > 0.0f ? x[k] : 0.0f;
        break;
    case OP_LEAKY:
        for (size_t k = 0; k < count; k++)
            y[k] = x[k] >= 0.0f ? x[k] : x[k] * n->alpha;
        break;
    case OP_SIGMOID:
        for (size_t k = 0; k < count; k++)
            y[k] = 1.0f / (1.0f + expf(-x[k]));
        break;
    case OP_CLIP:
        for (size_t k = 0; k < count; k++) {
            float v = x[k] < n->lo ? n->lo : x[k];
            y[k] = v > n->hi ? n->hi : v;
        }
        break;
    default: /* Identity and the reshaping operators copy */
        if (y != x)
            memcpy(y, x, count * sizeof(float));
        break;
    }
}

void sigmix_ox_bn(const ox_node *n, const float *x, float *y, int64_t batch, int64_t ch,
                  int64_t inner)
{
    for (int64_t b = 0; b < batch; b++)
        for (int64_t c = 0; c < ch; c++) {
            const float *s = x + (b * ch + c) * inner;
            float *d = y + (b * ch + c) * inner, w = n->w[c], o = n->b[c];
            for (int64_t k = 0; k < inner; k++)
                d[k] = s[k] * w + o;
        }
}

int sigmix_ox_broadcast(const ox_shape *a, const ox_shape *b, ox_shape *out)
{
    int r = a->ndim > b->ndim ? a->ndim : b->ndim;
    out->ndim = r;
    for (int i = 0; i < r; i++) {
        int ia = i - (r - a->ndim), ib = i - (r - b->ndim);
        int64_t da = ia >= 0 ? a->d[ia] : 1, db = ib >= 0 ? b->d[ib] : 1;
        if (da != db && da != 1 && db != 1)
            return -1;
        out->d[i] = da == 1 ? db : da;
    }
    return 0;
}

static void strides_for(const ox_shape *s, const ox_shape *o, int64_t *st)
{
    int64_t acc = 1;
    for (int i = o->ndim - 1; i >= 0; i--) {
        int j = i - (o->ndim - s->ndim);
        int64_t d = j >= 0 ? s->d[j] : 1;
        st[i] = d == 1 ? 0 : acc;
        acc *= d;
    }
}

static float apply(int op, float a, float b)
{
    switch (op) {
    case OP_ADD: return a + b;
    case OP_SUB: return a - b;
    case OP_MUL: return a * b;
    default:     return a / b;
    }
}

void sigmix_ox_binary(int op, const float *a, const ox_shape *sa, const float *b,
                      const ox_shape *sb, float *y, const ox_shape *so)
{
    int64_t ta[OX_MAXDIM] = { 0 }, tb[OX_MAXDIM] = { 0 }, idx[OX_MAXDIM] = { 0 };
    strides_for(sa, so, ta);
    strides_for(sb, so, tb);
    int r = so->ndim;
    int64_t inner = r ? so->d[r - 1] : 1, ia = r ? ta[r - 1] : 0, ib = r ? tb[r - 1] : 0;
    int64_t outer = 1;
    for (int i = 0; i < r - 1; i++)
        outer *= so->d[i];
    for (int64_t o = 0; o < outer; o++) {
        int64_t pa = 0, pb = 0;
        for (int i = 0; i < r - 1; i++) {
            pa += idx[i] * ta[i];
            pb += idx[i] * tb[i];
        }
        const float *xa = a + pa, *xb = b + pb;
        float *d = y + o * inner;
        for (int64_t k = 0; k < inner; k++)
            d[k] = apply(op, xa[k * ia], xb[k * ib]);
        for (int i = r - 2; i >= 0; i--) { /* odometer over the outer dimensions */
            if (++idx[i] < so->d[i])
                break;
            idx[i] = 0;
        }
    }
}

void sigmix_ox_transpose(const float *x, const ox_shape *s, const int *perm, float *y)
{
    int r = s->ndim;
    int64_t st[OX_MAXDIM], acc = 1, idx[OX_MAXDIM] = { 0 }, od[OX_MAXDIM], total = 1;
    for (int i = r - 1; i >= 0; i--) {
        st[i] = acc;
        acc *= s->d[i];
    }
    for (int i = 0; i < r; i++) {
        od[i] = s->d[perm[i]];
        total *= od[i];
    }
    for (int64_t k = 0; k < total; k++) {
        int64_t p = 0;
        for (int i = 0; i < r; i++)
            p += idx[i] * st[perm[i]];
        y[k] = x[p];
        for (int i = r - 1; i >= 0; i--) {
            if (++idx[i] < od[i])
                break;
            idx[i] = 0;
        }
    }
}

void sigmix_ox_gap(const float *x, float *y, int64_t nc, int64_t hw)
{
    for (int64_t c = 0; c < nc; c++) {
        double s = 0.0;
        for (int64_t k = 0; k < hw; k++)
            s += x[c * hw + k];
        y[c] = hw ? (float)(s / (double)hw) : 0.0f;
    }
}
