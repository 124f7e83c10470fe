/*
 * Model registry and the ONNX adapter: yuv420p -> ImageNet-normalised RGB
 * tensor, sigmix_onnx_run, [1,1,H,W] output -> map.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sigmix/onnx.h"
#include "saliency/internal.h"
#include "util/error.h"

/*
 * BT.709 limited range to RGB, each step in float32 in the order the
 * reference pipeline uses (numpy float32 arrays), so tensors match bit for bit.
 */
void sigmix_sal_yuv_to_tensor(const sal_frame *f, float *out)
{
    static const float mean[3] = { 0.485f, 0.456f, 0.406f };
    static const float stdv[3] = { 0.229f, 0.224f, 0.225f };
    const size_t plane = (size_t)f->w * f->h;
    float *R = out, *G = out + plane, *B = out + 2 * plane;
    for (int r = 0; r < f->h; r++) {
        const uint8_t *yr = f->y + (size_t)r * f->ys;
        const uint8_t *ur = f->u + (size_t)(r / 2) * f->us;
        const uint8_t *vr = f->v + (size_t)(r / 2) * f->vs;
        size_t o = (size_t)r * f->w;
        for (int x = 0; x < f->w; x++) {
            float y = ((float)yr[x] - 16.0f) / 219.0f;
            float u = ((float)ur[x / 2] - 128.0f) / 224.0f;
            float v = ((float)vr[x / 2] - 128.0f) / 224.0f;
            float c[3];
            c[0] = y + 1.5748f * v;
            c[1] = y - 0.1873f * u - 0.4681f * v;
            c[2] = y + 1.8556f * u;
            for (int k = 0; k < 3; k++) {
                float t = c[k] < 0.0f ? 0.0f : (c[k] > 1.0f ? 1.0f : c[k]);
                c[k] = (t - mean[k]) / stdv[k];
            }
            R[o + x] = c[0];
            G[o + x] = c[1];
            B[o + x] = c[2];
        }
    }
}

typedef struct onnx_inst {
    const sigmix_onnx_model *model;
    float  *tensor;
    size_t  cap;
} onnx_inst;

static int onnx_instance_create(void *shared, void **inst, sigmix_error *err)
{
    onnx_inst *o = calloc(1, sizeof *o);
    if (!o)
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    o->model = shared;
    *inst = o;
    return 0;
}

static int onnx_run(void *inst, const sal_frame *f, float *map, sigmix_error *err)
{
    onnx_inst *o = inst;
    size_t plane = (size_t)f->w * f->h;
    if (o->cap < 3 * plane) {
        float *t = realloc(o->tensor, 3 * plane * sizeof *t);
        if (!t)
            return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
        o->tensor = t;
        o->cap = 3 * plane;
    }
    sigmix_sal_yuv_to_tensor(f, o->tensor);
    const int64_t in_shape[4] = { 1, 3, f->h, f->w };
    int64_t out_shape[4] = { 0, 0, 0, 0 };
    float *out = NULL;
    int r = sigmix_onnx_run(o->model, o->tensor, in_shape, &out, out_shape, err);
    if (r)
        return r;
    if (out_shape[0] != 1 || out_shape[1] != 1 || out_shape[2] != f->h || out_shape[3] != f->w) {
        free(out);
        return sigmix_error_set(err, SIGMIX_EMODEL,
                                "model output is [%lld,%lld,%lld,%lld], expected [1,1,%d,%d]",
                                (long long)out_shape[0], (long long)out_shape[1],
                                (long long)out_shape[2], (long long)out_shape[3], f->h, f->w);
    }
    for (size_t i = 0; i < plane; i++)
        if (!isfinite(out[i])) {
            free(out);
            return sigmix_error_set(err, SIGMIX_EMODEL, "model output is not finite (pixel %zu)", i);
        }
    memcpy(map, out, plane * sizeof *map);
    free(out);
    return 0;
}

static void onnx_instance_free(void *inst)
{
    onnx_inst *o = inst;
    if (o)
        free(o->tensor);
    free(o);
}

static void onnx_shared_free(void *shared)
{
    sigmix_onnx_model *m = shared;
    sigmix_onnx_free(&m);
}

const sal_model_class sigmix_sal_onnx_model = {
    "onnx", onnx_instance_create, onnx_run, onnx_instance_free, onnx_shared_free, NULL, NULL,
};

int sigmix_sal_model_builtin(sal_model *m)
{
    memset(m, 0, sizeof *m);
    m->cls = &sigmix_sal_spectral_residual;
    snprintf(m->id, sizeof m->id, "%s", m->cls->name);
    return 0;
}

/* Default id: file name without folders and without its last extension. */
static void file_stem(const char *path, char *out, size_t n)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    const char *dot = strrchr(b, '.');
    size_t len = dot && dot != b ? (size_t)(dot - b) : strlen(b);
    if (len >= n)
        len = n - 1;
    memcpy(out, b, len);
    out[len] = '\0';
}

int sigmix_sal_model_onnx(sal_model *m, const char *path, sigmix_error *err)
{
    memset(m, 0, sizeof *m);
    sigmix_onnx_settings os;
    sigmix_onnx_default_settings(&os);
    os.threads = 1; /* parallelism comes from --jobs; keeps results thread-count independent */
    os.pad = 1;
    sigmix_onnx_model *om = NULL;
    int r = sigmix_onnx_load(path, &os, &om, err);
    if (r)
        return r;
    m->cls = &sigmix_sal_onnx_model;
    m->shared = om;
    file_stem(path, m->id, sizeof m->id);
    return 0;
}

void sigmix_sal_model_free(sal_model *m)
{
    if (m->cls && m->shared)
        m->cls->shared_free(m->shared);
    memset(m, 0, sizeof *m);
}
