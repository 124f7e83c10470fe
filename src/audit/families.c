/*
 * The built-in signal families: the one place that says what each family
 * is, which column names belong to it (case-insensitive regex search) and
 * what to do when it is missing or weak. Order is report order; a column's
 * primary family is the first that matches.
 */
#include <stddef.h>

#include "audit/families.h"

#define L(...) (const char *const[]){ __VA_ARGS__, NULL }
#define POOL "(_(mean|p10|p90|std))?$"

static const sigmix_audit_family builtin[] = {
    { "canonical_fr", "FR detail and motion baseline",
      "How much reference detail and motion fidelity survives, on the VMAF core features?",
      L("^adm2" POOL, "^adm_scale[0-3]" POOL, "^vif_scale[0-3]" POOL, "^motion[23]?" POOL, "vmaf"),
      L("Netflix HDR VMAF", "VMAF NEG"),
      "Keep these as the reference point and judge new metrics by what they add on top." },
    { "error_energy", "Error energy and HVS-weighted PSNR",
      "How much raw or perceptually weighted pixel error does the encode introduce?",
      L("psnr", "mse", "rmse", "error_energy"),
      L("WS-PSNR", "xPSNR"),
      "Add a PSNR-family column: it is cheap, easy to explain and exposes redundancy in richer metrics." },
    { "structural_similarity", "Local structural similarity",
      "Does the encode keep local luminance, contrast and structure intact?",
      L("(^|_)ssim($|_)", "ms_ssim", "msssim", "iw_ssim"),
      L("IW-SSIM", "FSIM", "GMSD"),
      "Add an SSIM variant and check it against texture metrics, since SSIM alone saturates on good encodes." },
    { "texture_deep_perceptual", "Texture and deep perceptual similarity",
      "Can the features tell lost or invented texture apart from faithful detail?",
      L("ssimulacra2", "lpips", "dists", "deep", "texture", "vgg"),
      L("DISTS", "LPIPS", "PieAPP", "ST-LPIPS"),
      "Wire a learned perceptual metric next; it is where gains remain once the VMAF core plateaus." },
    { "color_chroma", "Color and chroma fidelity",
      "Are chroma shifts, colour-difference errors and subsampling losses measured?",
      L("ciede", "deltae", "chroma", "_cb$", "_cr$", "color", "primaries"),
      L("CIEDE2000", "HDR-VDP color terms", "ICtCp delta"),
      "Add a colour-difference column, ideally next to HDR metadata, because luma-driven models hide chroma damage." },
    { "banding_tone_mapping", "Banding and tone-mapping artifacts",
      "Are banding, contouring, PQ/HLG tone-mapping errors and clipping visible to the model?",
      L("cambi", "band", "pq", "hlg", "tone", "transfer", "maxcll", "maxfall", "clip"),
      L("HDR-VDP-3", "PU-PSNR", "PU-SSIM", "VMAF HDR"),
      "Treat this gap as blocking for HDR work even when SDR scores look good; add a banding metric such as CAMBI." },
    { "temporal_flicker", "Temporal instability, flicker, and scene structure",
      "Does the table capture motion, flicker, exposure swings, cuts and how frames were pooled?",
      L("motion", "speed_temporal", "flicker", "exposure", "shot", "transnet", "scene",
        "_p10$", "_p90$", "_std$"),
      L("ST-RRED", "SpEED-QA", "FovVideoVDP temporal terms"),
      "Add per-scene or percentile pooling; a good clip average can mask short temporal failures." },
    { "saliency_roi", "Saliency and ROI weighting",
      "Does the table know where viewers are likely to look?",
      L("saliency", "mobilesal", "u2net", "roi", "attention", "mask"),
      L("U2NetP", "MobileSal", "VMAF ROI sidecars", "SAM-derived ROI"),
      "Add saliency features (sigmix saliency) so quality and bit allocation can favour watched regions." },
    { "hdr_display_panel", "HDR display and panel context",
      "Are bit depth, transfer function, luminance, mastering data and panel limits recorded?",
      L("hdr", "bitdepth", "pix_fmt", "eotf", "bt2020", "bt2100", "luminance", "nit", "panel",
        "display", "mastering", "peak"),
      L("panel calibration metadata", "HDR10+ metadata", "Dolby Vision metadata"),
      "Record display and mastering metadata before giving HDR advice; subjective scores alone do not describe the panel." },
    { "source_geometry_content", "Source geometry and content metadata",
      "Are resolution, duration, frame rate, orientation and content class known?",
      L("(^|_)width$", "(^|_)height$", "resolution", "duration", "framerate", "frame_count",
        "orientation", "category", "content"),
      L("SI/TI complexity", "content-class labels", "camera/device metadata"),
      "Add geometry and content columns as conditioning inputs, not as quality evidence." },
    { "codec_encoder", "Codec, rate-control, and hardware context",
      "Is it known which encoder, settings and operating point produced each artifact?",
      L("codec", "encoder", "preset", "tune", "crf", "qp", "bitrate", "rc_mode", "qsv", "nvenc",
        "amf", "svt", "x26[45]"),
      L("encoder delay/B-frame structure", "AQ/psy knobs", "VBV pressure"),
      "Add numeric encoder settings, kept apart from perceptual columns, so codec-specific effects can be explained." },
    { "no_reference_ugc", "No-reference UGC and subjective MOS context",
      "Can the table judge quality without a pristine reference, as viewers rate it?",
      L("mos", "dmos", "n_ratings", "std_dev", "ugc", "content", "category", "orientation",
        "brisque", "niqe", "piqe", "nima", "second_opinion", "dover", "q[_-]?align",
        "fast[_-]?vqa", "musiq", "clip[_-]?iqa", "maniqa"),
      L("DOVER", "Q-Align", "FAST-VQA", "MUSIQ", "CLIP-IQA", "MANIQA", "NIQE"),
      "Add a no-reference model as an independent check on FR metrics and a link to viewer scores." },
    { "noise_grain_blur", "Noise, grain, blur, and sharpening",
      "Can the features separate intended film grain from noise, blur or oversharpening?",
      L("noise", "grain", "blur", "sharp", "edge", "laplacian", "denoise"),
      L("VMAF NEG", "VIDEVAL noise features", "BRISQUE naturalness"),
      "Add explicit noise and sharpness columns before touching grain-synthesis or denoise defaults." },
};

static const char *const target_candidates[] = {
    "vmaf", "vmaf_score", "mos_raw_0_100", "mos", "dmos", "score", NULL,
};

const sigmix_audit_family *sigmix_audit_builtin_families(size_t *n)
{
    if (n)
        *n = sizeof builtin / sizeof *builtin;
    return builtin;
}

const char *const *sigmix_audit_target_candidates(void)
{
    return target_candidates;
}
