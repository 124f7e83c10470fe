/*
 * The JSON Lines reader's batch and thread plumbing: rows cut across
 * batch and part boundaries, CRLF, long runs of blank lines, one row
 * longer than a batch, errors found by the second thread (right line
 * number), and the SHA-256 computed in the reading pass.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sys/stat.h>

#include "table/textread.h"
#include "util/sha256.h"
#include "tt_buf.h"
#include "tt_util.h"

/* Row i: {"i": i, "x": i/8, "s": "r<i>", "pad": "<i%97 x's>"}. */
static void row(buf *b, size_t i, const char *eol)
{
    char line[256];
    int n = snprintf(line, sizeof line, "{\"i\": %zu, \"x\": %.3f, \"s\": \"r%zu\", \"pad\": \"", i,
                     (double)i / 8, i);
    put(b, line, (size_t)n);
    for (size_t k = 0; k < i % 97; k++)
        put(b, "x", 1);
    puts_(b, "\"}");
    puts_(b, eol);
}

static sigmix_read_options threads(int n)
{
    sigmix_read_options o;
    sigmix_read_options_default(&o);
    o.threads = n;
    return o;
}

static void check_rows(const sigmix_table *t, size_t rows)
{
    assert_int_equal(sigmix_table_rows(t), rows);
    const sigmix_column *i = tt_col(t, "i"), *x = tt_col(t, "x"), *s = tt_col(t, "s"),
                        *pad = tt_col(t, "pad");
    assert_non_null(i);
    assert_non_null(x);
    assert_non_null(s);
    assert_non_null(pad);
    assert_int_equal(i->kind, SIGMIX_KIND_INT64);
    for (size_t r = 0; r < rows; r++) {
        char want[32];
        int n = snprintf(want, sizeof want, "r%zu", r);
        if (!i->valid[r] || i->i64[r] != (int64_t)r || x->f64[r] != (double)r / 8 ||
            s->str[r].len != (size_t)n || memcmp(s->str[r].ptr, want, (size_t)n) ||
            pad->str[r].len != r % 97)
            fail_msg("row %zu is wrong", r);
    }
}

/* 12 MB of rows (three 4 MiB batches, two parts each), LF and CRLF, read
 * with 1 and 2 threads: every row lands once, in order, intact. */
static void test_boundaries(void **state)
{
    (void)state;
    for (int crlf = 0; crlf < 2; crlf++) {
        buf b = { 0 };
        size_t rows = 0;
        while (b.n < (size_t)12 << 20)
            row(&b, rows++, crlf ? "\r\n" : "\n");
        const char *path = tt_write(crlf ? "crlf.jsonl" : "lf.jsonl", b.p, b.n);
        for (int th = 1; th <= 2; th++) {
            sigmix_read_options o = threads(th);
            sigmix_error err;
            sigmix_table *t = tt_read(path, &o, &err);
            if (!t)
                fail_msg("%s: %s", path, err.message);
            check_rows(t, rows);
            sigmix_table_free(&t);
        }
        /* the same without the final line end */
        b.n -= crlf ? 2 : 1;
        path = tt_write("noeol.jsonl", b.p, b.n);
        sigmix_read_options o = threads(2);
        sigmix_error err;
        sigmix_table *t = tt_read(path, &o, &err);
        assert_non_null(t);
        check_rows(t, rows);
        sigmix_table_free(&t);
        free(b.p);
    }
}

/* Runs of blank lines (LF, CRLF, spaces, tabs) inside and across batches,
 * one longer than a batch, and a blank run with no line end at all. */
static void test_blank_runs(void **state)
{
    (void)state;
    buf b = { 0 };
    size_t rows = 0, line = 0;
    row(&b, rows++, "\n");
    line++;
    for (size_t k = 0; k < 5000000; k++) { /* 5 MB of empty lines */
        puts_(&b, "\n");
        line++;
    }
    row(&b, rows++, "\n");
    line++;
    for (size_t k = 0; k < 300000; k++) { /* mixed blanks, odd lengths */
        puts_(&b, k % 3 ? " \t \r\n" : "\r\n");
        line++;
    }
    puts_(&b, "   \t"); /* leading blanks before a row */
    row(&b, rows++, "\n");
    line++;
    for (size_t k = 0; k < 100; k++) {
        row(&b, rows++, "\n");
        puts_(&b, "  \n\n \n");
        line += 4;
    }
    const char *path = tt_write("blank.jsonl", b.p, b.n);
    sigmix_error err;
    sigmix_read_options o = threads(2);
    sigmix_table *t = tt_read(path, &o, &err);
    if (!t)
        fail_msg("%s", err.message);
    check_rows(t, rows);
    sigmix_table_free(&t);

    /* an error after the blanks names its line */
    size_t keep = b.n;
    puts_(&b, "{\"i\": 1,}\n");
    path = tt_write("blankbad.jsonl", b.p, b.n);
    for (int th = 1; th <= 2; th++) {
        o = threads(th);
        assert_null(tt_read(path, &o, &err));
        char want[64];
        snprintf(want, sizeof want, "malformed JSON (line %zu)", line + 1);
        if (strcmp(err.message, want))
            fail_msg("threads %d: got \"%s\", expected \"%s\"", th, err.message, want);
    }

    /* 6 MB of spaces with no line end (longer than a batch), then a row */
    b.n = keep;
    for (size_t k = 0; k < 6000000; k++)
        puts_(&b, k % 2 ? " " : "\t");
    puts_(&b, "\n");
    row(&b, rows++, "");
    path = tt_write("spaces.jsonl", b.p, b.n);
    o = threads(2);
    t = tt_read(path, &o, &err);
    if (!t)
        fail_msg("%s", err.message);
    check_rows(t, rows);
    sigmix_table_free(&t);
    free(b.p);
}

