/*
 * BLAS on first need (blas.h). OpenBLAS creates its worker threads in its
 * load-time constructor, and they stay for the process; a 10-row audit or a
 * `sigmix cat` should not pay for that. Products below SMALL_WORK
 * multiply-adds run the loops here: OpenBLAS itself runs those on one
 * thread, and at that size the loop is as fast as the call. Larger ones,
 * and every single-precision product (the ONNX kernels, whose results must
 * not depend on a size threshold), go to OpenBLAS, opened on first use and
 * kept. A GEMM's threads split rows and columns of C, never the sum, so
 * the thread count never changes a result.
 */
/* dl_iterate_phdr is a GNU extension. */
#define _GNU_SOURCE
#include "util/blas.h"

#include <pthread.h>
#include <stddef.h>

#include "sigmix_config.h"

#if SIGMIX_HAVE_BLAS
#include <dlfcn.h>
#include <link.h>
#include <string.h>
#endif

/* OpenBLAS's own one-thread bound for GEMM (m*n*k < 65536 * 4). */
#define SMALL_WORK 262144.0

typedef void (*sgemm_fn)(int, int, int, int, int, int, float, const float *, int,
                         const float *, int, float, float *, int);
typedef void (*dgemm_fn)(int, int, int, int, int, int, double, const double *, int,
                         const double *, int, double, double *, int);
typedef void (*dsyrk_fn)(int, int, int, int, int, double, const double *, int, double,
                         double *, int);
typedef int (*getn_fn)(void);
typedef void (*setn_fn)(int);

/* The loaded library's entry points: written once under pthread_once
 * (and th_mu), read-only afterwards. Loading is the only state this file keeps apart
 * from the thread-count bookkeeping below. */
static struct {
    sgemm_fn sgemm;
    dgemm_fn dgemm;
    dsyrk_fn dsyrk;
    getn_fn  get_threads;
    setn_fn  set_threads;
} ob;
#if SIGMIX_HAVE_BLAS
static pthread_once_t ob_once = PTHREAD_ONCE_INIT;
#endif

/* enter/leave bookkeeping (see blas.h). */
static pthread_mutex_t th_mu = PTHREAD_MUTEX_INITIALIZER;
static int th_users, th_want, th_saved = -1;

#if SIGMIX_HAVE_BLAS
static void ob_load_from(void *h)
{
    sgemm_fn s = (sgemm_fn)dlsym(h, "cblas_sgemm");
    dgemm_fn d = (dgemm_fn)dlsym(h, "cblas_dgemm");
    dsyrk_fn k = (dsyrk_fn)dlsym(h, "cblas_dsyrk");
    getn_fn g = (getn_fn)dlsym(h, "openblas_get_num_threads");
    setn_fn t = (setn_fn)dlsym(h, "openblas_set_num_threads");
    if (s && d && k && g && t) {
        /* Under th_mu: enter() reads ob.get_threads there while another
         * thread's first product may be loading. */
        pthread_mutex_lock(&th_mu);
        ob.sgemm = s, ob.dgemm = d, ob.dsyrk = k, ob.get_threads = g, ob.set_threads = t;
        pthread_mutex_unlock(&th_mu);
        return;
    }
    dlclose(h);
}

