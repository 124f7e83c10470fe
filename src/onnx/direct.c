/*
 * Direct 3x3 stride-1 convolution on NCHW rows, for the layers where
 * Winograd's transforms cost more than the products they save: few input
 * channels at full resolution (the 3-channel stem) and thin layers, where
 * the transforms stream four times the activations through memory. A
 * register block holds 8 output channels x 32 (AVX-512) or 8 (AVX2)
 * pixels of one output row; each of the cin * 9 taps loads the shifted
 * input row once and broadcasts 8 weights, pre-packed at load as
 * [cout/8][cin][9][8] (zero-padded channels). Row edges (the zero padding)
 * load under masks, so no padded copy of the input is made.
 *
 * Variants follow gemm.c: sigmix_ox_dconv_variant(isa) hands out each,
 * tests/onnx/test_onnx_simd.c checks every one the CPU has against the C
 * variant and the plain reference on many shapes and edges.
 */
#include <stdint.h>
#include <string.h>

#include "onnx/internal.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define OX_X86 1
#endif

#define OB 8 /* output channels per block */

int sigmix_ox_direct_ok(const ox_node *n)
{
    const ox_win *w = &n->win;
    return n->op == OP_CONV && n->group == 1 && w->k[0] == 3 && w->k[1] == 3 && w->s[0] == 1 &&
           w->s[1] == 1 && w->d[0] == 1 && w->d[1] == 1 && n->cin >= 1 && n->cout >= 1;
}

/*
 * Winograd saves products in proportion to cin * cout but pays transforms in
 * proportion to cin + cout, streaming 4 floats per pixel per channel. Measured
 * on saliency_student_v1 at 640x360 (thread CPU per node, AVX-512): the
 * 3-channel stem 1.9 ms direct vs 3.3 ms im2col, 24->8 6.8-7.3 ms direct vs
 * 7.6-8.3 ms Winograd, 16->16 8.9 vs 7.6 ms (Winograd) and deeper layers
 * 1.5-4x in Winograd's favour: the crossing lies near cin*cout / (cin+cout) = 7.
 */
int sigmix_ox_direct_pick(const ox_node *n)
{
    return sigmix_ox_direct_ok(n) &&
           (!sigmix_ox_wino_ok(n) || (int64_t)n->cin * n->cout < 7 * ((int64_t)n->cin + n->cout));
}

size_t sigmix_ox_direct_size(const ox_node *n)
{
    return (size_t)((n->cout + OB - 1) / OB) * (size_t)n->cin * 9 * OB;
}

void sigmix_ox_direct_pack(const ox_node *n, float *wd)
{
    int nb = (n->cout + OB - 1) / OB;
    for (int b = 0; b < nb; b++)
        for (int c = 0; c < n->cin; c++)
            for (int t = 0; t < 9; t++)
                for (int o = 0; o < OB; o++) {
                    int oc = b * OB + o;
                    wd[(((size_t)b * n->cin + c) * 9 + t) * OB + o] =
                        oc < n->cout ? n->w[((size_t)oc * n->cin + c) * 9 + t] : 0.0f;
                }
}

/* Block ob of 8 output channels: how many are real (the rest pad cout up to
 * 8), its packed weights, and its bias (0 past cout). */
static int block_setup(const ox_node *n, int ob, float bias[OB], const float **wb)
{
    int no = n->cout - ob * OB < OB ? n->cout - ob * OB : OB;
    for (int o = 0; o < OB; o++)
        bias[o] = o < no ? n->b[ob * OB + o] : 0.0f;
    *wb = n->wd + (size_t)ob * n->cin * 9 * OB;
    return no;
}

/* Input rows of output row oy (NULL where the tap falls in the padding). */
static void tap_rows(const ox_conv_args *a, int c, int64_t oy, const float *r[3])
{
    for (int ky = 0; ky < 3; ky++) {
        int64_t iy = oy - a->pt + ky;
        r[ky] = iy >= 0 && iy < a->h ? a->x + ((int64_t)c * a->h + iy) * a->w : NULL;
    }
}

/* The C variant: the same blocking and summation order as the SIMD ones
 * (taps c, ky, kx ascending). */
static void dconv_c(const ox_conv_args *a, int ob, int64_t oy0, int64_t oy1)
{
    const ox_node *n = a->n;
    float bias[OB];
    const float *wb;
    int no = block_setup(n, ob, bias, &wb);
    for (int64_t oy = oy0; oy < oy1; oy++)
        for (int64_t ox = 0; ox < a->ow; ox++) {
            float s[OB];
            for (int o = 0; o < OB; o++)
                s[o] = bias[o];
            for (int c = 0; c < n->cin; c++) {
                const float *r[3];
                tap_rows(a, c, oy, r);
                for (int ky = 0; ky < 3; ky++) {
                    if (!r[ky])
                        continue;
                    for (int kx = 0; kx < 3; kx++) {
                        int64_t ix = ox - a->pl + kx;
                        if (ix < 0 || ix >= a->w)
                            continue;
                        const float *wp = wb + ((size_t)c * 9 + (size_t)(ky * 3 + kx)) * OB;
                        for (int o = 0; o < OB; o++)
                            s[o] += r[ky][ix] * wp[o];
                    }
                }
            }
            for (int o = 0; o < no; o++)
                a->y[((int64_t)(ob * OB + o) * a->oh + oy) * a->ow + ox] =
                    n->act == ACT_RELU && s[o] < 0.0f ? 0.0f : s[o];
        }
}

