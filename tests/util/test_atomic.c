/*
 * The output rule for one file (util/atomic.h): umask untouched, modes,
 * symlinks written through, FIFOs and devices written in place, missing
 * folders, stale temporaries of dead runs. Runs in a scratch folder.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/atomic.h"

/*
 * The library must never call umask (it is process-wide: another thread
 * creating a file meanwhile would get mode 0666). This definition takes
 * the place of libc's for the statically linked library and counts calls.
 */
static int umask_calls;
mode_t umask(mode_t m)
{
    umask_calls++;
    return (mode_t)syscall(SYS_umask, m);
}

static char dir[256];

static void path_in(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/%s", dir, name);
}

static void put(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static char *slurp(const char *path)
{
    static char buf[4096];
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static int write_output(const char *path, const char *text, sigmix_error *err)
{
    sigmix_atomic a;
    int r = sigmix_atomic_open(&a, path, 1, err);
    if (r)
        return r;
    fputs(text, a.f);
    return sigmix_atomic_commit(&a, err);
}

/* Entries of the scratch folder whose name contains s. */
static int count_named(const char *s)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += strstr(e->d_name, s) != NULL;
    closedir(d);
    return n;
}

static void test_umask_untouched(void **state)
{
    (void)state;
    char p[512];
    sigmix_error err = { 0 };
    mode_t old = (mode_t)syscall(SYS_umask, 027);
    umask_calls = 0;
    path_in(p, sizeof p, "new/sub/out.txt");
    assert_int_equal(write_output(p, "x\n", &err), 0);
    assert_int_equal(umask_calls, 0);
    struct stat st;
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0640); /* 0666 & ~027, like any new file */
    path_in(p, sizeof p, "new/sub");
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0750);
    syscall(SYS_umask, old);
}

static void test_keeps_mode(void **state)
{
    (void)state;
    char p[512];
    sigmix_error err = { 0 };
    path_in(p, sizeof p, "private.txt");
    put(p, "old\n");
    assert_int_equal(chmod(p, 0604), 0);
    assert_int_equal(write_output(p, "new\n", &err), 0);
    struct stat st;
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0604);
    assert_string_equal(slurp(p), "new\n");
}

