/*
 * Built-in saliency model: spectral residual (Hou & Zhang, CVPR 2007),
 * written from the paper with FFTW.
 *
 *   luma -> area-downscale to 64 px on the long side (float, [0,1])
 *   F = FFT2(I); L = log|F|; R = L - mean3x3(L) (edge-replicated)
 *   S = |IFFT2(exp(R + i*phase(F)))|^2
 *   S = gauss(S, sigma 2.5 px, 11 taps, edge-replicated); S = (S-min)/(max-min)
 *   bilinear (half-pixel centres) upsample back to the frame size.
 *
 * The parameters are fixed: they are what the id spectral_residual_v1 names.
 */
#include <fftw3.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "saliency/internal.h"
#include "util/error.h"

enum { SR_LONG = 64, SR_RADIUS = 5 };
#define SR_SIGMA 2.5
#define SR_FLOOR 1e-3

/* FFTW's planner is not thread-safe; execution on distinct arrays is. */
static pthread_mutex_t plan_lock = PTHREAD_MUTEX_INITIALIZER;

struct sal_sr {
    int W, H, sw, sh;               /* frame and small sizes of the tables */
    fftwf_complex *buf;
    fftwf_plan fwd, inv;
    float *small, *logamp, *tmp;    /* sw*sh */
    float *hrow;                    /* W: one vertically reduced row */
    /* area downscale: per small column/row, span and weights */
    int *dx0, *dxn, *dy0, *dyn;
    float *dxw, *dyw;               /* weights, W + sw and H + sh entries max */
    /* bilinear upscale tables */
    int *ux0, *uy0;
    float *ufx, *ufy;
    float *up;                      /* sh x W: horizontally upsampled rows */
    float gk[2 * SR_RADIUS + 1];
};

static void free_tables(sal_sr *s)
{
    pthread_mutex_lock(&plan_lock);
    if (s->fwd)
        fftwf_destroy_plan(s->fwd);
    if (s->inv)
        fftwf_destroy_plan(s->inv);
    pthread_mutex_unlock(&plan_lock);
    fftwf_free(s->buf);
    free(s->small); free(s->logamp); free(s->tmp); free(s->hrow);
    free(s->dx0); free(s->dxn); free(s->dy0); free(s->dyn); free(s->dxw); free(s->dyw);
    free(s->ux0); free(s->uy0); free(s->ufx); free(s->ufy); free(s->up);
    float gk[2 * SR_RADIUS + 1];
    memcpy(gk, s->gk, sizeof gk); /* the kernel outlives the size tables */
    memset(s, 0, sizeof *s);
    memcpy(s->gk, gk, sizeof gk);
}

/*
 * Area weights for reducing n source pixels to m: output k covers
 * [k*n/m, (k+1)*n/m). Spans are at most ceil(n/m)+1 pixels, so the weights
 * fit in n + 2m entries. Works for m > n too (sub-pixel spans).
 */
static void area_table(int n, int m, int *x0, int *cnt, float *wt)
{
    size_t off = 0;
    double scale = (double)n / m;
    for (int k = 0; k < m; k++) {
        double a = k * scale, b = (k + 1) * scale;
        int i0 = (int)floor(a), i1 = (int)ceil(b);
        if (i1 > n)
            i1 = n;
        if (i0 >= i1)
            i0 = i1 - 1;
        x0[k] = i0;
        cnt[k] = i1 - i0;
        for (int i = i0; i < i1; i++) {
            double lo = a > i ? a : i, hi = b < i + 1 ? b : i + 1;
            wt[off++] = (float)((hi - lo) / scale);
        }
    }
}

static void bilinear_table(int n, int m, int *i0, float *f)
{
    /* Output pixel k (of n) samples small coordinate (k+0.5)*m/n - 0.5. */
    for (int k = 0; k < n; k++) {
        double x = (k + 0.5) * m / n - 0.5;
        if (x < 0)
            x = 0;
        if (x > m - 1)
            x = m - 1;
        int a = (int)x;
        if (a > m - 2)
            a = m > 1 ? m - 2 : 0;
        i0[k] = a;
        f[k] = m > 1 ? (float)(x - a) : 0.0f;
    }
}

