/*
 * checkasm-style test of the SIMD kernels: every variant this CPU runs
 * (sigmix_ox_gemm_variant) against the C reference, on random shapes that
 * cover the register-block edges (rows 1..19 around the 8- and 4-row
 * blocks, columns around the 16/24/48-column blocks, k = 0 and 1), with
 * leading dimensions wider than the matrices. Guard cells around every row
 * of C must come back untouched: the masked tails may not write past n.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "onnx/internal.h"
#include "onnx/pool.h"

static uint32_t rng = 777;

static uint32_t urand(uint32_t n)
{
    rng = rng * 1664525u + 1013904223u;
    return (rng >> 8) % n;
}

static float frand(void)
{
    return (float)urand(1u << 20) * (2.0f / 1048576.0f) - 1.0f;
}

static const char *const isa_name[OX_ISA_N] = { "c", "avx2", "avx512" };

#define GUARD 5
#define GUARD_VAL 1234.5f

/* One shape through variant f and the reference; returns the failures. */
static int check_shape(ox_gemm_fn f, int isa, int m, int n, int k, int acc)
{
    int lda = k + (int)urand(3), pad = (int)urand(7);
    size_t ldb = (size_t)n + (size_t)pad, ldc = (size_t)n + 2 * GUARD + (size_t)urand(4);
    float *a = malloc(sizeof(float) * ((size_t)m * (size_t)lda + 1));
    float *b = malloc(sizeof(float) * ((size_t)k * ldb + 1));
    float *c = malloc(sizeof(float) * (size_t)m * ldc), *r = malloc(sizeof(float) * (size_t)m * ldc);
    assert_true(a && b && c && r);
    for (size_t i = 0; i < (size_t)m * (size_t)lda; i++)
        a[i] = frand();
    for (size_t i = 0; i < (size_t)k * ldb; i++)
        b[i] = frand();
    for (size_t i = 0; i < (size_t)m * ldc; i++)
        c[i] = r[i] = GUARD_VAL;
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++)
            c[(size_t)i * ldc + GUARD + (size_t)j] = r[(size_t)i * ldc + GUARD + (size_t)j] =
                frand();
    f(m, n, k, a, lda, b, ldb, c + GUARD, ldc, acc);
    sigmix_ox_gemm_c(m, n, k, a, lda, b, ldb, r + GUARD, ldc, acc);
    int bad = 0;
    for (int i = 0; i < m && !bad; i++)
        for (size_t j = 0; j < ldc; j++) {
            float got = c[(size_t)i * ldc + j], want = r[(size_t)i * ldc + j];
            int inside = j >= GUARD && j < GUARD + (size_t)n;
            /* products of values in [-1, 1]: the error bound grows with k */
            float tol = inside ? 1e-6f * (float)(k + 1) * 4.0f : 0.0f;
            if (!(fabsf(got - want) <= tol)) {
                print_error("%s m=%d n=%d k=%d acc=%d: C[%d][%ld] = %g, want %g%s\n",
                            isa_name[isa], m, n, k, acc, i, (long)j - GUARD, got, want,
                            inside ? "" : " (outside the matrix)");
                bad = 1;
                break;
            }
        }
    free(a);
    free(b);
    free(c);
    free(r);
    return bad;
}

static void test_gemm_variants(void **state)
{
    (void)state;
    int tested = 0;
    for (int isa = 0; isa < OX_ISA_N; isa++) {
        ox_gemm_fn f = sigmix_ox_gemm_variant(isa);
        if (!f) {
            printf("# gemm %s: not supported by this CPU, not tested\n", isa_name[isa]);
            continue;
        }
        tested++;
        int fails = 0, shapes = 0;
        /* every row count against the column edges of both vector widths */
        static const int cols[] = { 1, 7, 8, 9, 15, 16, 17, 23, 24, 25, 31, 32, 33,
                                    47, 48, 49, 63, 64, 65, 95, 96, 97, 100 };
        for (int m = 1; m <= 19; m++)
            for (size_t ci = 0; ci < sizeof cols / sizeof *cols; ci++) {
                fails += check_shape(f, isa, m, cols[ci], 1 + (int)urand(40), (int)urand(2));
                shapes++;
            }
        /* k = 0 (C = 0, or C unchanged) and random shapes */
        for (int acc = 0; acc < 2; acc++) {
            fails += check_shape(f, isa, 5, 33, 0, acc);
            shapes++;
        }
        for (int i = 0; i < 200; i++) {
            fails += check_shape(f, isa, 1 + (int)urand(64), 1 + (int)urand(300),
                                 1 + (int)urand(90), (int)urand(2));
            shapes++;
        }
        printf("# gemm %s: %d shapes, %d failed\n", isa_name[isa], shapes, fails);
        assert_int_equal(fails, 0);
    }
    assert_true(tested >= 1);
}

