/*
 * sigmix_format_double against its definition: the first of %.15g, %.16g,
 * %.17g (subnormals from %.1g) that strtod reads back, plus ".0" on
 * integral text. The formatter computes it in one pass with
 * double-conversion; every class of double where that could go wrong is
 * drawn here: random bit patterns, subnormals, integers, powers of ten and
 * two and their neighbours, the fixed/exponent switch (1e-5, 1e15..1e17),
 * short decimals, exact halfway cases. SIGMIX_DCONV_N scales the count.
 */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util/dconv.h"
#include "util/jsonw.h"

/* The reference: the formatter as it was before double-conversion. */
static size_t reference(double v, char *buf, size_t n)
{
    int len = 0;
    int first = v != 0 && fabs(v) < DBL_MIN ? 1 : 15;
    for (int prec = first; prec <= 17; prec++) {
        len = snprintf(buf, n, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    if (len > 0 && (size_t)len + 2 < n && !strpbrk(buf, ".eEn")) {
        buf[len++] = '.';
        buf[len++] = '0';
        buf[len] = '\0';
    }
    return len > 0 ? (size_t)len : 0;
}

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static double from_bits(uint64_t b)
{
    double v;
    memcpy(&v, &b, sizeof v);
    return v;
}

static unsigned long checked, mismatched;

static void check(double v)
{
    char want[40], got[40];
    if (!isfinite(v))
        return;
    size_t wn = reference(v, want, sizeof want);
    size_t gn = sigmix_format_double(v, got, sizeof got);
    checked++;
    if (wn != gn || strcmp(want, got)) {
        if (mismatched++ < 10)
            print_error("%.17g (%a): want '%s' got '%s'\n", v, v, want, got);
    }
    /* and its negative */
    wn = reference(-v, want, sizeof want);
    gn = sigmix_format_double(-v, got, sizeof got);
    checked++;
    if (wn != gn || strcmp(want, got))
        if (mismatched++ < 10)
            print_error("%.17g: want '%s' got '%s'\n", -v, want, got);
}

/* v and its k neighbours on each side */
static void around(double v, int k)
{
    double lo = v, hi = v;
    check(v);
    for (int i = 0; i < k; i++) {
        lo = nextafter(lo, -INFINITY);
        hi = nextafter(hi, INFINITY);
        check(lo);
        check(hi);
    }
}

static unsigned long count(void)
{
    const char *s = getenv("SIGMIX_DCONV_N");
    return s ? strtoul(s, NULL, 10) : 100000;
}

static void test_random_bits(void **state)
{
    (void)state;
    unsigned long n = count();
    for (unsigned long i = 0; i < n; i++)
        check(from_bits(next()));
    for (unsigned long i = 0; i < n / 4; i++) /* subnormals */
        check(from_bits(next() & ((UINT64_C(1) << 52) - 1)));
    for (unsigned long i = 0; i < n / 4; i++) /* few mantissa bits: short subnormals too */
        check(from_bits((next() & UINT64_C(0x7ff0000000000000)) | (next() & 0xff) << 44));
    assert_int_equal(mismatched, 0);
}

static void test_integers(void **state)
{
    (void)state;
    unsigned long n = count();
    for (unsigned long i = 0; i < n; i++) {
        uint64_t k = next() >> (next() % 64);
        check((double)k);
        check(ldexp((double)(k >> 11), (int)(next() % 80))); /* large integers */
    }
    for (int i = 0; i < 2000; i++)
        around((double)i, 1);
    assert_int_equal(mismatched, 0);
}

static void test_powers(void **state)
{
    (void)state;
    char buf[32];
    for (int e = -325; e <= 308; e++) {
        snprintf(buf, sizeof buf, "1e%d", e);
        around(strtod(buf, NULL), 8);
        for (int d = 2; d <= 9; d++) {
            snprintf(buf, sizeof buf, "%de%d", d, e);
            around(strtod(buf, NULL), 2);
        }
    }
    for (int e = -1074; e <= 1023; e++)
        around(ldexp(1.0, e), 4);
    around(DBL_MIN, 8);
    around(DBL_MAX, 8);
    around(DBL_TRUE_MIN, 8);
    /* the fixed/exponent switch and the precision steps */
    const double edges[] = { 1e-5, 1e-4, 9.99999999999999e-5, 1e14, 1e15, 1e16, 1e17,
                             999999999999999.0, 9999999999999998.0, 99999999999999984.0,
                             123456789012345.0, 1234567890123456.0, 12345678901234567.0 };
    for (size_t i = 0; i < sizeof edges / sizeof *edges; i++)
        around(edges[i], 64);
    assert_int_equal(mismatched, 0);
}

static void test_decimals(void **state)
{
    (void)state;
    char buf[48];
    unsigned long n = count();
    for (unsigned long i = 0; i < n; i++) {
        /* data-like values: a few to 17 significant digits at any scale */
        int digits = 1 + (int)(next() % 18);
        uint64_t m = next() % 100000000000000000u;
        snprintf(buf, sizeof buf, "%.*llue%d", digits, (unsigned long long)m,
                 (int)(next() % 60) - 30);
        check(strtod(buf, NULL));
        check((double)(next() >> 11) / 9007199254740992.0); /* uniform [0, 1) */
        check((double)(next() % 100000) / 1000.0 / 7.0);
    }
    assert_int_equal(mismatched, 0);
}

/* Values whose exact decimal has few digits, where rounding to 16 or 17
 * digits is an exact halfway case (printf rounds half to even). */
static void test_halfway(void **state)
{
    (void)state;
    unsigned long n = count();
    for (unsigned long i = 0; i < n; i++) {
        uint64_t m = next() >> 11;
        check(ldexp((double)m, -(int)(next() % 30)));
        check(ldexp((double)(m | 1), (int)(next() % 40) - 20));
    }
    around(1000000000000000.5, 4);
    around(4503599627370496.5, 4);
    around(1125899906842624.125, 4);
    check(0.0);
    assert_int_equal(mismatched, 0);
}

/* The shim itself: shortest digits, correctly rounded digits, reading back. */
static void test_shim(void **state)
{
    char d[32];
    int point;
    (void)state;
    assert_int_equal(sigmix_dconv_digits(0.1, 0, d, &point), 1);
    assert_string_equal(d, "1");
    assert_int_equal(point, 0);
    assert_int_equal(sigmix_dconv_digits(1.0 / 3.0, 17, d, &point), 17);
    assert_string_equal(d, "33333333333333331");
    assert_int_equal(sigmix_dconv_digits(-1234.5, 0, d, &point), 5);
    assert_string_equal(d, "12345");
    assert_int_equal(point, 4);
    assert_int_equal(sigmix_dconv_digits(100.0, 16, d, &point), 1); /* padding dropped */
    assert_int_equal(point, 3);
    assert_int_equal(sigmix_dconv_digits(0.30000000000000004, 16, d, &point), 1); /* "3" */
    assert_int_equal(sigmix_dconv_digits(0.30000000000000004, 0, d, &point), 17);
    /* the halfway case the formatter leaves to printf: 17 digits exactly */
    char buf[40];
    sigmix_format_double(1000000000000000.5, buf, sizeof buf);
    assert_string_equal(buf, "1000000000000000.5");
    sigmix_format_double(1e15, buf, sizeof buf);
    assert_string_equal(buf, "1e+15");
    sigmix_format_double(123456789012345.0, buf, sizeof buf);
    assert_string_equal(buf, "123456789012345.0");
    sigmix_format_double(0.0001, buf, sizeof buf);
    assert_string_equal(buf, "0.0001");
    sigmix_format_double(-0.0, buf, sizeof buf);
    assert_string_equal(buf, "-0.0");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shim),
        cmocka_unit_test(test_random_bits),
        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_powers),
        cmocka_unit_test(test_decimals),
        cmocka_unit_test(test_halfway),
    };
    int r = cmocka_run_group_tests(tests, NULL, NULL);
    printf("checked %lu doubles, %lu mismatched\n", checked, mismatched);
    return r;
}
