/*
 * The audit on tables built with the column store: target selection,
 * column rules, family health, correlation lists and their stable order,
 * report contents (Markdown escaping, provenance), input-label parsing and
 * atomic report writing.
 */
#define _GNU_SOURCE /* open_memstream */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "audit/audit_internal.h"
#include "sigmix/audit.h"
#include "stats/stats.h"

enum { N = 40 };

static void add_num(sigmix_table *t, const char *name, const double *v)
{
    size_t c;
    assert_int_equal(sigmix_table_add_column(t, name, SIGMIX_KIND_DOUBLE, &c), 0);
    for (size_t r = 0; r < sigmix_table_rows(t); r++)
        if (!isnan(v[r]))
            sigmix_table_set_double(t, c, r, v[r]);
}

static void add_str(sigmix_table *t, const char *name, const char *s)
{
    size_t c;
    assert_int_equal(sigmix_table_add_column(t, name, SIGMIX_KIND_STRING, &c), 0);
    for (size_t r = 0; r < sigmix_table_rows(t); r++)
        assert_int_equal(sigmix_table_set_string(t, c, r, s, strlen(s)), 0);
}

static sigmix_table *new_table(size_t rows)
{
    sigmix_table *t;
    assert_int_equal(sigmix_table_create(&t), 0);
    assert_int_equal(sigmix_table_resize(t, rows), 0);
    return t;
}

/* A VMAF-like table: q is the hidden quality. */
static sigmix_table *vmaf_table(void)
{
    double q[N], a[N], b[N], c[N], d[N], flat[N], sparse[N], tgt[N], neg[N], id[N];
    for (int i = 0; i < N; i++) {
        q[i] = (double)i / N;
        double wobble = ((i * 7919) % 13) / 13.0 - 0.5;
        a[i] = q[i];                               /* adm2_mean: tracks q */
        b[i] = q[i] + 0.001 * wobble;              /* vif_scale0_mean: redundant with a */
        c[i] = 0.5 * q[i] + 0.5 * wobble;          /* psnr_y: partly independent */
        d[i] = wobble;                              /* noise_sigma: unrelated */
        neg[i] = -a[i];                             /* ssim: same |r| as adm2_mean */
        flat[i] = 1.0;                              /* hdr_flag */
        sparse[i] = i % 3 ? NAN : q[i];             /* cambi: mostly missing */
        tgt[i] = 100 * q[i] + 5 * wobble;
        id[i] = i;
    }
    sigmix_table *t = new_table(N);
    add_str(t, "src", "clip.mp4");
    add_num(t, "adm2_mean", a);
    add_num(t, "vif_scale0_mean", b);
    add_num(t, "psnr_y", c);
    add_num(t, "ssim", neg);
    add_num(t, "noise_sigma", d);
    add_num(t, "hdr_flag", flat);
    add_num(t, "cambi", sparse);
    add_str(t, "codec", "libx264");
    add_num(t, "clip_id", id);
    add_num(t, "MOS", tgt);    /* candidate name: excluded once a target exists */
    add_num(t, "VMAF", tgt);
    return t;
}

static sigmix_audit *open_audit(const sigmix_audit_settings *s)
{
    sigmix_audit *a;
    sigmix_error err = { 0, "" };
    if (sigmix_audit_open(&a, s, &err))
        fail_msg("open: %s", err.message);
    return a;
}

static void add(sigmix_audit *a, const char *label, sigmix_table *t)
{
    sigmix_error err = { 0, "" };
    if (sigmix_audit_add_table(a, label, "mem.jsonl", t, &err))
        fail_msg("add: %s", err.message);
    sigmix_table_free(&t);
}

static int has_name(sigmix_audit_names n, const char *name)
{
    for (size_t i = 0; i < n.n; i++)
        if (!strcmp(n.v[i], name))
            return 1;
    return 0;
}

static const sigmix_audit_health *health(const sigmix_audit_result *r, const char *key)
{
    for (size_t i = 0; i < r->n_health; i++)
        if (!strcmp(r->health[i].key, key))
            return &r->health[i];
    fail_msg("no family %s", key);
    return NULL;
}

