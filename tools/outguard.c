/*
 * Program-side half of the output rule: when SIGINT, SIGTERM, SIGHUP or
 * SIGPIPE ends the run, remove this process's temporary files before it
 * dies (the library keeps no process-wide state, so the program does it).
 * The handler uses only async-signal-safe calls (open, getdents64,
 * unlinkat, raise) on names prepared before any work.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cmd.h"
#include "sigmix/output.h"

#define MAX_GUARDED 8

static struct {
    char dir[PATH_MAX];
    char prefix[256];
} guarded[MAX_GUARDED];
static volatile sig_atomic_t nguarded;

static const int guard_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };

static void remove_temps(const char *dir, const char *prefix)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return;
    size_t plen = strlen(prefix);
    union { char buf[8192]; uint64_t align; } u;
    long n;
    while ((n = syscall(SYS_getdents64, fd, u.buf, sizeof u.buf)) > 0) {
        for (long off = 0; off < n;) {
            /* struct linux_dirent64: ino (8), off (8), reclen (2), type (1), name */
            unsigned short reclen;
            memcpy(&reclen, u.buf + off + 16, sizeof reclen);
            const char *name = u.buf + off + 19;
            if (!strncmp(name, prefix, plen))
                unlinkat(fd, name, 0);
            off += reclen;
        }
    }
    close(fd);
}

static void on_signal(int sig)
{
    int saved = errno;
    for (sig_atomic_t i = 0; i < nguarded; i++)
        remove_temps(guarded[i].dir, guarded[i].prefix);
    signal(sig, SIG_DFL);
    raise(sig); /* die of the same signal: the caller sees 128 + sig */
    errno = saved;
}

void cmd_guard_outputs(const char *const *paths, size_t n)
{
    for (size_t i = 0; i < n && nguarded < MAX_GUARDED; i++) {
        char *dir, *prefix;
        if (!paths[i] || sigmix_atomic_tmp_prefix(paths[i], &dir, &prefix) != 1)
            continue;
        if (strlen(dir) < sizeof guarded[0].dir && strlen(prefix) < sizeof guarded[0].prefix) {
            strcpy(guarded[nguarded].dir, dir);
            strcpy(guarded[nguarded].prefix, prefix);
            nguarded++;
        }
        free(dir);
        free(prefix);
    }
    for (size_t k = 0; k < sizeof guard_signals / sizeof *guard_signals; k++) {
        struct sigaction old, sa;
        /* An ignored signal (nohup, a parent's SIG_IGN) stays ignored; a
         * handler installed by the command itself stays too. */
        if (sigaction(guard_signals[k], NULL, &old) || old.sa_handler != SIG_DFL)
            continue;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(guard_signals[k], &sa, NULL);
    }
}

int cmd_check_outputs(const char *const *paths, size_t n)
{
    sigmix_error err = { 0, "" };
    size_t bad = 0;
    if (sigmix_outputs_check(paths, n, &bad, &err)) {
        fprintf(stderr, "sigmix: %s: %s\n", paths[bad], err.message);
        return 2;
    }
    cmd_guard_outputs(paths, n);
    return 0;
}
