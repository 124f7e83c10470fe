/*
 * Operator tests: tiny one- or two-node models with hand-computed outputs
 * (odd sizes, padding, groups, dilation, ceil_mode, every Resize mode,
 * broadcasting, reshaping operators, BatchNormalization folded or not).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "model_util.h"

static const int64_t SYM4[4] = { -1, -1, -1, -1 };

/* Build input -> node -> output, run on x, compare with want (tol). */
static void check_node(onnx_model *m, pbw *node, const float *x, const int64_t shape[4],
                       const float *want, const int64_t wshape[4], float tol)
{
    onnx_add_node(m, node);
    pbw bytes = onnx_finish(m, SYM4, SYM4);
    float *y = NULL;
    int64_t os[4];
    sigmix_error e;
    int rc = mu_run(&bytes, 0, 1, x, shape, &y, os, &e); /* raw op semantics: no padding */
    if (rc)
        fail_msg("run failed: %s", e.message);
    for (int k = 0; k < 4; k++)
        assert_int_equal(os[k], wshape[k]);
    size_t n = (size_t)(os[0] * os[1] * os[2] * os[3]);
    for (size_t k = 0; k < n; k++)
        if (fabsf(y[k] - want[k]) > tol)
            fail_msg("value %zu: got %.7g want %.7g", k, y[k], want[k]);
    free(y);
    free(bytes.b);
}

static const char *const IN1[] = { "input" };

static void test_conv_pad_bias(void **state)
{
    (void)state;
    onnx_model m = mu_start(17);
    float w[9], b = 0.5f, x[9];
    for (int k = 0; k < 9; k++) {
        w[k] = 1.0f;
        x[k] = (float)(k + 1);
    }
    onnx_add_init(&m, "w", (int64_t[]){ 1, 1, 3, 3 }, 4, w, NULL);
    onnx_add_init(&m, "b", (int64_t[]){ 1 }, 1, &b, NULL);
    pbw n = onnx_node("Conv", "c", (const char *[]){ "input", "w", "b" }, 3, "output");
    onnx_attr_ints(&n, "pads", (int64_t[]){ 1, 1, 1, 1 }, 4);
    const float want[9] = { 12.5f, 21.5f, 16.5f, 27.5f, 45.5f, 33.5f, 24.5f, 39.5f, 28.5f };
    check_node(&m, &n, x, (int64_t[]){ 1, 1, 3, 3 }, want, (int64_t[]){ 1, 1, 3, 3 }, 1e-5f);
}

static void test_conv_group_dilation_stride(void **state)
{
    (void)state;
    /* 2 groups, 1 channel each; 2x2 kernel, dilation 2, stride 2, input 5x5 */
    onnx_model m = mu_start(17);
    float w[8] = { 1, 0, 0, 0, /* group 0: top-left tap only */ 0, 0, 0, 1 /* group 1: bottom-right */ };
    float x[50];
    for (int k = 0; k < 50; k++)
        x[k] = (float)k;
    onnx_add_init(&m, "w", (int64_t[]){ 2, 1, 2, 2 }, 4, w, NULL);
    pbw n = onnx_node("Conv", "c", (const char *[]){ "input", "w" }, 2, "output");
    onnx_attr_int(&n, "group", 2);
    onnx_attr_ints(&n, "dilations", (int64_t[]){ 2, 2 }, 2);
    onnx_attr_ints(&n, "strides", (int64_t[]){ 2, 2 }, 2);
    /* out = (5 - 3)/2 + 1 = 2; group0: x[2i][2j]; group1: x[25 + (2i+2)*5 + 2j+2] */
    const float want[8] = { 0, 2, 10, 12, 25 + 12, 25 + 14, 25 + 22, 25 + 24 };
    check_node(&m, &n, x, (int64_t[]){ 1, 2, 5, 5 }, want, (int64_t[]){ 1, 2, 2, 2 }, 0);
}

