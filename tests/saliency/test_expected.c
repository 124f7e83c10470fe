/*
 * End-to-end oracle: every `ok` entry of ../shared/clips/expected.json and
 * every entry of expected_padded.json (ONNX models, all reducers, alphas and
 * frame settings) is reproduced within 1e-6 on saliency_mean/var, and the
 * stored final maps within 1e-5 per pixel. Maps are computed once per
 * (clip, model, frame) and reduced for each entry; one configuration per
 * model also goes through sigmix_saliency_run. Skips (77) without ../shared.
 */
#include <math.h>
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

static char clips[2048], models[2048];

enum { MAXF = 12 };

typedef struct maps {
    sal_clip clip;
    float   *m[MAXF];
} maps;

static const char *cell_str(const sigmix_table *t, const char *name, size_t r)
{
    long c = sigmix_table_find(t, name);
    if (c < 0)
        return NULL;
    const sigmix_column *col = sigmix_table_col(t, (size_t)c);
    return col->str && col->valid[r] ? col->str[r].ptr : NULL;
}

static double cell_num(const sigmix_table *t, const char *name, size_t r)
{
    long c = sigmix_table_find(t, name);
    if (c < 0)
        return NAN;
    const sigmix_column *col = sigmix_table_col(t, (size_t)c);
    return col->f64 && col->valid[r] ? col->f64[r] : NAN;
}

static sigmix_table *read_json(const char *name)
{
    char p[2200];
    snprintf(p, sizeof p, "%s/%s", clips, name);
    sigmix_table *t = NULL;
    sigmix_error err = { 0 };
    if (sigmix_table_read(p, NULL, &t, &err))
        fail_msg("%s: %s", p, err.message);
    return t;
}

/* "[0, 3, 6]" and our indices, compared without spaces. */
static void check_indices(const char *want, const int *idx, int k, const char *what)
{
    char got[512] = "[", norm[512];
    size_t n = 1, m = 0;
    for (int i = 0; i < k; i++)
        n += (size_t)snprintf(got + n, sizeof got - n, i ? ",%d" : "%d", idx[i]);
    snprintf(got + n, sizeof got - n, "]");
    for (const char *p = want; *p && m < sizeof norm - 1; p++)
        if (*p != ' ' && *p != '\n')
            norm[m++] = *p;
    norm[m] = '\0';
    if (strcmp(got, norm))
        fail_msg("%s: sampled %s, expected %s", what, got, norm);
}

