/*
 * Output sets (util/outset.h): all outputs or none, the previous files put
 * back when a rename fails midway, and the up-front output check.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/outset.h"

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

static void test_commit_together(void **state)
{
    (void)state;
    char a[512], b[512];
    sigmix_error err = { 0 };
    path_in(a, sizeof a, "r.json");
    path_in(b, sizeof b, "deep/r.md");
    put(a, "old json\n");
    sigmix_outset *s;
    FILE *fa, *fb;
    assert_int_equal(sigmix_outset_new(&s, &err), 0);
    assert_int_equal(sigmix_outset_add(s, a, &fa, &err), 0);
    assert_int_equal(sigmix_outset_add(s, b, &fb, &err), 0);
    fputs("new json\n", fa);
    /* nothing is visible before the commit */
    assert_string_equal(slurp(a), "old json\n");
    assert_null(slurp(b));
    fputs("new md\n", fb);
    assert_int_equal(sigmix_outset_commit(s, NULL, &err), 0);
    sigmix_outset_free(&s);
    assert_null(s);
    assert_string_equal(slurp(a), "new json\n");
    assert_string_equal(slurp(b), "new md\n");
    assert_int_equal(count_named("sigmix-"), 0);
}

/* The second rename fails (a folder took the report's place meanwhile):
 * the first output is put back as it was, nothing else is left. */
static void test_rename_failure_rolls_back(void **state)
{
    (void)state;
    char a[512], b[512], c[512], inner[512];
    sigmix_error err = { 0 };
    path_in(a, sizeof a, "t.json");
    path_in(c, sizeof c, "t.csv");
    path_in(b, sizeof b, "t.md");
    put(a, "old json\n");
    put(b, "old md\n");
    sigmix_outset *s;
    FILE *fa, *fb, *fc;
    assert_int_equal(sigmix_outset_new(&s, &err), 0);
    assert_int_equal(sigmix_outset_add(s, a, &fa, &err), 0);
    assert_int_equal(sigmix_outset_add(s, c, &fc, &err), 0); /* did not exist before */
    assert_int_equal(sigmix_outset_add(s, b, &fb, &err), 0);
    fputs("new json\n", fa);
    fputs("new csv\n", fc);
    fputs("new md\n", fb);
    assert_int_equal(unlink(b), 0);
    assert_int_equal(mkdir(b, 0777), 0);
    path_in(inner, sizeof inner, "t.md/keep");
    put(inner, "x");
    const char *failed = NULL;
    assert_int_equal(sigmix_outset_commit(s, &failed, &err), SIGMIX_EIO);
    assert_non_null(failed);
    assert_string_equal(failed, b);
    assert_non_null(strstr(err.message, "cannot rename output into place"));
    sigmix_outset_free(&s);
    assert_string_equal(slurp(a), "old json\n");
    assert_int_equal(access(c, F_OK), -1);
    assert_int_equal(count_named("sigmix-"), 0);
    unlink(inner);
    rmdir(b);
}

/* A write error in one output (a full device) publishes none of them. */
static void test_write_failure_publishes_nothing(void **state)
{
    (void)state;
    char a[512];
    sigmix_error err = { 0 };
    struct stat st;
    if (stat("/dev/full", &st) || !S_ISCHR(st.st_mode))
        skip();
    path_in(a, sizeof a, "w.json");
    put(a, "old\n");
    sigmix_outset *s;
    FILE *fa, *ff;
    assert_int_equal(sigmix_outset_new(&s, &err), 0);
    assert_int_equal(sigmix_outset_add(s, a, &fa, &err), 0);
    assert_int_equal(sigmix_outset_add(s, "/dev/full", &ff, &err), 0);
    fputs("new\n", fa);
    for (int i = 0; i < 2000; i++)
        fputs("0123456789012345678901234567890123456789\n", ff);
    const char *failed = NULL;
    assert_int_equal(sigmix_outset_commit(s, &failed, &err), SIGMIX_EIO);
    assert_string_equal(failed, "/dev/full");
    sigmix_outset_free(&s);
    assert_string_equal(slurp(a), "old\n");
    assert_int_equal(count_named("sigmix-"), 0);
    assert_int_equal(lstat("/dev/full", &st), 0);
    assert_true(S_ISCHR(st.st_mode));
}

static void test_free_aborts(void **state)
{
    (void)state;
    char a[512];
    sigmix_error err = { 0 };
    path_in(a, sizeof a, "f.json");
    sigmix_outset *s;
    FILE *fa;
    assert_int_equal(sigmix_outset_new(&s, &err), 0);
    assert_int_equal(sigmix_outset_add(s, a, &fa, &err), 0);
    fputs("never\n", fa);
    sigmix_outset_free(&s);
    assert_int_equal(access(a, F_OK), -1);
    assert_int_equal(count_named("sigmix-"), 0);
}

