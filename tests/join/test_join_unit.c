/* Unit tests of the join internals: key text and normalization, slugs,
 * the key map, the score-file parser and the sorted-key report writer.
 * Expected values are worked out by hand from upstream's rules. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "join/internal.h"
#include "table/table_internal.h"
#include "util/runprov.h"

static void norm_is(const char *in, sigmix_key_mode m, const char *col, int src, const char *want)
{
    const char *s = in;
    size_t n = strlen(in);
    sigmix_join_normalize(&s, &n, m, col, src);
    if (n != strlen(want) || memcmp(s, want, n)) {
        fprintf(stderr, "normalize('%s') = '%.*s', want '%s'\n", in, (int)n, s, want);
        fail();
    }
}

static void test_normalize(void **state)
{
    (void)state;
    norm_is("  001 \t", SIGMIX_KEY_RAW, "clip_id", 0, "001");
    norm_is("/a/b/clip.mp4", SIGMIX_KEY_RAW, "x", 0, "/a/b/clip.mp4");
    norm_is("/a/b/clip.mp4", SIGMIX_KEY_BASENAME, "x", 0, "clip.mp4");
    norm_is("/a/b/clip.tar.gz", SIGMIX_KEY_STEM, "x", 0, "clip.tar");
    norm_is("/a/b/.hidden", SIGMIX_KEY_STEM, "x", 0, ".hidden");
    norm_is("/a/b/", SIGMIX_KEY_BASENAME, "x", 0, "b");
    norm_is("a/b/.", SIGMIX_KEY_BASENAME, "x", 0, "b");
    norm_is("noext", SIGMIX_KEY_STEM, "x", 0, "noext");
    /* auto: basename when the column name suggests a path */
    norm_is("d/clip.mp4", SIGMIX_KEY_AUTO, "distorted_path", 0, "clip.mp4");
    norm_is("d/clip.mp4", SIGMIX_KEY_AUTO, "File", 0, "clip.mp4");
    norm_is("d/clip.mp4", SIGMIX_KEY_AUTO, "clip_id", 0, "d/clip.mp4");
    norm_is("d/clip.mp4", SIGMIX_KEY_AUTO, "src", 0, "d/clip.mp4");
    norm_is("d/clip.mp4", SIGMIX_KEY_AUTO, "src", 1, "clip.mp4");
    norm_is("  ", SIGMIX_KEY_AUTO, "name", 0, "");
}

static void test_slug(void **state)
{
    (void)state;
    char *s = sigmix_join_slug("Q-Align v2");
    assert_string_equal(s, "q_align_v2");
    free(s);
    s = sigmix_join_slug("__DOVER__");
    assert_string_equal(s, "dover");
    free(s);
    s = sigmix_join_slug("fast--vqa!!x");
    assert_string_equal(s, "fast_vqa_x");
    free(s);
    s = sigmix_join_slug("\xc3\xa9\xc3\xa9");
    assert_string_equal(s, "");
    free(s);
    s = sigmix_join_repr("it's", 4);
    assert_string_equal(s, "'it\\'s'");
    free(s);
}

static void test_kmap(void **state)
{
    (void)state;
    sigmix_kmap m;
    memset(&m, 0, sizeof m);
    char keys[3000][16];
    for (size_t i = 0; i < 3000; i++) {
        snprintf(keys[i], 16, "k%05zu", i);
        size_t v = i * 3;
        assert_int_equal(sigmix_kmap_put(&m, keys[i], strlen(keys[i]), &v), 0);
    }
    size_t v = 99;
    assert_int_equal(sigmix_kmap_put(&m, "k00017", 6, &v), 1);
    assert_int_equal(v, 51);
    assert_int_equal(sigmix_kmap_get(&m, "k02999", 6, &v), 1);
    assert_int_equal(v, 8997);
    assert_int_equal(sigmix_kmap_get(&m, "k03000", 6, &v), 0);
    /* "001" and "1" are different keys */
    v = 1;
    assert_int_equal(sigmix_kmap_put(&m, "001", 3, &v), 0);
    assert_int_equal(sigmix_kmap_get(&m, "1", 1, &v), 0);
    sigmix_kmap_free(&m);
}

