/*
 * The memory plan (exact figures worked out by hand for tiny graphs, the
 * Resize bomb refused before anything is allocated, the limit as a
 * setting), BLAS threading left as the process had it, and parse errors
 * that name the element a cut file ends in.
 */
#include <cblas.h>
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "model_util.h"

static const int64_t SYM4[4] = { -1, -1, -1, -1 };

static void add_unary(onnx_model *m, const char *op, const char *in, const char *out)
{
    pbw n = onnx_node(op, out, (const char *[]){ in }, 1, out);
    onnx_add_node(m, &n);
}

/* input -> Relu a -> Sigmoid b -> Relu output: a and output never live together. */
static pbw chain_model(void)
{
    onnx_model m = mu_start(17);
    add_unary(&m, "Relu", "input", "a");
    add_unary(&m, "Sigmoid", "a", "b");
    add_unary(&m, "Relu", "b", "output");
    return onnx_finish(&m, SYM4, SYM4);
}

static pbw resize_model(float f, const int64_t *in_dims)
{
    onnx_model m = mu_start(17);
    onnx_add_init(&m, "scales", (int64_t[]){ 4 }, 1, (float[]){ 1, 1, f, f }, NULL);
    pbw n = onnx_node("Resize", "Resize_3", (const char *[]){ "input", "", "scales" }, 3,
                      "output");
    onnx_add_node(&m, &n);
    return onnx_finish(&m, in_dims, SYM4);
}

static void test_plan_exact_figures(void **state)
{
    (void)state;
    pbw b = chain_model();
    sigmix_onnx_model *m;
    sigmix_error e;
    assert_int_equal(mu_load(&b, 1, 1, &m, &e), 0);
    sigmix_onnx_plan p;
    /* 8x8 = 64 floats per tensor; a [0,1], b [1,2], output [2,end]: a and output share
     * bytes, so the arena holds two tensors; the returned copy is 64 + 1 floats */
    assert_int_equal(sigmix_onnx_plan_memory(m, 8, 8, &p, &e), 0);
    assert_int_equal(p.activation_bytes, 2 * 64 * 4);
    assert_int_equal(p.scratch_bytes, 0);
    assert_int_equal(p.input_bytes, 0);
    assert_int_equal(p.output_bytes, 65 * 4);
    assert_int_equal(p.peak_bytes, 2 * 64 * 4 + 65 * 4);
    assert_int_equal(p.limit_bytes, SIGMIX_ONNX_DEFAULT_MAX_MEMORY);
    assert_int_equal(p.in_shape[1], 1); /* the first reader (Relu) fixes no channels */
    assert_int_equal(p.out_shape[3], 8);
    /* 5x3 = 15 floats, rounded up to 16 (64-byte alignment) in the arena */
    assert_int_equal(sigmix_onnx_plan_memory(m, 5, 3, &p, &e), 0);
    assert_int_equal(p.activation_bytes, 2 * 16 * 4);
    assert_int_equal(p.output_bytes, 16 * 4);
    sigmix_onnx_free(&m);
    free(b.b);

    /* Resize x2 at 8x8 on 3 channels: its index/weight tables, (16 + 16) * 5 floats per
     * thread, are the scratch; 2 threads double them */
    b = resize_model(2, (int64_t[]){ 1, 3, -1, -1 });
    assert_int_equal(mu_load(&b, 1, 2, &m, &e), 0);
    assert_int_equal(sigmix_onnx_plan_memory(m, 8, 8, &p, &e), 0);
    assert_int_equal(p.in_shape[1], 3);
    assert_int_equal(p.activation_bytes, 3 * 16 * 16 * 4);
    assert_int_equal(p.scratch_bytes, 2 * 32 * 5 * 4);
    assert_int_equal(p.threads, 2);
    assert_string_equal(p.peak_node, "Resize_3");
    sigmix_onnx_free(&m);
    free(b.b);
}

