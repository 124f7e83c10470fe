/*
 * libFuzzer target: the score-file parser of sigmix second-opinion over
 * arbitrary bytes. The first byte picks JSON Lines or one JSON document
 * and which options are set (LABEL= hint, --score-key-field,
 * --score-field, key normalization); the rest is the file.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "join/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same_double(double a, double b)
{
    return a == b || (a != a && b != b);
}

/* Read the same bytes through sigmix_score_load_chunked and compare with
 * the whole-buffer result (rc, message, records). */
static void check_chunked(const uint8_t *data, size_t size, size_t chunk,
                          const sigmix_score_opts *o, int rc, const sigmix_score_file *f,
                          const sigmix_error *err)
{
    static char path[64];
    if (!path[0]) {
        snprintf(path, sizeof path, "/tmp/sigmix-fuzz-scores-%ld.jsonl", (long)getpid());
    }
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return;
    int ok = fwrite(data, 1, size, fp) == size;
    if (fclose(fp) || !ok)
        return;
    sigmix_score_file g;
    sigmix_error e2;
    memset(&e2, 0, sizeof e2);
    int r2 = sigmix_score_load_chunked(path, o, chunk, &g, &e2);
    if (r2 == SIGMIX_ENOMEM || rc == SIGMIX_ENOMEM) {
        if (!r2)
            sigmix_score_file_free(&g);
        return;
    }
    if ((rc == 0) != (r2 == 0))
        abort();
    if (rc) {
        if (strcmp(err->message, e2.message))
            abort();
        return;
    }
    if (g.n != f->n)
        abort();
    for (size_t i = 0; i < f->n; i++) {
        const sigmix_score_rec *a = &f->rec[i], *b = &g.rec[i];
        if (a->key_len != b->key_len || memcmp(a->key, b->key, a->key_len)
            || strcmp(a->competitor, b->competitor) || !same_double(a->score, b->score)
            || !same_double(a->runtime_ms, b->runtime_ms) || a->frames != b->frames
            || a->status != b->status || a->where != b->where)
            abort();
    }
    sigmix_score_file_free(&g);
}

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
    int rc = sigmix_score_parse(buf, size, mode & 1, &o, &f, &err);
    if (!rc) {
        /* every record is well formed */
        for (size_t i = 0; i < f.n; i++)
            if (!f.rec[i].key_len || !f.rec[i].competitor || f.rec[i].frames < 0)
                abort();
    } else if (!err.message[0]) {
        abort(); /* a failure always says why */
    }
    if (mode & 1)
        check_chunked(data, size, 1 + (size ? data[size - 1] % 64 : 0), &o, rc, &f, &err);
    if (!rc)
        sigmix_score_file_free(&f);
    free(buf);
    return 0;
}
