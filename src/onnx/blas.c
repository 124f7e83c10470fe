/*
 * OpenBLAS threads during ONNX runs (docs/onnx.md, "BLAS threads").
 * sigmix's pool splits every GEMM-heavy node by tiles, so OpenBLAS's own
 * threads would only oversubscribe the cores. OpenBLAS has one
 * process-wide thread count, so the library changes it only inside runs
 * that ask (settings.blas_threads > 0) and restores it: the first of any
 * concurrent runs saves the process value and applies its own, the last one
 * to finish puts the saved value back, so the process is left as found.
 */
#include "onnx/internal.h"
#include "util/blas.h"

/* The save/apply/restore bookkeeping lives in util/blas.c, shared with the
 * audit and aware that OpenBLAS may not be loaded yet. */
void sigmix_ox_blas_enter(int threads)
{
    sigmix_blas_enter(threads);
}

void sigmix_ox_blas_leave(int threads)
{
    sigmix_blas_leave(threads);
}
