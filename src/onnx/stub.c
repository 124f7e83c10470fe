/* Placeholder until the ONNX runner lands (owned by the onnx work). */
#include "sigmix/onnx.h"
#include "util/error.h"

void sigmix_onnx_default_settings(sigmix_onnx_settings *s)
{
    *s = (sigmix_onnx_settings){ .threads = 0, .pad = 1 };
}

int sigmix_onnx_load(const char *path, const sigmix_onnx_settings *s,
                     sigmix_onnx_model **out, sigmix_error *err)
{
    (void)path; (void)s;
    *out = NULL;
    return sigmix_error_set(err, SIGMIX_EUNSUPPORTED, "ONNX runner not implemented yet");
}

void sigmix_onnx_free(sigmix_onnx_model **m) { if (m) *m = NULL; }

int sigmix_onnx_pad_multiple(const sigmix_onnx_model *m) { (void)m; return 1; }

int sigmix_onnx_run(const sigmix_onnx_model *m, const float *in, const int64_t in_shape[4],
                    float **out, int64_t out_shape[4], sigmix_error *err)
{
    (void)m; (void)in; (void)in_shape; (void)out_shape;
    *out = NULL;
    return sigmix_error_set(err, SIGMIX_EUNSUPPORTED, "ONNX runner not implemented yet");
}
