/*
 * Spatial kernels: Conv (im2col or direct 1x1 + GEMM (gemm.c), bias and Relu fused
 * on the hot tile), ConvTranspose (one sgemm per tile, then a scatter),
 * pools and Resize. Work is split by output tile across the pool's
 * threads; each thread has its own im2col scratch. The *_ref functions are
 * plain loops kept for the tests.
 */
#include <math.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "onnx/internal.h"

/* Target pixels per im2col tile: keeps the column buffer near L2 size while
 * leaving sgemm a wide enough N. Tuned on the saliency students. */
#define TILE_FLOATS (1 << 17)
#define TILE_MIN_PX 256

int sigmix_ox_win_out(const ox_win *w, int a, int64_t in, int transposed, int64_t *out, int *pb,
                      int *pe)
{
    int64_t keff = (int64_t)(w->k[a] - 1) * w->d[a] + 1, s = w->s[a];
    *pb = w->auto_pad == PAD_NOTSET ? w->pad[a] : 0;
    *pe = w->auto_pad == PAD_NOTSET ? w->pad[a + 2] : 0;
    if (transposed) {
        *out = s * (in - 1) + w->out_pad[a] + keff - *pb - *pe;
        return *out >= 1 && *out <= OX_MAX_DIM ? 0 : -1;
    }
    if (w->auto_pad == PAD_SAME_UPPER || w->auto_pad == PAD_SAME_LOWER) {
        *out = (in + s - 1) / s;
        int64_t total = (*out - 1) * s + keff - in;
        if (total < 0)
            total = 0;
        int64_t small = total / 2;
        *pb = (int)(w->auto_pad == PAD_SAME_UPPER ? small : total - small);
        *pe = (int)(total - *pb);
        return 0;
    }
    int64_t span = in + *pb + *pe - keff;
    if (span < 0)
        return -1;
    *out = w->ceil_mode ? (span + s - 1) / s + 1 : span / s + 1;
    if (w->ceil_mode && (*out - 1) * s >= in + *pb)
        (*out)--; /* the last window must start inside the input or left pad */
    return 0;
}

/* ---- Conv ---- */

typedef struct conv_job {
    const ox_conv_args *a;
    ox_pool            *pool;
    int64_t             rows, tiles;
    int                 direct;
} conv_job;

static void im2col(const ox_conv_args *a, const float *x, int cg, int64_t oy0, int64_t oy1,
                   float *col)
{
    const ox_win *w = &a->n->win;
    int64_t n = (oy1 - oy0) * a->ow;
    float *dst = col;
    for (int c = 0; c < cg; c++)
        for (int ky = 0; ky < w->k[0]; ky++)
            for (int kx = 0; kx < w->k[1]; kx++, dst += n) {
                int64_t ix0 = (int64_t)kx * w->d[1] - a->pl;
                /* valid ox: 0 <= ox*s + ix0 < w */
                int64_t lo = ix0 >= 0 ? 0 : (-ix0 + w->s[1] - 1) / w->s[1];
                int64_t hi = a->w - ix0 <= 0 ? 0 : (a->w - ix0 - 1) / w->s[1] + 1;
                if (hi > a->ow)
                    hi = a->ow;
                if (lo > hi)
                    lo = hi;
                for (int64_t oy = oy0; oy < oy1; oy++) {
                    float *d = dst + (oy - oy0) * a->ow;
                    int64_t iy = oy * w->s[0] - a->pt + (int64_t)ky * w->d[0];
                    if (iy < 0 || iy >= a->h) {
                        memset(d, 0, sizeof(float) * (size_t)a->ow);
                        continue;
                    }
                    const float *src = x + ((int64_t)c * a->h + iy) * a->w + ix0;
                    memset(d, 0, sizeof(float) * (size_t)lo);
                    if (w->s[1] == 1) {
                        memcpy(d + lo, src + lo, sizeof(float) * (size_t)(hi - lo));
                    } else {
                        for (int64_t ox = lo; ox < hi; ox++)
                            d[ox] = src[ox * w->s[1]];
                    }
                    memset(d + hi, 0, sizeof(float) * (size_t)(a->ow - hi));
                }
            }
}

