/*
 * The JSON Lines reader's two-thread path against its serial path: many
 * generated inputs (mixed types, nulls, missing and repeated keys, key
 * order changes, big integers, NaN/Infinity, nested values, escapes, CRLF,
 * blank lines, a BOM, no final line end), each read with one thread and
 * then with two threads with the part boundary on every line end. Every
 * column (name, kind, validity, value bits, text) must be identical, and
 * an error in either part must give the serial reader's message exactly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "table/textread.h"
#include "tt_buf.h"

static uint64_t rng = 88172645463325252ull;

static unsigned pick(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

/* Keys: "\u0061b" is "ab" (a repeated key when both appear in a row);
 * keys sharing a prefix with others, of a length around the 8-byte
 * steps of the key prediction, with an escaped quote or backslash, and
 * the escaped form of a long key. */
static const char *const KEYS[] = { "\"a\"", "\"ab\"", "\"c d\"", "\"\\u0061b\"", "\"n\"",
                                    "\"x\"", "\"y\"", "\"z\"", "\"vmaf_mean\"", "\"vmaf_meam\"",
                                    "\"vmaf_mean_\"", "\"vmaf_mea\"", "\"q\\\"x\"", "\"b\\\\s\"",
                                    "\"vmaf_m\\u0065an\"", "\"adm2_scale0_p10\"",
                                    "\"adm2_scale0_p1\"", "\"adm2_scale0_p10_\"" };
enum { NKEYS = sizeof KEYS / sizeof *KEYS };

/* Rows often repeat one key order (the reader predicts keys from the
 * last row), sometimes with a key changed, dropped or repeated. */
static unsigned order[6], norder;

static const char *const VALUES[] = {
    "0", "-17", "42", "9223372036854775807", "-9223372036854775808",
    "123456789012345678901", "18446744073709551615", "0.5", "-2.25e-3", "1e400", "-1e-400",
    "47.425898676362287", "NaN", "Infinity", "-Infinity", "null", "true", "false",
    "\"s\"", "\"\"", "\"t\\u00e9\\n\\\"q\\\"\"", "\"\\ud83d\\ude00\"", "{}", "[]",
    "{\"k\": [1, 2.5, null, \"v\", {\"d\": NaN}]}", "[true, false, -0.0]",
};

static void gen_row(buf *b)
{
    int same = pick(3) != 0;
    unsigned nf = same ? norder - (norder && !pick(8)) : pick(6);
    puts_(b, pick(8) ? "{" : " {");
    for (unsigned k = 0; k < nf; k++) {
        puts_(b, k ? (pick(2) ? ", " : ",") : "");
        puts_(b, KEYS[same && pick(10) ? order[k] : pick(NKEYS)]);
        puts_(b, pick(2) ? ": " : ":");
        puts_(b, VALUES[pick(sizeof VALUES / sizeof *VALUES)]);
    }
    puts_(b, pick(6) ? "}" : "} ");
}

/* One input: a BOM sometimes, rows with LF or CRLF ends, blank lines. */
static void gen_input(buf *b, unsigned rows)
{
    b->n = 0;
    puts_(b, "");
    norder = pick(7);
    for (unsigned k = 0; k < norder; k++)
        order[k] = pick(NKEYS);
    if (!pick(4))
        puts_(b, "\xEF\xBB\xBF");
    for (unsigned i = 0; i < rows; i++) {
        switch (pick(8)) {
        case 0: puts_(b, "\n"); break;
        case 1: puts_(b, " \t\r\n"); break;
        default: break;
        }
        gen_row(b);
        if (i + 1 < rows || pick(2))
            puts_(b, pick(3) ? "\n" : "\r\n");
    }
}

static sigmix_read_options threads(int n)
{
    sigmix_read_options o;
    sigmix_read_options_default(&o);
    o.threads = n;
    return o;
}

