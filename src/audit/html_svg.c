/*
 * Low-level pieces of the HTML report (html work). The heatmap is a PNG
 * (one pixel per cell, scaled up without smoothing) inside the SVG: a
 * rectangle per cell would cost ~60 bytes each, 15 MB for 500 columns.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit/html.h"
#include "sigmix/common.h"
#include "util/codecs.h"
#include "util/jsonw.h"

/* U+061C, U+200E/F, U+202A..E, U+2066..9: bidi controls that would reorder
 * the text around a name. Returns the code point or 0; *len its bytes. */
static unsigned bidi_mark(const unsigned char *p, size_t *len)
{
    unsigned cp = 0;
    if (p[0] == 0xD8 && p[1] == 0x9C) {
        *len = 2;
        return 0x061C;
    }
    if (p[0] == 0xE2 && p[1] == 0x80 && p[2] && (p[2] == 0x8E || p[2] == 0x8F ||
                                                 (p[2] >= 0xAA && p[2] <= 0xAE)))
        cp = 0x2000 + (p[2] - 0x80);
    else if (p[0] == 0xE2 && p[1] == 0x81 && p[2] >= 0xA6 && p[2] <= 0xA9)
        cp = 0x2040 + (p[2] - 0x80);
    *len = 3;
    return cp;
}

void sigmix_html_esc(FILE *f, const char *s, size_t max_bytes)
{
    if (!s) {
        fputs("(none)", f);
        return;
    }
    const unsigned char *p = (const unsigned char *)s, *start = p;
    for (; *p; p++) {
        if (max_bytes && (size_t)(p - start) >= max_bytes && (*p & 0xC0) != 0x80) {
            fputs("\xE2\x80\xA6", f); /* ellipsis, cut at a character boundary */
            return;
        }
        size_t len;
        unsigned cp;
        switch (*p) {
        case '&': fputs("&amp;", f); continue;
        case '<': fputs("&lt;", f); continue;
        case '>': fputs("&gt;", f); continue;
        case '"': fputs("&quot;", f); continue;
        case '\'': fputs("&#39;", f); continue;
        case '\n': fputs("\\n", f); continue;
        case '\r': fputs("\\r", f); continue;
        case '\t': fputs("\\t", f); continue;
        default: break;
        }
        if (*p < 0x20 || *p == 0x7f)
            fprintf(f, "\\x%02x", *p);
        else if ((*p == 0xD8 || *p == 0xE2) && p[1] && (cp = bidi_mark(p, &len))) {
            fprintf(f, "[U+%04X]", cp);
            p += len - 1;
        } else
            fputc(*p, f);
    }
}

void sigmix_html_num(FILE *f, double v)
{
    char buf[40];
    if (!isfinite(v)) {
        fputs("null", f);
        return;
    }
    sigmix_format_double(v, buf, sizeof buf);
    fputs(buf, f);
}

const char *sigmix_html_family_colour(size_t fam)
{
    static const char *const pal[] = { "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2",
                                       "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#1f5f8b",
                                       "#8cd17d", "#d4a6c8" };
    if (fam == SIZE_MAX)
        return "#9a9a9a";
    return pal[fam % (sizeof pal / sizeof *pal)];
}

/*
 * Diverging: red for positive, blue for negative. The intensity steps up
 * at the complement and redundancy thresholds, so the bands the report
 * talks about are visible as distinct shades.
 */
void sigmix_html_corr_rgb(double r, double red, double comp, unsigned char rgb[3])
{
    if (isnan(r)) {
        rgb[0] = rgb[1] = rgb[2] = 0xde;
        return;
    }
    static const double pos[3] = { 178, 24, 43 }, neg[3] = { 33, 102, 172 };
    double a = fabs(r), t;
    if (a >= red)
        t = 0.88 + 0.12 * (red < 1 ? (a - red) / (1 - red) : 1);
    else if (a > comp)
        t = 0.40 + 0.32 * (red > comp ? (a - comp) / (red - comp) : 1);
    else
        t = 0.24 * (comp > 0 ? a / comp : 1);
    const double *b = r >= 0 ? pos : neg;
    for (int k = 0; k < 3; k++)
        rgb[k] = (unsigned char)lround(255.0 * (1 - t) + b[k] * t);
}

