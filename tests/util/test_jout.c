/*
 * util/runprov.c's report writer escapes strings like Python's
 * json.dumps(ensure_ascii=True). The run of bytes that need no escape is
 * found 16 bytes at a time: every byte value is placed at every offset of
 * strings up to 40 bytes long and the output compared with a byte-by-byte
 * reference; UTF-8 sequences straddling the 16-byte steps keep their
 * \uXXXX text, invalid ones become \ufffd. Numbers come from a cache of
 * recent absolute values: a sequence full of repeats, sign flips and
 * slot collisions must read as formatting each number afresh.
 */
#define _GNU_SOURCE
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util/jsonw.h"
#include "util/runprov.h"

/* The compact text fill(o, arg) writes. */
static char *write_with(void (*fill)(sigmix_jout *, const void *), const void *arg)
{
    char *text = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&text, &n);
    assert_non_null(f);
    sigmix_jout *o = malloc(sizeof *o);
    assert_non_null(o);
    sigmix_jout_init(o, f, 0);
    fill(o, arg);
    sigmix_jout_flush(o);
    fclose(f);
    free(o);
    return text;
}

static void fill_str(sigmix_jout *o, const void *s)
{
    sigmix_jout_str(o, s);
}

/* The writer's text for one string value (quotes included). */
static char *written(const char *s)
{
    return write_with(fill_str, s);
}

/* Reference for ASCII input: the escapes json.dumps writes. */
static void reference(const unsigned char *s, size_t len, char *out)
{
    size_t k = 0;
    out[k++] = '"';
    for (size_t i = 0; i < len; i++) {
        unsigned c = s[i];
        const char *e = c == '"' ? "\\\"" : c == '\\' ? "\\\\" : c == '\n' ? "\\n"
                      : c == '\r' ? "\\r" : c == '\t' ? "\\t" : c == '\b' ? "\\b"
                      : c == '\f' ? "\\f" : NULL;
        if (e)
            k += (size_t)sprintf(out + k, "%s", e);
        else if (c < 0x20 || c == 0x7f)
            k += (size_t)sprintf(out + k, "\\u%04x", c);
        else
            out[k++] = (char)c;
    }
    out[k++] = '"';
    out[k] = '\0';
}

static void every_ascii_byte_at_every_offset(void **state)
{
    (void)state;
    unsigned char s[48];
    char want[48 * 6 + 3];
    for (size_t len = 1; len <= 40; len++)
        for (size_t at = 0; at < len; at++)
            for (unsigned c = 1; c < 0x80; c++) {
                for (size_t i = 0; i < len; i++)
                    s[i] = (unsigned char)('a' + i % 26);
                s[at] = (unsigned char)c;
                s[len] = 0;
                reference(s, len, want);
                char *got = written((const char *)s);
                if (strcmp(got, want))
                    fail_msg("byte 0x%02x at %zu of %zu: got %s, want %s", c, at, len, got, want);
                free(got);
            }
}

static void utf8_across_the_steps(void **state)
{
    (void)state;
    /* e-acute (2 bytes), euro sign (3), U+1F600 (4, a surrogate pair), and
     * a lone continuation byte, each starting at offsets 10..20 */
    const struct { const char *bytes, *text; } seq[] = {
        { "\xc3\xa9", "\\u00e9" },
        { "\xe2\x82\xac", "\\u20ac" },
        { "\xf0\x9f\x98\x80", "\\ud83d\\ude00" },
        { "\x80", "\\ufffd" },
    };
    for (size_t k = 0; k < sizeof seq / sizeof *seq; k++)
        for (size_t at = 10; at <= 20; at++) {
            char s[64], want[128];
            memset(s, 'x', at);
            size_t bl = strlen(seq[k].bytes);
            memcpy(s + at, seq[k].bytes, bl);
            memcpy(s + at + bl, "yyyyyyyyyyyyyyyyyyyy", 21);
            snprintf(want, sizeof want, "\"%.*s%s%s\"", (int)at, s, seq[k].text,
                     "yyyyyyyyyyyyyyyyyyyy");
            char *got = written(s);
            if (strcmp(got, want))
                fail_msg("sequence %zu at %zu: got %s, want %s", k, at, got, want);
            free(got);
        }
}

