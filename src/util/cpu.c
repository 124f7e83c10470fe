/*
 * CPU count for automatic thread counts: affinity mask capped by the cgroup
 * quota. Online cores overcount under taskset, Slurm and containers, and
 * oversubscribed workers only add contention.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/cpu.h"

static int affinity_count(void)
{
    /* The mask may exceed CPU_SETSIZE on very large machines: grow it. */
    for (int ncpu = 1024; ncpu <= 1 << 20; ncpu *= 4) {
        cpu_set_t *set = CPU_ALLOC((size_t)ncpu);
        if (!set)
            return 0;
        size_t sz = CPU_ALLOC_SIZE((size_t)ncpu);
        CPU_ZERO_S(sz, set);
        if (sched_getaffinity(0, sz, set) == 0) {
            int n = CPU_COUNT_S(sz, set);
            CPU_FREE(set);
            return n;
        }
        CPU_FREE(set);
    }
    return 0;
}

/* First line of a small file into buf; 0 or -1. */
static int read_small(const char *path, char *buf, size_t n)
{
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    int ok = fgets(buf, (int)n, f) != NULL;
    fclose(f);
    return ok ? 0 : -1;
}

/* CPUs (rounded up) for quota/period; 0: no limit. */
static long cpus_of(long long quota, long long period)
{
    if (quota <= 0 || period <= 0)
        return 0;
    long long c = (quota + period - 1) / period;
    return c > 1 << 20 ? 1 << 20 : (long)c;
}

/* cgroup v2: cpu.max is "max PERIOD" or "QUOTA PERIOD". */
static long v2_limit(const char *dir)
{
    char path[4096], line[128];
    long long q, p;
    if (snprintf(path, sizeof path, "%s/cpu.max", dir) >= (int)sizeof path
        || read_small(path, line, sizeof line))
        return 0;
    if (sscanf(line, "%lld %lld", &q, &p) != 2)
        return 0; /* "max ..." */
    return cpus_of(q, p);
}

/* cgroup v1: cpu.cfs_quota_us (-1: none) and cpu.cfs_period_us. */
static long v1_limit(const char *dir)
{
    char path[4096], line[128];
    long long q, p;
    if (snprintf(path, sizeof path, "%s/cpu.cfs_quota_us", dir) >= (int)sizeof path
        || read_small(path, line, sizeof line) || sscanf(line, "%lld", &q) != 1)
        return 0;
    if (snprintf(path, sizeof path, "%s/cpu.cfs_period_us", dir) >= (int)sizeof path
        || read_small(path, line, sizeof line) || sscanf(line, "%lld", &p) != 1)
        return 0;
    return cpus_of(q, p);
}

static long min_limit(long a, long b)
{
    return !a ? b : !b ? a : a < b ? a : b;
}

/*
 * The smallest limit on base/rel and each ancestor up to base: a parent's
 * quota binds its children. Inside a container the process's own path is
 * often not visible under the mount, which then is the container's cgroup
 * and is checked as base itself.
 */
static long walk_limit(const char *base, const char *rel, long (*limit)(const char *))
{
    char dir[4096];
    if (snprintf(dir, sizeof dir, "%s%s", base, rel) >= (int)sizeof dir)
        return limit(base);
    long best = 0;
    size_t bl = strlen(base);
    for (;;) {
        best = min_limit(best, limit(dir));
        char *slash = strrchr(dir + bl, '/');
        if (!slash)
            break;
        *slash = '\0';
    }
    return min_limit(best, limit(base));
}

int sigmix_cpu_quota_at(const char *cgroup_root, const char *proc_cgroup)
{
    FILE *f = fopen(proc_cgroup, "re");
    char line[4096];
    long v2 = 0, v1 = 0;
    if (f) {
        while (fgets(line, sizeof line, f)) {
            line[strcspn(line, "\n")] = '\0';
            /* "ID:CONTROLLERS:PATH"; v2 is "0::PATH" */
            char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
            if (!c2)
                continue;
            const char *rel = strcmp(c2 + 1, "/") ? c2 + 1 : "";
            if (c2 == c1 + 1 && !strncmp(line, "0:", 2)) {
                v2 = walk_limit(cgroup_root, rel, v2_limit);
                continue;
            }
            *c2 = '\0';
            char ctl[512];
            snprintf(ctl, sizeof ctl, ",%s,", c1 + 1);
            if (!strstr(ctl, ",cpu,"))
                continue;
            /* the v1 cpu controller is mounted as cpu,cpuacct or cpu */
            static const char *const mounts[] = { "cpu,cpuacct", "cpu", "cpuacct,cpu" };
            for (size_t i = 0; i < sizeof mounts / sizeof *mounts && !v1; i++) {
                char base[4096];
                if (snprintf(base, sizeof base, "%s/%s", cgroup_root, mounts[i])
                    < (int)sizeof base)
                    v1 = walk_limit(base, rel, v1_limit);
            }
        }
        fclose(f);
    }
    if (!f)
        v2 = v2_limit(cgroup_root); /* no /proc: the mount itself may still say */
    return (int)min_limit(v2, v1);
}

int sigmix_cpu_count_at(const char *cgroup_root, const char *proc_cgroup, int affinity)
{
    int n = affinity > 0 ? affinity : affinity_count();
    if (n <= 0) {
        long on = sysconf(_SC_NPROCESSORS_ONLN);
        n = on > 0 && on < 1 << 20 ? (int)on : 1;
    }
    int q = sigmix_cpu_quota_at(cgroup_root, proc_cgroup);
    if (q > 0 && q < n)
        n = q;
    return n < 1 ? 1 : n;
}

int sigmix_cpu_count(void)
{
    return sigmix_cpu_count_at("/sys/fs/cgroup", "/proc/self/cgroup", 0);
}
