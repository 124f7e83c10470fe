/*
 * Text table writers: JSON Lines, JSON (a list of row objects) and CSV.
 * JSON output is strict: non-finite numbers and nulls are written as null,
 * doubles in shortest round-trip form, INT64 exactly, BOOL as true/false,
 * JSON-kind values as their JSON text. CSV writes null and non-finite
 * numbers as empty fields and quotes (with libcsv) only when needed.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "table/format.h"
#include "util/error.h"
#include "util/jsonw.h"

static int check_options(const sigmix_write_options *o, sigmix_error *err)
{
    if (o->compression != SIGMIX_COMPRESSION_DEFAULT && o->compression != SIGMIX_COMPRESSION_NONE)
        return sigmix_error_set(err, SIGMIX_EUNSUPPORTED,
                                "compression is only available for Parquet output");
    return 0;
}

static int finish(FILE *f, sigmix_error *err)
{
    if (fflush(f) || ferror(f))
        return sigmix_error_set(err, SIGMIX_EIO, "write error");
    return 0;
}

static int special_at(const char *s, size_t n, size_t i, size_t *len)
{
    static const char *tok[] = { "NaN", "Infinity", "-Infinity" };
    for (int k = 0; k < 3; k++) {
        size_t t = strlen(tok[k]);
        if (n - i >= t && !memcmp(s + i, tok[k], t)) {
            *len = t;
            return 1;
        }
    }
    return 0;
}

/* JSON-kind text; NaN/Infinity tokens (kept by the readers) become null
 * so the output stays strict JSON. */
static void json_value_text(sigmix_jsonw *w, const char *s, size_t n)
{
    if (!memchr(s, 'N', n) && !memchr(s, 'I', n)) {
        sigmix_jw_raw(w, s, n);
        return;
    }
    char *buf = malloc(n + n / 2 + 8);
    size_t o = 0, t;
    if (!buf) {
        sigmix_jw_null(w);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"') { /* copy a string whole */
            size_t j = i + 1;
            while (j < n && s[j] != '"')
                j += s[j] == '\\' ? 2 : 1;
            if (j >= n)
                j = n - 1;
            memcpy(buf + o, s + i, j - i + 1);
            o += j - i + 1;
            i = j;
        } else if (special_at(s, n, i, &t)) {
            memcpy(buf + o, "null", 4);
            o += 4;
            i += t - 1;
        } else {
            buf[o++] = s[i];
        }
    }
    sigmix_jw_raw(w, buf, o);
    free(buf);
}

static void json_value(sigmix_jsonw *w, const sigmix_column *c, size_t r)
{
    if (!c->valid[r]) {
        sigmix_jw_null(w);
        return;
    }
    switch (c->kind) {
    case SIGMIX_KIND_INT64:  sigmix_jw_int(w, c->i64[r]); break;
    case SIGMIX_KIND_BOOL:   sigmix_jw_bool(w, c->f64[r] != 0); break;
    case SIGMIX_KIND_STRING: sigmix_jw_strn(w, c->str[r].ptr, c->str[r].len); break;
    case SIGMIX_KIND_JSON:   json_value_text(w, c->str[r].ptr, c->str[r].len); break;
    default:                 sigmix_jw_double(w, c->f64[r]); break;
    }
}

static void json_row(const sigmix_table *t, FILE *f, size_t r)
{
    sigmix_jsonw w;
    sigmix_jw_init(&w, f, 0);
    sigmix_jw_obj_begin(&w);
    for (size_t i = 0; i < sigmix_table_cols(t); i++) {
        const sigmix_column *c = sigmix_table_col(t, i);
        sigmix_jw_key(&w, c->name);
        json_value(&w, c, r);
    }
    sigmix_jw_obj_end(&w);
}

int sigmix_jsonl_write(const sigmix_table *t, FILE *f,
                       const sigmix_write_options *o, sigmix_error *err)
{
    int r = check_options(o, err);
    for (size_t row = 0; !r && row < sigmix_table_rows(t); row++) {
        json_row(t, f, row);
        putc('\n', f);
    }
    return r ? r : finish(f, err);
}

int sigmix_json_write(const sigmix_table *t, FILE *f,
                      const sigmix_write_options *o, sigmix_error *err)
{
    int r = check_options(o, err);
    if (r)
        return r;
    fputs("[", f);
    for (size_t row = 0; row < sigmix_table_rows(t); row++) {
        fputs(row ? ",\n" : "\n", f);
        json_row(t, f, row);
    }
    fputs("\n]\n", f);
    return finish(f, err);
}

/* Quote when the reader would otherwise change the text: separators,
 * quotes, line breaks, edge blanks (libcsv trims them), or "" itself. */
static void csv_text(FILE *f, const char *s, size_t n)
{
    int quote = n == 0 || s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t';
    for (size_t i = 0; i < n && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
    if (quote)
        csv_fwrite(f, s, n);
    else
        fwrite(s, 1, n, f);
}

static void csv_value(FILE *f, const sigmix_column *c, size_t r)
{
    char buf[64];
    if (!c->valid[r])
        return;
    switch (c->kind) {
    case SIGMIX_KIND_INT64:
        fprintf(f, "%" PRId64, c->i64[r]);
        break;
    case SIGMIX_KIND_BOOL:
        fputs(c->f64[r] != 0 ? "true" : "false", f);
        break;
    case SIGMIX_KIND_STRING:
    case SIGMIX_KIND_JSON:
        csv_text(f, c->str[r].ptr, c->str[r].len);
        break;
    default:
        if (isfinite(c->f64[r]))
            fwrite(buf, 1, sigmix_format_double(c->f64[r], buf, sizeof buf), f);
    }
}

int sigmix_csv_write(const sigmix_table *t, FILE *f,
                     const sigmix_write_options *o, sigmix_error *err)
{
    int r = check_options(o, err);
    size_t nc = sigmix_table_cols(t);
    if (r)
        return r;
    for (size_t i = 0; i < nc; i++) {
        const char *name = sigmix_table_col(t, i)->name;
        if (i)
            putc(',', f);
        csv_text(f, name, strlen(name));
    }
    putc('\n', f);
    for (size_t row = 0; row < sigmix_table_rows(t); row++) {
        for (size_t i = 0; i < nc; i++) {
            if (i)
                putc(',', f);
            csv_value(f, sigmix_table_col(t, i), row);
        }
        putc('\n', f);
    }
    return finish(f, err);
}
