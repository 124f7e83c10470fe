/* Format registry: one row per format; read/write dispatch. */
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

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
    { SIGMIX_FORMAT_PARQUET, "parquet", { ".parquet", ".parq", NULL }, sigmix_parquet_read, sigmix_parquet_write },
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

int sigmix_table_read(const char *path, const sigmix_read_options *o,
                      sigmix_table **out, sigmix_error *err)
{
    sigmix_read_options def;
    *out = NULL;
    if (!o) {
        sigmix_read_options_default(&def);
        o = &def;
    }
    sigmix_format f = o->format ? o->format : sigmix_format_from_path(path);
    const format_entry *e = find_format(f);
    if (!e)
        return sigmix_error_set(err, SIGMIX_EUNSUPPORTED,
            "unknown table format (expected .jsonl, .ndjson, .json, .csv or .parquet, optionally .gz/.zst)");
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
            "unknown output format (expected .jsonl, .ndjson, .json, .csv or .parquet)");
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
    const format_entry *e;
    sigmix_write_options eff;
    int r = write_plan(path, o, &e, &eff, err);
    return r ? r : e->write(t, f, &eff, err);
}

int sigmix_table_write(const sigmix_table *t, const char *path,
                       const sigmix_write_options *o, sigmix_error *err)
{
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