static void test_symlink_chain(void **state)
{
    (void)state;
    char target[512], l1[512], l2[512];
    sigmix_error err = { 0 };
    path_in(target, sizeof target, "real/target.txt");
    path_in(l1, sizeof l1, "l1.txt");
    path_in(l2, sizeof l2, "links/l2.txt");
    assert_int_equal(write_output(target, "old\n", &err), 0);
    assert_int_equal(write_output(l2, "", &err), 0); /* makes links/ */
    unlink(l2);
    /* l1 -> links/l2.txt (relative to l1's folder) -> ../real/target.txt
     * (relative to links/, not to the current folder) */
    assert_int_equal(symlink("links/l2.txt", l1), 0);
    assert_int_equal(symlink("../real/target.txt", l2), 0);
    assert_int_equal(write_output(l1, "new\n", &err), 0);
    struct stat st;
    assert_int_equal(lstat(l1, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_int_equal(lstat(l2, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_string_equal(slurp(target), "new\n");
    /* A dangling link creates its target (and its folders); it stays a link. */
    char dang[512], made[512];
    path_in(dang, sizeof dang, "dangling.txt");
    path_in(made, sizeof made, "made/by/link.txt");
    assert_int_equal(symlink("made/by/link.txt", dang), 0);
    assert_int_equal(write_output(dang, "via link\n", &err), 0);
    assert_int_equal(lstat(dang, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_string_equal(slurp(made), "via link\n");
    assert_int_equal(count_named("sigmix-tmp"), 0);
}

static void test_fifo_in_place(void **state)
{
    (void)state;
    char fifo[512], got[512];
    sigmix_error err = { 0 };
    path_in(fifo, sizeof fifo, "pipe");
    path_in(got, sizeof got, "pipe.got");
    assert_int_equal(mkfifo(fifo, 0600), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) { /* the reader; never hangs the test */
        alarm(10);
        int in = open(fifo, O_RDONLY), out = open(got, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        char buf[256];
        ssize_t n;
        while (in >= 0 && (n = read(in, buf, sizeof buf)) > 0)
            if (write(out, buf, (size_t)n) != n)
                _exit(1);
        _exit(in >= 0 && out >= 0 && !close(out) ? 0 : 1);
    }
    alarm(20);
    int r = write_output(fifo, "through the pipe\n", &err);
    int status = 0;
    waitpid(pid, &status, 0);
    alarm(0);
    assert_int_equal(r, 0);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_string_equal(slurp(got), "through the pipe\n");
    struct stat st;
    assert_int_equal(lstat(fifo, &st), 0);
    assert_true(S_ISFIFO(st.st_mode));
    assert_int_equal(count_named("sigmix-tmp"), 0);
}

/* A full device: ENOSPC is reported and the device stays a device. A copy
 * of /dev/full made in the scratch folder is tried first, so a broken
 * build damages only that copy; then /dev/full itself. */
static void check_full(const char *dev)
{
    sigmix_error err = { 0 };
    sigmix_atomic a;
    assert_int_equal(sigmix_atomic_open(&a, dev, 1, &err), 0);
    for (int i = 0; i < 2000; i++)
        fputs("0123456789012345678901234567890123456789\n", a.f);
    assert_int_equal(sigmix_atomic_commit(&a, &err), SIGMIX_EIO);
    assert_non_null(strstr(err.message, "No space left on device"));
    struct stat st;
    assert_int_equal(lstat(dev, &st), 0);
    assert_true(S_ISCHR(st.st_mode));
}

static void test_char_device(void **state)
{
    (void)state;
    char dev[512];
    path_in(dev, sizeof dev, "full");
    int fd = -1;
    if (mknod(dev, S_IFCHR | 0666, makedev(1, 7)) == 0 && (fd = open(dev, O_WRONLY)) >= 0) {
        close(fd);
        check_full(dev);
    } else { /* not root, or a nodev file system */
        print_message("no device copy here (%s): /dev/full only\n", strerror(errno));
    }
    struct stat st;
    if (stat("/dev/full", &st) || !S_ISCHR(st.st_mode))
        skip();
    check_full("/dev/full");
    assert_int_equal(count_named("sigmix-tmp"), 0);
}

static void test_folder_refused(void **state)
{
    (void)state;
    char p[512];
    sigmix_error err = { 0 };
    sigmix_atomic a;
    path_in(p, sizeof p, "afolder");
    assert_int_equal(mkdir(p, 0777), 0);
    assert_int_equal(sigmix_atomic_open(&a, p, 1, &err), SIGMIX_EIO);
    assert_string_equal(err.message, "is a folder, not a file");
}

static void test_stale_removed(void **state)
{
    (void)state;
    char out[512], dead[512], live[512], other[512];
    sigmix_error err = { 0 };
    pid_t pid = fork(); /* a PID that surely no longer exists once reaped */
    if (pid == 0)
        _exit(0);
    waitpid(pid, NULL, 0);
    path_in(out, sizeof out, "stale.json");
    snprintf(dead, sizeof dead, "%s/.stale.json.sigmix-tmp.%ld.00112233aabbccdd", dir, (long)pid);
    snprintf(live, sizeof live, "%s/.stale.json.sigmix-tmp.%ld.00112233aabbccdd", dir,
             (long)getppid());
    snprintf(other, sizeof other, "%s/.other.json.sigmix-tmp.%ld.00112233aabbccdd", dir,
             (long)pid);
    put(dead, "half");
    put(live, "busy");
    put(other, "not ours to judge");
    assert_int_equal(write_output(out, "{}\n", &err), 0);
    assert_int_equal(access(dead, F_OK), -1);  /* its run is gone */
    assert_int_equal(access(live, F_OK), 0);   /* a live run's file is left alone */
    assert_int_equal(access(other, F_OK), 0);  /* another output's temporary too */
    unlink(live);
    unlink(other);
}

static void test_abort_leaves_previous(void **state)
{
    (void)state;
    char p[512];
    sigmix_error err = { 0 };
    sigmix_atomic a;
    path_in(p, sizeof p, "keep.txt");
    put(p, "previous\n");
    assert_int_equal(sigmix_atomic_open(&a, p, 1, &err), 0);
    fputs("half", a.f);
    sigmix_atomic_abort(&a);
    assert_string_equal(slurp(p), "previous\n");
    assert_int_equal(count_named("sigmix-tmp"), 0);
}

/* Byte k of the large output: a pattern that shows a lost or moved piece. */
static unsigned char pattern(size_t k)
{
    return (unsigned char)(k * 2654435761u >> 13);
}

/* 13 MiB in writes of mixed sizes (a byte, stdio-buffered runs, pieces
 * larger than the buffer): the temporary's stream starts writeback every
 * few MiB, and the committed file must hold every byte in order. */
static void test_large_output(void **state)
{
    (void)state;
    char p[512];
    sigmix_error err = { 0 };
    sigmix_atomic a;
    const size_t total = (size_t)13 << 20;
    unsigned char *buf = malloc(total);
    assert_non_null(buf);
    for (size_t k = 0; k < total; k++)
        buf[k] = pattern(k);
    path_in(p, sizeof p, "large.bin");
    put(p, "previous\n");
    assert_int_equal(sigmix_atomic_open(&a, p, 1, &err), 0);
    static const size_t steps[] = { 1, 100, 4095, 70000, 1 << 20, 3 };
    for (size_t at = 0, i = 0; at < total; i++) {
        size_t n = steps[i % 6] < total - at ? steps[i % 6] : total - at;
        assert_int_equal(fwrite(buf + at, 1, n, a.f), n);
        at += n;
    }
    assert_int_equal(sigmix_atomic_commit(&a, &err), 0);
    FILE *f = fopen(p, "rb");
    assert_non_null(f);
    unsigned char *back = malloc(total + 1);
    assert_non_null(back);
    assert_int_equal(fread(back, 1, total + 1, f), total);
    fclose(f);
    assert_memory_equal(back, buf, total);
    assert_int_equal(count_named("sigmix-tmp"), 0);
    free(back);
    free(buf);
}

/* A write that fails (the file size limit, as a full disk would) is
 * reported at commit and the previous file stays. */
static void test_write_error_reported(void **state)
{
    (void)state;
    char p[512];
    sigmix_error err = { 0 };
    sigmix_atomic a;
    struct rlimit old, lim;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    path_in(p, sizeof p, "limited.txt");
    put(p, "previous\n");
    assert_int_equal(sigmix_atomic_open(&a, p, 1, &err), 0);
    void (*was)(int) = signal(SIGXFSZ, SIG_IGN); /* EFBIG instead of the signal */
    lim = old;
    lim.rlim_cur = 1 << 20;
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    static char block[1 << 16];
    memset(block, 'x', sizeof block);
    for (int i = 0; i < 40; i++)
        fwrite(block, 1, sizeof block, a.f);
    int r = sigmix_atomic_commit(&a, &err);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, was);
    assert_int_equal(r, SIGMIX_EIO);
    assert_non_null(strstr(err.message, "cannot write output"));
    assert_string_equal(slurp(p), "previous\n");
    assert_int_equal(count_named("sigmix-tmp"), 0);
}

int main(void)
{
    snprintf(dir, sizeof dir, "%s/sigmix-atomic-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(dir))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_umask_untouched),
        cmocka_unit_test(test_keeps_mode),
        cmocka_unit_test(test_symlink_chain),
        cmocka_unit_test(test_fifo_in_place),
        cmocka_unit_test(test_char_device),
        cmocka_unit_test(test_folder_refused),
        cmocka_unit_test(test_stale_removed),
        cmocka_unit_test(test_abort_leaves_previous),
        cmocka_unit_test(test_large_output),
        cmocka_unit_test(test_write_error_reported),
    };
    int r = cmocka_run_group_tests(tests, NULL, NULL);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        r = r ? r : 1;
    return r;
}
