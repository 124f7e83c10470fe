/* Unit tests: frame sampling, each temporal reducer, the spectral residual. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "saliency/columns.h"
#include "saliency/internal.h"
#include "gen.h"

static void expect_sample(int n, int fs, const int *want, int nwant)
{
    int got[64];
    int k = sigmix_sal_sample(n, fs, got);
    assert_int_equal(k, nwant);
    for (int i = 0; i < k; i++)
        assert_int_equal(got[i], want[i]);
}

static void test_sampling(void **state)
{
    (void)state;
    expect_sample(0, 8, NULL, 0);
    expect_sample(-3, 8, NULL, 0);
    expect_sample(1, 8, (int[]){ 0 }, 1);
    expect_sample(12, 1, (int[]){ 0 }, 1);
    expect_sample(12, 0, (int[]){ 0 }, 1);
    /* the reference's configs: (8,8) on 8 frames, (12,4) on 12 frames */
    expect_sample(8, 8, (int[]){ 0, 1, 2, 3, 4, 5, 6, 7 }, 8);
    expect_sample(12, 4, (int[]){ 0, 3, 6, 9 }, 4);
    /* n < frame_samples: every frame; step floors to 1 */
    expect_sample(5, 8, (int[]){ 0, 1, 2, 3, 4 }, 5);
    /* 13 / 4 = 3: 0,3,6,9 (12 is cut by frame_samples) */
    expect_sample(13, 4, (int[]){ 0, 3, 6, 9 }, 4);
    /* 7 / 3 = 2: 0,2,4 */
    expect_sample(7, 3, (int[]){ 0, 2, 4 }, 3);
    expect_sample(2, 2, (int[]){ 0, 1 }, 2);
}

#define W 3
#define H 2

static void run_reducer(sigmix_saliency_reducer kind, double alpha, const float maps[][W * H],
                        const uint8_t lumas[][W * H], int n, float *out, double *mean,
                        double *var)
{
    sal_reducer r;
    assert_int_equal(sigmix_sal_reducer_init(&r, kind, alpha, W, H, W, H), 0);
    for (int i = 0; i < n; i++)
        sigmix_sal_reducer_add(&r, maps[i], lumas[i], W);
    sigmix_sal_reducer_finish(&r, mean, var);
    memcpy(out, r.acc, sizeof(float) * W * H);
    sigmix_sal_reducer_free(&r);
}

static const float maps[3][W * H] = {
    { 0.0f, 0.5f, 1.0f, 0.25f, 0.75f, 0.5f },
    { 1.0f, 0.5f, 0.0f, 0.25f, 0.25f, 0.5f },
    { 0.5f, 0.0f, 0.5f, 1.0f, 0.75f, 0.0f },
};
static const uint8_t lumas[3][W * H] = {
    { 10, 20, 30, 40, 50, 60 },
    { 16, 20, 30, 40, 50, 60 },   /* sum |d| = 6  -> 1/255 */
    { 16, 20, 30, 40, 50, 60 },   /* identical -> floor 1e-6 */
};

static void stats(const float *m, double *mean, double *var)
{
    double s = 0, q = 0;
    for (int i = 0; i < W * H; i++)
        s += m[i];
    *mean = s / (W * H);
    for (int i = 0; i < W * H; i++)
        q += (m[i] - *mean) * (m[i] - *mean);
    *var = q / (W * H);
}

static void check(const float *got, const float *want, double mean, double var)
{
    double em, ev;
    for (int i = 0; i < W * H; i++)
        assert_float_equal(got[i], want[i], 1e-6);
    stats(want, &em, &ev);
    assert_float_equal(mean, em, 1e-7);
    assert_float_equal(var, ev, 1e-7);
}

