/*
 * spawn_loop K OUT PROGRAM [ARGS...]: start PROGRAM K times, one after the
 * other, its standard output written to OUT (truncated each time: a scratch
 * file, never /dev/null), and print the mean per run:
 *   wall_s=W cpu_s=C maxrss_kb=M
 * CPU is the children's user+sys time. A run that fails stops the loop
 * (exit 1, its status on stderr). Used by bench/startup.sh, where one start
 * is too short for /usr/bin/time's 10 ms resolution.
 */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static double tv(struct timeval t)
{
    return (double)t.tv_sec + (double)t.tv_usec * 1e-6;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: spawn_loop K OUT PROGRAM [ARGS...]\n");
        return 2;
    }
    long k = atol(argv[1]);
    if (k < 1)
        return 2;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long i = 0; i < k; i++) {
        pid_t pid;
        int st = 0;
        int rc = posix_spawn(&pid, argv[3], &fa, NULL, argv + 3, environ);
        if (rc) {
            fprintf(stderr, "spawn_loop: %s: %s\n", argv[3], strerror(rc));
            posix_spawn_file_actions_destroy(&fa);
            return 1;
        }
        if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st)) {
            fprintf(stderr, "spawn_loop: %s: exit status %d\n", argv[3],
                    WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
            posix_spawn_file_actions_destroy(&fa);
            return 1;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    double wall = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    printf("wall_s=%.6f cpu_s=%.6f maxrss_kb=%ld\n", wall / (double)k,
           (tv(ru.ru_utime) + tv(ru.ru_stime)) / (double)k, ru.ru_maxrss);
    posix_spawn_file_actions_destroy(&fa);
    return 0;
}
