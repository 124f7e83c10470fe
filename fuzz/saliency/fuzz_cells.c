/*
 * Fuzz the small parsers of the saliency layer: a table cell as a path and
 * as a geometry (both as text and as the JSON text a mixed-type column
 * keeps), and the cgroup files behind the automatic thread count (the bytes
 * after the first NUL are /proc/self/cgroup, the rest before it cpu.max).
 * Nothing may crash, and a geometry is 0 or a whole number in 1..32768.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "saliency/columns.h"
#include "saliency/internal.h"
#include "util/cpu.h"

static void cells(const uint8_t *data, size_t size)
{
    sigmix_table *t;
    if (sigmix_table_create(&t))
        return;
    size_t c0, c1;
    if (!sigmix_table_resize(t, 1)
        && !sigmix_table_add_column(t, "s", SIGMIX_KIND_STRING, &c0)
        && !sigmix_table_add_column(t, "j", SIGMIX_KIND_JSON, &c1)
        && !sigmix_table_set_string(t, c0, 0, (const char *)data, size)
        && !sigmix_table_set_string(t, c1, 0, (const char *)data, size)) {
        for (size_t c = 0; c < 2; c++) {
            int d = sigmix_sal_cell_dim(t, (long)c, 0);
            if (d < 0 || d > SAL_MAX_DIM)
                abort();
            size_t len = 0;
            char *p = sigmix_sal_cell_path(sigmix_table_col(t, c), 0, &len);
            if (p && (strlen(p) != len))
                abort(); /* no NUL inside a path */
            free(p);
        }
    }
    sigmix_table_free(&t);
}

static void cgroup(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    if (!nul)
        return;
    char dir[] = "/tmp/sigmix-fuzz-cg-XXXXXX";
    if (!mkdtemp(dir))
        return;
    char proc[64], max[64];
    snprintf(proc, sizeof proc, "%s/cgroup", dir);
    snprintf(max, sizeof max, "%s/cpu.max", dir);
    FILE *f = fopen(max, "wb");
    if (f) {
        fwrite(data, 1, (size_t)(nul - data), f);
        fclose(f);
    }
    f = fopen(proc, "wb");
    if (f) {
        fwrite(nul + 1, 1, size - (size_t)(nul - data) - 1, f);
        fclose(f);
    }
    int n = sigmix_cpu_count_at(dir, proc, 4);
    if (n < 1 || n > 4)
        abort();
    unlink(proc);
    unlink(max);
    rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cells(data, size);
    cgroup(data, size);
    return 0;
}
