/*
 * Benchmark input: a feature table as JSON Lines (like Python's json
 * writes it), ROWS rows x ~110 columns: ~100 pooled metric columns with
 * 17-digit doubles, a NaN-heavy family, integer and string columns.
 *   gen_jsonl ROWS OUT.jsonl
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t state = 88172645463325252ull;

static double uniform(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return (double)(state >> 11) / 9007199254740992.0;
}

int main(int argc, char **argv)
{
    static const char *base[] = { "vmaf", "adm2", "vif_scale0", "vif_scale1", "vif_scale2",
        "vif_scale3", "motion2", "psnr_y", "psnr_cb", "psnr_cr", "ssim", "ms_ssim", "ciede2000",
        "cambi", "lpips", "dists", "brisque", "niqe", "saliency_mean_roi", "noise_sigma", "blur",
        "sharpness", "edge_density", "flicker", "exposure" };
    static const char *pool[] = { "_mean", "_p10", "_p90", "_std" };
    static const char *codecs[] = { "x264", "x265", "svt-av1" };
    if (argc != 3) {
        fprintf(stderr, "usage: gen_jsonl ROWS OUT.jsonl\n");
        return 2;
    }
    long rows = atol(argv[1]);
    FILE *f = fopen(argv[2], "w");
    if (!f)
        return 2;
    for (long r = 0; r < rows; r++) {
        fprintf(f, "{\"src\": \"clip_%06ld.mp4\", \"frame\": %ld, \"codec\": \"%s\", \"crf\": %d, "
                   "\"width\": 1920, \"height\": 1080, \"hdr_flag\": 0, \"mos\": %.17g",
                r / 10, r, codecs[r % 3], 18 + (int)(uniform() * 23), uniform() * 100);
        for (int b = 0; b < 25; b++)
            for (int p = 0; p < 4; p++) {
                double v = uniform() * 100;
                if (b == 13 && uniform() < 0.6) /* cambi: NaN-heavy */
                    fprintf(f, ", \"%s%s\": NaN", base[b], pool[p]);
                else
                    fprintf(f, ", \"%s%s\": %.17g", base[b], pool[p], v);
            }
        fprintf(f, ", \"split\": \"train\", \"bitrate_kbps\": %d}\n", 100 + (int)(uniform() * 19900));
    }
    return fclose(f) ? 2 : 0;
}
