/*
 * Allocation failure in the Parquet reader and writer (D17): the n-th
 * malloc/calloc/realloc fails, for every n until a run needs no more.
 * Each run must fail cleanly (an error code, never a crash) or succeed;
 * under ASan, leaks and bad frees in the cleanup paths show up too.
 * Linked with tests/hostile/allocfail.c; one thread for a fixed order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "allocfail.h"
#include "sigmix/table.h"
#include "pq_pyarrow_file.h"

/* Read `in` and write it to `out` with the n-th allocation failing. */
static int run(const char *in, const char *out, long n, int *hit)
{
    sigmix_read_options o;
    sigmix_read_options_default(&o);
    o.threads = 1;
    sigmix_table *t = NULL;
    sigmix_error err = { 0, "" };
    allocfail_arm(n + 1); /* n allocations succeed, the next fails */
    int r = sigmix_table_read(in, &o, &t, &err);
    if (!r) {
        const char *kv[] = { "sigmix.test", "1", NULL, NULL };
        sigmix_write_options w;
        sigmix_write_options_default(&w);
        w.kv_metadata = kv;
        r = sigmix_table_write(t, out, &w, &err);
    }
    allocfail_disarm();
    sigmix_table_free(&t);
    *hit = allocfail_hit();
    if (r && !err.message[0]) {
        fprintf(stderr, "allocation %ld: error %d without a message\n", n, r);
        return -1;
    }
    if (!*hit && r) {
        fprintf(stderr, "allocation %ld: failed without an allocation failure: %s\n", n,
                err.message);
        return -1;
    }
    return 0;
}

static int sweep(const char *in, const char *out)
{
    for (long n = 0; n < 100000; n++) {
        int hit;
        if (run(in, out, n, &hit))
            return 1;
        if (!hit) {
            printf("%s: %ld allocation points, each failing cleanly\n", in, n);
            return 0;
        }
    }
    fprintf(stderr, "%s: too many allocations\n", in);
    return 1;
}

int main(void)
{
    char dir[] = "/tmp/sigmix-pqalloc-XXXXXX", file[128], sub[128], b[160], out[160], cmd[200];
    if (!mkdtemp(dir))
        return 1;
    snprintf(file, sizeof file, "%s/in.parquet", dir);
    snprintf(sub, sizeof sub, "%s/ds", dir);
    snprintf(b, sizeof b, "%s/ds/b.parquet", dir);
    snprintf(out, sizeof out, "%s/out.parquet", dir);
    mkdir(sub, 0755);
    int r = pyarrow_file(file) || pyarrow_file(b);
    snprintf(b, sizeof b, "%s/ds/a.parquet", dir);
    r = r || pyarrow_file(b);
    r = r || sweep(file, out) || sweep(sub, out);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd))
        r = 1;
    return r;
}