static void same_tables(const sigmix_table *a, const sigmix_table *b, size_t split)
{
    assert_int_equal(sigmix_table_rows(a), sigmix_table_rows(b));
    assert_int_equal(sigmix_table_cols(a), sigmix_table_cols(b));
    for (size_t c = 0; c < sigmix_table_cols(a); c++) {
        const sigmix_column *x = sigmix_table_col(a, c), *y = sigmix_table_col(b, c);
        if (strcmp(x->name, y->name) || x->kind != y->kind)
            fail_msg("split %zu: column %zu: %s/%d vs %s/%d", split, c, x->name, (int)x->kind,
                     y->name, (int)y->kind);
        for (size_t r = 0; r < sigmix_table_rows(a); r++) {
            int ok = !x->valid[r] == !y->valid[r];
            if (ok && x->valid[r]) {
                if (sigmix_kind_is_numeric(x->kind))
                    ok = !memcmp(&x->f64[r], &y->f64[r], sizeof(double));
                if (ok && x->kind == SIGMIX_KIND_INT64)
                    ok = x->i64[r] == y->i64[r];
                if (ok && (x->kind == SIGMIX_KIND_STRING || x->kind == SIGMIX_KIND_JSON))
                    ok = x->str[r].len == y->str[r].len &&
                         !memcmp(x->str[r].ptr, y->str[r].ptr, x->str[r].len);
            }
            if (!ok) {
                char vx[64] = "", vy[64] = "";
                if (sigmix_kind_is_numeric(x->kind)) {
                    snprintf(vx, sizeof vx, "%.17g/%d", x->f64[r], x->valid[r]);
                    snprintf(vy, sizeof vy, "%.17g/%d", y->f64[r], y->valid[r]);
                } else {
                    snprintf(vx, sizeof vx, "%d '%.*s'", x->valid[r], x->valid[r] ? (int)x->str[r].len : 0, x->valid[r] ? x->str[r].ptr : "");
                    snprintf(vy, sizeof vy, "%d '%.*s'", y->valid[r], y->valid[r] ? (int)y->str[r].len : 0, y->valid[r] ? y->str[r].ptr : "");
                }
                fail_msg("split %zu: column %s (kind %d) row %zu differs: %s vs %s", split,
                         x->name, (int)x->kind, r, vx, vy);
            }
        }
    }
}

/* Serial read of b, then two threads with the part boundary everywhere. */
static void check_all_splits(const buf *b, int *errors)
{
    sigmix_read_options o1 = threads(1), o2 = threads(2);
    sigmix_table *ts = NULL;
    sigmix_error es = { 0 };
    int rs = sigmix_jsonl_read_mem(b->p, b->n, &o1, &ts, &es);
    if (rs)
        ++*errors;
    /* the general path (no key prediction, no direct stores) agrees */
    sigmix_table *tg = NULL;
    sigmix_error eg = { 0 };
    int rg = sigmix_jsonl_read_mem_general(b->p, b->n, &o1, &tg, &eg);
    if (rg != rs || strcmp(es.message, eg.message))
        fail_msg("general %d '%s', fast %d '%s'\ninput:\n%s", rg, eg.message, rs, es.message, b->p);
    if (!rs)
        same_tables(tg, ts, 0);
    sigmix_table_free(&tg);
    for (size_t split = 1; split <= b->n; split++) {
        sigmix_table *tt = NULL;
        sigmix_error et = { 0 };
        int rt = sigmix_jsonl_read_mem_split(b->p, b->n, &o2, split, &tt, &et);
        if (rt != rs || strcmp(es.message, et.message))
            fail_msg("split %zu: serial %d '%s', threaded %d '%s'\ninput:\n%s", split, rs,
                     es.message, rt, et.message, b->p);
        if (!rs && getenv("SPLIT_DEBUG") && split == (size_t)atol(getenv("SPLIT_DEBUG")))
            fprintf(stderr, "input:\n%s\n", b->p);
        if (!rs)
            same_tables(ts, tt, split);
        sigmix_table_free(&tt);
    }
    sigmix_table_free(&ts);
}

static void test_valid_inputs(void **state)
{
    (void)state;
    buf b = { 0 };
    int errors = 0;
    for (int k = 0; k < 30; k++) {
        gen_input(&b, 4 + pick(20));
        check_all_splits(&b, &errors);
    }
    assert_int_equal(errors, 0); /* the generator makes valid JSON Lines only */
    free(b.p);
}

/* Bad lines: each replaces one row of a valid input, in the first half,
 * the second half or the last line. */
static const char *const BAD[] = {
    "{\"a\": 1", "{\"a\": 1} x", "{\"a\": 1}{\"b\": 2}", "{\"a\": 01}", "{\"a\": 1.}",
    "[1, 2]", "\"row\"", "17", "{\"a\": \"unterminated}", "{\"a\": \"\xC3\x28\"}",
    "{\"a\": tru}", "{\"a\": \"\\x\"}", "{\"a\" 1}", "{\"a\": [1, 2}", "{\"\\u0000\": 1}",
};

