/*
 * How many threads "automatic" (a thread count of 0) means, decided in one
 * place for every layer: the CPUs this process may run on, not the cores
 * the machine has.
 */
#ifndef SIGMIX_UTIL_CPU_H
#define SIGMIX_UTIL_CPU_H

#include "sigmix/util.h" /* sigmix_cpu_count */


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
