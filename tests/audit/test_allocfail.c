/*
 * Allocation-failure test (after dav1d's): this program is linked with
 * tests/hostile/allocfail.c, so every allocation the sigmix library makes
 * can fail, exactly the n-th one. For each
 * input it counts the allocations of a clean audit (reading, analysis and
 * both reports to memory), then fails n = 1..N in turn (every n up to
 * SAMPLE_ALL, else a head and a spread sample): each run must either give exactly the
 * clean run's results and Markdown report, or fail with SIGMIX_ENOMEM. A
 * crash, an ASan report (leak, double free) or a wrong number fails it.
 *
 *   test_allocfail TABLE...     (a missing argument list uses the examples)
 *
 * Allocations inside libc, OpenBLAS and libstdc++ are not wrapped (--wrap
 * only rewrites references made by the objects linked here).
 */
#define _GNU_SOURCE /* open_memstream */
#include "sigmix_config.h"
#if SIGMIX_HAVE_BLAS
#include <cblas.h>
#endif
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "allocfail.h"
#include "sigmix/audit.h"
#include "sigmix/table.h"

/* Every number and name of a result, floats in hex: equal means identical. */
static void dump_names(FILE *f, const char *what, sigmix_audit_names n)
{
    fprintf(f, "%s:", what);
    for (size_t i = 0; i < n.n; i++)
        fprintf(f, " %s", n.v[i]);
    fputc('\n', f);
}

static void dump_pairs(FILE *f, const sigmix_audit_pair *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fprintf(f, "pair %s %s %s %s %a %a %a %a\n", p[i].left, p[i].right, p[i].left_family,
                p[i].right_family, p[i].pearson, p[i].abs_pearson, p[i].left_target_abs_pearson,
                p[i].right_target_abs_pearson);
}

static void dump(FILE *f, const sigmix_audit *a)
{
    for (size_t t = 0; t < sigmix_audit_count(a); t++) {
        const sigmix_audit_result *r = sigmix_audit_result_at(a, t);
        fprintf(f, "table %s %zu target %s\n", r->label, r->rows, r->target ? r->target : "-");
        dump_names(f, "columns", r->columns);
        dump_names(f, "signal", r->signal_columns);
        for (size_t i = 0; i < r->n_health; i++) {
            fprintf(f, "family %s %d\n", r->health[i].key, (int)r->health[i].status);
            dump_names(f, "healthy", r->health[i].healthy);
        }
        for (size_t i = 0; i < r->signal_columns.n; i++)
            fprintf(f, "stat %s %a %a %a %a %a\n", r->stats[i].column, r->stats[i].finite_ratio,
                    r->stats[i].mean, r->stats[i].std, r->stats[i].min, r->stats[i].max);
        for (size_t i = 0; i < r->n_target_correlations; i++)
            fprintf(f, "corr %s %a %a\n", r->target_correlations[i].column,
                    r->target_correlations[i].pearson, r->target_correlations[i].spearman);
        dump_pairs(f, r->redundant_pairs, r->n_redundant_pairs);
        dump_pairs(f, r->intersections, r->n_intersections);
    }
}

typedef struct outcome {
    int   rc;
    char *text; /* result dump + Markdown report, when rc == 0 */
} outcome;

/* One audit of path (or of the table pre, already read) with allocation n
 * failing (0: none). */
static outcome run_once(const char *path, const sigmix_table *pre, long n)
{
    outcome o = { 0, NULL };
    sigmix_audit_settings s;
    sigmix_audit_default_settings(&s);
    s.threads = 2; /* exercise the worker pool's failure path */
    sigmix_audit *a = NULL;
    sigmix_error err = { 0, "" };
    char *md = NULL;
    size_t mdlen = 0;
    /* The memory stream is made before injection: it is the test's, not sigmix's. */
    FILE *mf = open_memstream(&md, &mdlen);
    if (!mf) {
        perror("open_memstream");
        exit(1);
    }
    allocfail_arm(n);
    o.rc = sigmix_audit_open(&a, &s, &err);
    if (!o.rc)
        o.rc = pre ? sigmix_audit_add_table(a, "pre", path, pre, &err)
                   : sigmix_audit_add_file(a, NULL, path, &err);
    if (!o.rc)
        o.rc = sigmix_audit_write_markdown(a, mf, &err);
    allocfail_disarm();
    if (!o.rc) {
        dump(mf, a);
        fflush(mf);
        o.text = allocfail_real_strdup(md ? md : "");
    } else if (o.rc != SIGMIX_ENOMEM) {
        fprintf(stderr, "%s: allocation %ld failed -> error %d (%s), expected SIGMIX_ENOMEM\n",
                path, n, o.rc, err.message);
    }
    fclose(mf);
    free(md);
    sigmix_audit_close(&a);
    return o;
}