#ifdef OX_X86

/* p + i without forming an out-of-object pointer in C terms: lanes outside
 * the row are masked off, and masked lanes never fault. */
static inline const float *at(const float *p, int64_t i)
{
    return (const float *)(uintptr_t)((uintptr_t)p + (uintptr_t)(i * (int64_t)sizeof(float)));
}

#define AVX512_FN __attribute__((target("avx512f"))) static

/* Lanes l of a 16-vector starting at column base with 0 <= base + l < lim. */
AVX512_FN __mmask16 lanes16(int64_t base, int64_t lim)
{
    int64_t lo = base < 0 ? -base : 0, hi = lim - base;
    if (hi > 16)
        hi = 16;
    if (hi <= lo)
        return 0;
    return (__mmask16)(((1u << hi) - 1) & ~((1u << lo) - 1));
}

AVX512_FN void dconv_avx512(const ox_conv_args *a, int ob, int64_t oy0, int64_t oy1)
{
    const ox_node *n = a->n;
    float bz[OB];
    const float *wb;
    int no = block_setup(n, ob, bz, &wb), cin = n->cin;
    int64_t ohw = a->oh * a->ow;
    __m512 bias[OB];
    for (int o = 0; o < OB; o++)
        bias[o] = _mm512_set1_ps(bz[o]);
    const __m512 zero = _mm512_setzero_ps();
    int relu = n->act == ACT_RELU;
    for (int64_t oy = oy0; oy < oy1; oy++) {
        float *yrow = a->y + (int64_t)ob * OB * ohw + oy * a->ow;
        for (int64_t ox0 = 0; ox0 < a->ow; ox0 += 32) {
            /* interior: both vectors of all three taps inside the row */
            int inner = ox0 - a->pl >= 0 && ox0 - a->pl + 34 <= a->w;
            __mmask16 mk[3][2] = { { 0 } }; /* edge blocks: lanes inside the row, per tap column */
            for (int kx = 0; kx < 3 && !inner; kx++)
                for (int v = 0; v < 2; v++)
                    mk[kx][v] = lanes16(ox0 - a->pl + kx + 16 * v, a->w);
            /* every loop over o unrolls fully (constant bounds), so the 16
             * accumulators live in registers */
            __m512 s0[OB], s1[OB];
#pragma GCC unroll 8
            for (int o = 0; o < OB; o++)
                s0[o] = s1[o] = bias[o];
            for (int c = 0; c < cin; c++) {
                const float *r[3];
                tap_rows(a, c, oy, r);
                for (int ky = 0; ky < 3; ky++) {
                    if (!r[ky])
                        continue;
                    const float *wp = wb + ((size_t)c * 9 + (size_t)ky * 3) * OB;
#pragma GCC unroll 3
                    for (int kx = 0; kx < 3; kx++) {
                        int64_t base = ox0 - a->pl + kx;
                        __m512 x0, x1;
                        if (inner) {
                            x0 = _mm512_loadu_ps(r[ky] + base);
                            x1 = _mm512_loadu_ps(r[ky] + base + 16);
                        } else {
                            x0 = _mm512_maskz_loadu_ps(mk[kx][0], at(r[ky], base));
                            x1 = _mm512_maskz_loadu_ps(mk[kx][1], at(r[ky], base + 16));
                        }
#pragma GCC unroll 8
                        for (int o = 0; o < OB; o++) {
                            __m512 wv = _mm512_set1_ps(wp[kx * OB + o]);
                            s0[o] = _mm512_fmadd_ps(x0, wv, s0[o]);
                            s1[o] = _mm512_fmadd_ps(x1, wv, s1[o]);
                        }
                    }
                }
            }
            __mmask16 m0 = lanes16(ox0, a->ow), m1 = lanes16(ox0 + 16, a->ow);
#pragma GCC unroll 8
            for (int o = 0; o < OB; o++) {
                if (o >= no)
                    break;
                if (relu) {
                    s0[o] = _mm512_max_ps(s0[o], zero);
                    s1[o] = _mm512_max_ps(s1[o], zero);
                }
                _mm512_mask_storeu_ps(yrow + o * ohw + ox0, m0, s0[o]);
                if (m1)
                    _mm512_mask_storeu_ps(yrow + o * ohw + ox0 + 16, m1, s1[o]);
            }
        }
    }
}

#define AVX2_FN __attribute__((target("avx2,fma"))) static