/* Parse text as a score file and return the file (asserts success). */
static void parse_ok(const char *text, int jsonl, const sigmix_score_opts *o, sigmix_score_file *f)
{
    size_t n = strlen(text);
    char *buf = calloc(1, n + 64);
    memcpy(buf, text, n);
    sigmix_error err;
    memset(&err, 0, sizeof err);
    int r = sigmix_score_parse(buf, n, jsonl, o, f, &err);
    if (r)
        fprintf(stderr, "parse failed: %s\n", err.message);
    assert_int_equal(r, 0);
    free(buf);
}

static void parse_err(const char *text, int jsonl, const sigmix_score_opts *o, const char *want)
{
    size_t n = strlen(text);
    char *buf = calloc(1, n + 64);
    memcpy(buf, text, n);
    sigmix_error err;
    sigmix_score_file f;
    memset(&err, 0, sizeof err);
    assert_int_not_equal(sigmix_score_parse(buf, n, jsonl, o, &f, &err), 0);
    if (strcmp(err.message, want))
        fprintf(stderr, "got  '%s'\nwant '%s'\n", err.message, want);
    assert_string_equal(err.message, want);
    free(buf);
}


/* JSON Lines read a chunk at a time (sigmix_score_load) against the same
 * bytes parsed whole: every chunk size puts line ends, a BOM, CRLF, blank
 * lines and a line longer than the buffer at a chunk boundary somewhere. */
static const char STREAM_TEXT[] =
    "\xef\xbb\xbf{\"clip_id\":\"a\",\"score\":1.5,\"runtime_ms\":3}\r\n"
    "\n"
    "   \n"
    "{\"clip_id\":\"b\",\"frames\":[{\"score\":1},{\"score\":2,\"runtime_ms\":4}],\"status\":\"oom\"}\n"
    "{\"clip_id\":3,\"mos\":\"2.25\",\"note\":\"a long line: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}\n"
    "{\"clip_id\":\"d\",\"competitor\":\"other\",\"score\":-0.5,\"status\":\"ok\"}\n"
    "{\"clip_id\":\"e\",\"score\":4}";

static void write_file(const char *path, const char *text, size_t n)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(text, 1, n, fp), n);
    assert_int_equal(fclose(fp), 0);
}

static void same_recs(const sigmix_score_file *a, const sigmix_score_file *b)
{
    assert_int_equal(a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        const sigmix_score_rec *x = &a->rec[i], *y = &b->rec[i];
        assert_int_equal(x->key_len, y->key_len);
        assert_memory_equal(x->key, y->key, x->key_len);
        assert_string_equal(x->competitor, y->competitor);
        assert_memory_equal(&x->score, &y->score, sizeof x->score);
        assert_memory_equal(&x->runtime_ms, &y->runtime_ms, sizeof x->runtime_ms);
        assert_int_equal(x->frames, y->frames);
        assert_int_equal(x->status, y->status);
        assert_int_equal(x->where, y->where);
    }
}

static void test_scores_stream(void **state)
{
    (void)state;
    char dir[] = "/tmp/sigmix_join_stream_XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/s.jsonl", dir);
    size_t n = sizeof STREAM_TEXT - 1;
    write_file(path, STREAM_TEXT, n);
    sigmix_score_opts o = { "dover", NULL, NULL, SIGMIX_KEY_AUTO, 1 };
    sigmix_score_file whole, f;
    parse_ok(STREAM_TEXT, 1, &o, &whole);
    assert_int_equal(whole.n, 5);
    assert_int_equal(whole.rec[4].where, 7);
    static const size_t chunks[] = { 1, 2, 3, 5, 7, 16, 64, 200, 4096, 0 };
    for (size_t c = 0; c < sizeof chunks / sizeof *chunks; c++) {
        sigmix_error err;
        memset(&err, 0, sizeof err);
        int r = sigmix_score_load_chunked(path, &o, chunks[c], &f, &err);
        if (r)
            fprintf(stderr, "chunk %zu: %s\n", chunks[c], err.message);
        assert_int_equal(r, 0);
        same_recs(&whole, &f);
        /* sha256sum of STREAM_TEXT's bytes */
        assert_string_equal(f.sha256,
                            "23ee28884601f9fb2a7e1175a69e74689e0371e4e286024d6f242a65670383ab");
        assert_int_equal(f.size, n);
        sigmix_score_file_free(&f);
    }
    sigmix_score_file_free(&whole);
    /* an error after the long line names the same line in both ways */
    char bad[sizeof STREAM_TEXT + 32];
    snprintf(bad, sizeof bad, "%s\n{\"clip_id\":\"z\"}\n", STREAM_TEXT);
    write_file(path, bad, strlen(bad));
    for (size_t c = 0; c < sizeof chunks / sizeof *chunks; c++) {
        sigmix_error err;
        memset(&err, 0, sizeof err);
        assert_int_equal(sigmix_score_load_chunked(path, &o, chunks[c], &f, &err), SIGMIX_EFORMAT);
        assert_string_equal(err.message,
            "score row has neither a score field nor non-empty frames[] (line 8)");
    }
    parse_err(bad, 1, &o, "score row has neither a score field nor non-empty frames[] (line 8)");
    unlink(path);
    rmdir(dir);
}

