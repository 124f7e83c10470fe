/*
 * The regex-free family matcher (src/audit/fastre.c) against glibc's
 * regexec with the flags famset.c compiles with (POSIX ERE, REG_ICASE,
 * search, Python's '$' before a final newline): every built-in pattern
 * must take the fast path and agree on names drawn from its own letters,
 * the example tables' columns and near misses; random patterns of the
 * supported form must agree on random names; patterns outside it must be
 * declined (they stay with regexec).
 */
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "audit/families.h"
#include "audit/fastre.h"

static uint64_t rng = 0x2545f4914f6cdd1du;

static unsigned rnd(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

static int fast(const sigmix_fastre *re, const char *s)
{
    size_t n = strlen(s);
    return sigmix_fastre_search(re, s, n) ||
           (n && s[n - 1] == '\n' && sigmix_fastre_search(re, s, n - 1));
}

static unsigned long compared, differed;

static void compare(const char *pattern, const sigmix_fastre *fr, const regex_t *re,
                    const char *name)
{
    int want = sigmix_regex_search(re, name), got = fast(fr, name);
    compared++;
    if (want != got && differed++ < 10)
        print_error("pattern '%s' name '%s': regexec %d, fast %d\n", pattern, name, want, got);
}

/* Names made of the pattern's own bytes (both cases), '_', digits, '\n'. */
static void random_names(const char *pattern, const sigmix_fastre *fr, const regex_t *re,
                         int count)
{
    char alpha[300], name[40];
    size_t na = 0;
    for (const char *p = pattern; *p && na < 250; p++)
        if (!strchr("()[]|?*+^$", *p)) {
            alpha[na++] = *p;
            if (*p >= 'a' && *p <= 'z')
                alpha[na++] = (char)(*p - 32);
        }
    memcpy(alpha + na, "_x0\n", 4);
    na += 4;
    for (int i = 0; i < count; i++) {
        size_t len = rnd(14);
        for (size_t k = 0; k < len; k++)
            name[k] = alpha[rnd((unsigned)na)];
        name[len] = '\0';
        compare(pattern, fr, re, name);
    }
}

static void test_builtins(void **state)
{
    static const char *const names[] = {
        "", "adm2", "ADM2", "adm2_mean", "adm2_p10\n", "adm2_mean\n\n", "adm2x", "xadm2",
        "adm_scale0", "adm_scale3_std", "adm_scale4", "vif_scale2_p90", "motion", "motion2",
        "motion3_mean", "motion23", "integer_motion2", "vmaf", "vmaf_neg", "psnr_y", "ssim",
        "ms_ssim", "x_ssim_y", "ssimx", "assim", "_ssim", "ssim_", "float_ssim", "ciede2000",
        "u_cb", "u_cb\n", "u_cbx", "width", "frame_width", "widthx", "x264_crf", "x265",
        "x266", "q_align", "q-align", "qalign", "q__align", "fast_vqa", "fastvqa", "clip-iqa",
        "clipiqa", "psnr_hvs", "MOS", "n_ratings", "Bitrate_kbps", "hdr10", "a\nb", "\n",
    };
    sigmix_family_set s;
    sigmix_error err = { 0, "" };
    (void)state;
    assert_int_equal(sigmix_family_set_builtin(&s, &err), 0);
    for (size_t f = 0; f < s.n; f++)
        for (size_t k = 0; k < s.nre[f]; k++) {
            const char *p = s.fam[f].patterns[k];
            const sigmix_fastre *fr = &s.fast[f][k];
            if (!fr->literal && !fr->n)
                fail_msg("built-in pattern '%s' is not on the fast path", p);
            const regex_t *re = sigmix_family_regex(&s, f, k);
            assert_non_null(re);
            for (size_t i = 0; i < sizeof names / sizeof *names; i++)
                compare(p, fr, re, names[i]);
            random_names(p, fr, re, 3000);
        }
    sigmix_family_set_free(&s);
    assert_int_equal(differed, 0);
}

/* A random pattern of the supported form. */
static void gen(char *out, size_t *n, size_t cap, int depth)
{
    static const char *const atoms[] = { "a", "b", "_", "B", "0", "[ab]", "[0-2]", "[_-]",
                                         "-", "^", "$" };
    int items = 1 + (int)rnd(3);
    for (int i = 0; i < items && *n + 12 < cap; i++) {
        if (depth < 3 && rnd(4) == 0) {
            out[(*n)++] = '(';
            gen(out, n, cap, depth + 1);
            while (rnd(3) == 0 && *n + 12 < cap) {
                out[(*n)++] = '|';
                gen(out, n, cap, depth + 1);
            }
            out[(*n)++] = ')';
        } else {
            const char *a = atoms[rnd(sizeof atoms / sizeof *atoms)];
            memcpy(out + *n, a, strlen(a));
            *n += strlen(a);
        }
        int last = out[*n - 1];
        if (last != '^' && last != '$' && rnd(3) == 0)
            out[(*n)++] = "?*+"[rnd(3)];
    }
    out[*n] = '\0';
}

static void test_random_patterns(void **state)
{
    sigmix_arena arena;
    int compiled = 0;
    (void)state;
    if (getenv("SIGMIX_FASTRE_SEED")) /* explore other draws */
        rng = strtoull(getenv("SIGMIX_FASTRE_SEED"), NULL, 10) | 1;
    sigmix_arena_init(&arena);
    for (int i = 0; i < 20000; i++) {
        char p[128];
        size_t n = 0;
        gen(p, &n, 100, 0);
        if (rnd(4) == 0) { /* top-level alternation */
            p[n++] = '|';
            gen(p, &n, 110, 1);
        }
        regex_t re;
        sigmix_fastre fr;
        int r = sigmix_fastre_compile(&fr, p, &arena);
        assert_true(r >= 0);
        int bad = regcomp(&re, p, REG_EXTENDED | REG_ICASE | REG_NOSUB);
        if (r == 1 && bad) /* famset.c skips regcomp for what the fast matcher takes */
            fail_msg("fast matcher took '%s', which regcomp rejects", p);
        if (bad)
            continue;
        if (r == 1) {
            compiled++;
            random_names(p, &fr, &re, 300);
        }
        regfree(&re);
    }
    sigmix_arena_free(&arena);
    assert_true(compiled > 5000);
    assert_int_equal(differed, 0);
}

static void test_declined(void **state)
{
    static const char *const outside[] = {
        "a.b", "a\\.b", "a{2}", "[^a]", "[[:alpha:]]", "a|", "()", "(|a)", "a**", "a+?",
        "^*", "caf\xc3\xa9", "[a-z]", "[:a]", "[=a]", "((((((((((a))))))))))", "a)", "(a", "[]a]", "a]",
    };
    sigmix_arena arena;
    (void)state;
    sigmix_arena_init(&arena);
    for (size_t i = 0; i < sizeof outside / sizeof *outside; i++) {
        sigmix_fastre fr;
        if (sigmix_fastre_compile(&fr, outside[i], &arena) != 0)
            fail_msg("'%s' should stay with regexec", outside[i]);
    }
    /* more than 64 states: declined too */
    char big[200];
    memset(big, 0, sizeof big);
    for (int i = 0; i < 40; i++)
        strcat(big, "a?");
    sigmix_fastre fr;
    assert_int_equal(sigmix_fastre_compile(&fr, big, &arena), 0);
    sigmix_arena_free(&arena);
}

/* The set as a whole: fast path and regexec-only give the same matches. */
static void test_family_matches(void **state)
{
    sigmix_family_set s;
    sigmix_error err = { 0, "" };
    (void)state;
    assert_int_equal(sigmix_family_set_builtin(&s, &err), 0);
    static const char *const names[] = { "VMAF_score", "psnr_y", "ssim", "cambi_mean",
                                         "saliency_roi", "x264", "caf\xc3\xa9_psnr", "id",
                                         "bitdepth", "clip_name", "frame_height" };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        for (size_t f = 0; f < s.n; f++) {
            int want = 0;
            for (size_t k = 0; k < s.nre[f]; k++)
                want |= sigmix_regex_search(sigmix_family_regex(&s, f, k), names[i]);
            assert_int_equal(sigmix_family_matches(&s, f, names[i]), want);
        }
    sigmix_family_set_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builtins),
        cmocka_unit_test(test_random_patterns),
        cmocka_unit_test(test_declined),
        cmocka_unit_test(test_family_matches),
    };
    int r = cmocka_run_group_tests(tests, NULL, NULL);
    printf("compared %lu matches, %lu differed\n", compared, differed);
    return r;
}
