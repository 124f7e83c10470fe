/*
 * bench_audit_stats [ROWS]: time the audit's statistics phase alone (column
 * stats, target Pearson/Spearman, the pairwise Pearson matrix, lists) on the
 * benchmark table built in memory, so no reader time is included. Also
 * times the per-pair reference matrix once (up to 50k rows) for comparison.
 * Best of 3.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gen_common.h"
#include "sigmix/audit.h"
#include "stats/stats.h"

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double now(void) { return clock_s(CLOCK_MONOTONIC); }
static double cpu(void) { return clock_s(CLOCK_PROCESS_CPUTIME_ID); }

static sigmix_table *build(size_t rows)
{
    sigmix_table *t;
    char name[48], str[GEN_NSTR][64];
    double num[GEN_NNUM];
    if (sigmix_table_create(&t) || sigmix_table_resize(t, rows))
        exit(1);
    for (size_t s = 0; s < GEN_NSTR; s++)
        sigmix_table_add_column(t, gen_strings[s], SIGMIX_KIND_STRING, NULL);
    for (size_t k = 0; k < GEN_NNUM; k++) {
        gen_name(k, name, sizeof name);
        sigmix_table_add_column(t, name, SIGMIX_KIND_DOUBLE, NULL);
    }
    for (size_t r = 0; r < rows; r++) {
        gen_row(r, num, str);
        for (size_t s = 0; s < GEN_NSTR; s++)
            sigmix_table_set_string(t, s, r, str[s], strlen(str[s]));
        for (size_t k = 0; k < GEN_NNUM; k++)
            if (!isnan(num[k]))
                sigmix_table_set_double(t, GEN_NSTR + k, r, num[k]);
    }
    return t;
}

int main(int argc, char **argv)
{
    size_t rows = argc > 1 ? strtoull(argv[1], NULL, 10) : 150000;
    sigmix_table *t = build(rows);
    double best = 1e30, best_cpu = 1e30;
    size_t nsig = 0;
    for (int rep = 0; rep < 3; rep++) {
        sigmix_audit *a;
        sigmix_error err = { 0, "" };
        if (sigmix_audit_open(&a, NULL, &err))
            return 1;
        double t0 = now(), c0 = cpu();
        if (sigmix_audit_add_table(a, "bench", NULL, t, &err)) {
            fprintf(stderr, "bench_audit_stats: %s\n", err.message);
            return 1;
        }
        double dt = now() - t0, dc = cpu() - c0;
        best = dt < best ? dt : best;
        best_cpu = dc < best_cpu ? dc : best_cpu;
        nsig = sigmix_audit_result_at(a, 0)->signal_columns.n;
        sigmix_audit_close(&a);
    }
    /* The matrix alone, fast path vs per-pair reference. */
    const double **cols = malloc(GEN_NNUM * sizeof *cols);
    size_t p = 0;
    for (size_t k = 0; k < GEN_NNUM; k++)
        cols[p++] = sigmix_table_col(t, GEN_NSTR + k)->f64;
    double *m = malloc(p * p * sizeof *m);
    double fast = 1e30;
    for (int rep = 0; rep < 3; rep++) {
        double t0 = now();
        sigmix_pearson_matrix_fast(cols, p, rows, NULL, m);
        double dt = now() - t0;
        fast = dt < fast ? dt : fast;
    }
    printf("stats phase (%zu rows, %zu signal columns): %.3f s wall, %.3f s CPU (best of 3)\n",
           rows, nsig, best, best_cpu);
    printf("pearson matrix %zux%zu: BLAS fast path %.3f s", p, p, fast);
    if (rows <= 50000) { /* the reference takes seconds beyond that */
        double t0 = now();
        sigmix_pearson_matrix_ref(cols, p, rows, m);
        printf(", per-pair reference %.3f s", now() - t0);
    }
    printf("\n");
    free(m);
    free(cols);
    sigmix_table_free(&t);
    return 0;
}