/* Keys are classified once per field position and file: a row whose keys
 * differ from the last row's at the same position (order swapped, case,
 * one byte, a longer key, a key the memo cannot hold) is classified anew. */
static void test_scores_key_memo(void **state)
{
    (void)state;
    sigmix_score_opts o = { "d", NULL, NULL, SIGMIX_KEY_RAW, 0 };
    sigmix_score_file f;
    parse_ok("{\"clip_id\":\"a\",\"score\":1}\n"
             "{\"score\":2,\"clip_id\":\"b\"}\n"
             "{\"CLIP_ID\":\"c\",\"Score\":3,\"runtime_ms\":5}\n"
             "{\"clip_ie\":\"x\",\"clip_id\":\"d\",\"score\":4}\n"
             "{\"clip_id\":\"e\",\"scorf\":9,\"mos\":6,\"runtime_mt\":1}\n"
             "{\"clip_id\":\"f\",\"score\":7,\"runtime_ms\":1.5}\n"
             "{\"a_key_longer_than_the_memo_holds\":0,\"video_id\":\"g\",\"score\":8}\n"
             "{\"a_key_longer_than_the_memo_holds\":0,\"name\":\"h\",\"score\":10}\n"
             "{\"\":1,\"clip_id\":\"i\",\"vmaf\":11}\n"
             "{\"x\":1,\"\":2,\"path\":\"j\",\"quality\":12,\"elapsed_ms\":2}\n"
             "{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5,\"f\":6,\"g\":7,\"h\":8,\"score\":13,\"clip_id\":\"k\"}\n"
             "{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5,\"f\":6,\"g\":7,\"h\":8,\"mos\":14,\"clip_id\":\"l\"}\n",
             1, &o, &f);
    static const char *const keys[] = { "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l" };
    static const double scores[] = { 1, 2, 3, 4, 6, 7, 8, 10, 11, 12, 13, 14 };
    static const double runtimes[] = { NAN, NAN, 5, NAN, NAN, 1.5, NAN, NAN, NAN, 2, NAN, NAN };
    assert_int_equal(f.n, 12);
    for (size_t i = 0; i < 12; i++) {
        assert_string_equal(f.rec[i].key, keys[i]);
        assert_true(f.rec[i].score == scores[i]);
        if (isnan(runtimes[i]))
            assert_true(isnan(f.rec[i].runtime_ms));
        else
            assert_true(f.rec[i].runtime_ms == runtimes[i]);
    }
    sigmix_score_file_free(&f);
}