/* C starts as the bias so sgemm runs with beta = 1 (no separate zeroing pass). */
static void bias_fill(float *y, int64_t stride, int m, int64_t n, const float *b)
{
    for (int o = 0; o < m; o++) {
        float *r = y + o * stride, bv = b[o];
        for (int64_t k = 0; k < n; k++)
            r[k] = bv;
    }
}

static void relu_rows(float *y, int64_t stride, int m, int64_t n)
{
    for (int o = 0; o < m; o++) {
        float *r = y + o * stride;
        for (int64_t k = 0; k < n; k++)
            r[k] = r[k] > 0.0f ? r[k] : 0.0f;
    }
}

static void conv_task(void *ctx, int t, int thread)
{
    const conv_job *j = ctx;
    const ox_conv_args *a = j->a;
    const ox_node *nd = a->n;
    int g = (int)(t / j->tiles), cg = nd->cin / nd->group, mg = nd->cout / nd->group;
    int64_t oy0 = (t % j->tiles) * j->rows, oy1 = oy0 + j->rows;
    if (oy1 > a->oh)
        oy1 = a->oh;
    int64_t n = (oy1 - oy0) * a->ow, ohw = a->oh * a->ow;
    int kk = cg * nd->win.k[0] * nd->win.k[1];
    const float *x = a->x + (int64_t)g * cg * a->h * a->w, *bm;
    float *y = a->y + (int64_t)g * mg * ohw + oy0 * a->ow;
    int64_t ldb;
    if (j->direct) {
        bm = x + oy0 * a->w;
        ldb = a->h * a->w;
    } else {
        float *col = sigmix_ox_scratch(j->pool, thread, (size_t)kk * (size_t)n);
        if (!col)
            return; /* run.c checks scratch availability before dispatch */
        im2col(a, x, cg, oy0, oy1, col);
        bm = col;
        ldb = n;
    }
    bias_fill(y, ohw, mg, n, nd->b + g * mg);
    sigmix_ox_sgemm(sigmix_ox_pool_gemm(j->pool), mg, (int)n, kk, nd->w + (size_t)g * mg * kk,
                    kk, bm, (size_t)ldb, y, (size_t)ohw, 1);
    if (nd->act == ACT_RELU)
        relu_rows(y, ohw, mg, n);
}

static int64_t tile_rows(int64_t ow, int64_t oh, int kk, int threads, int groups)
{
    int64_t px = TILE_FLOATS / (kk > 0 ? kk : 1);
    if (px < TILE_MIN_PX)
        px = TILE_MIN_PX;
    int64_t rows = px / ow;
    if (rows < 1)
        rows = 1;
    /* enough tiles to keep every thread busy */
    int64_t want = (int64_t)threads * 4 / groups;
    if (threads > 1 && want > 1 && oh / rows < want)
        rows = oh / want > 0 ? oh / want : 1;
    return rows > oh ? oh : rows;
}

/* Output rows per task and whether the 1x1 path skips im2col. */
static int64_t conv_rows(const ox_conv_args *a, int threads, int *direct)
{
    const ox_node *n = a->n;
    const ox_win *w = &n->win;
    *direct = w->k[0] == 1 && w->k[1] == 1 && w->s[0] == 1 && w->s[1] == 1 && a->pt == 0 &&
              a->pl == 0 && a->oh == a->h && a->ow == a->w;
    int kk = n->cin / n->group * w->k[0] * w->k[1];
    int64_t rows = *direct ? (a->oh + 3) / 4 : tile_rows(a->ow, a->oh, kk, threads, n->group);
    if (*direct && threads == 1)
        rows = a->oh;
    return rows < 1 ? 1 : rows;
}

