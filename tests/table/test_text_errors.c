/* Every error path of the text readers, with its exact message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "table/format.h"
#include "tt_util.h"

/* Reading `content` saved as `name` fails with exactly `msg`. */
static void expect_fail_n(const char *name, const void *content, size_t n, const char *msg)
{
    sigmix_error err;
    sigmix_table *t = tt_read(tt_write(name, content, n), NULL, &err);
    if (t) {
        sigmix_table_free(&t);
        fail_msg("%s: read succeeded, expected \"%s\"", name, msg);
    }
    assert_true(err.code < 0);
    if (strcmp(err.message, msg))
        fail_msg("%s: got \"%s\", expected \"%s\"", name, err.message, msg);
}

static void expect_fail(const char *name, const char *content, const char *msg)
{
    expect_fail_n(name, content, strlen(content), msg);
}

static void test_files(void **state)
{
    sigmix_error err;
    (void)state;
    assert_null(tt_read(tt_path("missing.jsonl"), NULL, &err));
    assert_int_equal(err.code, SIGMIX_ENOTFOUND);
    assert_string_equal(err.message, "cannot open: No such file or directory");
    /* an empty JSON Lines file (0 bytes or blank lines) is a table of 0 rows */
    static const char *empties[] = { "", "\n  \n\r\n", "\xEF\xBB\xBF\n" };
    for (int k = 0; k < 3; k++) {
        sigmix_table *t = tt_read(tt_write_str("empty.jsonl", empties[k]), NULL, &err);
        assert_non_null(t);
        assert_int_equal(sigmix_table_rows(t), 0);
        assert_int_equal(sigmix_table_cols(t), 0);
        sigmix_table_free(&t);
        t = tt_read(tt_write_str("empty.ndjson", empties[k]), NULL, &err);
        assert_non_null(t);
        sigmix_table_free(&t);
    }
    expect_fail("empty.json", "", "empty file (no JSON value)");
    expect_fail("empty.csv", "", "empty file (no CSV header)");
    expect_fail("blank.json", " \n ", "empty file (no JSON value)");
    expect_fail("blank.csv", "\n\n", "empty file (no CSV header)");
    sigmix_table *t = NULL;
    memset(&err, 0, sizeof err);
    assert_int_equal(sigmix_jsonl_read(tt_dir, &(sigmix_read_options){ 0 },
                                       &t, &err), SIGMIX_EIO);
    assert_null(t);
    assert_string_equal(err.message, "cannot read: is a folder");
    expect_fail("x.unknown", "a", "unknown table format (expected .jsonl, .ndjson, .json, .csv, .parquet or .pq, optionally .gz/.zst)");
}

static void test_jsonl(void **state)
{
    (void)state;
    expect_fail("unterminated.jsonl", "{\"a\": 1}\n{\"a\": \"x}\n", "unterminated string (line 2)");
    expect_fail("utf8.jsonl", "{\"a\": 1}\n\n{\"a\": \"\xff\"}\n", "invalid UTF-8 (line 3)");
    expect_fail("list.jsonl", "{\"a\": 1}\n[1, 2]\n", "not a JSON object (found a list) (line 2)");
    expect_fail("number.jsonl", "5\n", "not a JSON object (found a number) (line 1)");
    expect_fail("truncated.jsonl", "{\"a\": 1}\n{\"a\": [1, 2\n", "truncated JSON: an object or list is not closed (line 2)");
    expect_fail("trailing.jsonl", "{\"a\": 1} {\"a\": 2}\n", "unexpected text after the row object (line 1)");
    expect_fail("trailing2.jsonl", "{\"a\": 1} x\n", "unexpected text after the row object (line 1)");
    expect_fail("badnum.jsonl", "{\"a\": 1.2.3}\n", "malformed number (line 1)");
    expect_fail("badesc.jsonl", "{\"a\": \"\\q\"}\n", "malformed string escape (line 1)");
    expect_fail("badlit.jsonl", "{\"a\": tru}\n", "malformed JSON (line 1)");
    expect_fail("nan.jsonl", "{\"a\": Nan}\n", "malformed JSON (line 1)");
    expect_fail_n("nulkey.jsonl", "{\"a\\u0000b\": 1}\n", 16, "column name contains a NUL character (line 1)");
    char deep[400];
    size_t n = (size_t)snprintf(deep, sizeof deep, "{\"a\": ");
    for (int i = 0; i < 70; i++)
        deep[n++] = '[';
    for (int i = 0; i < 70; i++)
        deep[n++] = ']';
    deep[n++] = '}';
    deep[n++] = '\n';
    expect_fail_n("deep.jsonl", deep, n, "nesting deeper than 64 levels (line 1)");
    /* absurd nesting in a column that is not loaded must not hurt either */
    char huge[40000];
    n = (size_t)snprintf(huge, sizeof huge, "{\"a\": ");
    for (int i = 0; i < 19000; i++)
        huge[n++] = '[';
    huge[n++] = '\n';
    expect_fail_n("huge.jsonl", huge, n, "truncated JSON: an object or list is not closed (line 1)");
}

