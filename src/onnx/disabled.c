/*
 * The public ONNX functions in a build without ONNX (-Donnx=disabled):
 * every load or run fails with SIGMIX_EUNSUPPORTED, so programs link the
 * same either way and can ask sigmix_has_feature("onnx") first. No model
 * ever exists here, so the accessors only see NULL.
 */
#include <string.h>

#include "sigmix/onnx.h"
#include "util/error.h"

static int no_onnx(sigmix_error *err)
{
    return sigmix_error_set(err, SIGMIX_EUNSUPPORTED, "built without ONNX support");
}

void sigmix_onnx_default_settings(sigmix_onnx_settings *s)
{
    if (s)
        memset(s, 0, sizeof *s);
}

int sigmix_onnx_load(const char *path, const sigmix_onnx_settings *s, sigmix_onnx_model **out,
                     sigmix_error *err)
{
    (void)path, (void)s;
    if (out)
        *out = NULL;
    return no_onnx(err);
}

int sigmix_onnx_load_buffer(const void *data, size_t size, const sigmix_onnx_settings *s,
                            sigmix_onnx_model **out, sigmix_error *err)
{
    (void)data, (void)size, (void)s;
    if (out)
        *out = NULL;
    return no_onnx(err);
}

void sigmix_onnx_free(sigmix_onnx_model **m)
{
    if (m)
        *m = NULL;
}

int sigmix_onnx_pad_multiple(const sigmix_onnx_model *m)
{
    (void)m;
    return 1;
}

int sigmix_onnx_run(const sigmix_onnx_model *m, const float *in, const int64_t in_shape[4],
                    float **out, int64_t out_shape[4], sigmix_error *err)
{
    (void)m, (void)in, (void)in_shape, (void)out_shape;
    if (out)
        *out = NULL;
    return no_onnx(err);
}

int sigmix_onnx_run_profiled(const sigmix_onnx_model *m, const float *in,
                             const int64_t in_shape[4], float **out, int64_t out_shape[4],
                             sigmix_onnx_op_time *times, sigmix_error *err)
{
    (void)times;
    return sigmix_onnx_run(m, in, in_shape, out, out_shape, err);
}

int sigmix_onnx_plan_memory(const sigmix_onnx_model *m, int64_t h, int64_t w,
                            sigmix_onnx_plan *plan, sigmix_error *err)
{
    (void)m, (void)h, (void)w, (void)plan;
    return no_onnx(err);
}

int sigmix_onnx_io_info(const sigmix_onnx_model *m, int is_output, int index, sigmix_onnx_io *io)
{
    (void)m, (void)is_output, (void)index, (void)io;
    return SIGMIX_EUNSUPPORTED;
}

int sigmix_onnx_op_info(const sigmix_onnx_model *m, int index, const char **op_type, int *count)
{
    (void)m, (void)index, (void)op_type, (void)count;
    return SIGMIX_EUNSUPPORTED;
}

size_t sigmix_onnx_weight_count(const sigmix_onnx_model *m)
{
    (void)m;
    return 0;
}

int sigmix_onnx_opset(const sigmix_onnx_model *m, int64_t *ir_version)
{
    (void)m, (void)ir_version;
    return SIGMIX_EUNSUPPORTED;
}