size_t sigmix_ox_conv_scratch(const ox_conv_args *a, int threads)
{
    const ox_node *n = a->n;
    if (n->wd)
        return 0;
    if (n->wino)
        return sigmix_ox_wino_scratch(a, threads);
    int direct;
    int64_t rows = conv_rows(a, threads, &direct);
    if (direct)
        return 0;
    size_t kk = (size_t)(n->cin / n->group) * (size_t)n->win.k[0] * (size_t)n->win.k[1];
    return kk * (size_t)(rows > a->oh ? a->oh : rows) * (size_t)a->ow;
}

void sigmix_ox_conv(ox_pool *p, const ox_conv_args *a)
{
    const ox_node *n = a->n;
    if (n->wd) {
        sigmix_ox_conv_direct(p, a);
        return;
    }
    if (n->wino) {
        sigmix_ox_conv_wino(p, a);
        return;
    }
    conv_job j = { a, p, 0, 0, 0 };
    j.rows = conv_rows(a, sigmix_ox_pool_threads(p), &j.direct);
    j.tiles = (a->oh + j.rows - 1) / j.rows;
    sigmix_ox_parallel(p, conv_task, &j, (int)(j.tiles * n->group));
}

/* Plain reference: direct 7-loop convolution. */
void sigmix_ox_conv_ref(const ox_conv_args *a)
{
    const ox_node *n = a->n;
    const ox_win *w = &n->win;
    int cg = n->cin / n->group, mg = n->cout / n->group;
    for (int o = 0; o < n->cout; o++) {
        int g = o / mg;
        for (int64_t oy = 0; oy < a->oh; oy++)
            for (int64_t ox = 0; ox < a->ow; ox++) {
                double s = n->b[o];
                for (int c = 0; c < cg; c++)
                    for (int ky = 0; ky < w->k[0]; ky++)
                        for (int kx = 0; kx < w->k[1]; kx++) {
                            int64_t iy = oy * w->s[0] - a->pt + (int64_t)ky * w->d[0];
                            int64_t ix = ox * w->s[1] - a->pl + (int64_t)kx * w->d[1];
                            if (iy < 0 || iy >= a->h || ix < 0 || ix >= a->w)
                                continue;
                            s += (double)a->x[((int64_t)(g * cg + c) * a->h + iy) * a->w + ix] *
                                 n->w[(((size_t)o * cg + c) * w->k[0] + ky) * w->k[1] + kx];
                        }
                float v = (float)s;
                a->y[((int64_t)o * a->oh + oy) * a->ow + ox] =
                    n->act == ACT_RELU && v < 0.0f ? 0.0f : v;
            }
    }
}

/* ---- ConvTranspose ---- */

void sigmix_ox_pack_convt(const float *w, float *out, int cin, int cout, int group, int kh,
                          int kw)
{
    int cg = cin / group, og = cout / group, kk = kh * kw;
    for (int g = 0; g < group; g++)
        for (int c = 0; c < cg; c++)
            for (int o = 0; o < og; o++)
                for (int k = 0; k < kk; k++)
                    out[(size_t)g * og * kk * cg + ((size_t)o * kk + k) * cg + c] =
                        w[(((size_t)(g * cg + c)) * og + o) * kk + k];
}

typedef struct convt_job {
    const ox_conv_args *a;
    ox_pool            *pool;
    int64_t             rows, tiles;
    int                 exact;   /* kernel == stride, no pads: every output written once */
    int                 overlap; /* windows of neighbouring rows overlap: one task per group */
} convt_job;

/* d[2i] = s0[i] + b, d[2i+1] = s1[i] + b: unit-stride loads, paired stores
 * (the strided scalar scatter cost more than the GEMM feeding it). */
