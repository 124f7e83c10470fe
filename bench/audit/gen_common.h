/*
 * Deterministic synthetic feature table for the audit benchmark: ~100
 * VMAF-style numeric columns with pooled _mean/_p10/_p90/_std variants, a
 * few string and metadata columns, NaN-heavy and flat columns and a `mos`
 * target, all driven by a hidden per-row quality. Shared by the file
 * generator and the in-memory statistics benchmark.
 */
#ifndef SIGMIX_BENCH_GEN_COMMON_H
#define SIGMIX_BENCH_GEN_COMMON_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>

/* Base features; each gets _mean, _p10, _p90 and _std columns. */
static const char *const gen_bases[] = {
    "adm2", "adm_scale0", "adm_scale1", "adm_scale2", "adm_scale3", "vif_scale0", "vif_scale1",
    "vif_scale2", "vif_scale3", "motion2", "psnr_y", "psnr_cb", "psnr_cr", "float_ssim",
    "float_ms_ssim", "cambi", "ciede2000", "lpips", "dists", "ssimulacra2", "saliency",
    "brisque", "niqe", "noise_sigma",
};
enum { GEN_NBASE = sizeof gen_bases / sizeof *gen_bases, GEN_NPOOL = 4 };
static const char *const gen_pools[GEN_NPOOL] = { "_mean", "_p10", "_p90", "_std" };

/* Extra numeric columns after the pooled ones. */
static const char *const gen_extra[] = {
    "crf", "bitrate_kbps", "width", "height", "framerate", "duration_s",
    "hdr_flag",       /* flat */
    "bitdepth",       /* flat */
    "lpips_partial",  /* NaN-heavy (70 % null) */
    "musiq",          /* NaN-heavy (90 % null) */
    "clip_id",        /* metadata (id$) */
    "mos",            /* target */
};
enum { GEN_NEXTRA = sizeof gen_extra / sizeof *gen_extra,
       GEN_NNUM = GEN_NBASE * GEN_NPOOL + GEN_NEXTRA };

/* String columns, written first. */
static const char *const gen_strings[] = { "src", "src_sha256", "split", "codec", "preset" };
enum { GEN_NSTR = sizeof gen_strings / sizeof *gen_strings };

typedef struct gen_rng {
    uint64_t s;
} gen_rng;

static inline double gen_u(gen_rng *r)
{
    r->s = r->s * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(r->s >> 11) / 9007199254740992.0;
}

static inline double gen_n(gen_rng *r) /* approximately normal(0, 1) */
{
    return (gen_u(r) + gen_u(r) + gen_u(r) + gen_u(r) - 2.0) * 1.7320508075688772;
}

static inline void gen_name(size_t k, char *buf, size_t n)
{
    if (k < GEN_NBASE * GEN_NPOOL)
        snprintf(buf, n, "%s%s", gen_bases[k / GEN_NPOOL], gen_pools[k % GEN_NPOOL]);
    else
        snprintf(buf, n, "%s", gen_extra[k - GEN_NBASE * GEN_NPOOL]);
}

/*
 * Row `row`: numeric values in num[GEN_NNUM] (NaN = null) and string values
 * in str[GEN_NSTR] (each buffer 64 bytes). Depends only on row.
 */
static inline void gen_row(uint64_t row, double *num, char str[][64])
{
    static const char *const codecs[] = { "libx264", "libx265", "libsvtav1", "h264_nvenc" };
    static const char *const presets[] = { "slow", "medium", "fast", "p4" };
    gen_rng r = { row * 0x9E3779B97F4A7C15ull + 12345 };
    double q = gen_u(&r), c = gen_u(&r);
    for (size_t b = 0; b < GEN_NBASE; b++) {
        double w = 0.3 + 0.7 * (double)((b * 37) % 11) / 10.0; /* how much q drives it */
        double sign = (b == 15 || b == 16 || b == 17 || b == 18 || b >= 21) ? -1.0 : 1.0;
        double mean = 0.5 + sign * 0.4 * (w * q + (1 - w) * c) + 0.05 * gen_n(&r);
        double spread = 0.02 + 0.05 * c + 0.01 * gen_u(&r);
        double *o = num + b * GEN_NPOOL;
        o[0] = mean * (1.0 + (double)b);
        o[1] = (mean - 1.3 * spread) * (1.0 + (double)b);
        o[2] = (mean + 1.2 * spread + 0.01 * gen_n(&r)) * (1.0 + (double)b);
        o[3] = spread * (1.0 + (double)b);
    }
    double *x = num + GEN_NBASE * GEN_NPOOL;
    int crf = 18 + (int)(r.s >> 40) % 24;
    x[0] = crf;
    x[1] = 300.0 + 8000.0 * exp(-crf / 12.0) * (0.5 + c);
    x[2] = 1920;
    x[3] = 1080;
    x[4] = (double)(24 + 6 * (int)(row % 4));
    x[5] = 5.0 + 20.0 * gen_u(&r);
    x[6] = 0.0;
    x[7] = 8.0;
    x[8] = gen_u(&r) < 0.7 ? NAN : 0.5 * (1.0 - q) + 0.05 * gen_n(&r);
    x[9] = gen_u(&r) < 0.9 ? NAN : 30.0 + 45.0 * q + 4.0 * gen_n(&r);
    x[10] = (double)row;
    x[11] = 1.0 + 4.0 * q + 0.3 * gen_n(&r);
    snprintf(str[0], 64, "clips/clip_%06llu.mp4", (unsigned long long)(row / 8));
    snprintf(str[1], 64, "%016llx%016llx", (unsigned long long)(r.s ^ row),
             (unsigned long long)(r.s * 31));
    snprintf(str[2], 64, "%s", row % 10 < 8 ? "train" : row % 10 < 9 ? "val" : "test");
    snprintf(str[3], 64, "%s", codecs[row % 4]);
    snprintf(str[4], 64, "%s", presets[(row / 4) % 4]);
}

#endif
