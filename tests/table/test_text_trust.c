/*
 * Trust at the edges of the text readers and writers: huge exponents,
 * escaped keys, CSV text kept byte for byte through every format, CSV
 * delimiters and their hint, .pq detection, UTF-8 refused by the writers.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "table/textread.h"
#include "tt_util.h"
#include "util/jsonw.h"
#include "util/utf8.h"

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = calloc(1, 1 << 16);
    *n = fread(buf, 1, (1 << 16) - 1, f);
    fclose(f);
    return buf;
}

static void write_ok(const sigmix_table *t, const char *path)
{
    sigmix_error err = { 0 };
    if (sigmix_table_write(t, path, NULL, &err))
        fail_msg("write %s: %s", path, err.message);
}

static int is_neg_zero(double d)
{
    return d == 0 && signbit(d);
}

/* 1e400 is valid JSON; its correctly rounded value is +inf (Python's json
 * agrees); -1e400 is -inf and 1e-400 is 0. CSV too. */
static void test_huge_exponents(void **state)
{
    sigmix_error err;
    (void)state;
    static const char *files[][2] = {
        { "big.jsonl", "{\"x\": 1e400}\n{\"x\": -1E+400}\n{\"x\": 1e-400}\n{\"x\": -1e-400}\n" },
        { "big.json", "{\"meta\": 1e400, \"rows\": [{\"x\": 1e400}, {\"x\": -1E+400}, {\"x\": 1e-400},"
                      " {\"x\": -1e-400}], \"z\": [2e999]}" },
        { "big.csv", "x\n1e400\n-1E+400\n1e-400\n-1e-400\n" },
    };
    for (int k = 0; k < 3; k++) {
        sigmix_table *t = tt_read(tt_write_str(files[k][0], files[k][1]), NULL, &err);
        if (!t)
            fail_msg("%s: %s", files[k][0], err.message);
        const sigmix_column *c = tt_col(t, "x");
        assert_int_equal(c->kind, SIGMIX_KIND_DOUBLE);
        assert_true(isinf(c->f64[0]) && c->f64[0] > 0);
        assert_true(isinf(c->f64[1]) && c->f64[1] < 0);
        assert_true(c->f64[2] == 0 && !signbit(c->f64[2]));
        assert_true(is_neg_zero(c->f64[3]));
        for (int r = 0; r < 4; r++)
            assert_int_equal(c->valid[r], 1);
        sigmix_table_free(&t);
    }
    /* nested: the token is kept as JSON text */
    sigmix_table *t = tt_read(tt_write_str("bign.jsonl", "{\"a\": [1e400, -2e-999]}\n"), NULL, &err);
    assert_non_null(t);
    assert_string_equal(tt_col(t, "a")->str[0].ptr, "[1e400,-2e-999]");
    sigmix_table_free(&t);
    /* still refused: what is not a JSON number */
    assert_null(tt_read(tt_write_str("badn.jsonl", "{\"x\": 1e400x}\n"), NULL, &err));
    assert_string_equal(err.message, "malformed number (line 1)");
    assert_null(tt_read(tt_write_str("badn2.jsonl", "{\"x\": 01e400}\n"), NULL, &err));
    assert_null(tt_read(tt_write_str("badn3.jsonl", "{\"x\": 1.e400}\n"), NULL, &err));
}

/* Keys compare after unescaping: "\u0072ows" is "rows", "a\u0062" is "ab". */
static void test_escaped_wrapper_key(void **state)
{
    sigmix_error err;
    (void)state;
    sigmix_table *t = tt_read(tt_write_str("esc.json",
        "{\"\\u0072ows\": [{\"a\\u0062\": 1}, {\"ab\": 2}], \"r\\u006fws2\": 0}"), NULL, &err);
    if (!t)
        fail_msg("esc.json: %s", err.message);
    assert_int_equal(sigmix_table_cols(t), 1);
    assert_int_equal(sigmix_table_rows(t), 2);
    assert_true(tt_col(t, "ab")->i64[0] == 1 && tt_col(t, "ab")->i64[1] == 2);
    sigmix_table_free(&t);
    /* two "rows" lists, one of them escaped */
    assert_null(tt_read(tt_write_str("esc2.json", "{\"rows\": [], \"\\u0072ows\": []}"), NULL, &err));
    assert_string_equal(err.message, "the document holds two \"rows\" lists (byte offset 26)");
    /* "\/" and a surrogate pair */
    t = tt_read(tt_write_str("esc3.jsonl", "{\"a\\/b\": 1, \"\\ud83d\\ude00\": 2}\n{\"a/b\": 3}\n"),
                NULL, &err);
    assert_non_null(t);
    assert_int_equal(sigmix_table_cols(t), 2);
    assert_true(tt_col(t, "a/b")->i64[1] == 3);
    assert_non_null(tt_col(t, "\xF0\x9F\x98\x80"));
    sigmix_table_free(&t);
}