enum { N = 20000 };

static void fill_nums(sigmix_jout *o, const void *arg)
{
    const double *v = arg;
    sigmix_jout_arr_begin(o);
    for (size_t i = 0; i < N; i++)
        sigmix_jout_num(o, v[i]);
    sigmix_jout_arr_end(o);
}

static void numbers_as_formatted_afresh(void **state)
{
    (void)state;
    static const double special[] = { 0.0, -0.0, 1.0, -1.0, 0.1, -0.1, 5e-324, -5e-324,
                                      1.7976931348623157e308, 2.2250738585072014e-308,
                                      1e21, 1e-7, 123456789012345680.0, 0.30000000000000004 };
    const size_t ns = sizeof special / sizeof special[0];
    double *v = malloc(N * sizeof *v);
    assert_non_null(v);
    uint64_t x = 88172645463325252u;
    for (size_t i = 0; i < N; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        switch (x % 5) {
        case 0: v[i] = special[(x >> 8) % ns]; break;
        case 1: v[i] = i ? -v[i - 1] : 0.5; break;                    /* sign flip */
        case 2: v[i] = v[(x >> 8) % (i + 1)]; break;                  /* a repeat */
        case 3: v[i] = (double)(x >> 11) * 0x1p-53 - 0.5; break;      /* r-like */
        default: {
            uint64_t b = x >> 1; /* any finite bit pattern, collisions included */
            memcpy(&v[i], &b, sizeof b);
            if (!isfinite(v[i]))
                v[i] = 1e300;
        }
        }
    }
    char *text = write_with(fill_nums, v);
    const char *p = text;
    assert_int_equal(*p++, '[');
    for (size_t i = 0; i < N; i++) {
        char want[48];
        size_t k = sigmix_format_double(v[i], want, sizeof want);
        want[k] = 0;
        if (strncmp(p, want, k) || (p[k] != ',' && p[k] != ']'))
            fail_msg("value %zu (%a): want %s, got %.40s", i, v[i], want, p);
        p += k + 1;
    }
    assert_int_equal(*p, 0);
    free(text);
    free(v);
}

/* Indentation is copied 64 spaces at a time: lists nested 40 deep, with
 * a key that needs escapes beside one that does not, read as Python's
 * json.dumps(indent=2) writes them. */
static void deep_indentation(void **state)
{
    (void)state;
    enum { DEPTH = 40 };
    sigmix_jdoc *d = sigmix_jdoc_new();
    sigmix_jv *top = sigmix_jv_obj(d), *inner = sigmix_jv_arr(d);
    sigmix_jv_push(d, inner, sigmix_jv_int(d, 7));
    for (int k = 1; k < DEPTH; k++) {
        sigmix_jv *a = sigmix_jv_arr(d);
        sigmix_jv_push(d, a, inner);
        inner = a;
    }
    sigmix_jv_set(d, top, "plain", inner);
    sigmix_jv_set(d, top, "q\"t", sigmix_jv_str(d, "x\ty"));
    char *text = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&text, &n);
    assert_non_null(f);
    sigmix_jv_write(top, f, 2);
    fclose(f);
    char *want = malloc(64 * 1024);
    assert_non_null(want);
    size_t w = (size_t)sprintf(want, "{\n  \"plain\": ");
    for (int k = 0; k < DEPTH; k++)
        w += (size_t)sprintf(want + w, "[\n%*s", 2 * (k + 2), "");
    w += (size_t)sprintf(want + w, "7");
    for (int k = DEPTH - 1; k >= 0; k--)
        w += (size_t)sprintf(want + w, "\n%*s]", 2 * (k + 1), "");
    sprintf(want + w, ",\n  \"q\\\"t\": \"x\\ty\"\n}\n");
    assert_string_equal(text, want);
    free(want);
    free(text);
    sigmix_jdoc_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_ascii_byte_at_every_offset),
        cmocka_unit_test(utf8_across_the_steps),
        cmocka_unit_test(numbers_as_formatted_afresh),
        cmocka_unit_test(deep_indentation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
