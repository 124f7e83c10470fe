/*
 * Fuzz the families-file parser and pattern compiler: any bytes must give
 * a family set or an error, never a crash, hang or out-of-bounds read.
 */
#include <stddef.h>
#include <stdint.h>

#include "audit/families.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = { "adm2_mean", "PSNR_Y", "a|b", "", "x26\xc3\xa9",
                                         "clip_id\n", "\n", "adm2\n\n" };
    sigmix_family_set s;
    sigmix_error err = { 0, "" };
    if (sigmix_family_set_parse(&s, (const char *)data, size, &err) == 0) {
        for (size_t f = 0; f < s.n; f++)
            for (size_t k = 0; k < sizeof names / sizeof *names; k++)
                (void)sigmix_family_matches(&s, f, names[k]);
        sigmix_family_set_free(&s);
    }
    return 0;
}
