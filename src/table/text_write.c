/*
 * Text table writers: JSON Lines, JSON (a list of row objects) and CSV.
 * JSON output is strict: non-finite numbers and nulls are written as null,
 * doubles in shortest round-trip form, INT64 exactly, BOOL as true/false,
 * JSON-kind values as their JSON text. CSV writes null and non-finite
 * numbers as empty fields and quotes (with libcsv) only when needed.
 * With compression GZIP or ZSTD the text is compressed on the way out
 * (rows are rendered into a memory stream, 1 MiB at a time).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "table/format.h"
#include "util/codecs.h"
#include "util/error.h"
#include "util/jsonw.h"
#include "util/utf8.h"

enum { CHUNK = 1 << 20 };

/* Output: rows go to `w`; the real file `f` gets them as is or compressed. */
typedef struct sink {
    FILE          *f, *w;
    int            codec;     /* SIGMIX_COMPRESSION_NONE / GZIP / ZSTD */
    char          *mem;       /* open_memstream buffer */
    size_t         memlen;
    const sigmix_zlib_api *zl;   /* set for GZIP */
    const sigmix_zstd_api *zs;   /* set for ZSTD */
    z_stream       z;
    int            z_live;
    ZSTD_CCtx     *zc;
    unsigned char *out;       /* compressed output buffer */
    int            failed;
} sink;

static int sink_fail(sink *k, sigmix_error *err, int code, const char *what)
{
    k->failed = 1;
    return sigmix_error_set(err, code, "%s", what);
}

/* Compress (or pass on) in[0..n); finish ends the stream. */
static int sink_put(sink *k, const void *in, size_t n, int finish, sigmix_error *err)
{
    if (k->codec == SIGMIX_COMPRESSION_GZIP) {
        k->z.next_in = (unsigned char *)in;
        k->z.avail_in = (uInt)n;
        int zr;
        do {
            k->z.next_out = k->out;
            k->z.avail_out = CHUNK;
            zr = k->zl->deflate(&k->z, finish ? Z_FINISH : Z_NO_FLUSH);
            if (zr == Z_STREAM_ERROR)
                return sink_fail(k, err, SIGMIX_EIO, "gzip compression failed");
            fwrite(k->out, 1, CHUNK - k->z.avail_out, k->f);
        } while (k->z.avail_out == 0 || (finish && zr != Z_STREAM_END));
        return 0;
    }
    ZSTD_inBuffer ib = { in, n, 0 };
    size_t left;
    do {
        ZSTD_outBuffer ob = { k->out, CHUNK, 0 };
        left = k->zs->ZSTD_compressStream2(k->zc, &ob, &ib, finish ? ZSTD_e_end : ZSTD_e_continue);
        if (k->zs->ZSTD_isError(left))
            return sink_fail(k, err, SIGMIX_EIO, "zstd compression failed");
        fwrite(k->out, 1, ob.pos, k->f);
    } while (ib.pos < ib.size || (finish && left));
    return 0;
}

static int sink_open_mem(sink *k, sigmix_error *err)
{
    k->w = open_memstream(&k->mem, &k->memlen);
    return k->w ? 0 : sink_fail(k, err, SIGMIX_ENOMEM, "out of memory");
}

static int sink_open(sink *k, FILE *f, const sigmix_write_options *o, sigmix_error *err)
{
    memset(k, 0, sizeof *k);
    k->f = k->w = f;
    k->codec = o->compression == SIGMIX_COMPRESSION_DEFAULT ? SIGMIX_COMPRESSION_NONE : (int)o->compression;
    if (k->codec == SIGMIX_COMPRESSION_NONE)
        return 0;
    if (k->codec == SIGMIX_COMPRESSION_SNAPPY)
        return sigmix_error_set(err, SIGMIX_EUNSUPPORTED,
                                "snappy compression is only available for Parquet output");
    if (k->codec == SIGMIX_COMPRESSION_GZIP ? !(k->zl = sigmix_zlib(err)) :
                                              !(k->zs = sigmix_zstd(err))) {
        k->failed = 1;
        return SIGMIX_EUNSUPPORTED;
    }
    if (!(k->out = malloc(CHUNK)))
        return sink_fail(k, err, SIGMIX_ENOMEM, "out of memory");
    if (k->codec == SIGMIX_COMPRESSION_GZIP) {
        if (sigmix_deflate_init2(k->zl, &k->z, 6, 16 + MAX_WBITS, 8) != Z_OK)
            return sink_fail(k, err, SIGMIX_ENOMEM, "out of memory (zlib)");
        k->z_live = 1;
    } else if (!(k->zc = k->zs->ZSTD_createCCtx())) {
        return sink_fail(k, err, SIGMIX_ENOMEM, "out of memory (zstd)");
    }
    return sink_open_mem(k, err);
}

/* Hand what the memory stream holds to the compressor. */
static int sink_drain(sink *k, int finish, sigmix_error *err)
{
    if (fclose(k->w))
        return sink_fail(k, err, SIGMIX_ENOMEM, "out of memory");
    k->w = NULL;
    int r = sink_put(k, k->mem, k->memlen, finish, err);
    free(k->mem);
    k->mem = NULL;
    return r ? r : finish ? 0 : sink_open_mem(k, err);
}

