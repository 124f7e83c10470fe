/*
 * How many threads "automatic" (a thread count of 0) means, decided in one
 * place for every layer: the CPUs this process may run on, not the cores
 * the machine has.
 */
#ifndef SIGMIX_UTIL_CPU_H
#define SIGMIX_UTIL_CPU_H

/**
 * The CPUs available to this process: the size of its affinity mask
 * (sched_getaffinity: taskset, Slurm's task binding, a cpuset cgroup),
 * capped by the cgroup CPU quota rounded up (cgroup v2 cpu.max of the
 * process's cgroup and its ancestors; cgroup v1 cpu.cfs_quota_us /
 * cpu.cfs_period_us as a fallback). Always >= 1. Reads /proc and /sys on
 * every call: callers ask once per run.
 */
int sigmix_cpu_count(void);

/**
 * Internal, for tests: the same with the cgroup mount point (normally
 * "/sys/fs/cgroup") and the process's cgroup list (normally
 * "/proc/self/cgroup") given, and the affinity count passed in (<= 0:
 * ask sched_getaffinity).
 */
int sigmix_cpu_count_at(const char *cgroup_root, const char *proc_cgroup, int affinity);

/**
 * Internal, for tests: the cgroup CPU quota in CPUs, rounded up (a quota of
 * 1.5 CPUs gives 2); 0 when there is none or it cannot be read.
 */
int sigmix_cpu_quota_at(const char *cgroup_root, const char *proc_cgroup);

#endif