static void test_columns_target_and_health(void **state)
{
    (void)state;
    sigmix_audit *a = open_audit(NULL);
    add(a, "t", vmaf_table());
    const sigmix_audit_result *r = sigmix_audit_result_at(a, 0);
    assert_string_equal(r->target, "VMAF"); /* vmaf outranks mos; own spelling kept */
    assert_int_equal(r->rows, N);
    assert_int_equal(r->columns.n, 12);
    assert_int_equal(r->numeric_columns.n, 10);
    assert_true(has_name(r->numeric_columns, "VMAF") && has_name(r->numeric_columns, "MOS"));
    assert_false(has_name(r->signal_columns, "VMAF"));
    assert_false(has_name(r->signal_columns, "MOS"));
    assert_false(has_name(r->signal_columns, "clip_id")); /* metadata: id$ */
    assert_false(has_name(r->signal_columns, "codec"));   /* not numeric */
    assert_int_equal(r->signal_columns.n, 7);
    assert_string_equal(r->signal_columns.v[0], "adm2_mean");

    assert_int_equal(health(r, "canonical_fr")->status, SIGMIX_FAMILY_COVERED);
    assert_int_equal(health(r, "canonical_fr")->matched.n, 3); /* adm2_mean, vif_scale0_mean, VMAF */
    assert_int_equal(health(r, "canonical_fr")->numeric.n, 2);
    /* A string codec column alone: weak. A flat flag: weak. Mostly missing: weak. */
    assert_int_equal(health(r, "codec_encoder")->status, SIGMIX_FAMILY_WEAK);
    assert_int_equal(health(r, "hdr_display_panel")->status, SIGMIX_FAMILY_WEAK);
    assert_int_equal(health(r, "banding_tone_mapping")->status, SIGMIX_FAMILY_WEAK);
    assert_int_equal(health(r, "saliency_roi")->status, SIGMIX_FAMILY_MISSING);
    /* family_columns covers every column: src matches nothing, MOS is UGC context. */
    assert_true(has_name(health(r, "no_reference_ugc")->matched, "MOS"));
    assert_int_equal(health(r, "no_reference_ugc")->status, SIGMIX_FAMILY_WEAK);
    assert_true(has_name(r->weak_families, "codec_encoder"));
    assert_true(has_name(r->missing_families, "saliency_roi"));
    /* Order of the lists follows family order. */
    assert_string_equal(r->weak_families.v[0], "banding_tone_mapping");

    const sigmix_audit_stat *st = &r->stats[5]; /* hdr_flag */
    assert_string_equal(st->column, "hdr_flag");
    assert_true(st->std == 0.0 && st->mean == 1.0 && st->finite_ratio == 1.0);
    assert_true(fabs(r->stats[6].finite_ratio - 14.0 / N) < 1e-15);
    sigmix_audit_close(&a);
    assert_null(a);
}

static void test_correlation_lists_and_order(void **state)
{
    (void)state;
    sigmix_audit *a = open_audit(NULL);
    add(a, "t", vmaf_table());
    const sigmix_audit_result *r = sigmix_audit_result_at(a, 0);
    /* hdr_flag is flat: both correlations null, dropped. */
    for (size_t i = 0; i < r->n_target_correlations; i++)
        assert_string_not_equal(r->target_correlations[i].column, "hdr_flag");
    assert_int_equal(r->n_target_correlations, 6);
    for (size_t i = 1; i < r->n_target_correlations; i++)
        assert_true(r->target_correlations[i - 1].abs_pearson >= r->target_correlations[i].abs_pearson);
    /* adm2_mean and ssim (= -adm2_mean) tie on |r|: signal order kept. */
    long ia = -1, is = -1;
    for (size_t i = 0; i < r->n_target_correlations; i++) {
        if (!strcmp(r->target_correlations[i].column, "adm2_mean"))
            ia = (long)i;
        if (!strcmp(r->target_correlations[i].column, "ssim"))
            is = (long)i;
    }
    assert_true(ia >= 0 && is == ia + 1);
    assert_true(r->target_correlations[ia].pearson == -r->target_correlations[is].pearson);
    assert_string_equal(r->target_correlations[ia].family, "canonical_fr");
    assert_string_equal(r->target_correlations[is].family, "structural_similarity");

    /* Redundant: adm2_mean, vif_scale0_mean, ssim and cambi (q on a third of the
     * rows) are all |r| ~ 1 to each other on their common rows. */
    assert_int_equal(r->n_redundant_pairs, 6);
    for (size_t i = 0; i < r->n_redundant_pairs; i++) {
        assert_true(r->redundant_pairs[i].abs_pearson >= 0.95);
        if (i)
            assert_true(r->redundant_pairs[i - 1].abs_pearson >= r->redundant_pairs[i].abs_pearson);
    }
    /* Intersections: different families, |r| <= 0.7, both |target r| >= 0.2. */
    for (size_t i = 0; i < r->n_intersections; i++) {
        const sigmix_audit_pair *p = &r->intersections[i];
        assert_string_not_equal(p->left_family, p->right_family);
        assert_true(p->abs_pearson <= 0.70);
        assert_true(p->left_target_abs_pearson >= 0.2 && p->right_target_abs_pearson >= 0.2);
        if (i)
            assert_true(r->intersections[i - 1].left_target_abs_pearson +
                        r->intersections[i - 1].right_target_abs_pearson >=
                        p->left_target_abs_pearson + p->right_target_abs_pearson);
    }
    assert_true(r->n_intersections >= 1);
    sigmix_audit_close(&a);
}

