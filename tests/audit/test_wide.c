/*
 * Memory of a wide audit (issue D4: 10,000 columns took 1.3 GB because the
 * correlation matrix and its accumulators were p x p). Builds a
 * 10,000-column table with gaps in memory, audits it, writes the JSON report
 * to a scratch file, and checks the peak RSS (getrusage) stays under 1 GB
 * and the report size is what its contents explain.
 */
#include "sigmix_config.h"
#if SIGMIX_HAVE_BLAS
#include <cblas.h>
#endif
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sigmix/audit.h"
#include "sigmix/table.h"

#if defined(__SANITIZE_THREAD__)
#define TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TSAN 1
#endif
#endif
#ifndef TSAN
#define TSAN 0
#endif

enum { COLS = 10000, ROWS = 36 };

static int die(const char *what)
{
    fprintf(stderr, "FAIL: %s\n", what);
    return 1;
}

int main(void)
{
#if SIGMIX_HAVE_BLAS
    openblas_set_num_threads(1);
#endif
    sigmix_table *t = NULL;
    if (sigmix_table_create(&t) || sigmix_table_resize(t, ROWS))
        return die("table");
    uint64_t seed = 1;
    for (int c = 0; c <= COLS; c++) {
        char name[32];
        size_t idx;
        snprintf(name, sizeof name, c ? "f%05d" : "mos", c);
        if (sigmix_table_add_column(t, name, SIGMIX_KIND_DOUBLE, &idx))
            return die("column");
        for (size_t r = 0; r < ROWS; r++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            double u = (double)(seed >> 11) / 9007199254740992.0;
            if (c && u < 0.5)
                continue; /* mostly missing, as in the table */
            sigmix_table_set_double(t, idx, r, c ? u : (double)r);
        }
    }
    sigmix_audit_settings s;
    sigmix_audit_default_settings(&s);
    s.threads = 1;
    sigmix_audit *a = NULL;
    sigmix_error err = { 0, "" };
    if (sigmix_audit_open(&a, &s, &err) || sigmix_audit_add_table(a, "wide", NULL, t, &err))
        return die(err.message);
    sigmix_table_free(&t);
    const sigmix_audit_result *r = sigmix_audit_result_at(a, 0);
    char path[] = "/tmp/sigmix_wide_XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f)
        return die("scratch file");
    int rc = sigmix_audit_write_json(a, f, path, NULL, &err);
    fclose(f);
    struct stat st;
    stat(path, &st);
    unlink(path);
    if (rc)
        return die(err.message);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double mb = (double)ru.ru_maxrss / 1024.0;
    printf("%d columns x %d rows: peak RSS %.0f MB, JSON report %.1f MB, %zu redundant pairs, "
           "%zu intersections\n", COLS, ROWS, mb, (double)st.st_size / 1e6, r->n_redundant_pairs,
           r->n_intersections);
    if (r->signal_columns.n != COLS)
        return die("signal columns");
    /* ThreadSanitizer's shadow memory is several times the program's own:
     * there this test looks for races only (make test-tsan). */
    if (mb >= 1024 && !TSAN)
        return die("peak RSS above 1 GB");
    /* Without pair lists the report is per-column: a few hundred bytes each. */
    if (r->n_redundant_pairs == 0 && r->n_intersections == 0 && st.st_size > 1000 * COLS)
        return die("report larger than its per-column content explains");
    sigmix_audit_close(&a);
    return 0;
}
