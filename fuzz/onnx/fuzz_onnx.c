/*
 * Fuzz the ONNX loader, the memory planner and, when a mutated model still
 * loads, one small run: malformed protobuf, hostile attributes and shapes
 * must give clean errors (never a crash, hang or out-of-bounds access).
 * A small max_model_memory keeps hostile shapes (Resize bombs) cheap: the
 * planner must refuse them before anything large is allocated.
 */
#include <stdint.h>
#include <stdlib.h>

#include "sigmix/onnx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sigmix_onnx_settings s;
    sigmix_onnx_default_settings(&s);
    s.threads = size % 2 ? 2 : 1;
    s.max_model_memory = (uint64_t)64 << 20;
    sigmix_onnx_model *m = NULL;
    sigmix_error e;
    if (sigmix_onnx_load_buffer(data, size, &s, &m, &e))
        return 0;
    sigmix_onnx_plan plan;
    for (int64_t hw = 1; hw <= 64; hw *= 8) /* the planner alone, at a few sizes */
        if (sigmix_onnx_plan_memory(m, hw, hw + 3, &plan, &e) == 0 && plan.peak_bytes <
            plan.activation_bytes)
            __builtin_trap(); /* the parts must add up */
    sigmix_onnx_io io;
    int64_t shape[4] = { 1, 3, 9, 7 }, oshape[4];
    if (sigmix_onnx_io_info(m, 0, 0, &io) == 0)
        for (int k = 0; k < 4 && k < io.ndim; k++)
            if (io.dims[k] > 0 && io.dims[k] <= 64)
                shape[k] = io.dims[k];
    size_t n = (size_t)(shape[0] * shape[1] * shape[2] * shape[3]);
    float *x = malloc(n * sizeof(float));
    if (x) {
        for (size_t k = 0; k < n; k++)
            x[k] = (float)(k % 13) * 0.25f - 1.5f;
        float *y = NULL;
        if (sigmix_onnx_run(m, x, shape, &y, oshape, &e) == 0)
            free(y);
        free(x);
    }
    sigmix_onnx_free(&m);
    return 0;
}