static void ob_load(void)
{
    void *h = dlopen(SIGMIX_OPENBLAS_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (h)
        ob_load_from(h);
}

static int ob_is_loaded(struct dl_phdr_info *info, size_t size, void *found)
{
    (void)size;
    const char *slash = info->dlpi_name ? strrchr(info->dlpi_name, '/') : NULL;
    const char *base = slash ? slash + 1 : info->dlpi_name;
    if (base && !strcmp(base, SIGMIX_OPENBLAS_SONAME))
        *(int *)found = 1;
    return *(int *)found;
}

/* Already in the process (the program linked it): use it without a load.
 * The loaded-object list is searched in memory: dlopen(RTLD_NOLOAD) opens
 * the library file and the loader cache to compare inodes, which a small
 * audit notices. */
static void ob_adopt(void)
{
    int found = 0;
    dl_iterate_phdr(ob_is_loaded, &found);
    if (found)
        pthread_once(&ob_once, ob_load);
}
#endif

int sigmix_blas_available(void)
{
    return SIGMIX_HAVE_BLAS;
}

/* Ready to call OpenBLAS (loading it if need be), with the thread count an
 * open enter() asked for applied. */
static int ob_ready(void)
{
#if SIGMIX_HAVE_BLAS
    pthread_once(&ob_once, ob_load);
    if (!ob.sgemm)
        return 0;
    pthread_mutex_lock(&th_mu);
    if (th_users > 0 && th_saved < 0) {
        th_saved = ob.get_threads();
        if (th_saved != th_want)
            ob.set_threads(th_want);
    }
    pthread_mutex_unlock(&th_mu);
    return 1;
#else
    return 0;
#endif
}

void sigmix_blas_enter(int threads)
{
    if (threads <= 0)
        return;
#if SIGMIX_HAVE_BLAS
    ob_adopt();
#endif
    pthread_mutex_lock(&th_mu);
    if (th_users++ == 0) {
        th_want = threads;
        th_saved = -1;
        /* ob.* are written under th_mu; a product that loads OpenBLAS
         * after this check applies th_want itself (ob_ready). */
        if (ob.get_threads) {
            th_saved = ob.get_threads();
            if (th_saved != threads)
                ob.set_threads(threads);
        }
    }
    pthread_mutex_unlock(&th_mu);
}

void sigmix_blas_leave(int threads)
{
    if (threads <= 0)
        return;
    pthread_mutex_lock(&th_mu);
    if (--th_users == 0) {
        if (th_saved >= 0 && ob.get_threads() != th_saved)
            ob.set_threads(th_saved);
        th_saved = -1;
    }
    pthread_mutex_unlock(&th_mu);
}

/* Element (i, l) of op(X) for the storage order and transpose flag. */
static inline size_t at(int order, int trans, int i, int l, int ld)
{
    int col = (order == CblasColMajor) != (trans == CblasTrans);
    return col ? (size_t)i + (size_t)l * (size_t)ld : (size_t)i * (size_t)ld + (size_t)l;
}

static inline size_t cat_(int order, int i, int j, int ld)
{
    return at(order, CblasNoTrans, i, j, ld);
}

void sigmix_blas_dgemm(int order, int ta, int tb, int m, int n, int k, double alpha,
                       const double *a, int lda, const double *b, int ldb, double beta,
                       double *c, int ldc)
{
    if ((double)m * n * k >= SMALL_WORK && ob_ready()) {
        ob.dgemm(order, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        return;
    }
    /* op(B) is k x n: element (l, j) */
    for (int j = 0; j < n; j++)
        for (int i = 0; i < m; i++) {
            double s = 0.0;
            for (int l = 0; l < k; l++)
                s += a[at(order, ta, i, l, lda)] * b[at(order, tb, l, j, ldb)];
            double *cij = &c[cat_(order, i, j, ldc)];
            *cij = beta == 0.0 ? alpha * s : alpha * s + beta * *cij;
        }
}

void sigmix_blas_dsyrk(int order, int uplo, int trans, int n, int k, double alpha,
                       const double *a, int lda, double beta, double *c, int ldc)
{
    if ((double)n * n * k / 2 >= SMALL_WORK && ob_ready()) {
        ob.dsyrk(order, uplo, trans, n, k, alpha, a, lda, beta, c, ldc);
        return;
    }
    /* op(A) is n x k; C gets op(A) op(A)' on one triangle only. */
    for (int j = 0; j < n; j++) {
        int i0 = uplo == CblasUpper ? 0 : j, i1 = uplo == CblasUpper ? j : n - 1;
        for (int i = i0; i <= i1; i++) {
            double s = 0.0;
            for (int l = 0; l < k; l++)
                s += a[at(order, trans, i, l, lda)] * a[at(order, trans, j, l, lda)];
            double *cij = &c[cat_(order, i, j, ldc)];
            *cij = beta == 0.0 ? alpha * s : alpha * s + beta * *cij;
        }
    }
}

void sigmix_blas_sgemm(int order, int ta, int tb, int m, int n, int k, float alpha,
                       const float *a, int lda, const float *b, int ldb, float beta,
                       float *c, int ldc)
{
    if (ob_ready()) {
        ob.sgemm(order, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        return;
    }
    for (int j = 0; j < n; j++)
        for (int i = 0; i < m; i++) {
            float s = 0.0f;
            for (int l = 0; l < k; l++)
                s += a[at(order, ta, i, l, lda)] * b[at(order, tb, l, j, ldb)];
            float *cij = &c[cat_(order, i, j, ldc)];
            *cij = beta == 0.0f ? alpha * s : alpha * s + beta * *cij;
        }
}
