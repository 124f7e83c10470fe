/*
 * CSV reader (RFC 4180 with a header row) on libcsv. Each field is typed
 * like a JSON value, so the column kinds follow the same rules as JSON
 * Lines: an unquoted empty field is null; a field that is entirely a
 * number is a number (integer text -> int, else double; nan/inf/infinity
 * spellings are non-finite numbers); true/false are booleans; any other
 * text (including a quoted empty field "") is a string.
 * Header names: an empty name becomes "column_N" (1-based position) and a
 * repeated name gets ".1", ".2", ... (as pandas does), with a warning.
 */
#include <ctype.h>
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "table/format.h"
#include "table/simdjson_shim.h"
#include "table/textread.h"
#include "util/codecs.h"
#include "util/error.h"

typedef struct csv_reader {
    sigmix_textin   in;
    sigmix_cb_table tb;
    sigmix_cb_seg   segbuf;
    sigmix_cb_seg  *seg;
    const sigmix_read_options *o;
    const sigmix_csv_api *csv;
    struct csv_parser p;
    int             p_live;
    unsigned long long line;   /* line being fed (1-based) */
    unsigned long long rec_start; /* line the current record began on; 0 between records */
    unsigned long long err_line;
    int             header_done;
    char            delim;
    int             reserved;
    char          **names;     /* header fields */
    size_t          nnames, namecap;
    size_t          field;     /* fields so far in the current record */
    int             err;       /* set by a callback */
    char            msg[300];
    char            hint[80];  /* added to field-count errors */
    int             all_text;  /* second pass: every field is text */
    int             can_reread; /* a regular file: a second pass is possible */
    size_t         *lost_idx;  /* columns whose early fields were re-printed */
    size_t          nlost;
} csv_reader;

static void cb_fail(csv_reader *R, int code, const char *fmt, ...) SIGMIX_PRINTF(3, 4);

/* Remember the first callback failure and the line its record began on. */
static void cb_fail(csv_reader *R, int code, const char *fmt, ...)
{
    va_list ap;
    if (R->err)
        return;
    R->err = code;
    R->err_line = R->rec_start ? R->rec_start : R->line;
    va_start(ap, fmt);
    vsnprintf(R->msg, sizeof R->msg, fmt, ap);
    va_end(ap);
}

/* Whole-field number syntax: [+-]digits[.digits][e[+-]digits]. A leading
 * zero before another digit (000123, 007, -01.5) is an identifier's, not a
 * number's: such a field is text. */
static int is_decimal(const char *s)
{
    int digits = 0;
    if (*s == '+' || *s == '-')
        s++;
    if (s[0] == '0' && isdigit((unsigned char)s[1]))
        return 0;
    for (; isdigit((unsigned char)*s); s++)
        digits++;
    if (*s == '.')
        for (s++; isdigit((unsigned char)*s); s++)
            digits++;
    if (!digits)
        return 0;
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-')
            s++;
        if (!isdigit((unsigned char)*s))
            return 0;
        while (isdigit((unsigned char)*s))
            s++;
    }
    return *s == 0;
}

/* Integer text that fits int64: 1, else 0 (leading zeros: text). */
static int parse_int(const char *s, int64_t *v)
{
    int neg = *s == '-';
    uint64_t x = 0, lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    if (*s == '+' || *s == '-')
        s++;
    if (!*s || (s[0] == '0' && s[1]))
        return 0;
    for (; *s; s++) {
        if (!isdigit((unsigned char)*s))
            return 0;
        unsigned d = (unsigned)(*s - '0');
        if (x > (lim - d) / 10)
            return 0;
        x = x * 10 + d;
    }
    *v = neg ? (int64_t)(0 - x) : (int64_t)x;
    return 1;
}

/* nan / inf / infinity, any case, optional sign: 1 with *v, else 0. */
static int parse_special(const char *s, double *v)
{
    int neg = *s == '-';
    if (*s == '+' || *s == '-')
        s++;
    if (!strcasecmp(s, "nan"))
        *v = NAN;
    else if (!strcasecmp(s, "inf") || !strcasecmp(s, "infinity"))
        *v = neg ? -INFINITY : INFINITY;
    else
        return 0;
    return 1;
}