static void test_spearman_only_column_sorts_last(void **state)
{
    (void)state;
    double x[] = { INFINITY, -INFINITY, INFINITY, 1, 2, NAN };
    double y[] = { 1, 2, 3, 4, 5, 6 };
    double z[] = { 1, 2, 3, 4, 6, 5 };
    sigmix_table *t = new_table(6);
    add_num(t, "weird", x);
    add_num(t, "psnr", z);
    add_num(t, "score", y);
    sigmix_audit *a = open_audit(NULL);
    add(a, "t", t);
    const sigmix_audit_result *r = sigmix_audit_result_at(a, 0);
    assert_string_equal(r->target, "score");
    assert_int_equal(r->n_target_correlations, 2);
    assert_string_equal(r->target_correlations[0].column, "psnr");
    assert_string_equal(r->target_correlations[1].column, "weird");
    assert_true(isnan(r->target_correlations[1].pearson));
    assert_true(isnan(r->target_correlations[1].abs_pearson));
    assert_false(isnan(r->target_correlations[1].spearman)); /* inf values are ranked */
    assert_string_equal(r->target_correlations[1].family, "uncategorized");
    sigmix_audit_close(&a);
}

static void test_pair_order_is_stable(void **state)
{
    (void)state;
    double a[N], b[N];
    for (int i = 0; i < N; i++) {
        a[i] = i % 7;
        b[i] = (i * 3) % 11;
    }
    sigmix_table *t = new_table(N);
    add_num(t, "psnr_a", a);  /* four identical columns: every pair has the same r */
    add_num(t, "ssim_b", a);
    add_num(t, "noise", b);
    add_num(t, "psnr_c", a);
    add_num(t, "psnr_d", a);
    sigmix_audit *x = open_audit(NULL);
    add(x, "t", t);
    const sigmix_audit_result *r = sigmix_audit_result_at(x, 0);
    const char *want[][2] = { { "psnr_a", "ssim_b" }, { "psnr_a", "psnr_c" }, { "psnr_a", "psnr_d" },
                              { "ssim_b", "psnr_c" }, { "ssim_b", "psnr_d" }, { "psnr_c", "psnr_d" } };
    assert_int_equal(r->n_redundant_pairs, 6);
    for (size_t i = 0; i < 6; i++) {
        assert_string_equal(r->redundant_pairs[i].left, want[i][0]);
        assert_string_equal(r->redundant_pairs[i].right, want[i][1]);
        assert_true(r->redundant_pairs[i].pearson == r->redundant_pairs[0].pearson);
        assert_true(r->redundant_pairs[i].pearson > 1.0 - 1e-15);
    }
    assert_null(r->target);
    sigmix_audit_close(&x);
}

/* The same table audited on one thread and on `threads` threads. */
static void audit_one_and_many(int threads, sigmix_table *(*make)(void), sigmix_audit **one,
                               sigmix_audit **many)
{
    sigmix_audit_settings s;
    sigmix_audit_default_settings(&s);
    s.threads = 1;
    *one = open_audit(&s);
    add(*one, "t", make());
    s.threads = threads;
    *many = open_audit(&s);
    add(*many, "t", make());
}

static void test_threads_give_identical_results(void **state)
{
    (void)state;
    sigmix_audit *one, *many;
    audit_one_and_many(5, vmaf_table, &one, &many);
    const sigmix_audit_result *a = sigmix_audit_result_at(one, 0), *b = sigmix_audit_result_at(many, 0);
    assert_int_equal(a->n_target_correlations, b->n_target_correlations);
    for (size_t i = 0; i < a->n_target_correlations; i++) {
        assert_string_equal(a->target_correlations[i].column, b->target_correlations[i].column);
        assert_memory_equal(&a->target_correlations[i].pearson, &b->target_correlations[i].pearson,
                            sizeof(double));
        assert_memory_equal(&a->target_correlations[i].spearman, &b->target_correlations[i].spearman,
                            sizeof(double));
    }
    assert_int_equal(a->n_intersections, b->n_intersections);
    sigmix_audit_close(&one);
    sigmix_audit_close(&many);
}

/* Large enough (> 2^21 values) for the column statistics to run on worker
 * threads (analyze.c, column_stats): every statistic must keep its bits. */
static sigmix_table *big_table(void)
{
    enum { ROWS = 24000, COLS = 90 };
    sigmix_table *t = new_table(ROWS);
    double *v = malloc(ROWS * sizeof *v);
    assert_non_null(v);
    uint64_t x = 0x243f6a8885a308d3ull;
    char name[32];
    for (int c = 0; c < COLS; c++) {
        for (int r = 0; r < ROWS; r++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            v[r] = (c % 9 == 4 && r % 13 == 0) ? NAN : (double)(x >> 11) * 0x1p-53 * (c + 1) + c;
        }
        snprintf(name, sizeof name, c ? "psnr_%d" : "vmaf", c);
        add_num(t, name, v);
    }
    free(v);
    return t;
}

