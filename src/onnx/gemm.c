/*
 * Small-K single-precision GEMM for the convolution kernels:
 * C[m x n] = A[m x k] B[k x n] (+ C), row-major, unit column stride.
 *
 * The saliency networks multiply a small weight matrix (m, k <= 80) by a
 * long, thin activation panel (n = pixels or Winograd tiles). OpenBLAS
 * packs both operands on every call and its Haswell kernel is picked on
 * AVX-512 CPUs too; at these shapes the packing and call overhead cost as
 * much as the arithmetic. Here B is read in place: a panel of 48 (AVX-512)
 * or 24 (AVX2) columns times k rows stays in L1 while every block of rows
 * of A is multiplied against it, with A's scalars broadcast. Larger k goes
 * to sigmix_blas_sgemm (OpenBLAS, opened on first need), the only BLAS
 * call in the ONNX layer.
 *
 * Variants are chosen at run time (cpu_has below) in the style of
 * dav1d's checkasm: sigmix_ox_gemm_variant(isa) hands out each one, and
 * tests/onnx/test_onnx_simd.c compares every variant the CPU has with the
 * C reference on random shapes, edges included.
 */
#include "util/blas.h"
#include <stddef.h>
#include <stdlib.h> /* defines __GLIBC__ for the feature lookup below */

#include "onnx/internal.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define OX_X86 1
/*
 * glibc's loader has already asked the CPU (and the kernel, for the
 * register state) which features are usable; <sys/platform/x86.h> reads
 * its answer. __builtin_cpu_supports would instead link libgcc's
 * constructor, which runs a dozen cpuid instructions on every start of
 * every program loading the library, and a cpuid traps to the hypervisor
 * in a virtual machine (~6 us each on the bench machine).
 */
#if defined(__GLIBC__) && defined(__has_include)
#if __has_include(<sys/platform/x86.h>)
#include <sys/platform/x86.h>
/* CPU_FEATURE_ACTIVE itself shifts a signed 1 by up to 31 (undefined;
 * UBSan stops at AVX512VL), so the same lookup with an unsigned shift. */
static int cpu_active(unsigned idx)
{
    const unsigned word = 8 * sizeof(unsigned), per = 4 * word; /* 4 registers a leaf */
    const struct cpuid_feature *f = __x86_get_cpuid_feature_leaf(idx / per);
    unsigned bit = idx % per;
    return (f->active_array[bit / word] >> (bit % word)) & 1u;
}
#define cpu_has(f) cpu_active(x86_cpu_##f)
#endif
#endif
#ifndef cpu_has /* other C libraries: libgcc's detection */
#define cpu_has(f)      BUILTIN_##f
#define BUILTIN_AVX2     __builtin_cpu_supports("avx2")
#define BUILTIN_FMA      __builtin_cpu_supports("fma")
#define BUILTIN_AVX512F  __builtin_cpu_supports("avx512f")
#define BUILTIN_AVX512BW __builtin_cpu_supports("avx512bw")
#define BUILTIN_AVX512DQ __builtin_cpu_supports("avx512dq")
#define BUILTIN_AVX512VL __builtin_cpu_supports("avx512vl")
#endif
#endif

/* The plain reference: k ascending, one rounding per product-add. */
void sigmix_ox_gemm_c(int m, int n, int k, const float *a, int lda, const float *b,
                      size_t ldb, float *c, size_t ldc, int acc)
{
    for (int i = 0; i < m; i++) {
        float *ci = c + (size_t)i * ldc;
        if (!acc)
            for (int j = 0; j < n; j++)
                ci[j] = 0.0f;
        for (int p = 0; p < k; p++) {
            float av = a[(size_t)i * (size_t)lda + (size_t)p];
            const float *bp = b + (size_t)p * ldb;
            for (int j = 0; j < n; j++)
                ci[j] += av * bp[j];
        }
    }
}

#ifdef OX_X86

/*
 * One register block: mr rows of A against nv vectors of B's columns; the
 * last vector loads and stores under `last`. Called with constant mr and nv,
 * so the loops unroll and the accumulators stay in registers.
 */
#define AVX512_FN __attribute__((target("avx512f"))) static
#define AVX512_BLK __attribute__((target("avx512f"), always_inline)) static inline