static void test_conv_same_upper_lower(void **state)
{
    (void)state;
    for (int lower = 0; lower < 2; lower++) {
        onnx_model m = mu_start(17);
        float w[2] = { 1, 10 }, x[4] = { 1, 2, 3, 4 };
        onnx_add_init(&m, "w", (int64_t[]){ 1, 1, 1, 2 }, 4, w, NULL);
        pbw n = onnx_node("Conv", "c", (const char *[]){ "input", "w" }, 2, "output");
        onnx_attr_str(&n, "auto_pad", lower ? "SAME_LOWER" : "SAME_UPPER");
        /* width 4, kernel 2: one pad column, at the end (upper) or start (lower) */
        const float up[4] = { 21, 32, 43, 4 }, lo[4] = { 10, 21, 32, 43 };
        check_node(&m, &n, x, (int64_t[]){ 1, 1, 1, 4 }, lower ? lo : up,
                   (int64_t[]){ 1, 1, 1, 4 }, 0);
    }
}

static void test_convtranspose(void **state)
{
    (void)state;
    onnx_model m = mu_start(17);
    float w[4] = { 1, 10, 100, 1000 }, x[4] = { 1, 2, 3, 4 };
    onnx_add_init(&m, "w", (int64_t[]){ 1, 1, 2, 2 }, 4, w, NULL);
    pbw n = onnx_node("ConvTranspose", "t", (const char *[]){ "input", "w" }, 2, "output");
    onnx_attr_ints(&n, "strides", (int64_t[]){ 2, 2 }, 2);
    const float want[16] = { 1, 10, 2, 20, 100, 1000, 200, 2000,
                             3, 30, 4, 40, 300, 3000, 400, 4000 };
    check_node(&m, &n, x, (int64_t[]){ 1, 1, 2, 2 }, want, (int64_t[]){ 1, 1, 4, 4 }, 0);
}

static void test_convtranspose_pads_outpad(void **state)
{
    (void)state;
    /* 1-D along W: in [1,2], kernel [1,1,1], stride 2, pads 1/1, output_padding 1:
     * full = [1,1,1+2,2,2] (len 5) + 1 extra column; crop 1 each side -> len 4 */
    onnx_model m = mu_start(17);
    float w[3] = { 1, 1, 1 }, x[2] = { 1, 2 }, b = 0.25f;
    onnx_add_init(&m, "w", (int64_t[]){ 1, 1, 1, 3 }, 4, w, NULL);
    onnx_add_init(&m, "b", (int64_t[]){ 1 }, 1, &b, NULL);
    pbw n = onnx_node("ConvTranspose", "t", (const char *[]){ "input", "w", "b" }, 3, "output");
    onnx_attr_ints(&n, "strides", (int64_t[]){ 1, 2 }, 2);
    onnx_attr_ints(&n, "pads", (int64_t[]){ 0, 1, 0, 1 }, 4);
    onnx_attr_ints(&n, "output_padding", (int64_t[]){ 0, 1 }, 2);
    const float want[4] = { 1.25f, 3.25f, 2.25f, 2.25f };
    check_node(&m, &n, x, (int64_t[]){ 1, 1, 1, 2 }, want, (int64_t[]){ 1, 1, 1, 4 }, 1e-6f);
}

static void test_maxpool_ceil(void **state)
{
    (void)state;
    float x[25];
    for (int k = 0; k < 25; k++)
        x[k] = (float)k;
    for (int ceil_mode = 0; ceil_mode < 2; ceil_mode++) {
        onnx_model m = mu_start(17);
        pbw n = onnx_node("MaxPool", "p", IN1, 1, "output");
        onnx_attr_ints(&n, "kernel_shape", (int64_t[]){ 2, 2 }, 2);
        onnx_attr_ints(&n, "strides", (int64_t[]){ 2, 2 }, 2);
        onnx_attr_int(&n, "ceil_mode", ceil_mode);
        const float c[9] = { 6, 8, 9, 16, 18, 19, 21, 23, 24 }, f[4] = { 6, 8, 16, 18 };
        check_node(&m, &n, x, (int64_t[]){ 1, 1, 5, 5 }, ceil_mode ? c : f,
                   ceil_mode ? (int64_t[]){ 1, 1, 3, 3 } : (int64_t[]){ 1, 1, 2, 2 }, 0);
    }
}

