/*
 * Fresh-memory helpers (util/prefault.h) and the chunked arena
 * (util/arena.h): what callers rely on when buffers move to huge pages.
 * Contents survive growth, sizes are rounded the documented way, and no
 * arena string is overwritten by a later one, whatever the request sizes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "util/arena.h"
#include "util/prefault.h"

#define MIB ((size_t)1 << 20)

static void fill(unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(i * 131u + seed);
}

static int same(const unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != (unsigned char)(i * 131u + seed))
            return 0;
    return 1;
}

static void test_huge_alloc_sizes(void **state)
{
    (void)state;
    /* Below the threshold: plain malloc, any size works. */
    unsigned char *s = sigmix_huge_alloc(SIGMIX_HUGE_MIN - 1);
    assert_non_null(s);
    fill(s, SIGMIX_HUGE_MIN - 1, 1);
    assert_true(same(s, SIGMIX_HUGE_MIN - 1, 1));
    free(s);
    /* From it: 2 MiB-aligned, and the whole rounded size is usable. */
    unsigned char *h = sigmix_huge_alloc(SIGMIX_HUGE_MIN + 1);
    assert_non_null(h);
    assert_int_equal((uintptr_t)h & (2 * MIB - 1), 0);
    fill(h, 2 * MIB, 2);
    assert_true(same(h, 2 * MIB, 2));
    free(h);
}

static void test_huge_grow(void **state)
{
    (void)state;
    size_t cap = 1000;
    unsigned char *p = sigmix_huge_grow(NULL, 0, &cap);
    assert_non_null(p);
    assert_int_equal(cap, 1000); /* realloc below the threshold: exact */
    fill(p, 1000, 3);
    cap = 200000;
    p = sigmix_huge_grow(p, 1000, &cap);
    assert_non_null(p);
    assert_int_equal(cap, 200000);
    assert_true(same(p, 1000, 3));
    fill(p, cap, 4);
    /* From a quarter MiB: one whole huge page at least. */
    cap = 300000;
    p = sigmix_huge_grow(p, 200000, &cap);
    assert_non_null(p);
    assert_int_equal(cap, 2 * MIB);
    assert_int_equal((uintptr_t)p & (2 * MIB - 1), 0);
    assert_true(same(p, 200000, 4));
    fill(p, 300000, 6);
    /* Rounded up to whole 2 MiB pages, kept bytes copied, the rest
     * writable. */
    cap = 3 * MIB + 5;
    p = sigmix_huge_grow(p, 300000, &cap);
    assert_non_null(p);
    assert_int_equal(cap, 4 * MIB);
    assert_int_equal((uintptr_t)p & (2 * MIB - 1), 0);
    assert_true(same(p, 300000, 6));
    fill(p, cap, 5);
    /* Keeping only a prefix is allowed (the rest need not survive). */
    cap = 9 * MIB;
    p = sigmix_huge_grow(p, MIB, &cap);
    assert_non_null(p);
    assert_int_equal(cap, 10 * MIB);
    assert_true(same(p, MIB, 5));
    free(p);
    /* Impossible sizes fail without touching the buffer. */
    unsigned char *q = malloc(16);
    assert_non_null(q);
    memset(q, 7, 16);
    cap = SIZE_MAX - 1;
    assert_null(sigmix_huge_grow(q, 16, &cap));
    assert_int_equal(cap, SIZE_MAX - 1);
    assert_int_equal(q[15], 7);
    free(q);
}

/* Strings of mixed sizes, from a few bytes to past the largest chunk,
 * including the quarter-MiB page-sized requests that skip the small
 * chunks: every one must still read back after all the others. */
static void test_arena_mixed_requests(void **state)
{
    (void)state;
    static const size_t sizes[] = { 1, 7, 100, 5000, 70000, 262144, 300000, 947152, 1048000,
                                    1100000, 3, 4 * MIB + 17, 64, 838896, 250000, 2 * MIB };
    enum { N = sizeof sizes / sizeof *sizes, ROUNDS = 3 };
    sigmix_arena a;
    sigmix_arena_init(&a);
    unsigned char *got[ROUNDS * N];
    unsigned char *src = malloc(4 * MIB + 17);
    assert_non_null(src);
    for (int r = 0; r < ROUNDS; r++)
        for (size_t i = 0; i < N; i++) {
            size_t k = (size_t)r * N + i;
            fill(src, sizes[i], (unsigned)k);
            got[k] = (unsigned char *)sigmix_arena_strndup(&a, (const char *)src, sizes[i]);
            assert_non_null(got[k]);
            assert_int_equal(got[k][sizes[i]], 0);
        }
    for (int r = 0; r < ROUNDS; r++)
        for (size_t i = 0; i < N; i++) {
            size_t k = (size_t)r * N + i;
            assert_true(same(got[k], sizes[i], (unsigned)k));
            assert_int_equal((uintptr_t)got[k] & 7, 0);
        }
    assert_int_equal(a.failed, 0);
    free(src);
    sigmix_arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_huge_alloc_sizes),
        cmocka_unit_test(test_huge_grow),
        cmocka_unit_test(test_arena_mixed_requests),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