/* The library reads the CPU's features from glibc's loader; they agree
 * with libgcc's own detection (which only this test links). */
static void test_variants_follow_cpu(void **state)
{
    (void)state;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    int avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    int avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                 __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
    assert_int_equal(sigmix_ox_gemm_variant(OX_ISA_AVX2) != NULL, avx2);
    assert_int_equal(sigmix_ox_gemm_variant(OX_ISA_AVX512) != NULL, avx512);
#else
    skip();
#endif
}

/* The dispatcher never hands out more than asked, and falls back to C. */
static void test_gemm_best(void **state)
{
    (void)state;
    assert_ptr_equal(sigmix_ox_gemm_best(OX_ISA_C), (void *)sigmix_ox_gemm_c);
    ox_gemm_fn top = sigmix_ox_gemm_best(OX_ISA_N);
    int found = 0;
    for (int isa = OX_ISA_N - 1; isa >= 0 && !found; isa--)
        if (sigmix_ox_gemm_variant(isa)) {
            assert_ptr_equal(top, (void *)sigmix_ox_gemm_variant(isa));
            found = 1;
        }
    assert_true(found);
    ox_pool *p = sigmix_ox_pool_new(1);
    assert_non_null(p);
    assert_ptr_equal(sigmix_ox_pool_gemm(p), (void *)top);
    sigmix_ox_pool_free(p);
}

/* Deep products go to OpenBLAS through the same entry point. */
static void test_sgemm_deep(void **state)
{
    (void)state;
    int m = 3, n = 37, k = OX_GEMM_MAX_K + 5;
    float *a = malloc(sizeof(float) * (size_t)m * k), *b = malloc(sizeof(float) * (size_t)k * n);
    float *c = malloc(sizeof(float) * (size_t)m * n), *r = malloc(sizeof(float) * (size_t)m * n);
    assert_true(a && b && c && r);
    for (int i = 0; i < m * k; i++)
        a[i] = frand();
    for (int i = 0; i < k * n; i++)
        b[i] = frand();
    for (int i = 0; i < m * n; i++)
        c[i] = r[i] = frand();
    sigmix_ox_sgemm(sigmix_ox_gemm_best(OX_ISA_N), m, n, k, a, k, b, (size_t)n, c, (size_t)n, 1);
    sigmix_ox_gemm_c(m, n, k, a, k, b, (size_t)n, r, (size_t)n, 1);
    for (int i = 0; i < m * n; i++)
        assert_true(fabsf(c[i] - r[i]) <= 1e-3f);
    free(a);
    free(b);
    free(c);
    free(r);
}

/*
 * Direct 3x3 kernel: every variant against the C one, one output-channel block
 * and row range at a time, on random shapes around the vector widths (8, 16,
 * 32 columns) and the 8-channel block, with random pads and Relu. The output
 * tensor sits between guard cells, and channels and rows outside the call's
 * block and range must stay untouched too.
 */
