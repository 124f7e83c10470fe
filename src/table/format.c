/* Format registry: one row per format; read/write dispatch. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "table/format.h"
#include "util/atomic.h"
#include "util/error.h"

typedef struct format_entry {
    sigmix_format   format;
    const char     *name;
    const char     *exts[3];
    sigmix_read_fn  read;
    sigmix_write_fn write;
} format_entry;

static const format_entry formats[] = {
    { SIGMIX_FORMAT_JSONL,   "jsonl",   { ".jsonl", ".ndjson", NULL }, sigmix_jsonl_read,   sigmix_jsonl_write },
    { SIGMIX_FORMAT_JSON,    "json",    { ".json", NULL, NULL },       sigmix_json_read,    sigmix_json_write },
    { SIGMIX_FORMAT_CSV,     "csv",     { ".csv", NULL, NULL },        sigmix_csv_read,     sigmix_csv_write },
    { SIGMIX_FORMAT_PARQUET, "parquet", { ".parquet", ".parq", ".pq" }, sigmix_parquet_read, sigmix_parquet_write },
};

static const format_entry *find_format(sigmix_format f)
{
    for (size_t i = 0; i < sizeof formats / sizeof *formats; i++)
        if (formats[i].format == f)
            return &formats[i];
    return NULL;
}

static int ends_with(const char *s, size_t n, const char *ext)
{
    size_t e = strlen(ext);
    return n >= e && !strncasecmp(s + n - e, ext, e);
}

sigmix_format sigmix_format_from_path(const char *path)
{
    size_t n = strlen(path);
    struct stat st;
    if (!stat(path, &st) && S_ISDIR(st.st_mode))
        return SIGMIX_FORMAT_PARQUET;
    if (ends_with(path, n, ".gz"))
        n -= 3;
    else if (ends_with(path, n, ".zst"))
        n -= 4;
    for (size_t i = 0; i < sizeof formats / sizeof *formats; i++)
        for (int k = 0; k < 3 && formats[i].exts[k]; k++)
            if (ends_with(path, n, formats[i].exts[k]))
                return formats[i].format;
    return SIGMIX_FORMAT_AUTO;
}

const char *sigmix_format_name(sigmix_format f)
{
    const format_entry *e = find_format(f);
    return e ? e->name : "unknown";
}

void sigmix_read_options_default(sigmix_read_options *o)
{
    memset(o, 0, sizeof *o);
}

void sigmix_write_options_default(sigmix_write_options *o)
{
    memset(o, 0, sizeof *o);
}

/*
 * Parquet needs random access (the footer is at the end), so a Parquet
 * stream on standard input is first copied to an unlinked temporary file,
 * at most max_input_bytes of it, and read through /dev/fd/N.
 */
static int read_parquet_stdin(const sigmix_read_options *o, sigmix_table **out,
                              sigmix_error *err)
{
    uint64_t limit = o->max_input_bytes ? o->max_input_bytes : SIGMIX_MAX_INPUT_BYTES_DEFAULT;
    uint64_t total = 0;
    FILE *tmp = tmpfile();
    if (!tmp)
        return sigmix_error_set(err, SIGMIX_EIO, "cannot buffer standard input: %s", strerror(errno));
    char buf[1 << 16];
    int r = 0;
    for (;;) {
        ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            r = sigmix_error_set(err, SIGMIX_EIO, "read error: %s", strerror(errno));
            break;
        }
        if (n == 0)
            break;
        total += (uint64_t)n;
        if (total > limit) {
            r = sigmix_error_set(err, SIGMIX_ENOMEM, "input exceeds --max-input-bytes (%llu bytes)",
                                 (unsigned long long)limit);
            break;
        }
        if (fwrite(buf, 1, (size_t)n, tmp) != (size_t)n) {
            r = sigmix_error_set(err, SIGMIX_EIO, "cannot buffer standard input: write error");
            break;
        }
    }
    if (!r && fflush(tmp))
        r = sigmix_error_set(err, SIGMIX_EIO, "cannot buffer standard input: write error");
    if (!r) {
        char path[64];
        snprintf(path, sizeof path, "/dev/fd/%d", fileno(tmp));
        r = sigmix_parquet_read(path, o, out, err);
    }
    fclose(tmp);
    return r;
}