/*
 * Concat into its destination: a = Relu(input) and b = Sigmoid(a) are written straight
 * into their slabs of c = Concat(a, b) [1,2,8,8], which a 1x1 Conv reduces to one channel.
 * At 8x8 (64 floats per channel) the arena then holds c [nodes 0..3] and the output
 * [3..end]: 128 + 64 floats. Without the aliasing a and b need their own bytes next to c
 * at the Concat: 128 + 2 x 64. The values must still be right, and a Concat along W
 * (slabs not contiguous) or one reading an input twice must still copy.
 */
static void test_concat_in_place(void **state)
{
    (void)state;
    onnx_model mb = mu_start(17);
    onnx_add_init(&mb, "w", (int64_t[]){ 1, 2, 1, 1 }, 4, (float[]){ 0.5f, 2.0f }, NULL);
    add_unary(&mb, "Relu", "input", "a");
    add_unary(&mb, "Sigmoid", "a", "b");
    pbw n = onnx_node("Concat", "cat", (const char *[]){ "a", "b" }, 2, "c");
    onnx_attr_int(&n, "axis", 1);
    onnx_add_node(&mb, &n);
    n = onnx_node("Conv", "head", (const char *[]){ "c", "w" }, 2, "output");
    onnx_add_node(&mb, &n);
    pbw b = onnx_finish(&mb, SYM4, SYM4);
    sigmix_onnx_model *m;
    sigmix_error e;
    assert_int_equal(mu_load(&b, 1, 1, &m, &e), 0);
    sigmix_onnx_plan p;
    assert_int_equal(sigmix_onnx_plan_memory(m, 8, 8, &p, &e), 0);
    assert_int_equal(p.activation_bytes, (128 + 64) * 4);
    float in[64], *out = NULL;
    int64_t os[4];
    for (int i = 0; i < 64; i++)
        in[i] = (float)(i - 32) / 8.0f;
    assert_int_equal(sigmix_onnx_run(m, in, (int64_t[]){ 1, 1, 8, 8 }, &out, os, &e), 0);
    assert_int_equal(os[1], 1);
    for (int i = 0; i < 64; i++) {
        float a = in[i] > 0 ? in[i] : 0;
        assert_float_equal(out[i], 0.5f * a + 2.0f / (1.0f + expf(-a)), 1e-6);
    }
    free(out);
    sigmix_onnx_free(&m);
    free(b.b);

    /* along W the slabs interleave: a and b keep their own bytes and are copied */
    mb = mu_start(17);
    add_unary(&mb, "Relu", "input", "a");
    add_unary(&mb, "Sigmoid", "a", "b");
    n = onnx_node("Concat", "cat", (const char *[]){ "a", "b" }, 2, "c");
    onnx_attr_int(&n, "axis", 3);
    onnx_add_node(&mb, &n);
    add_unary(&mb, "Relu", "c", "output");
    b = onnx_finish(&mb, SYM4, SYM4);
    assert_int_equal(mu_load(&b, 1, 1, &m, &e), 0);
    assert_int_equal(sigmix_onnx_run(m, in, (int64_t[]){ 1, 1, 8, 8 }, &out, os, &e), 0);
    assert_int_equal(os[3], 16);
    for (int y = 0; y < 8; y++)
        for (int x = 0; x < 8; x++) {
            float a = in[y * 8 + x] > 0 ? in[y * 8 + x] : 0;
            assert_float_equal(out[y * 16 + x], a, 0);
            assert_float_equal(out[y * 16 + 8 + x], 1.0f / (1.0f + expf(-a)), 1e-6);
        }
    free(out);
    sigmix_onnx_free(&m);
    free(b.b);

    /* Concat(a, a): a cannot sit in two slabs, so it is copied twice */
    mb = mu_start(17);
    add_unary(&mb, "Relu", "input", "a");
    n = onnx_node("Concat", "cat", (const char *[]){ "a", "a" }, 2, "c");
    onnx_attr_int(&n, "axis", 1);
    onnx_add_node(&mb, &n);
    add_unary(&mb, "Relu", "c", "output");
    b = onnx_finish(&mb, SYM4, SYM4);
    assert_int_equal(mu_load(&b, 1, 1, &m, &e), 0);
    assert_int_equal(sigmix_onnx_run(m, in, (int64_t[]){ 1, 1, 8, 8 }, &out, os, &e), 0);
    for (int i = 0; i < 64; i++) {
        float a = in[i] > 0 ? in[i] : 0;
        assert_float_equal(out[i], a, 0);
        assert_float_equal(out[64 + i], a, 0);
    }
    free(out);
    sigmix_onnx_free(&m);
    free(b.b);
}

