// The C shim over double-conversion (src/util/dconv.h).
#include <double-conversion/double-to-string.h>

#include "util/dconv.h"

using double_conversion::DoubleToStringConverter;

extern "C" int sigmix_dconv_digits(double v, int prec, char *digits, int *point)
{
    bool sign = false;
    int len = 0;
    DoubleToStringConverter::DoubleToAscii(
        v, prec ? DoubleToStringConverter::PRECISION : DoubleToStringConverter::SHORTEST,
        prec, digits, 32, &sign, &len, point);
    while (len > 1 && digits[len - 1] == '0') // PRECISION may pad
        len--;
    digits[len] = '\0';
    return len;
}
