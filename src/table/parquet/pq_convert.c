/*
 * Physical + logical Parquet values -> column store values.
 * Numbers go straight into the column arrays (each thread owns distinct
 * rows); text is rendered into a per-thread buffer and copied into the
 * table's arena with one locked call per page.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "table/parquet/pq_internal.h"
#include "util/error.h"
#include "util/jsonw.h"

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* Days since 1970-01-01 -> proleptic Gregorian date (H. Hinnant's method). */
static void civil(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

size_t sigmix_pq_format_date(int64_t days, char *buf)
{
    int64_t y;
    int m, d;
    civil(days, &y, &m, &d);
    /* Years outside 0000-9999 carry a sign, as ISO 8601 expanded years do. */
    if (y >= 0 && y <= 9999)
        return (size_t)snprintf(buf, 48, "%04lld-%02d-%02d", (long long)y, m, d);
    return (size_t)snprintf(buf, 48, "%+lld-%02d-%02d", (long long)y, m, d);
}

size_t sigmix_pq_format_time(int64_t nanos, int digits, char *buf)
{
    int64_t secs = nanos / 1000000000;
    int64_t frac = nanos % 1000000000;
    size_t n = (size_t)snprintf(buf, 48, "%02lld:%02lld:%02lld", (long long)(secs / 3600),
                                (long long)(secs / 60 % 60), (long long)(secs % 60));
    if (frac && digits > 0) {
        int64_t div = 1;
        for (int i = digits; i < 9; i++)
            div *= 10;
        n += (size_t)snprintf(buf + n, 48 - n, ".%0*lld", digits, (long long)(frac / div));
    }
    return n;
}

size_t sigmix_pq_format_timestamp(int64_t days, int64_t nanos, int digits, int utc, char *buf)
{
    size_t n = sigmix_pq_format_date(days, buf);
    buf[n++] = 'T';
    n += sigmix_pq_format_time(nanos, digits, buf + n);
    if (utc) {
        buf[n++] = 'Z';
        buf[n] = 0;
    }
    return n;
}

double sigmix_pq_half_to_double(uint16_t h)
{
    int sign = h >> 15, exp = (h >> 10) & 0x1f, man = h & 0x3ff;
    double v;
    if (exp == 0)
        v = ldexp(man, -24);
    else if (exp == 31)
        v = man ? NAN : INFINITY;
    else
        v = ldexp(man + 1024, exp - 25);
    return sign ? -v : v;
}

/* Unscaled integer text + scale -> nearest double via strtod (exact rounding). */
static double decimal_text(const char *digits, int neg, int scale)
{
    char buf[200];
    snprintf(buf, sizeof buf, "%s%se%d", neg ? "-" : "", digits, -scale);
    return strtod(buf, NULL);
}

static double decimal_i64(int64_t v, int scale)
{
    static const double p10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9,
        1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22 };
    /* Both operands exact: one correctly rounded division. */
    if (scale >= 0 && scale <= 22 && v > -(1LL << 53) && v < (1LL << 53))
        return (double)v / p10[scale];
    char d[32];
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
    snprintf(d, sizeof d, "%llu", u);
    return decimal_text(d, v < 0, scale);
}

double sigmix_pq_decimal_be(const uint8_t *p, size_t n, int scale)
{
    if (n == 0)
        return 0.0;
    if (n <= 8) {
        uint64_t u = (p[0] & 0x80) ? ~(uint64_t)0 : 0;
        for (size_t i = 0; i < n; i++)
            u = (u << 8) | p[i];
        return decimal_i64((int64_t)u, scale);
    }
    if (n > 64)
        return NAN; /* wider than any DECIMAL precision (38..76 digits) */
    uint8_t mag[64];
    int neg = p[0] & 0x80;
    memcpy(mag, p, n);
    if (neg) { /* two's complement negate */
        int carry = 1;
        for (size_t i = n; i-- > 0;) {
            int v = (uint8_t)~mag[i] + carry;
            mag[i] = (uint8_t)v;
            carry = v >> 8;
        }
    }
    char rev[180];
    size_t nd = 0, start = 0;
    while (start < n) { /* repeated division by 10 of the big-endian magnitude */
        unsigned rem = 0;
        for (size_t i = start; i < n; i++) {
            unsigned cur = rem * 256 + mag[i];
            mag[i] = (uint8_t)(cur / 10);
            rem = cur % 10;
        }
        rev[nd++] = (char)('0' + rem);
        while (start < n && mag[start] == 0)
            start++;
    }
    char digits[180];
    for (size_t i = 0; i < nd; i++)
        digits[i] = rev[nd - 1 - i];
    digits[nd] = 0;
    return decimal_text(nd ? digits : "0", neg, scale);
}