/*
 * Batches are parsed while the one before is merged and the next read: a
 * bad row in one batch must still be reported before anything found
 * further on (a later bad row, or the input limit passed while reading
 * ahead), and a bad row after the limit never is.
 */
enum { ROW = 100, ROWS = 140000 }; /* 14 MB: about four batches */

static void put_row(char *text, int i)
{
    char row[ROW + 1];
    snprintf(row, sizeof row, "{\"i\": %-92d}\n", i);
    memcpy(text + (size_t)i * ROW, row, ROW);
}

static void test_jsonl_batch_order(void **state)
{
    (void)state;
    char *text = malloc((size_t)ROW * ROWS);
    assert_non_null(text);
    for (int i = 0; i < ROWS; i++)
        put_row(text, i);
    static const struct {
        int bad[2];
        unsigned long long limit;
        const char *msg;
    } cases[] = {
        { { 50000, 120000 }, 0, "malformed JSON (line 50001)" },
        { { 120000, -1 }, 0, "malformed JSON (line 120001)" },
        { { 60000, -1 }, 11000000, "malformed JSON (line 60001)" },
        { { 115000, -1 }, 11000000, "input exceeds --max-input-bytes (11000000 bytes)" },
        { { 2, 60000 }, 9000000, "malformed JSON (line 3)" },
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        for (int k = 0; k < 2; k++)
            if (cases[c].bad[k] >= 0)
                memcpy(text + (size_t)cases[c].bad[k] * ROW + 1, "\"i\": tru", 9);
        for (int threads = 1; threads <= 3; threads++) {
            sigmix_read_options o;
            sigmix_error err;
            sigmix_read_options_default(&o);
            o.threads = threads;
            o.max_input_bytes = cases[c].limit;
            sigmix_table *t = tt_read(tt_write("order.jsonl", text, (size_t)ROW * ROWS), &o, &err);
            if (t)
                fail_msg("case %zu, %d threads: read succeeded", c, threads);
            if (strcmp(err.message, cases[c].msg))
                fail_msg("case %zu, %d threads: got \"%s\", expected \"%s\"", c, threads,
                         err.message, cases[c].msg);
        }
        for (int k = 0; k < 2; k++) /* restore */
            if (cases[c].bad[k] >= 0)
                put_row(text, cases[c].bad[k]);
    }
    free(text);
}