int sigmix_table_read(const char *path, const sigmix_read_options *o,
                      sigmix_table **out, sigmix_error *err)
{
    sigmix_error_clear(err); /* contract: common.h */
    sigmix_read_options def;
    if (!out || !path)
        return sigmix_error_set(err, SIGMIX_EINVAL, "no %s given", out ? "path" : "output table");
    *out = NULL;
    if (!o) {
        sigmix_read_options_default(&def);
        o = &def;
    }
    if (o->digest) /* filled by the text readers (textread.c) */
        memset(o->digest, 0, sizeof *o->digest);
    int is_stdin = !strcmp(path, "-");
    sigmix_format f = o->format ? o->format : is_stdin ? SIGMIX_FORMAT_AUTO : sigmix_format_from_path(path);
    const format_entry *e = find_format(f);
    if (!e && is_stdin)
        return sigmix_error_set(err, SIGMIX_EINVAL, "standard input needs a format (jsonl, json, csv or parquet)");
    if (!e)
        return sigmix_error_set(err, SIGMIX_EUNSUPPORTED,
            "unknown table format (expected .jsonl, .ndjson, .json, .csv, .parquet or .pq, optionally .gz/.zst)");
    if (is_stdin && f == SIGMIX_FORMAT_PARQUET)
        return read_parquet_stdin(o, out, err);
    return e->read(path, o, out, err);
}

/* Pick the writer and the effective options; nothing is opened. */
static int write_plan(const char *path, const sigmix_write_options *o, const format_entry **e,
                      sigmix_write_options *eff, sigmix_error *err)
{
    if (o)
        *eff = *o;
    else
        sigmix_write_options_default(eff);
    sigmix_format fmt = eff->format ? eff->format : sigmix_format_from_path(path);
    if (!(*e = find_format(fmt)))
        return sigmix_error_set(err, SIGMIX_EUNSUPPORTED,
            "unknown output format (expected .jsonl, .ndjson, .json, .csv, .parquet or .pq)");
    /* Text tables are compressed when their name ends in .gz/.zst (so
     * they read back); an explicit codec must agree with the name. */
    size_t n = strlen(path);
    if (fmt != SIGMIX_FORMAT_PARQUET && eff->compression != SIGMIX_COMPRESSION_NONE) {
        sigmix_compression named = ends_with(path, n, ".gz") ? SIGMIX_COMPRESSION_GZIP
                                 : ends_with(path, n, ".zst") ? SIGMIX_COMPRESSION_ZSTD
                                 : SIGMIX_COMPRESSION_NONE;
        if (eff->compression != SIGMIX_COMPRESSION_DEFAULT && eff->compression != named)
            return sigmix_error_set(err, SIGMIX_EUNSUPPORTED,
                                    "compression is only available for Parquet output");
        eff->compression = named;
    }
    return 0;
}

int sigmix_table_write_stream(const sigmix_table *t, FILE *f, const char *path,
                              const sigmix_write_options *o, sigmix_error *err)
{
    sigmix_error_clear(err); /* contract: common.h */
    if (!t || !path)
        return sigmix_error_set(err, SIGMIX_EINVAL, "no %s given", !t ? "table" : "path");
    if (!t || !f || !path)
        return sigmix_error_set(err, SIGMIX_EINVAL, "no %s given", !t ? "table" : !f ? "stream" : "path");
    const format_entry *e;
    sigmix_write_options eff;
    int r = write_plan(path, o, &e, &eff, err);
    return r ? r : e->write(t, f, &eff, err);
}

int sigmix_table_write(const sigmix_table *t, const char *path,
                       const sigmix_write_options *o, sigmix_error *err)
{
    sigmix_error_clear(err); /* contract: common.h */
    if (!t || !path)
        return sigmix_error_set(err, SIGMIX_EINVAL, "no %s given", !t ? "table" : "path");
    const format_entry *e;
    sigmix_write_options eff;
    int r = write_plan(path, o, &e, &eff, err);
    if (r) /* refused before anything is created on disk */
        return r;
    sigmix_atomic a;
    if ((r = sigmix_atomic_open(&a, path, 1, err)))
        return r;
    if ((r = e->write(t, a.f, &eff, err))) {
        sigmix_atomic_abort(&a);
        return r;
    }
    return sigmix_atomic_commit(&a, err);
}
