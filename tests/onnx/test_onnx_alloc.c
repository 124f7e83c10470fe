/*
 * Activations are never re-allocated per run: the first run of a model takes
 * its arena and the worker threads' kernel scratch from malloc, later runs
 * take them back from the model's buffer cache. malloc is wrapped at link time
 * (-Wl,--wrap=malloc, the library is linked statically), and every large
 * allocation (64 KiB and up) is counted: after the first run, a run makes
 * none (its output, 48 KiB here, is the only buffer it hands out).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "model_util.h"

#define BIG ((size_t)64 << 10) /* a 1x8x64x64 tensor is 128 KiB */

void *__real_malloc(size_t n);
void *__wrap_malloc(size_t n);
static int big_allocs;

void *__wrap_malloc(size_t n)
{
    if (n >= BIG)
        __atomic_fetch_add(&big_allocs, 1, __ATOMIC_RELAXED);
    return __real_malloc(n);
}

static const int64_t SYM4[4] = { -1, -1, -1, -1 };

/* input 1x8xHxW -> Conv 3x3 8->8 (Winograd, per-thread scratch) + Relu -> Conv 3x3
 * 8->3 (direct kernel) -> Sigmoid -> output */
static pbw conv_model(void)
{
    onnx_model m = mu_start(17);
    float w1[8 * 8 * 9], w2[3 * 8 * 9], b1[8];
    for (int i = 0; i < 8 * 8 * 9; i++)
        w1[i] = (float)((i * 37) % 19 - 9) / 50.0f;
    for (int i = 0; i < 3 * 8 * 9; i++)
        w2[i] = (float)((i * 11) % 13 - 6) / 40.0f;
    for (int i = 0; i < 8; i++)
        b1[i] = (float)i / 10.0f - 0.3f;
    onnx_add_init(&m, "w1", (int64_t[]){ 8, 8, 3, 3 }, 4, w1, NULL);
    onnx_add_init(&m, "b1", (int64_t[]){ 8 }, 1, b1, NULL);
    onnx_add_init(&m, "w2", (int64_t[]){ 3, 8, 3, 3 }, 4, w2, NULL);
    pbw c1 = onnx_node("Conv", "c1", (const char *[]){ "input", "w1", "b1" }, 3, "c1");
    onnx_attr_ints(&c1, "pads", (int64_t[]){ 1, 1, 1, 1 }, 4);
    onnx_add_node(&m, &c1);
    pbw r = onnx_node("Relu", "r", (const char *[]){ "c1" }, 1, "r");
    onnx_add_node(&m, &r);
    pbw c2 = onnx_node("Conv", "c2", (const char *[]){ "r", "w2" }, 2, "c2");
    onnx_attr_ints(&c2, "pads", (int64_t[]){ 1, 1, 1, 1 }, 4);
    onnx_add_node(&m, &c2);
    pbw s = onnx_node("Sigmoid", "s", (const char *[]){ "c2" }, 1, "output");
    onnx_add_node(&m, &s);
    return onnx_finish(&m, SYM4, SYM4);
}

static void runs_reuse_buffers(int threads)
{
    pbw b = conv_model();
    sigmix_onnx_model *m;
    sigmix_error e;
    assert_int_equal(mu_load(&b, 1, threads, &m, &e), 0);
    const int64_t shape[4] = { 1, 8, 64, 64 };
    float *x = malloc(sizeof(float) * 8 * 64 * 64), *first = NULL;
    assert_non_null(x);
    for (int i = 0; i < 8 * 64 * 64; i++)
        x[i] = (float)((i * 7919) % 1000) / 500.0f - 1.0f;
    sigmix_onnx_plan plan;
    assert_int_equal(sigmix_onnx_plan_memory(m, 64, 64, &plan, &e), 0);
    assert_true(plan.activation_bytes >= 2 * BIG); /* the arena itself is a big allocation */
    for (int run = 0; run < 4; run++) {
        float *y;
        int64_t os[4];
        int before = __atomic_load_n(&big_allocs, __ATOMIC_RELAXED);
        assert_int_equal(sigmix_onnx_run(m, x, shape, &y, os, &e), 0);
        int made = __atomic_load_n(&big_allocs, __ATOMIC_RELAXED) - before;
        assert_int_equal(os[1], 3);
        if (run == 0) {
            assert_true(made >= 1); /* the arena at least: the counter works */
            first = y;
            continue;
        }
        if (made != 0)
            fail_msg("%d threads, run %d: %d large allocations, want none", threads, run + 1,
                     made);
        assert_memory_equal(y, first, sizeof(float) * 3 * 64 * 64); /* warm buffers, same result */
        sigmix_free(y);
    }
    sigmix_free(first);
    free(x);
    sigmix_onnx_free(&m);
    free(b.b);
}

static void test_one_thread(void **state)
{
    (void)state;
    runs_reuse_buffers(1);
}

static void test_three_threads(void **state)
{
    (void)state;
    runs_reuse_buffers(3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_thread),
        cmocka_unit_test(test_three_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