static void test_threaded_stats_identical(void **state)
{
    (void)state;
    sigmix_audit *one, *many;
    audit_one_and_many(3, big_table, &one, &many);
    const sigmix_audit_result *a = sigmix_audit_result_at(one, 0), *b = sigmix_audit_result_at(many, 0);
    assert_int_equal(a->signal_columns.n, 89);
    assert_int_equal(a->signal_columns.n, b->signal_columns.n);
    for (size_t i = 0; i < a->signal_columns.n; i++) {
        const sigmix_audit_stat *x = &a->stats[i], *y = &b->stats[i];
        assert_string_equal(x->column, y->column);
        assert_memory_equal(&x->finite_ratio, &y->finite_ratio, sizeof(double));
        assert_memory_equal(&x->mean, &y->mean, sizeof(double));
        assert_memory_equal(&x->std, &y->std, sizeof(double));
        assert_memory_equal(&x->min, &y->min, sizeof(double));
        assert_memory_equal(&x->max, &y->max, sizeof(double));
    }
    /* Spot check against the definition: psnr_4 has NaN every 13th row. */
    assert_true(a->stats[3].finite_ratio == 1.0 - (double)((24000 + 12) / 13) / 24000.0);
    assert_true(a->stats[3].min >= 4.0 && a->stats[3].max < 9.0);
    sigmix_audit_close(&one);
    sigmix_audit_close(&many);
}

/*
 * With a numeric target the pair screen runs early, on the target pool's
 * first thread (analyze.c, screen_run); without one it runs in pairs().
 * The same signal columns through both ways give the same pairs, bit for
 * bit. 2,000 rows x 60 columns takes the BLAS screen (not the small path).
 */
static sigmix_table *pairs_table(int numeric_target)
{
    enum { ROWS = 2000, COLS = 60 };
    sigmix_table *t = new_table(ROWS);
    double v[ROWS], base[ROWS];
    uint64_t x = 0x13198a2e03707344ull;
    char name[32];
    for (int c = 0; c < COLS; c++) {
        for (int r = 0; r < ROWS; r++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            double u = (double)(x >> 11) * 0x1p-53;
            if (c % 2 == 0)
                base[r] = u;
            /* odd columns follow the one before: redundant pairs */
            v[r] = c % 2 ? base[r] + u * 1e-3 * c : u;
            if (c % 7 == 3 && r % 11 == 0)
                v[r] = NAN;
        }
        snprintf(name, sizeof name, "psnr_%d", c);
        add_num(t, name, v);
    }
    if (numeric_target)
        add_num(t, "vmaf", base);
    else
        add_str(t, "vmaf", "x");
    return t;
}

static void test_early_screen_identical(void **state)
{
    (void)state;
    sigmix_audit *early = open_audit(NULL), *late = open_audit(NULL);
    add(early, "t", pairs_table(1));
    add(late, "t", pairs_table(0));
    const sigmix_audit_result *a = sigmix_audit_result_at(early, 0),
                              *b = sigmix_audit_result_at(late, 0);
    assert_non_null(a->target);
    assert_int_equal(a->signal_columns.n, 60);
    assert_int_equal(b->signal_columns.n, 60);
    assert_int_equal(a->n_redundant_pairs, 30);
    assert_int_equal(a->n_redundant_pairs, b->n_redundant_pairs);
    for (size_t i = 0; i < a->n_redundant_pairs; i++) {
        assert_string_equal(a->redundant_pairs[i].left, b->redundant_pairs[i].left);
        assert_string_equal(a->redundant_pairs[i].right, b->redundant_pairs[i].right);
        assert_memory_equal(&a->redundant_pairs[i].pearson, &b->redundant_pairs[i].pearson,
                            sizeof(double));
    }
    sigmix_audit_close(&early);
    sigmix_audit_close(&late);
}

static char warned[1024];
static void on_warn(void *cookie, const char *msg)
{
    (void)cookie;
    snprintf(warned, sizeof warned, "%s", msg);
}

static void test_missing_target_warns(void **state)
{
    (void)state;
    sigmix_audit_settings s;
    sigmix_audit_default_settings(&s);
    s.target = "vmaf_scor";
    s.warn = on_warn;
    warned[0] = '\0';
    sigmix_audit *a = open_audit(&s);
    add(a, "lab", vmaf_table());
    const sigmix_audit_result *r = sigmix_audit_result_at(a, 0);
    assert_null(r->target);
    assert_int_equal(r->n_target_correlations, 0);
    /* Without a target, candidate-named columns are ordinary signals. */
    assert_true(has_name(r->signal_columns, "VMAF") && has_name(r->signal_columns, "MOS"));
    assert_string_equal(warned, "lab: target column 'vmaf_scor' not found (closest: 'VMAF', "
                                "'MOS', 'src'); continuing without a target");
    /* A string target: no correlations, but it is still the target. */
    s.target = "codec";
    warned[0] = '\0';
    sigmix_audit *b = open_audit(&s);
    add(b, "lab", vmaf_table());
    r = sigmix_audit_result_at(b, 0);
    assert_string_equal(r->target, "codec");
    assert_int_equal(r->n_target_correlations, 0);
    assert_int_equal(r->n_intersections, 0);
    assert_false(has_name(r->signal_columns, "VMAF"));
    assert_string_equal(warned, "");
    sigmix_audit_close(&a);
    sigmix_audit_close(&b);
}

