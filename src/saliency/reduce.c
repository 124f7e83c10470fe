/*
 * Temporal reducers over per-frame saliency maps. The arithmetic is float32
 * like the reference pipeline (running sums, alpha blending, weights); only
 * the final statistics are accumulated in double.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "saliency/internal.h"

int sigmix_sal_reducer_init(sal_reducer *r, sigmix_saliency_reducer kind, double alpha,
                            int w, int h, int lw, int lh)
{
    memset(r, 0, sizeof *r);
    r->kind = kind;
    r->alpha = (float)alpha;
    r->w = w;
    r->h = h;
    r->lw = lw;
    r->lh = lh;
    r->npix = (size_t)w * (size_t)h;
    r->acc = calloc(r->npix ? r->npix : 1, sizeof *r->acc);
    size_t ln = (size_t)lw * (size_t)lh;
    if (kind == SIGMIX_SAL_MOTION_WEIGHTED)
        r->prev_y = malloc(ln ? ln : 1);
    if (!r->acc || (kind == SIGMIX_SAL_MOTION_WEIGHTED && !r->prev_y)) {
        sigmix_sal_reducer_free(r);
        return SIGMIX_ENOMEM;
    }
    return 0;
}

void sigmix_sal_reducer_free(sal_reducer *r)
{
    free(r->acc);
    free(r->prev_y);
    r->acc = NULL;
    r->prev_y = NULL;
}

/* Mean absolute 8-bit luma difference to the previous sampled frame, / 255,
 * floored at 1e-6. The integer sum is exact; one rounding to float. */
static float motion_weight(sal_reducer *r, const uint8_t *y, int ys)
{
    uint64_t sum = 0;
    for (int i = 0; i < r->lh; i++) {
        const uint8_t *a = y + (size_t)i * ys, *b = r->prev_y + (size_t)i * r->lw;
        uint32_t row = 0;
        for (int x = 0; x < r->lw; x++)
            row += (uint32_t)(a[x] > b[x] ? a[x] - b[x] : b[x] - a[x]);
        sum += row;
    }
    r->last_absdiff = sum;
    float m = (float)((double)sum / ((double)r->lw * r->lh));
    float wgt = m / 255.0f;
    return wgt > 1e-6f ? wgt : 1e-6f;
}

static void keep_luma(sal_reducer *r, const uint8_t *y, int ys)
{
    for (int i = 0; i < r->lh; i++)
        memcpy(r->prev_y + (size_t)i * r->lw, y + (size_t)i * ys, (size_t)r->lw);
}

void sigmix_sal_reducer_add(sal_reducer *r, const float *map, const uint8_t *y, int ys)
{
    float *acc = r->acc;
    size_t n = r->npix;
    switch (r->kind) {
    case SIGMIX_SAL_MEAN:
        for (size_t i = 0; i < n; i++)
            acc[i] += map[i];
        break;
    case SIGMIX_SAL_EMA:
        if (r->count == 0) {
            memcpy(acc, map, n * sizeof *acc);
        } else {
            float a = r->alpha, b = (float)(1.0 - (double)r->alpha);
            for (size_t i = 0; i < n; i++)
                acc[i] = a * map[i] + b * acc[i];
        }
        break;
    case SIGMIX_SAL_MAX:
        for (size_t i = 0; i < n; i++)
            acc[i] = map[i] > acc[i] ? map[i] : acc[i];
        break;
    case SIGMIX_SAL_MOTION_WEIGHTED: {
        float wgt = r->count == 0 ? 1.0f : motion_weight(r, y, ys);
        for (size_t i = 0; i < n; i++)
            acc[i] += wgt * map[i];
        r->wsum += wgt;
        r->last_weight = wgt;
        keep_luma(r, y, ys);
        break;
    }
    }
    r->count++;
}

void sigmix_sal_reducer_final(sal_reducer *r)
{
    float div = 1.0f;
    if (r->kind == SIGMIX_SAL_MEAN)
        div = (float)r->count;
    else if (r->kind == SIGMIX_SAL_MOTION_WEIGHTED)
        div = r->wsum;
    if (div != 1.0f)
        for (size_t i = 0; i < r->npix; i++)
            r->acc[i] /= div;
}

void sigmix_sal_map_stats(float *map, size_t n, double *mean, double *var)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++) {
        float v = map[i];
        v = v < 0.0f ? 0.0f : (v > 1.0f ? 1.0f : v);
        map[i] = v;
        s += v;
    }
    double m = n ? s / (double)n : NAN;
    double q = 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = (double)map[i] - m;
        q += d * d;
    }
    *mean = m;
    *var = n ? q / (double)n : NAN;
}

void sigmix_sal_reducer_finish(sal_reducer *r, double *mean, double *var)
{
    sigmix_sal_reducer_final(r);
    sigmix_sal_map_stats(r->acc, r->npix, mean, var);
}