/* After each row: compress once a chunk has built up. */
static int sink_row(sink *k, sigmix_error *err)
{
    if (k->codec == SIGMIX_COMPRESSION_NONE || ftell(k->w) < CHUNK)
        return 0;
    return sink_drain(k, 0, err);
}

static int sink_close(sink *k, int r, sigmix_error *err)
{
    if (!r && k->codec != SIGMIX_COMPRESSION_NONE)
        r = sink_drain(k, 1, err);
    if (k->w && k->w != k->f)
        fclose(k->w);
    free(k->mem);
    free(k->out);
    if (k->z_live)
        k->zl->deflateEnd(&k->z);
    if (k->zc)
        k->zs->ZSTD_freeCCtx(k->zc);
    if (!r && (fflush(k->f) || ferror(k->f)))
        r = sigmix_error_set(err, SIGMIX_EIO, "write error");
    return r;
}

/*
 * Every name and text value must be UTF-8: sigmix refuses to write bytes
 * that it (and any JSON or CSV reader) would refuse to read back. Checked
 * before the first byte is written, so nothing partial is produced.
 */
static int check_utf8(const sigmix_table *t, sigmix_error *err)
{
    size_t at;
    for (size_t i = 0; i < sigmix_table_cols(t); i++) {
        const sigmix_column *c = sigmix_table_col(t, i);
        if (!sigmix_utf8_valid(c->name, strlen(c->name), &at))
            return sigmix_error_set(err, SIGMIX_EFORMAT,
                                    "column %zu: name is not valid UTF-8 (byte %zu)", i + 1, at);
    }
    for (size_t i = 0; i < sigmix_table_cols(t); i++) {
        const sigmix_column *c = sigmix_table_col(t, i);
        if (c->kind != SIGMIX_KIND_STRING && c->kind != SIGMIX_KIND_JSON)
            continue;
        for (size_t r = 0; r < sigmix_table_rows(t); r++)
            if (c->valid[r] && !sigmix_utf8_valid(c->str[r].ptr, c->str[r].len, &at))
                return sigmix_error_set(err, SIGMIX_EFORMAT,
                                        "column %zu row %zu: text is not valid UTF-8 (byte %zu)",
                                        i + 1, r + 1, at);
    }
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
    sink k;
    int r = check_utf8(t, err);
    if (r)
        return r;
    r = sink_open(&k, f, o, err);
    for (size_t row = 0; !r && row < sigmix_table_rows(t); row++) {
        json_row(t, k.w, row);
        putc('\n', k.w);
        r = sink_row(&k, err);
    }
    return sink_close(&k, r, err);
}

int sigmix_json_write(const sigmix_table *t, FILE *f,
                      const sigmix_write_options *o, sigmix_error *err)
{
    sink k;
    int r = check_utf8(t, err);
    if (r)
        return r;
    r = sink_open(&k, f, o, err);
    if (!r)
        fputs("[", k.w);
    for (size_t row = 0; !r && row < sigmix_table_rows(t); row++) {
        fputs(row ? ",\n" : "\n", k.w);
        json_row(t, k.w, row);
        r = sink_row(&k, err);
    }
    if (!r)
        fputs("\n]\n", k.w);
    return sink_close(&k, r, err);
}

/* Quote when the reader would otherwise change the text: separators,
 * quotes, line breaks, edge blanks (libcsv trims them), or "" itself. */
static void csv_text(const sigmix_csv_api *cv, FILE *f, const char *s, size_t n)
{
    int quote = n == 0 || s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t';
    for (size_t i = 0; i < n && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
    if (quote)
        cv->csv_fwrite(f, s, n);
    else
        fwrite(s, 1, n, f);
}

static void csv_value(const sigmix_csv_api *cv, FILE *f, const sigmix_column *c, size_t r)
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
        csv_text(cv, f, c->str[r].ptr, c->str[r].len);
        break;
    default:
        /* non-finite values are present values: spelled so that the CSV
         * reader (and pandas) read them back as the same double */
        if (isfinite(c->f64[r]))
            fwrite(buf, 1, sigmix_format_double(c->f64[r], buf, sizeof buf), f);
        else
            fputs(isnan(c->f64[r]) ? "NaN" : c->f64[r] > 0 ? "inf" : "-inf", f);
    }
}

int sigmix_csv_write(const sigmix_table *t, FILE *f,
                     const sigmix_write_options *o, sigmix_error *err)
{
    sink k;
    size_t nc = sigmix_table_cols(t);
    int r = check_utf8(t, err);
    if (r)
        return r;
    const sigmix_csv_api *cv = sigmix_csv(err); /* quotes fields */
    if (!cv)
        return SIGMIX_EUNSUPPORTED;
    r = sink_open(&k, f, o, err);
    for (size_t i = 0; !r && i < nc; i++) {
        const char *name = sigmix_table_col(t, i)->name;
        if (i)
            putc(',', k.w);
        csv_text(cv, k.w, name, strlen(name));
    }
    if (!r)
        putc('\n', k.w);
    for (size_t row = 0; !r && row < sigmix_table_rows(t); row++) {
        for (size_t i = 0; i < nc; i++) {
            if (i)
                putc(',', k.w);
            csv_value(cv, k.w, sigmix_table_col(t, i), row);
        }
        putc('\n', k.w);
        r = sink_row(&k, err);
    }
    return sink_close(&k, r, err);
}