/* Lane mask of an 8-vector starting at column base: 0 <= base + l < lim. */
AVX2_FN __m256i lanes8(int64_t base, int64_t lim)
{
    __m256i l = _mm256_add_epi32(_mm256_set1_epi32((int)(base < -8 ? -8 : base > lim ? lim : base)),
                                 _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    __m256i ge0 = _mm256_cmpgt_epi32(l, _mm256_set1_epi32(-1));
    __m256i lt = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(lim > INT32_MAX ? INT32_MAX : lim)), l);
    return _mm256_and_si256(ge0, lt);
}

/* 16 registers: 8 accumulators, the input vector, the broadcast weight. */
AVX2_FN void dconv_avx2(const ox_conv_args *a, int ob, int64_t oy0, int64_t oy1)
{
    const ox_node *n = a->n;
    float bz[OB];
    const float *wb;
    int no = block_setup(n, ob, bz, &wb), cin = n->cin;
    int64_t ohw = a->oh * a->ow;
    const __m256 zero = _mm256_setzero_ps();
    int relu = n->act == ACT_RELU;
    __m256 bias[OB];
    for (int o = 0; o < OB; o++)
        bias[o] = _mm256_set1_ps(bz[o]);
    for (int64_t oy = oy0; oy < oy1; oy++) {
        float *yrow = a->y + (int64_t)ob * OB * ohw + oy * a->ow;
        for (int64_t ox0 = 0; ox0 < a->ow; ox0 += 8) {
            int inner = ox0 - a->pl >= 0 && ox0 - a->pl + 10 <= a->w;
            __m256i mk[3] = { _mm256_setzero_si256(), _mm256_setzero_si256(),
                              _mm256_setzero_si256() }; /* edge blocks only */
            for (int kx = 0; kx < 3 && !inner; kx++)
                mk[kx] = lanes8(ox0 - a->pl + kx, a->w);
            __m256 s[OB];
#pragma GCC unroll 8
            for (int o = 0; o < OB; o++)
                s[o] = bias[o];
            for (int c = 0; c < cin; c++) {
                const float *r[3];
                tap_rows(a, c, oy, r);
                for (int ky = 0; ky < 3; ky++) {
                    if (!r[ky])
                        continue;
                    const float *wp = wb + ((size_t)c * 9 + (size_t)ky * 3) * OB;
#pragma GCC unroll 3
                    for (int kx = 0; kx < 3; kx++) {
                        int64_t base = ox0 - a->pl + kx;
                        __m256 x = inner ? _mm256_loadu_ps(r[ky] + base)
                                         : _mm256_maskload_ps(at(r[ky], base), mk[kx]);
#pragma GCC unroll 8
                        for (int o = 0; o < OB; o++)
                            s[o] = _mm256_fmadd_ps(x, _mm256_broadcast_ss(wp + kx * OB + o), s[o]);
                    }
                }
            }
            __m256i m = lanes8(ox0, a->ow);
#pragma GCC unroll 8
            for (int o = 0; o < OB; o++) {
                if (o >= no)
                    break;
                if (relu)
                    s[o] = _mm256_max_ps(s[o], zero);
                _mm256_maskstore_ps(yrow + o * ohw + ox0, m, s[o]);
            }
        }
    }
}

#endif /* OX_X86 */

ox_dconv_fn sigmix_ox_dconv_variant(int isa)
{
    if (isa == OX_ISA_C)
        return dconv_c;
#ifdef OX_X86
    if (!sigmix_ox_gemm_variant(isa)) /* the same CPU checks as the GEMM */
        return NULL;
    if (isa == OX_ISA_AVX2)
        return dconv_avx2;
    if (isa == OX_ISA_AVX512)
        return dconv_avx512;
#endif
    return NULL;
}

typedef struct dconv_job {
    const ox_conv_args *a;
    ox_dconv_fn         f;
    int64_t             rows, tiles;
} dconv_job;

static void dconv_task(void *ctx, int t, int thread)
{
    const dconv_job *j = ctx;
    int64_t oy0 = (t % j->tiles) * j->rows, oy1 = oy0 + j->rows;
    (void)thread;
    j->f(j->a, (int)(t / j->tiles), oy0, oy1 < j->a->oh ? oy1 : j->a->oh);
}

void sigmix_ox_conv_direct(ox_pool *p, const ox_conv_args *a)
{
    int threads = sigmix_ox_pool_threads(p), nb = (a->n->cout + OB - 1) / OB;
    dconv_job j = { a, sigmix_ox_pool_dconv(p), 8, 0 };
    /* rows per task: 8, fewer when that leaves under 8 tasks per thread */
    while (j.rows > 1 && nb * ((a->oh + j.rows - 1) / j.rows) < 8 * threads)
        j.rows /= 2;
    j.tiles = (a->oh + j.rows - 1) / j.rows;
    sigmix_ox_parallel(p, dconv_task, &j, (int)(j.tiles * nb));
}
