/*
 * Loader and runner behaviour: refusals that name node / op / attribute,
 * malformed and truncated protobuf, the padding policy (multiple inferred
 * from the strides, edge padding, crop, --no-pad error), threads, and the
 * model-info API.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "model_util.h"

static const int64_t SYM4[4] = { -1, -1, -1, -1 };
static const char *const IN1[] = { "input" };

static void expect_load_error(pbw *bytes, int code, const char *needle)
{
    sigmix_onnx_model *m = NULL;
    sigmix_error e;
    int rc = mu_load(bytes, 1, 1, &m, &e);
    if (rc == 0)
        fail_msg("load succeeded, expected: %s", needle);
    assert_null(m);
    assert_int_equal(rc, code);
    if (!strstr(e.message, needle))
        fail_msg("message '%s' lacks '%s'", e.message, needle);
}

static pbw one_node_model(int opset, pbw *node)
{
    onnx_model m = mu_start(opset);
    onnx_add_node(&m, node);
    return onnx_finish(&m, SYM4, SYM4);
}

static void test_unsupported_op_named(void **state)
{
    (void)state;
    pbw n = onnx_node("LSTM", "my_lstm", IN1, 1, "output");
    pbw b = one_node_model(17, &n);
    expect_load_error(&b, SIGMIX_EUNSUPPORTED, "node 'my_lstm' (LSTM): unsupported operator");
    free(b.b);
}

static void test_unsupported_attribute_values(void **state)
{
    (void)state;
    onnx_model m = mu_start(17);
    onnx_add_init(&m, "w", (int64_t[]){ 1, 1, 1, 1 }, 4, (float[]){ 1 }, NULL);
    pbw n = onnx_node("Conv", "c1", (const char *[]){ "input", "w" }, 2, "output");
    onnx_attr_str(&n, "auto_pad", "SAME_SIDEWAYS");
    onnx_add_node(&m, &n);
    pbw b = onnx_finish(&m, SYM4, SYM4);
    expect_load_error(&b, SIGMIX_EUNSUPPORTED, "node 'c1' (Conv): unsupported attribute value "
                                               "auto_pad=SAME_SIDEWAYS");
    free(b.b);

    n = onnx_node("Resize", "r1", (const char *[]){ "input", "", "s" }, 3, "output");
    onnx_attr_str(&n, "mode", "cubic");
    m = mu_start(17);
    onnx_add_init(&m, "s", (int64_t[]){ 4 }, 1, (float[]){ 1, 1, 2, 2 }, NULL);
    onnx_add_node(&m, &n);
    b = onnx_finish(&m, SYM4, SYM4);
    expect_load_error(&b, SIGMIX_EUNSUPPORTED, "node 'r1' (Resize): unsupported attribute value "
                                               "mode=cubic");
    free(b.b);

    n = onnx_node("Relu", "r2", IN1, 1, "output");
    onnx_attr_int(&n, "bogus", 1);
    b = one_node_model(17, &n);
    expect_load_error(&b, SIGMIX_EUNSUPPORTED, "node 'r2' (Relu): unsupported attribute 'bogus'");
    free(b.b);

    n = onnx_node("Resize", "r3", (const char *[]){ "input", "", "s" }, 3, "output");
    onnx_attr_str(&n, "coordinate_transformation_mode", "tf_crop_and_resize");
    m = mu_start(17);
    onnx_add_init(&m, "s", (int64_t[]){ 4 }, 1, (float[]){ 1, 1, 2, 2 }, NULL);
    onnx_add_node(&m, &n);
    b = onnx_finish(&m, SYM4, SYM4);
    expect_load_error(&b, SIGMIX_EUNSUPPORTED, "coordinate_transformation_mode=tf_crop_and_resize");
    free(b.b);

    n = onnx_node("MaxPool", "p", IN1, 1, "output");
    onnx_attr_ints(&n, "kernel_shape", (int64_t[]){ 2, 2, 2 }, 3);
    b = one_node_model(17, &n);
    expect_load_error(&b, SIGMIX_EUNSUPPORTED, "only 2-D windows are supported");
    free(b.b);

    n = onnx_node("Conv", "c2", (const char *[]){ "input", "nope" }, 2, "output");
    b = one_node_model(17, &n);
    expect_load_error(&b, SIGMIX_EFORMAT, "input 'nope' is not produced");
    free(b.b);
}

/* A small U-Net-like model: MaxPool x2 then Resize x2 and a skip Add. */
static pbw unet_model(void)
{
    onnx_model m = mu_start(17);
    onnx_add_init(&m, "s", (int64_t[]){ 4 }, 1, (float[]){ 1, 1, 2, 2 }, NULL);
    onnx_add_init(&m, "w", (int64_t[]){ 2, 1, 3, 3 }, 4,
                  (float[]){ 1, 2, 1, 0, 1, 0, -1, 0, 1, 0.5f, 0, 0.5f, 0, 2, 0, 0.5f, 0, 0.5f },
                  NULL);
    pbw c = onnx_node("Conv", "conv", (const char *[]){ "input", "w" }, 2, "c");
    onnx_attr_ints(&c, "pads", (int64_t[]){ 1, 1, 1, 1 }, 4);
    onnx_add_node(&m, &c);
    const char *prev = "c";
    static const char *const pool_out[2] = { "p1", "p2" }, *const up_out[2] = { "u1", "u2" };
    for (int k = 0; k < 2; k++) {
        pbw p = onnx_node("MaxPool", pool_out[k], (const char *[]){ prev }, 1, pool_out[k]);
        onnx_attr_ints(&p, "kernel_shape", (int64_t[]){ 2, 2 }, 2);
        onnx_attr_ints(&p, "strides", (int64_t[]){ 2, 2 }, 2);
        onnx_add_node(&m, &p);
        prev = pool_out[k];
    }
    for (int k = 0; k < 2; k++) {
        pbw r = onnx_node("Resize", up_out[k], (const char *[]){ prev, "", "s" }, 3, up_out[k]);
        onnx_attr_str(&r, "mode", "linear");
        onnx_add_node(&m, &r);
        prev = up_out[k];
    }
    pbw a = onnx_node("Add", "/skip/Add", (const char *[]){ prev, "c" }, 2, "output");
    onnx_add_node(&m, &a);
    return onnx_finish(&m, (int64_t[]){ 1, 1, -1, -1 }, (int64_t[]){ 1, 2, -1, -1 });
}

