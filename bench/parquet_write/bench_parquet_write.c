/*
 * Parquet write throughput per codec for a synthetic feature table
 * (default 150,000 rows x 110 columns: 100 doubles, 5 int64, 3 strings,
 * 2 booleans, a few nulls). Reports best-of-N MB/s of column data
 * (8 bytes per number, string bytes, 1 per boolean) and the file size.
 * Usage: bench_parquet_write [ROWS] [REPEATS] [DIR]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sigmix/table.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static sigmix_table *make_table(size_t rows, double *bytes)
{
    sigmix_table *t;
    char name[32];
    if (sigmix_table_create(&t))
        return NULL;
    for (int c = 0; c < 110; c++) {
        sigmix_kind k = c < 100 ? SIGMIX_KIND_DOUBLE : c < 105 ? SIGMIX_KIND_INT64
                      : c < 108 ? SIGMIX_KIND_STRING : SIGMIX_KIND_BOOL;
        snprintf(name, sizeof name, "f%03d", c);
        if (sigmix_table_add_column(t, name, k, NULL))
            return NULL;
    }
    if (sigmix_table_resize(t, rows))
        return NULL;
    unsigned s = 12345;
    *bytes = 0;
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < 110; c++) {
            s = s * 1103515245u + 12345u;
            if (c % 10 == 3 && s % 50 == 0)
                continue; /* ~2% nulls in some columns */
            if (c < 100) {
                sigmix_table_set_double(t, c, r, sin((double)(r * 110 + c)) * (c + 1));
                *bytes += 8;
            } else if (c < 105) {
                sigmix_table_set_int64(t, c, r, (int64_t)(r * (c - 99)));
                *bytes += 8;
            } else if (c < 108) {
                snprintf(name, sizeof name, "label-%u", (s >> 8) % 40);
                sigmix_table_set_string(t, c, r, name, strlen(name));
                *bytes += (double)strlen(name);
            } else {
                sigmix_table_set_bool(t, c, r, (int)(s >> 9) & 1);
                *bytes += 1;
            }
        }
    return t;
}

int main(int argc, char **argv)
{
    size_t rows = argc > 1 ? strtoul(argv[1], NULL, 10) : 150000;
    int reps = argc > 2 ? atoi(argv[2]) : 3;
    const char *dir = argc > 3 ? argv[3] : "/tmp";
    double bytes;
    sigmix_table *t = make_table(rows, &bytes);
    if (!t) {
        fprintf(stderr, "bench_parquet_write: out of memory\n");
        return 1;
    }
    static const struct { const char *name; sigmix_compression c; } codecs[] = {
        { "none", SIGMIX_COMPRESSION_NONE }, { "snappy", SIGMIX_COMPRESSION_SNAPPY },
        { "zstd", SIGMIX_COMPRESSION_ZSTD }, { "gzip", SIGMIX_COMPRESSION_GZIP },
    };
    char path[512];
    snprintf(path, sizeof path, "%s/sigmix-bench-%d.parquet", dir, (int)getpid());
    printf("parquet write: %zu rows x 110 columns, %.1f MB of column data, best of %d\n",
           rows, bytes / 1e6, reps);
    for (size_t k = 0; k < sizeof codecs / sizeof *codecs; k++) {
        sigmix_write_options o;
        sigmix_write_options_default(&o);
        o.compression = codecs[k].c;
        double best = 1e30;
        for (int i = 0; i < reps; i++) {
            sigmix_error err = { 0 };
            double t0 = now();
            if (sigmix_table_write(t, path, &o, &err)) {
                fprintf(stderr, "bench_parquet_write: %s\n", err.message);
                return 1;
            }
            double dt = now() - t0;
            if (dt < best)
                best = dt;
        }
        FILE *f = fopen(path, "rb");
        long size = 0;
        if (f) {
            fseek(f, 0, SEEK_END);
            size = ftell(f);
            fclose(f);
        }
        printf("  %-7s %7.3f s  %8.1f MB/s  file %6.1f MB\n", codecs[k].name, best,
               bytes / 1e6 / best, size / 1e6);
    }
    unlink(path);
    sigmix_table_free(&t);
    return 0;
}
