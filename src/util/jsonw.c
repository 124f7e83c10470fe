#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/dconv.h"
#include "util/jsonw.h"
#include "util/utf8.h"

void sigmix_jw_init(sigmix_jsonw *w, FILE *f, int indent)
{
    /* field by field: the buffer needs no clearing (callers init per row) */
    w->f = f;
    w->indent = indent;
    w->depth = 0;
    memset(w->count, 0, sizeof w->count);
    w->after_key = 0;
    w->bad_utf8 = 0;
    w->len = 0;
}

void sigmix_jw_flush(sigmix_jsonw *w)
{
    if (w->len)
        fwrite(w->buf, 1, w->len, w->f);
    w->len = 0;
}

/* Bytes go to w->buf and reach the FILE in blocks, and whenever a
 * top-level value is complete (callers write between values themselves). */
static void put(sigmix_jsonw *w, const char *s, size_t n)
{
    if (n > sizeof w->buf - w->len) {
        sigmix_jw_flush(w);
        if (n > sizeof w->buf) {
            fwrite(s, 1, n, w->f);
            return;
        }
    }
    memcpy(w->buf + w->len, s, n);
    w->len += n;
}

static void putch(sigmix_jsonw *w, char c)
{
    if (w->len == sizeof w->buf)
        sigmix_jw_flush(w);
    w->buf[w->len++] = c;
}

static void done(sigmix_jsonw *w)
{
    if (w->depth <= 0)
        sigmix_jw_flush(w);
}

static void newline(sigmix_jsonw *w)
{
    if (!w->indent)
        return;
    putch(w, '\n');
    for (int i = 0; i < w->depth * w->indent; i++)
        putch(w, ' ');
}

/* Separator and indentation before a value or key. */
static void pre_value(sigmix_jsonw *w)
{
    if (w->after_key) {
        w->after_key = 0;
        return;
    }
    if (w->depth > 0) {
        unsigned char *c = &w->count[w->depth - 1];
        if (*c)
            putch(w, ',');
        if (*c < 255)
            (*c)++;
        newline(w);
    }
}

static void open(sigmix_jsonw *w, char ch)
{
    pre_value(w);
    putch(w, ch);
    if (w->depth < SIGMIX_JSONW_MAX_DEPTH)
        w->count[w->depth] = 0;
    w->depth++;
}

static void close(sigmix_jsonw *w, char ch)
{
    int had = w->depth > 0 && w->depth <= SIGMIX_JSONW_MAX_DEPTH && w->count[w->depth - 1];
    w->depth--;
    if (had)
        newline(w);
    putch(w, ch);
    if (w->depth == 0 && w->indent)
        putch(w, '\n');
    done(w);
}

void sigmix_jw_obj_begin(sigmix_jsonw *w) { open(w, '{'); }
void sigmix_jw_obj_end(sigmix_jsonw *w) { close(w, '}'); }
void sigmix_jw_arr_begin(sigmix_jsonw *w) { open(w, '['); }
void sigmix_jw_arr_end(sigmix_jsonw *w) { close(w, ']'); }

size_t sigmix_json_quote(const char *s, size_t len, char *out)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = 0;
#define PUT(ch) do { if (out) out[n] = (ch); n++; } while (0)
    PUT('"');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *e = NULL;
        switch (c) {
        case '"': e = "\\\""; break;
        case '\\': e = "\\\\"; break;
        case '\n': e = "\\n"; break;
        case '\r': e = "\\r"; break;
        case '\t': e = "\\t"; break;
        case '\b': e = "\\b"; break;
        case '\f': e = "\\f"; break;
        default: break;
        }
        if (e) {
            PUT(e[0]);
            PUT(e[1]);
        } else if (c < 0x20 || c == 0x7f) {
            PUT('\\'); PUT('u'); PUT('0'); PUT('0');
            PUT(hex[c >> 4]); PUT(hex[c & 15]);
        } else {
            PUT((char)c);
        }
    }
    PUT('"');
#undef PUT
    return n;
}

int sigmix_jw_bad_utf8(const sigmix_jsonw *w)
{
    return w->bad_utf8;
}

void sigmix_jw_strn(sigmix_jsonw *w, const char *s, size_t n)
{
    if (!sigmix_utf8_valid(s, n, NULL)) {
        /* never pass the bytes on; "" keeps the JSON well formed (as a key
         * too), and the caller refuses the output (sigmix_jw_bad_utf8) */
        w->bad_utf8 = 1;
        n = 0;
    }
    char stack[256];
    size_t len = sigmix_json_quote(s, n, NULL);
    char *buf = len < sizeof stack ? stack : malloc(len);
    pre_value(w);
    if (!buf) { /* OOM: still emit valid JSON */
        put(w, "null", 4);
        done(w);
        return;
    }
    sigmix_json_quote(s, n, buf);
    put(w, buf, len);
    if (buf != stack)
        free(buf);
    done(w);
}

void sigmix_jw_str(sigmix_jsonw *w, const char *s)
{
    if (!s)
        sigmix_jw_null(w);
    else
        sigmix_jw_strn(w, s, strlen(s));
}

void sigmix_jw_key(sigmix_jsonw *w, const char *key)
{
    sigmix_jw_str(w, key);
    put(w, w->indent ? ": " : ":", w->indent ? 2 : 1);
    w->after_key = 1;
}

/* The definition of the text: the first of %.15g, %.16g, %.17g that strtod
 * reads back as v (from %.1g up for subnormals). Kept as the reference and
 * for the cases the fast path below does not decide. */