static void test_padding_policy(void **state)
{
    (void)state;
    pbw b = unet_model();
    sigmix_onnx_model *m;
    sigmix_error e;
    assert_int_equal(mu_load(&b, 1, 1, &m, &e), 0);
    assert_int_equal(sigmix_onnx_pad_multiple(m), 4);
    sigmix_onnx_free(&m);
    assert_null(m);

    enum { H = 7, W = 10, HP = 8, WP = 12 };
    float x[H * W], xp[HP * WP];
    for (int k = 0; k < H * W; k++)
        x[k] = sinf((float)k * 0.37f);
    for (int y = 0; y < HP; y++) /* edge replication on the bottom and right */
        for (int c = 0; c < WP; c++)
            xp[y * WP + c] = x[(y < H ? y : H - 1) * W + (c < W ? c : W - 1)];
    float *y = NULL, *yp = NULL;
    int64_t os[4], osp[4];
    assert_int_equal(mu_run(&b, 0, 1, x, (int64_t[]){ 1, 1, H, W }, &y, os, &e), SIGMIX_EMODEL);
    assert_null(y);
    assert_non_null(strstr(e.message, "input height 7 is not a multiple of 4"));
    assert_non_null(strstr(e.message, "padding is off"));
    /* without padding the graph itself fails at the skip connection */
    assert_int_equal(mu_load(&b, 1, 1, &m, &e), 0);
    sigmix_onnx_free(&m);

    assert_int_equal(mu_run(&b, 1, 1, x, (int64_t[]){ 1, 1, H, W }, &y, os, &e), 0);
    assert_int_equal(mu_run(&b, 0, 1, xp, (int64_t[]){ 1, 1, HP, WP }, &yp, osp, &e), 0);
    assert_int_equal(os[1], 2);
    assert_int_equal(os[2], H);
    assert_int_equal(os[3], W);
    assert_int_equal(osp[2], HP);
    for (int c = 0; c < 2; c++)
        for (int r = 0; r < H; r++)
            for (int q = 0; q < W; q++)
                assert_true(y[(c * H + r) * W + q] == yp[(c * HP + r) * WP + q]);
    free(y);
    free(yp);
    free(b.b);
}