AVX512_BLK void blk512(const int mr, const int nv, int k, const float *a, int lda,
                       const float *b, size_t ldb, float *c, size_t ldc, int acc,
                       __mmask16 last)
{
    __m512 s[8][3];
    for (int r = 0; r < mr; r++)
        for (int v = 0; v < nv; v++) {
            __mmask16 mk = v == nv - 1 ? last : (__mmask16)0xffff;
            s[r][v] = acc ? _mm512_maskz_loadu_ps(mk, c + (size_t)r * ldc + 16 * v)
                          : _mm512_setzero_ps();
        }
    for (int p = 0; p < k; p++) {
        __m512 bv[3];
        const float *bp = b + (size_t)p * ldb;
        for (int v = 0; v < nv; v++)
            bv[v] = _mm512_maskz_loadu_ps(v == nv - 1 ? last : (__mmask16)0xffff, bp + 16 * v);
        for (int r = 0; r < mr; r++) {
            __m512 av = _mm512_set1_ps(a[(size_t)r * (size_t)lda + (size_t)p]);
            for (int v = 0; v < nv; v++)
                s[r][v] = _mm512_fmadd_ps(av, bv[v], s[r][v]);
        }
    }
    for (int r = 0; r < mr; r++)
        for (int v = 0; v < nv; v++)
            _mm512_mask_storeu_ps(c + (size_t)r * ldc + 16 * v,
                                  v == nv - 1 ? last : (__mmask16)0xffff, s[r][v]);
}

/* All rows of A against one column block of nv vectors. */
AVX512_BLK void rows512(const int nv, int m, int k, const float *a, int lda, const float *b,
                        size_t ldb, float *c, size_t ldc, int acc, __mmask16 last)
{
    int i = 0;
    for (; i + 8 <= m; i += 8)
        blk512(8, nv, k, a + (size_t)i * lda, lda, b, ldb, c + (size_t)i * ldc, ldc, acc, last);
    if (i + 4 <= m) {
        blk512(4, nv, k, a + (size_t)i * lda, lda, b, ldb, c + (size_t)i * ldc, ldc, acc, last);
        i += 4;
    }
    if (i + 2 <= m) {
        blk512(2, nv, k, a + (size_t)i * lda, lda, b, ldb, c + (size_t)i * ldc, ldc, acc, last);
        i += 2;
    }
    if (i < m)
        blk512(1, nv, k, a + (size_t)i * lda, lda, b, ldb, c + (size_t)i * ldc, ldc, acc, last);
}

AVX512_FN void gemm_avx512(int m, int n, int k, const float *a, int lda, const float *b,
                           size_t ldb, float *c, size_t ldc, int acc)
{
    int j = 0;
    for (; j + 48 <= n; j += 48)
        rows512(3, m, k, a, lda, b + j, ldb, c + j, ldc, acc, 0xffff);
    int rest = n - j;
    if (rest <= 0)
        return;
    int nv = (rest + 15) / 16, tail = rest - 16 * (nv - 1);
    __mmask16 last = (__mmask16)(tail == 16 ? 0xffff : (1u << tail) - 1);
    if (nv == 3)
        rows512(3, m, k, a, lda, b + j, ldb, c + j, ldc, acc, last);
    else if (nv == 2)
        rows512(2, m, k, a, lda, b + j, ldb, c + j, ldc, acc, last);
    else
        rows512(1, m, k, a, lda, b + j, ldb, c + j, ldc, acc, last);
}

#define AVX2_FN __attribute__((target("avx2,fma"))) static
#define AVX2_BLK __attribute__((target("avx2,fma"), always_inline)) static inline

/* 16 registers: 4 rows x 3 vectors of accumulators, 3 of B, 1 of A. */
AVX2_BLK void blk256(const int mr, const int nv, int k, const float *a, int lda,
                     const float *b, size_t ldb, float *c, size_t ldc, int acc, __m256i last)
{
    const __m256i all = _mm256_set1_epi32(-1);
    __m256 s[4][3];
    for (int r = 0; r < mr; r++)
        for (int v = 0; v < nv; v++)
            s[r][v] = acc ? _mm256_maskload_ps(c + (size_t)r * ldc + 8 * v,
                                               v == nv - 1 ? last : all)
                          : _mm256_setzero_ps();
    for (int p = 0; p < k; p++) {
        __m256 bv[3];
        const float *bp = b + (size_t)p * ldb;
        for (int v = 0; v < nv; v++)
            bv[v] = _mm256_maskload_ps(bp + 8 * v, v == nv - 1 ? last : all);
        for (int r = 0; r < mr; r++) {
            __m256 av = _mm256_broadcast_ss(a + (size_t)r * (size_t)lda + (size_t)p);
            for (int v = 0; v < nv; v++)
                s[r][v] = _mm256_fmadd_ps(av, bv[v], s[r][v]);
        }
    }
    for (int r = 0; r < mr; r++)
        for (int v = 0; v < nv; v++)
            _mm256_maskstore_ps(c + (size_t)r * ldc + 8 * v, v == nv - 1 ? last : all, s[r][v]);
}

