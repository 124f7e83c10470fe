/*
 * onnx_mkinput H W OUT.f32: a deterministic ImageNet-normalised-looking
 * [1,3,H,W] float32 tensor (smooth gradients plus a blob) for benchmarks.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: onnx_mkinput H W OUT.f32\n");
        return 2;
    }
    long h = atol(argv[1]), w = atol(argv[2]);
    if (h < 1 || w < 1 || h > 16384 || w > 16384)
        return 2;
    FILE *f = fopen(argv[3], "wb");
    if (!f)
        return 1;
    static const float mean[3] = { 0.485f, 0.456f, 0.406f }, sd[3] = { 0.229f, 0.224f, 0.225f };
    float *row = malloc(sizeof(float) * (size_t)w);
    for (int c = 0; c < 3 && row; c++)
        for (long y = 0; y < h; y++) {
            for (long x = 0; x < w; x++) {
                double u = (x + 0.5) / w, v = (y + 0.5) / h;
                double r = 0.2 + 0.5 * (c == 0 ? u : c == 1 ? v : 0.5 + 0.5 * sin(6.28 * (u + v)));
                r += 0.6 * exp(-((u - 0.4) * (u - 0.4) + (v - 0.5) * (v - 0.5)) / 0.02);
                r = r > 1 ? 1 : r;
                row[x] = (float)((r - mean[c]) / sd[c]);
            }
            fwrite(row, sizeof(float), (size_t)w, f); /* host order: x86 is little-endian */
        }
    free(row);
    return fclose(f) ? 1 : 0;
}