static void interleave2(const float *restrict s0, const float *restrict s1, float b,
                        float *restrict d, int64_t n)
{
    int64_t i = 0;
#ifdef __SSE2__
    __m128 vb = _mm_set1_ps(b);
    for (; i + 4 <= n; i += 4) {
        __m128 x = _mm_add_ps(_mm_loadu_ps(s0 + i), vb), y = _mm_add_ps(_mm_loadu_ps(s1 + i), vb);
        _mm_storeu_ps(d + 2 * i, _mm_unpacklo_ps(x, y));
        _mm_storeu_ps(d + 2 * i + 4, _mm_unpackhi_ps(x, y));
    }
#endif
    for (; i < n; i++) {
        d[2 * i] = s0[i] + b;
        d[2 * i + 1] = s1[i] + b;
    }
}

static void convt_tile(const convt_job *j, int g, int64_t iy0, int64_t iy1, int thread)
{
    const ox_conv_args *a = j->a;
    const ox_node *nd = a->n;
    const ox_win *w = &nd->win;
    int cg = nd->cin / nd->group, og = nd->cout / nd->group, kk = w->k[0] * w->k[1];
    int64_t n = (iy1 - iy0) * a->w, ohw = a->oh * a->ow;
    float *col = sigmix_ox_scratch(j->pool, thread, (size_t)og * kk * (size_t)n);
    if (!col)
        return;
    sigmix_ox_sgemm(sigmix_ox_pool_gemm(j->pool), og * kk, (int)n, cg,
                    nd->w + (size_t)g * og * kk * cg, cg,
                    a->x + ((int64_t)g * cg * a->h + iy0) * a->w, (size_t)(a->h * a->w), col,
                    (size_t)n, 0);
    if (j->exact && w->k[1] == 2) { /* 2-wide windows: both columns in one interleaving pass */
        for (int o = 0; o < og; o++) {
            float *yo = a->y + (int64_t)(g * og + o) * ohw, bv = nd->b[g * og + o];
            for (int ky = 0; ky < w->k[0]; ky++) {
                const float *c0 = col + ((size_t)(o * kk + ky * 2)) * (size_t)n;
                for (int64_t iy = iy0; iy < iy1; iy++)
                    interleave2(c0 + (iy - iy0) * a->w, c0 + n + (iy - iy0) * a->w, bv,
                                yo + (iy * w->s[0] + ky) * a->ow, a->w);
            }
        }
        return;
    }
    for (int o = 0; o < og; o++) {
        float *yo = a->y + (int64_t)(g * og + o) * ohw, bv = nd->b[g * og + o];
        for (int ky = 0; ky < w->k[0]; ky++)
            for (int kx = 0; kx < w->k[1]; kx++) {
                const float *src = col + ((size_t)(o * kk + ky * w->k[1] + kx)) * (size_t)n;
                for (int64_t iy = iy0; iy < iy1; iy++) {
                    int64_t oy = iy * w->s[0] - a->pt + (int64_t)ky * w->d[0];
                    if (oy < 0 || oy >= a->oh)
                        continue;
                    const float *s = src + (iy - iy0) * a->w;
                    float *d = yo + oy * a->ow;
                    int64_t ox = (int64_t)kx * w->d[1] - a->pl;
                    if (j->exact)
                        for (int64_t ix = 0; ix < a->w; ix++, ox += w->s[1])
                            d[ox] = s[ix] + bv;
                    else
                        for (int64_t ix = 0; ix < a->w; ix++, ox += w->s[1])
                            if (ox >= 0 && ox < a->ow)
                                d[ox] += s[ix];
                }
            }
    }
}

static void convt_task(void *ctx, int t, int thread)
{
    const convt_job *j = ctx;
    if (j->overlap) {
        for (int64_t k = 0; k < j->tiles; k++) {
            int64_t iy1 = (k + 1) * j->rows;
            convt_tile(j, t, k * j->rows, iy1 > j->a->h ? j->a->h : iy1, thread);
        }
        return;
    }
    int g = (int)(t / j->tiles);
    int64_t iy0 = (t % j->tiles) * j->rows, iy1 = iy0 + j->rows;
    convt_tile(j, g, iy0, iy1 > j->a->h ? j->a->h : iy1, thread);
}

