/*
 * Source Parquet types: a column read from Parquet carries its physical
 * and logical type (sigmix_column.pq), and a rewrite stores the values in
 * that type again, so FLOAT stays FLOAT, INT32/INT8/UINT stay what they
 * are, dates and timestamps stay dates and timestamps, and an exact
 * UINT64 column stays UINT64. A type is honoured only while every value
 * still fits it exactly (the table may have been edited); otherwise the
 * writer's own type for the kind is used. Binary (read as base64 text)
 * is written as the same bytes again.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "table/parquet_writer/pqw.h"

/* The reader's renderings (pq_convert.c): a parsed value must print the same. */
size_t sigmix_pq_format_date(int64_t days, char *buf);
size_t sigmix_pq_format_timestamp(int64_t days, int64_t nanos_of_day, int digits,
                                  int utc, char *buf);
size_t sigmix_pq_format_time(int64_t nanos_of_day, int digits, char *buf);

enum { CT_DATE = 6, CT_TIME_MILLIS = 7, CT_TIME_MICROS = 8, CT_TS_MILLIS = 9,
       CT_TS_MICROS = 10, CT_UINT_8 = 11, CT_UINT_64 = 14, CT_INT_8 = 15, CT_INT_64 = 18 };
enum { LT_DATE = 6, LT_TIME = 7, LT_TIMESTAMP = 8, LT_INTEGER = 10 };
enum { UNIT_MILLIS = 1, UNIT_MICROS = 2, UNIT_NANOS = 3 };

/* Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* n decimal digits at *p into *v; advances *p. */
static int digits(const char **p, const char *end, int n, int64_t *v)
{
    *v = 0;
    for (int i = 0; i < n; i++, (*p)++) {
        if (*p >= end || **p < '0' || **p > '9')
            return -1;
        *v = *v * 10 + (**p - '0');
    }
    return 0;
}

/* [+-]YYYY-MM-DD (the reader's date text) -> days; advances *p. */
static int parse_date(const char **p, const char *end, int64_t *days)
{
    int neg = 0;
    int64_t y = 0, m, d;
    if (*p < end && (**p == '+' || **p == '-'))
        neg = *(*p)++ == '-';
    int nd = 0;
    while (*p < end && **p >= '0' && **p <= '9' && nd < 9) {
        y = y * 10 + (*(*p)++ - '0');
        nd++;
    }
    if (nd < 4 || *p >= end || *(*p)++ != '-' || digits(p, end, 2, &m) || *p >= end ||
        *(*p)++ != '-' || digits(p, end, 2, &d) || m < 1 || m > 12 || d < 1 || d > 31)
        return -1;
    *days = days_from_civil(neg ? -y : y, (int)m, (int)d);
    return 0;
}

/* HH:MM:SS[.f{ndig}] -> nanoseconds of day; advances *p. */
static int parse_time(const char **p, const char *end, int ndig, int64_t *nanos)
{
    int64_t h, mi, s, f = 0;
    if (digits(p, end, 2, &h) || *p >= end || *(*p)++ != ':' || digits(p, end, 2, &mi) ||
        *p >= end || *(*p)++ != ':' || digits(p, end, 2, &s) || h > 23 || mi > 59 || s > 59)
        return -1;
    if (*p < end && **p == '.') {
        (*p)++;
        if (digits(p, end, ndig, &f))
            return -1;
        for (int i = ndig; i < 9; i++)
            f *= 10;
    }
    *nanos = ((h * 60 + mi) * 60 + s) * 1000000000 + f;
    return 0;
}

static int unit_of(const sigmix_pq_type *q)
{
    if (q->logical == LT_TIME || q->logical == LT_TIMESTAMP)
        return q->unit ? q->unit : UNIT_MICROS;
    return q->converted == CT_TIME_MILLIS || q->converted == CT_TS_MILLIS ? UNIT_MILLIS
                                                                           : UNIT_MICROS;
}

static int64_t per_second(int unit)
{
    return unit == UNIT_MILLIS ? 1000 : unit == UNIT_MICROS ? 1000000 : 1000000000;
}

/*
 * Temporal text -> the source's integer; 0 when it parses and prints back
 * exactly as the reader would render that integer.
 */