static void test_scores_shapes(void **state)
{
    (void)state;
    sigmix_score_opts o = { "dover", NULL, NULL, SIGMIX_KEY_AUTO, 0 };
    sigmix_score_file f;
    /* {"rows": [...]}: keys as str() renders them; "001" stays text */
    parse_ok("{\"rows\": [{\"clip_id\": \"001\", \"score\": 1.5},"
             " {\"clip_id\": 7, \"MOS\": 2},"
             " {\"clip_id\": 2.5, \"quality\": \" 3.25 \"},"
             " {\"clip_id\": true, \"vmaf\": 90}]}", 0, &o, &f);
    assert_int_equal(f.n, 4);
    assert_string_equal(f.rec[0].key, "001");
    assert_string_equal(f.rec[0].competitor, "dover");
    assert_true(f.rec[0].score == 1.5);
    assert_string_equal(f.rec[1].key, "7");
    assert_true(f.rec[1].score == 2.0);
    assert_string_equal(f.rec[2].key, "2.5");
    assert_true(f.rec[2].score == 3.25);
    assert_string_equal(f.rec[3].key, "True");
    assert_true(isnan(f.rec[0].runtime_ms));
    sigmix_score_file_free(&f);

    /* {"results": [...]} when rows is empty; unicode keys kept as bytes */
    parse_ok("{\"rows\": [], \"results\": [{\"name\": \"d/\xc3\xa9t\xc3\xa9.mp4\", \"score\": 4}]}",
             0, &o, &f);
    assert_int_equal(f.n, 1);
    assert_string_equal(f.rec[0].key, "\xc3\xa9t\xc3\xa9.mp4"); /* auto: name -> basename */
    sigmix_score_file_free(&f);

    /* a bare payload; competitor from summary beats the hint; key in summary */
    parse_ok("{\"summary\": {\"competitor\": \"Q-Align\", \"video_id\": \"v1\", \"mos\": 3.5,"
             " \"runtime_total_ms\": 40}}", 0, &o, &f);
    assert_int_equal(f.n, 1);
    assert_string_equal(f.rec[0].competitor, "Q-Align");
    assert_string_equal(f.rec[0].key, "v1");
    assert_true(f.rec[0].score == 3.5);
    assert_true(f.rec[0].runtime_ms == 40.0);
    sigmix_score_file_free(&f);

    /* a list of payloads */
    parse_ok("[{\"clip_id\": \"a\", \"score\": 1, \"competitor\": \" x \"}]", 0, &o, &f);
    assert_string_equal(f.rec[0].competitor, "x");
    sigmix_score_file_free(&f);
}

static void test_scores_frames_status(void **state)
{
    (void)state;
    sigmix_score_opts o = { "c", NULL, NULL, SIGMIX_KEY_RAW, 0 };
    sigmix_score_file f;
    /* frames-only payload: mean of the frame scores, runtime summed over
     * the frames that have one; frames counted */
    parse_ok("{\"clip_id\":\"a\",\"frames\":[{\"score\":1,\"runtime_ms\":2},{\"Score\":2},"
             "{\"score\":4,\"elapsed_ms\":3.5}]}\n"
             "\n"
             "{\"clip_id\":\"b\",\"score\":null,\"frames\":[{\"mos\":5}],\"status\":\"PASS\"}\n"
             "{\"clip_id\":\"c\",\"score\":2,\"status\":\"timeout\"}\n"
             "{\"clip_id\":\"d\",\"score\":2,\"status\":null}\n"
             "{\"clip_id\":\"e\",\"score\":2,\"status\":false}\n", 1, &o, &f);
    assert_int_equal(f.n, 5);
    assert_true(fabs(f.rec[0].score - 7.0 / 3.0) == 0);
    assert_int_equal(f.rec[0].frames, 3);
    assert_true(f.rec[0].runtime_ms == 5.5);
    assert_int_equal(f.rec[0].where, 1);
    /* a null score candidate falls through to frames[] */
    assert_true(f.rec[1].score == 5.0);
    assert_int_equal(f.rec[1].frames, 1);
    assert_int_equal(f.rec[1].status, SIGMIX_SCORE_OK);
    assert_int_equal(f.rec[1].where, 3);
    assert_int_equal(f.rec[2].status, SIGMIX_SCORE_BAD);
    assert_int_equal(f.rec[3].status, SIGMIX_SCORE_OK);
    assert_int_equal(f.rec[4].status, SIGMIX_SCORE_BAD);
    sigmix_score_file_free(&f);

    /* --score-field and --score-key-field take precedence */
    sigmix_score_opts o2 = { "c", "id", "my", SIGMIX_KEY_RAW, 0 };
    parse_ok("{\"id\": 12, \"clip_id\": \"zz\", \"my\": 9, \"score\": 1}", 0, &o2, &f);
    assert_string_equal(f.rec[0].key, "12");
    assert_true(f.rec[0].score == 9.0);
    sigmix_score_file_free(&f);
}