static int build_tables(sal_sr *s, int W, int H)
{
    free_tables(s);
    int sw, sh;
    if (W >= H) {
        sw = SR_LONG;
        sh = (int)lround((double)H * SR_LONG / W);
    } else {
        sh = SR_LONG;
        sw = (int)lround((double)W * SR_LONG / H);
    }
    sw = sw < 1 ? 1 : sw;
    sh = sh < 1 ? 1 : sh;
    size_t sn = (size_t)sw * sh;
    s->buf = fftwf_malloc(sn * sizeof *s->buf);
    s->small = malloc(sn * sizeof(float));
    s->logamp = malloc(sn * sizeof(float));
    s->tmp = malloc(sn * sizeof(float));
    s->hrow = malloc((size_t)W * sizeof(float));
    s->dx0 = malloc(sw * sizeof(int));
    s->dxn = malloc(sw * sizeof(int));
    s->dy0 = malloc(sh * sizeof(int));
    s->dyn = malloc(sh * sizeof(int));
    s->dxw = malloc(((size_t)W + 2 * sw) * sizeof(float));
    s->dyw = malloc(((size_t)H + 2 * sh) * sizeof(float));
    s->ux0 = malloc((size_t)W * sizeof(int));
    s->uy0 = malloc((size_t)H * sizeof(int));
    s->ufx = malloc((size_t)W * sizeof(float));
    s->ufy = malloc((size_t)H * sizeof(float));
    s->up = malloc((size_t)sh * W * sizeof(float));
    if (!s->buf || !s->small || !s->logamp || !s->tmp || !s->hrow || !s->dx0 || !s->dxn
        || !s->dy0 || !s->dyn || !s->dxw || !s->dyw || !s->ux0 || !s->uy0 || !s->ufx
        || !s->ufy || !s->up) {
        free_tables(s);
        return SIGMIX_ENOMEM;
    }
    pthread_mutex_lock(&plan_lock);
    s->fwd = fftwf_plan_dft_2d(sh, sw, s->buf, s->buf, FFTW_FORWARD, FFTW_ESTIMATE);
    s->inv = fftwf_plan_dft_2d(sh, sw, s->buf, s->buf, FFTW_BACKWARD, FFTW_ESTIMATE);
    pthread_mutex_unlock(&plan_lock);
    if (!s->fwd || !s->inv) {
        free_tables(s);
        return SIGMIX_ENOMEM;
    }
    area_table(W, sw, s->dx0, s->dxn, s->dxw);
    area_table(H, sh, s->dy0, s->dyn, s->dyw);
    bilinear_table(W, sw, s->ux0, s->ufx);
    bilinear_table(H, sh, s->uy0, s->ufy);
    s->W = W;
    s->H = H;
    s->sw = sw;
    s->sh = sh;
    return 0;
}

int sigmix_sal_sr_create(sal_sr **out)
{
    sal_sr *s = calloc(1, sizeof *s);
    if (!s)
        return SIGMIX_ENOMEM;
    double sum = 0;
    for (int i = -SR_RADIUS; i <= SR_RADIUS; i++)
        sum += s->gk[i + SR_RADIUS] = (float)exp(-(i * i) / (2 * SR_SIGMA * SR_SIGMA));
    for (int i = 0; i < 2 * SR_RADIUS + 1; i++)
        s->gk[i] = (float)(s->gk[i] / sum);
    *out = s;
    return 0;
}

void sigmix_sal_sr_free(sal_sr *s)
{
    if (!s)
        return;
    free_tables(s);
    free(s);
}

/* Area downscale, vertical pass first: it runs over contiguous rows and
 * vectorises; the horizontal pass then only touches sh rows. */