/* pandas' default na_values, less the NaN spellings sigmix reads as a
 * present NaN and the empty field (null already). */
static int is_na_marker(const char *s, size_t len)
{
    static const char *const na[] = {
        "NA", "N/A", "n/a", "null", "NULL", "None", "<NA>", "#N/A", "#N/A N/A", "#NA",
        "-1.#IND", "-1.#QNAN", "1.#IND", "1.#QNAN",
    };
    if (len > 8)
        return 0;
    for (size_t i = 0; i < sizeof na / sizeof *na; i++)
        if (!strcmp(s, na[i]))
            return 1;
    return 0;
}

static uint64_t dbits(double d)
{
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    return b;
}

/* Type one field; its text is kept with the value (sigmix_cb_set_num_raw)
 * so a column that turns out to be text keeps every field byte for byte. */
static void set_field(csv_reader *R, size_t c, const char *s, size_t len)
{
    int64_t i;
    double d;
    int tag = SIGMIX_CB_STRING;
    uint64_t bits = 0;
    char tmp[64];
    if (!s)
        return; /* unquoted empty: null */
    /* Typing looks past blanks around the field (" 1.5" is a number); the
     * text kept is the field as it was. */
    const char *v = s;
    size_t vn = len;
    while (vn && (*v == ' ' || *v == '\t'))
        v++, vn--;
    while (vn && (v[vn - 1] == ' ' || v[vn - 1] == '\t'))
        vn--;
    if (vn != len && vn < sizeof tmp) {
        memcpy(tmp, v, vn);
        tmp[vn] = 0;
        v = tmp;
    }
    if (!R->all_text && vn && (vn == len || v == tmp) && vn == strlen(v)) { /* no NUL inside: may be a number */
        if (parse_int(v, &i)) {
            tag = SIGMIX_CB_INT;
            bits = (uint64_t)i;
        } else if (is_decimal(v)) {
            tag = SIGMIX_CB_DOUBLE; /* strtod: 1e400 is inf, 1e-400 is 0 */
            bits = dbits(strtod(v, NULL));
        } else if (parse_special(v, &d)) {
            tag = SIGMIX_CB_DOUBLE;
            bits = dbits(d);
        } else if (!strcmp(v, "true") || !strcmp(v, "True") || !strcmp(v, "TRUE") ||
                   !strcmp(v, "false") || !strcmp(v, "False") || !strcmp(v, "FALSE")) {
            tag = SIGMIX_CB_BOOL;
            bits = *v == 't' || *v == 'T';
        } else if (is_na_marker(v, vn)) {
            tag = SIGMIX_CB_NA;
        }
    }
    if (sigmix_cb_set_num_raw(R->seg, c, tag, bits, s, len))
        cb_fail(R, SIGMIX_ENOMEM, "out of memory");
}

static void on_field(void *data, size_t len, void *ctx)
{
    csv_reader *R = ctx;
    const char *s = data;
    if (R->err)
        return;
    if (!R->header_done) {
        if (R->nnames == R->namecap) {
            size_t cap = R->namecap ? R->namecap * 2 : 64;
            char **n = realloc(R->names, cap * sizeof *n);
            if (!n)
                return cb_fail(R, SIGMIX_ENOMEM, "out of memory");
            R->names = n;
            R->namecap = cap;
        }
        char *name = malloc(len + 1);
        if (!name)
            return cb_fail(R, SIGMIX_ENOMEM, "out of memory");
        if (len)
            memcpy(name, s, len);
        name[len] = 0;
        if (strlen(name) != len) {
            free(name);
            return cb_fail(R, SIGMIX_EFORMAT, "column name %zu contains a NUL character",
                           R->nnames + 1);
        }
        R->names[R->nnames++] = name;
        return;
    }
    if (R->field == 0 && sigmix_cb_begin_row(R->seg))
        return cb_fail(R, SIGMIX_ENOMEM, "out of memory");
    if (R->field < R->seg->ncols && !R->seg->cols[R->field].skip)
        set_field(R, R->field, s, len);
    R->field++;
}

