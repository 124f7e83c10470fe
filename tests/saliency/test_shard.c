/* Unit tests: the clip -> shard function (golden values from Python's
 * hashlib, an independent SHA-256), K/N parsing, shard file lines round
 * trip bit for bit, the strict parser's refusals, duplicate clips. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <unistd.h>

#include "saliency/internal.h"
#include "saliency/shard.h"

static void test_shard_of(void **state)
{
    (void)state;
    /* int.from_bytes(sha256(b"sigmix-shard-1\0" + src + b"\0" + b"WxH\0")[:8], "big") % n */
    assert_int_equal(sigmix_saliency_shard_of("/data/clips/a.mp4", 1920, 1080, 64), 11);
    assert_int_equal(sigmix_saliency_shard_of("/data/clips/a.mp4", 0, 0, 64), 15);
    assert_int_equal(sigmix_saliency_shard_of("/data/clips/b.mp4", 1920, 1080, 7), 5);
    assert_int_equal(sigmix_saliency_shard_of("/data/clips/a.mp4", 1920, 1080, 100000), 54795);
    assert_int_equal(sigmix_saliency_shard_of("/x", 1, 1, 1), 0);
    assert_int_equal(sigmix_saliency_shard_of("/x", 1, 1, 0), 0);
    assert_int_equal(sigmix_saliency_shard_of(NULL, 1, 1, 4), 0);
    /* balanced: 7000 clips over 7 shards, each within 15% of 1000 */
    int count[7] = { 0 };
    char src[64];
    for (int i = 0; i < 7000; i++) {
        snprintf(src, sizeof src, "/data/konvid/%05d.mp4", i);
        count[sigmix_saliency_shard_of(src, 960, 540, 7)]++;
    }
    for (int k = 0; k < 7; k++)
        assert_true(count[k] > 850 && count[k] < 1150);
}