/* Up to SAMPLE_ALL allocations: fail every one; beyond, the first SAMPLE_HEAD
 * and then SAMPLE_SPREAD spread evenly (keeps the ASan run well under a minute
 * of CPU). */
enum { SAMPLE_ALL = 400, SAMPLE_HEAD = 50, SAMPLE_SPREAD = 100 };

static int check_file(const char *path, const sigmix_table *pre)
{
    outcome clean = run_once(path, pre, 0);
    long total = allocfail_disarm();
    if (clean.rc) {
        fprintf(stderr, "%s: clean run failed (%d)\n", path, clean.rc);
        return 1;
    }
    long head = total <= SAMPLE_ALL ? total : SAMPLE_HEAD;
    long step = total <= SAMPLE_ALL ? 1 : (total - head) / SAMPLE_SPREAD + 1;
    int bad = 0;
    long runs = 0, ok = 0;
    for (long n = 1; n <= total; n += n < head ? 1 : step) {
        outcome o = run_once(path, pre, n);
        runs++;
        if (o.rc == 0) {
            ok++;
            if (strcmp(o.text, clean.text)) {
                fprintf(stderr, "%s: allocation %ld failed but the audit succeeded with "
                                "different results\n", path, n);
                bad = 1;
            }
        } else if (o.rc != SIGMIX_ENOMEM) {
            bad = 1;
        } else if (!allocfail_hit()) {
            fprintf(stderr, "%s: ENOMEM without a failed allocation (n=%ld)\n", path, n);
            bad = 1;
        }
        free(o.text);
    }
    printf("%s%s: %ld allocations, %ld runs, %ld succeeded identically, %ld failed cleanly\n", path,
           pre ? " (analysis only)" : "", total, runs, ok, runs - ok);
    free(clean.text);
    return bad;
}

/* A small wide table with gaps: several column blocks, the BLAS screen. */
static int write_wide(const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    enum { COLS = 300, ROWS = 60 };
    fprintf(f, "mos");
    for (int c = 0; c < COLS; c++)
        fprintf(f, ",%s%d", c % 3 ? "psnr_" : "ssim_", c);
    fputc('\n', f);
    for (int r = 0; r < ROWS; r++) {
        fprintf(f, "%d", r);
        for (int c = 0; c < COLS; c++) {
            if ((r * 7 + c) % 11 == 0)
                fputc(',', f); /* a gap */
            else
                fprintf(f, ",%.6f", sin(r * 0.3 + c) + (c % 5 ? r * 0.01 * c : 0));
        }
        fputc('\n', f);
    }
    return fclose(f);
}

int main(int argc, char **argv)
{
    const char *src = getenv("SIGMIX_SRC");
    char ugc[4096], vmaf[4096], wide[] = "/tmp/sigmix_allocfail_XXXXXX";
    int bad = 0;
    /* As the CLI does: OpenBLAS threads only add spin-waits to many tiny runs. */
#if SIGMIX_HAVE_BLAS
    openblas_set_num_threads(1);
#endif
    if (argc > 1) {
        for (int i = 1; i < argc; i++)
            bad |= check_file(argv[i], NULL);
        return bad;
    }
    if (!src) {
        fputs("SIGMIX_SRC not set\n", stderr);
        return 1;
    }
    snprintf(ugc, sizeof ugc, "%s/examples/ugc_mos.csv", src);
    snprintf(vmaf, sizeof vmaf, "%s/examples/vmaf_features.jsonl", src);
    char *dir = mkdtemp(wide);
    char widecsv[4200];
    if (!dir) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(widecsv, sizeof widecsv, "%s/wide.csv", dir);
    if (write_wide(widecsv)) {
        perror(widecsv);
        return 1;
    }
    bad |= check_file(ugc, NULL);
    bad |= check_file(vmaf, NULL);
    bad |= check_file(widecsv, NULL);
    /* The wide table's reading makes thousands of allocations, so the sample
     * above is sparse in the analysis: fail every analysis allocation too. */
    sigmix_table *t = NULL;
    sigmix_error err = { 0, "" };
    if (sigmix_table_read(widecsv, NULL, &t, &err)) {
        fprintf(stderr, "%s: %s\n", widecsv, err.message);
        return 1;
    }
    bad |= check_file(widecsv, t);
    sigmix_table_free(&t);
    unlink(widecsv);
    rmdir(dir);
    return bad;
}