static void test_reducers(void **state)
{
    (void)state;
    float out[W * H], want[W * H];
    double mean, var;
    run_reducer(SIGMIX_SAL_MEAN, 0.6, maps, lumas, 3, out, &mean, &var);
    for (int i = 0; i < W * H; i++)
        want[i] = (maps[0][i] + maps[1][i] + maps[2][i]) / 3.0f;
    check(out, want, mean, var);

    run_reducer(SIGMIX_SAL_MAX, 0.6, maps, lumas, 3, out, &mean, &var);
    for (int i = 0; i < W * H; i++)
        want[i] = fmaxf(maps[0][i], fmaxf(maps[1][i], maps[2][i]));
    check(out, want, mean, var);

    run_reducer(SIGMIX_SAL_EMA, 0.25, maps, lumas, 3, out, &mean, &var);
    for (int i = 0; i < W * H; i++) {
        float e = maps[0][i];
        e = 0.25f * maps[1][i] + 0.75f * e;
        e = 0.25f * maps[2][i] + 0.75f * e;
        want[i] = e;
    }
    check(out, want, mean, var);

    /* alpha 1: the last map */
    run_reducer(SIGMIX_SAL_EMA, 1.0, maps, lumas, 3, out, &mean, &var);
    check(out, maps[2], mean, var);

    run_reducer(SIGMIX_SAL_MOTION_WEIGHTED, 0.6, maps, lumas, 3, out, &mean, &var);
    float w1 = (6.0f / 6.0f) / 255.0f, w2 = 1e-6f, ws = 1.0f + w1 + w2;
    for (int i = 0; i < W * H; i++)
        want[i] = (maps[0][i] + w1 * maps[1][i] + w2 * maps[2][i]) / ws;
    check(out, want, mean, var);

    /* one map: every reducer returns it */
    for (int k = 0; k <= SIGMIX_SAL_MOTION_WEIGHTED; k++) {
        run_reducer((sigmix_saliency_reducer)k, 0.6, maps, lumas, 1, out, &mean, &var);
        check(out, maps[0], mean, var);
    }
}

static void test_reducer_clips(void **state)
{
    (void)state;
    const float wild[2][W * H] = { { -1.0f, 2.0f, 0.5f, 0.5f, 0.5f, 0.5f },
                                   { -1.0f, 2.0f, 0.5f, 0.5f, 0.5f, 0.5f } };
    const float want[W * H] = { 0.0f, 1.0f, 0.5f, 0.5f, 0.5f, 0.5f };
    float out[W * H];
    double mean, var;
    run_reducer(SIGMIX_SAL_MEAN, 0.6, wild, lumas, 2, out, &mean, &var);
    check(out, want, mean, var);
}

/* One bright square on a flat background: the saliency mass sits on it. */
static void sr_object(int w, int h, int x0, int y0, int size)
{
    gen_spec g = { w, h, 1, 60, 220, x0, y0, size, 0, 0 };
    uint8_t *buf = malloc((size_t)w * h * 2);
    float *map = malloc((size_t)w * h * sizeof *map);
    gen_frame(&g, 0, buf);
    sal_sr *sr;
    assert_int_equal(sigmix_sal_sr_create(&sr), 0);
    assert_int_equal(sigmix_sal_sr_run(sr, buf, w, w, h, map), 0);
    double total = 0, near = 0, cx = 0, cy = 0;
    float lo = 1, hi = 0;
    int pad = size; /* the object and a border as wide as the object */
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            float v = map[(size_t)y * w + x];
            lo = fminf(lo, v);
            hi = fmaxf(hi, v);
            total += v;
            cx += v * x;
            cy += v * y;
            if (x >= x0 - pad && x < x0 + size + pad && y >= y0 - pad && y < y0 + size + pad)
                near += v;
        }
    assert_true(lo >= 0.0f && hi <= 1.0f);
    assert_float_equal(hi, 1.0f, 0.02);
    cx /= total;
    cy /= total;
    double ox = x0 + size / 2.0, oy = y0 + size / 2.0;
    /* the window around the object holds far more than its area share */
    double area = (3.0 * size) * (3.0 * size) / ((double)w * h);
    if (fabs(cx - ox) > size || fabs(cy - oy) > size || near / total < 5 * area
        || near / total < 0.25)
        fail_msg("%dx%d object at (%g,%g): centroid (%g,%g), share near %.2f", w, h, ox, oy, cx,
                 cy, near / total);
    /* the peak is on the object */
    size_t arg = 0;
    for (size_t i = 1; i < (size_t)w * h; i++)
        if (map[i] > map[arg])
            arg = i;
    int px = (int)(arg % w), py = (int)(arg / w);
    assert_true(px >= x0 - size && px < x0 + 2 * size && py >= y0 - size && py < y0 + 2 * size);
    sigmix_sal_sr_free(sr);
    free(map);
    free(buf);
}

static void test_spectral_residual_object(void **state)
{
    (void)state;
    sr_object(320, 180, 200, 40, 24);
    sr_object(160, 240, 30, 150, 20); /* portrait */
    sr_object(256, 256, 100, 120, 16);
}