static void test_scores_errors(void **state)
{
    (void)state;
    sigmix_score_opts o = { "c", NULL, NULL, SIGMIX_KEY_RAW, 0 };
    sigmix_score_opts nohint = { NULL, NULL, NULL, SIGMIX_KEY_RAW, 0 };
    sigmix_score_opts keyf = { "c", "id", NULL, SIGMIX_KEY_RAW, 0 };
    parse_err("{\"clip_id\":\"a\",\"score\":1}\n[1]\n", 1, &o,
              "score row must be a JSON object (found a list) (line 2)");
    parse_err("{\"clip_id\":\"a\"}\n", 1, &o,
              "score row has neither a score field nor non-empty frames[] (line 1)");
    parse_err("{\"clip_id\":\"a\",\"frames\":[]}\n", 1, &o,
              "score row has neither a score field nor non-empty frames[] (line 1)");
    parse_err("{\"clip_id\":\"a\",\"frames\":[{\"score\":1},3]}\n", 1, &o,
              "frames[1] must be an object (line 1)");
    parse_err("{\"clip_id\":\"a\",\"frames\":[{\"score\":1},{\"x\":1}]}\n", 1, &o,
              "frames[1] has no score-like field (line 1)");
    parse_err("{\"clip_id\":\"a\",\"score\":\"high\"}\n", 1, &o, "score must be numeric (line 1)");
    parse_err("{\"clip_id\":\"a\",\"score\":true}\n", 1, &o, "score must be numeric (line 1)");
    parse_err("{\"clip_id\":\"a\",\"score\":NaN}\n", 1, &o, "score must be finite (line 1)");
    parse_err("{\"clip_id\":\"a\",\"score\":1,\"runtime_ms\":\"x\"}\n", 1, &o,
              "runtime must be numeric (line 1)");
    parse_err("{\"score\":1}\n", 1, &o, "score row has no key field; pass --score-key-field (line 1)");
    parse_err("{\"clip_id\":\"  \",\"score\":1}\n", 1, &o, "empty score key (line 1)");
    parse_err("{\"clip_id\":{\"a\":1},\"score\":1}\n", 1, &o,
              "key field 'clip_id' must be text or a number (line 1)");
    parse_err("{\"clip_id\":\"a\",\"score\":1}\n", 1, &nohint,
              "score row has no competitor field; use LABEL=path for --scores (line 1)");
    parse_err("{\"clip_id\":\"a\",\"score\":1}\n", 1, &keyf,
              "score row lacks requested key field 'id' (line 1)");
    parse_err("[{\"clip_id\":\"a\",\"score\":1}, 5]", 0, &o, "rows[1] must be a JSON object");
    parse_err("[{\"clip_id\":\"a\",\"score\":1},\n {\"clip_id\":\"b\"}]", 0, &o,
              "score row has neither a score field nor non-empty frames[] (rows[1])");
    parse_err("\"text\"", 0, &o, "unsupported score format: expected an object or a list of objects");
    parse_err("{\"clip_id\":\"a\",\"score\":1}\n{\"clip_id\":\"\xff\",\"score\":1}\n", 1, &o,
              "invalid UTF-8 (line 2)");
}

static char *render(const sigmix_jv *v)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    sigmix_jv_write(v, f, 2);
    fclose(f);
    return text;
}

static void test_tree_writer(void **state)
{
    (void)state;
    sigmix_jdoc *d = sigmix_jdoc_new();
    sigmix_jv *o = sigmix_jv_obj(d), *a = sigmix_jv_arr(d);
    sigmix_jv_set(d, o, "zeta", sigmix_jv_int(d, -3));
    sigmix_jv_set(d, o, "alpha", sigmix_jv_num(d, 5.0));
    sigmix_jv_set(d, o, "Beta", sigmix_jv_num(d, NAN));
    sigmix_jv_set(d, o, "\xc3\xa9", sigmix_jv_str(d, "caf\xc3\xa9 \xf0\x9f\x98\x80 \"q\"\n\x7f"));
    sigmix_jv_set(d, o, "empty_obj", sigmix_jv_obj(d));
    sigmix_jv_set(d, o, "empty_arr", sigmix_jv_arr(d));
    sigmix_jv_push(d, a, sigmix_jv_bool(d, 1));
    sigmix_jv_push(d, a, sigmix_jv_null(d));
    sigmix_jv_push(d, a, sigmix_jv_num(d, 0.1));
    sigmix_jv_set(d, o, "list", a);
    sigmix_jv_set(d, o, "zeta", sigmix_jv_int(d, 4)); /* replaces */
    char *t = render(o);
    /* json.dumps(v, indent=2, sort_keys=True) + "\n" gives exactly this */
    assert_string_equal(t,
        "{\n"
        "  \"Beta\": null,\n"
        "  \"alpha\": 5.0,\n"
        "  \"empty_arr\": [],\n"
        "  \"empty_obj\": {},\n"
        "  \"list\": [\n"
        "    true,\n"
        "    null,\n"
        "    0.1\n"
        "  ],\n"
        "  \"zeta\": 4,\n"
        "  \"\\u00e9\": \"caf\\u00e9 \\ud83d\\ude00 \\\"q\\\"\\n\\u007f\"\n"
        "}\n");
    free(t);
    assert_false(sigmix_jdoc_failed(d));
    sigmix_jdoc_free(d);
}