static const char *TRUST_CSV =
    "id,mixed,na,num,neg,txt,flag,allna,big\n"
    "000123,1,NA,1.5,-0.0,naïve → ünïcode,true,NA,12345678901234567890\n"
    "007,foo,N/A,,0.1,\"a,b\",False,N/A,1\n"
    "12,1.50,null,NA,-2.5e-8,\"\",TRUE,,2\n"
    "0,NA,x,2,3,  padded  ,false,null,3\n"
    "-01,1e3,\"q\"\"uote\",4,1e-320,\"line\nbreak\",true,None,4\n";

/* The rows of TRUST_CSV as the writers print them: text columns exactly,
 * numbers re-printed so they parse back to the same double. */
static const char *TRUST_CSV_OUT =
    "id,mixed,na,num,neg,txt,flag,allna,big\n"
    "000123,1,NA,1.5,-0.0,naïve → ünïcode,true,NA,1.2345678901234567e+19\n"
    "007,foo,N/A,,0.1,\"a,b\",false,N/A,1.0\n"
    "12,1.50,null,,-2.5e-08,\"\",true,,2.0\n"
    "0,NA,x,2.0,3.0,\"  padded  \",false,null,3.0\n"
    "-01,1e3,\"q\"\"uote\",4.0,1e-320,\"line\nbreak\",true,None,4.0\n";

static void check_trust_table(const sigmix_table *t)
{
    static const char *ids[] = { "000123", "007", "12", "0", "-01" };
    static const char *mixed[] = { "1", "foo", "1.50", "NA", "1e3" };
    static const char *na[] = { "NA", "N/A", "null", "x", "q\"uote" };
    assert_int_equal(sigmix_table_rows(t), 5);
    const sigmix_column *c = tt_col(t, "id"), *m = tt_col(t, "mixed"), *n = tt_col(t, "na");
    assert_int_equal(c->kind, SIGMIX_KIND_STRING);
    assert_int_equal(m->kind, SIGMIX_KIND_STRING);
    assert_int_equal(n->kind, SIGMIX_KIND_STRING);
    for (int r = 0; r < 5; r++) {
        assert_string_equal(c->str[r].ptr, ids[r]);
        assert_string_equal(m->str[r].ptr, mixed[r]);
        assert_string_equal(n->str[r].ptr, na[r]);
    }
    /* NA markers among numbers are nulls (pandas' na_values) */
    c = tt_col(t, "num");
    assert_int_equal(c->kind, SIGMIX_KIND_DOUBLE);
    assert_true(c->f64[0] == 1.5 && c->f64[3] == 2 && c->f64[4] == 4);
    assert_int_equal(c->valid[1], 0);
    assert_int_equal(c->valid[2], 0);
    c = tt_col(t, "neg");
    assert_true(is_neg_zero(c->f64[0]));
    assert_true(c->f64[2] == -2.5e-8 && c->f64[4] == 1e-320);
    assert_string_equal(tt_col(t, "txt")->str[0].ptr, "naïve → ünïcode");
    assert_string_equal(tt_col(t, "txt")->str[2].ptr, "");
    assert_int_equal(tt_col(t, "txt")->valid[2], 1);
    assert_string_equal(tt_col(t, "txt")->str[3].ptr, "  padded  ");
    assert_int_equal(tt_col(t, "flag")->kind, SIGMIX_KIND_BOOL);
    c = tt_col(t, "allna");
    assert_int_equal(c->kind, SIGMIX_KIND_STRING);
    assert_string_equal(c->str[0].ptr, "NA");
    assert_int_equal(c->valid[2], 0); /* the empty field is null */
    assert_string_equal(c->str[4].ptr, "None");
}

