/*
 * Table reader benchmark: reads a table (any text format sigmix reads,
 * compressed or not) N times and reports the best wall time, MB/s of
 * input bytes and the table shape. Optionally writes the table back out.
 *   tableio_read FILE [--repeat N] [--threads N] [--columns a,b] [--write OUT]
 * Reports only; never fails on timing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "sigmix/table.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    const char *path = NULL, *out = NULL;
    int repeat = 1;
    sigmix_read_options o;
    sigmix_read_options_default(&o);
    char *cols[256];
    size_t ncols = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--repeat") && i + 1 < argc)
            repeat = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
            o.threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--write") && i + 1 < argc)
            out = argv[++i];
        else if (!strcmp(argv[i], "--columns") && i + 1 < argc) {
            for (char *t = strtok(argv[++i], ","); t && ncols < 256; t = strtok(NULL, ","))
                cols[ncols++] = t;
            o.columns = (const char *const *)cols;
            o.ncolumns = ncols;
        } else
            path = argv[i];
    }
    if (!path) {
        fprintf(stderr, "usage: tableio_read FILE [--repeat N] [--threads N] [--columns a,b] [--write OUT]\n");
        return 2;
    }
    struct stat st;
    double best = 1e30, size = stat(path, &st) ? 0 : (double)st.st_size;
    sigmix_table *t = NULL;
    for (int k = 0; k < repeat; k++) {
        sigmix_error err = { 0 };
        sigmix_table_free(&t);
        double t0 = now();
        if (sigmix_table_read(path, &o, &t, &err)) {
            fprintf(stderr, "sigmix: %s: %s\n", path, err.message);
            return 2;
        }
        double dt = now() - t0;
        if (dt < best)
            best = dt;
    }
    size_t kinds[5] = { 0 };
    for (size_t i = 0; i < sigmix_table_cols(t); i++)
        kinds[sigmix_table_col(t, i)->kind]++;
    printf("%s: rows=%zu cols=%zu (double=%zu int64=%zu bool=%zu string=%zu json=%zu) "
           "best=%.3f s  %.0f MB/s\n", path, sigmix_table_rows(t), sigmix_table_cols(t),
           kinds[0], kinds[1], kinds[2], kinds[3], kinds[4], best, size / 1e6 / best);
    if (out) {
        sigmix_error err = { 0 };
        if (sigmix_table_write(t, out, NULL, &err)) {
            fprintf(stderr, "sigmix: %s: %s\n", out, err.message);
            return 2;
        }
    }
    sigmix_table_free(&t);
    return 0;
}