static void test_degenerate_tables(void **state)
{
    (void)state;
    sigmix_audit *a = open_audit(NULL);
    add(a, "empty", new_table(0));
    double two[] = { 1, 2 };
    sigmix_table *t = new_table(2);
    add_num(t, "psnr", two);
    add_num(t, "ssim", two);
    add_num(t, "vmaf", two);
    add(a, "tiny", t);
    double nul[] = { NAN, NAN, NAN, NAN };
    t = new_table(4);
    add_num(t, "psnr", nul);
    add_num(t, "vmaf", nul);
    add(a, "nulls", t);
    const sigmix_audit_result *r = sigmix_audit_result_at(a, 0);
    assert_int_equal(r->rows, 0);
    assert_int_equal(r->missing_families.n, r->n_health);
    r = sigmix_audit_result_at(a, 1);
    assert_int_equal(r->n_target_correlations, 0); /* fewer than 3 rows */
    assert_int_equal(r->n_redundant_pairs, 0);
    r = sigmix_audit_result_at(a, 2);
    assert_true(r->stats[0].finite_ratio == 0.0 && isnan(r->stats[0].mean));
    assert_int_equal(health(r, "error_energy")->status, SIGMIX_FAMILY_WEAK);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_int_equal(sigmix_audit_write_json(a, f, "r.json", "r.md", NULL), 0);
    fclose(f);
    /* Strict JSON: no NaN tokens; nulls instead. */
    assert_null(strstr(buf, "NaN"));
    assert_non_null(strstr(buf, "\"mean\": null"));
    free(buf);
    sigmix_audit_close(&a);
}

static char *render_md(const sigmix_audit *a)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_int_equal(sigmix_audit_write_markdown(a, f, NULL), 0);
    fclose(f);
    char *copy = strdup(buf); /* plain heap copy: keeps gcc's dangling-pointer check calm */
    free(buf);
    return copy;
}

/* Count the cell separators of a table row: '|' not preceded by a backslash. */
static int separators(const char *line, size_t n)
{
    int k = 0;
    for (size_t i = 0; i < n; i++)
        k += line[i] == '|' && (i == 0 || line[i - 1] != '\\');
    return k;
}

static void test_markdown_escaping(void **state)
{
    (void)state;
    double q[N], t1[N];
    for (int i = 0; i < N; i++) {
        q[i] = i;
        t1[i] = i + (i % 5);
    }
    sigmix_table *t = new_table(N);
    add_num(t, "psnr|y", q);
    add_num(t, "ssim`x", t1);
    add_num(t, "<b>lpips", q);
    add_num(t, "cambi\nrow", t1);
    add_num(t, "`edge`", q);
    add_num(t, "vmaf", t1);
    sigmix_audit *a = open_audit(NULL);
    add(a, "lab|el", t);
    char *md = render_md(a);
    assert_non_null(strstr(md, "`psnr\\|y`"));
    assert_non_null(strstr(md, "``ssim`x``"));
    assert_non_null(strstr(md, "`<b>lpips`"));
    assert_non_null(strstr(md, "`cambi\\nrow`"));
    assert_non_null(strstr(md, "`` `edge` ``"));
    assert_non_null(strstr(md, "### `lab\\|el`"));
    /* Every row of a table has as many cell separators as its header row. */
    int cols = 0, rows = 0;
    for (char *line = md, *end; (end = strchr(line, '\n')); line = end + 1) {
        size_t n = (size_t)(end - line);
        if (!n || line[0] != '|') {
            cols = 0;
            continue;
        }
        int k = separators(line, n);
        if (!cols)
            cols = k;
        else if (k != cols)
            fail_msg("row has %d separators, header has %d: %.*s", k, cols, (int)n, line);
        rows++;
    }
    assert_true(rows > 20);
    free(md);
    sigmix_audit_close(&a);
}

static void test_markdown_sections(void **state)
{
    (void)state;
    sigmix_audit *a = open_audit(NULL);
    add(a, "one", vmaf_table());
    double v[] = { 1, 2, 3, 4 };
    sigmix_table *t = new_table(4);
    add_num(t, "psnr", v);
    add(a, "two", t);
    char *md = render_md(a);
    const char *order[] = { "# Signal-mix audit", "## Inputs", "## Coverage Matrix",
                            "## Strongest Target Signals", "## Complementary Intersections",
                            "## Redundant Pairs", "## Blind Spots", "## Recommended Next Actions" };
    const char *prev = md;
    for (size_t i = 0; i < sizeof order / sizeof *order; i++) {
        const char *p = strstr(md, order[i]);
        if (!p || p < prev)
            fail_msg("section '%s' missing or out of order", order[i]);
        prev = p;
    }
    assert_non_null(strstr(md, "| `one` | 40 | 12 | `VMAF` | 7 |"));
    assert_non_null(strstr(md, "| `two` | 4 | 1 | none | 1 |"));
    assert_non_null(strstr(md, "`one`: weak (0/1)<br>`two`: missing (0/0)"));
    assert_non_null(strstr(md, "No target column in this table"));
    /* Recommendations are de-duplicated across tables. */
    const char *rec = "- **Saliency and ROI weighting**:";
    char *first = strstr(md, rec);
    assert_non_null(first);
    assert_null(strstr(first + 1, rec));
    free(md);
    sigmix_audit_close(&a);
}

