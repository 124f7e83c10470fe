/* Unit tests: the clip -> shard function (golden values from Python's
 * hashlib, an independent SHA-256), K/N parsing, shard file lines round
 * trip bit for bit, the strict parser's refusals, duplicate clips. */
#include <errno.h>
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

/* The old reader: strtod over the text, as before the %a fast path. */
static int ref_hexfloat(const char *p, size_t n, double *out)
{
    if (n == 0 || n > 40)
        return -1;
    char tmp[48];
    memcpy(tmp, p, n);
    tmp[n] = '\0';
    char *e;
    errno = 0;
    *out = strtod(tmp, &e);
    return *e || errno == ERANGE || !isfinite(*out) ? -1 : 0;
}

static void same_hexfloat(const char *text)
{
    double a = 1.5, b = 2.5;
    int ra = sigmix_sal_hexfloat(text, strlen(text), &a);
    int rb = ref_hexfloat(text, strlen(text), &b);
    if (ra != rb)
        fail_msg("'%s': %d, strtod says %d", text, ra, rb);
    if (!ra && memcmp(&a, &b, sizeof a))
        fail_msg("'%s': %a, strtod says %a", text, a, b);
}

static uint64_t rng(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void test_hexfloat(void **state)
{
    (void)state;
    /* every %a spelling printf gives, bit for bit */
    uint64_t seed = 0x9e3779b97f4a7c15u;
    char text[64];
    for (int i = 0; i < 30000; i++) {
        uint64_t bits = rng(&seed);
        if (i % 4 == 1)
            bits &= 0x3fffffffffffffffu; /* around [0, 2) */
        if (i % 4 == 2)
            bits = (bits & 0x800fffffffffffffu) | (uint64_t)(1023 - i % 40) << 52;
        if (i % 7 == 3)
            bits &= ~((1ull << (4 * (i % 13))) - 1); /* short mantissas */
        double d;
        memcpy(&d, &bits, sizeof d);
        snprintf(text, sizeof text, "%a", d);
        same_hexfloat(text);
    }
    const double edge[] = { 0.0, -0.0, 1.0, -1.0, 0.5, 0x1.fffffffffffffp+1023, 0x1p-1022,
                            0x1.0000000000001p-1022, 0x0.0000000000001p-1022,
                            0x0.fffffffffffffp-1022, 0.1, 0.25303 };
    for (size_t i = 0; i < sizeof edge / sizeof *edge; i++) {
        snprintf(text, sizeof text, "%a", edge[i]);
        same_hexfloat(text);
    }
    /* other spellings: strtod decides, as before */
    const char *other[] = { "0x1.8P+1", "0X1.8p+1", "0x1.8p1", "0x1.p+0", "0x1p", "0x1.8",
                            "0x1.00000000000000p+0", "0x1.fffffffffffff8p+0", "0x0p-5",
                            "0x0.8p+0", "0x2p+0", "0x1p+1024", "0x1p-1023", "0x1p-1075",
                            "0x1p+00001", "0x1p+100000", "0x1p-99999", " 0x1p+0", "0x1p+0 ",
                            "+0x1p+0", "--0x1p+0", "-", "0x", "0x1.gp+0", "0x1.8p+", "0x1.8p-",
                            "1.5", "1e300", "1e400", "inf", "nan", "-0x0p+0", "0x1.Ap+0",
                            "0x1.8p+1x", "0x1.8q+1", "0x1.8p+1.5" };
    for (size_t i = 0; i < sizeof other / sizeof *other; i++)
        same_hexfloat(other[i]);
    double d;
    assert_int_equal(sigmix_sal_hexfloat("", 0, &d), -1);
    memset(text, '0', 41);
    text[1] = 'x';
    assert_int_equal(sigmix_sal_hexfloat(text, 41, &d), -1); /* over 40 bytes */
}

static char *write_tmp(const char *dir, const char *name, const char *data, size_t len)
{
    char *path = malloc(strlen(dir) + strlen(name) + 2);
    sprintf(path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
    return path;
}

static void same_results(const sigmix_saliency_shard_set *a, const sigmix_saliency_shard_set *b)
{
    assert_int_equal(a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        const sal_result *x = &a->r[i], *y = &b->r[i];
        assert_memory_equal(x->key, y->key, sizeof x->key);
        assert_memory_equal(&x->mean, &y->mean, sizeof x->mean);
        assert_memory_equal(&x->var, &y->var, sizeof x->var);
        assert_int_equal(x->status, y->status);
        assert_int_equal(x->shard, y->shard);
        assert_true(!x->msg == !y->msg);
        if (x->msg)
            assert_string_equal(x->msg, y->msg);
    }
}

/* The file read in pieces (any size, lines across pieces, lines longer than
 * the buffer) parses exactly as the whole file does, refusals included. */
static void test_read_in_pieces(void **state)
{
    (void)state;
    char dir[] = "/tmp/sigmix-shardread.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char keys[5][65], longsrc[3000];
    for (int i = 0; i < 5; i++) {
        memset(keys[i], "19af0"[i], 64);
        keys[i][64] = '\0';
    }
    memset(longsrc, 'p', sizeof longsrc - 1);
    longsrc[0] = '/';
    longsrc[sizeof longsrc - 1] = '\0';
    sigmix_saliency_clip c[5] = {
        { keys[0], "/data/a \"b\".mp4", 16, 12, SIGMIX_SAL_OK, 0.3, 0.01, "" },
        { keys[1], "/data/bad.mp4", 0, 0, SIGMIX_SAL_DECODE_FAILED, 0, 0, "no \"x\"\n\t\x01" },
        { keys[2], longsrc, 8, 8, SIGMIX_SAL_OK, 0x1p-1074, 1.0 / 3, "" },
        { keys[3], "/data/m.mp4", 64, 64, SIGMIX_SAL_MODEL_FAILED, 0, 0, "frame too large" },
        { keys[4], "/data/z.mp4", 2, 2, SIGMIX_SAL_OK, 0, 0x1.fffffffffffffp-1, "" },
    };
    char *good = file_of(c, 5, 5);
    size_t glen = strlen(good);
    /* edits: every refusal reason, and cuts at many places */
    struct { const char *from, *to; } edits[] = {
        { "", "" }, { "\"clips\":5", "\"clips\":6" }, { "\"of\":4", "\"of\":x" },
        { "\"mean\":", "\"mean\" :" }, { "decode-failed", "exploded" }, { "pppp\"", "pppp\\q\"" },
        { "frame too large", "frame\x01" },
    };
    size_t chunks[] = { 0, 1, 3, 65, 1000 };
    for (size_t e = 0; e < sizeof edits / sizeof *edits; e++) {
        char *p = strstr(good, edits[e].from);
        assert_non_null(p);
        size_t nf = strlen(edits[e].from), nt = strlen(edits[e].to);
        size_t len = glen - nf + nt;
        char *buf = malloc(len + 1);
        memcpy(buf, good, (size_t)(p - good));
        memcpy(buf + (p - good), edits[e].to, nt);
        strcpy(buf + (p - good) + nt, p + nf);
        for (size_t cut = e ? len : 0; cut <= len; cut += cut < 400 ? 37 : 401) {
            sigmix_saliency_shard_set whole = { 0 };
            sal_shard_header hw, hp;
            char ww[200] = "", wp[200] = "";
            int rw = sigmix_sal_shard_parse(buf, cut, &hw, &whole, ww, sizeof ww);
            if (!rw) {
                int a, b;
                assert_int_equal(sigmix_sal_shard_set_finish(&whole, &a, &b), 0);
            }
            char *path = write_tmp(dir, "f.jsonl", buf, cut);
            for (size_t k = 0; k < sizeof chunks / sizeof *chunks; k++) {
                sal_read_buf rb = { NULL, 0, chunks[k] };
                sigmix_saliency_shard_set part = { 0 };
                int eno = -1;
                const char *io = "x";
                wp[0] = '\0';
                int rp = sigmix_sal_shard_read_file(path, &rb, &hp, &part, &eno, &io, wp,
                                                    sizeof wp);
                free(rb.p);
                assert_int_equal(rp, rw);
                assert_int_equal(eno, 0);
                assert_null(io);
                if (rw) {
                    assert_string_equal(wp, ww);
                    assert_int_equal(part.n, 0);
                } else {
                    assert_memory_equal(&hp, &hw, sizeof hp);
                    int a, b;
                    assert_int_equal(sigmix_sal_shard_set_finish(&part, &a, &b), 0);
                    same_results(&part, &whole);
                }
                sigmix_sal_shard_set_free(&part);
            }
            sigmix_sal_shard_set_free(&whole);
            unlink(path);
            free(path);
            if (cut == len)
                break;
        }
        free(buf);
    }
    free(good);
    /* not there, not a regular file: the open's errno, or the reason */
    sal_read_buf rb = { 0 };
    sigmix_saliency_shard_set part = { 0 };
    sal_shard_header h;
    int eno = 0;
    const char *io = NULL;
    char why[200];
    char missing[80];
    snprintf(missing, sizeof missing, "%s/none.jsonl", dir);
    assert_int_equal(sigmix_sal_shard_read_file(missing, &rb, &h, &part, &eno, &io, why,
                                                sizeof why), SIGMIX_EIO);
    assert_int_equal(eno, ENOENT);
    assert_int_equal(sigmix_sal_shard_read_file(dir, &rb, &h, &part, &eno, &io, why,
                                                sizeof why), SIGMIX_EIO);
    assert_string_equal(io, "not a regular file");
    free(rb.p);
    rmdir(dir);
}

static void random_result(sal_result *r, uint64_t *seed, int shard)
{
    memset(r, 0, sizeof *r);
    for (int i = 0; i < 32; i += 8) {
        uint64_t v = rng(seed);
        memcpy(r->key + i, &v, 8);
    }
    r->shard = shard;
    r->mean = (double)(rng(seed) % 1000) / 7;
    r->status = rng(seed) % 5 ? SIGMIX_SAL_OK : SIGMIX_SAL_DECODE_FAILED;
    if (r->status != SIGMIX_SAL_OK) {
        char m[32];
        snprintf(m, sizeof m, "m%llu", (unsigned long long)(rng(seed) % 100000));
        r->msg = strdup(m);
    }
}

static int cmp_test_result(const void *a, const void *b)
{
    const sal_result *x = a, *y = b;
    int c = memcmp(x->key, y->key, 32);
    return c ? c : (x->shard > y->shard) - (x->shard < y->shard);
}

/* Merging the per-file parts gives what concatenating and sorting gave:
 * the same order, the same duplicate named, every key found. */
static void test_merge_parts(void **state)
{
    (void)state;
    uint64_t seed = 12345;
    size_t sizes[][9] = { { 5000, 4000, 0, 3000, 1 }, { 1, 1 }, { 0 }, { 2 }, { 9000 } };
    size_t nsizes[] = { 5, 2, 1, 1, 1 };
    for (int round = 0; round < 14; round++) {
        int which = round % 5, dup = round >= 5 && round < 10, unsorted = round >= 10;
        size_t many = round == 12 ? 300 : 0; /* many small parts: the heap */
        size_t np = many ? many : nsizes[which];
        sigmix_saliency_shard_set *parts = calloc(np, sizeof *parts);
        sigmix_saliency_shard_set cat = { 0 };
        for (size_t p = 0; p < np; p++) {
            size_t n = many ? (size_t)(rng(&seed) % 40) : sizes[which][p];
            parts[p].r = calloc(n ? n : 1, sizeof *parts[p].r);
            parts[p].n = parts[p].cap = n;
            for (size_t i = 0; i < n; i++)
                random_result(&parts[p].r[i], &seed, (int)p);
            if (dup && p > 0 && n && parts[p - 1].n) { /* one clip in two files */
                size_t i = rng(&seed) % n;
                memcpy(parts[p].r[i].key, parts[p - 1].r[rng(&seed) % parts[p - 1].n].key, 32);
            }
            if (dup && np == 1 && n >= 2) /* twice in one file */
                memcpy(parts[p].r[1].key, parts[p].r[0].key, 32);
            if (!unsorted || p % 2)
                qsort(parts[p].r, n, sizeof *parts[p].r, cmp_test_result);
            for (size_t i = 0; i < n; i++) {
                sal_result r = parts[p].r[i];
                r.msg = r.msg ? strdup(r.msg) : NULL;
                if (cat.n == cat.cap) {
                    cat.cap = cat.cap ? 2 * cat.cap : 64;
                    cat.r = realloc(cat.r, cat.cap * sizeof *cat.r);
                }
                cat.r[cat.n++] = r;
            }
        }
        sigmix_saliency_shard_set merged = { 0 };
        int a1 = -1, b1 = -1, a2 = -1, b2 = -1;
        int r1 = sigmix_sal_shard_set_finish(&cat, &a1, &b1);
        int r2 = sigmix_sal_shard_set_merge(&merged, parts, np, &a2, &b2);
        assert_int_equal(r2, r1);
        assert_int_equal(a2, a1);
        assert_int_equal(b2, b1);
        for (size_t p = 0; p < np; p++)
            assert_int_equal(parts[p].n, 0);
        same_results(&merged, &cat);
        if (!r1) {
            assert_true(merged.n < 4096 || merged.idx);
            for (size_t i = 0; i < merged.n; i++) {
                char hex[65];
                sigmix_sal_shard_key_hex(&merged.r[i], hex);
                assert_ptr_equal(sigmix_sal_shard_find(&merged, hex), &merged.r[i]);
                hex[63] = hex[63] == '0' ? '1' : '0'; /* a key not held */
                assert_null(sigmix_sal_shard_find(&merged, hex));
                hex[0] = 'A';
                assert_null(sigmix_sal_shard_find(&merged, hex));
            }
        }
        sigmix_sal_shard_set_free(&merged);
        sigmix_sal_shard_set_free(&cat);
        for (size_t p = 0; p < np; p++)
            sigmix_sal_shard_set_free(&parts[p]);
        free(parts);
    }
}

/* Key digits: every byte value at an even and an odd position of a key,
 * through the lookup and the line parser. Only 0-9 and a-f are digits
 * (each with its value); anything else finds nothing / is refused. */
static void test_key_digits(void **state)
{
    (void)state;
    static const char *const digits = "0123456789abcdef";
    char base[65];
    for (int i = 0; i < 64; i++)
        base[i] = digits[(i * 7) % 16];
    base[64] = '\0';
    sigmix_saliency_clip c = { base, "/d/a.mp4", 16, 12, SIGMIX_SAL_OK, 0.5, 0.25, "" };
    for (int pos = 10; pos <= 11; pos++)
        for (int v = 1; v < 256; v++) {
            char key[65];
            memcpy(key, base, sizeof key);
            key[pos] = (char)v;
            const char *d = memchr(digits, v, 16);
            /* the byte put into the written line as is (no JSON escape) */
            char *buf = file_of(&c, 1, 1), *at = strstr(buf, base);
            assert_non_null(at);
            at[pos] = (char)v;
            sigmix_saliency_shard_set set = { 0 };
            sal_shard_header h;
            char why[200] = "";
            int pr = sigmix_sal_shard_parse(buf, strlen(buf), &h, &set, why, sizeof why);
            int a, b;
            if (!d) {
                assert_int_equal(pr, SIGMIX_EFORMAT);
                assert_string_equal(why, "line 2: not a shard result line");
                sigmix_sal_shard_set_free(&set);
                free(buf);
                continue;
            }
            assert_int_equal(pr, 0);
            assert_int_equal(sigmix_sal_shard_set_finish(&set, &a, &b), 0);
            unsigned char want = (unsigned char)((key[10] - (key[10] <= '9' ? '0' : 'a' - 10)) << 4 |
                                                 (key[11] - (key[11] <= '9' ? '0' : 'a' - 10)));
            assert_int_equal(set.r[0].key[5], want);
            char hex[65];
            sigmix_sal_shard_key_hex(&set.r[0], hex);
            assert_string_equal(hex, key);
            assert_ptr_equal(sigmix_sal_shard_find(&set, key), &set.r[0]);
            /* the same key with any other byte at pos: not found */
            for (int w = 1; w < 256; w++) {
                if (w == v)
                    continue;
                char k2[65];
                memcpy(k2, key, sizeof k2);
                k2[pos] = (char)w;
                assert_null(sigmix_sal_shard_find(&set, k2));
            }
            sigmix_sal_shard_set_free(&set);
            free(buf);
        }
}

/* Files are read in parallel but judged in file order: the first bad one
 * is named, whatever is wrong with a later one. */
static void test_load_order(void **state)
{
    (void)state;
    char dir[] = "/tmp/sigmix-shardorder.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char out[128], want[700];
    snprintf(out, sizeof out, "%s/o.jsonl", dir);
    sigmix_saliency_shard_header h;
    memset(&h, 0, sizeof h);
    memset(h.input_sha256, 'a', 64);
    memset(h.config_sha256, 'b', 64);
    h.n = 3;
    sigmix_error err = { 0 };
    char key[65];
    for (int k = 0; k < 3; k++) {
        sigmix_saliency_shard_writer *w = NULL;
        assert_int_equal(sigmix_saliency_shard_writer_new(&w, &err), 0);
        memset(key, "123"[k], 64);
        key[64] = '\0';
        sigmix_saliency_clip c = { key, "/clips/x.yuv", 16, 12, SIGMIX_SAL_OK, 0.25, 0.5, "" };
        sigmix_saliency_shard_writer_on_clip(w, &c);
        sigmix_saliency_shard_header hk = h;
        hk.k = k;
        if (k == 0) /* shard 0 from another configuration */
            memset(hk.config_sha256, 'c', 64);
        char *path = sigmix_saliency_shard_path(out, k, 3, 0);
        assert_int_equal(sigmix_saliency_shard_writer_commit(w, path, &hk, "m", &err), 0);
        if (k == 1) { /* shard 1 cut */
            assert_int_equal(truncate(path, 100), 0);
        }
        sigmix_saliency_shard_writer_free(&w);
        sigmix_free(path);
    }
    sigmix_saliency_shard_set *set = NULL;
    int found, n;
    assert_int_equal(sigmix_saliency_shard_set_new(&set, &err), 0);
    assert_int_equal(sigmix_saliency_shard_load_all(out, 0, &h, set, &found, &n, &err),
                     SIGMIX_EFORMAT);
    snprintf(want, sizeof want, "%s.shard-0-of-3.jsonl: shard 0 of 3 was made with another "
             "configuration (sha256 cccccccccccc, this run bbbbbbbbbbbb); rerun it or merge "
             "with the same options", out);
    assert_string_equal(err.message, want);
    /* shard 0 removed: the cut shard 1 comes first */
    char *p0 = sigmix_saliency_shard_path(out, 0, 3, 0);
    unlink(p0);
    sigmix_free(p0);
    assert_int_equal(sigmix_saliency_shard_load_all(out, 0, &h, set, &found, &n, &err),
                     SIGMIX_EFORMAT);
    snprintf(want, sizeof want, "%s.shard-1-of-3.jsonl: line 1: cut short (no newline)", out);
    assert_string_equal(err.message, want);
    assert_int_equal(sigmix_saliency_shard_set_size(set), 0);
    sigmix_saliency_shard_set_free(&set);
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
        cmocka_unit_test(test_hexfloat),
        cmocka_unit_test(test_read_in_pieces),
        cmocka_unit_test(test_merge_parts),
        cmocka_unit_test(test_load_order),
        cmocka_unit_test(test_key_digits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