static void downscale(sal_sr *s, const uint8_t *y, int ys)
{
    const int W = s->W, sw = s->sw;
    const float *wy = s->dyw;
    float *acc = s->hrow;
    for (int k = 0; k < s->sh; k++) {
        for (int x = 0; x < W; x++)
            acc[x] = 0.0f;
        for (int i = 0; i < s->dyn[k]; i++) {
            const uint8_t *row = y + (size_t)(s->dy0[k] + i) * ys;
            const float w = wy[i];
            for (int x = 0; x < W; x++)
                acc[x] += w * (float)row[x];
        }
        wy += s->dyn[k];
        const float *wx = s->dxw;
        float *o = s->small + (size_t)k * sw;
        for (int c = 0; c < sw; c++) {
            float v = 0.0f;
            const float *p = acc + s->dx0[c];
            for (int i = 0; i < s->dxn[c]; i++)
                v += wx[i] * p[i];
            wx += s->dxn[c];
            o[c] = v * (1.0f / 255.0f);
        }
    }
}

static inline int clampi(int v, int lo, int hi) { return v < lo ? lo : (v > hi ? hi : v); }

/* 3x3 box mean with replicated edges. */
static void box3(const float *in, float *out, int w, int h)
{
    for (int r = 0; r < h; r++)
        for (int c = 0; c < w; c++) {
            float acc = 0.0f;
            for (int dr = -1; dr <= 1; dr++)
                for (int dc = -1; dc <= 1; dc++)
                    acc += in[(size_t)clampi(r + dr, 0, h - 1) * w + clampi(c + dc, 0, w - 1)];
            out[(size_t)r * w + c] = acc / 9.0f;
        }
}

/* Separable Gaussian with replicated edges, in place on a (tmp scratch). */
static void gauss(const float *k, float *a, float *tmp, int w, int h)
{
    for (int r = 0; r < h; r++)
        for (int c = 0; c < w; c++) {
            float acc = 0.0f;
            for (int i = -SR_RADIUS; i <= SR_RADIUS; i++)
                acc += k[i + SR_RADIUS] * a[(size_t)r * w + clampi(c + i, 0, w - 1)];
            tmp[(size_t)r * w + c] = acc;
        }
    for (int r = 0; r < h; r++)
        for (int c = 0; c < w; c++) {
            float acc = 0.0f;
            for (int i = -SR_RADIUS; i <= SR_RADIUS; i++)
                acc += k[i + SR_RADIUS] * tmp[(size_t)clampi(r + i, 0, h - 1) * w + c];
            a[(size_t)r * w + c] = acc;
        }
}

static void residual(sal_sr *s)
{
    const size_t n = (size_t)s->sw * s->sh;
    for (size_t i = 0; i < n; i++) {
        s->buf[i][0] = s->small[i];
        s->buf[i][1] = 0.0f;
    }
    fftwf_execute(s->fwd);
    double asum = 0.0;
    for (size_t i = 0; i < n; i++) {
        s->tmp[i] = hypotf(s->buf[i][0], s->buf[i][1]); /* amplitude, reused below */
        asum += s->tmp[i];
    }
    /* Synthetic frames have exact spectral zeros; log(0) would let them
     * swamp their neighbours' local mean, so amplitudes are floored at a
     * small fraction of the mean amplitude (a noise floor). */
    float floor_a = (float)(SR_FLOOR * asum / (double)n);
    floor_a = floor_a > 1e-12f ? floor_a : 1e-12f;
    for (size_t i = 0; i < n; i++)
        s->logamp[i] = logf(s->tmp[i] > floor_a ? s->tmp[i] : floor_a);
    box3(s->logamp, s->small, s->sw, s->sh);
    for (size_t i = 0; i < n; i++) {
        /* exp(R) * e^{i phase} = exp(R) * F / |F|; phase of a zero bin is 0. */
        float g = expf(s->logamp[i] - s->small[i]);
        float a = s->tmp[i];
        if (a > 0.0f) {
            s->buf[i][0] *= g / a;
            s->buf[i][1] *= g / a;
        } else {
            s->buf[i][0] = g;
            s->buf[i][1] = 0.0f;
        }
    }
    fftwf_execute(s->inv);
    for (size_t i = 0; i < n; i++)
        s->small[i] = s->buf[i][0] * s->buf[i][0] + s->buf[i][1] * s->buf[i][1];
    gauss(s->gk, s->small, s->tmp, s->sw, s->sh);
    float lo = s->small[0], hi = s->small[0];
    for (size_t i = 1; i < n; i++) {
        lo = s->small[i] < lo ? s->small[i] : lo;
        hi = s->small[i] > hi ? s->small[i] : hi;
    }
    float span = hi - lo;
    for (size_t i = 0; i < n; i++)
        s->small[i] = span > 0.0f && isfinite(span) ? (s->small[i] - lo) / span : 0.0f;
}