static void test_concat_mismatch_message(void **state)
{
    (void)state;
    onnx_model m = mu_start(17);
    pbw p = onnx_node("MaxPool", "pool", IN1, 1, "p");
    onnx_attr_ints(&p, "kernel_shape", (int64_t[]){ 2, 2 }, 2);
    onnx_attr_ints(&p, "strides", (int64_t[]){ 2, 2 }, 2);
    onnx_add_node(&m, &p);
    pbw u = onnx_node("Upsample", "up", (const char *[]){ "p" }, 1, "u");
    onnx_attr_floats(&u, "scales", (float[]){ 1, 1, 2, 2 }, 4);
    onnx_add_node(&m, &u);
    pbw c = onnx_node("Concat", "/Concat_1", (const char *[]){ "u", "input" }, 2, "output");
    onnx_attr_int(&c, "axis", 1);
    onnx_add_node(&m, &c);
    m.opset = 7;
    pbw b = onnx_finish(&m, SYM4, SYM4);
    float x[15] = { 0 }, *y = NULL;
    int64_t os[4];
    sigmix_error e;
    /* a fixed-size check before running still lets the kernel report the node */
    sigmix_onnx_model *md;
    assert_int_equal(mu_load(&b, 1, 1, &md, &e), 0);
    assert_int_equal(sigmix_onnx_pad_multiple(md), 2);
    sigmix_onnx_free(&md);
    assert_int_equal(mu_run(&b, 1, 2, x, (int64_t[]){ 1, 1, 3, 5 }, &y, os, &e), 0);
    assert_int_equal(os[1], 2);
    free(y);
    /* a model that claims no down-sampling but breaks anyway names the node */
    onnx_model m2 = mu_start(17);
    pbw t = onnx_node("Transpose", "tr", IN1, 1, "t");
    onnx_attr_ints(&t, "perm", (int64_t[]){ 0, 1, 3, 2 }, 4);
    onnx_add_node(&m2, &t);
    pbw c2 = onnx_node("Concat", "/Concat_2", (const char *[]){ "t", "input" }, 2, "output");
    onnx_attr_int(&c2, "axis", 1);
    onnx_add_node(&m2, &c2);
    pbw b2 = onnx_finish(&m2, SYM4, SYM4);
    assert_int_equal(mu_run(&b2, 1, 1, x, (int64_t[]){ 1, 1, 3, 5 }, &y, os, &e), SIGMIX_EMODEL);
    assert_non_null(strstr(e.message, "node '/Concat_2' (Concat): inputs differ on axis 2"));
    free(b.b);
    free(b2.b);
}

static void test_truncated_and_bad_lengths(void **state)
{
    (void)state;
    pbw b = unet_model();
    sigmix_onnx_model *m = NULL;
    sigmix_error e;
    for (size_t n = 0; n < b.n; n++) { /* every proper prefix fails cleanly */
        pbw cut = { b.b, n, n };
        int rc = mu_load(&cut, 1, 1, &m, &e);
        if (rc == 0)
            fail_msg("prefix of %zu/%zu bytes loaded", n, b.n);
        assert_null(m);
        assert_true(e.message[0] != '\0');
    }
    /* first field is ir_version (varint); the next key is producer_name: make its
     * length claim more bytes than the file holds */
    pbw bad = { malloc(b.n), b.n, b.n };
    memcpy(bad.b, b.b, b.n);
    assert_int_equal(bad.b[2], 0x12); /* field 2, length-delimited */
    bad.b[3] = 0x7f;
    bad.n = 20;
    expect_load_error(&bad, SIGMIX_EFORMAT, "truncated or malformed protobuf (ModelProto)");
    /* a varint that never ends */
    memset(bad.b, 0xff, 16);
    bad.n = 16;
    expect_load_error(&bad, SIGMIX_EFORMAT, "truncated or malformed protobuf");
    free(bad.b);
    pbw empty = { NULL, 0, 0 };
    expect_load_error(&empty, SIGMIX_EFORMAT, "no graph");
    free(b.b);
}