static void test_provenance(void **state)
{
    (void)state;
    /* ADR-0661: argv holds the arguments after the subcommand. */
    const char *argv[] = { "--input", "t=x.jsonl" };
    sigmix_audit_settings s;
    sigmix_audit_default_settings(&s);
    s.argc = 2;
    s.argv = argv;
    s.target = "VMAF";
    sigmix_audit *a = open_audit(&s);
    add(a, "t", vmaf_table());
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_int_equal(sigmix_audit_write_json(a, f, "out/r.json", "-", NULL), 0);
    fclose(f);
    /* In this order: keys sorted at every level, as json.dumps(sort_keys=True). */
    const char *want[] = {
        "{\n  \"run_provenance\": {\n    \"args\": {\n      \"complement_threshold\": 0.7,\n"
        "      \"families\": null,\n      \"input\": [\n        \"t=mem.jsonl\"\n      ],\n"
        "      \"min_finite_ratio\": 0.8,\n"
        "      \"out_html\": null,\n      \"out_json\": \"out/r.json\",\n"
        "      \"out_matrix\": null,\n      \"out_md\": \"-\",\n"
        "      \"redundancy_threshold\": 0.95,\n"
        "      \"target\": \"VMAF\",\n      \"top_k\": 12\n    },\n"
        "    \"argv\": [\n      \"--input\",\n      \"t=x.jsonl\"\n    ],\n"
        "    \"entrypoint\": {\n",
        "    \"inputs\": {\n      \"tables\": [\n        {\n          \"exists\": false,\n"
        "          \"kind\": \"missing\",\n          \"path\": \"mem.jsonl\"\n        }\n      ]\n    },\n"
        "    \"outputs\": {\n      \"json_report\": \"out/r.json\",\n"
        "      \"markdown_report\": \"-\"\n    },\n"
        "    \"schema\": \"ai-run-provenance-v1\",\n    \"sigmix\": {\n      \"finished_utc\": \"20",
        "\"host\": \"",
        "\"rows\": 40,\n            \"size\": 0\n",
        "\"started_utc\": \"20", "\"version\": \"",
        "  \"tables\": [\n    {\n      \"column_stats\": {", "\"family_columns\": {",
        "\"missing_families\": [", "\"target\": \"VMAF\"",
    };
    const char *at = buf;
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        const char *hit = strstr(at, want[i]);
        if (!hit)
            fail_msg("JSON report lacks, or has out of order, %s", want[i]);
        at = hit;
    }
    assert_int_equal(buf[len - 1], '\n');
    assert_int_equal(buf[len - 2], '}');
    free(buf);
    sigmix_audit_close(&a);
}