static void test_runprov(void **state)
{
    (void)state;
    sigmix_jdoc *d = sigmix_jdoc_new();
    char *argv[] = { "--a", "x" };
    sigmix_runprov *p = sigmix_runprov_new(d, 2, argv);
    sigmix_runprov_arg_str(p, "a", "x");
    sigmix_runprov_arg_str(p, "b_c", NULL);
    sigmix_runprov_input_file(p, "dir", "/");
    sigmix_runprov_input_file(p, "none", "/nonexistent/file");
    sigmix_runprov_input_file(p, "opt", NULL);
    sigmix_runprov_output(p, "out", "o.json");
    sigmix_jv *v = sigmix_runprov_finish(p);
    sigmix_jv *in = sigmix_jv_get(v, "inputs");
    assert_non_null(in);
    char *t = render(sigmix_jv_get(in, "dir"));
    assert_string_equal(t, "{\n  \"exists\": true,\n  \"kind\": \"directory\",\n  \"path\": \"/\"\n}\n");
    free(t);
    t = render(sigmix_jv_get(in, "none"));
    assert_string_equal(t, "{\n  \"exists\": false,\n  \"kind\": \"missing\",\n"
                           "  \"path\": \"/nonexistent/file\"\n}\n");
    free(t);
    t = render(sigmix_jv_get(v, "args"));
    assert_string_equal(t, "{\n  \"a\": \"x\",\n  \"b_c\": null\n}\n");
    free(t);
    t = render(sigmix_jv_get(v, "schema"));
    assert_string_equal(t, "\"ai-run-provenance-v1\"\n");
    free(t);
    sigmix_jv *e = sigmix_jv_get(v, "entrypoint");
    assert_non_null(sigmix_jv_get(e, "sha256"));
    sigmix_runprov_free(p);
    sigmix_jdoc_free(d);
}

/* Entries from hashes the caller made: not read again; a folder or a
 * missing path is described as usual; _push builds a list. */
static void test_runprov_known(void **state)
{
    (void)state;
    char path[] = "/tmp/sigmix-runprov-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "abc", 3), 3);
    close(fd);
    const char *fake = "0000000000000000000000000000000000000000000000000000000000000001";
    sigmix_jdoc *d = sigmix_jdoc_new();
    sigmix_runprov *p = sigmix_runprov_new(d, 0, NULL);
    sigmix_runprov_set_started(p, (time_t)86400);
    sigmix_runprov_input_known(p, "one", path, fake, 3);
    sigmix_runprov_input_push(p, "many", path, NULL, 0);
    sigmix_runprov_input_push(p, "many", "/", fake, 7);
    sigmix_runprov_input_rows(p, "many", 1, 5);
    sigmix_jv *v = sigmix_runprov_finish(p);
    sigmix_jv *in = sigmix_jv_get(v, "inputs");
    char want[512];
    char *t = render(sigmix_jv_get(in, "one"));
    snprintf(want, sizeof want, "{\n  \"exists\": true,\n  \"kind\": \"file\",\n  \"path\": \"%s\",\n"
             "  \"sha256\": \"%s\"\n}\n", path, fake);
    assert_string_equal(t, want);
    free(t);
    t = render(sigmix_jv_get(in, "many"));
    /* sha256("abc"), computed since no hash was given */
    snprintf(want, sizeof want, "[\n  {\n    \"exists\": true,\n    \"kind\": \"file\",\n"
             "    \"path\": \"%s\",\n    \"sha256\": "
             "\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\"\n  },\n"
             "  {\n    \"exists\": true,\n    \"kind\": \"directory\",\n    \"path\": \"/\"\n  }\n]\n",
             path);
    assert_string_equal(t, want);
    free(t);
    sigmix_jv *x = sigmix_jv_get(v, "sigmix");
    t = render(sigmix_jv_get(sigmix_jv_get(x, "inputs"), "many"));
    snprintf(want, sizeof want, "[\n  {\n    \"path\": \"%s\",\n    \"rows\": null,\n    \"size\": 3\n  },\n"
             "  {\n    \"path\": \"/\",\n    \"rows\": 5,\n    \"size\": 7\n  }\n]\n", path);
    assert_string_equal(t, want);
    free(t);
    t = render(sigmix_jv_get(x, "started_utc"));
    assert_string_equal(t, "\"1970-01-02T00:00:00Z\"\n");
    free(t);
    sigmix_runprov_free(p);
    sigmix_jdoc_free(d);
    unlink(path);
}