/* A run allocates what the plan says: a limit one byte below the plan refuses, the
 * exact plan runs (and gives the right answer). */
static void test_limit_is_a_setting(void **state)
{
    (void)state;
    pbw b = chain_model();
    sigmix_onnx_settings s;
    sigmix_onnx_default_settings(&s);
    s.threads = 1;
    s.max_model_memory = 2 * 64 * 4 + 65 * 4 - 1;
    sigmix_onnx_model *m;
    sigmix_error e;
    assert_int_equal(sigmix_onnx_load_buffer(b.b, b.n, &s, &m, &e), 0);
    float x[64], *y = NULL;
    for (int k = 0; k < 64; k++)
        x[k] = (float)k - 32.0f;
    int64_t shape[4] = { 1, 1, 8, 8 }, os[4];
    assert_int_equal(sigmix_onnx_run(m, x, shape, &y, os, &e), SIGMIX_ENOMEM);
    assert_null(y);
    assert_string_equal(e.message, "node 'output' (Relu): planned memory 772 bytes at input "
                                   "1x1x8x8 exceeds --max-model-memory 771 bytes");
    sigmix_onnx_free(&m);
    s.max_model_memory = 2 * 64 * 4 + 65 * 4;
    assert_int_equal(sigmix_onnx_load_buffer(b.b, b.n, &s, &m, &e), 0);
    assert_int_equal(sigmix_onnx_run(m, x, shape, &y, os, &e), 0);
    for (int k = 0; k < 64; k++)
        assert_float_equal(y[k], 1.0f / (1.0f + expf(-(x[k] > 0 ? x[k] : 0))), 1e-6);
    free(y);
    sigmix_onnx_free(&m);
    free(b.b);
}

/* D11: Resize x2048 on an 8x8 input. A fixed input size is refused at load; a symbolic
 * one at run time; either way before any large allocation (RLIMIT would catch one). */
static void test_resize_bomb(void **state)
{
    (void)state;
    pbw b = resize_model(2048, (int64_t[]){ 1, 3, 8, 8 });
    assert_true(b.n < 250);
    sigmix_onnx_model *m = NULL;
    sigmix_error e;
    assert_int_equal(mu_load(&b, 1, 1, &m, &e), SIGMIX_ENOMEM);
    assert_null(m);
    assert_string_equal(e.message, "node 'Resize_3' (Resize): planned memory 6.0 GiB at input "
                                   "1x3x8x8 exceeds --max-model-memory 4.0 GiB");
    free(b.b);

    b = resize_model(2048, (int64_t[]){ 1, 3, -1, -1 });
    assert_int_equal(mu_load(&b, 1, 1, &m, &e), 0);
    float x[3 * 64] = { 0 }, *y = NULL;
    int64_t os[4];
    assert_int_equal(sigmix_onnx_run(m, x, (int64_t[]){ 1, 3, 8, 8 }, &y, os, &e),
                     SIGMIX_ENOMEM);
    assert_null(y);
    assert_non_null(strstr(e.message, "node 'Resize_3' (Resize): planned memory 6.0 GiB"));
    sigmix_onnx_plan p;
    assert_int_equal(sigmix_onnx_plan_memory(m, 8, 8, &p, &e), 0);
    assert_true(p.peak_bytes > p.limit_bytes);
    assert_int_equal(p.activation_bytes, (uint64_t)3 * 16384 * 16384 * 4);
    sigmix_onnx_free(&m);
    free(b.b);
}

