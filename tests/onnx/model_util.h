/* Helpers shared by the ONNX unit tests: build, load and run tiny models. */
#ifndef SIGMIX_TESTS_MODEL_UTIL_H
#define SIGMIX_TESTS_MODEL_UTIL_H

#include "pbwriter.h"
#include "sigmix/onnx.h"

/* Load model bytes with the given padding / threads; returns the status. */
static inline int mu_load(pbw *bytes, int pad, int threads, sigmix_onnx_model **m,
                          sigmix_error *err)
{
    sigmix_onnx_settings s;
    sigmix_onnx_default_settings(&s);
    s.pad = pad;
    s.threads = threads;
    memset(err, 0, sizeof *err);
    int rc = sigmix_onnx_load_buffer(bytes->b, bytes->n, &s, m, err);
    return rc;
}

/* Load, run once, free. *out is malloc'd on success. */
static inline int mu_run(pbw *bytes, int pad, int threads, const float *in,
                         const int64_t shape[4], float **out, int64_t oshape[4],
                         sigmix_error *err)
{
    sigmix_onnx_model *m = NULL;
    int rc = mu_load(bytes, pad, threads, &m, err);
    if (rc)
        return rc;
    rc = sigmix_onnx_run(m, in, shape, out, oshape, err);
    sigmix_onnx_free(&m);
    return rc;
}

/* One-node model: input -> OP(attrs) -> output, plus initializers added by the caller. */
static inline onnx_model mu_start(int opset)
{
    onnx_model m = { { 0 }, opset };
    return m;
}

#endif
