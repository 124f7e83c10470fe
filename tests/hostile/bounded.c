/*
 * bounded: run a command and report what it cost.
 *
 *   bounded SECONDS MAX_RSS_MB -- PROGRAM ARGS...
 *
 * Runs PROGRAM (stdin inherited), waits at most SECONDS (then kills its
 * whole process group) and measures the child's peak RSS with wait4's
 * rusage, so the numbers come from the kernel, not from the program under
 * test. Prints one line "status=N rss_mb=M wall_s=S" on stderr and exits:
 *   the child's exit status when it ended normally within both bounds,
 *   124 when it ran out of time, 125 when it passed MAX_RSS_MB,
 *   128+SIG when a signal killed it (a crash).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    if (argc < 5 || strcmp(argv[3], "--") != 0) {
        fprintf(stderr, "usage: bounded SECONDS MAX_RSS_MB -- PROGRAM ARGS...\n");
        return 2;
    }
    double limit = atof(argv[1]);
    long max_mb = atol(argv[2]);
    double t0 = now();
    pid_t pid = fork();
    if (pid < 0) {
        perror("bounded: fork");
        return 2;
    }
    if (pid == 0) {
        setpgid(0, 0);
        execvp(argv[4], argv + 4);
        fprintf(stderr, "bounded: %s: %s\n", argv[4], strerror(errno));
        _exit(127);
    }
    setpgid(pid, pid);
    int status = 0, timed_out = 0;
    struct rusage ru;
    for (;;) {
        pid_t r = wait4(pid, &status, WNOHANG, &ru);
        if (r == pid)
            break;
        if (r < 0 && errno != EINTR) {
            perror("bounded: wait4");
            return 2;
        }
        if (now() - t0 > limit && !timed_out) {
            timed_out = 1;
            kill(-pid, SIGKILL);
        }
        usleep(2000);
    }
    double wall = now() - t0;
    long rss_mb = ru.ru_maxrss / 1024;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    fprintf(stderr, "status=%d rss_mb=%ld wall_s=%.2f\n", code, rss_mb, wall);
    if (timed_out)
        return 124;
    if (rss_mb > max_mb)
        return 125;
    return code;
}
