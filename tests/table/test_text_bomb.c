/*
 * Decompression bombs (D12): a few hundred KB of zstd or gzip that expand
 * to a run of blanks far larger than memory should allow. Reading streams
 * the text, so peak memory stays bounded by the table (measured here with
 * getrusage), and --max-input-bytes refuses the expansion with a clear
 * message. Runs in its own process so the peak RSS is this test's alone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <cmocka.h>

#include "tt_util.h"

enum { MIB = 1 << 20, BOMB_MIB = 1200 };

/* zstd (or gzip) of `mib` MiB of one repeated byte, then `tail`. */
static size_t make_bomb(unsigned char **out, int gzip, char fill, int mib, const char *tail)
{
    char *block = malloc(MIB);
    memset(block, fill, MIB);
    size_t cap = 8 * MIB, n = 0;
    *out = malloc(cap);
    if (gzip) {
        z_stream z;
        memset(&z, 0, sizeof z);
        assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY), Z_OK);
        z.next_out = *out;
        z.avail_out = (uInt)cap;
        for (int i = 0; i <= mib; i++) {
            int last = i == mib;
            z.next_in = (unsigned char *)(last ? tail : block);
            z.avail_in = (uInt)(last ? strlen(tail) : MIB);
            assert_true(deflate(&z, last ? Z_FINISH : Z_NO_FLUSH) != Z_STREAM_ERROR);
        }
        n = cap - z.avail_out;
        deflateEnd(&z);
    } else {
        ZSTD_CCtx *c = ZSTD_createCCtx();
        ZSTD_outBuffer ob = { *out, cap, 0 };
        for (int i = 0; i <= mib; i++) {
            int last = i == mib;
            ZSTD_inBuffer ib = { last ? tail : block, last ? strlen(tail) : MIB, 0 };
            size_t left;
            do {
                left = ZSTD_compressStream2(c, &ob, &ib, last ? ZSTD_e_end : ZSTD_e_continue);
                assert_false(ZSTD_isError(left));
            } while (ib.pos < ib.size || (last && left));
        }
        n = ob.pos;
        ZSTD_freeCCtx(c);
    }
    free(block);
    return n;
}

static long peak_rss_mib(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss / 1024;
}

/* A line of blanks longer than any buffer, then one row. */
static void test_blank_bomb_bounded(void **state)
{
    sigmix_error err;
    unsigned char *z = NULL;
    (void)state;
    size_t n = make_bomb(&z, 0, ' ', BOMB_MIB, "\n{\"a\": 1}\n");
    assert_true(n < 200 * 1024);
    sigmix_table *t = tt_read(tt_write("bomb.jsonl.zst", z, n), NULL, &err);
    if (!t)
        fail_msg("bomb: %s", err.message);
    assert_int_equal(sigmix_table_rows(t), 1);
    assert_true(tt_col(t, "a")->i64[0] == 1);
    sigmix_table_free(&t);
    long peak = peak_rss_mib();
    printf("peak RSS after a %d MiB blank bomb: %ld MiB\n", BOMB_MIB, peak);
    assert_true(peak < 200);
    free(z);
}

/* --max-input-bytes: refused as soon as the expansion passes the limit. */
static void test_limit_refuses(void **state)
{
    sigmix_error err;
    sigmix_read_options o;
    unsigned char *z = NULL;
    (void)state;
    sigmix_read_options_default(&o);
    o.max_input_bytes = 3 * MIB;
    static const char *names[] = { "lim.jsonl", "lim.csv", "lim.json" };
    for (int gz = 0; gz < 2; gz++) {
        size_t n = make_bomb(&z, gz, '\n', 64, "{\"a\": 1}\n");
        for (int k = 0; k < 3; k++) {
            char name[32];
            snprintf(name, sizeof name, "%s%s", names[k], gz ? ".gz" : ".zst");
            assert_null(tt_read(tt_write(name, z, n), &o, &err));
            assert_string_equal(err.message,
                                "decompressed input exceeds --max-input-bytes (3145728 bytes)");
        }
        free(z);
    }
    /* plain input has a limit too; at the limit exactly is fine */
    o.max_input_bytes = 9;
    assert_null(tt_read(tt_write_str("lim_plain.jsonl", "{\"a\": 12}\n"), &o, &err));
    assert_string_equal(err.message, "input exceeds --max-input-bytes (9 bytes)");
    o.max_input_bytes = 10;
    sigmix_table *t = tt_read(tt_path("lim_plain.jsonl"), &o, &err);
    assert_non_null(t);
    sigmix_table_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blank_bomb_bounded),
        cmocka_unit_test(test_limit_refuses),
    };
    tt_setup_dir();
    int r = cmocka_run_group_tests(tests, NULL, NULL);
    tt_cleanup_dir();
    return r;
}