static void bias_fill_task(void *ctx, int t, int thread)
{
    const ox_conv_args *a = ctx;
    (void)thread;
    float *y = a->y + (int64_t)t * a->oh * a->ow, b = a->n->b[t];
    for (int64_t k = 0; k < a->oh * a->ow; k++)
        y[k] = b;
}

static int64_t convt_rows(const ox_conv_args *a, int threads)
{
    const ox_node *n = a->n;
    int kk = n->cout / n->group * n->win.k[0] * n->win.k[1];
    return tile_rows(a->w, a->h, kk, threads, n->group);
}

size_t sigmix_ox_convt_scratch(const ox_conv_args *a, int threads)
{
    const ox_node *n = a->n;
    size_t kk = (size_t)n->win.k[0] * (size_t)n->win.k[1];
    return (size_t)(n->cout / n->group) * kk * (size_t)convt_rows(a, threads) * (size_t)a->w;
}

void sigmix_ox_convt(ox_pool *p, const ox_conv_args *a)
{
    const ox_node *n = a->n;
    const ox_win *w = &n->win;
    convt_job j = { a, p, 0, 0, 0, 0 };
    j.exact = w->k[0] == w->s[0] && w->k[1] == w->s[1] && w->d[0] == 1 && w->d[1] == 1 &&
              a->pt == 0 && a->pl == 0 && a->oh == a->h * w->s[0] && a->ow == a->w * w->s[1];
    j.overlap = (int64_t)(w->k[0] - 1) * w->d[0] + 1 > w->s[0];
    if (!j.exact)
        sigmix_ox_parallel(p, bias_fill_task, (void *)a, n->cout);
    j.rows = convt_rows(a, sigmix_ox_pool_threads(p));
    j.tiles = (a->h + j.rows - 1) / j.rows;
    sigmix_ox_parallel(p, convt_task, &j, j.overlap ? n->group : (int)(j.tiles * n->group));
}

void sigmix_ox_convt_ref(const ox_conv_args *a)
{
    const ox_node *n = a->n;
    const ox_win *w = &n->win;
    int cg = n->cin / n->group, og = n->cout / n->group, kk = w->k[0] * w->k[1];
    for (int o = 0; o < n->cout; o++)
        for (int64_t k = 0; k < a->oh * a->ow; k++)
            a->y[(int64_t)o * a->oh * a->ow + k] = n->b[o];
    for (int c = 0; c < n->cin; c++) {
        int g = c / cg;
        for (int64_t iy = 0; iy < a->h; iy++)
            for (int64_t ix = 0; ix < a->w; ix++) {
                float xv = a->x[((int64_t)c * a->h + iy) * a->w + ix];
                for (int o = 0; o < og; o++)
                    for (int ky = 0; ky < w->k[0]; ky++)
                        for (int kx = 0; kx < w->k[1]; kx++) {
                            int64_t oy = iy * w->s[0] - a->pt + (int64_t)ky * w->d[0];
                            int64_t ox = ix * w->s[1] - a->pl + (int64_t)kx * w->d[1];
                            if (oy < 0 || oy >= a->oh || ox < 0 || ox >= a->ow)
                                continue;
                            /* packed layout: [g][(o*kk + k)][c - g*cg] */
                            float wv = n->w[(size_t)g * og * kk * cg +
                                            ((size_t)o * kk + (size_t)(ky * w->k[1] + kx)) * cg +
                                            (size_t)(c - g * cg)];
                            a->y[((int64_t)(g * og + o) * a->oh + oy) * a->ow + ox] += xv * wv;
                        }
            }
    }
}

/* ---- pools ---- */

typedef struct pool_job {
    const ox_conv_args *a;
    int                 is_max;
} pool_job;

