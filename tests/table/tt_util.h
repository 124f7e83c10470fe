/* Helpers for the table-io tests: temp files, compression, reading. */
#ifndef TT_UTIL_H
#define TT_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>
#include <zstd.h>

#include "sigmix/table.h"

static char tt_dir[256];

static inline void tt_setup_dir(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(tt_dir, sizeof tt_dir, "%s/sigmix-tt-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(tt_dir)) {
        perror("mkdtemp");
        exit(1);
    }
}

static inline void tt_cleanup_dir(void)
{
    char cmd[320];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tt_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cleanup failed\n");
}

/* Path of `name` inside the test folder (static buffer rotation). */
static inline const char *tt_path(const char *name)
{
    static char buf[4][512];
    static int k;
    k = (k + 1) & 3;
    snprintf(buf[k], sizeof buf[k], "%s/%s", tt_dir, name);
    return buf[k];
}

static inline const char *tt_write(const char *name, const void *data, size_t n)
{
    const char *p = tt_path(name);
    FILE *f = fopen(p, "wb");
    if (!f || fwrite(data, 1, n, f) != n || fclose(f)) {
        perror(p);
        exit(1);
    }
    return p;
}

static inline const char *tt_write_str(const char *name, const char *s)
{
    return tt_write(name, s, strlen(s));
}

/* One gzip member of data appended to out (malloc'd, grows). */
static inline size_t tt_gzip_append(unsigned char **out, size_t outlen, const char *data, size_t n)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        exit(1);
    size_t cap = deflateBound(&z, n) + 64;
    *out = realloc(*out, outlen + cap);
    z.next_in = (unsigned char *)data;
    z.avail_in = (uInt)n;
    z.next_out = *out + outlen;
    z.avail_out = (uInt)cap;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END)
        exit(1);
    outlen += cap - z.avail_out;
    deflateEnd(&z);
    return outlen;
}

static inline size_t tt_zstd(unsigned char **out, const char *data, size_t n)
{
    size_t cap = ZSTD_compressBound(n);
    *out = malloc(cap);
    size_t r = ZSTD_compress(*out, cap, data, n, 3);
    if (ZSTD_isError(r))
        exit(1);
    return r;
}

/* Read path; on failure return NULL and leave the message in err. */
static inline sigmix_table *tt_read(const char *path, const sigmix_read_options *o, sigmix_error *err)
{
    sigmix_table *t = NULL;
    memset(err, 0, sizeof *err);
    if (sigmix_table_read(path, o, &t, err))
        return NULL;
    return t;
}

static inline const sigmix_column *tt_col(const sigmix_table *t, const char *name)
{
    long i = sigmix_table_find(t, name);
    return i < 0 ? NULL : sigmix_table_col(t, (size_t)i);
}

#endif
