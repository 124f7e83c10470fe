/*
 * Parquet read benchmark (bench only): reads FILE REPS times with the
 * given thread count (0 = all cores) and prints the best wall time, the
 * decode throughput in MB/s of uncompressed column data (the column
 * chunks' total_uncompressed_size from the footer) and peak RSS.
 * Usage: pq_bench FILE [REPS] [THREADS]
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sigmix/table.h"
#include "table/parquet/pq_meta.h"

static double cpu_now(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
}

/* Bytes of column arrays the table holds (valid + f64/i64/str). */
static size_t table_bytes(const sigmix_table *t)
{
    size_t b = 0;
    for (size_t c = 0; c < sigmix_table_cols(t); c++) {
        const sigmix_column *col = sigmix_table_col(t, c);
        b += 1 + (col->f64 ? 8 : 0) + (col->i64 ? 8 : 0) + (col->str ? sizeof(sigmix_strref) : 0);
    }
    return b * sigmix_table_rows(t);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Footer sums: uncompressed bytes and codec name of the first chunk. */
static int footer_stats(const char *path, double *unc, double *comp, int *codec)
{
    int fd = open(path, O_RDONLY);
    struct stat st;
    uint8_t tail[8];
    if (fd < 0 || fstat(fd, &st) || pread(fd, tail, 8, st.st_size - 8) != 8)
        return -1;
    uint32_t flen = (uint32_t)tail[0] | (uint32_t)tail[1] << 8 | (uint32_t)tail[2] << 16 |
                    (uint32_t)tail[3] << 24;
    uint8_t *buf = malloc(flen);
    if (pread(fd, buf, flen, st.st_size - 8 - flen) != (ssize_t)flen)
        return -1;
    pq_file_meta m;
    if (sigmix_pq_meta_parse(buf, flen, &m, NULL))
        return -1;
    *unc = *comp = 0;
    *codec = 0;
    for (size_t g = 0; g < m.nrg; g++)
        for (size_t c = 0; c < m.rgs[g].ncols; c++) {
            *unc += (double)m.rgs[g].cols[c].total_uncompressed;
            *comp += (double)m.rgs[g].cols[c].total_compressed;
            *codec = m.rgs[g].cols[c].codec;
        }
    sigmix_pq_meta_free(&m);
    free(buf);
    close(fd);
    return 0;
}

int main(int argc, char **argv)
{
    static const char *codecs[] = { "none", "snappy", "gzip", "lzo", "brotli", "lz4", "zstd", "lz4_raw" };
    if (argc < 2)
        return 2;
    int reps = argc > 2 ? atoi(argv[2]) : 3, threads = argc > 3 ? atoi(argv[3]) : 0;
    double unc, comp, best = 1e30;
    int codec;
    if (footer_stats(argv[1], &unc, &comp, &codec)) {
        fprintf(stderr, "pq_bench: cannot read the footer of %s\n", argv[1]);
        return 1;
    }
    size_t rows = 0, cols = 0, bytes = 0;
    double best_cpu = 1e30;
    for (int i = 0; i < reps; i++) {
        sigmix_read_options o;
        sigmix_table *t = NULL;
        sigmix_error err = { 0, "" };
        sigmix_read_options_default(&o);
        o.threads = threads;
        double t0 = now(), c0 = cpu_now();
        if (sigmix_table_read(argv[1], &o, &t, &err)) {
            fprintf(stderr, "pq_bench: %s\n", err.message);
            return 1;
        }
        double dt = now() - t0, dc = cpu_now() - c0;
        if (dc < best_cpu)
            best_cpu = dc;
        bytes = table_bytes(t);
        rows = sigmix_table_rows(t);
        cols = sigmix_table_cols(t);
        sigmix_table_free(&t);
        if (dt < best)
            best = dt;
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    /* Floor on this machine: first touch of as much fresh memory as the
     * table's arrays (a VM may make this the dominant cost). */
    double floor = 1e30;
    for (int i = 0; i < reps && bytes; i++) {
        double t0 = now();
        char *p = malloc(bytes);
        if (!p)
            break;
        memset(p, 1, bytes);
        volatile char sink = p[bytes / 2]; /* keep the memset */
        (void)sink;
        double dt = now() - t0;
        free(p);
        if (dt < floor)
            floor = dt;
    }
    printf("%-8s %zu x %zu  file %.1f MB  uncompressed %.1f MB  best %.3f s wall (%.0f MB/s), %.3f s cpu  "
           "peak RSS %.0f MB  [first touch of %.0f MB: %.3f s]\n",
           codec >= 0 && codec < 8 ? codecs[codec] : "?", rows, cols, comp / 1e6, unc / 1e6,
           best, unc / 1e6 / best, best_cpu, (double)ru.ru_maxrss / 1024.0, (double)bytes / 1e6,
           floor);
    return 0;
}