size_t sigmix_pq_base64(const uint8_t *p, size_t n, char *out)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0, i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        out[o++] = tab[v >> 18];
        out[o++] = tab[(v >> 12) & 63];
        out[o++] = tab[(v >> 6) & 63];
        out[o++] = tab[v & 63];
    }
    if (i < n) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0);
        out[o++] = tab[v >> 18];
        out[o++] = tab[(v >> 12) & 63];
        out[o++] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
        out[o++] = '=';
    }
    return o;
}

static int64_t unit_per_second(int unit)
{
    return unit == PQ_UNIT_MILLIS ? 1000 : unit == PQ_UNIT_MICROS ? 1000000 : 1000000000;
}

static int unit_digits(int unit)
{
    return unit == PQ_UNIT_MILLIS ? 3 : unit == PQ_UNIT_MICROS ? 6 : 9;
}

static int64_t le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return (int64_t)v;
}

/* Render value k of a text-producing leaf into out (>= 48 bytes unless raw). */
static size_t render_fixed(const pq_leaf *l, const uint8_t *v, char *out)
{
    switch (l->conv) {
    case CV_DATE: {
        int32_t d;
        memcpy(&d, v, 4);
        return sigmix_pq_format_date(d, out);
    }
    case CV_TIME: {
        int64_t t;
        if (l->type == PQ_INT32) {
            int32_t x;
            memcpy(&x, v, 4);
            t = x;
        } else {
            memcpy(&t, v, 8);
        }
        int64_t ups = unit_per_second(l->unit);
        int64_t day = 86400 * ups;
        t = t - floor_div(t, day) * day;
        return sigmix_pq_format_time(t * (1000000000 / ups), unit_digits(l->unit), out);
    }
    case CV_TIMESTAMP: {
        int64_t t, ups = unit_per_second(l->unit), day = 86400 * ups;
        memcpy(&t, v, 8);
        int64_t days = floor_div(t, day);
        return sigmix_pq_format_timestamp(days, (t - days * day) * (1000000000 / ups),
                                          unit_digits(l->unit), l->utc, out);
    }
    case CV_INT96: {
        /* Nanoseconds of day, then Julian day. Converted the way Spark
         * wrote it: to microseconds in wrapping 64-bit arithmetic, which
         * undoes Spark's own overflow for far-future values. */
        int64_t nanos = le64(v);
        int32_t jd;
        memcpy(&jd, v + 8, 4);
        int64_t us = (int64_t)((uint64_t)((int64_t)jd - 2440588) * 86400000000ull +
                               (uint64_t)(nanos / 1000));
        int64_t days = floor_div(us, 86400000000LL);
        return sigmix_pq_format_timestamp(days, (us - days * 86400000000LL) * 1000, 6, 0, out);
    }
    case CV_UUID: {
        static const char hx[] = "0123456789abcdef";
        size_t o = 0;
        for (int i = 0; i < 16; i++) {
            if (i == 4 || i == 6 || i == 8 || i == 10)
                out[o++] = '-';
            out[o++] = hx[v[i] >> 4];
            out[o++] = hx[v[i] & 15];
        }
        return o;
    }
    default:
        return 0;
    }
}

/* Bytes of rendered text for one value (upper bound for base64). */
static size_t text_bound(const pq_leaf *l, size_t len)
{
    if (l->conv == CV_STRING)
        return len;
    if (l->conv == CV_BASE64)
        return (len + 2) / 3 * 4;
    return 48;
}

