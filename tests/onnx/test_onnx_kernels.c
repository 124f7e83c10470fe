/*
 * checkasm-style kernel tests: the optimised Conv / ConvTranspose (tiled
 * GEMM of every variant the CPU has, threads) against the plain reference
 * loops on random inputs, over odd sizes, asymmetric pads, strides, dilations and groups.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "onnx/internal.h"
#include "onnx/pool.h"

static uint32_t rng = 12345;

static float frand(void)
{
    rng = rng * 1664525u + 1013904223u;
    return (float)(rng >> 8) * (1.0f / 8388608.0f) - 1.0f;
}

typedef struct conv_case {
    int cin, cout, group, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, h, w, act, op0, op1;
} conv_case;

enum { PLAIN, WINO, DIRECT };

static void run_case(const conv_case *k, int transposed, int threads, int mode)
{
    ox_node n;
    memset(&n, 0, sizeof n);
    n.op = transposed ? OP_CONVT : OP_CONV;
    n.name = n.op_type = "test";
    n.cin = k->cin;
    n.cout = k->cout;
    n.group = k->group;
    n.act = k->act;
    n.win = (ox_win){ { k->kh, k->kw }, { k->sh, k->sw }, { k->dh, k->dw },
                      { k->pt, k->pl, k->pb, k->pr }, PAD_NOTSET, { k->op0, k->op1 }, 0, 0 };
    size_t wn = (size_t)(transposed ? k->cin * (k->cout / k->group)
                                    : k->cout * (k->cin / k->group)) * k->kh * k->kw;
    n.w = malloc(wn * sizeof(float));
    n.b = malloc((size_t)k->cout * sizeof(float));
    for (size_t i = 0; i < wn; i++)
        n.w[i] = frand();
    for (int i = 0; i < k->cout; i++)
        n.b[i] = frand();
    ox_conv_args a = { &n, NULL, NULL, k->h, k->w, 0, 0, 0, 0, 0, 0 };
    assert_int_equal(sigmix_ox_win_out(&n.win, 0, a.h, transposed, &a.oh, &a.pt, &a.pb), 0);
    assert_int_equal(sigmix_ox_win_out(&n.win, 1, a.w, transposed, &a.ow, &a.pl, &a.pr), 0);
    size_t xn = (size_t)(k->cin * k->h * k->w), yn = (size_t)(k->cout * a.oh * a.ow);
    float *x = malloc(xn * sizeof(float)), *y = malloc(yn * sizeof(float)),
          *r = malloc(yn * sizeof(float));
    for (size_t i = 0; i < xn; i++)
        x[i] = frand();
    a.x = x;
    a.y = r;
    if (transposed)
        sigmix_ox_convt_ref(&a);
    else
        sigmix_ox_conv_ref(&a);
    if (mode == WINO) {
        assert_true(sigmix_ox_wino_ok(&n));
        n.wino = malloc(sizeof(float) * 16 * (size_t)n.cout * (size_t)n.cin);
        sigmix_ox_wino_pack(&n, n.wino);
    }
    if (mode == DIRECT) {
        assert_true(sigmix_ox_direct_ok(&n));
        n.wd = malloc(sizeof(float) * sigmix_ox_direct_size(&n));
        sigmix_ox_direct_pack(&n, n.wd);
        assert_int_equal(sigmix_ox_conv_scratch(&a, threads), 0);
    }
    /* every ISA this CPU has (GEMM and Winograd transforms), through the whole kernel */
    for (int isa = 0; isa < OX_ISA_N; isa++) {
        ox_pool *p = sigmix_ox_pool_new(threads);
        assert_non_null(p);
        if (sigmix_ox_pool_set_isa(p, isa)) {
            sigmix_ox_pool_free(p);
            continue;
        }
        for (size_t i = 0; i < yn; i++)
            y[i] = NAN; /* every output must be written */
        a.y = y;
        if (transposed)
            sigmix_ox_convt(p, &a);
        else
            sigmix_ox_conv(p, &a);
        assert_int_equal(sigmix_ox_pool_oom(p), 0);
        sigmix_ox_pool_free(p);
        for (size_t i = 0; i < yn; i++)
            if (!(fabsf(y[i] - r[i]) <= 1e-4f * (1.0f + fabsf(r[i]))))
                fail_msg("%s case cin=%d cout=%d g=%d k=%dx%d threads=%d isa=%d: value %zu got "
                         "%g want %g",
                         transposed ? "convT" : "conv", k->cin, k->cout, k->group, k->kh, k->kw,
                         threads, isa, i, y[i], r[i]);
    }
    free(x);
    free(y);
    free(r);
    free(n.w);
    free(n.b);
    free(n.wino);
    free(n.wd);
}