static void warn(csv_reader *R, const char *msg)
{
    if (R->o && R->o->warn)
        R->o->warn(R->o->warn_cookie, msg);
}

static const char *delim_name(char d)
{
    return d == ';' ? "';'" : d == '\t' ? "tab" : d == '|' ? "'|'" : d == ',' ? "','" : NULL;
}

/* A one-column header holding another usual separator: the file is most
 * likely separated by it. Say so once, and in field-count errors. */
static void delimiter_hint(csv_reader *R)
{
    static const char seps[] = { ';', '\t', '|', ',' };
    if (R->nnames != 1)
        return;
    for (size_t k = 0; k < sizeof seps; k++) {
        if (seps[k] == R->delim || !strchr(R->names[0], seps[k]))
            continue;
        char msg[160];
        snprintf(R->hint, sizeof R->hint, " (the header looks %s-separated: try --delimiter %s)",
                 delim_name(seps[k]), seps[k] == '\t' ? "'\\t'" : delim_name(seps[k]));
        snprintf(msg, sizeof msg, "the CSV header is one column holding %s%s", delim_name(seps[k]),
                 strstr(R->hint, ": try") ? strstr(R->hint, ": try") : "");
        msg[strlen(msg) - 1] = 0; /* drop the hint's closing parenthesis */
        warn(R, msg);
        return;
    }
}

/* Header complete: unique, non-empty names become the columns. */
static void make_columns(csv_reader *R)
{
    delimiter_hint(R);
    for (size_t i = 0; i < R->nnames && !R->err; i++) {
        char buf[64], *name = R->names[i];
        if (!*name) {
            snprintf(buf, sizeof buf, "column_%zu", i + 1);
            name = buf;
        }
        size_t len = strlen(name), before = R->seg->ncols;
        char *tmp = malloc(len + 32);
        if (!tmp)
            return cb_fail(R, SIGMIX_ENOMEM, "out of memory");
        memcpy(tmp, name, len + 1);
        for (unsigned k = 1; R->seg->ncols == before; k++) {
            long c = sigmix_cb_column(R->seg, tmp, strlen(tmp));
            if (c < 0) {
                free(tmp);
                return cb_fail(R, SIGMIX_ENOMEM, "out of memory");
            }
            if (R->seg->ncols == before) /* taken: try name.k */
                snprintf(tmp, len + 32, "%s.%u", name, k);
        }
        if (strcmp(tmp, R->names[i])) {
            char msg[160];
            snprintf(msg, sizeof msg, "CSV header field %zu renamed to \"%.100s\"", i + 1, tmp);
            warn(R, msg);
        }
        free(tmp);
    }
}

static void on_record(int c, void *ctx)
{
    csv_reader *R = ctx;
    (void)c;
    if (R->err)
        return;
    if (!R->header_done) {
        R->header_done = 1;
        make_columns(R);
        R->rec_start = 0;
        return;
    }
    if (R->field != R->nnames)
        cb_fail(R, SIGMIX_EFORMAT, "row has %zu fields, the header has %zu%s", R->field, R->nnames,
                R->hint);
    R->field = 0;
    R->rec_start = 0;
}

static int feed(csv_reader *R, const char *p, size_t n, sigmix_error *err)
{
    if (R->csv->csv_parse(&R->p, p, n, on_field, on_record, R) != n)
        return sigmix_error_set(err, R->csv->csv_error(&R->p) == CSV_ENOMEM ? SIGMIX_ENOMEM :
                                SIGMIX_EFORMAT, "malformed CSV: %s (line %llu)",
                                R->csv->csv_error(&R->p) == CSV_EPARSE ?
                                "a quoted field is followed by other text" : "out of memory",
                                R->line);
    if (R->err)
        return sigmix_error_set(err, R->err, "%s (line %llu)", R->msg, R->err_line);
    return 0;
}