static int emit_text(pq_worker *w, const pq_job *j, size_t row, size_t count,
                     const uint32_t *defs, const void *vals, size_t n, sigmix_error *err)
{
    const pq_leaf *l = j->leaf;
    int is_bytes = l->type == PQ_BYTE_ARRAY;
    const pq_bytes *bv = vals;
    const uint8_t *fv = vals;
    size_t total = 0;
    for (size_t k = 0; k < n; k++) {
        size_t len = is_bytes ? bv[k].len : (size_t)l->width;
        size_t b = text_bound(l, len);
        if (b > PQ_MAX_PAGE_BYTES - total)
            return sigmix_error_set(err, SIGMIX_ENOMEM, "page text too large (column '%s')", l->name);
        total += b + 1;
    }
    if (sigmix_pq_buf_reserve(&w->text, total + 1) ||
        sigmix_pq_buf_reserve(&w->refs, (n ? n : 1) * sizeof(pq_span)))
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory (column '%s')", l->name);
    char *out = (char *)w->text.p;
    pq_span *spans = (pq_span *)w->refs.p;
    size_t o = 0;
    for (size_t k = 0; k < n; k++) {
        const uint8_t *p = is_bytes ? bv[k].p : fv + k * (size_t)l->width;
        size_t len = is_bytes ? bv[k].len : (size_t)l->width, m;
        if (l->conv == CV_STRING) {
            memcpy(out + o, p, len);
            m = len;
        } else if (l->conv == CV_BASE64) {
            m = sigmix_pq_base64(p, len, out + o);
        } else {
            m = render_fixed(l, p, out + o);
        }
        spans[k] = (pq_span){ o, m };
        out[o + m] = 0;
        o += m + 1;
    }
    pthread_mutex_lock(j->intern_lock);
    const char *base = o ? sigmix_table_intern(j->table, out, o) : "";
    pthread_mutex_unlock(j->intern_lock);
    if (!base)
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory (column '%s')", l->name);
    sigmix_column *c = j->col;
    for (size_t r = 0, k = 0; r < count; r++) {
        if (defs && !defs[r])
            continue;
        c->valid[row + r] = 1;
        c->str[row + r] = (sigmix_strref){ base + spans[k].off, spans[k].len };
        k++;
    }
    return 0;
}

/* Numeric value k as (f64, i64). */
static void number(pq_leaf *l, const uint8_t *v, double *f, int64_t *i)
{
    switch (l->conv) {
    case CV_BOOL: *f = *v ? 1.0 : 0.0; return;
    case CV_I32: { int32_t x; memcpy(&x, v, 4); *i = x; *f = x; return; }
    case CV_U32: { uint32_t x; memcpy(&x, v, 4); *i = x; *f = x; return; }
    case CV_I64: { memcpy(i, v, 8); *f = (double)*i; return; }
    case CV_U64: {
        uint64_t x;
        memcpy(&x, v, 8);
        if (x > INT64_MAX && !l->overflow)
            __atomic_store_n(&l->overflow, 1, __ATOMIC_RELAXED);
        *i = (int64_t)x;
        *f = (double)x;
        return;
    }
    case CV_FLOAT: { float x; memcpy(&x, v, 4); *f = x; return; }
    case CV_DOUBLE: memcpy(f, v, 8); return;
    case CV_F16: *f = sigmix_pq_half_to_double((uint16_t)(v[0] | v[1] << 8)); return;
    case CV_DECIMAL:
        if (l->type == PQ_INT32) {
            int32_t x;
            memcpy(&x, v, 4);
            *f = decimal_i64(x, l->scale);
        } else if (l->type == PQ_INT64) {
            int64_t x;
            memcpy(&x, v, 8);
            *f = decimal_i64(x, l->scale);
        } else if (l->type == PQ_BYTE_ARRAY) {
            const pq_bytes *b = (const pq_bytes *)(const void *)v;
            *f = sigmix_pq_decimal_be(b->p, b->len, l->scale);
        } else {
            *f = sigmix_pq_decimal_be(v, (size_t)l->width, l->scale);
        }
        return;
    default:
        *f = NAN;
    }
}