void sigmix_html_ramp(double t, unsigned char rgb[3])
{
    static const unsigned char stop[5][3] = { { 68, 1, 84 }, { 59, 82, 139 }, { 33, 145, 140 },
                                              { 94, 201, 98 }, { 253, 231, 37 } };
    if (!(t >= 0))
        t = 0;
    if (t > 1)
        t = 1;
    double x = t * 4;
    int i = x >= 4 ? 3 : (int)x;
    double u = x - i;
    for (int k = 0; k < 3; k++)
        rgb[k] = (unsigned char)lround(stop[i][k] * (1 - u) + stop[i + 1][k] * u);
}

static void put32(unsigned char *b, uint32_t v)
{
    b[0] = (unsigned char)(v >> 24);
    b[1] = (unsigned char)(v >> 16);
    b[2] = (unsigned char)(v >> 8);
    b[3] = (unsigned char)v;
}

typedef struct b64 {
    FILE         *f;
    unsigned char in[3];
    int           n;
} b64;

static void b64_put(b64 *b, const unsigned char *p, size_t n)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i++) {
        b->in[b->n++] = p[i];
        if (b->n == 3) {
            char o[4] = { tab[b->in[0] >> 2], tab[((b->in[0] & 3) << 4) | (b->in[1] >> 4)],
                          tab[((b->in[1] & 15) << 2) | (b->in[2] >> 6)], tab[b->in[2] & 63] };
            fwrite(o, 1, 4, b->f);
            b->n = 0;
        }
    }
}

static void b64_end(b64 *b)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    if (!b->n)
        return;
    unsigned char i0 = b->in[0], i1 = b->n > 1 ? b->in[1] : 0;
    char o[4] = { tab[i0 >> 2], tab[((i0 & 3) << 4) | (i1 >> 4)],
                  b->n > 1 ? tab[(i1 & 15) << 2] : '=', '=' };
    fwrite(o, 1, 4, b->f);
    b->n = 0;
}

/* One PNG chunk: length, type, data, CRC of type + data. */
static void chunk(const sigmix_zlib_api *zl, b64 *b, const char *type, const unsigned char *data,
                  size_t n)
{
    unsigned char hdr[8];
    put32(hdr, (uint32_t)n);
    memcpy(hdr + 4, type, 4);
    b64_put(b, hdr, 8);
    if (n)
        b64_put(b, data, n);
    uLong crc = zl->crc32(0L, (const Bytef *)type, 4);
    if (n)
        crc = zl->crc32(crc, data, (uInt)n);
    unsigned char c[4];
    put32(c, (uint32_t)crc);
    b64_put(b, c, 4);
}

int sigmix_html_png_uri(FILE *f, const unsigned char *rgb, size_t w, size_t h)
{
    if (!w || !h || w > 1u << 20 || h > 1u << 20)
        return SIGMIX_EINVAL;
    const sigmix_zlib_api *zl = sigmix_zlib(NULL);
    if (!zl)
        return SIGMIX_EUNSUPPORTED;
    size_t stride = w * 3 + 1, raw_n = stride * h;
    unsigned char *raw = malloc(raw_n);
    uLongf zn = zl->compressBound((uLong)raw_n);
    unsigned char *z = malloc(zn);
    if (!raw || !z) {
        free(raw);
        free(z);
        return SIGMIX_ENOMEM;
    }
    for (size_t y = 0; y < h; y++) {
        raw[y * stride] = 0; /* filter: none */
        memcpy(raw + y * stride + 1, rgb + y * w * 3, w * 3);
    }
    int zr = zl->compress2(z, &zn, raw, (uLong)raw_n, 9);
    free(raw);
    if (zr != Z_OK) {
        free(z);
        return SIGMIX_ENOMEM;
    }
    fputs("data:image/png;base64,", f);
    b64 b = { f, { 0 }, 0 };
    static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
    b64_put(&b, sig, 8);
    unsigned char ihdr[13];
    put32(ihdr, (uint32_t)w);
    put32(ihdr + 4, (uint32_t)h);
    ihdr[8] = 8;  /* bit depth */
    ihdr[9] = 2;  /* truecolour */
    ihdr[10] = ihdr[11] = ihdr[12] = 0;
    chunk(zl, &b, "IHDR", ihdr, 13);
    chunk(zl, &b, "IDAT", z, zn);
    chunk(zl, &b, "IEND", NULL, 0);
    free(z);
    b64_end(&b);
    return 0;
}
