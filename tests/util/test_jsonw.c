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

static void test_format_double(void **state)
{
    char buf[40];
    (void)state;
    sigmix_format_double(0.1, buf, sizeof buf);
    assert_string_equal(buf, "0.1");
    sigmix_format_double(5.0, buf, sizeof buf);
    assert_string_equal(buf, "5.0");
    sigmix_format_double(1.0 / 3.0, buf, sizeof buf);
    assert_true(strtod(buf, NULL) == 1.0 / 3.0);
    sigmix_format_double(1e300, buf, sizeof buf);
    assert_string_equal(buf, "1e+300");
    sigmix_format_double(-2.5e-8, buf, sizeof buf);
    assert_string_equal(buf, "-2.5e-08");
    sigmix_format_double(-4.9406564584124654e-324, buf, sizeof buf);
    assert_string_equal(buf, "-5e-324");
}

static void test_writer(void **state)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    sigmix_jsonw w;
    (void)state;
    sigmix_jw_init(&w, f, 0);
    sigmix_jw_obj_begin(&w);
    sigmix_jw_key(&w, "a\"b\n");
    sigmix_jw_double(&w, NAN);
    sigmix_jw_key(&w, "l");
    sigmix_jw_arr_begin(&w);
    sigmix_jw_int(&w, -3);
    sigmix_jw_double(&w, INFINITY);
    sigmix_jw_bool(&w, 1);
    sigmix_jw_str(&w, "\x01<|>");
    sigmix_jw_arr_end(&w);
    sigmix_jw_key(&w, "e");
    sigmix_jw_obj_begin(&w);
    sigmix_jw_obj_end(&w);
    sigmix_jw_obj_end(&w);
    fclose(f);
    assert_string_equal(text, "{\"a\\\"b\\n\":null,\"l\":[-3,null,true,\"\\u0001<|>\"],\"e\":{}}");
    free(text);
}

static void test_pretty(void **state)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    sigmix_jsonw w;
    (void)state;
    sigmix_jw_init(&w, f, 2);
    sigmix_jw_obj_begin(&w);
    sigmix_jw_key(&w, "x");
    sigmix_jw_arr_begin(&w);
    sigmix_jw_double(&w, 1.5);
    sigmix_jw_arr_end(&w);
    sigmix_jw_key(&w, "y");
    sigmix_jw_arr_begin(&w);
    sigmix_jw_arr_end(&w);
    sigmix_jw_obj_end(&w);
    fclose(f);
    assert_string_equal(text, "{\n  \"x\": [\n    1.5\n  ],\n  \"y\": []\n}\n");
    free(text);
}

/* The writer buffers: bytes reach the FILE when a top-level value is
 * complete (so callers may write between values), or on sigmix_jw_flush. */
static void test_buffered(void **state)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    sigmix_jsonw w;
    (void)state;
    sigmix_jw_init(&w, f, 0);
    sigmix_jw_obj_begin(&w);
    sigmix_jw_key(&w, "a");
    sigmix_jw_int(&w, -12);
    fflush(f);
    assert_int_equal(len, 0); /* still in the writer */
    sigmix_jw_flush(&w);
    fflush(f);
    assert_int_equal(len, 8);
    sigmix_jw_key(&w, "big");
    char *big = malloc(10000);
    assert_non_null(big);
    memset(big, 'x', 9999);
    big[9999] = '\0';
    sigmix_jw_str(&w, big); /* larger than the buffer */
    sigmix_jw_key(&w, "l");
    sigmix_jw_arr_begin(&w);
    for (int i = 0; i < 2000; i++) /* fills the buffer several times */
        sigmix_jw_double(&w, i + 0.5);
    sigmix_jw_arr_end(&w);
    sigmix_jw_obj_end(&w);
    fputc('\n', f); /* between values: lands after the object */
    sigmix_jw_bool(&w, 1);
    fputc('\n', f);
    fclose(f);
    assert_memory_equal(text, "{\"a\":-12,\"big\":\"xxx", 19);
    assert_int_equal(text[8 + 7 + 1 + 9999 + 1], ',');
    const char *tail = text + len - 15;
    assert_string_equal(tail, ",1999.5]}\ntrue\n");
    assert_non_null(strstr(text, "[0.5,1.5,2.5,"));
    free(big);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_double),
        cmocka_unit_test(test_buffered),
        cmocka_unit_test(test_writer),
        cmocka_unit_test(test_pretty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
