/*
 * Families: every built-in pattern with a name it must match and one it
 * must not, the metadata rule, and families files (valid and each error).
 */
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "audit/families.h"
#include "audit/famjson.h"

/* For each family, per pattern in order: a name it matches, one it must not. */
typedef struct sample {
    const char *family;
    const char *yes[20];
    const char *no[20];
} sample;

static const sample samples[] = {
    { "canonical_fr",
      { "adm2_P10", "ADM_SCALE3_std", "vif_scale0", "motion3_mean", "Vmaf_neg" },
      { "adm2_p50", "adm_scale4", "vif_scale0_p5", "motion4", "vma_f" } },
    { "error_energy", { "PSNR_y", "mse_u", "frame_rmse", "error_energy_db" },
      { "pnsr", "msx", "rms", "error-energy" } },
    { "structural_similarity", { "float_ssim", "float_ms_ssim", "MSSSIM", "iw_ssim_y" },
      { "ssimulacra", "ms-ssim", "ms_sim", "iwssim" } },
    { "texture_deep_perceptual",
      { "ssimulacra2", "lpips_alex", "dists_score", "deep_feat", "texture_loss", "vgg16" },
      { "ssimulacra1", "lpip", "dist", "dee", "textur", "vg" } },
    { "color_chroma",
      { "ciede2000", "deltaE_itp", "chroma_psnr", "psnr_cb", "psnr_cr", "colorfulness",
        "primaries_code" },
      { "cied", "delta_e", "chrome", "cb_psnr", "crf_x", "colour", "primary" } },
    { "banding_tone_mapping",
      { "cambi_max", "banding", "pq_flag", "HLG", "tonemap", "transfer_fn", "maxcll", "maxfall",
        "clip_ratio" },
      { "camb", "bnd", "p_q", "hl_g", "ton", "transf", "max_cll", "max_fall", "cli" } },
    { "temporal_flicker",
      { "motion_avg", "speed_temporal", "flicker", "exposure_var", "shot_count", "transnet_p",
        "scene_cuts", "vif_p10", "x_p90", "adm2_std" },
      { "motio", "speed_spatial", "flick", "expo", "sho", "transne", "scen", "p10_x", "p90x",
        "std_x" } },
    { "saliency_roi",
      { "saliency_mean", "mobilesal_v1", "u2net_p", "roi_weight", "attention", "mask_area" },
      { "salience", "mobile_sal", "u2_net", "r_o_i", "attend", "mas" } },
    { "hdr_display_panel",
      { "is_hdr", "bitdepth", "pix_fmt", "eotf", "bt2020", "bt2100_pq", "luminance", "max_nits",
        "panel_type", "display_gamma", "mastering_lum", "peak_white" },
      { "hd_r", "bit_depth", "pixfmt", "eot", "bt709", "bt210", "lumin", "ni_t", "pane",
        "displ", "master", "pea" } },
    { "source_geometry_content",
      { "width", "src_height", "resolution", "duration_s", "framerate", "frame_count",
        "orientation", "category", "content_class" },
      { "width_px", "heightx", "res", "durat", "frame_rate", "framecount", "orient", "categ",
        "conten" } },
    { "codec_encoder",
      { "codec", "encoder_name", "preset", "tune", "crf", "qp_avg", "bitrate_kbps", "rc_mode",
        "qsv", "h264_nvenc", "hevc_amf", "svt_av1", "libx265" },
      { "code", "encode", "prese", "tun", "cr_f", "q_p", "bit_rate", "rcmode", "qs", "nven",
        "am", "sv", "x266" } },
    { "no_reference_ugc",
      { "mos", "dmos", "n_ratings", "std_dev", "ugc_id", "content", "category", "orientation",
        "brisque", "niqe", "piqe", "nima", "second_opinion", "dover", "q-align", "fastvqa",
        "musiq", "clip_iqa", "maniqa" },
      { "mo", "dmo", "nratings", "stddev", "ug", "conten", "categ", "orient", "brisq", "niq",
        "piq", "nim", "secondopinion", "dove", "q__align", "fast__vqa", "musi", "clip__iqa",
        "maniq" } },
    { "noise_grain_blur",
      { "noise_sigma", "film_grain", "blur", "sharpness", "edge_density", "laplacian_var",
        "denoise_strength" },
      { "nois", "grai", "blu", "shar", "edg", "laplace", "denois" } },
};