static int check_dconv(ox_dconv_fn f, int isa, int cin, int cout, int h, int w, int pt, int pl,
                       int pb, int pr, int relu)
{
    ox_node n;
    memset(&n, 0, sizeof n);
    n.op = OP_CONV;
    n.group = 1;
    n.cin = cin;
    n.cout = cout;
    n.act = relu ? ACT_RELU : ACT_NONE;
    n.win = (ox_win){ { 3, 3 }, { 1, 1 }, { 1, 1 }, { pt, pl, pb, pr }, PAD_NOTSET, { 0, 0 },
                      0, 0 };
    size_t wn = (size_t)cout * (size_t)cin * 9;
    n.w = malloc(sizeof(float) * wn);
    n.b = malloc(sizeof(float) * (size_t)cout);
    n.wd = malloc(sizeof(float) * sigmix_ox_direct_size(&n));
    for (size_t i = 0; i < wn; i++)
        n.w[i] = frand();
    for (int i = 0; i < cout; i++)
        n.b[i] = frand();
    sigmix_ox_direct_pack(&n, n.wd);
    int64_t oh = h + pt + pb - 2, ow = w + pl + pr - 2;
    size_t xn = (size_t)cin * (size_t)(h * w), yn = (size_t)cout * (size_t)(oh * ow);
    float *x = malloc(sizeof(float) * (xn + 1)), *y = malloc(sizeof(float) * (yn + 2 * GUARD)),
          *r = malloc(sizeof(float) * (yn + 2 * GUARD));
    assert_true(n.w && n.b && n.wd && x && y && r);
    for (size_t i = 0; i < xn; i++)
        x[i] = frand();
    for (size_t i = 0; i < yn + 2 * GUARD; i++)
        y[i] = r[i] = GUARD_VAL;
    ox_conv_args a = { &n, x, NULL, h, w, oh, ow, pt, pl, pb, pr };
    int ob = (int)urand((uint32_t)(cout + 7) / 8);
    int64_t oy0 = (int64_t)urand((uint32_t)oh), oy1 = oy0 + 1 + (int64_t)urand((uint32_t)(oh - oy0));
    a.y = y + GUARD;
    f(&a, ob, oy0, oy1);
    a.y = r + GUARD;
    sigmix_ox_dconv_variant(OX_ISA_C)(&a, ob, oy0, oy1);
    int bad = 0;
    for (size_t i = 0; i < yn + 2 * GUARD && !bad; i++) {
        int64_t k = (int64_t)i - GUARD, o = k / (oh * ow), oy = k / ow % oh;
        int inside = k >= 0 && k < (int64_t)yn && o / 8 == ob && oy >= oy0 && oy < oy1;
        float tol = inside ? 1e-6f * (float)(9 * cin + 1) * 4.0f : 0.0f;
        if (inside && r[i] == GUARD_VAL)
            fail_msg("C variant left output %lld unwritten", (long long)k);
        if (!(fabsf(y[i] - r[i]) <= tol)) {
            print_error("dconv %s cin=%d cout=%d %dx%d pads %d,%d,%d,%d relu=%d block %d rows "
                        "%lld..%lld: y[%lld] = %g, want %g%s\n", isa_name[isa], cin, cout, h, w,
                        pt, pl, pb, pr, relu, ob, (long long)oy0, (long long)oy1, (long long)k,
                        y[i], r[i], inside ? "" : " (outside the call's block)");
            bad = 1;
        }
    }
    free(n.w);
    free(n.b);
    free(n.wd);
    free(x);
    free(y);
    free(r);
    return bad;
}

static void test_dconv_variants(void **state)
{
    (void)state;
    int tested = 0;
    assert_non_null(sigmix_ox_dconv_variant(OX_ISA_C));
    for (int isa = 0; isa < OX_ISA_N; isa++) {
        ox_dconv_fn f = sigmix_ox_dconv_variant(isa);
        if (!f) {
            printf("# dconv %s: not supported by this CPU, not tested\n", isa_name[isa]);
            continue;
        }
        tested++;
        int fails = 0, shapes = 0;
        static const int cols[] = { 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 34, 35, 47, 48,
                                    63, 64, 65, 66, 100 };
        for (size_t ci = 0; ci < sizeof cols / sizeof *cols; ci++)
            for (int pad = 0; pad < 3; pad++) { /* no pads, 1 (the models), 2 */
                if (cols[ci] + 2 * pad < 3)
                    continue;
                fails += check_dconv(f, isa, 1 + (int)urand(12), 1 + (int)urand(20),
                                     1 + (int)urand(6) + (pad ? 0 : 2), cols[ci], pad, pad, pad,
                                     pad, (int)urand(2));
                shapes++;
            }
        for (int i = 0; i < 200; i++) {
            int pt = (int)urand(4), pl = (int)urand(4), pb = (int)urand(4), pr = (int)urand(4);
            int h = 1 + (int)urand(12), w = 1 + (int)urand(90);
            if (h + pt + pb < 3 || w + pl + pr < 3)
                continue;
            fails += check_dconv(f, isa, 1 + (int)urand(30), 1 + (int)urand(30), h, w, pt, pl,
                                 pb, pr, (int)urand(2));
            shapes++;
        }
        printf("# dconv %s: %d shapes, %d failed\n", isa_name[isa], shapes, fails);
        assert_int_equal(fails, 0);
    }
    assert_true(tested >= 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gemm_variants),
        cmocka_unit_test(test_gemm_best),
        cmocka_unit_test(test_variants_follow_cpu),
        cmocka_unit_test(test_sgemm_deep),
        cmocka_unit_test(test_dconv_variants),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
