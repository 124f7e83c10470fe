/*
 * Tables the text readers size from the input (sigmix_cb_table
 * reserve_rows): large enough that the numeric columns come from the
 * uninitialised huge-page slab, which the reader's threads initialise
 * (a share of the columns each) before the first merge. Every cell is checked against the
 * generator, null and missing cells included (valid 0, f64 NaN, i64 0),
 * with 1, 2 and 3 threads, JSON Lines and JSON, for: missing keys, nulls,
 * a column that turns DOUBLE late, one that turns JSON late, one that
 * first appears after the reserve, and a reserve far too small (long
 * first rows) so that the table grows past it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "table/textread.h"
#include "tt_buf.h"

enum { ROWS = 30000, COLS = 40, LATE_DOUBLE = 20000, LATE_JSON = 29000, LATE_COL = 25000 };

/* Cell (r, k): 0 missing, 1 null, 2 value. Column COLS-1 starts late. */
static int cell(size_t r, int k)
{
    if (k == COLS - 1 && r < LATE_COL)
        return 0;
    if ((r * 7 + (size_t)k) % 13 == 0)
        return 0;
    if ((r + 3 * (size_t)k) % 11 == 0)
        return 1;
    return 2;
}

/* Column kinds: k % 3 == 0 integers, 1 doubles, 2 integers then doubles
 * from LATE_DOUBLE; column COLS-2 integers then a string from LATE_JSON. */
static void value(char *out, size_t n, size_t r, int k)
{
    if (k == COLS - 2 && r >= LATE_JSON)
        snprintf(out, n, "\"s%zu\"", r);
    else if (k % 3 == 0 || k == COLS - 2 || (k % 3 == 2 && r < LATE_DOUBLE))
        snprintf(out, n, "%zu", r * COLS + (size_t)k);
    else
        snprintf(out, n, "%zu.5", r * COLS + (size_t)k);
}

/* ROWS rows; the first pad_rows carry a "pad" string, so that the first
 * batch predicts fewer rows than the input holds (still enough for the
 * slab: ~24,000 of 30,000). */
static void gen(buf *b, int json, size_t pad_rows)
{
    char v[64], key[32];
    b->n = 0;
    puts_(b, json ? "[" : "");
    for (size_t r = 0; r < ROWS; r++) {
        puts_(b, json && r ? ",\n{" : "{");
        int first = 1;
        for (int k = 0; k < COLS; k++) {
            int c = cell(r, k);
            if (!c)
                continue;
            snprintf(key, sizeof key, "%s\"c%d\": ", first ? "" : ", ", k);
            puts_(b, key);
            first = 0;
            if (c == 1) {
                puts_(b, "null");
            } else {
                value(v, sizeof v, r, k);
                puts_(b, v);
            }
        }
        if (r < pad_rows) {
            puts_(b, ", \"pad\": \"");
            for (int i = 0; i < 150; i++)
                put(b, "x", 1);
            puts_(b, "\"");
        }
        puts_(b, json ? "}" : "}\n");
    }
    puts_(b, json ? "]\n" : "");
}

static void check(const sigmix_table *t, size_t pad_rows)
{
    char want[64], name[16];
    assert_int_equal(sigmix_table_rows(t), ROWS);
    for (int k = 0; k < COLS; k++) {
        snprintf(name, sizeof name, "c%d", k);
        long ci = sigmix_table_find(t, name);
        assert_true(ci >= 0);
        const sigmix_column *c = sigmix_table_col(t, (size_t)ci);
        sigmix_kind kind = k == COLS - 2 ? SIGMIX_KIND_JSON
                         : k % 3 == 0 ? SIGMIX_KIND_INT64 : SIGMIX_KIND_DOUBLE;
        if (c->kind != kind)
            fail_msg("column %s: kind %d, want %d", name, (int)c->kind, (int)kind);
        for (size_t r = 0; r < ROWS; r++) {
            int v = cell(r, k) == 2;
            if (!c->valid[r] != !v)
                fail_msg("column %s row %zu: valid %d, want %d", name, r, c->valid[r], v);
            if (kind == SIGMIX_KIND_JSON) {
                if (v) {
                    value(want, sizeof want, r, k);
                    if (c->str[r].len != strlen(want) || memcmp(c->str[r].ptr, want, c->str[r].len))
                        fail_msg("column %s row %zu: '%.*s', want '%s'", name, r,
                                 (int)c->str[r].len, c->str[r].ptr, want);
                }
                continue;
            }
            value(want, sizeof want, r, k);
            double d = v ? strtod(want, NULL) : NAN;
            if (v ? c->f64[r] != d : !isnan(c->f64[r]))
                fail_msg("column %s row %zu: %.17g, want %.17g", name, r, c->f64[r], d);
            if (kind == SIGMIX_KIND_INT64 && c->i64[r] != (v ? (int64_t)d : 0))
                fail_msg("column %s row %zu: i64 %lld, want %lld", name, r, (long long)c->i64[r],
                         (long long)(v ? (int64_t)d : 0));
        }
    }
    long pi = sigmix_table_find(t, "pad");
    if (pad_rows) {
        assert_true(pi >= 0);
        const sigmix_column *p = sigmix_table_col(t, (size_t)pi);
        for (size_t r = 0; r < ROWS; r++)
            assert_int_equal(!!p->valid[r], r < pad_rows);
    } else {
        assert_true(pi < 0);
    }
}

static void run(int json, size_t pad_rows)
{
    buf b = { 0 };
    gen(&b, json, pad_rows);
    for (int th = 1; th <= 3; th++) {
        sigmix_read_options o;
        sigmix_read_options_default(&o);
        o.threads = th;
        sigmix_table *t = NULL;
        sigmix_error e = { 0 };
        int r = json ? sigmix_json_read_mem(b.p, b.n, &o, &t, &e)
                     : sigmix_jsonl_read_mem(b.p, b.n, &o, &t, &e);
        if (r)
            fail_msg("%s, %d threads: %s", json ? "JSON" : "JSONL", th, e.message);
        check(t, pad_rows);
        sigmix_table_free(&t);
    }
    free(b.p);
}

static void test_jsonl_reserved(void **state)
{
    (void)state;
    run(0, 0);
}

static void test_jsonl_outgrown(void **state)
{
    (void)state;
    run(0, 10000); /* longer rows through the first 4 MiB batch */
}

static void test_json_reserved(void **state)
{
    (void)state;
    run(1, 0);
}

static void test_json_outgrown(void **state)
{
    (void)state;
    run(1, 20000); /* through the first 8 MiB flush */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jsonl_reserved),
        cmocka_unit_test(test_jsonl_outgrown),
        cmocka_unit_test(test_json_reserved),
        cmocka_unit_test(test_json_outgrown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