static const conv_case conv_cases[] = {
    /* cin cout g  kh kw sh sw dh dw pt pl pb pr  h   w  act */
    { 3, 16, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 13, 17, 1, 0, 0 },
    { 4, 6, 2, 3, 3, 2, 2, 1, 1, 1, 1, 0, 0, 11, 9, 0, 0, 0 },
    { 6, 6, 6, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 10, 7, 1, 0, 0 },
    { 5, 4, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 7, 5, 0, 0, 0 },
    { 3, 2, 1, 5, 3, 3, 2, 1, 1, 2, 1, 0, 2, 12, 11, 0, 0, 0 },
    { 8, 4, 1, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0, 9, 9, 1, 0, 0 },
    { 2, 3, 1, 2, 4, 1, 3, 3, 1, 0, 3, 1, 0, 8, 13, 0, 0, 0 },
    { 16, 8, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 67, 41, 1, 0, 0 }, /* several tiles */
};

static const conv_case convt_cases[] = {
    { 4, 3, 1, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0, 5, 7, 0, 0, 0 },    /* exact 2x2 s2 */
    { 4, 6, 2, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 4, 5, 0, 1, 1 },    /* overlap, groups, outpad */
    { 3, 2, 1, 3, 3, 1, 1, 2, 2, 0, 0, 0, 0, 6, 4, 0, 0, 0 },    /* dilation */
    { 2, 2, 1, 1, 1, 3, 3, 1, 1, 0, 0, 0, 0, 3, 3, 0, 2, 1 },    /* gaps: k < s */
    { 16, 8, 1, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0, 45, 23, 0, 0, 0 }, /* odd bottleneck size */
    { 3, 4, 1, 2, 3, 2, 1, 1, 1, 1, 0, 0, 1, 7, 6, 0, 0, 0 },    /* asymmetric pads */
};

static void test_conv_vs_ref(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof conv_cases / sizeof *conv_cases; i++)
        for (int t = 1; t <= 3; t++)
            run_case(&conv_cases[i], 0, t, PLAIN);
}

static void test_convt_vs_ref(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof convt_cases / sizeof *convt_cases; i++)
        for (int t = 1; t <= 3; t++)
            run_case(&convt_cases[i], 1, t, PLAIN);
}

static const conv_case wino_cases[] = {
    { 8, 8, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 9, 11, 1, 0, 0 },    /* odd sizes */
    { 16, 5, 1, 3, 3, 1, 1, 1, 1, 0, 2, 1, 0, 14, 7, 0, 0, 0 },   /* asymmetric pads */
    { 12, 20, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 45, 37, 1, 0, 0 }, /* many tiles */
    { 8, 3, 1, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, 3, 4, 0, 0, 0 },     /* one output row */
    { 9, 4, 1, 3, 3, 1, 1, 1, 1, 3, 5, 2, 3, 4, 5, 1, 0, 0 },     /* pads wider than the input */
    { 8, 8, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2, 37, 0, 0, 0 },    /* long rows: SSE2 paths */
};

static void test_winograd_vs_ref(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof wino_cases / sizeof *wino_cases; i++)
        for (int t = 1; t <= 3; t++)
            run_case(&wino_cases[i], 0, t, WINO);
}

/* The direct 3x3 kernel through sigmix_ox_conv: row edges (masked loads), channel
 * counts around the 8-channel block, rows narrower than one vector, big pads. */