AVX2_BLK void rows256(const int nv, int m, int k, const float *a, int lda, const float *b,
                      size_t ldb, float *c, size_t ldc, int acc, __m256i last)
{
    int i = 0;
    for (; i + 4 <= m; i += 4)
        blk256(4, nv, k, a + (size_t)i * lda, lda, b, ldb, c + (size_t)i * ldc, ldc, acc, last);
    if (i + 2 <= m) {
        blk256(2, nv, k, a + (size_t)i * lda, lda, b, ldb, c + (size_t)i * ldc, ldc, acc, last);
        i += 2;
    }
    if (i < m)
        blk256(1, nv, k, a + (size_t)i * lda, lda, b, ldb, c + (size_t)i * ldc, ldc, acc, last);
}

AVX2_FN void gemm_avx2(int m, int n, int k, const float *a, int lda, const float *b,
                       size_t ldb, float *c, size_t ldc, int acc)
{
    const __m256i all = _mm256_set1_epi32(-1);
    int j = 0;
    for (; j + 24 <= n; j += 24)
        rows256(3, m, k, a, lda, b + j, ldb, c + j, ldc, acc, all);
    int rest = n - j;
    if (rest <= 0)
        return;
    int nv = (rest + 7) / 8, tail = rest - 8 * (nv - 1);
    /* lane l is loaded when l < tail: compare the lane index against tail */
    __m256i last = _mm256_cmpgt_epi32(_mm256_set1_epi32(tail),
                                      _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    if (nv == 3)
        rows256(3, m, k, a, lda, b + j, ldb, c + j, ldc, acc, last);
    else if (nv == 2)
        rows256(2, m, k, a, lda, b + j, ldb, c + j, ldc, acc, last);
    else
        rows256(1, m, k, a, lda, b + j, ldb, c + j, ldc, acc, last);
}

#endif /* OX_X86 */

ox_gemm_fn sigmix_ox_gemm_variant(int isa)
{
    switch (isa) {
    case OX_ISA_C:
        return sigmix_ox_gemm_c;
#ifdef OX_X86
    case OX_ISA_AVX2:
        return cpu_has(AVX2) && cpu_has(FMA) ? gemm_avx2 : NULL;
    case OX_ISA_AVX512:
        return cpu_has(AVX512F) && cpu_has(AVX512BW) && cpu_has(AVX512DQ) && cpu_has(AVX512VL)
                   ? gemm_avx512
                   : NULL;
#endif
    default:
        return NULL;
    }
}

/* The widest OX_ISA_* this CPU runs, at most max_isa; OX_ISA_C at the least. */
static int isa_upto(int max_isa)
{
    int isa = max_isa < OX_ISA_N ? max_isa : OX_ISA_N - 1;
    while (isa > OX_ISA_C && !sigmix_ox_gemm_variant(isa))
        isa--;
    return isa > OX_ISA_C ? isa : OX_ISA_C;
}

ox_gemm_fn sigmix_ox_gemm_best(int max_isa)
{
    return sigmix_ox_gemm_variant(isa_upto(max_isa));
}

int sigmix_ox_isa_best(void)
{
    return isa_upto(OX_ISA_N - 1);
}

void sigmix_ox_sgemm(ox_gemm_fn f, int m, int n, int k, const float *a, int lda,
                     const float *b, size_t ldb, float *c, size_t ldc, int acc)
{
    if (m <= 0 || n <= 0)
        return;
    if (k > OX_GEMM_MAX_K) { /* deep products: OpenBLAS's blocking pays off there */
        sigmix_blas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a, lda, b,
                          (int)ldb, acc ? 1.0f : 0.0f, c, (int)ldc);
        return;
    }
    f(m, n, k, a, lda, b, ldb, c, ldc, acc);
}