/* CSV text stays text byte for byte through csv, parquet and jsonl. */
static void test_csv_text_survives(void **state)
{
    sigmix_error err;
    size_t n;
    (void)state;
    sigmix_table *t = tt_read(tt_write_str("trust.csv", TRUST_CSV), NULL, &err);
    if (!t)
        fail_msg("trust.csv: %s", err.message);
    check_trust_table(t);
    static const char *via[] = { "trust_out.csv", "trust.parquet", "trust.jsonl", "trust.pq",
                                 "trust.json", "trust.csv.zst" };
    for (int k = 0; k < 6; k++) {
        write_ok(t, tt_path(via[k]));
        sigmix_table *u = tt_read(tt_path(via[k]), NULL, &err);
        if (!u)
            fail_msg("%s: %s", via[k], err.message);
        check_trust_table(u);
        write_ok(u, tt_path("again.csv"));
        char *s = slurp(tt_path("again.csv"), &n);
        if (strcmp(s, TRUST_CSV_OUT))
            fail_msg("through %s:\n%s", via[k], s);
        /* and once more: no layer of quotes is added */
        sigmix_table *v = tt_read(tt_path("again.csv"), NULL, &err);
        assert_non_null(v);
        write_ok(v, tt_path("again2.csv"));
        char *s2 = slurp(tt_path("again2.csv"), &n);
        assert_string_equal(s, s2);
        free(s);
        free(s2);
        sigmix_table_free(&u);
        sigmix_table_free(&v);
    }
    sigmix_table_free(&t);
}

/* Non-finite CSV numbers come back as the same value. */
static void test_csv_nonfinite(void **state)
{
    sigmix_error err;
    size_t n;
    (void)state;
    sigmix_table *t = tt_read(tt_write_str("nf.csv", "x\ninf\n-Infinity\nnan\n1e400\n"), NULL, &err);
    assert_non_null(t);
    write_ok(t, tt_path("nf_out.csv"));
    char *s = slurp(tt_path("nf_out.csv"), &n);
    assert_string_equal(s, "x\ninf\n-inf\nNaN\ninf\n");
    free(s);
    sigmix_table_free(&t);
}

/* Text that turns up after the first batch: the column is text, and a
 * second pass over the file brings back the earlier fields' own text. From
 * memory (or standard input) there is no second pass: those fields are
 * re-printed and a warning says so. */
static int warned;
static char last_warning[300];
static void on_warn(void *cookie, const char *msg)
{
    (void)cookie;
    warned++;
    snprintf(last_warning, sizeof last_warning, "%s", msg);
}

static void test_csv_late_text(void **state)
{
    sigmix_error err;
    sigmix_read_options o;
    (void)state;
    size_t rows = 700000, cap = rows * 12 + 64, m = 0;
    char *buf = malloc(cap);
    m += (size_t)sprintf(buf + m, "a,b\n");
    for (size_t r = 0; r < rows; r++)
        m += (size_t)sprintf(buf + m, "%zu.50,%s\n", r, r == 3 ? "NA" : "1");
    m += (size_t)sprintf(buf + m, "x,NA\n");
    sigmix_read_options_default(&o);
    o.warn = on_warn;
    warned = 0;
    sigmix_table *t = tt_read(tt_write("late.csv", buf, m), &o, &err);
    if (!t)
        fail_msg("late.csv: %s", err.message);
    const sigmix_column *a = tt_col(t, "a"), *b = tt_col(t, "b");
    assert_int_equal(a->kind, SIGMIX_KIND_STRING);
    assert_string_equal(a->str[rows].ptr, "x");
    assert_string_equal(a->str[0].ptr, "0.50");
    assert_string_equal(a->str[rows - 1].ptr, "699999.50");
    assert_int_equal(warned, 0);
    assert_int_equal(b->kind, SIGMIX_KIND_INT64); /* NA markers: null among numbers */
    assert_int_equal(b->valid[3], 0);
    assert_int_equal(b->valid[rows], 0);
    sigmix_table_free(&t);
    assert_int_equal(sigmix_csv_read_mem(buf, m, &o, &t, &err), 0);
    a = tt_col(t, "a");
    assert_string_equal(a->str[rows].ptr, "x");
    assert_string_equal(a->str[0].ptr, "0.5"); /* re-printed, same double */
    assert_string_equal(a->str[rows - 1].ptr, "699999.50"); /* in the last batch: exact */
    assert_int_equal(warned, 1);
    assert_non_null(strstr(last_warning, "numeric fields of columns that turned to text after the "
                                          "first batch are re-printed"));
    sigmix_table_free(&t);
    free(buf);
}