/* BLAS threads: the process's OpenBLAS setting is the same after runs as before,
 * with the default (1 during runs), with 0 (never touched) and with runs overlapping. */
typedef struct blas_job {
    const sigmix_onnx_model *m;
    int                      rc;
} blas_job;

static void *blas_worker(void *arg)
{
    blas_job *j = arg;
    float x[64] = { 0 }, *y;
    int64_t os[4];
    sigmix_error e;
    for (int k = 0; k < 50 && !j->rc; k++) {
        j->rc = sigmix_onnx_run(j->m, x, (int64_t[]){ 1, 1, 8, 8 }, &y, os, &e);
        if (!j->rc)
            free(y);
    }
    return NULL;
}

static void test_blas_threads_restored(void **state)
{
    (void)state;
    pbw b = chain_model();
    sigmix_onnx_model *m;
    sigmix_error e;
    openblas_set_num_threads(2);
    int before = openblas_get_num_threads();
    assert_int_equal(mu_load(&b, 1, 1, &m, &e), 0);
    blas_job j = { m, 0 };
    blas_worker(&j);
    assert_int_equal(j.rc, 0);
    assert_int_equal(openblas_get_num_threads(), before);
    blas_job jobs[3] = { { m, 0 }, { m, 0 }, { m, 0 } };
    pthread_t t[3];
    for (int k = 0; k < 3; k++)
        assert_int_equal(pthread_create(&t[k], NULL, blas_worker, &jobs[k]), 0);
    for (int k = 0; k < 3; k++) {
        pthread_join(t[k], NULL);
        assert_int_equal(jobs[k].rc, 0);
    }
    assert_int_equal(openblas_get_num_threads(), before);
    sigmix_onnx_free(&m);

    sigmix_onnx_settings s;
    sigmix_onnx_default_settings(&s);
    assert_int_equal(s.blas_threads, 1);
    s.blas_threads = 0;
    assert_int_equal(sigmix_onnx_load_buffer(b.b, b.n, &s, &m, &e), 0);
    j.m = m;
    blas_worker(&j);
    assert_int_equal(j.rc, 0);
    assert_int_equal(openblas_get_num_threads(), before);
    sigmix_onnx_free(&m);
    free(b.b);
}

/* A file cut inside an initializer's data names the initializer. */
static void test_cut_initializer_named(void **state)
{
    (void)state;
    onnx_model m = mu_start(17);
    float w[64];
    for (int k = 0; k < 64; k++)
        w[k] = (float)k;
    onnx_add_init(&m, "conv1.weight", (int64_t[]){ 4, 1, 4, 4 }, 4, w, NULL);
    pbw n = onnx_node("Conv", "conv1", (const char *[]){ "input", "conv1.weight" }, 2, "output");
    onnx_add_node(&m, &n);
    pbw b = onnx_finish(&m, SYM4, SYM4);
    /* cut 100 bytes into the 256 bytes of raw data: the opset comes first, then the
     * graph, whose first element is the initializer */
    const uint8_t *raw = NULL;
    for (size_t k = 0; k + 12 < b.n && !raw; k++)
        if (!memcmp(b.b + k, "conv1.weight", 12))
            raw = b.b + k + 12;
    assert_non_null(raw);
    pbw cut = { b.b, (size_t)(raw - b.b) + 3 + 100, 0 };
    sigmix_onnx_model *mod = NULL;
    sigmix_error e;
    assert_int_equal(mu_load(&cut, 1, 1, &mod, &e), SIGMIX_EFORMAT);
    assert_non_null(strstr(e.message, "truncated or malformed protobuf (initializer "
                                      "'conv1.weight': "));
    assert_non_null(strstr(e.message, " bytes present)"));
    free(b.b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plan_exact_figures),
        cmocka_unit_test(test_limit_is_a_setting),
        cmocka_unit_test(test_concat_in_place),
        cmocka_unit_test(test_resize_bomb),
        cmocka_unit_test(test_blas_threads_restored),
        cmocka_unit_test(test_cut_initializer_named),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