/* MaxPool 2x2 stride 2 without padding: every window lies inside the input. */
static void max2x2(const float *x, float *y, int64_t w, int64_t oh, int64_t ow)
{
    for (int64_t oy = 0; oy < oh; oy++) {
        const float *r0 = x + 2 * oy * w, *r1 = r0 + w;
        float *d = y + oy * ow;
        for (int64_t ox = 0; ox < ow; ox++) {
            float a = r0[2 * ox] > r0[2 * ox + 1] ? r0[2 * ox] : r0[2 * ox + 1];
            float b = r1[2 * ox] > r1[2 * ox + 1] ? r1[2 * ox] : r1[2 * ox + 1];
            d[ox] = a > b ? a : b;
        }
    }
}

static void pool_task(void *ctx, int t, int thread)
{
    const pool_job *j = ctx;
    const ox_conv_args *a = j->a;
    const ox_win *w = &a->n->win;
    const float *x = a->x + (int64_t)t * a->h * a->w;
    float *y = a->y + (int64_t)t * a->oh * a->ow;
    (void)thread;
    if (j->is_max && w->k[0] == 2 && w->k[1] == 2 && w->s[0] == 2 && w->s[1] == 2 &&
        w->d[0] == 1 && w->d[1] == 1 && a->pt == 0 && a->pl == 0 && 2 * a->oh <= a->h &&
        2 * a->ow <= a->w) {
        max2x2(x, y, a->w, a->oh, a->ow);
        return;
    }
    for (int64_t oy = 0; oy < a->oh; oy++) {
        int64_t ys = oy * w->s[0] - a->pt;
        for (int64_t ox = 0; ox < a->ow; ox++) {
            int64_t xs = ox * w->s[1] - a->pl;
            float m = -INFINITY;
            double sum = 0.0;
            int64_t cnt = 0;
            for (int ky = 0; ky < w->k[0]; ky++) {
                int64_t iy = ys + (int64_t)ky * w->d[0];
                if (iy < 0 || iy >= a->h)
                    continue;
                for (int kx = 0; kx < w->k[1]; kx++) {
                    int64_t ix = xs + (int64_t)kx * w->d[1];
                    if (ix < 0 || ix >= a->w)
                        continue;
                    float v = x[iy * a->w + ix];
                    m = v > m ? v : m;
                    sum += v;
                    cnt++;
                }
            }
            if (j->is_max) {
                y[oy * a->ow + ox] = m;
                continue;
            }
            if (w->count_include_pad) { /* window clipped to the padded extent */
                int64_t ye = ys + w->k[0], xe = xs + w->k[1];
                int64_t yl = a->h + a->pb, xl = a->w + a->pr;
                cnt = ((ye < yl ? ye : yl) - ys) * ((xe < xl ? xe : xl) - xs);
            }
            y[oy * a->ow + ox] = cnt > 0 ? (float)(sum / (double)cnt) : 0.0f;
        }
    }
}

void sigmix_ox_pool2d(ox_pool *p, const ox_conv_args *a, int64_t channels, int is_max)
{
    pool_job j = { a, is_max };
    sigmix_ox_parallel(p, pool_task, &j, (int)channels);
}

/* ---- Resize (4-D, N and C unchanged) ---- */

static float src_coord(int ctm, int64_t xo, float scale, int64_t in, int64_t out)
{
    switch (ctm) {
    case CT_HALF_PIXEL:         return ((float)xo + 0.5f) / scale - 0.5f;
    case CT_PYTORCH_HALF_PIXEL: return out > 1 ? ((float)xo + 0.5f) / scale - 0.5f : 0.0f;
    case CT_ALIGN_CORNERS:
        return out == 1 ? 0.0f : (float)xo * (float)(in - 1) / (float)(out - 1);
    default:                    return (float)xo / scale;
    }
}