static void test_delimiters(void **state)
{
    sigmix_error err;
    sigmix_read_options o;
    (void)state;
    static const struct { char d; const char *text; } cases[] = {
        { ';', "a;b c;d\n1,5;x y;\"p;q\"\n" },
        { '\t', "a\tb c\td\n1,5\tx y\t\"p;q\"\n" },
        { '|', "a|b c|d\n1,5|x y|\"p;q\"\n" },
    };
    for (int k = 0; k < 3; k++) {
        sigmix_read_options_default(&o);
        o.delimiter = cases[k].d;
        sigmix_table *t = tt_read(tt_write_str("delim.csv", cases[k].text), &o, &err);
        if (!t)
            fail_msg("delimiter %d: %s", k, err.message);
        assert_int_equal(sigmix_table_cols(t), 3);
        assert_string_equal(tt_col(t, "a")->str[0].ptr, "1,5");
        assert_string_equal(tt_col(t, "b c")->str[0].ptr, "x y");
        assert_string_equal(tt_col(t, "d")->str[0].ptr, "p;q");
        sigmix_table_free(&t);
    }
    /* a semicolon file read with ',': one column; the warning hints at
     * --delimiter, and so does a field-count error */
    sigmix_read_options_default(&o);
    o.warn = on_warn;
    warned = 0;
    sigmix_table *t = tt_read(tt_write_str("semi.csv", "a;b\n1;2\n"), &o, &err);
    assert_non_null(t);
    assert_int_equal(warned, 1);
    assert_string_equal(last_warning, "the CSV header is one column holding ';': try --delimiter ';'");
    sigmix_table_free(&t);
    assert_null(tt_read(tt_write_str("semi2.csv", "a;b\n1;2\n3,4\n"), &o, &err));
    assert_string_equal(err.message, "row has 2 fields, the header has 1 (the header looks "
                                     "';'-separated: try --delimiter ';') (line 3)");
    warned = 0;
    t = tt_read(tt_write_str("tab.csv", "a\tb\n1\t2\n"), &o, &err);
    assert_non_null(t);
    assert_string_equal(last_warning, "the CSV header is one column holding tab: try --delimiter '\\t'");
    sigmix_table_free(&t);
    o.delimiter = '"';
    assert_null(tt_read(tt_path("tab.csv"), &o, &err));
    assert_string_equal(err.message, "the CSV delimiter cannot be a quote or a line break");
}

static void test_pq_extension(void **state)
{
    (void)state;
    assert_int_equal(sigmix_format_from_path("x.pq"), SIGMIX_FORMAT_PARQUET);
    assert_int_equal(sigmix_format_from_path("DIR/X.PQ"), SIGMIX_FORMAT_PARQUET);
    assert_int_equal(sigmix_format_from_path("x.parq"), SIGMIX_FORMAT_PARQUET);
    assert_int_equal(sigmix_format_from_path("x.pqx"), SIGMIX_FORMAT_AUTO);
}

static void test_utf8_valid(void **state)
{
    size_t at = 99;
    (void)state;
    assert_true(sigmix_utf8_valid("", 0, NULL));
    assert_true(sigmix_utf8_valid("plain ascii text, long enough for words", 39, NULL));
    assert_true(sigmix_utf8_valid("na\xC3\xAFve \xE2\x86\x92 \xF0\x9F\x98\x80", 15, NULL));
    assert_true(sigmix_utf8_valid("\xF4\x8F\xBF\xBF", 4, NULL)); /* U+10FFFF */
    assert_true(sigmix_utf8_valid("a\0b", 3, NULL));
    static const struct { const char *s; size_t n, at; } bad[] = {
        { "abc\x80", 4, 3 },             /* lone continuation */
        { "abcdefghij\xC0\xAF", 12, 10 }, /* overlong '/' */
        { "\xE0\x80\xAF", 3, 0 },        /* overlong 3-byte */
        { "x\xED\xA0\x80", 4, 1 },       /* surrogate U+D800 */
        { "\xF4\x90\x80\x80", 4, 0 },    /* above U+10FFFF */
        { "ok\xE2\x86", 4, 2 },          /* truncated */
        { "\xFF", 1, 0 },
        { "\xC3\x28", 2, 0 },
    };
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        at = 99;
        if (sigmix_utf8_valid(bad[k].s, bad[k].n, &at))
            fail_msg("case %zu accepted", k);
        assert_int_equal(at, bad[k].at);
    }
}