static void decode_clip(const char *clip, int w, int h, maps *mp)
{
    char p[2200], msg[256];
    snprintf(p, sizeof p, "%s/%s", clips, clip);
    sal_decode_opts o = { w, h, 0, 0, AV_PIX_FMT_YUV420P, MAXF, 0, NULL };
    memset(mp, 0, sizeof *mp);
    if (sigmix_sal_decode(p, &o, &mp->clip, msg, sizeof msg) != SIGMIX_SAL_OK)
        fail_msg("%s: %s", clip, msg);
    assert_int_equal(mp->clip.n, MAXF);
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

static const float *frame_map(maps *mp, const sal_model *m, void *inst, int i)
{
    if (!mp->m[i]) {
        sigmix_error err = { 0 };
        mp->m[i] = malloc((size_t)mp->clip.w * mp->clip.h * sizeof(float));
        if (m->cls->run(inst, &mp->clip.frames[i], mp->m[i], &err))
            fail_msg("frame %d: %s", i, err.message);
    }
    return mp->m[i];
}

static void check_map_file(const char *file, const float *map, size_t n)
{
    char p[2200];
    snprintf(p, sizeof p, "%s/%s", clips, file);
    FILE *f = fopen(p, "rb");
    assert_non_null(f);
    float *want = malloc(n * sizeof *want);
    assert_int_equal(fread(want, sizeof *want, n, f), n);
    fclose(f);
    double worst = 0;
    for (size_t i = 0; i < n; i++)
        worst = fmax(worst, fabs((double)want[i] - map[i]));
    if (worst > 1e-5)
        fail_msg("%s: max |diff| %g", file, worst);
    free(want);
}

/* Check every ok entry of t for (clip, model) with the maps in mp. */
static int check_entries(const sigmix_table *t, const char *clip, const char *model,
                         maps *mp, const sal_model *m, void *inst)
{
    int checked = 0;
    for (size_t r = 0; r < sigmix_table_rows(t); r++) {
        const char *c = cell_str(t, "clip", r), *mo = cell_str(t, "model", r);
        const char *st = cell_str(t, "status", r), *ag = cell_str(t, "aggregator", r);
        if (!c || strcmp(c, clip) || !mo || strcmp(mo, model) || !st || strcmp(st, "ok"))
            continue;
        sigmix_saliency_reducer red;
        assert_int_equal(sigmix_saliency_reducer_parse(ag, &red), 0);
        int maxf = (int)cell_num(t, "max_frames", r), fs = (int)cell_num(t, "frame_samples", r);
        double alpha = cell_num(t, "ema_alpha", r);
        int n = maxf < mp->clip.n ? maxf : mp->clip.n;
        fs = fs < maxf ? fs : maxf;
        int idx[MAXF];
        int k = sigmix_sal_sample(n, fs, idx);
        char what[256];
        snprintf(what, sizeof what, "%s %s %s(%g) (%d,%d)", clip, model, ag, alpha, maxf, fs);
        check_indices(cell_str(t, "sampled_indices", r), idx, k, what);
        sal_reducer rd;
        assert_int_equal(sigmix_sal_reducer_init(&rd, red, isnan(alpha) ? 0.6 : alpha,
                                                 mp->clip.w, mp->clip.h, mp->clip.w,
                                                 mp->clip.h), 0);
        for (int i = 0; i < k; i++)
            sigmix_sal_reducer_add(&rd, frame_map(mp, m, inst, idx[i]),
                                   mp->clip.frames[idx[i]].y, mp->clip.frames[idx[i]].ys);
        double mean, var;
        sigmix_sal_reducer_finish(&rd, &mean, &var);
        double em = cell_num(t, "saliency_mean", r), ev = cell_num(t, "saliency_var", r);
        if (!(fabs(mean - em) <= 1e-6 && fabs(var - ev) <= 1e-6))
            fail_msg("%s: mean %.9g var %.9g, expected %.9g %.9g", what, mean, var, em, ev);
        const char *mf = cell_str(t, "map_file", r);
        if (mf)
            check_map_file(mf, rd.acc, rd.npix);
        sigmix_sal_reducer_free(&rd);
        checked++;
    }
    return checked;
}

static void test_oracle(void **state)
{
    (void)state;
    static const struct { const char *clip; int w, h; } cl[] = {
        { "clipA_320x180.mp4", 0, 0 }, { "clipB_320x180.yuv", 320, 180 },
        { "clipA8_320x176.mp4", 0, 0 }, { "clipB8_320x176.yuv", 320, 176 },
    };
    static const char *const mods[] = { "mobilesal", "saliency_student_v1", "saliency_student_v2" };
    sigmix_table *exp = read_json("expected.json"), *pad = read_json("expected_padded.json");
    int checked = 0, want = 0;
    for (size_t r = 0; r < sigmix_table_rows(exp); r++)
        want += !strcmp(cell_str(exp, "status", r), "ok");
    want += (int)sigmix_table_rows(pad);
    for (size_t mi = 0; mi < 3; mi++) {
        char p[2200];
        snprintf(p, sizeof p, "%s/%s.onnx", models, mods[mi]);
        sal_model m;
        sigmix_error err = { 0 };
        if (sigmix_sal_model_onnx(&m, p, &err))
            fail_msg("%s: %s", p, err.message);
        assert_string_equal(m.id, mods[mi]);
        void *inst;
        assert_int_equal(m.cls->instance_create(m.shared, &inst, &err), 0);
        /* B is the raw reference decode of A: once the frames are shown
         * identical, one set of maps serves both clips' entries. */
        for (size_t ci = 0; ci < 4; ci += 2) {
            maps a, b;
            decode_clip(cl[ci].clip, cl[ci].w, cl[ci].h, &a);
            decode_clip(cl[ci + 1].clip, cl[ci + 1].w, cl[ci + 1].h, &b);
            for (int i = 0; i < MAXF; i++)
                assert_true(same_frame(&a.clip.frames[i], &b.clip.frames[i]));
            checked += check_entries(exp, cl[ci].clip, mods[mi], &a, &m, inst);
            checked += check_entries(pad, cl[ci].clip, mods[mi], &a, &m, inst);
            memcpy(b.m, a.m, sizeof b.m);
            checked += check_entries(exp, cl[ci + 1].clip, mods[mi], &b, &m, inst);
            checked += check_entries(pad, cl[ci + 1].clip, mods[mi], &b, &m, inst);
            for (int i = 0; i < MAXF; i++)
                if (b.m[i] != a.m[i])
                    free(b.m[i]);
            for (int i = 0; i < MAXF; i++)
                free(a.m[i]);
            sigmix_sal_clip_free(&a.clip);
            sigmix_sal_clip_free(&b.clip);
        }
        m.cls->instance_free(inst);
        sigmix_sal_model_free(&m);
    }
    assert_int_equal(checked, want);
    assert_int_equal(checked, 120 + 60); /* every ok entry + every padded entry */
    sigmix_table_free(&exp);
    sigmix_table_free(&pad);
}

/* The whole run path with an ONNX model: table in, columns out. */
static void test_run_path(void **state)
{
    (void)state;
    sigmix_table *t;
    assert_int_equal(sigmix_table_create(&t), 0);
    assert_int_equal(sigmix_table_resize(t, 2), 0);
    assert_int_equal(sigmix_table_add_column(t, "src", SIGMIX_KIND_STRING, NULL), 0);
    assert_int_equal(sigmix_table_add_column(t, "width", SIGMIX_KIND_INT64, NULL), 0);
    assert_int_equal(sigmix_table_add_column(t, "height", SIGMIX_KIND_INT64, NULL), 0);
    sigmix_table_set_string(t, 0, 0, "clipA_320x180.mp4", 17);
    sigmix_table_set_string(t, 0, 1, "clipB_320x180.yuv", 17);
    sigmix_table_set_int64(t, 1, 1, 320);
    sigmix_table_set_int64(t, 2, 1, 180);
    char mp[2200];
    snprintf(mp, sizeof mp, "%s/saliency_student_v1.onnx", models);
    sigmix_saliency_settings s;
    sigmix_saliency_default_settings(&s);
    s.root = clips;
    s.model_path = mp;
    s.max_frames = 12;
    s.frame_samples = 4;
    s.reducer = SIGMIX_SAL_MOTION_WEIGHTED;
    s.jobs = 2;
    sigmix_saliency_report rep;
    sigmix_error err = { 0 };
    if (sigmix_saliency_run(t, &s, &rep, &err))
        fail_msg("%s", err.message);
    assert_int_equal(rep.by_status[SIGMIX_SAL_OK], 2);
    assert_string_equal(rep.model_id, "saliency_student_v1");
    assert_int_equal(strlen(rep.model_sha256), 64);
    /* expected_padded.json: clipA, v1, motion_weighted, (12,4) */
    sigmix_table *pad = read_json("expected_padded.json");
    double em = NAN, ev = NAN;
    for (size_t r = 0; r < sigmix_table_rows(pad); r++)
        if (!strcmp(cell_str(pad, "clip", r), "clipA_320x180.mp4")
            && !strcmp(cell_str(pad, "model", r), "saliency_student_v1")
            && !strcmp(cell_str(pad, "aggregator", r), "motion_weighted")
            && cell_num(pad, "max_frames", r) == 12 && cell_num(pad, "frame_samples", r) == 4) {
            em = cell_num(pad, "saliency_mean", r);
            ev = cell_num(pad, "saliency_var", r);
        }
    const sigmix_column *m = sigmix_table_col(t, (size_t)sigmix_table_find(t, "saliency_mean"));
    const sigmix_column *v = sigmix_table_col(t, (size_t)sigmix_table_find(t, "saliency_var"));
    for (size_t r = 0; r < 2; r++) {
        assert_float_equal(m->f64[r], em, 1e-6);
        assert_float_equal(v->f64[r], ev, 1e-6);
    }
    sigmix_table_free(&pad);
    sigmix_table_free(&t);
}

int main(void)
{
    av_log_set_level(AV_LOG_QUIET);
    const char *sh = getenv("SIGMIX_SHARED");
    snprintf(clips, sizeof clips, "%s/clips", sh ? sh : "../shared");
    snprintf(models, sizeof models, "%s/models", sh ? sh : "../shared");
    char probe[2200];
    snprintf(probe, sizeof probe, "%s/expected.json", clips);
    FILE *f = fopen(probe, "rb");
    if (!f) {
        printf("skip: %s not found\n", probe);
        return 77;
    }
    fclose(f);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_oracle),
        cmocka_unit_test(test_run_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