static void test_parse_shard(void **state)
{
    (void)state;
    int k = -1, n = -1;
    assert_int_equal(sigmix_sal_parse_shard("0/1", &k, &n), 0);
    assert_int_equal(k, 0);
    assert_int_equal(n, 1);
    assert_int_equal(sigmix_sal_parse_shard("63/64", &k, &n), 0);
    assert_int_equal(k, 63);
    assert_int_equal(n, 64);
    const char *bad[] = { "", "/", "1", "1/", "/4", "4/4", "5/4", "-1/4", "1/-4", "+1/4",
                          "1/+4", " 1/4", "1/ 4", "1/4 ", "1/0", "0/100001", "a/b",
                          "99999999999999999999/4", "1/4/5" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(sigmix_sal_parse_shard(bad[i], &k, &n), -1);
}

static char *file_of(const sigmix_saliency_clip *c, size_t nc, size_t announced)
{
    sal_shard_header h = { 1, 4, announced, "", "", "" };
    memset(h.input_sha256, 'a', 64);
    memset(h.config_sha256, 'b', 64);
    char *head = sigmix_sal_shard_header_line(&h, "model \"x\"");
    assert_non_null(head);
    size_t len = strlen(head);
    char *buf = malloc(len + 1);
    memcpy(buf, head, len + 1);
    free(head);
    for (size_t i = 0; i < nc; i++) {
        char *line = sigmix_sal_shard_clip_line(&c[i]);
        assert_non_null(line);
        buf = realloc(buf, len + strlen(line) + 1);
        memcpy(buf + len, line, strlen(line) + 1);
        len += strlen(line);
        free(line);
    }
    return buf;
}

static void test_round_trip(void **state)
{
    (void)state;
    char k1[65], k2[65], k3[65];
    memset(k1, '1', 64);
    memset(k2, 'f', 64);
    memset(k3, '0', 64);
    k1[64] = k2[64] = k3[64] = '\0';
    const double mean = 0.1234567890123456789, var = nextafter(1e-300, 1.0);
    sigmix_saliency_clip c[3] = {
        { k1, "/data/a \"b\".mp4", 16, 12, SIGMIX_SAL_OK, mean, var, "" },
        { k2, "/data/bad.mp4", 0, 0, SIGMIX_SAL_DECODE_FAILED, 0, 0,
          "cannot open \"it\"\n\t\x01 (\\ back)" },
        { k3, "/data/big.mp4", 64, 64, SIGMIX_SAL_MODEL_FAILED, 0, 0,
          "frame too large (64x64 > 2000 pixels)" },
    };
    char *buf = file_of(c, 3, 3);
    sigmix_saliency_shard_set set = { 0 };
    sal_shard_header h;
    char why[200] = "";
    assert_int_equal(sigmix_sal_shard_parse(buf, strlen(buf), &h, &set, why, sizeof why), 0);
    assert_int_equal(h.k, 1);
    assert_int_equal(h.n, 4);
    assert_int_equal(h.clips, 3);
    assert_string_equal(h.model_sha256, "");
    int a, b;
    assert_int_equal(sigmix_sal_shard_set_finish(&set, &a, &b), 0);
    const sal_result *r = sigmix_sal_shard_find(&set, k1);
    assert_non_null(r);
    assert_int_equal(r->status, SIGMIX_SAL_OK);
    assert_memory_equal(&r->mean, &mean, sizeof mean); /* bit for bit */
    assert_memory_equal(&r->var, &var, sizeof var);
    r = sigmix_sal_shard_find(&set, k2);
    assert_int_equal(r->status, SIGMIX_SAL_DECODE_FAILED);
    assert_string_equal(r->msg, c[1].message);
    r = sigmix_sal_shard_find(&set, k3);
    assert_int_equal(r->status, SIGMIX_SAL_MODEL_FAILED);
    assert_int_equal(r->shard, 1);
    assert_null(sigmix_sal_shard_find(&set, "nope"));
    /* the same clip in another file: a duplicate, named by shard */
    sal_shard_header h2;
    assert_int_equal(sigmix_sal_shard_parse(buf, strlen(buf), &h2, &set, why, sizeof why), 0);
    assert_int_equal(sigmix_sal_shard_set_finish(&set, &a, &b), SIGMIX_EFORMAT);
    assert_int_equal(a, 1);
    assert_int_equal(b, 1);
    sigmix_sal_shard_set_free(&set);

    /* refusals leave the set as it was */
    struct { const char *edit_from, *edit_to, *why; } cases[] = {
        { "\"clips\":3", "\"clips\":4", "3 clip lines, the header says 4" },
        { "\"shard\":1", "\"shard\":01", "line 1: not a sigmix saliency shard header" },
        { "\"of\":4", "\"of\":1", "line 1: not a sigmix saliency shard header" },
        { "\"mean\":", "\"mean\" :", "line 2: not a shard result line" },
        { "decode-failed", "exploded", "line 3: not a shard result line" },
        { "decode-failed", "ok", "line 3: not a shard result line" },
        { "\"height\":12}", "\"height\":12} ", "line 2: not a shard result line" },
        { "\\u0001", "\\u0041", "line 3: not a shard result line" },
        { "\\t", "\\q", "line 3: not a shard result line" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *p = strstr(buf, cases[i].edit_from);
        assert_non_null(p);
        size_t nf = strlen(cases[i].edit_from), nt = strlen(cases[i].edit_to);
        size_t len = strlen(buf) - nf + nt;
        char *e = malloc(len + 1);
        memcpy(e, buf, (size_t)(p - buf));
        memcpy(e + (p - buf), cases[i].edit_to, nt);
        strcpy(e + (p - buf) + nt, p + nf);
        sigmix_saliency_shard_set s2 = { 0 };
        why[0] = '\0';
        assert_int_equal(sigmix_sal_shard_parse(e, len, &h, &s2, why, sizeof why),
                         SIGMIX_EFORMAT);
        assert_string_equal(why, cases[i].why);
        assert_int_equal(s2.n, 0);
        sigmix_sal_shard_set_free(&s2);
        free(e);
    }
    /* cut anywhere: never accepted unless whole */
    size_t full = strlen(buf);
    for (size_t cut = 0; cut < full; cut++) {
        sigmix_saliency_shard_set s3 = { 0 };
        assert_int_not_equal(sigmix_sal_shard_parse(buf, cut, &h, &s3, why, sizeof why), 0);
        sigmix_sal_shard_set_free(&s3);
    }
    free(buf);
}

static void test_config_hash(void **state)
{
    (void)state;
    sigmix_saliency_settings s;
    sigmix_saliency_default_settings(&s);
    char a[65], b[65];
    sigmix_sal_config_sha256(&s, a);
    s.jobs = 7; /* not part of the result */
    s.journal_path = "/tmp/x";
    sigmix_sal_config_sha256(&s, b);
    assert_string_equal(a, b);
    s.max_frames = 3;
    sigmix_sal_config_sha256(&s, b);
    assert_string_not_equal(a, b);
    sigmix_saliency_default_settings(&s);
    s.status_column = "st";
    sigmix_sal_config_sha256(&s, b);
    assert_string_not_equal(a, b);
    sigmix_saliency_default_settings(&s);
    s.reducer = SIGMIX_SAL_EMA;
    sigmix_sal_config_sha256(&s, a);
    s.ema_alpha = 0.5;
    sigmix_sal_config_sha256(&s, b);
    assert_string_not_equal(a, b);
}

/* The folder cache resolves exactly as realpath does, links and all. */
static void test_resolve_cached(void **state)
{
    (void)state;
    char tmpl[] = "/tmp/sigmix-resolve-XXXXXX";
    char *t = mkdtemp(tmpl);
    assert_non_null(t);
    char p[512], q[512];
    const char *dirs[] = { "root", "root/sub", "root/sub/deep", "out" };
    for (size_t i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s/%s", t, dirs[i]);
        assert_int_equal(mkdir(p, 0755), 0);
    }
    const char *files[] = { "root/a.yuv", "root/sub/b.yuv", "root/sub/deep/c.yuv", "out/o.yuv" };
    for (size_t i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s/%s", t, files[i]);
        FILE *f = fopen(p, "w");
        assert_non_null(f);
        fclose(f);
    }
    snprintf(p, sizeof p, "%s/out/o.yuv", t);
    snprintf(q, sizeof q, "%s/root/sub/link.yuv", t);
    assert_int_equal(symlink(p, q), 0);            /* a file link out of the root */
    snprintf(p, sizeof p, "%s/root/sub", t);
    snprintf(q, sizeof q, "%s/root/sublink", t);
    assert_int_equal(symlink(p, q), 0);            /* a folder link inside */
    snprintf(p, sizeof p, "%s/out", t);
    snprintf(q, sizeof q, "%s/root/outlink", t);
    assert_int_equal(symlink(p, q), 0);            /* a folder link outside */
    snprintf(p, sizeof p, "%s/root", t);
    char *root = realpath(p, NULL);
    char abs_out[512];
    snprintf(abs_out, sizeof abs_out, "%s/out/o.yuv", t);
    const char *paths[] = {
        "a.yuv", "sub/b.yuv", "sub/b.yuv", "sub/deep/c.yuv", "sub/deep/../b.yuv",
        "sub/./b.yuv", "sub/link.yuv", "sublink/b.yuv", "sublink/deep/c.yuv",
        "outlink/o.yuv", "../out/o.yuv", abs_out, "sub", "sub/", "sub/.", "sub/..",
        "missing.yuv", "sub/missing.yuv", "nodir/x.yuv", "a.yuv/x", ".", "..", "/",
        "sub//b.yuv", "a.yuv",
    };
    for (int mode = 0; mode < 3; mode++) {
        const char *r = mode == 2 ? NULL : root;
        int outside = mode == 1;
        sal_dir_cache c = { 0 };
        for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
            char *want = sigmix_sal_resolve(paths[i], strlen(paths[i]), r, outside);
            struct stat st, st2;
            char *got = sigmix_sal_resolve_cached(paths[i], strlen(paths[i]), r, outside, &c,
                                                  &st);
            if (!want)
                assert_null(got);
            else {
                assert_non_null(got);
                assert_string_equal(got, want);
                assert_int_equal(stat(want, &st2), 0); /* the file's own stat */
                assert_int_equal(st.st_ino, st2.st_ino);
                assert_int_equal(st.st_size, st2.st_size);
            }
            free(want);
            free(got);
        }
        sigmix_sal_dir_cache_free(&c);
    }
    free(root);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", t);
    assert_int_equal(system(cmd), 0);
}

/* The public shard-file API: writer -> files -> load_all / load_own, the
 * missing shard reported by _has, and the refusals with their messages. */
static void test_public_shard_files(void **state)
{
    (void)state;
    char dir[] = "/tmp/sigmix-shardio.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char out[128];
    snprintf(out, sizeof out, "%s/o.jsonl", dir);
    sigmix_saliency_shard_header h;
    memset(&h, 0, sizeof h);
    memset(h.input_sha256, 'a', 64);
    memset(h.config_sha256, 'b', 64);
    h.n = 3;
    char k1[65], k2[65];
    memset(k1, '1', 64);
    memset(k2, '2', 64);
    k1[64] = k2[64] = '\0';
    sigmix_error err = { 0 };
    for (int k = 0; k < 2; k++) { /* shard 2 of 3 stays missing */
        sigmix_saliency_shard_writer *w = NULL;
        assert_int_equal(sigmix_saliency_shard_writer_new(&w, &err), 0);
        sigmix_saliency_clip c = { k ? k2 : k1, "/clips/x.yuv", 16, 12,
                                   k ? SIGMIX_SAL_DECODE_FAILED : SIGMIX_SAL_OK, 0.25, 0.5,
                                   k ? "bad \"data\"" : "" };
        sigmix_saliency_shard_writer_on_clip(w, &c);
        size_t clips, ok, failed;
        sigmix_saliency_shard_writer_counts(w, &clips, &ok, &failed);
        assert_int_equal(clips, 1);
        assert_int_equal(ok, k ? 0 : 1);
        assert_int_equal(failed, k ? 1 : 0);
        h.k = k;
        char *path = sigmix_saliency_shard_path(out, k, 3, 0);
        assert_int_equal(sigmix_saliency_shard_writer_commit(w, path, &h, "m", &err), 0);
        sigmix_saliency_shard_writer_free(&w);
        assert_null(w);
        sigmix_free(path);
    }
    sigmix_saliency_shard_set *set = NULL;
    assert_int_equal(sigmix_saliency_shard_set_new(&set, &err), 0);
    int found = -1, n = -1;
    assert_int_equal(sigmix_saliency_shard_load_all(out, 0, &h, set, &found, &n, &err), 0);
    assert_int_equal(found, 2);
    assert_int_equal(n, 3);
    assert_int_equal(sigmix_saliency_shard_set_size(set), 2);
    assert_true(sigmix_saliency_shard_set_has(set, 0));
    assert_true(sigmix_saliency_shard_set_has(set, 1));
    assert_false(sigmix_saliency_shard_set_has(set, 2));
    assert_false(sigmix_saliency_shard_set_has(set, 3));
    const sal_result *r = sigmix_sal_shard_find(set, k2);
    assert_non_null(r);
    assert_int_equal(r->status, SIGMIX_SAL_DECODE_FAILED);
    assert_string_equal(r->msg, "bad \"data\"");
    sigmix_saliency_shard_set_free(&set);
    assert_null(set);

    /* another configuration: refused, named, the set left empty */
    sigmix_saliency_shard_header other = h;
    memset(other.config_sha256, 'c', 64);
    assert_int_equal(sigmix_saliency_shard_set_new(&set, &err), 0);
    assert_int_equal(sigmix_saliency_shard_load_all(out, 3, &other, set, &found, &n, &err),
                     SIGMIX_EFORMAT);
    char want[600];
    snprintf(want, sizeof want, "%s.shard-0-of-3.jsonl: shard 0 of 3 was made with another "
             "configuration (sha256 bbbbbbbbbbbb, this run cccccccccccc); rerun it or merge "
             "with the same options", out);
    assert_string_equal(err.message, want);
    assert_int_equal(sigmix_saliency_shard_set_size(set), 0);
    /* no files for another name */
    char none[160];
    snprintf(none, sizeof none, "%s/p.jsonl", dir);
    assert_int_equal(sigmix_saliency_shard_load_all(none, 0, &h, set, &found, &n, &err),
                     SIGMIX_ENOTFOUND);
    snprintf(want, sizeof want, "%s: --merge found no shard files (%s.shard-K-of-N.jsonl)",
             none, none);
    assert_string_equal(err.message, want);
    /* a requeued shard 1 takes its own finished file, not another's */
    h.k = 1;
    char *p1 = sigmix_saliency_shard_path(out, 1, 3, 0);
    assert_int_equal(sigmix_saliency_shard_load_own(p1, &h, set), 1);
    sigmix_saliency_shard_set_free(&set);
    assert_int_equal(sigmix_saliency_shard_set_new(&set, &err), 0);
    h.k = 2;
    assert_int_equal(sigmix_saliency_shard_load_own(p1, &h, set), 0);
    sigmix_saliency_shard_set_free(&set);
    sigmix_free(p1);
    char *pp = sigmix_saliency_shard_path(out, 4, 7, 1);
    snprintf(want, sizeof want, "%s.shard-4-of-7.partial.jsonl", out);
    assert_string_equal(pp, want);
    sigmix_free(pp);
    assert_int_equal(sigmix_saliency_parse_shard("2/3", &found, &n), 0);
    assert_int_equal(sigmix_saliency_parse_shard("3/3", &found, &n), SIGMIX_EINVAL);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shard_of),
        cmocka_unit_test(test_parse_shard),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_config_hash),
        cmocka_unit_test(test_resolve_cached),
        cmocka_unit_test(test_public_shard_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
