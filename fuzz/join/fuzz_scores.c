/*
 * libFuzzer target: the score-file parser of sigmix second-opinion over
 * arbitrary bytes. The first byte picks JSON Lines or one JSON document
 * and which options are set (LABEL= hint, --score-key-field,
 * --score-field, key normalization); the rest is the file.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "join/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size)
        return 0;
    unsigned mode = data[0];
    data++;
    size--;
    char *buf = malloc(size + 64);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    memset(buf + size, 0, 64);
    sigmix_score_opts o = {
        mode & 2 ? "fz" : NULL,
        mode & 4 ? "id" : NULL,
        mode & 8 ? "value" : NULL,
        (sigmix_key_mode)((mode >> 4) & 3),
        0,
    };
    sigmix_score_file f;
    sigmix_error err;
    memset(&err, 0, sizeof err);
    if (!sigmix_score_parse(buf, size, mode & 1, &o, &f, &err)) {
        /* every record is well formed */
        for (size_t i = 0; i < f.n; i++)
            if (!f.rec[i].key_len || !f.rec[i].competitor || f.rec[i].frames < 0)
                abort();
        sigmix_score_file_free(&f);
    } else if (!err.message[0]) {
        abort(); /* a failure always says why */
    }
    free(buf);
    return 0;
}