static int parse_temporal(const sigmix_pq_type *q, const sigmix_strref *s, int64_t *out)
{
    const char *p = s->ptr, *end = s->ptr + s->len;
    char back[64];
    size_t n;
    int64_t days, nanos;
    int unit = unit_of(q), ndig = unit == UNIT_MILLIS ? 3 : unit == UNIT_MICROS ? 6 : 9;
    int64_t ups = per_second(unit), div = 1000000000 / ups;
    if (q->logical == LT_DATE || q->converted == CT_DATE) {
        if (parse_date(&p, end, &days) || p != end || days < INT32_MIN || days > INT32_MAX)
            return -1;
        *out = days;
        n = sigmix_pq_format_date(days, back);
    } else if (q->logical == LT_TIME || q->converted == CT_TIME_MILLIS ||
               q->converted == CT_TIME_MICROS) {
        if (parse_time(&p, end, ndig, &nanos) || p != end)
            return -1;
        *out = nanos / div;
        n = sigmix_pq_format_time(nanos, ndig, back);
    } else {
        int utc = q->logical == LT_TIMESTAMP && q->utc;
        if (parse_date(&p, end, &days) || p >= end || *p++ != 'T' ||
            parse_time(&p, end, ndig, &nanos) || (utc && (p >= end || *p++ != 'Z')) || p != end ||
            days > INT64_MAX / 86400 / ups || days < INT64_MIN / 86400 / ups)
            return -1;
        *out = days * 86400 * ups + nanos / div;
        n = sigmix_pq_format_timestamp(days, nanos, ndig, utc, back);
    }
    return n == s->len && !memcmp(back, s->ptr, n) ? 0 : -1;
}

static int is_temporal(const sigmix_pq_type *q)
{
    return q->logical == LT_DATE || q->logical == LT_TIME || q->logical == LT_TIMESTAMP ||
           (q->converted >= CT_DATE && q->converted <= CT_TS_MICROS);
}

/* Range of an integer type: bits and signedness from the annotation. */
static void int_range(const sigmix_pq_type *q, int *bits, int *sgn)
{
    *bits = q->physical == PQ_INT32 ? 32 : 64;
    *sgn = 1;
    if (q->logical == LT_INTEGER && q->bits > 0) {
        *bits = q->bits;
        *sgn = q->is_signed;
    } else if (q->converted >= CT_UINT_8 && q->converted <= CT_INT_64) {
        static const int b[] = { 8, 16, 32, 64 };
        *sgn = q->converted >= CT_INT_8;
        *bits = b[(q->converted - (*sgn ? CT_INT_8 : CT_UINT_8)) & 3];
    }
}

static int fits(int64_t v, int bits, int sgn)
{
    if (bits >= 64)
        return sgn || v >= 0;
    if (sgn)
        return v >= -((int64_t)1 << (bits - 1)) && v < ((int64_t)1 << (bits - 1));
    return v >= 0 && v < ((int64_t)1 << bits);
}