static void test_json(void **state)
{
    (void)state;
#define EXP "expected a list of row objects or {\"rows\": [...]}, found "
    expect_fail("num.json", " 42 ", EXP "a number");
    expect_fail("str.json", "\"rows\"", EXP "a string");
    expect_fail("bool.json", "true", EXP "a boolean");
    expect_fail("null.json", "null", EXP "null");
    expect_fail("norows.json", "{\"data\": []}", EXP "an object without \"rows\"");
    expect_fail("rowsstr.json", "{\"rows\": \"x\"}", EXP "\"rows\" holding a string (byte offset 9)");
    expect_fail("junk.json", "@", "malformed JSON (byte offset 0)");
    expect_fail("rownum.json", "[{\"a\": 1}, 5]", "row 2 is a number, expected an object (byte offset 11)");
    expect_fail("rowlist.json", "{\"rows\": [[1]]}", "row 1 is a list, expected an object (byte offset 10)");
    expect_fail("trunc.json", "[{\"a\": 1}, {\"a\": 2}", "truncated JSON: the document ends early (byte offset 19)");
    expect_fail("trunc2.json", "[{\"a\": 1}, {\"a\": ", "truncated JSON: an object or list is not closed (row 2, byte offset 11)");
    expect_fail("after.json", "[{\"a\": 1}] x", "unexpected text after the JSON document (byte offset 11)");
    expect_fail("comma.json", "[{\"a\": 1} {\"a\": 2}]", "expected ',' or ']' after a row (byte offset 10)");
    expect_fail("rowerr.json", "[{\"a\": 1},\n {\"a\": \"\\x\"}]", "malformed string escape (row 2, byte offset 22)");
    expect_fail("metaerr.json", "{\"meta\": [1, tru], \"rows\": []}", "malformed JSON (byte offset 13)");
    expect_fail("tworows.json", "{\"rows\": [], \"rows\": []}", "the document holds two \"rows\" lists (byte offset 21)");
    expect_fail("utf8.json", "[{\"a\": \"\xc3\"}]", "invalid UTF-8 (row 1, byte offset 1)");
}

static void test_csv(void **state)
{
    (void)state;
    expect_fail("short.csv", "a,b\n1,2\n3\n", "row has 1 fields, the header has 2 (line 3)");
    expect_fail("long.csv", "a,b\n1,2,3\n", "row has 3 fields, the header has 2 (line 2)");
    expect_fail("quote.csv", "a,b\n1,\"x\n\n", "unterminated quoted field (line 2)");
    expect_fail("after.csv", "a,b\n1,\"x\"y\n", "malformed CSV: a quoted field is followed by other text (line 2)");
    expect_fail("utf8.csv", "a,b\n1,2\n\xfe,3\n", "invalid UTF-8 (line 3)");
    expect_fail_n("nulname.csv", "a,b\0c\n1,2\n", 10, "column name 2 contains a NUL character (line 1)");
}

static void test_compression(void **state)
{
    (void)state;
    unsigned char *gz = NULL, *zs = NULL;
    const char *rows = "{\"a\": 1}\n{\"a\": 2}\n";
    size_t n = tt_gzip_append(&gz, 0, rows, strlen(rows));
    expect_fail_n("trunc.jsonl.gz", gz, n - 6, "truncated gzip data (byte offset 28)");
    unsigned char bad[64];
    memcpy(bad, gz, 10);
    memset(bad + 10, 0xff, sizeof bad - 10);
    expect_fail_n("bad.jsonl.gz", bad, sizeof bad, "bad gzip data: invalid block type (byte offset 11)");
    gz = realloc(gz, n + 3);
    memcpy(gz + n, "abc", 3);
    expect_fail_n("garbage.jsonl.gz", gz, n + 3,
                  "bad gzip data: trailing garbage after the compressed data (byte offset 34)");
    expect_fail("plain.jsonl.gz", "{\"a\": 1}\n", "bad gzip data: not in gzip format (byte offset 0)");
    expect_fail("plain.csv.zst", "a\n1\n", "bad zstd data: not in zstd format (byte offset 0)");
    n = tt_zstd(&zs, rows, strlen(rows));
    expect_fail_n("trunc.jsonl.zst", zs, n - 4, "truncated zstd data (byte offset 23)");
    zs[5] ^= 0xff; /* corrupt the frame header */
    sigmix_error err;
    assert_null(tt_read(tt_write("bad.jsonl.zst", zs, n), NULL, &err));
    assert_int_equal(err.code, SIGMIX_EFORMAT);
    assert_true(!strncmp(err.message, "bad zstd data: ", 15));
    free(gz);
    free(zs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_jsonl),
        cmocka_unit_test(test_jsonl_batch_order),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_compression),
    };
    tt_setup_dir();
    int r = cmocka_run_group_tests(tests, NULL, NULL);
    tt_cleanup_dir();
    return r;
}
