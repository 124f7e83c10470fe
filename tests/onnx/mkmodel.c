/*
 * onnx_mkmodel DIR: write the tiny models the CLI tests use (and that seed
 * the fuzz corpus), with an input tensor and its expected output where the
 * result is exact:
 *   affine.onnx      Conv 1x1 (w=2, b=1): y = 2x + 1, any size
 *   affine_in.f32    1x1x3x5 input, affine_want.f32 its exact output
 *   unet.onnx        Conv, 2x MaxPool, 2x Resize, skip Add (multiple 4)
 *   mixed.onnx       BatchNormalization, Clip, AveragePool, ConvTranspose, LeakyRelu
 *   mixed_in.f32     1x3x9x11 input for it
 *   bad_op.onnx      a node with an unsupported operator
 *   bomb.onnx        fixed 1x3x8x8 input, Resize x2048 ('Resize_3'): 3 GiB of output
 *                    (6 GiB planned with the returned copy), refused at load
 *   grow.onnx        Resize x64 (nearest), any size: 3 MiB at 1x3x8x8
 */
#include "pbwriter.h"

static const int64_t SYM4[4] = { -1, -1, -1, -1 };

static int save(const char *dir, const char *name, const void *p, size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, 1, n, f) != n || fclose(f)) {
        fprintf(stderr, "onnx_mkmodel: cannot write %s\n", path);
        return 1;
    }
    return 0;
}

static int save_model(const char *dir, const char *name, onnx_model *m, const int64_t *in_dims,
                      const int64_t *out_dims)
{
    pbw b = onnx_finish(m, in_dims, out_dims);
    int rc = save(dir, name, b.b, b.n);
    free(b.b);
    return rc;
}

static int save_f32(const char *dir, const char *name, const float *v, size_t n)
{
    unsigned char *b = malloc(n * 4 + 1);
    for (size_t k = 0; k < n; k++) {
        uint32_t u;
        memcpy(&u, &v[k], 4);
        for (int i = 0; i < 4; i++)
            b[4 * k + i] = (unsigned char)(u >> (8 * i));
    }
    int rc = save(dir, name, b, n * 4);
    free(b);
    return rc;
}

static int affine(const char *dir)
{
    onnx_model m = { { 0 }, 17 };
    onnx_add_init(&m, "w", (int64_t[]){ 1, 1, 1, 1 }, 4, (float[]){ 2 }, NULL);
    onnx_add_init(&m, "b", (int64_t[]){ 1 }, 1, (float[]){ 1 }, NULL);
    pbw n = onnx_node("Conv", "affine", (const char *[]){ "input", "w", "b" }, 3, "output");
    onnx_attr_ints(&n, "kernel_shape", (int64_t[]){ 1, 1 }, 2);
    onnx_add_node(&m, &n);
    float x[15], y[15];
    for (int k = 0; k < 15; k++) {
        x[k] = (float)k * 0.5f - 3.0f;
        y[k] = 2.0f * x[k] + 1.0f; /* exact in float32 */
    }
    return save_model(dir, "affine.onnx", &m, (int64_t[]){ 1, 1, -1, -1 },
                      (int64_t[]){ 1, 1, -1, -1 }) ||
           save_f32(dir, "affine_in.f32", x, 15) || save_f32(dir, "affine_want.f32", y, 15);
}

static int unet(const char *dir)
{
    onnx_model m = { { 0 }, 17 };
    onnx_add_init(&m, "s", (int64_t[]){ 4 }, 1, (float[]){ 1, 1, 2, 2 }, NULL);
    float w[18];
    for (int k = 0; k < 18; k++)
        w[k] = (float)((k * 7) % 5) * 0.25f - 0.5f;
    onnx_add_init(&m, "w", (int64_t[]){ 2, 1, 3, 3 }, 4, w, NULL);
    pbw c = onnx_node("Conv", "conv", (const char *[]){ "input", "w" }, 2, "c");
    onnx_attr_ints(&c, "pads", (int64_t[]){ 1, 1, 1, 1 }, 4);
    onnx_add_node(&m, &c);
    pbw r = onnx_node("Relu", "relu", (const char *[]){ "c" }, 1, "cr");
    onnx_add_node(&m, &r);
    pbw p1 = onnx_node("MaxPool", "pool1", (const char *[]){ "cr" }, 1, "p1");
    pbw p2 = onnx_node("MaxPool", "pool2", (const char *[]){ "p1" }, 1, "p2");
    onnx_attr_ints(&p1, "kernel_shape", (int64_t[]){ 2, 2 }, 2);
    onnx_attr_ints(&p1, "strides", (int64_t[]){ 2, 2 }, 2);
    onnx_attr_ints(&p2, "kernel_shape", (int64_t[]){ 2, 2 }, 2);
    onnx_attr_ints(&p2, "strides", (int64_t[]){ 2, 2 }, 2);
    onnx_add_node(&m, &p1);
    onnx_add_node(&m, &p2);
    pbw u1 = onnx_node("Resize", "up1", (const char *[]){ "p2", "", "s" }, 3, "u1");
    pbw u2 = onnx_node("Resize", "up2", (const char *[]){ "u1", "", "s" }, 3, "u2");
    onnx_attr_str(&u1, "mode", "linear");
    onnx_attr_str(&u2, "mode", "nearest");
    onnx_add_node(&m, &u1);
    onnx_add_node(&m, &u2);
    pbw a = onnx_node("Concat", "/Concat", (const char *[]){ "u2", "cr" }, 2, "cat");
    onnx_attr_int(&a, "axis", 1);
    onnx_add_node(&m, &a);
    pbw s = onnx_node("Sigmoid", "sig", (const char *[]){ "cat" }, 1, "output");
    onnx_add_node(&m, &s);
    return save_model(dir, "unet.onnx", &m, (int64_t[]){ 1, 1, -1, -1 },
                      (int64_t[]){ 1, 4, -1, -1 });
}