/* One row longer than a batch (a 9 MB string) among short rows. */
static void test_giant_row(void **state)
{
    (void)state;
    buf b = { 0 };
    for (size_t i = 0; i < 1000; i++)
        row(&b, i, "\n");
    puts_(&b, "{\"i\": 1000, \"big\": \"");
    for (size_t k = 0; k < 9000000; k++)
        put(&b, &"abcdefghij"[k % 10], 1);
    puts_(&b, "\"}\n");
    for (size_t i = 1001; i < 2000; i++)
        row(&b, i, "\n");
    const char *path = tt_write("giant.jsonl", b.p, b.n);
    sigmix_error err;
    sigmix_read_options o = threads(2);
    sigmix_table *t = tt_read(path, &o, &err);
    if (!t)
        fail_msg("%s", err.message);
    assert_int_equal(sigmix_table_rows(t), 2000);
    const sigmix_column *big = tt_col(t, "big"), *i = tt_col(t, "i");
    assert_non_null(big);
    assert_int_equal(big->str[1000].len, 9000000);
    assert_int_equal(big->str[1000].ptr[8999999], 'j');
    assert_false(big->valid[999]);
    assert_int_equal(i->i64[1999], 1999);
    sigmix_table_free(&t);
    free(b.p);
}

/* Reading fails with `want` (its "(line N)" counted from the file start). */
static void expect_line(const char *path, int th, size_t line, const char *what)
{
    sigmix_read_options o = threads(th);
    sigmix_error err;
    assert_null(tt_read(path, &o, &err));
    char want[96];
    snprintf(want, sizeof want, "%s (line %zu)", what, line);
    if (strcmp(err.message, want))
        fail_msg("%s, %d threads: got \"%s\", expected \"%s\"", path, th, err.message, want);
}

/* A bad row in the second part of a batch (the second thread's), in a
 * later batch, and bad rows in both parts (the first one counts). */
static void test_second_thread_errors(void **state)
{
    (void)state;
    for (int crlf = 0; crlf < 2; crlf++) {
        const char *eol = crlf ? "\r\n" : "\n";
        buf b = { 0 };
        size_t n = 0;
        while (b.n < (size_t)3 << 20) /* 3 MB: part 2 starts near 1.5 MB */
            row(&b, n++, eol);
        size_t bad = n - 10; /* 0-based row, line bad + 1 */
        buf c = { 0 };
        for (size_t i = 0; i < n; i++) {
            if (i == bad)
                puts_(&c, "{\"i\": 1, \"x\": tru}"), puts_(&c, eol);
            else
                row(&c, i, eol);
        }
        const char *path = tt_write("bad2.jsonl", c.p, c.n);
        expect_line(path, 2, bad + 1, "malformed JSON");
        expect_line(path, 1, bad + 1, "malformed JSON");

        /* and in an early row too: that one is reported */
        c.n = 0;
        for (size_t i = 0; i < n; i++) {
            if (i == bad)
                puts_(&c, "{\"i\": 1, \"x\": tru}"), puts_(&c, eol);
            else if (i == 7)
                puts_(&c, "[1, 2]"), puts_(&c, eol);
            else
                row(&c, i, eol);
        }
        path = tt_write("bad12.jsonl", c.p, c.n);
        expect_line(path, 2, 8, "not a JSON object (found a list)");

        /* past the first batch: 10 MB, the error in the last part */
        c.n = 0;
        size_t m = 0;
        while (c.n < (size_t)10 << 20)
            row(&c, m++, eol);
        puts_(&c, "{\"i\": 1e}");
        puts_(&c, eol);
        row(&c, m, eol);
        path = tt_write("bad3.jsonl", c.p, c.n);
        expect_line(path, 2, m + 1, "malformed number");
        free(b.p);
        free(c.p);
    }
}

static void expect_digest(const char *path, const sigmix_read_options *base)
{
    sigmix_read_options o = *base;
    sigmix_read_digest d;
    memset(&d, 'x', sizeof d);
    o.digest = &d;
    sigmix_error err;
    sigmix_table *t = tt_read(path, &o, &err);
    if (!t)
        fail_msg("%s: %s", path, err.message);
    sigmix_table_free(&t);
    char want[65];
    uint64_t size = 0;
    assert_int_equal(sigmix_sha256_file(path, want, &size, &err), 0);
    if (strcmp(d.sha256, want))
        fail_msg("%s: digest %s, want %s", path, d.sha256, want);
    assert_int_equal(d.bytes, size);
}