/* Every cell of column c as add_column leaves an unwritten row: null,
 * NaN, 0, no string. */
static void null_rows(const sigmix_column *c, size_t r0, size_t r1)
{
    for (size_t r = r0; r < r1; r++) {
        assert_int_equal(c->valid[r], 0);
        if (sigmix_kind_is_numeric(c->kind))
            assert_true(isnan(c->f64[r]));
        if (c->kind == SIGMIX_KIND_INT64)
            assert_int_equal(c->i64[r], 0);
        if (c->kind == SIGMIX_KIND_STRING || c->kind == SIGMIX_KIND_JSON) {
            assert_null(c->str[r].ptr);
            assert_int_equal(c->str[r].len, 0);
        }
    }
}

/* sigmix_table_add_columns_uninit: the arrays each kind has, rows past
 * the end null (also after growing), refusals with the table unchanged,
 * and block arrays that set_null, convert, resize and free handle. */
static void test_add_columns_uninit(void **state)
{
    (void)state;
    static const sigmix_kind kinds[] = { SIGMIX_KIND_DOUBLE, SIGMIX_KIND_STRING,
        SIGMIX_KIND_INT64, SIGMIX_KIND_BOOL, SIGMIX_KIND_JSON };
    /* small (no huge pages) and large (a 2 MiB block) */
    static const size_t sizes[] = { 5, 0, 70000 };
    for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++) {
        size_t rows = sizes[si];
        sigmix_table *t = NULL;
        assert_int_equal(sigmix_table_create(&t), 0);
        size_t k0;
        assert_int_equal(sigmix_table_add_column(t, "key", SIGMIX_KIND_STRING, &k0), 0);
        assert_int_equal(sigmix_table_resize(t, rows), 0);
        const char *names[] = { "d", "s", "i", "b", "j" };
        size_t ix[5] = { 0 }, failed = 9;
        /* refusals: present name, repeated name, bad kind; nothing added */
        const char *bad1[] = { "d", "key" }, *bad2[] = { "d", "s", "d" };
        sigmix_kind badk[] = { SIGMIX_KIND_DOUBLE, (sigmix_kind)99 };
        assert_int_equal(sigmix_table_add_columns_uninit(t, bad1, kinds, 2, ix, &failed), SIGMIX_EINVAL);
        assert_int_equal(failed, 1);
        assert_int_equal(sigmix_table_add_columns_uninit(t, bad2, kinds, 3, ix, &failed), SIGMIX_EINVAL);
        assert_int_equal(failed, 2);
        assert_int_equal(sigmix_table_add_columns_uninit(t, names, badk, 2, ix, &failed), SIGMIX_EINVAL);
        assert_int_equal(failed, 1);
        assert_int_equal(sigmix_table_cols(t), 1);
        assert_int_equal(sigmix_table_find(t, "d"), -1);
        assert_int_equal(sigmix_table_add_columns_uninit(t, names, kinds, 5, ix, &failed), 0);
        assert_int_equal(sigmix_table_cols(t), 6);
        for (size_t i = 0; i < 5; i++) {
            assert_int_equal(ix[i], i + 1);
            assert_int_equal(sigmix_table_find(t, names[i]), (long)(i + 1));
            const sigmix_column *c = sigmix_table_col(t, ix[i]);
            assert_string_equal(c->name, names[i]);
            assert_int_equal(c->kind, kinds[i]);
            /* exactly the arrays add_column gives the kind */
            assert_non_null(c->valid);
            assert_true((c->f64 != NULL) == sigmix_kind_is_numeric(kinds[i]));
            assert_true((c->i64 != NULL) == (kinds[i] == SIGMIX_KIND_INT64));
            assert_true((c->str != NULL) == (kinds[i] == SIGMIX_KIND_STRING ||
                                             kinds[i] == SIGMIX_KIND_JSON));
        }
        /* the caller's part: every row written (alternately null) */
        for (size_t r = 0; r < rows; r++) {
            if (r % 2) {
                for (size_t i = 0; i < 5; i++)
                    sigmix_table_set_null(t, ix[i], r);
                continue;
            }
            sigmix_table_set_double(t, ix[0], r, (double)r + 0.5);
            assert_int_equal(sigmix_table_set_string(t, ix[1], r, "ab", 2), 0);
            sigmix_table_set_int64(t, ix[2], r, -(int64_t)r);
            sigmix_table_set_bool(t, ix[3], r, 1);
            assert_int_equal(sigmix_table_set_string(t, ix[4], r, "[1]", 3), 0);
        }
        /* rows past the end, then rows grown into, read null */
        for (size_t i = 0; i < 5; i++)
            null_rows(sigmix_table_col(t, ix[i]), rows, rows ? rows : 1);
        size_t big = rows * 3 + 200;
        assert_int_equal(sigmix_table_resize(t, big), 0);
        for (size_t i = 0; i < 5; i++) {
            const sigmix_column *c = sigmix_table_col(t, ix[i]);
            null_rows(c, rows, big);
            for (size_t r = 0; r < rows; r += 2)
                assert_int_equal(c->valid[r], 1);
            for (size_t r = 1; r < rows; r += 2)
                null_rows(c, r, r + 1);
        }
        const sigmix_column *d = sigmix_table_col(t, ix[0]), *i64 = sigmix_table_col(t, ix[2]);
        for (size_t r = 0; r < rows; r += 2) {
            assert_true(d->f64[r] == (double)r + 0.5);
            assert_true(i64->i64[r] == -(int64_t)r && i64->f64[r] == -(double)r);
        }
        /* shrink and grow back: the dropped rows are null again */
        assert_int_equal(sigmix_table_resize(t, rows / 2), 0);
        assert_int_equal(sigmix_table_resize(t, big), 0);
        for (size_t i = 0; i < 5; i++)
            null_rows(sigmix_table_col(t, ix[i]), rows / 2, big);
        /* conversions free or replace block arrays */
        assert_int_equal(sigmix_table_convert(t, ix[2], SIGMIX_KIND_DOUBLE), 0);
        assert_int_equal(sigmix_table_convert(t, ix[0], SIGMIX_KIND_STRING), 0);
        if (rows) {
            const sigmix_column *c = sigmix_table_col(t, ix[0]);
            assert_int_equal(c->valid[0], 1);
            assert_int_equal(c->str[0].len, 3);
            assert_memory_equal(c->str[0].ptr, "0.5", 3);
        }
        /* a second block in the same table */
        const char *more[] = { "m1", "m2" };
        size_t mix[2];
        assert_int_equal(sigmix_table_add_columns_uninit(t, more, kinds, 2, mix, NULL), 0);
        assert_int_equal(mix[0], 6);
        for (size_t r = 0; r < big; r++) {
            sigmix_table_set_double(t, mix[0], r, 1.0);
            sigmix_table_set_null(t, mix[1], r);
        }
        assert_int_equal(sigmix_table_add_columns_uninit(t, more, kinds, 0, mix, NULL), 0);
        sigmix_table_free(&t); /* ASan: no block array freed on its own */
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normalize),
        cmocka_unit_test(test_slug),
        cmocka_unit_test(test_kmap),
        cmocka_unit_test(test_scores_shapes),
        cmocka_unit_test(test_scores_key_memo),
        cmocka_unit_test(test_scores_frames_status),
        cmocka_unit_test(test_scores_errors),
        cmocka_unit_test(test_scores_stream),
        cmocka_unit_test(test_tree_writer),
        cmocka_unit_test(test_runprov),
        cmocka_unit_test(test_runprov_known),
        cmocka_unit_test(test_add_columns_uninit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