static void test_add_refuses_duplicates(void **state)
{
    (void)state;
    char a[512];
    sigmix_error err = { 0 };
    path_in(a, sizeof a, "d.json");
    sigmix_outset *s;
    FILE *f;
    assert_int_equal(sigmix_outset_new(&s, &err), 0);
    assert_int_equal(sigmix_outset_add(s, "-", &f, &err), 0);
    assert_ptr_equal(f, stdout);
    assert_int_equal(sigmix_outset_add(s, "/dev/stdout", &f, &err), SIGMIX_EINVAL);
    assert_int_equal(sigmix_outset_add(s, a, &f, &err), 0);
    err = (sigmix_error){ 0 };
    assert_int_equal(sigmix_outset_add(s, a, &f, &err), SIGMIX_EINVAL);
    assert_string_equal(err.message, "the same file is given as two outputs");
    sigmix_outset_free(&s);
    assert_int_equal(count_named("sigmix-"), 0);
}

static void test_check(void **state)
{
    (void)state;
    char folder[512], file[512], under_file[512], fresh[512], same1[512], same2[512];
    sigmix_error err = { 0 };
    size_t bad = 99;
    path_in(folder, sizeof folder, "cfolder");
    path_in(file, sizeof file, "cfile");
    path_in(under_file, sizeof under_file, "cfile/x.json");
    path_in(fresh, sizeof fresh, "not/yet/there.json");
    path_in(same1, sizeof same1, "same.json");
    snprintf(same2, sizeof same2, "%s/not/../same.json", dir);
    assert_int_equal(mkdir(folder, 0777), 0);
    put(file, "");

    const char *ok[] = { fresh, NULL, "-", file };
    assert_int_equal(sigmix_outputs_check(ok, 4, &bad, &err), 0);
    assert_int_equal(access(fresh, F_OK), -1); /* the check creates nothing */

    const char *two_stdout[] = { "-", "-" };
    assert_int_equal(sigmix_outputs_check(two_stdout, 2, &bad, &err), SIGMIX_EINVAL);
    assert_int_equal(bad, 1);
    assert_string_equal(err.message, "only one output can go to standard output");

    const char *isdir[] = { fresh, folder };
    err = (sigmix_error){ 0 };
    assert_int_equal(sigmix_outputs_check(isdir, 2, &bad, &err), SIGMIX_EIO);
    assert_int_equal(bad, 1);
    assert_string_equal(err.message, "is a folder, not a file");

    const char *notdir[] = { under_file };
    err = (sigmix_error){ 0 };
    assert_int_equal(sigmix_outputs_check(notdir, 1, &bad, &err), SIGMIX_EIO);
    assert_int_equal(bad, 0);
    assert_non_null(strstr(err.message, "is not a folder"));

    char sub[512];
    path_in(sub, sizeof sub, "not");
    assert_int_equal(mkdir(sub, 0777), 0);
    const char *same[] = { same1, same2 };
    err = (sigmix_error){ 0 };
    assert_int_equal(sigmix_outputs_check(same, 2, &bad, &err), SIGMIX_EINVAL);
    assert_int_equal(bad, 1);
    assert_string_equal(err.message, "the same file is given as two outputs");
}

static void test_owned_file(void **state)
{
    (void)state;
    char j[512], l[512];
    sigmix_error err = { 0 };
    path_in(j, sizeof j, "j.partial.jsonl");
    path_in(l, sizeof l, "l.partial.jsonl");
    assert_int_equal(sigmix_owned_file_check(j, &err), 0);
    put(j, "");
    assert_int_equal(sigmix_owned_file_check(j, &err), 0);
    assert_int_equal(symlink(j, l), 0);
    assert_int_equal(sigmix_owned_file_check(l, &err), SIGMIX_EINVAL);
    assert_non_null(strstr(err.message, "symbolic link"));
    err = (sigmix_error){ 0 };
    assert_int_equal(sigmix_owned_file_check(dir, &err), SIGMIX_EINVAL);
    assert_string_equal(err.message, "is not a regular file");
}

int main(void)
{
    snprintf(dir, sizeof dir, "%s/sigmix-outset-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(dir))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_commit_together),
        cmocka_unit_test(test_rename_failure_rolls_back),
        cmocka_unit_test(test_write_failure_publishes_nothing),
        cmocka_unit_test(test_free_aborts),
        cmocka_unit_test(test_add_refuses_duplicates),
        cmocka_unit_test(test_check),
        cmocka_unit_test(test_owned_file),
    };
    int r = cmocka_run_group_tests(tests, NULL, NULL);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        r = r ? r : 1;
    return r;
}
