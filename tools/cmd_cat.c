/*
 * sigmix cat: print a table as JSON Lines (default) or convert it to
 * another format, optionally keeping some columns and the first N rows.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sigmix/table.h"
#include "cmd.h"
#include "sigmix/output.h"

typedef struct cat_args {
    const char  *input, *output;
    char        *colbuf;        /* --columns, split in place */
    const char **cols;
    size_t       ncols;
    size_t       head;          /* SIZE_MAX: all rows */
    sigmix_format      to, from;
    sigmix_compression compression;
    char               delimiter;     /* 0: ',' */
    uint64_t           max_input;     /* 0: library default */
} cat_args;

static void usage(FILE *f)
{
    fprintf(f,
        "Usage: sigmix cat TABLE [OPTIONS]\n\n"
        "Print a table (Parquet file or folder, JSONL/NDJSON, JSON rows, CSV; .gz/.zst)\n"
        "as JSON Lines, or convert it to another format. TABLE '-' is standard input.\n\n"
        "Options:\n"
        "  -c, --columns A,B,...  only these columns, in this order\n"
        "  -n, --head N           only the first N rows\n"
        "  -f, --from FORMAT      input format: jsonl, json, csv or parquet (default: from\n"
        "                         the extension; jsonl for standard input)\n"
        "  -d, --delimiter C      CSV input field separator: ',' (default), ';', '\\t' or\n"
        "                         tab, '|', or another single character\n"
        "      --max-input-bytes N  refuse input that decompresses to more than N bytes\n"
        "                         (suffixes K, M, G, T: powers of 1024; default 64G)\n"
        "  -t, --to FORMAT        jsonl (default), json, csv or parquet\n"
        "  -o, --output FILE      write FILE atomically (format from --to or the extension)\n"
        "                         instead of standard output; a symlink is written\n"
        "                         through, a device or FIFO in place, folders created\n"
        "  -z, --compression C    snappy (Parquet default), zstd, gzip or none\n"
        "  -h, --help             show this help and exit\n\n"
        "JSON output writes null for NaN and infinities. Parquet is never written to a\n"
        "terminal. Exit status: 0 success, 2 usage or input error (nothing written).\n");
}

static int fail_usage(const char *msg, const char *arg)
{
    return cmd_usage("cat", "%s%s%s%s", msg, arg ? " '" : "", arg ? arg : "", arg ? "'" : "");
}

static int parse_format(const char *s, sigmix_format *f)
{
    static const struct { const char *name; sigmix_format f; } names[] = {
        { "jsonl", SIGMIX_FORMAT_JSONL }, { "ndjson", SIGMIX_FORMAT_JSONL },
        { "json", SIGMIX_FORMAT_JSON }, { "csv", SIGMIX_FORMAT_CSV },
        { "parquet", SIGMIX_FORMAT_PARQUET },
    };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (!strcmp(s, names[i].name)) {
            *f = names[i].f;
            return 0;
        }
    return -1;
}

static int parse_compression(const char *s, sigmix_compression *c)
{
    static const struct { const char *name; sigmix_compression c; } names[] = {
        { "snappy", SIGMIX_COMPRESSION_SNAPPY }, { "zstd", SIGMIX_COMPRESSION_ZSTD },
        { "gzip", SIGMIX_COMPRESSION_GZIP }, { "none", SIGMIX_COMPRESSION_NONE },
    };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (!strcmp(s, names[i].name)) {
            *c = names[i].c;
            return 0;
        }
    return -1;
}

/* "1048576", "64K", "512M", "64G", "1T" (powers of 1024); must be > 0. */
static int parse_bytes(const char *s, uint64_t *n)
{
    char *end;
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno)
        return -1;
    int shift = 0;
    switch (*end) {
    case 'k': case 'K': shift = 10; break;
    case 'm': case 'M': shift = 20; break;
    case 'g': case 'G': shift = 30; break;
    case 't': case 'T': shift = 40; break;
    case '\0': break;
    default: return -1;
    }
    if (shift && end[1] && strcmp(end + 1, "B") && strcmp(end + 1, "iB"))
        return -1;
    if (!v || v > (UINT64_MAX >> shift))
        return -1;
    *n = (uint64_t)v << shift;
    return 0;
}

/* ",", ";", "|", "\t" (or "tab"): one byte that is not a quote or line break. */
static int parse_delimiter(const char *s, char *d)
{
    if (!strcmp(s, "\\t") || !strcmp(s, "tab"))
        *d = '\t';
    else if (strlen(s) == 1 && *s != '"' && *s != '\n' && *s != '\r')
        *d = *s;
    else
        return -1;
    return 0;
}

static int parse_head(const char *s, size_t *n)
{
    char *end;
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v > SIZE_MAX)
        return -1;
    *n = (size_t)v;
    return 0;
}