static void test_error_inputs(void **state)
{
    (void)state;
    buf b = { 0 }, good = { 0 };
    for (size_t k = 0; k < sizeof BAD / sizeof *BAD; k++) {
        for (int where = 0; where < 3; where++) {
            unsigned rows = 6 + pick(8);
            unsigned bad = where == 0 ? pick(rows / 2) : where == 1 ? rows / 2 + pick(rows / 2)
                                                                    : rows - 1;
            b.n = 0;
            puts_(&b, "");
            for (unsigned i = 0; i < rows; i++) {
                if (i == bad) {
                    puts_(&b, BAD[k]);
                } else {
                    good.n = 0;
                    puts_(&good, "");
                    gen_row(&good);
                    puts_(&b, good.p);
                }
                if (i + 1 < rows)
                    puts_(&b, pick(3) ? "\n" : "\r\n");
            }
            int errors = 0;
            check_all_splits(&b, &errors);
            assert_int_equal(errors, 1); /* the serial reader failed too */
        }
    }
    free(b.p);
    free(good.p);
}

/* Exact messages and line numbers of errors found by either thread
 * (a blank line and CRLF ends before them are counted). */
static void test_error_positions(void **state)
{
    (void)state;
    const char *in = "{\"a\": 1}\r\n\r\n{\"a\": 2}\n{\"a\": 3}\n{\"a\": 4\n{\"a\": 5}\n";
    const char *in2 = "{\"a\": 1}\n{\"a\": 2}\n \n{\"a\": 3}\n{\"a\": 4}\n{\"a\": 5} 6\n";
    sigmix_read_options o2 = threads(2);
    for (size_t split = 1; split <= strlen(in); split++) {
        sigmix_table *t = NULL;
        sigmix_error e = { 0 };
        assert_int_equal(sigmix_jsonl_read_mem_split(in, strlen(in), &o2, split, &t, &e),
                         SIGMIX_EFORMAT);
        assert_string_equal(e.message,
                            "truncated JSON: an object or list is not closed (line 5)");
        assert_null(t);
        memset(&e, 0, sizeof e);
        assert_int_equal(sigmix_jsonl_read_mem_split(in2, strlen(in2), &o2, split, &t, &e),
                         SIGMIX_EFORMAT);
        assert_string_equal(e.message, "unexpected text after the row object (line 6)");
        assert_null(t);
    }
}

static void expect_text(const sigmix_table *t, const char *col, size_t row, const char *want)
{
    long c = sigmix_table_find(t, col);
    assert_true(c >= 0);
    const sigmix_column *x = sigmix_table_col(t, (size_t)c);
    assert_int_equal(x->kind, SIGMIX_KIND_JSON);
    assert_true(x->valid[row]);
    if (x->str[row].len != strlen(want) || memcmp(x->str[row].ptr, want, strlen(want)))
        fail_msg("%s row %zu: '%.*s', want '%s'", col, row, (int)x->str[row].len, x->str[row].ptr,
                 want);
}

/* Three batches (4 MiB each): a column goes INT64 (or BOOL) in the first,
 * DOUBLE in the second and JSON in the third; the first batch's values
 * must print as integers and booleans, as when all rows come at once. */
static void test_kinds_across_batches(void **state)
{
    (void)state;
    buf b = { 0 };
    size_t n1 = 0;
    puts_(&b, "");
    for (int part = 0; part < 3; part++) {
        size_t start = b.n, k = 0;
        while (b.n - start < ((size_t)9 << 19)) { /* 4.5 MiB per part */
            if (part == 0)
                puts_(&b, k % 2 ? "{\"x\": 9007199254740993, \"b\": false}\n"
                              : "{\"x\": -17, \"b\": true}\n");
            else if (part == 1)
                puts_(&b, "{\"x\": 0.5, \"b\": 2}\n");
            else
                puts_(&b, "{\"x\": [1], \"b\": \"s\"}\n");
            k++;
        }
        if (part == 0)
            n1 = k;
    }
    for (int th = 1; th <= 2; th++) {
        sigmix_read_options o = threads(th);
        sigmix_table *t = NULL;
        sigmix_error e = { 0 };
        assert_int_equal(sigmix_jsonl_read_mem(b.p, b.n, &o, &t, &e), 0);
        expect_text(t, "x", 0, "-17");
        expect_text(t, "x", 1, "9007199254740993");
        expect_text(t, "b", 0, "true");
        expect_text(t, "b", 1, "false");
        expect_text(t, "x", n1, "0.5");
        expect_text(t, "b", n1, "2");
        expect_text(t, "x", sigmix_table_rows(t) - 1, "[1]");
        expect_text(t, "b", sigmix_table_rows(t) - 1, "\"s\"");
        sigmix_table_free(&t);
    }
    free(b.p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_inputs),
        cmocka_unit_test(test_error_inputs),
        cmocka_unit_test(test_error_positions),
        cmocka_unit_test(test_kinds_across_batches),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
