/*
 * Hostile Parquet files built here: chunks that claim overlapping bytes
 * across row groups and columns, row counts no page backs (D2), and
 * folders with symlink loops (D16). Each must end in its named error,
 * quickly, with peak RSS small (getrusage).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "sigmix/table.h"
#include "pq_build_multi.h"

static char dir[64], path[128];

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/sigmix-pqhostile-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(path, sizeof path, "%s/h.parquet", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static long peak_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static void expect(const char *p, int code, const char *msg)
{
    sigmix_table *t = NULL;
    sigmix_error err = { 0, "" };
    assert_int_equal(sigmix_table_read(p, NULL, &t, &err), code);
    assert_null(t);
    if (!strstr(err.message, msg))
        fail_msg("message '%s' lacks '%s'", err.message, msg);
}

/*
 * Two row groups x four double columns; every chunk claims the first
 * chunk's bytes, and each row group claims `rows` rows.
 */
static void build(int64_t rows, int overlap)
{
    static const pm_el schema[] = {
        { "a", 5, 1, 0, -1, 0, 0, 0 }, { "b", 5, 1, 0, -1, 0, 0, 0 },
        { "c", 5, 1, 0, -1, 0, 0, 0 }, { "d", 5, 1, 0, -1, 0, 0, 0 },
    };
    static const char *const paths[] = { "a", "b", "c", "d" };
    int64_t rg[2] = { rows, rows };
    uint8_t body[6 + 8];
    uint32_t len = 2;
    memcpy(body, &len, 4);
    body[4] = 2;   /* RLE run of 1 value: defined */
    body[5] = 1;
    double v = 1.5;
    memcpy(body + 6, &v, 8);
    pb_page pg = { .encoding = 0, .num_values = 1, .data = body, .len = sizeof body };
    pm_chunk ch[8];
    memset(ch, 0, sizeof ch);
    for (int i = 0; i < 8; i++) {
        ch[i].pages = &pg;
        ch[i].npages = 1;
        ch[i].num_values = rows;
        if (overlap)
            ch[i].force_off = 4;
    }
    pm_spec s = { schema, 4, 4, 4, 2, rg, ch, NULL, paths };
    uint8_t *p;
    size_t n = pm_build(&s, &p);
    assert_int_equal(pb_write(path, p, n), 0);
    free(p);
}

static void test_overlapping_chunks(void **state)
{
    (void)state;
    build(1, 1);
    expect(path, SIGMIX_EFORMAT,
           "column chunks overlap (row group 0 column 0 and row group 0 column 1)");
    assert_true(peak_rss_kb() < 200 * 1024);
}

/* 2 x 10^8 rows x 4 columns from a file of a few hundred bytes. */
static void test_rows_not_backed(void **state)
{
    (void)state;
    build(100000000, 0);
    expect(path, SIGMIX_EFORMAT, "row groups claim 800000000 values (200000000 rows), more than "
                                 "their");
    assert_true(peak_rss_kb() < 200 * 1024);
}

/* The same layout with honest claims reads. */
static void test_honest_file_reads(void **state)
{
    (void)state;
    build(1, 0);
    sigmix_table *t = NULL;
    sigmix_error err = { 0, "" };
    assert_int_equal(sigmix_table_read(path, NULL, &t, &err), 0);
    sigmix_table_free(&t);
}

static void copy_file(const char *to)
{
    build(1, 0);
    assert_int_equal(rename(path, to), 0);
}

/* D16: one loop (duplicate rows before) and two loops (a hang before). */
static void test_symlink_loops(void **state)
{
    (void)state;
    char d[128], sub[160], f[200], link[200];
    snprintf(d, sizeof d, "%s/ds", dir);
    snprintf(sub, sizeof sub, "%s/sub", d);
    assert_int_equal(mkdir(d, 0755), 0);
    assert_int_equal(mkdir(sub, 0755), 0);
    snprintf(f, sizeof f, "%s/a.parquet", d);
    copy_file(f);
    snprintf(link, sizeof link, "%s/up", sub);
    assert_int_equal(symlink("..", link), 0);
    expect(d, SIGMIX_EFORMAT, "symlink loop at sub/up");
    snprintf(link, sizeof link, "%s/up2", sub);
    assert_int_equal(symlink("../sub", link), 0);
    expect(d, SIGMIX_EFORMAT, "symlink loop at sub/up");
    /* A second way into a folder already read would read its rows twice. */
    unlink(link);
    snprintf(link, sizeof link, "%s/up", sub);
    unlink(link);
    snprintf(link, sizeof link, "%s/zz", d);
    assert_int_equal(symlink("sub", link), 0);
    char g[220];
    snprintf(g, sizeof g, "%s/b.parquet", sub);
    copy_file(g);
    expect(d, SIGMIX_EFORMAT, "folder reached twice through a symlink at zz");
    unlink(link);
    sigmix_table *t = NULL;
    sigmix_error err = { 0, "" };
    assert_int_equal(sigmix_table_read(d, NULL, &t, &err), 0);
    assert_int_equal(sigmix_table_rows(t), 4);
    sigmix_table_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_overlapping_chunks),
        cmocka_unit_test(test_rows_not_backed),
        cmocka_unit_test(test_honest_file_reads),
        cmocka_unit_test(test_symlink_loops),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