/* Split "a,b,c" in place; names must be non-empty and distinct. */
static int split_columns(cat_args *a, const char *arg)
{
    free(a->colbuf);
    free(a->cols);
    a->colbuf = strdup(arg);
    a->cols = calloc(strlen(arg) + 1, sizeof *a->cols);
    a->ncols = 0;
    if (!a->colbuf || !a->cols) {
        fputs("sigmix: cat: out of memory\n", stderr); /* not a usage error */
        return 2;
    }
    for (char *p = a->colbuf;;) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        if (!*p)
            return fail_usage("empty column name in --columns:", arg);
        for (size_t i = 0; i < a->ncols; i++)
            if (!strcmp(a->cols[i], p))
                return fail_usage("column listed twice in --columns:", p);
        a->cols[a->ncols++] = p;
        if (!comma)
            break;
        p = comma + 1;
    }
    return 0;
}

static int parse_args(int argc, char **argv, cat_args *a)
{
    static const struct option longopts[] = {
        { "columns", required_argument, NULL, 'c' },
        { "head", required_argument, NULL, 'n' },
        { "to", required_argument, NULL, 't' },
        { "from", required_argument, NULL, 'f' },
        { "delimiter", required_argument, NULL, 'd' },
        { "max-input-bytes", required_argument, NULL, 'M' },
        { "output", required_argument, NULL, 'o' },
        { "compression", required_argument, NULL, 'z' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int ch, r;
    opterr = 0;
    optind = 1;
    while ((ch = getopt_long(argc, argv, ":c:n:t:f:d:o:z:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'c':
            if ((r = split_columns(a, optarg)))
                return r;
            break;
        case 'n':
            if (parse_head(optarg, &a->head))
                return fail_usage("--head expects a non-negative integer, got", optarg);
            break;
        case 't':
            if (parse_format(optarg, &a->to))
                return fail_usage("--to expects jsonl, json, csv or parquet, got", optarg);
            break;
        case 'f':
            if (parse_format(optarg, &a->from))
                return fail_usage("--from expects jsonl, json, csv or parquet, got", optarg);
            break;
        case 'd':
            if (parse_delimiter(optarg, &a->delimiter))
                return fail_usage("--delimiter expects one character (',', ';', '\\t', '|'), got", optarg);
            break;
        case 'M':
            if (parse_bytes(optarg, &a->max_input))
                return fail_usage("--max-input-bytes expects a positive byte count (suffix K, M, G or T), got",
                                  optarg);
            break;
        case 'o':
            a->output = optarg;
            break;
        case 'z':
            if (parse_compression(optarg, &a->compression))
                return fail_usage("--compression expects snappy, zstd, gzip or none, got", optarg);
            break;
        case 'h':
            usage(stdout);
            return -1;
        case ':':
            return fail_usage("missing value for option", argv[optind - 1]);
        default:
            return fail_usage("unknown option", argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return fail_usage(optind < argc ? "expected one TABLE, got an extra argument"
                                        : "missing TABLE argument",
                          optind < argc ? argv[optind + 1 < argc ? optind + 1 : optind] : NULL);
    a->input = argv[optind];
    return 0;
}

/* Levenshtein distance (names are short; O(n*m) with one row). */
static size_t edit_distance(const char *a, const char *b)
{
    size_t n = strlen(b), row[256];
    if (n > 255)
        n = 255;
    for (size_t j = 0; j <= n; j++)
        row[j] = j;
    for (size_t i = 1; *a; a++, i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= n; j++) {
            size_t up = row[j];
            size_t best = diag + (*a != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[n];
}

/* "no column 'x' (closest: 'a', 'b', 'c')" on stderr. */
static void report_missing(const char *path, const char *name, const sigmix_table *all)
{
    size_t best[3] = { 0 }, dist[3] = { SIZE_MAX, SIZE_MAX, SIZE_MAX };
    for (size_t i = 0; all && i < sigmix_table_cols(all); i++) {
        size_t d = edit_distance(name, sigmix_table_col(all, i)->name);
        for (size_t k = 0; k < 3; k++)
            if (d < dist[k]) {
                for (size_t m = 2; m > k; m--) {
                    dist[m] = dist[m - 1];
                    best[m] = best[m - 1];
                }
                dist[k] = d;
                best[k] = i;
                break;
            }
    }
    fprintf(stderr, "sigmix: %s: no column '%s'", path, name);
    for (size_t k = 0; k < 3 && dist[k] != SIZE_MAX; k++)
        fprintf(stderr, "%s'%s'", k ? ", " : " (closest: ", sigmix_table_col(all, best[k])->name);
    fprintf(stderr, "%s\n", dist[0] != SIZE_MAX ? ")" : " (the table has no columns)");
}

static void warn(void *cookie, const char *msg)
{
    fprintf(stderr, "sigmix: %s: warning: %s\n", (const char *)cookie, msg);
}

static const char *input_name(const cat_args *a)
{
    return strcmp(a->input, "-") ? a->input : "stdin";
}

/* Read the input; with --columns, every name must exist. */
static int load(const cat_args *a, sigmix_table **out)
{
    sigmix_read_options ro;
    sigmix_error err = { 0 };
    sigmix_read_options_default(&ro);
    ro.columns = a->cols;
    ro.ncolumns = a->ncols;
    ro.delimiter = a->delimiter;
    ro.max_input_bytes = a->max_input;
    /* standard input has no name to tell its format: JSON Lines unless --from */
    ro.format = a->from ? a->from : !strcmp(a->input, "-") ? SIGMIX_FORMAT_JSONL : SIGMIX_FORMAT_AUTO;
    ro.warn = warn;
    ro.warn_cookie = (void *)input_name(a);
    int r = sigmix_table_read(a->input, &ro, out, &err);
    const char *missing = NULL;
    for (size_t i = 0; !r && i < a->ncols && !missing; i++)
        if (sigmix_table_find(*out, a->cols[i]) < 0)
            missing = a->cols[i];
    if (!r && !missing)
        return 0;
    if (a->ncols && strcmp(a->input, "-")) {
        /* Find what is missing against every column (a reader may itself
         * refuse an unknown column, or quietly leave it out). */
        sigmix_table *all = NULL;
        sigmix_error e2 = { 0 };
        ro.columns = NULL;
        ro.ncolumns = 0;
        ro.warn = NULL;
        if (!sigmix_table_read(a->input, &ro, &all, &e2)) {
            for (size_t i = 0; i < a->ncols && !missing; i++)
                if (sigmix_table_find(all, a->cols[i]) < 0)
                    missing = a->cols[i];
            if (missing)
                report_missing(a->input, missing, all);
            sigmix_table_free(&all);
            if (missing) {
                sigmix_table_free(out);
                return 2;
            }
        }
    }
    if (!r && missing) /* standard input cannot be read twice: closest among those read */
        report_missing(input_name(a), missing, *out);
    else
        fprintf(stderr, "sigmix: %s: %s\n", input_name(a),
                err.message[0] ? err.message : sigmix_strerror(r));
    sigmix_table_free(out);
    return 2;
}

/* The requested columns (all by default) and rows of t, as a new table. */
static int project(const cat_args *a, sigmix_table **t)
{
    if (!a->ncols && a->head >= sigmix_table_rows(*t))
        return 0;
    size_t n = a->ncols ? a->ncols : sigmix_table_cols(*t);
    size_t *idx = calloc(n ? n : 1, sizeof *idx);
    if (!idx)
        return -1;
    for (size_t i = 0; i < n; i++)
        idx[i] = a->ncols ? (size_t)sigmix_table_find(*t, a->cols[i]) : i;
    sigmix_table *p;
    int r = sigmix_table_select(*t, idx, n, a->head, &p);
    free(idx);
    if (r)
        return r;
    sigmix_table_free(t);
    *t = p;
    return 0;
}

static int output(const cat_args *a, const sigmix_table *t)
{
    sigmix_write_options wo;
    sigmix_error err = { 0 };
    sigmix_write_options_default(&wo);
    wo.compression = a->compression;
    wo.format = a->to;
    const char *dest = a->output ? a->output : "-";
    if (!a->output && !wo.format)
        wo.format = SIGMIX_FORMAT_JSONL;
    if (a->output && !wo.format && !sigmix_format_from_path(a->output)) {
        fprintf(stderr, "sigmix: %s: unknown output format (use --to, or a .jsonl, .ndjson, "
                        ".json, .csv or .parquet name)\n", a->output);
        return 2;
    }
    if (!a->output && wo.format == SIGMIX_FORMAT_PARQUET && isatty(STDOUT_FILENO)) {
        fprintf(stderr, "sigmix: cat: refusing to write Parquet to a terminal "
                        "(use --output FILE or redirect standard output)\n");
        return 2;
    }
    int r = sigmix_table_write(t, dest, &wo, &err);
    if (r) {
        fprintf(stderr, "sigmix: %s: %s\n", a->output ? a->output : "stdout",
                err.message[0] ? err.message : sigmix_strerror(r));
        return 2;
    }
    return 0;
}

int cmd_cat(int argc, char **argv)
{
    cat_args a;
    memset(&a, 0, sizeof a);
    a.head = SIZE_MAX;
    int r = parse_args(argc, argv, &a);
    sigmix_table *t = NULL;
    if (!r && a.output) { /* before reading anything: can the output be written? */
        sigmix_error err = { 0 };
        const char *outs[1] = { a.output };
        if (sigmix_outputs_check(outs, 1, NULL, &err)) {
            fprintf(stderr, "sigmix: %s: %s\n", a.output, err.message);
            r = 2;
        } else {
            cmd_guard_outputs(outs, 1);
        }
    }
    if (!r)
        r = load(&a, &t);
    if (!r && project(&a, &t)) {
        fprintf(stderr, "sigmix: %s: out of memory\n", a.input);
        r = 2;
    }
    if (!r)
        r = output(&a, t);
    sigmix_table_free(&t);
    free(a.colbuf);
    free(a.cols);
    return r < 0 ? 0 : r;
}