static size_t format_by_search(double v, char *buf, size_t n)
{
    int len = 0;
    /* 15 digits suffice for normal doubles unless they need 16-17; subnormals
     * carry fewer significant bits, so search them from 1 digit up. */
    int first = v != 0 && fabs(v) < DBL_MIN ? 1 : 15;
    for (int prec = first; prec <= 17; prec++) {
        len = snprintf(buf, n, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    if (len > 0 && (size_t)len + 2 < n && !strpbrk(buf, ".eEn")) {
        buf[len++] = '.';
        buf[len++] = '0';
        buf[len] = '\0';
    }
    return len > 0 ? (size_t)len : 0;
}

/*
 * Whether v's exact decimal value has at most 18 significant digits, so that
 * rounding it to 16 or 17 digits could be an exact halfway case (printf
 * rounds those to even, double-conversion away from zero). v = m * 2^e with
 * m odd: for e < 0 the exact value has as many digits as m * 5^-e, which is
 * at least 5^27 > 10^18 once e <= -27; integers (e >= 0) are all counted.
 */
static int may_be_halfway(double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    int be = (int)(bits >> 52 & 0x7ff);
    uint64_t m = (bits & ((UINT64_C(1) << 52) - 1)) | (UINT64_C(1) << 52);
    int e = be - 1075;
    while (!(m & 1)) {
        m >>= 1;
        e++;
    }
    return e > -27;
}

/* %.{prec}g of the value 0.DIGITS x 10^point (nd digits, no trailing zeros). */
static size_t g_style(int neg, const char *d, int nd, int point, int prec, char *buf)
{
    size_t k = 0;
    int x = point - 1; /* exponent of the first digit */
    if (neg)
        buf[k++] = '-';
    if (x < -4 || x >= prec) {
        buf[k++] = d[0];
        if (nd > 1) {
            buf[k++] = '.';
            memcpy(buf + k, d + 1, (size_t)nd - 1);
            k += (size_t)nd - 1;
        }
        buf[k++] = 'e';
        buf[k++] = x < 0 ? '-' : '+';
        int ax = x < 0 ? -x : x;
        if (ax >= 100)
            buf[k++] = (char)('0' + ax / 100);
        buf[k++] = (char)('0' + ax / 10 % 10);
        buf[k++] = (char)('0' + ax % 10);
    } else if (x < 0) {
        buf[k++] = '0';
        buf[k++] = '.';
        for (int i = 0; i < -x - 1; i++)
            buf[k++] = '0';
        memcpy(buf + k, d, (size_t)nd);
        k += (size_t)nd;
    } else {
        for (int i = 0; i <= x; i++)
            buf[k++] = i < nd ? d[i] : '0';
        if (nd > x + 1) {
            buf[k++] = '.';
            memcpy(buf + k, d + x + 1, (size_t)(nd - x - 1));
            k += (size_t)(nd - x - 1);
        } else { /* integral: stays a float, as Python writes it */
            buf[k++] = '.';
            buf[k++] = '0';
        }
    }
    buf[k] = '\0';
    return k;
}

/*
 * The same text as format_by_search, in one pass for nearly every double.
 * The shortest round-trip digits (L of them) are what %.15g prints when
 * L <= 15: v lies within 0.12 units of the 15th digit of any 15-digit
 * string that reads back as v. Beyond that the search's %.16g and %.17g
 * are the correctly rounded digits, which double-conversion gives too,
 * except on exact halfway cases (may_be_halfway: left to the search).
 */
size_t sigmix_format_double(double v, char *buf, size_t n)
{
    if (n < 32 || !isfinite(v) || v == 0 || fabs(v) < DBL_MIN)
        return format_by_search(v, buf, n);
    char d[32];
    int point, prec = 15;
    int nd = sigmix_dconv_digits(v, 0, d, &point);
    if (nd > 15) {
        if (may_be_halfway(v))
            return format_by_search(v, buf, n);
        /* Without halfway cases the shortest digits are the closest of
         * their length that read back: with 17 they are %.17g's; with 16
         * they are %.16g's exactly when %.16g reads back, else %.17g it is.
         * %.16g (the closest 16 digits) can fail to read back while other
         * 16 digits do only when v's rounding interval is lopsided, i.e.
         * its significand is a power of two: only then is it checked. */
        prec = nd;
        uint64_t bits;
        memcpy(&bits, &v, sizeof bits);
        if (nd == 16 && !(bits & ((UINT64_C(1) << 52) - 1))) {
            char r[32];
            int rpoint, rn = sigmix_dconv_digits(v, 16, r, &rpoint);
            if (rn != nd || rpoint != point || memcmp(r, d, (size_t)nd)) {
                prec = 17;
                nd = sigmix_dconv_digits(v, 17, d, &point);
            }
        }
    }
    return g_style(v < 0, d, nd, point, prec, buf);
}

void sigmix_jw_double(sigmix_jsonw *w, double v)
{
    char buf[40];
    if (!isfinite(v)) {
        sigmix_jw_null(w);
        return;
    }
    size_t len = sigmix_format_double(v, buf, sizeof buf);
    pre_value(w);
    put(w, buf, len);
    done(w);
}

void sigmix_jw_int(sigmix_jsonw *w, int64_t v)
{
    char buf[24];
    int len = snprintf(buf, sizeof buf, "%lld", (long long)v);
    pre_value(w);
    put(w, buf, len > 0 ? (size_t)len : 0);
    done(w);
}

void sigmix_jw_bool(sigmix_jsonw *w, int v)
{
    pre_value(w);
    put(w, v ? "true" : "false", v ? 4 : 5);
    done(w);
}

void sigmix_jw_null(sigmix_jsonw *w)
{
    pre_value(w);
    put(w, "null", 4);
    done(w);
}

void sigmix_jw_raw(sigmix_jsonw *w, const char *s, size_t n)
{
    pre_value(w);
    put(w, s, n);
    done(w);
}
