/*
 * util/blas.c: the small-product loops for every storage order, transpose
 * and triangle the callers use, checked exactly against a plain triple loop
 * with the same summation order, and the OpenBLAS path (large products)
 * within rounding of it.
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <cmocka.h>

#include "sigmix_config.h"
#include "util/blas.h"

static double elem(const double *x, int order, int trans, int i, int l, int ld)
{
    /* op(X)(i, l) */
    int r = trans == CblasTrans ? l : i, c = trans == CblasTrans ? i : l;
    return order == CblasColMajor ? x[r + (size_t)c * ld] : x[(size_t)r * ld + c];
}

static void fill(double *x, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        x[i] = (double)(seed >> 8 & 0xffff) / 4096.0 - 8.0;
    }
}

/* C = alpha op(A) op(B) + beta C against the reference loop; exact for the
 * small path, relative 1e-12 for OpenBLAS. */
static void check_gemm(int m, int n, int k, int exact)
{
    for (int order = CblasRowMajor; order <= CblasColMajor; order++)
        for (int ta = CblasNoTrans; ta <= CblasTrans; ta++)
            for (int tb = CblasNoTrans; tb <= CblasTrans; tb++) {
                int ar = ta == CblasTrans ? k : m, ac = ta == CblasTrans ? m : k;
                int br = tb == CblasTrans ? n : k, bc = tb == CblasTrans ? k : n;
                int lda = (order == CblasColMajor ? ar : ac) + 1;
                int ldb = (order == CblasColMajor ? br : bc) + 2;
                int ldc = (order == CblasColMajor ? m : n) + 3;
                size_t na = (size_t)lda * (order == CblasColMajor ? ac : ar);
                size_t nb = (size_t)ldb * (order == CblasColMajor ? bc : br);
                size_t nc = (size_t)ldc * (order == CblasColMajor ? n : m);
                double *a = malloc(na * sizeof *a), *b = malloc(nb * sizeof *b);
                double *c = malloc(nc * sizeof *c), *want = malloc(nc * sizeof *c);
                assert_non_null(a && b && c && want);
                fill(a, na, 1), fill(b, nb, 2), fill(c, nc, 3);
                for (size_t i = 0; i < nc; i++)
                    want[i] = c[i];
                for (int j = 0; j < n; j++)
                    for (int i = 0; i < m; i++) {
                        double s = 0.0;
                        for (int l = 0; l < k; l++)
                            s += elem(a, order, ta, i, l, lda) * elem(b, order, tb, l, j, ldb);
                        size_t ix = order == CblasColMajor ? i + (size_t)j * ldc
                                                           : (size_t)i * ldc + j;
                        want[ix] = 0.5 * s + 2.0 * want[ix];
                    }
                sigmix_blas_dgemm(order, ta, tb, m, n, k, 0.5, a, lda, b, ldb, 2.0, c, ldc);
                for (size_t i = 0; i < nc; i++) {
                    if (exact)
                        assert_true(c[i] == want[i]);
                    else
                        assert_true(fabs(c[i] - want[i]) <= 1e-12 * (1.0 + fabs(want[i])) * k);
                }
                free(a), free(b), free(c), free(want);
            }
}

static void check_syrk(int n, int k, int exact)
{
    for (int order = CblasRowMajor; order <= CblasColMajor; order++)
        for (int tr = CblasNoTrans; tr <= CblasTrans; tr++)
            for (int up = CblasUpper; up <= CblasLower; up++) {
                int ar = tr == CblasTrans ? k : n, ac = tr == CblasTrans ? n : k;
                int lda = (order == CblasColMajor ? ar : ac) + 1, ldc = n + 2;
                size_t na = (size_t)lda * (order == CblasColMajor ? ac : ar);
                size_t nc = (size_t)ldc * n;
                double *a = malloc(na * sizeof *a), *c = malloc(nc * sizeof *c);
                double *want = malloc(nc * sizeof *c);
                assert_non_null(a && c && want);
                fill(a, na, 4), fill(c, nc, 5);
                for (size_t i = 0; i < nc; i++)
                    want[i] = c[i];
                for (int j = 0; j < n; j++)
                    for (int i = 0; i < n; i++) {
                        if (up == CblasUpper ? i > j : i < j)
                            continue; /* the other triangle stays as it was */
                        double s = 0.0;
                        for (int l = 0; l < k; l++)
                            s += elem(a, order, tr, i, l, lda) * elem(a, order, tr, j, l, lda);
                        size_t ix = order == CblasColMajor ? i + (size_t)j * ldc
                                                           : (size_t)i * ldc + j;
                        want[ix] = s + want[ix];
                    }
                sigmix_blas_dsyrk(order, up, tr, n, k, 1.0, a, lda, 1.0, c, ldc);
                for (size_t i = 0; i < nc; i++) {
                    if (exact)
                        assert_true(c[i] == want[i]);
                    else
                        assert_true(fabs(c[i] - want[i]) <= 1e-12 * (1.0 + fabs(want[i])) * k);
                }
                free(a), free(c), free(want);
            }
}

static void small_products_exact(void **state)
{
    (void)state;
    check_gemm(5, 7, 3, 1);
    check_gemm(1, 1, 1, 1);
    check_syrk(6, 4, 1);
}

#if SIGMIX_HAVE_BLAS
static void large_products_openblas(void **state)
{
    (void)state;
    assert_true(sigmix_blas_available());
    check_gemm(70, 80, 90, 0);
    check_syrk(120, 80, 0);
}
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(small_products_exact),
#if SIGMIX_HAVE_BLAS
        cmocka_unit_test(large_products_openblas),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
