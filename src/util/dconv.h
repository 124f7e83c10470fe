/*
 * C interface to the double-conversion library (Debian
 * libdouble-conversion-dev): exact decimal digits of a double. Internal
 * to libsigmix.
 */
#ifndef SIGMIX_UTIL_DCONV_H
#define SIGMIX_UTIL_DCONV_H

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Digits of finite, nonzero |v| (no sign, no trailing zeros), NUL-terminated
 * in digits[18 + 1 at least, 32 for prec]; returns their count, and *point
 * such that |v| ~ 0.DIGITS x 10^point.
 * prec 0: the shortest digits that read back as v (the closest such on ties);
 * prec 1..17: v correctly rounded to prec significant digits (exact halfway
 * cases away from zero).
 */
int sigmix_dconv_digits(double v, int prec, char *digits, int *point);

#ifdef __cplusplus
}
#endif

#endif