static void test_spectral_residual_edge_cases(void **state)
{
    (void)state;
    /* flat frame: no structure, an all-zero map; tiny and odd sizes work */
    const int sizes[][2] = { { 64, 36 }, { 1, 1 }, { 3, 2 }, { 2, 300 }, { 33, 17 } };
    sal_sr *sr;
    assert_int_equal(sigmix_sal_sr_create(&sr), 0);
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        int w = sizes[k][0], h = sizes[k][1];
        uint8_t *y = malloc((size_t)w * h);
        float *map = malloc((size_t)w * h * sizeof *map);
        memset(y, 90, (size_t)w * h);
        assert_int_equal(sigmix_sal_sr_run(sr, y, w, w, h, map), 0);
        for (size_t i = 0; i < (size_t)w * h; i++)
            assert_true(map[i] >= 0.0f && map[i] <= 1.0f);
        free(y);
        free(map);
    }
    assert_int_not_equal(sigmix_sal_sr_run(sr, NULL, 0, 0, 0, NULL), 0);
    sigmix_sal_sr_free(sr);
}

static void test_names(void **state)
{
    (void)state;
    sigmix_saliency_reducer r;
    assert_int_equal(sigmix_saliency_reducer_parse("motion_weighted", &r), 0);
    assert_int_equal(r, SIGMIX_SAL_MOTION_WEIGHTED);
    assert_int_equal(sigmix_saliency_reducer_parse("median", &r), SIGMIX_EINVAL);
    assert_string_equal(sigmix_saliency_reducer_name(SIGMIX_SAL_MOTION_WEIGHTED), "motion-weighted");
    assert_string_equal(sigmix_saliency_status_name(SIGMIX_SAL_SKIPPED_EXISTING), "skipped-existing");
    assert_string_equal(sigmix_saliency_status_name(99), "unknown");
}

/* Paths from text cells and from JSON-string cells of mixed-type columns. */
static void test_cell_path(void **state)
{
    (void)state;
    static const struct { const char *json; const char *want; } cases[] = {
        { "\"a.yuv\"", "a.yuv" },
        { "\"sub\\/c d.yuv\"", "sub/c d.yuv" },
        { "\"\\u0061\\u00e9\\ud83d\\ude00.yuv\"", "a\xc3\xa9\xf0\x9f\x98\x80.yuv" },
        { "\"q\\\"\\\\\\n\"", "q\"\\\n" },
        { "5", NULL },
        { "\"bad\\x\"", NULL },
        { "\"nul\\u0000\"", NULL },
        { "\"lone\\udc00\"", NULL },
        { "\"cut\\u00\"", NULL },
        { "\"", NULL },
        { "[\"a\"]", NULL },
    };
    const size_t n = sizeof cases / sizeof *cases;
    sigmix_table *t;
    assert_int_equal(sigmix_table_create(&t), 0);
    assert_int_equal(sigmix_table_resize(t, n + 1), 0);
    assert_int_equal(sigmix_table_add_column(t, "j", SIGMIX_KIND_JSON, NULL), 0);
    assert_int_equal(sigmix_table_add_column(t, "s", SIGMIX_KIND_STRING, NULL), 0);
    for (size_t i = 0; i < n; i++)
        sigmix_table_set_string(t, 0, i, cases[i].json, strlen(cases[i].json));
    sigmix_table_set_string(t, 1, 0, "plain \"text\"", 12);
    for (size_t i = 0; i <= n; i++) {
        size_t len = 0;
        char *p = sigmix_sal_cell_path(sigmix_table_col(t, 0), i, &len);
        const char *want = i < n ? cases[i].want : NULL; /* row n: null cell */
        if (!want) {
            if (p)
                fail_msg("case %zu: got '%s', expected none", i, p);
        } else {
            if (!p || strcmp(p, want) || len != strlen(want))
                fail_msg("case %zu: got '%s'", i, p ? p : "(null)");
        }
        free(p);
    }
    size_t len;
    char *p = sigmix_sal_cell_path(sigmix_table_col(t, 1), 0, &len);
    assert_string_equal(p, "plain \"text\"");
    free(p);
    assert_null(sigmix_sal_cell_path(sigmix_table_col(t, 1), 1, &len));
    sigmix_table_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sampling),
        cmocka_unit_test(test_reducers),
        cmocka_unit_test(test_reducer_clips),
        cmocka_unit_test(test_spectral_residual_object),
        cmocka_unit_test(test_spectral_residual_edge_cases),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_cell_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
