/*
 * OpenBLAS threads during ONNX runs (docs/onnx.md, "BLAS threads").
 * sigmix's pool splits every GEMM-heavy node by tiles, so OpenBLAS's own
 * threads would only oversubscribe the cores. OpenBLAS has one
 * process-wide thread count, so the library changes it only inside runs
 * that ask (settings.blas_threads > 0) and restores it: the first of any
 * concurrent runs saves the process value and applies its own, the last one
 * to finish puts the saved value back. This counter is the only static
 * state of the ONNX layer and exists so the process is left as found.
 */
#include <cblas.h>
#include <pthread.h>

#include "onnx/internal.h"

static pthread_mutex_t blas_mu = PTHREAD_MUTEX_INITIALIZER;
static int blas_users, blas_saved;

void sigmix_ox_blas_enter(int threads)
{
    if (threads <= 0)
        return;
    pthread_mutex_lock(&blas_mu);
    if (blas_users++ == 0) {
        blas_saved = openblas_get_num_threads();
        if (blas_saved != threads)
            openblas_set_num_threads(threads);
    }
    pthread_mutex_unlock(&blas_mu);
}

void sigmix_ox_blas_leave(int threads)
{
    if (threads <= 0)
        return;
    pthread_mutex_lock(&blas_mu);
    if (--blas_users == 0 && openblas_get_num_threads() != blas_saved)
        openblas_set_num_threads(blas_saved);
    pthread_mutex_unlock(&blas_mu);
}