static int mixed(const char *dir)
{
    onnx_model m = { { 0 }, 13 };
    const float ones[3] = { 1, 1, 1 }, zeros[3] = { 0, 0, 0 };
    onnx_add_init(&m, "bs", (int64_t[]){ 3 }, 1, ones, NULL);
    onnx_add_init(&m, "bb", (int64_t[]){ 3 }, 1, (float[]){ 0.1f, 0.2f, 0.3f }, NULL);
    onnx_add_init(&m, "bm", (int64_t[]){ 3 }, 1, zeros, NULL);
    onnx_add_init(&m, "bv", (int64_t[]){ 3 }, 1, ones, NULL);
    onnx_add_init(&m, "lo", NULL, 0, (float[]){ -0.5f }, NULL);
    float tw[3 * 2 * 2 * 2];
    for (int k = 0; k < 24; k++)
        tw[k] = (float)(k % 3) - 1.0f;
    onnx_add_init(&m, "tw", (int64_t[]){ 3, 2, 2, 2 }, 4, tw, NULL);
    pbw bn = onnx_node("BatchNormalization", "bn",
                       (const char *[]){ "input", "bs", "bb", "bm", "bv" }, 5, "b");
    onnx_add_node(&m, &bn);
    pbw cl = onnx_node("Clip", "clip", (const char *[]){ "b", "lo" }, 2, "cl");
    onnx_add_node(&m, &cl);
    pbw ap = onnx_node("AveragePool", "avg", (const char *[]){ "cl" }, 1, "ap");
    onnx_attr_ints(&ap, "kernel_shape", (int64_t[]){ 3, 3 }, 2);
    onnx_attr_ints(&ap, "strides", (int64_t[]){ 2, 2 }, 2);
    onnx_attr_ints(&ap, "pads", (int64_t[]){ 1, 1, 1, 1 }, 4);
    onnx_add_node(&m, &ap);
    pbw ct = onnx_node("ConvTranspose", "up", (const char *[]){ "ap", "tw" }, 2, "ct");
    onnx_attr_ints(&ct, "strides", (int64_t[]){ 2, 2 }, 2);
    onnx_add_node(&m, &ct);
    pbw lr = onnx_node("LeakyRelu", "leaky", (const char *[]){ "ct" }, 1, "output");
    onnx_add_node(&m, &lr);
    float x[3 * 9 * 11];
    for (int k = 0; k < 3 * 9 * 11; k++)
        x[k] = (float)((k * 37) % 101) / 50.0f - 1.0f;
    return save_model(dir, "mixed.onnx", &m, (int64_t[]){ 1, 3, -1, -1 },
                      (int64_t[]){ 1, 2, -1, -1 }) ||
           save_f32(dir, "mixed_in.f32", x, 3 * 9 * 11);
}

static int bad_op(const char *dir)
{
    onnx_model m = { { 0 }, 17 };
    pbw n = onnx_node("NonMaxSuppression", "mystery", (const char *[]){ "input" }, 1, "output");
    onnx_add_node(&m, &n);
    return save_model(dir, "bad_op.onnx", &m, SYM4, SYM4);
}

static int resize_by(const char *dir, const char *file, float f, const int64_t *in_dims)
{
    onnx_model m = { { 0 }, 17 };
    onnx_add_init(&m, "scales", (int64_t[]){ 4 }, 1, (float[]){ 1, 1, f, f }, NULL);
    pbw n = onnx_node("Resize", "Resize_3", (const char *[]){ "input", "", "scales" }, 3,
                      "output");
    onnx_add_node(&m, &n);
    return save_model(dir, file, &m, in_dims, SYM4);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: onnx_mkmodel DIR\n");
        return 2;
    }
    return affine(argv[1]) || unet(argv[1]) || mixed(argv[1]) || bad_op(argv[1]) ||
                   resize_by(argv[1], "bomb.onnx", 2048, (int64_t[]){ 1, 3, 8, 8 }) ||
                   resize_by(argv[1], "grow.onnx", 64, SYM4)
               ? 1 : 0;
}