/* Decimal digits of a uint64 (the reader's exact form of large UINT64). */
static int parse_u64(const sigmix_strref *s, int64_t *out)
{
    uint64_t v = 0;
    if (!s->len || s->len > 20)
        return -1;
    for (size_t i = 0; i < s->len; i++) {
        unsigned d = (unsigned)(s->ptr[i] - '0');
        if (d > 9 || v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = (int64_t)v;
    return 0;
}

/* Values of a text column as the source's integers, in col->ival. */
static int text_to_ints(pqw_col *col, size_t rows, int u64)
{
    const sigmix_column *c = col->c;
    int64_t *v = calloc(rows ? rows : 1, sizeof *v);
    if (!v)
        return SIGMIX_ENOMEM;
    for (size_t r = 0; r < rows; r++)
        if (c->valid[r] && (u64 ? parse_u64(&c->str[r], &v[r])
                                : parse_temporal(&c->pq, &c->str[r], &v[r]))) {
            free(v);
            return 0; /* not the source's values any more: the kind's own type */
        }
    col->ival = v;
    col->src = &c->pq;
    return 0;
}

/* Strict standard base64 with padding (the reader's form of binary). */
static long unbase64(const char *s, size_t n, uint8_t *out)
{
    static const char A[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    if (n % 4)
        return -1;
    for (size_t i = 0; i < n; i += 4) {
        uint32_t v = 0;
        int pad = 0;
        for (int k = 0; k < 4; k++) {
            const char *q = s[i + k] ? strchr(A, s[i + k]) : NULL;
            if (s[i + k] == '=' && i + 4 == n && k >= 2 && (k == 3 || s[i + 3] == '=')) {
                pad++;
                v <<= 6;
                continue;
            }
            if (!q || pad)
                return -1;
            v = v << 6 | (uint32_t)(q - A);
        }
        out[o++] = (uint8_t)(v >> 16);
        if (pad < 2)
            out[o++] = (uint8_t)(v >> 8);
        if (pad < 1)
            out[o++] = (uint8_t)v;
    }
    return (long)o;
}

/*
 * Binary read as base64 text: write the bytes again, unannotated. The
 * writer then works on a private copy of the column holding the bytes.
 */
static int binary_again(pqw_col *col, size_t rows)
{
    const sigmix_column *c = col->c;
    size_t total = 0;
    for (size_t r = 0; r < rows; r++)
        if (c->valid[r])
            total += c->str[r].len / 4 * 3;
    sigmix_column *sh = calloc(1, sizeof *sh);
    sigmix_strref *refs = calloc(rows ? rows : 1, sizeof *refs);
    uint8_t *bytes = malloc(total ? total : 1);
    if (!sh || !refs || !bytes) {
        free(sh);
        free(refs);
        free(bytes);
        return SIGMIX_ENOMEM;
    }
    size_t at = 0;
    for (size_t r = 0; r < rows; r++) {
        if (!c->valid[r])
            continue;
        long n = unbase64(c->str[r].ptr, c->str[r].len, bytes + at);
        if (n < 0) {   /* edited into something else: keep it as text */
            free(sh);
            free(refs);
            free(bytes);
            return 0;
        }
        refs[r] = (sigmix_strref){ (const char *)bytes + at, (size_t)n };
        at += (size_t)n;
    }
    *sh = *c;
    sh->str = refs;
    col->shadow = sh;
    col->shadow_bytes = bytes;
    col->c = sh;
    col->annotate = 0;
    col->src = &c->pq;
    return 0;
}

void pqw_source_free(pqw_col *col)
{
    free(col->ival);
    if (col->shadow) {
        free(col->shadow->str);
        free(col->shadow);
        free(col->shadow_bytes);
    }
    col->ival = NULL;
    col->shadow = NULL;
    col->shadow_bytes = NULL;
}

int pqw_source_type(pqw_col *col, size_t rows)
{
    const sigmix_column *c = col->c;
    const sigmix_pq_type *q = &c->pq;
    col->src = NULL;
    col->ival = NULL;
    if (!q->present)
        return 0;
    switch (c->kind) {
    case SIGMIX_KIND_DOUBLE:
        if (q->physical != PQ_FLOAT || q->logical || q->converted >= 0)
            return 0;
        for (size_t r = 0; r < rows; r++)
            if (c->valid[r] && !isnan(c->f64[r]) && (double)(float)c->f64[r] != c->f64[r])
                return 0;
        col->ptype = PQ_FLOAT;
        col->src = q;
        return 0;
    case SIGMIX_KIND_INT64: {
        int bits, sgn;
        if ((q->physical != PQ_INT32 && q->physical != PQ_INT64) || is_temporal(q) ||
            (q->logical && q->logical != LT_INTEGER) ||
            (q->converted >= 0 && (q->converted < CT_UINT_8 || q->converted > CT_INT_64)))
            return 0;
        int_range(q, &bits, &sgn);
        for (size_t r = 0; r < rows; r++)
            if (c->valid[r] && !fits(c->i64[r], bits, sgn))
                return 0;
        col->ptype = q->physical;
        col->is_unsigned = !sgn;
        col->src = q;
        return 0;
    }
    case SIGMIX_KIND_JSON: {
        int bits, sgn;
        if (q->physical != PQ_INT64)
            return 0;
        int_range(q, &bits, &sgn);
        if (bits != 64 || sgn)
            return 0;
        int r = text_to_ints(col, rows, 1);
        if (!r && col->ival) {
            col->ptype = PQ_INT64;
            col->is_unsigned = 1;
        }
        return r;
    }
    case SIGMIX_KIND_STRING: {
        /* BYTE_ARRAY without a text annotation was read as base64. */
        if (q->physical == PQ_BYTE_ARRAY && !q->logical && q->converted < 0)
            return binary_again(col, rows);
        if (!is_temporal(q) || (q->physical != PQ_INT32 && q->physical != PQ_INT64))
            return 0;
        int r = text_to_ints(col, rows, 0);
        if (!r && col->ival)
            col->ptype = q->physical;
        return r;
    }
    default:
        return 0;
    }
}