static int pattern_matches(const char *pattern, const char *name)
{
    regex_t re;
    assert_int_equal(sigmix_family_compile(&re, pattern, NULL), 0);
    int m = regexec(&re, name, 0, NULL, 0) == 0;
    regfree(&re);
    return m;
}

static void test_every_builtin_pattern(void **state)
{
    (void)state;
    size_t n;
    const sigmix_audit_family *fam = sigmix_audit_builtin_families(&n);
    assert_int_equal(n, sizeof samples / sizeof *samples);
    sigmix_family_set set;
    assert_int_equal(sigmix_family_set_builtin(&set, NULL), 0);
    for (size_t f = 0; f < n; f++) {
        assert_string_equal(fam[f].key, samples[f].family);
        assert_non_null(fam[f].label);
        assert_true(strlen(fam[f].question) > 10 && strlen(fam[f].recommendation) > 10);
        for (size_t k = 0; fam[f].patterns[k]; k++) {
            const char *yes = samples[f].yes[k], *no = samples[f].no[k];
            if (!yes || !no)
                fail_msg("%s: no sample for pattern %zu", fam[f].key, k);
            if (!pattern_matches(fam[f].patterns[k], yes))
                fail_msg("%s pattern '%s' should match '%s'", fam[f].key, fam[f].patterns[k], yes);
            if (pattern_matches(fam[f].patterns[k], no))
                fail_msg("%s pattern '%s' should not match '%s'", fam[f].key, fam[f].patterns[k], no);
            assert_true(sigmix_family_matches(&set, f, yes));
        }
    }
    sigmix_family_set_free(&set);
}

static void load_ok(const char *json, sigmix_family_set *s)
{
    sigmix_error err = { 0, "" };
    int r = sigmix_family_set_parse(s, json, strlen(json), &err);
    if (r)
        fail_msg("families file rejected: %s", err.message);
}

static void test_families_file_replace_and_extend(void **state)
{
    (void)state;
    sigmix_family_set s;
    load_ok("[{\"key\": \"tex\", \"label\": \"Textures\", \"patterns\": [\"^tex_\", \"grain\"],"
            " \"candidate_metrics\": [\"A\", \"B\"], \"question\": \"q?\","
            " \"recommendation\": \"do \\u00e9 \\ud83d\\ude00\"}]", &s);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.fam[0].key, "tex");
    assert_string_equal(s.fam[0].recommendation, "do \xc3\xa9 \xf0\x9f\x98\x80");
    assert_string_equal(s.fam[0].candidate_metrics[1], "B");
    assert_null(s.fam[0].candidate_metrics[2]);
    assert_true(sigmix_family_matches(&s, 0, "TEX_x"));
    assert_true(sigmix_family_matches(&s, 0, "film_grain"));
    assert_false(sigmix_family_matches(&s, 0, "x_tex_"));
    sigmix_family_set_free(&s);

    size_t nb;
    sigmix_audit_builtin_families(&nb);
    load_ok("{\"mode\": \"extend\", \"families\": ["
            "{\"key\": \"error_energy\", \"label\": \"Errors\", \"patterns\": [\"^err$\"]},"
            "{\"key\": \"new_one\", \"label\": \"New\", \"patterns\": [\"novel\"]}]}", &s);
    assert_int_equal(s.n, nb + 1);
    assert_string_equal(s.fam[1].label, "Errors"); /* replaced in place */
    assert_string_equal(s.fam[1].question, "");
    assert_false(sigmix_family_matches(&s, 1, "psnr"));
    assert_string_equal(s.fam[nb].key, "new_one");
    assert_string_equal(s.fam[0].key, "canonical_fr");
    sigmix_family_set_free(&s);

    load_ok("{\"families\": [{\"key\": \"a\", \"label\": \"A\", \"patterns\": [\"x{2,3}\"]}]}", &s);
    assert_int_equal(s.n, 1); /* default mode: replace */
    sigmix_family_set_free(&s);
}

typedef struct bad_case {
    const char *json;
    const char *message; /* expected substring */
} bad_case;