static void test_maxpool_dilation_pads(void **state)
{
    (void)state;
    float x[16];
    for (int k = 0; k < 16; k++)
        x[k] = (float)(k % 5 == 0 ? 100 - k : k);
    onnx_model m = mu_start(17);
    pbw n = onnx_node("MaxPool", "p", IN1, 1, "output");
    onnx_attr_ints(&n, "kernel_shape", (int64_t[]){ 2, 2 }, 2);
    onnx_attr_ints(&n, "dilations", (int64_t[]){ 2, 2 }, 2);
    onnx_attr_ints(&n, "pads", (int64_t[]){ 1, 0, 0, 0 }, 4);
    /* rows -1..3 (top pad 1): windows at rows {r-1, r+1}, cols {c, c+2}; out 3x2 */
    float want[6];
    for (int r = 0; r < 3; r++)
        for (int c = 0; c < 2; c++) {
            float best = -INFINITY;
            for (int dy = 0; dy < 2; dy++)
                for (int dx = 0; dx < 2; dx++) {
                    int yy = r - 1 + 2 * dy, xx = c + 2 * dx;
                    if (yy >= 0 && yy < 4)
                        best = fmaxf(best, x[yy * 4 + xx]);
                }
            want[r * 2 + c] = best;
        }
    check_node(&m, &n, x, (int64_t[]){ 1, 1, 4, 4 }, want, (int64_t[]){ 1, 1, 3, 2 }, 0);
}

static void test_avgpool_count_include_pad(void **state)
{
    (void)state;
    float x[9] = { 1, 1, 1, 1, 1, 1, 1, 1, 1 };
    for (int cip = 0; cip < 2; cip++) {
        onnx_model m = mu_start(17);
        pbw n = onnx_node("AveragePool", "p", IN1, 1, "output");
        onnx_attr_ints(&n, "kernel_shape", (int64_t[]){ 3, 3 }, 2);
        onnx_attr_ints(&n, "pads", (int64_t[]){ 1, 1, 1, 1 }, 4);
        onnx_attr_int(&n, "count_include_pad", cip);
        const float inc[9] = { 4 / 9.f, 6 / 9.f, 4 / 9.f, 6 / 9.f, 1, 6 / 9.f,
                               4 / 9.f, 6 / 9.f, 4 / 9.f };
        const float exc[9] = { 1, 1, 1, 1, 1, 1, 1, 1, 1 };
        check_node(&m, &n, x, (int64_t[]){ 1, 1, 3, 3 }, cip ? inc : exc,
                   (int64_t[]){ 1, 1, 3, 3 }, 1e-6f);
    }
}