static int64_t nearest_index(int mode, float x, float scale)
{
    float f;
    switch (mode) {
    case NM_ROUND_PREFER_FLOOR: f = x == floorf(x) + 0.5f ? floorf(x) : roundf(x); break;
    case NM_ROUND_PREFER_CEIL:  f = x == floorf(x) + 0.5f ? ceilf(x) : roundf(x); break;
    case NM_FLOOR:              f = floorf(x); break;
    case NM_CEIL:               f = ceilf(x); break;
    default:                    f = scale < 1.0f ? ceilf(x) : truncf(x); break;
    }
    return f < -1.0f ? -1 : f > (float)OX_MAX_DIM ? OX_MAX_DIM : (int64_t)f;
}

typedef struct axis_tab {
    int64_t *i0, *i1;
    float   *w1;
} axis_tab;

static void make_tab(const ox_node *n, int axis, int64_t in, int64_t out, axis_tab *t)
{
    float scale = n->rs_has_sizes ? (float)out / (float)in : n->rs_scales[axis];
    for (int64_t o = 0; o < out; o++) {
        float x = src_coord(n->rs_ctm, o, scale, in, out);
        if (n->rs_mode == RS_NEAREST) {
            int64_t k = nearest_index(n->rs_nearest, x, scale);
            k = k < 0 ? 0 : k >= in ? in - 1 : k;
            t->i0[o] = t->i1[o] = k;
            t->w1[o] = 0.0f;
            continue;
        }
        x = x < 0.0f ? 0.0f : x > (float)(in - 1) ? (float)(in - 1) : x;
        int64_t k = (int64_t)x;
        t->i0[o] = k;
        t->i1[o] = k + 1 < in ? k + 1 : in - 1;
        t->w1[o] = x - (float)k;
    }
}

typedef struct resize_job {
    const float *x;
    float       *y;
    int64_t      h, w, oh, ow;
    axis_tab     ty, tx;
} resize_job;

static void resize_task(void *ctx, int t, int thread)
{
    const resize_job *j = ctx;
    const float *x = j->x + (int64_t)t * j->h * j->w;
    float *y = j->y + (int64_t)t * j->oh * j->ow;
    (void)thread;
    for (int64_t oy = 0; oy < j->oh; oy++) {
        const float *r0 = x + j->ty.i0[oy] * j->w, *r1 = x + j->ty.i1[oy] * j->w;
        float wy1 = j->ty.w1[oy], wy0 = 1.0f - wy1;
        float *d = y + oy * j->ow;
        for (int64_t ox = 0; ox < j->ow; ox++) {
            int64_t a = j->tx.i0[ox], b = j->tx.i1[ox];
            float wx1 = j->tx.w1[ox], wx0 = 1.0f - wx1;
            d[ox] = wy0 * (wx0 * r0[a] + wx1 * r0[b]) + wy1 * (wx0 * r1[a] + wx1 * r1[b]);
        }
    }
}

void sigmix_ox_resize(ox_pool *p, const ox_node *n, const float *x, float *y, int64_t nc,
                      int64_t h, int64_t w, int64_t oh, int64_t ow)
{
    resize_job j = { x, y, h, w, oh, ow, { 0 }, { 0 } };
    /* scratch slot 0 is free between kernels: hold both axis tables there */
    size_t need = sigmix_ox_resize_scratch(oh, ow);
    float *buf = sigmix_ox_scratch(p, 0, need);
    if (!buf)
        return;
    int64_t *ib = (int64_t *)buf;
    j.ty.i0 = ib;
    j.ty.i1 = ib + oh;
    j.tx.i0 = ib + 2 * oh;
    j.tx.i1 = ib + 2 * oh + ow;
    j.ty.w1 = (float *)(ib + 2 * (oh + ow));
    j.tx.w1 = j.ty.w1 + oh;
    make_tab(n, 2, h, oh, &j.ty);
    make_tab(n, 3, w, ow, &j.tx);
    sigmix_ox_parallel(p, resize_task, &j, (int)nc);
}
