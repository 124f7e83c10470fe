/*
 * util/blas.c adopts an OpenBLAS the program itself linked: entering a
 * product section applies the caller's thread count to that library at
 * once (no load of its own), and leaving restores the program's setting.
 * This program links OpenBLAS directly, as an application using sigmix
 * next to its own BLAS calls would.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "util/blas.h"

int openblas_get_num_threads(void);
void openblas_set_num_threads(int n);

static void linked_openblas_is_adopted(void **state)
{
    (void)state;
    openblas_set_num_threads(2);
    assert_int_equal(openblas_get_num_threads(), 2);
    sigmix_blas_enter(1);
    assert_int_equal(openblas_get_num_threads(), 1);
    sigmix_blas_leave(1);
    assert_int_equal(openblas_get_num_threads(), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(linked_openblas_is_adopted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