static const conv_case direct_cases[] = {
    /* cin cout g  kh kw sh sw dh dw pt pl pb pr  h   w  act */
    { 3, 16, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 13, 70, 1, 0, 0 },  /* the stem */
    { 24, 8, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 9, 33, 1, 0, 0 },   /* 24->8 decoder */
    { 1, 1, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0 },     /* 1x1 image */
    { 2, 9, 1, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, 5, 18, 0, 0, 0 },    /* no pads, 9 channels */
    { 5, 7, 1, 3, 3, 1, 1, 1, 1, 2, 3, 1, 2, 6, 31, 1, 0, 0 },    /* asymmetric wide pads */
    { 4, 17, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 4, 47, 0, 0, 0 },   /* 17: a 1-channel block */
    { 3, 5, 1, 3, 3, 1, 1, 1, 1, 3, 5, 2, 3, 2, 3, 1, 0, 0 },     /* pads wider than input */
    { 6, 8, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 37, 96, 1, 0, 0 },   /* inner blocks, tiles */
};

static void test_direct_vs_ref(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof direct_cases / sizeof *direct_cases; i++)
        for (int t = 1; t <= 3; t++)
            run_case(&direct_cases[i], 0, t, DIRECT);
}

/* Which layers get the direct kernel: the stem and thin layers, not 16->16 or deeper. */
static void test_direct_pick(void **state)
{
    (void)state;
    static const int io[][3] = { { 3, 16, 1 }, { 24, 8, 1 }, { 16, 8, 1 }, { 16, 16, 0 },
                                  { 16, 32, 0 }, { 48, 48, 0 }, { 80, 32, 0 }, { 48, 16, 0 } };
    for (size_t i = 0; i < sizeof io / sizeof *io; i++) {
        ox_node n;
        memset(&n, 0, sizeof n);
        n.op = OP_CONV;
        n.group = 1;
        n.cin = io[i][0];
        n.cout = io[i][1];
        n.win = (ox_win){ { 3, 3 }, { 1, 1 }, { 1, 1 }, { 1, 1, 1, 1 }, PAD_NOTSET, { 0, 0 },
                          0, 0 };
        if (sigmix_ox_direct_pick(&n) != io[i][2])
            fail_msg("direct pick %d->%d: %d", n.cin, n.cout, !io[i][2]);
        n.win.s[1] = 2; /* strided: never direct */
        assert_false(sigmix_ox_direct_pick(&n));
    }
}

static void task(void *ctx, int t, int thread)
{
    int *hits = ctx;
    (void)thread;
    __atomic_fetch_add(&hits[t], 1, __ATOMIC_RELAXED);
}

static void test_pool_runs_each_task_once(void **state)
{
    (void)state;
    int hits[100] = { 0 };
    ox_pool *p = sigmix_ox_pool_new(4);
    for (int rep = 0; rep < 20; rep++)
        sigmix_ox_parallel(p, task, hits, 100);
    sigmix_ox_pool_free(p);
    for (int t = 0; t < 100; t++)
        assert_int_equal(hits[t], 20);
}

static void test_window_sizes(void **state)
{
    (void)state;
    ox_win w = { { 3, 3 }, { 2, 2 }, { 1, 1 }, { 1, 1, 1, 1 }, PAD_NOTSET, { 0, 0 }, 0, 0 };
    int64_t out;
    int pb, pe;
    assert_int_equal(sigmix_ox_win_out(&w, 0, 7, 0, &out, &pb, &pe), 0);
    assert_int_equal(out, 4);
    w.pad[0] = w.pad[2] = 0;
    w.ceil_mode = 1;
    assert_int_equal(sigmix_ox_win_out(&w, 0, 6, 0, &out, &pb, &pe), 0);
    assert_int_equal(out, 3); /* (6-3)/2 ceil = 2, +1 */
    w.auto_pad = PAD_SAME_LOWER;
    assert_int_equal(sigmix_ox_win_out(&w, 0, 6, 0, &out, &pb, &pe), 0);
    assert_int_equal(out, 3);
    assert_int_equal(pb, 1);
    assert_int_equal(pe, 0);
    w.auto_pad = PAD_NOTSET;
    assert_int_equal(sigmix_ox_win_out(&w, 0, 2, 0, &out, &pb, &pe), -1); /* window too big */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conv_vs_ref),
        cmocka_unit_test(test_convt_vs_ref),
        cmocka_unit_test(test_winograd_vs_ref),
        cmocka_unit_test(test_direct_vs_ref),
        cmocka_unit_test(test_direct_pick),
        cmocka_unit_test(test_pool_runs_each_task_once),
        cmocka_unit_test(test_window_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