static void test_avgpool_ceil_gap(void **state)
{
    (void)state;
    float x[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
    onnx_model m = mu_start(17);
    pbw n = onnx_node("AveragePool", "p", IN1, 1, "output");
    onnx_attr_ints(&n, "kernel_shape", (int64_t[]){ 2, 2 }, 2);
    onnx_attr_ints(&n, "strides", (int64_t[]){ 2, 2 }, 2);
    onnx_attr_int(&n, "ceil_mode", 1);
    const float want[4] = { 3, 4.5f, 7.5f, 9 };
    check_node(&m, &n, x, (int64_t[]){ 1, 1, 3, 3 }, want, (int64_t[]){ 1, 1, 2, 2 }, 1e-6f);

    onnx_model g = mu_start(17);
    pbw gn = onnx_node("GlobalAveragePool", "g", IN1, 1, "output");
    float x2[8] = { 1, 2, 3, 4, 10, 20, 30, 40 };
    const float gw[2] = { 2.5f, 25 };
    check_node(&g, &gn, x2, (int64_t[]){ 1, 2, 2, 2 }, gw, (int64_t[]){ 1, 2, 1, 1 }, 1e-6f);
}

/* Resize [1,1,1,w] -> sizes or scales; mode / ctm / nearest_mode strings. */
static void resize_case(const float *x, int64_t w, const float *scales, int64_t out_w,
                        const char *mode, const char *ctm, const char *nm, const float *want)
{
    onnx_model m = mu_start(17);
    if (scales)
        onnx_add_init(&m, "scales", (int64_t[]){ 4 }, 1, scales, NULL);
    else
        onnx_add_init(&m, "sizes", (int64_t[]){ 4 }, 1, NULL, (int64_t[]){ 1, 1, 1, out_w });
    pbw n = scales ? onnx_node("Resize", "r", (const char *[]){ "input", "", "scales" }, 3, "output")
                   : onnx_node("Resize", "r", (const char *[]){ "input", "", "", "sizes" }, 4,
                               "output");
    onnx_attr_str(&n, "mode", mode);
    if (ctm)
        onnx_attr_str(&n, "coordinate_transformation_mode", ctm);
    if (nm)
        onnx_attr_str(&n, "nearest_mode", nm);
    check_node(&m, &n, x, (int64_t[]){ 1, 1, 1, w }, want, (int64_t[]){ 1, 1, 1, out_w }, 1e-6f);
}

static void test_resize_linear_modes(void **state)
{
    (void)state;
    const float x[2] = { 1, 2 }, s2[4] = { 1, 1, 1, 2 };
    resize_case(x, 2, s2, 4, "linear", "half_pixel", NULL, (const float[]){ 1, 1.25f, 1.75f, 2 });
    resize_case(x, 2, s2, 4, "linear", "asymmetric", NULL, (const float[]){ 1, 1.5f, 2, 2 });
    resize_case(x, 2, NULL, 4, "linear", "align_corners", NULL,
                (const float[]){ 1, 4 / 3.f, 5 / 3.f, 2 });
    resize_case(x, 2, s2, 4, "linear", "pytorch_half_pixel", NULL,
                (const float[]){ 1, 1.25f, 1.75f, 2 });
    /* output length 1 tells pytorch_half_pixel (source 0) from half_pixel (source 0.5) */
    resize_case(x, 2, NULL, 1, "linear", "pytorch_half_pixel", NULL, (const float[]){ 1 });
    resize_case(x, 2, NULL, 1, "linear", "half_pixel", NULL, (const float[]){ 1.5f });
}

static void test_resize_nearest_modes(void **state)
{
    (void)state;
    const float x[4] = { 10, 20, 30, 40 };
    /* 4 -> 3 with half_pixel: sources 0.1667, 1.5, 2.8333 */
    resize_case(x, 4, NULL, 3, "nearest", "half_pixel", "round_prefer_floor",
                (const float[]){ 10, 20, 40 });
    resize_case(x, 4, NULL, 3, "nearest", "half_pixel", "round_prefer_ceil",
                (const float[]){ 10, 30, 40 });
    resize_case(x, 4, NULL, 3, "nearest", "half_pixel", "floor", (const float[]){ 10, 20, 30 });
    resize_case(x, 4, NULL, 3, "nearest", "half_pixel", "ceil", (const float[]){ 20, 30, 40 });
    const float s2[4] = { 1, 1, 1, 2 };
    resize_case(x, 4, s2, 8, "nearest", "asymmetric", "floor",
                (const float[]){ 10, 10, 20, 20, 30, 30, 40, 40 });
}

static void test_resize_2d_and_upsample(void **state)
{
    (void)state;
    const float x[4] = { 1, 2, 3, 4 }, s[4] = { 1, 1, 2, 2 };
    const float want[16] = { 1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4 };
    onnx_model m = mu_start(9);
    onnx_add_init(&m, "scales", (int64_t[]){ 4 }, 1, s, NULL);
    pbw n = onnx_node("Upsample", "u", (const char *[]){ "input", "scales" }, 2, "output");
    check_node(&m, &n, x, (int64_t[]){ 1, 1, 2, 2 }, want, (int64_t[]){ 1, 1, 4, 4 }, 0);

    /* opset 17 bilinear half_pixel 2x on 2x2, with a Constant node for the scales */
    onnx_model r = mu_start(17);
    pbw c = onnx_node("Constant", "k", NULL, 0, "sc");
    pbw t = onnx_tensor(NULL, (int64_t[]){ 4 }, 1, s, NULL);
    onnx_attr_tensor(&c, "value", &t);
    onnx_add_node(&r, &c);
    pbw rn = onnx_node("Resize", "r", (const char *[]){ "input", "", "sc" }, 3, "output");
    onnx_attr_str(&rn, "mode", "linear");
    const float row0[4] = { 1, 1.25f, 1.75f, 2 }, row3[4] = { 3, 3.25f, 3.75f, 4 };
    float lw[16];
    for (int yy = 0; yy < 4; yy++) {
        float wy = yy == 0 ? 0 : yy == 1 ? 0.25f : yy == 2 ? 0.75f : 1;
        for (int xx = 0; xx < 4; xx++)
            lw[yy * 4 + xx] = row0[xx] * (1 - wy) + row3[xx] * wy;
    }
    check_node(&r, &rn, x, (int64_t[]){ 1, 1, 2, 2 }, lw, (int64_t[]){ 1, 1, 4, 4 }, 1e-6f);
}

static void test_broadcast_arith(void **state)
{
    (void)state;
    float x[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    static const char *const ops[4] = { "Add", "Sub", "Mul", "Div" };
    for (int k = 0; k < 4; k++) {
        onnx_model m = mu_start(17);
        onnx_add_init(&m, "c", (int64_t[]){ 1, 2, 1, 1 }, 4, (float[]){ 2, 4 }, NULL);
        pbw n = onnx_node(ops[k], "b", (const char *[]){ "input", "c" }, 2, "output");
        float want[8];
        for (int i = 0; i < 8; i++) {
            float c = i < 4 ? 2.f : 4.f;
            want[i] = k == 0 ? x[i] + c : k == 1 ? x[i] - c : k == 2 ? x[i] * c : x[i] / c;
        }
        check_node(&m, &n, x, (int64_t[]){ 1, 2, 2, 2 }, want, (int64_t[]){ 1, 2, 2, 2 }, 1e-6f);
    }
    /* constant first, broadcast along the last axis */
    onnx_model m = mu_start(17);
    onnx_add_init(&m, "c", (int64_t[]){ 2 }, 1, (float[]){ 100, 200 }, NULL);
    pbw n = onnx_node("Sub", "b", (const char *[]){ "c", "input" }, 2, "output");
    float want[8];
    for (int i = 0; i < 8; i++)
        want[i] = (i % 2 ? 200.f : 100.f) - x[i];
    check_node(&m, &n, x, (int64_t[]){ 1, 2, 2, 2 }, want, (int64_t[]){ 1, 2, 2, 2 }, 0);
}

static void test_activations(void **state)
{
    (void)state;
    float x[4] = { -2, -0.5f, 0.5f, 3 };
    onnx_model m = mu_start(17);
    pbw n = onnx_node("LeakyRelu", "l", IN1, 1, "output");
    onnx_attr_float(&n, "alpha", 0.1f);
    check_node(&m, &n, x, (int64_t[]){ 1, 1, 2, 2 }, (const float[]){ -0.2f, -0.05f, 0.5f, 3 },
               (int64_t[]){ 1, 1, 2, 2 }, 1e-7f);
    m = mu_start(17);
    n = onnx_node("Sigmoid", "s", IN1, 1, "output");
    float sw[4];
    for (int k = 0; k < 4; k++)
        sw[k] = (float)(1.0 / (1.0 + exp(-x[k])));
    check_node(&m, &n, x, (int64_t[]){ 1, 1, 2, 2 }, sw, (int64_t[]){ 1, 1, 2, 2 }, 1e-7f);
    m = mu_start(6); /* Clip-6: bounds as attributes */
    n = onnx_node("Clip", "c", IN1, 1, "output");
    onnx_attr_float(&n, "min", -1);
    onnx_attr_float(&n, "max", 1);
    check_node(&m, &n, x, (int64_t[]){ 1, 1, 2, 2 }, (const float[]){ -1, -0.5f, 0.5f, 1 },
               (int64_t[]){ 1, 1, 2, 2 }, 0);
    m = mu_start(13); /* Clip-13: bounds as inputs, min omitted */
    onnx_add_init(&m, "hi", NULL, 0, (float[]){ 0.25f }, NULL);
    n = onnx_node("Clip", "c", (const char *[]){ "input", "", "hi" }, 3, "output");
    check_node(&m, &n, x, (int64_t[]){ 1, 1, 2, 2 }, (const float[]){ -2, -0.5f, 0.25f, 0.25f },
               (int64_t[]){ 1, 1, 2, 2 }, 0);
    m = mu_start(17);
    n = onnx_node("Relu", "r", IN1, 1, "output");
    check_node(&m, &n, x, (int64_t[]){ 1, 1, 2, 2 }, (const float[]){ 0, 0, 0.5f, 3 },
               (int64_t[]){ 1, 1, 2, 2 }, 0);
}

static void test_concat_identity(void **state)
{
    (void)state;
    float x[4] = { -1, 2, -3, 4 };
    onnx_model m = mu_start(17);
    pbw r = onnx_node("Relu", "r", IN1, 1, "rl");
    onnx_add_node(&m, &r);
    pbw i = onnx_node("Identity", "i", IN1, 1, "id");
    onnx_add_node(&m, &i);
    pbw n = onnx_node("Concat", "cat", (const char *[]){ "rl", "id", "rl" }, 3, "output");
    onnx_attr_int(&n, "axis", -3);
    check_node(&m, &n, x, (int64_t[]){ 1, 1, 2, 2 },
               (const float[]){ 0, 2, 0, 4, -1, 2, -3, 4, 0, 2, 0, 4 },
               (int64_t[]){ 1, 3, 2, 2 }, 0);
    /* Concat along W */
    m = mu_start(17);
    n = onnx_node("Concat", "cat", (const char *[]){ "input", "input" }, 2, "output");
    onnx_attr_int(&n, "axis", 3);
    check_node(&m, &n, x, (int64_t[]){ 1, 1, 2, 2 }, (const float[]){ -1, 2, -1, 2, -3, 4, -3, 4 },
               (int64_t[]){ 1, 1, 2, 4 }, 0);
}

static void test_batchnorm_folded_and_not(void **state)
{
    (void)state;
    const float sc[2] = { 2, 0.5f }, bi[2] = { 1, -1 }, mean[2] = { 0.5f, 2 }, var[2] = { 3, 0 };
    float x[8] = { 1, 2, 3, 4, -1, -2, 5, 6 };
    float want[8];
    for (int i = 0; i < 8; i++) {
        int c = i / 4;
        want[i] = (x[i] - mean[c]) / sqrtf(var[c] + 1e-5f) * sc[c] + bi[c];
    }
    for (int folded = 0; folded < 2; folded++) {
        onnx_model m = mu_start(17);
        onnx_add_init(&m, "s", (int64_t[]){ 2 }, 1, sc, NULL);
        onnx_add_init(&m, "b", (int64_t[]){ 2 }, 1, bi, NULL);
        onnx_add_init(&m, "m", (int64_t[]){ 2 }, 1, mean, NULL);
        onnx_add_init(&m, "v", (int64_t[]){ 2 }, 1, var, NULL);
        const char *src = "input";
        if (folded) { /* identity 1x1 conv in front: BN gets folded into it, then Relu */
            onnx_add_init(&m, "w", (int64_t[]){ 2, 2, 1, 1 }, 4, (float[]){ 1, 0, 0, 1 }, NULL);
            pbw c = onnx_node("Conv", "conv", (const char *[]){ "input", "w" }, 2, "cv");
            onnx_add_node(&m, &c);
            src = "cv";
        }
        pbw n = onnx_node("BatchNormalization", "bn", (const char *[]){ src, "s", "b", "m", "v" }, 5,
                          folded ? "bnout" : "output");
        if (!folded) {
            check_node(&m, &n, x, (int64_t[]){ 1, 2, 2, 2 }, want, (int64_t[]){ 1, 2, 2, 2 }, 1e-4f);
            continue;
        }
        onnx_add_node(&m, &n);
        pbw r = onnx_node("Relu", "relu", (const char *[]){ "bnout" }, 1, "output");
        float rw[8];
        for (int i = 0; i < 8; i++)
            rw[i] = want[i] > 0 ? want[i] : 0;
        check_node(&m, &r, x, (int64_t[]){ 1, 2, 2, 2 }, rw, (int64_t[]){ 1, 2, 2, 2 }, 1e-4f);
    }
}

static void test_reshaping_ops(void **state)
{
    (void)state;
    float x[24];
    for (int k = 0; k < 24; k++)
        x[k] = (float)k;
    /* Transpose [1,2,3,4] -> perm 0,1,3,2 -> [1,2,4,3] */
    onnx_model m = mu_start(17);
    pbw n = onnx_node("Transpose", "t", IN1, 1, "output");
    onnx_attr_ints(&n, "perm", (int64_t[]){ 0, 1, 3, 2 }, 4);
    float tw[24];
    for (int c = 0; c < 2; c++)
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 3; j++)
                tw[c * 12 + i * 3 + j] = x[c * 12 + j * 4 + i];
    check_node(&m, &n, x, (int64_t[]){ 1, 2, 3, 4 }, tw, (int64_t[]){ 1, 2, 4, 3 }, 0);

    /* Flatten(axis 2) -> [2,12]; Unsqueeze-13 axes input [0] -> [1,2,12];
     * Reshape [0,0,-1,3] -> [1,2,4,3] */
    m = mu_start(13);
    onnx_add_init(&m, "ax", (int64_t[]){ 1 }, 1, NULL, (int64_t[]){ 0 });
    onnx_add_init(&m, "shp", (int64_t[]){ 4 }, 1, NULL, (int64_t[]){ 0, 0, -1, 3 });
    pbw f = onnx_node("Flatten", "f", IN1, 1, "fl");
    onnx_attr_int(&f, "axis", 2);
    onnx_add_node(&m, &f);
    pbw u = onnx_node("Unsqueeze", "u", (const char *[]){ "fl", "ax" }, 2, "us");
    onnx_add_node(&m, &u);
    n = onnx_node("Reshape", "r", (const char *[]){ "us", "shp" }, 2, "output");
    check_node(&m, &n, x, (int64_t[]){ 1, 2, 3, 4 }, x, (int64_t[]){ 1, 2, 4, 3 }, 0);

    /* Squeeze-11 (axes attribute) then Unsqueeze-11 back */
    m = mu_start(11);
    pbw s = onnx_node("Squeeze", "s", IN1, 1, "sq");
    onnx_attr_ints(&s, "axes", (int64_t[]){ 1 }, 1);
    onnx_add_node(&m, &s);
    n = onnx_node("Unsqueeze", "u", (const char *[]){ "sq" }, 1, "output");
    onnx_attr_ints(&n, "axes", (int64_t[]){ -3 }, 1);
    check_node(&m, &n, x, (int64_t[]){ 1, 1, 4, 6 }, x, (int64_t[]){ 1, 1, 4, 6 }, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conv_pad_bias),
        cmocka_unit_test(test_conv_group_dilation_stride),
        cmocka_unit_test(test_conv_same_upper_lower),
        cmocka_unit_test(test_convtranspose),
        cmocka_unit_test(test_convtranspose_pads_outpad),
        cmocka_unit_test(test_maxpool_ceil),
        cmocka_unit_test(test_maxpool_dilation_pads),
        cmocka_unit_test(test_avgpool_count_include_pad),
        cmocka_unit_test(test_avgpool_ceil_gap),
        cmocka_unit_test(test_resize_linear_modes),
        cmocka_unit_test(test_resize_nearest_modes),
        cmocka_unit_test(test_resize_2d_and_upsample),
        cmocka_unit_test(test_broadcast_arith),
        cmocka_unit_test(test_activations),
        cmocka_unit_test(test_concat_identity),
        cmocka_unit_test(test_batchnorm_folded_and_not),
        cmocka_unit_test(test_reshaping_ops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