static void test_split_input_and_labels(void **state)
{
    (void)state;
    const char *label, *path;
    size_t len;
    sigmix_audit_split_input("ugc=data/x.csv", &label, &len, &path);
    assert_int_equal(len, 3);
    assert_memory_equal(label, "ugc", 3);
    assert_string_equal(path, "data/x.csv");
    sigmix_audit_split_input(" a b =x=y.jsonl", &label, &len, &path);
    assert_int_equal(len, 3);
    assert_memory_equal(label, "a b", 3);
    assert_string_equal(path, "x=y.jsonl");
    sigmix_audit_split_input("=x.csv", &label, &len, &path);
    assert_null(label);
    assert_string_equal(path, "x.csv");
    sigmix_audit_split_input("plain.csv", &label, &len, &path);
    assert_null(label);
    assert_string_equal(path, "plain.csv");
    /* An existing path containing '=' is taken whole. */
    char dir[] = "/tmp/sigmix-audit-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char file[128];
    snprintf(file, sizeof file, "%s/a=b.csv", dir);
    FILE *f = fopen(file, "w");
    fclose(f);
    sigmix_audit_split_input(file, &label, &len, &path);
    assert_null(label);
    assert_string_equal(path, file);
    unlink(file);
    rmdir(dir);

    const char *cases[][2] = {
        { "dir/feat.jsonl", "feat" }, { "feat.jsonl.gz", "feat.jsonl" }, { "a", "a" },
        { ".hidden", ".hidden" }, { "parts/ds/", "ds" }, { "x.y/z", "z" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *l = sigmix_audit_default_label(cases[i][0]);
        assert_string_equal(l, cases[i][1]);
        free(l);
    }
}

static void test_reports_are_atomic(void **state)
{
    (void)state;
    char dir[] = "/tmp/sigmix-audit-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char js[256], md[256], bad[256];
    snprintf(js, sizeof js, "%s/sub/r.json", dir);
    snprintf(md, sizeof md, "%s/sub/r.md", dir);
    snprintf(bad, sizeof bad, "%s/file/r.md", dir);
    sigmix_audit *a = open_audit(NULL);
    add(a, "t", vmaf_table());
    sigmix_error err = { 0, "" };
    const char *failed = NULL;
    assert_int_equal(sigmix_audit_write_reports(a, js, md, &failed, &err), 0);
    struct stat st;
    assert_int_equal(stat(js, &st), 0);
    assert_int_equal(stat(md, &st), 0);
    unlink(js);
    unlink(md);
    /* The Markdown path cannot be created: neither report may remain. */
    char blocker[256];
    snprintf(blocker, sizeof blocker, "%s/file", dir);
    fclose(fopen(blocker, "w"));
    assert_int_not_equal(sigmix_audit_write_reports(a, js, bad, &failed, &err), 0);
    assert_string_equal(failed, bad);
    assert_int_not_equal(stat(js, &st), 0);
    char sub[256];
    snprintf(sub, sizeof sub, "%s/sub", dir);
    assert_int_equal(rmdir(sub), 0); /* empty: no temporary file left either */
    unlink(blocker);
    rmdir(dir);
    sigmix_audit_close(&a);
}

static void test_bad_settings(void **state)
{
    (void)state;
    sigmix_audit_settings s;
    sigmix_audit *a;
    sigmix_error err = { 0, "" };
    sigmix_audit_default_settings(&s);
    s.top_k = -1;
    assert_int_equal(sigmix_audit_open(&a, &s, &err), SIGMIX_EINVAL);
    assert_null(a);
    sigmix_audit_default_settings(&s);
    s.redundancy_threshold = NAN;
    err.code = 0;
    assert_int_equal(sigmix_audit_open(&a, &s, &err), SIGMIX_EINVAL);
    sigmix_audit_default_settings(&s);
    s.min_finite_ratio = 1.5;
    err.code = 0;
    assert_int_equal(sigmix_audit_open(&a, &s, &err), SIGMIX_EINVAL);
    assert_string_equal(err.message, "thresholds must lie between 0 and 1");
    sigmix_audit_default_settings(&s);
    s.redundancy_threshold = 95;
    assert_int_equal(sigmix_audit_open(&a, &s, &err), SIGMIX_EINVAL);
    sigmix_audit_default_settings(&s);
    s.complement_threshold = -0.1;
    assert_int_equal(sigmix_audit_open(&a, &s, &err), SIGMIX_EINVAL);
    sigmix_audit_default_settings(&s);
    s.families_path = "/nonexistent.json";
    err.code = 0;
    assert_int_equal(sigmix_audit_open(&a, &s, &err), SIGMIX_EIO);
}

/* --target matches ignoring case; an exact-case match wins. */
static void test_target_ignores_case(void **state)
{
    (void)state;
    sigmix_audit_settings s;
    sigmix_audit_default_settings(&s);
    s.target = "vmaf"; /* the table has "VMAF" only */
    s.warn = on_warn;
    warned[0] = '\0';
    sigmix_audit *a = open_audit(&s);
    add(a, "lab", vmaf_table());
    const sigmix_audit_result *r = sigmix_audit_result_at(a, 0);
    assert_string_equal(r->target, "VMAF");
    assert_string_equal(warned, "");
    assert_true(r->n_target_correlations > 0);
    sigmix_audit_close(&a);

    double v[N], w[N];
    for (int i = 0; i < N; i++) {
        v[i] = i;
        w[i] = (i * 37) % N;
    }
    s.target = "Score";
    a = open_audit(&s);
    sigmix_table *t = new_table(N);
    add_num(t, "SCORE", v);
    add_num(t, "Score", w);
    add_num(t, "score", v);
    add(a, "exact", t);
    assert_string_equal(sigmix_audit_result_at(a, 0)->target, "Score");
    sigmix_audit_close(&a);
    s.target = "sCoRe"; /* no exact match: the last case-insensitive one */
    a = open_audit(&s);
    t = new_table(N);
    add_num(t, "SCORE", v);
    add_num(t, "score", w);
    add_num(t, "x", w);
    add(a, "fold", t);
    assert_string_equal(sigmix_audit_result_at(a, 0)->target, "score");
    sigmix_audit_close(&a);
}

/* "$" before a final newline, as Python's re.search: metadata and families. */
static void test_names_with_final_newline(void **state)
{
    (void)state;
    double v[N], u[N];
    for (int i = 0; i < N; i++) {
        v[i] = i;
        u[i] = (i * 13) % 7;
    }
    sigmix_audit *a = open_audit(NULL);
    sigmix_table *t = new_table(N);
    add_num(t, "mos", v);
    add_num(t, "clip_id\n", u);
    add_num(t, "adm2\n", u);
    /* non-ASCII names take regexec, ASCII ones the fast matcher: same answers */
    add_num(t, "\xc3\xa9tude_PATH", u);
    add_num(t, "\xc3\xa9tude_score", u);
    add_num(t, "Timestamp_s", u);
    add(a, "nl", t);
    const sigmix_audit_result *r = sigmix_audit_result_at(a, 0);
    assert_false(has_name(r->signal_columns, "clip_id\n")); /* metadata: id$ */
    assert_false(has_name(r->signal_columns, "\xc3\xa9tude_PATH"));
    assert_false(has_name(r->signal_columns, "Timestamp_s"));
    assert_true(has_name(r->signal_columns, "\xc3\xa9tude_score"));
    assert_true(has_name(r->signal_columns, "adm2\n"));
    assert_true(has_name(health(r, "canonical_fr")->matched, "adm2\n"));
    sigmix_audit_close(&a);
}

/* Spearman of an int64 column ranks exact values (pandas), not doubles. */
static void test_int64_spearman_exact(void **state)
{
    (void)state;
    enum { R = 6 };
    const int64_t big = (int64_t)1 << 53;
    int64_t iv[R] = { big + 1, big, big + 1, big, big + 1, big + 1 };
    double mos[R] = { 6, 1, 5, 2, 4, 3 };
    sigmix_table *t = new_table(R);
    size_t c;
    add_num(t, "mos", mos);
    assert_int_equal(sigmix_table_add_column(t, "big", SIGMIX_KIND_INT64, &c), 0);
    for (size_t r = 0; r < R; r++)
        sigmix_table_set_int64(t, c, r, iv[r]);
    sigmix_audit *a = open_audit(NULL);
    add(a, "i64", t);
    const sigmix_audit_result *r = sigmix_audit_result_at(a, 0);
    assert_int_equal(r->n_target_correlations, 1);
    /* pandas: Series(iv).rank() vs mos.rank() -> 0.8280786712108252;
     * the doubles are all 2^53 (flat), so Pearson is null. */
    assert_true(isnan(r->target_correlations[0].pearson));
    assert_true(fabs(r->target_correlations[0].spearman - 0.8280786712108252) < 1e-12);
    sigmix_audit_close(&a);
}

/*
 * A badly conditioned pair (1e9 offset, 3e-4 spread) is reported with the
 * same bits whether the table is small (reference screen) or large (BLAS
 * screen), and they are the reference's bits.
 */
static void reported_pair(size_t extra, double *out)
{
    enum { R = 3000 };
    double *x = malloc(R * sizeof *x), *y = malloc(R * sizeof *y), *z = malloc(R * sizeof *z);
    uint64_t seed = 5;
    for (size_t i = 0; i < R; i++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        double u = (double)(seed >> 11) / 9007199254740992.0;
        x[i] = 1e9 + 3e-4 * u;
        y[i] = 1e9 + 3e-4 * u + 3e-6 * sin((double)i);
    }
    sigmix_table *t = new_table(R);
    add_num(t, "a_cond", x);
    add_num(t, "b_cond", y);
    for (size_t k = 0; k < extra; k++) {
        char name[32];
        snprintf(name, sizeof name, "pad%zu", k);
        for (size_t i = 0; i < R; i++)
            z[i] = sin((double)(i * (k + 2))) + (double)k;
        add_num(t, name, z);
    }
    double s[2 * R];
    *out = NAN;
    double ref = sigmix_pearson_ref(x, y, R, s);
    sigmix_audit *a = open_audit(NULL);
    add(a, "c", t);
    const sigmix_audit_result *r = sigmix_audit_result_at(a, 0);
    for (size_t i = 0; i < r->n_redundant_pairs; i++)
        if (!strcmp(r->redundant_pairs[i].left, "a_cond") && !strcmp(r->redundant_pairs[i].right, "b_cond"))
            *out = r->redundant_pairs[i].pearson;
    if (memcmp(out, &ref, sizeof ref))
        fail_msg("%zu extra columns: reported %.17g, reference %.17g", extra, *out, ref);
    sigmix_audit_close(&a);
    free(x);
    free(y);
    free(z);
}

static void test_badly_conditioned_pair_same_on_every_path(void **state)
{
    (void)state;
    double small, large;
    reported_pair(0, &small);  /* 3000 x 2^2: reference screen */
    reported_pair(60, &large); /* 3000 x 62^2 > 4e6: BLAS screen */
    assert_true(memcmp(&small, &large, sizeof small) == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_columns_target_and_health),
        cmocka_unit_test(test_correlation_lists_and_order),
        cmocka_unit_test(test_spearman_only_column_sorts_last),
        cmocka_unit_test(test_pair_order_is_stable),
        cmocka_unit_test(test_threads_give_identical_results),
        cmocka_unit_test(test_threaded_stats_identical),
        cmocka_unit_test(test_early_screen_identical),
        cmocka_unit_test(test_missing_target_warns),
        cmocka_unit_test(test_degenerate_tables),
        cmocka_unit_test(test_markdown_escaping),
        cmocka_unit_test(test_markdown_sections),
        cmocka_unit_test(test_provenance),
        cmocka_unit_test(test_split_input_and_labels),
        cmocka_unit_test(test_reports_are_atomic),
        cmocka_unit_test(test_bad_settings),
        cmocka_unit_test(test_target_ignores_case),
        cmocka_unit_test(test_names_with_final_newline),
        cmocka_unit_test(test_int64_spearman_exact),
        cmocka_unit_test(test_badly_conditioned_pair_same_on_every_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
