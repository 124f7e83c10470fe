/*
 * The allocation-failure run over a fuzz target's seeds: linked with one
 * target's LLVMFuzzerTestOneInput and allocfail.c. For each seed it counts
 * the allocations of a clean call, then calls again with allocation n
 * failing, n = 1, 2, ... until a call no longer reaches n (sampled beyond
 * ALL_MAX allocations, see allocfail_next). A call must survive: no crash,
 * no abort from the target's own checks (a failure must say why, a table
 * read must read back), and under ASan no bad access, double free or leak
 * (LeakSanitizer reports at exit with the allocation's stack).
 *
 *   allocfail_fuzz_TARGET SEED_DIR_OR_FILE...
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "allocfail.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { ALL_MAX = 1500, HEAD = 400, SPREAD = 400 };

static long total_runs, total_inputs;

static int sweep(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = allocfail_real_malloc(n > 0 ? (size_t)n : 1);
    if (!buf || (n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n)) {
        fclose(f);
        free(buf);
        return 1;
    }
    fclose(f);
    allocfail_arm(0);
    LLVMFuzzerTestOneInput(buf, (size_t)n);
    long total = allocfail_disarm(), runs = 0;
    for (long k = allocfail_next(0, total, ALL_MAX, HEAD, SPREAD); k;
         k = allocfail_next(k, total, ALL_MAX, HEAD, SPREAD)) {
        allocfail_arm(k);
        LLVMFuzzerTestOneInput(buf, (size_t)n);
        allocfail_disarm();
        runs++;
        if (!allocfail_hit())
            break; /* this input's allocations vary: past the last one */
    }
    total_runs += runs;
    total_inputs++;
    if (getenv("SIGMIX_ALLOCFAIL_VERBOSE"))
        printf("%s: %ld allocations, %ld failing runs\n", path, total, runs);
    free(buf);
    return 0;
}

static int walk(const char *path)
{
    struct stat st;
    if (stat(path, &st)) {
        perror(path);
        return 1;
    }
    if (!S_ISDIR(st.st_mode))
        return sweep(path);
    struct dirent **names;
    int n = scandir(path, &names, NULL, alphasort); /* a fixed order */
    if (n < 0)
        return 1;
    int bad = 0;
    for (int i = 0; i < n; i++) {
        if (names[i]->d_name[0] != '.') {
            char sub[4096];
            snprintf(sub, sizeof sub, "%s/%s", path, names[i]->d_name);
            bad |= walk(sub);
        }
        free(names[i]);
    }
    free(names);
    return bad;
}

int main(int argc, char **argv)
{
    int bad = 0;
    for (int i = 1; i < argc; i++)
        bad |= walk(argv[i]);
    printf("%d inputs, %ld runs with one allocation failing, none crashed\n",
           (int)total_inputs, total_runs);
    return bad;
}