static void test_bad_tensor_sizes(void **state)
{
    (void)state;
    onnx_model m = mu_start(17);
    pbw t = { 0 };
    pbw_int(&t, 1, 2);
    pbw_int(&t, 1, 2);
    pbw_int(&t, 2, 1);
    pbw_str(&t, 8, "w");
    pbw_bytes(&t, 9, "\0\0\0\0\0\0\0\0", 8); /* 2 floats for a 2x2 shape */
    pbw_msg(&m.graph, 5, &t);
    pbw n = onnx_node("Relu", "r", IN1, 1, "output");
    onnx_add_node(&m, &n);
    pbw b = onnx_finish(&m, SYM4, SYM4);
    expect_load_error(&b, SIGMIX_EFORMAT, "raw_data holds 8 bytes, its shape needs 16");
    free(b.b);
}

static void test_threads_agree_and_info(void **state)
{
    (void)state;
    pbw b = unet_model();
    float x[2 * 33 * 29];
    for (int k = 0; k < 33 * 29; k++)
        x[k] = cosf((float)k * 0.11f);
    float *y1 = NULL, *y2 = NULL;
    int64_t o1[4], o2[4];
    sigmix_error e;
    assert_int_equal(mu_run(&b, 1, 1, x, (int64_t[]){ 1, 1, 33, 29 }, &y1, o1, &e), 0);
    assert_int_equal(mu_run(&b, 1, 2, x, (int64_t[]){ 1, 1, 33, 29 }, &y2, o2, &e), 0);
    for (int k = 0; k < 2 * 33 * 29; k++)
        assert_true(fabsf(y1[k] - y2[k]) <= 1e-6f);
    free(y1);
    free(y2);
    /* wrong channel count against a fixed input dim */
    assert_int_equal(mu_run(&b, 1, 1, x, (int64_t[]){ 1, 2, 8, 8 }, &y1, o1, &e), SIGMIX_EINVAL);
    assert_non_null(strstr(e.message, "input channel is 2, the model expects 1"));

    sigmix_onnx_model *m;
    assert_int_equal(mu_load(&b, 1, 1, &m, &e), 0);
    sigmix_onnx_io io;
    assert_int_equal(sigmix_onnx_io_info(m, 0, 0, &io), 0);
    assert_string_equal(io.name, "input");
    assert_int_equal(io.ndim, 4);
    assert_int_equal(io.dims[1], 1);
    assert_string_equal(io.dim_names[2], "H");
    assert_int_equal(sigmix_onnx_io_info(m, 0, 1, &io), SIGMIX_ENOTFOUND);
    assert_int_equal(sigmix_onnx_io_info(m, 1, 0, &io), 0);
    assert_string_equal(io.name, "output");
    const char *op;
    int count;
    assert_int_equal(sigmix_onnx_op_info(m, 1, &op, &count), 0);
    assert_string_equal(op, "MaxPool");
    assert_int_equal(count, 2);
    assert_int_equal(sigmix_onnx_op_info(m, 4, &op, &count), SIGMIX_ENOTFOUND);
    assert_int_equal(sigmix_onnx_weight_count(m), 4 + 18);
    sigmix_onnx_free(&m);
    free(b.b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unsupported_op_named),
        cmocka_unit_test(test_unsupported_attribute_values),
        cmocka_unit_test(test_padding_policy),
        cmocka_unit_test(test_concat_mismatch_message),
        cmocka_unit_test(test_truncated_and_bad_lengths),
        cmocka_unit_test(test_bad_tensor_sizes),
        cmocka_unit_test(test_threads_agree_and_info),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