/* The SHA-256 of each text input, compressed or not, from the read. */
static void test_digest(void **state)
{
    (void)state;
    sigmix_read_options one = threads(1), two = threads(2);
    const char *jl = "{\"a\": 1, \"b\": \"x\"}\n{\"a\": 2, \"b\": \"y\"}\n";
    expect_digest(tt_write_str("d.jsonl", jl), &two);
    expect_digest(tt_write_str("d.json", "[{\"a\": 1}, {\"a\": 2}]\n"), &two);
    expect_digest(tt_write_str("d2.json", "{\"rows\": [{\"a\": 1}], \"meta\": {\"k\": [1, 2, 3]}}"), &one);
    expect_digest(tt_write_str("d.csv", "a,b\n1,x\n2,y\n"), &one);
    expect_digest(tt_write_str("d0.jsonl", ""), &one);
    expect_digest(tt_write_str("dbom.jsonl", "\xEF\xBB\xBF{\"a\": 1}\n"), &one);
    unsigned char *z = NULL;
    size_t zn = tt_gzip_append(&z, 0, jl, strlen(jl));
    zn = tt_gzip_append(&z, zn, jl, strlen(jl)); /* two members */
    expect_digest(tt_write("d.jsonl.gz", z, zn), &two);
    free(z);
    const char *csv = "a,b\n1,x\n2,y\n";
    zn = tt_zstd(&z, csv, strlen(csv));
    expect_digest(tt_write("d.csv.zst", z, zn), &one);
    free(z);

    /* many batches, both threads, a CSV that turns to text late (second
     * pass) and a JSON document cut into batches */
    buf b = { 0 };
    for (size_t i = 0; b.n < (size_t)9 << 20; i++)
        row(&b, i, "\n");
    expect_digest(tt_write("dbig.jsonl", b.p, b.n), &two);
    zn = tt_zstd(&z, b.p, b.n);
    expect_digest(tt_write("dbig.jsonl.zst", z, zn), &two);
    free(z);
    b.n = 0;
    puts_(&b, "n\n");
    for (size_t i = 0; b.n < (size_t)6 << 20; i++) {
        char l[32];
        puts_(&b, (snprintf(l, sizeof l, "%zu\n", i), l));
    }
    puts_(&b, "text\n");
    expect_digest(tt_write("dlate.csv", b.p, b.n), &one);
    b.n = 0;
    puts_(&b, "[");
    for (size_t i = 0; b.n < (size_t)9 << 20; i++) {
        if (i)
            puts_(&b, ",\n");
        row(&b, i, "");
    }
    puts_(&b, "]");
    expect_digest(tt_write("dbig.json", b.p, b.n), &two);
    free(b.p);

    /* from memory */
    sigmix_read_digest d;
    two.digest = &d;
    sigmix_table *t = NULL;
    sigmix_error err;
    assert_int_equal(sigmix_jsonl_read_mem(jl, strlen(jl), &two, &t, &err), 0);
    sigmix_table_free(&t);
    char want[65];
    assert_int_equal(sigmix_sha256_file(tt_path("d.jsonl"), want, NULL, &err), 0);
    assert_string_equal(d.sha256, want);

    /* not computed: a failed read */
    memset(&d, 'x', sizeof d);
    assert_null(tt_read(tt_write_str("dbad.jsonl", "{\"a\": 1}\n{\n"), &two, &err));
    assert_string_equal(d.sha256, "");
    t = tt_read(tt_path("d.jsonl"), &two, &err);
    assert_non_null(t);
    assert_int_equal(sigmix_table_write(t, tt_path("d.parquet"), NULL, &err), 0);
    sigmix_table_free(&t);
    /* Parquet: hashed on a side thread while it is decoded; a folder of
     * Parquet files has no single digest */
    expect_digest(tt_path("d.parquet"), &two);
    assert_int_equal(mkdir(tt_path("ds"), 0755), 0);
    assert_int_equal(rename(tt_path("d.parquet"), tt_path("ds/part-0.parquet")), 0);
    memset(&d, 'x', sizeof d);
    t = tt_read(tt_path("ds"), &two, &err);
    if (!t)
        fail_msg("%s", err.message);
    sigmix_table_free(&t);
    assert_string_equal(d.sha256, "");
}

int main(void)
{
    tt_setup_dir();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_boundaries),
        cmocka_unit_test(test_blank_runs),
        cmocka_unit_test(test_giant_row),
        cmocka_unit_test(test_second_thread_errors),
        cmocka_unit_test(test_digest),
    };
    int r = cmocka_run_group_tests(tests, NULL, NULL);
    tt_cleanup_dir();
    return r;
}
