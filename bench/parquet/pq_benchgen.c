/*
 * Benchmark input generator (bench only): writes a feature-table-shaped
 * Parquet file the way pandas/pyarrow lays it out - one row group, data
 * page v1 of about 1 MiB, PLAIN values, RLE definition levels for the
 * nullable column - with the codec given. 4 string columns, the rest
 * doubles (one of them half null), deterministic pseudo-random values.
 * Usage: pq_benchgen OUT ROWS COLS CODEC(none|snappy|gzip|zstd|lz4|brotli)
 */
#include <brotli/encode.h>
#include <lz4.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../tests/parquet/pq_build.h"

enum { PAGE_BYTES = 1 << 20 };

typedef struct chunk_info {
    int64_t offset, comp, uncomp, values;
} chunk_info;

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next_u64(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static uint8_t *compress_any(int codec, const uint8_t *p, size_t n, size_t *out)
{
    if (codec == 0) {
        uint8_t *o = malloc(n + 1);
        memcpy(o, p, n);
        *out = n;
        return o;
    }
    if (codec == 7) {
        int cap = LZ4_compressBound((int)n);
        uint8_t *o = malloc((size_t)cap);
        *out = (size_t)LZ4_compress_default((const char *)p, (char *)o, (int)n, cap);
        return o;
    }
    if (codec == 4) {
        size_t cap = BrotliEncoderMaxCompressedSize(n);
        uint8_t *o = malloc(cap);
        *out = cap;
        BrotliEncoderCompress(5, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC, n, p, out, o);
        return o;
    }
    return pb_compress(codec, p, n, out);
}

/* Write one page (header + body) to f; track sizes in ci. */
static void write_page(FILE *f, int codec, const uint8_t *raw, size_t n, int nvals,
                       chunk_info *ci)
{
    size_t cn;
    uint8_t *c = compress_any(codec, raw, n, &cn);
    tw h = { 0 };
    tw_i32(&h, 1, 0);
    tw_i32(&h, 2, (int64_t)n);
    tw_i32(&h, 3, (int64_t)cn);
    tw_begin(&h, 5);
    tw_i32(&h, 1, nvals);
    tw_i32(&h, 2, 0);
    tw_i32(&h, 3, 3);
    tw_i32(&h, 4, 3);
    tw_end(&h);
    tw_byte(&h, 0);
    fwrite(h.p, 1, h.n, f);
    fwrite(c, 1, cn, f);
    ci->comp += (int64_t)(h.n + cn);
    ci->uncomp += (int64_t)(h.n + n);
    free(h.p);
    free(c);
}

static const char *col_name(size_t c, char *buf)
{
    static const char *strs[] = { "src", "src_sha256", "split", "codec" };
    if (c < 4)
        return strs[c];
    if (c == 4)
        return "lpips_partial";
    if (c == 5)
        return "mos";
    sprintf(buf, "feature_%03zu", c - 6);
    return buf;
}

/* Text value of string column c at row r. */
static size_t string_value(size_t c, size_t r, char *buf)
{
    static const char *splits[] = { "train", "val", "test" };
    static const char *codecs[] = { "libx264", "libx265", "libsvtav1", "libvpx-vp9" };
    if (c == 0)
        return (size_t)sprintf(buf, "clips/clip_%06zu.mp4", r);
    if (c == 1)
        return (size_t)sprintf(buf, "%016llx%016llx", (unsigned long long)next_u64(),
                               (unsigned long long)next_u64());
    if (c == 2)
        return (size_t)sprintf(buf, "%s", splits[r % 3]);
    return (size_t)sprintf(buf, "%s", codecs[(r / 3) % 4]);
}

static void write_column(FILE *f, int codec, size_t c, size_t rows, chunk_info *ci)
{
    uint8_t *page = malloc(PAGE_BYTES + 4096);
    size_t r = 0;
    while (r < rows) {
        size_t n = 0, start = r;
        int nvals = 0;
        if (c < 4) {
            while (r < rows && n < PAGE_BYTES) {
                char s[80];
                uint32_t len = (uint32_t)string_value(c, r, s);
                memcpy(page + n, &len, 4);
                memcpy(page + n + 4, s, len);
                n += 4 + len;
                r++;
            }
        } else if (c == 4) { /* half null: defs bit-packed, then present values */
            size_t cnt = rows - r < 65536 ? rows - r : 65536;
            size_t groups = (cnt + 7) / 8, dl;
            uint8_t *d = page + 4;
            size_t hn = 0;
            uint64_t hdr = (uint64_t)groups << 1 | 1;
            while (hdr >= 0x80) {
                d[hn++] = (uint8_t)(hdr | 0x80);
                hdr >>= 7;
            }
            d[hn++] = (uint8_t)hdr;
            dl = hn + groups;
            memset(d + hn, 0, groups);
            uint8_t *v = page + 4 + dl;
            size_t nv = 0;
            for (size_t i = 0; i < cnt; i++)
                if (next_u64() & 1) {
                    d[hn + i / 8] |= (uint8_t)(1u << (i % 8));
                    double x = (double)(next_u64() >> 11) / 9007199254740992.0 - 0.5;
                    memcpy(v + 8 * nv++, &x, 8);
                }
            uint32_t l32 = (uint32_t)dl;
            memcpy(page, &l32, 4);
            n = 4 + dl + 8 * nv;
            r += cnt;
        } else {
            size_t cnt = rows - r < PAGE_BYTES / 8 ? rows - r : PAGE_BYTES / 8;
            for (size_t i = 0; i < cnt; i++) {
                double x = (double)(next_u64() >> 11) / 9007199254740992.0 * (double)(c % 7 + 1);
                memcpy(page + 8 * i, &x, 8);
            }
            n = 8 * cnt;
            r += cnt;
        }
        nvals = (int)(r - start);
        write_page(f, codec, page, n, nvals, ci);
    }
    ci->values = (int64_t)rows;
    free(page);
}

int main(int argc, char **argv)
{
    if (argc != 5)
        return 2;
    size_t rows = strtoul(argv[2], NULL, 10), cols = strtoul(argv[3], NULL, 10);
    const char *cn = argv[4];
    int codec = !strcmp(cn, "snappy") ? 1 : !strcmp(cn, "gzip") ? 2 : !strcmp(cn, "zstd") ? 6 :
                !strcmp(cn, "lz4") ? 7 : !strcmp(cn, "brotli") ? 4 : 0;
    FILE *f = fopen(argv[1], "wb");
    if (!f || cols < 6)
        return 1;
    chunk_info *ci = calloc(cols, sizeof *ci);
    fwrite("PAR1", 1, 4, f);
    for (size_t c = 0; c < cols; c++) {
        ci[c].offset = ftell(f);
        write_column(f, codec, c, rows, &ci[c]);
    }
    tw m = { 0 };
    char nb[32];
    tw_i32(&m, 1, 1);
    tw_list(&m, 2, 12, cols + 1);
    tw_begin(&m, 0);
    tw_bin(&m, 4, "schema");
    tw_i32(&m, 5, (int64_t)cols);
    tw_end(&m);
    for (size_t c = 0; c < cols; c++) {
        tw_begin(&m, 0);
        tw_i32(&m, 1, c < 4 ? 6 : 5);
        tw_i32(&m, 3, c == 4 ? 1 : 0);
        tw_bin(&m, 4, col_name(c, nb));
        if (c < 4)
            tw_i32(&m, 6, 0);
        tw_end(&m);
    }
    tw_i64(&m, 3, (int64_t)rows);
    tw_list(&m, 4, 12, 1);
    tw_begin(&m, 0);
    tw_list(&m, 1, 12, cols);
    int64_t total = 0;
    for (size_t c = 0; c < cols; c++) {
        tw_begin(&m, 0);
        tw_i64(&m, 2, ci[c].offset);
        tw_begin(&m, 3);
        tw_i32(&m, 1, c < 4 ? 6 : 5);
        tw_list(&m, 2, 5, 2);
        tw_zz(&m, 0);
        tw_zz(&m, 3);
        tw_list(&m, 3, 8, 1);
        const char *name = col_name(c, nb);
        tw_varint(&m, strlen(name));
        tw_bytes(&m, name, strlen(name));
        tw_i32(&m, 4, codec);
        tw_i64(&m, 5, ci[c].values);
        tw_i64(&m, 6, ci[c].uncomp);
        tw_i64(&m, 7, ci[c].comp);
        tw_i64(&m, 9, ci[c].offset);
        tw_end(&m);
        tw_end(&m);
        total += ci[c].uncomp;
    }
    tw_i64(&m, 2, total);
    tw_i64(&m, 3, (int64_t)rows);
    tw_end(&m);
    tw_byte(&m, 0);
    fwrite(m.p, 1, m.n, f);
    uint32_t len = (uint32_t)m.n;
    fwrite(&len, 4, 1, f);
    fwrite("PAR1", 1, 4, f);
    free(m.p);
    free(ci);
    return fclose(f) ? 1 : 0;
}
