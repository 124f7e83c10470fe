/*
 * Decoding and colour conversion against ../shared/clips: the H.264 decode
 * of clipA must equal the raw clipB (the reference's ffmpeg decode) byte for
 * byte, luma means must match expected_frames.json, and the ONNX input
 * tensor of frame 0 must equal clipA_320x180_f0.input.f32 bit for bit.
 * Skips (77) when ../shared is absent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <libavutil/log.h>

#include <libavutil/pixfmt.h>

#include "saliency/internal.h"

static char clips[4096];

static unsigned char *slurp(const char *name, size_t *n)
{
    char p[4200];
    snprintf(p, sizeof p, "%s/%s", clips, name);
    FILE *f = fopen(p, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)len + 1);
    assert_int_equal(fread(b, 1, (size_t)len, f), (size_t)len);
    b[len] = 0;
    fclose(f);
    *n = (size_t)len;
    return b;
}

static void decode(const char *name, int max_frames, int rw, int rh, sal_clip *c)
{
    char p[4200], msg[256];
    snprintf(p, sizeof p, "%s/%s", clips, name);
    sal_decode_opts o = { rw, rh, 0, 0, AV_PIX_FMT_YUV420P, max_frames, 0, NULL };
    int st = sigmix_sal_decode(p, &o, c, msg, sizeof msg);
    if (st != SIGMIX_SAL_OK)
        fail_msg("%s: %s", name, msg);
}

static int same_frame(const sal_frame *a, const sal_frame *b)
{
    int cw = (a->w + 1) / 2, ch = (a->h + 1) / 2;
    for (int r = 0; r < a->h; r++)
        if (memcmp(a->y + (size_t)r * a->ys, b->y + (size_t)r * b->ys, (size_t)a->w))
            return 0;
    for (int r = 0; r < ch; r++)
        if (memcmp(a->u + (size_t)r * a->us, b->u + (size_t)r * b->us, (size_t)cw)
            || memcmp(a->v + (size_t)r * a->vs, b->v + (size_t)r * b->vs, (size_t)cw))
            return 0;
    return 1;
}

static void h264_equals_raw(const char *mp4, const char *yuv, int w, int h)
{
    sal_clip a, b;
    decode(mp4, 100, 0, 0, &a);
    decode(yuv, 100, w, h, &b);
    assert_int_equal(a.w, w);
    assert_int_equal(a.h, h);
    assert_int_equal(a.n, 12);
    assert_int_equal(b.n, 12);
    for (int i = 0; i < 12; i++)
        assert_true(same_frame(&a.frames[i], &b.frames[i]));
    sigmix_sal_clip_free(&a);
    sigmix_sal_clip_free(&b);
}

static void test_h264_equals_ffmpeg_decode(void **state)
{
    (void)state;
    h264_equals_raw("clipA_320x180.mp4", "clipB_320x180.yuv", 320, 180);
    h264_equals_raw("clipA8_320x176.mp4", "clipB8_320x176.yuv", 320, 176);
}

static void test_max_frames_bounds_decode(void **state)
{
    (void)state;
    sal_clip c;
    decode("clipA_320x180.mp4", 3, 0, 0, &c);
    assert_int_equal(c.n, 3);
    sigmix_sal_clip_free(&c);
    decode("clipB_320x180.yuv", 5, 320, 180, &c);
    assert_int_equal(c.n, 5);
    sigmix_sal_clip_free(&c);
}

/* Luma mean of each frame listed for clipA in expected_frames.json. */
static void test_luma_means(void **state)
{
    (void)state;
    size_t n;
    char *js = (char *)slurp("expected_frames.json", &n);
    sal_clip c;
    decode("clipA_320x180.mp4", 12, 0, 0, &c);
    int checked = 0;
    const char *p = js;
    while ((p = strstr(p, "\"clip\": \"clipA_320x180.mp4\",\n   \"model\""))) {
        const char *f = strstr(p, "\"frame\": "), *l = strstr(p, "\"luma_mean\": ");
        assert_non_null(f);
        assert_non_null(l);
        int fi = atoi(f + 9);
        double want = strtod(l + 13, NULL);
        assert_true(fi >= 0 && fi < c.n);
        uint64_t s = 0;
        for (int y = 0; y < c.h; y++)
            for (int x = 0; x < c.w; x++)
                s += c.frames[fi].y[(size_t)y * c.frames[fi].ys + x];
        double got = (double)s / ((double)c.w * c.h);
        if (got - want > 1e-9 || want - got > 1e-9)
            fail_msg("frame %d luma mean %.12f, expected %.12f", fi, got, want);
        checked++;
        p = l;
    }
    assert_true(checked >= 9);
    sigmix_sal_clip_free(&c);
    free(js);
}

static void test_tensor_frame0(void **state)
{
    (void)state;
    size_t n;
    unsigned char *want = slurp("clipA_320x180_f0.input.f32", &n);
    assert_int_equal(n, 3 * 320 * 180 * sizeof(float));
    sal_clip c;
    decode("clipA_320x180.mp4", 1, 0, 0, &c);
    sal_frame f = c.frames[0];
    float *t = malloc(n);
    sigmix_sal_yuv_to_tensor(&f, t);
    size_t diff = 0;
    float worst = 0;
    for (size_t i = 0; i < n / 4; i++) {
        float w;
        memcpy(&w, want + 4 * i, 4);
        if (w != t[i]) {
            diff++;
            float d = w > t[i] ? w - t[i] : t[i] - w;
            worst = d > worst ? d : worst;
        }
    }
    if (diff)
        fail_msg("%zu tensor values differ, worst %g", diff, (double)worst);
    free(t);
    free(want);
    sigmix_sal_clip_free(&c);
}

int main(void)
{
    av_log_set_level(AV_LOG_QUIET);
    const char *sh = getenv("SIGMIX_SHARED");
    snprintf(clips, sizeof clips, "%s/clips", sh ? sh : "../shared");
    char probe[4200];
    snprintf(probe, sizeof probe, "%s/clipA_320x180.mp4", clips);
    FILE *f = fopen(probe, "rb");
    if (!f) {
        printf("skip: %s not found\n", probe);
        return 77;
    }
    fclose(f);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_h264_equals_ffmpeg_decode),
        cmocka_unit_test(test_max_frames_bounds_decode),
        cmocka_unit_test(test_luma_means),
        cmocka_unit_test(test_tensor_frame0),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