int sigmix_pq_emit(pq_worker *w, const pq_job *j, size_t row, size_t count,
                   const uint32_t *defs, const void *vals, size_t n, sigmix_error *err)
{
    pq_leaf *l = j->leaf;
    sigmix_column *c = j->col;
    if (c->kind == SIGMIX_KIND_STRING)
        return emit_text(w, j, row, count, defs, vals, n, err);
    if (l->conv == CV_DOUBLE && !defs) { /* the common case: plain doubles */
        memcpy(c->f64 + row, vals, count * sizeof(double));
        memset(c->valid + row, 1, count);
        return 0;
    }
    size_t stride = l->type == PQ_BYTE_ARRAY ? sizeof(pq_bytes) : (size_t)l->width;
    const uint8_t *v = vals;
    int64_t *i64 = c->i64;
    for (size_t r = 0, k = 0; r < count; r++) {
        if (defs && !defs[r])
            continue;
        double f = 0;
        int64_t i = 0;
        number(l, v + k * stride, &f, &i);
        k++;
        c->valid[row + r] = 1;
        c->f64[row + r] = f;
        if (i64)
            i64[row + r] = i;
    }
    return 0;
}

/* Reserve room for `more` bytes after *len in b. */
static int room(pq_buf *b, size_t len, size_t more)
{
    return more > SIZE_MAX - len - 1 ? -1 : sigmix_pq_buf_grow(b, len + more + 1);
}

int sigmix_pq_json_values(pq_leaf *l, const void *vals, size_t n, pq_buf *text, size_t *tlen,
                          pq_buf *spans, size_t *nspans, pq_buf *tmp)
{
    int is_bytes = l->type == PQ_BYTE_ARRAY;
    size_t stride = is_bytes ? sizeof(pq_bytes) : (size_t)l->width;
    const uint8_t *v = vals;
    /* text and spans accumulate over the pages of a chunk: grow, keep. */
    if (sigmix_pq_buf_grow(spans, (*nspans + n + 1) * sizeof(pq_span)))
        return -1;
    for (size_t k = 0; k < n; k++) {
        const uint8_t *x = v + k * stride;
        size_t start = *tlen, m;
        char num[64];
        if (l->conv <= CV_DECIMAL) { /* numbers and booleans */
            double f = 0;
            int64_t i = 0;
            number(l, x, &f, &i);
            if (l->conv == CV_BOOL)
                m = (size_t)snprintf(num, sizeof num, "%s", f != 0 ? "true" : "false");
            else if (l->conv == CV_U64)
                m = (size_t)snprintf(num, sizeof num, "%llu", (unsigned long long)i);
            else if (l->conv == CV_I32 || l->conv == CV_U32 || l->conv == CV_I64)
                m = (size_t)snprintf(num, sizeof num, "%lld", (long long)i);
            else if (!isfinite(f))
                m = (size_t)snprintf(num, sizeof num, "null"); /* strict JSON */
            else
                m = sigmix_format_double(f, num, sizeof num);
            if (room(text, *tlen, m))
                return -1;
            memcpy(text->p + *tlen, num, m);
        } else { /* text: render raw, then JSON-quote */
            const pq_bytes *b = (const pq_bytes *)(const void *)x;
            const uint8_t *p = is_bytes ? b->p : x;
            size_t len = is_bytes ? b->len : (size_t)l->width, rl;
            const char *raw;
            if (l->conv == CV_STRING) {
                raw = (const char *)p;
                rl = len;
            } else {
                if (sigmix_pq_buf_reserve(tmp, text_bound(l, len) + 1))
                    return -1;
                rl = l->conv == CV_BASE64 ? sigmix_pq_base64(p, len, (char *)tmp->p)
                                          : render_fixed(l, p, (char *)tmp->p);
                raw = (const char *)tmp->p;
            }
            m = sigmix_json_quote(raw, rl, NULL);
            if (m > PQ_MAX_PAGE_BYTES || room(text, *tlen, m))
                return -1;
            sigmix_json_quote(raw, rl, (char *)text->p + *tlen);
        }
        *tlen += m;
        ((pq_span *)(void *)spans->p)[(*nspans)++] = (pq_span){ start, m };
    }
    return 0;
}