/* A name or value that is not UTF-8 is refused by every text writer,
 * with a named error, and nothing is written. */
static void test_writers_refuse_bad_utf8(void **state)
{
    sigmix_error err;
    (void)state;
    static const char *outs[] = { "bad.jsonl", "bad.json", "bad.csv", "bad.jsonl.gz" };
    for (int pass = 0; pass < 2; pass++) {
        sigmix_table *t;
        size_t c;
        assert_int_equal(sigmix_table_create(&t), 0);
        assert_int_equal(sigmix_table_add_column(t, "ok", SIGMIX_KIND_STRING, &c), 0);
        assert_int_equal(sigmix_table_add_column(t, pass ? "clip\xFF" : "clip", SIGMIX_KIND_STRING, &c), 0);
        assert_int_equal(sigmix_table_resize(t, 2), 0);
        assert_int_equal(sigmix_table_set_string(t, 0, 0, "fine", 4), 0);
        assert_int_equal(sigmix_table_set_string(t, c, 1, pass ? "x" : "a\xC3", pass ? 1 : 2), 0);
        for (int k = 0; k < 4; k++) {
            memset(&err, 0, sizeof err);
            assert_int_equal(sigmix_table_write(t, tt_path(outs[k]), NULL, &err), SIGMIX_EFORMAT);
            assert_string_equal(err.message, pass ? "column 2: name is not valid UTF-8 (byte 4)"
                                                  : "column 2 row 2: text is not valid UTF-8 (byte 1)");
            assert_int_equal(access(tt_path(outs[k]), F_OK), -1);
        }
        /* Parquet: a bad name is refused like everywhere; a bad value is
         * kept losslessly as binary, and what comes out as text reads back */
        sigmix_table *u = NULL;
        if (pass) {
            unlink(tt_path("bad.parquet")); /* pass 0's file: a refusal keeps it */
            memset(&err, 0, sizeof err);
            assert_int_equal(sigmix_table_write(t, tt_path("bad.parquet"), NULL, &err),
                             SIGMIX_EFORMAT);
            assert_string_equal(err.message, "column 2: name is not valid UTF-8 (byte 4)");
            assert_int_equal(access(tt_path("bad.parquet"), F_OK), -1);
        } else if (!sigmix_table_write(t, tt_path("bad.parquet"), NULL, &err) &&
            (u = tt_read(tt_path("bad.parquet"), NULL, &err)) != NULL) {
            for (int k = 0; k < 3; k++) {
                if (sigmix_table_write(u, tt_path(outs[k]), NULL, &err)) {
                    assert_int_equal(access(tt_path(outs[k]), F_OK), -1);
                    continue;
                }
                sigmix_table *v = tt_read(tt_path(outs[k]), NULL, &err);
                if (!v)
                    fail_msg("%s written from Parquet does not read back: %s", outs[k], err.message);
                sigmix_table_free(&v);
                unlink(tt_path(outs[k]));
            }
        }
        sigmix_table_free(&u);
        sigmix_table_free(&t);
    }
    /* the JSON writer itself never passes the bytes on */
    char *mem = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&mem, &len);
    sigmix_jsonw w;
    sigmix_jw_init(&w, f, 0);
    sigmix_jw_obj_begin(&w);
    sigmix_jw_key(&w, "k\xFE");
    sigmix_jw_str(&w, "v");
    sigmix_jw_key(&w, "k2");
    sigmix_jw_strn(&w, "\xC0\x80", 2);
    sigmix_jw_obj_end(&w);
    fclose(f);
    assert_true(sigmix_jw_bad_utf8(&w));
    assert_string_equal(mem, "{\"\":\"v\",\"k2\":\"\"}");
    free(mem);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_huge_exponents),
        cmocka_unit_test(test_escaped_wrapper_key),
        cmocka_unit_test(test_csv_text_survives),
        cmocka_unit_test(test_csv_nonfinite),
        cmocka_unit_test(test_csv_late_text),
        cmocka_unit_test(test_delimiters),
        cmocka_unit_test(test_pq_extension),
        cmocka_unit_test(test_utf8_valid),
        cmocka_unit_test(test_writers_refuse_bad_utf8),
    };
    tt_setup_dir();
    int r = cmocka_run_group_tests(tests, NULL, NULL);
    tt_cleanup_dir();
    return r;
}