static void upscale_from(sal_sr *s, const float *small, float *map)
{
    const int W = s->W, H = s->H, sw = s->sw;
    for (int k = 0; k < s->sh; k++) {
        const float *src = small + (size_t)k * sw;
        float *o = s->up + (size_t)k * W;
        for (int x = 0; x < W; x++) {
            int a = s->ux0[x], b = sw > 1 ? a + 1 : a;
            o[x] = src[a] + s->ufx[x] * (src[b] - src[a]);
        }
    }
    for (int r = 0; r < H; r++) {
        int a = s->uy0[r], b = s->sh > 1 ? a + 1 : a;
        const float *p = s->up + (size_t)a * W, *q = s->up + (size_t)b * W;
        float f = s->ufy[r];
        float *o = map + (size_t)r * W;
        for (int x = 0; x < W; x++)
            o[x] = p[x] + f * (q[x] - p[x]);
    }
}

int sigmix_sal_sr_run(sal_sr *s, const uint8_t *y, int ys, int w, int h, float *map)
{
    if (w <= 0 || h <= 0)
        return SIGMIX_EINVAL;
    if (s->W != w || s->H != h || !s->fwd) {
        int r = build_tables(s, w, h);
        if (r)
            return r;
    }
    downscale(s, y, ys);
    residual(s);
    upscale_from(s, s->small, map);
    return 0;
}

/* ---- model class --------------------------------------------------------- */

static int sr_instance_create(void *shared, void **inst, sigmix_error *err)
{
    (void)shared;
    sal_sr *s;
    if (sigmix_sal_sr_create(&s))
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    *inst = s;
    return 0;
}

static int sr_run(void *inst, const sal_frame *f, float *map, sigmix_error *err)
{
    int r = sigmix_sal_sr_run(inst, f->y, f->ys, f->w, f->h, map);
    if (r)
        return sigmix_error_set(err, r, "spectral residual failed (%dx%d)", f->w, f->h);
    return 0;
}

static int sr_run_small(void *inst, const sal_frame *f, const float **small, int *sw, int *sh,
                        sigmix_error *err)
{
    sal_sr *s = inst;
    if (f->w <= 0 || f->h <= 0)
        return sigmix_error_set(err, SIGMIX_EINVAL, "empty frame");
    if (s->W != f->w || s->H != f->h || !s->fwd) {
        if (build_tables(s, f->w, f->h))
            return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    }
    downscale(s, f->y, f->ys);
    residual(s);
    *small = s->small;
    *sw = s->sw;
    *sh = s->sh;
    return 0;
}

static void sr_expand(void *inst, const float *small, float *map)
{
    sal_sr *s = inst;
    upscale_from(s, small, map);
}

static void sr_instance_free(void *inst) { sigmix_sal_sr_free(inst); }
static void sr_shared_free(void *shared) { (void)shared; }

const sal_model_class sigmix_sal_spectral_residual = {
    "spectral_residual_v1", sr_instance_create, sr_run, sr_instance_free, sr_shared_free,
    sr_run_small, sr_expand,
};