static void test_families_file_errors(void **state)
{
    (void)state;
    static char deep[200];
    memset(deep, '[', sizeof deep - 1);
    static const bad_case cases[] = {
        { "", "unexpected end of input (line 1, byte 0)" },
        { "[", "unexpected end of input" },
        { "{\"families\": 3}", "\"families\" must be a list" },
        { "\"x\"", "must hold a list of families" },
        { "[]", "families list is empty" },
        { "{\"mode\": \"merge\", \"families\": []}", "\"mode\" must be" },
        { "{\"famlies\": []}", "unknown top-level field" },
        { "[{\"key\": \"a\", \"label\": \"A\"}]", "family 1: 'patterns' must list at least one" },
        { "[{\"label\": \"A\", \"patterns\": [\"x\"]}]", "family 1: missing field 'key'" },
        { "[{\"key\": \"a b\", \"label\": \"A\", \"patterns\": [\"x\"]}]", "'key' must be" },
        { "[{\"key\": \"a\", \"label\": \"A\", \"patterns\": [\"x\"], \"colour\": 1}]", "unknown field" },
        { "[{\"key\": \"a\", \"label\": 5, \"patterns\": [\"x\"]}]", "'label' must be a string" },
        { "[{\"key\": \"a\", \"label\": \"A\", \"patterns\": [7]}]", "'patterns' item 1 must be a string" },
        { "[{\"key\": \"a\", \"label\": \"A\", \"patterns\": [\"x\"]},"
          " {\"key\": \"a\", \"label\": \"B\", \"patterns\": [\"y\"]}]", "family 2: duplicate key" },
        { "[{\"key\": \"a\", \"label\": \"A\", \"patterns\": [\"(x\"]}]", "family 'a' pattern 1: bad pattern" },
        { "[{\"key\": \"a\", \"label\": \"A\", \"patterns\": [\"((a{32}){32}){32}\"]}]", "pattern too complex" },
        { "[{\"key\": \"a\", \"label\": \"A\", \"patterns\": [\"a{99}\"]}]", "repetition bound above 32" },
        { "[{\"key\": \"a\", \"label\": \"A\", \"patterns\": [\"e+++++++++++++\"]}]",
          "pattern 'e+++++++++++++' too complex (stacked repetition operators)" },
        { "[{\"key\": \"a\", \"label\": \"A\", \"patterns\": [\"\"]}]", "empty pattern" },
        { "[{\"key\": \"a\", \"label\": \"\xff\", \"patterns\": [\"x\"]}]", "invalid UTF-8" },
        { "[{\"key\": \"a\", \"label\": \"\\u0000\", \"patterns\": [\"x\"]}]", "NUL character" },
        { "[{\"key\": \"a\", \"label\": \"\\ud800\", \"patterns\": [\"x\"]}]", "lone high surrogate" },
        { "[{\"key\": \"a\",\n \"label\": \"unterminated]", "unterminated string (line 2" },
        { "[1, 2,]", "unexpected character" },
        { "[1] x", "trailing characters" },
        { "[01]", "expected ',' or a closing bracket" },
        { deep, "nesting too deep" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        sigmix_family_set s;
        sigmix_error err = { 0, "" };
        int r = sigmix_family_set_parse(&s, cases[i].json, strlen(cases[i].json), &err);
        if (r == 0)
            fail_msg("case %zu accepted: %s", i, cases[i].json);
        if (!strstr(err.message, cases[i].message))
            fail_msg("case %zu: message '%s' lacks '%s'", i, err.message, cases[i].message);
        assert_int_equal(r, err.code);
    }
}

static void test_families_file_io(void **state)
{
    (void)state;
    sigmix_family_set s;
    sigmix_error err = { 0, "" };
    assert_int_equal(sigmix_family_set_load(&s, "/nonexistent/families.json", &err), SIGMIX_EIO);
    assert_non_null(strstr(err.message, "cannot open families file"));
}

/* Python's re.search: '$' also matches just before a final '\n'. */
static void test_dollar_before_final_newline(void **state)
{
    (void)state;
    sigmix_family_set s;
    sigmix_error err = { 0, "" };
    assert_int_equal(sigmix_family_set_builtin(&s, &err), 0);
    /* canonical_fr is family 0: "^adm2(_(mean|p10|p90|std))?$" */
    assert_true(sigmix_family_matches(&s, 0, "adm2\n"));
    assert_true(sigmix_family_matches(&s, 0, "adm2_mean\n"));
    assert_false(sigmix_family_matches(&s, 0, "adm2\n\n")); /* only before the last one */
    assert_false(sigmix_family_matches(&s, 0, "adm2x\n"));
    sigmix_family_set_free(&s);
    regex_t re;
    assert_int_equal(sigmix_family_compile(&re, "id$", &err), 0);
    assert_true(sigmix_regex_search(&re, "clip_id\n"));
    assert_true(sigmix_regex_search(&re, "clip_id"));
    assert_false(sigmix_regex_search(&re, "clip_id\nx"));
    assert_false(sigmix_regex_search(&re, "\n"));
    assert_false(sigmix_regex_search(&re, ""));
    regfree(&re);
}

/* Keys are compared after unescaping: "\u006dode" is "mode". */
static void test_escaped_keys(void **state)
{
    (void)state;
    sigmix_family_set s;
    size_t nb;
    sigmix_audit_builtin_families(&nb);
    load_ok("{\"\\u006dode\": \"extend\", \"fam\\u0069lies\": [{\"\\u006bey\": \"x\\u0079\","
            " \"l\\u0061bel\": \"L\", \"patt\\u0065rns\": [\"^xy$\"]}]}", &s);
    assert_int_equal(s.n, nb + 1);
    assert_string_equal(s.fam[nb].key, "xy");
    assert_true(sigmix_family_matches(&s, nb, "XY"));
    sigmix_family_set_free(&s);
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Patterns that took regcomp tens of seconds and gigabytes are refused at once. */
static void test_regex_blowup_refused_fast(void **state)
{
    (void)state;
    static const char *const files[] = {
        "[{\"key\": \"a\", \"label\": \"A\", \"patterns\": [\"aee[ee]ee*++++++++++++\"]}]",
        ("[{\"key\": \"a\", \"label\": \"A\", \"patterns\": [\"aee[ee]ee*++++++++++++\","
         " \"aee[ee]ee*++++++++++++\"]}]"),
        "[{\"key\": \"a\", \"label\": \"A\", \"patterns\": [\"(((e*)+)+)+\"]}]",
        "[{\"key\": \"a\", \"label\": \"A\", \"patterns\": [\"x*?+\"]}]",
        "[{\"key\": \"a\", \"label\": \"A\", \"patterns\": [\"a{2}{3}\"]}]",
        "[{\"key\": \"a\", \"label\": \"A\", \"patterns\": [\"((((e*))+)+)+\"]}]",
    };
    static const char *const why[] = {
        "family 'a' pattern 1: pattern 'aee[ee]ee*++++++++++++' too complex (stacked repetition operators)",
        "family 'a' pattern 1: pattern 'aee[ee]ee*++++++++++++' too complex",
        "pattern '(((e*)+)+)+' too complex (repetitions nested more than 3 deep)",
        "stacked repetition operators",
        "stacked repetition operators",
        "repetitions nested more than 3 deep",
    };
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        sigmix_family_set s;
        sigmix_error err = { 0, "" };
        double t0 = now_s();
        int r = sigmix_family_set_parse(&s, files[i], strlen(files[i]), &err);
        double dt = now_s() - t0;
        assert_int_equal(r, SIGMIX_EFORMAT);
        if (!strstr(err.message, why[i]))
            fail_msg("case %zu: '%s' lacks '%s'", i, err.message, why[i]);
        if (dt > 0.2)
            fail_msg("case %zu: took %.3f s", i, dt);
    }
    /* Still accepted: a lazy-looking '?', bounded nesting, ordinary patterns. */
    static const char *const fine[] = { "a.*?b", "((a+)+)+", "(_(mean|p10)){0,2}$", "x+?" };
    for (size_t i = 0; i < sizeof fine / sizeof *fine; i++) {
        regex_t re;
        sigmix_error err = { 0, "" };
        double t0 = now_s();
        if (sigmix_family_compile(&re, fine[i], &err))
            fail_msg("'%s' refused: %s", fine[i], err.message);
        assert_true(now_s() - t0 < 0.2);
        regfree(&re);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_builtin_pattern),
        cmocka_unit_test(test_dollar_before_final_newline),
        cmocka_unit_test(test_escaped_keys),
        cmocka_unit_test(test_regex_blowup_refused_fast),
        cmocka_unit_test(test_families_file_replace_and_extend),
        cmocka_unit_test(test_families_file_errors),
        cmocka_unit_test(test_families_file_io),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
