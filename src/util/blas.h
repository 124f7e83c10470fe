/*
 * BLAS on first need (docs/library.md, "OpenBLAS"). OpenBLAS starts its
 * thread pool when it is loaded, so libsigmix does not link it: the first
 * product big enough to gain from it opens libopenblas.so.0; smaller ones
 * run the plain loops below on the calling thread. Callers use the CBLAS
 * names and values (column/row major, transpose, upper) declared here, so a
 * build without OpenBLAS (-Donnx=disabled) compiles the same call sites.
 */
#ifndef SIGMIX_UTIL_BLAS_H
#define SIGMIX_UTIL_BLAS_H

#ifndef CBLAS_H /* the same values as cblas.h, for files that include both */
enum CBLAS_ORDER { CblasRowMajor = 101, CblasColMajor = 102 };
enum CBLAS_TRANSPOSE { CblasNoTrans = 111, CblasTrans = 112 };
enum CBLAS_UPLO { CblasUpper = 121, CblasLower = 122 };
#endif

/* C = alpha*op(A)*op(B) + beta*C, as cblas_sgemm / cblas_dgemm. */
void sigmix_blas_sgemm(int order, int ta, int tb, int m, int n, int k, float alpha,
                       const float *a, int lda, const float *b, int ldb, float beta,
                       float *c, int ldc);
void sigmix_blas_dgemm(int order, int ta, int tb, int m, int n, int k, double alpha,
                       const double *a, int lda, const double *b, int ldb, double beta,
                       double *c, int ldc);
/* C = alpha*op(A)*op(A)' + beta*C on the `uplo` triangle, as cblas_dsyrk. */
void sigmix_blas_dsyrk(int order, int uplo, int trans, int n, int k, double alpha,
                       const double *a, int lda, double beta, double *c, int ldc);

/*
 * OpenBLAS's thread count is one per process. Between enter(threads) and
 * leave(threads) products use `threads` OpenBLAS threads; the first of
 * concurrent users saves the process's count (when OpenBLAS is already
 * loaded, or when a product loads it inside the span) and the last puts
 * it back. threads <= 0: leave the count alone.
 */
void sigmix_blas_enter(int threads);
void sigmix_blas_leave(int threads);

/* Nonzero when this build can use OpenBLAS (-Donnx=enabled). */
int sigmix_blas_available(void);

#endif