/* Feed the complete lines of b[0..n), checking UTF-8 line by line. */
static int feed_lines(csv_reader *R, const char *b, size_t n, sigmix_error *err)
{
    int utf8_ok = sigmix_sj_valid_utf8(b, n);
    while (n) {
        const char *nl = memchr(b, '\n', n);
        size_t k = nl ? (size_t)(nl - b) + 1 : n;
        if (!utf8_ok && !sigmix_sj_valid_utf8(b, k))
            return sigmix_error_set(err, SIGMIX_EFORMAT, "invalid UTF-8 (line %llu)", R->line);
        if (!R->rec_start && !(k == 1 || (k == 2 && b[0] == '\r')))
            R->rec_start = R->line;
        int r = feed(R, b, k, err);
        if (r)
            return r;
        b += k;
        n -= k;
        R->line += nl != NULL;
    }
    return 0;
}

static int read_all(csv_reader *R, sigmix_error *err)
{
    int r = sigmix_textin_first(&R->in, err);
    while (!r) {
        char *b = R->in.buf[R->in.cur];
        size_t have = R->in.have[R->in.cur], end = have;
        if (!R->in.eof[R->in.cur]) {
            while (end && b[end - 1] != '\n')
                end--;
            if (!end) { /* a line longer than the buffer */
                r = sigmix_textin_refill(&R->in, 0, err);
                continue;
            }
        }
        r = feed_lines(R, b, end, err);
        if (!r && R->field == 0) { /* between records: move the finished rows */
            r = sigmix_cb_merge(&R->tb, R->seg, err);
            if (!r && !R->reserved)
                R->reserved = sigmix_text_reserve(&R->in, R->tb.t, R->in.base[R->in.cur] + end);
        }
        if (r || R->in.eof[R->in.cur])
            break;
        r = sigmix_textin_refill(&R->in, end, err);
    }
    if (r)
        return r;
    if (R->csv->csv_fini(&R->p, on_field, on_record, R))
        return sigmix_error_set(err, SIGMIX_EFORMAT, "unterminated quoted field (line %llu)",
                                R->rec_start ? R->rec_start : R->line);
    if (R->err)
        return sigmix_error_set(err, R->err, "%s (line %llu)", R->msg, R->err_line);
    if (!R->header_done)
        return sigmix_error_set(err, SIGMIX_EFORMAT, "empty file (no CSV header)");
    return 0;
}

/* libcsv trims nothing: text keeps its blanks byte for byte. */
static int no_space(unsigned char c)
{
    (void)c;
    return 0;
}

static int csv_read_in(csv_reader *R, const sigmix_read_options *o, sigmix_table **out,
                       sigmix_error *err)
{
    int r = 0;
    R->o = o;
    R->line = 1;
    R->seg = &R->segbuf;
    R->delim = o->delimiter ? o->delimiter : ',';
    sigmix_cb_seg_init(R->seg, o->columns, o->columns ? o->ncolumns : 0);
    if (R->delim == '"' || R->delim == '\n' || R->delim == '\r')
        r = sigmix_error_set(err, SIGMIX_EINVAL, "the CSV delimiter cannot be a quote or a line break");
    else if (!(R->csv = sigmix_csv(err)))
        r = SIGMIX_EUNSUPPORTED;
    else if (sigmix_cb_table_init(&R->tb) ||
             R->csv->csv_init(&R->p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL | CSV_EMPTY_IS_NULL))
        r = sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    else
        R->p_live = 1;
    R->tb.csv = 1;
    if (R->p_live) {
        R->csv->csv_set_delim(&R->p, (unsigned char)R->delim);
        R->csv->csv_set_space_func(&R->p, no_space);
    }
    locale_t c = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0), old = (locale_t)0;
    if (c)
        old = uselocale(c); /* strtod must read '.' whatever the caller's locale */
    if (!r)
        r = read_all(R, err);
    if (c) {
        uselocale(old);
        freelocale(c);
    }
    if (!r)
        r = sigmix_cb_merge(&R->tb, R->seg, err);
    if (!r)
        r = sigmix_textin_finish(&R->in, o, err);
    if (!r && R->tb.lost && R->can_reread) {
        /* turned to text after numbers were merged: a second pass over the
         * file brings back those fields' own text (sigmix_csv_read) */
        R->lost_idx = malloc(sigmix_table_cols(R->tb.t) * sizeof *R->lost_idx);
        if (!R->lost_idx)
            r = sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
        for (size_t g = 0; !r && g < sigmix_table_cols(R->tb.t); g++)
            if (R->tb.lostcol[g])
                R->lost_idx[R->nlost++] = g;
    } else if (!r && R->tb.lost) {
        char msg[200];
        snprintf(msg, sizeof msg, "%zu numeric fields of columns that turned to text after the "
                 "first batch are re-printed, not kept byte for byte", R->tb.lost);
        warn(R, msg);
    }
    if (!r)
        r = sigmix_cb_table_finish(&R->tb, out, err);
    if (R->p_live)
        R->csv->csv_free(&R->p);
    for (size_t i = 0; i < R->nnames; i++)
        free(R->names[i]);
    free(R->names);
    sigmix_cb_seg_free(R->seg);
    sigmix_cb_table_free(&R->tb);
    sigmix_textin_close(&R->in);
    return r;
}

/*
 * Second pass for columns that turned to text only after numbers of
 * theirs were merged (a 4 MiB batch or more into the file): read just
 * those columns again, every field as text, and put that text back.
 */
static int restore_text(const char *path, const sigmix_read_options *o, sigmix_table *t,
                        const size_t *idx, size_t n, sigmix_error *err)
{
    const char **names = malloc(n * sizeof *names);
    sigmix_table *u = NULL;
    csv_reader R;
    if (!names)
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        names[i] = sigmix_table_col(t, idx[i])->name;
    sigmix_read_options o2 = *o;
    o2.columns = names;
    o2.ncolumns = n;
    o2.warn = NULL;
    o2.digest = NULL; /* the first pass hashed the file */
    memset(&R, 0, sizeof R);
    R.all_text = 1;
    int r = sigmix_textin_open(&R.in, path, &o2, err);
    if (!r)
        r = csv_read_in(&R, &o2, &u, err);
    if (!r && sigmix_table_rows(u) != sigmix_table_rows(t))
        r = sigmix_error_set(err, SIGMIX_EIO, "the file changed while it was read");
    for (size_t i = 0; !r && i < n; i++) {
        long k = sigmix_table_find(u, names[i]);
        const sigmix_column *src = k < 0 ? NULL : sigmix_table_col(u, (size_t)k);
        if (!src || src->kind != SIGMIX_KIND_STRING)
            continue;
        for (size_t row = 0; !r && row < sigmix_table_rows(t); row++)
            if (src->valid[row] &&
                sigmix_table_set_string(t, idx[i], row, src->str[row].ptr, src->str[row].len))
                r = sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    }
    sigmix_table_free(&u);
    free(names);
    return r;
}

int sigmix_csv_read(const char *path, const sigmix_read_options *o,
                    sigmix_table **out, sigmix_error *err)
{
    csv_reader R;
    *out = NULL;
    memset(&R, 0, sizeof R);
    int r = sigmix_textin_open(&R.in, path, o, err);
    if (r)
        return r;
    R.can_reread = strcmp(path, "-") && sigmix_stream_input_size(R.in.st) > 0;
    r = csv_read_in(&R, o, out, err);
    if (!r && R.nlost)
        r = restore_text(path, o, *out, R.lost_idx, R.nlost, err);
    if (r)
        sigmix_table_free(out);
    free(R.lost_idx);
    return r;
}

int sigmix_csv_read_mem(const void *data, size_t size, const sigmix_read_options *o,
                        sigmix_table **out, sigmix_error *err)
{
    csv_reader R;
    *out = NULL;
    memset(&R, 0, sizeof R);
    int r = sigmix_textin_open_mem(&R.in, data, size, NULL, o, err);
    return r ? r : csv_read_in(&R, o, out, err);
}
