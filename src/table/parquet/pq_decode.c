/* Type-independent Parquet decoders (see pq_decode.h). */
#include <stdlib.h>
#include <string.h>

#include "table/parquet/pq_decode.h"

/* Little-endian load of up to 8 bytes that may run past the end of buf. */
static uint64_t load_le(const uint8_t *buf, size_t len, size_t at)
{
    uint64_t v = 0;
    if (at + 8 <= len) {
        memcpy(&v, buf + at, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        v = __builtin_bswap64(v);
#endif
        return v;
    }
    for (size_t i = 0; at + i < len && i < 8; i++)
        v |= (uint64_t)buf[at + i] << (8 * i);
    return v;
}

int sigmix_pq_unpack64(const uint8_t *buf, size_t len, uint64_t first, size_t n,
                       int bw, uint64_t *out)
{
    if (bw == 0) {
        memset(out, 0, n * sizeof *out);
        return 0;
    }
    if (bw < 0 || bw > 64)
        return -1;
    uint64_t last_bit = (first + n) * (uint64_t)bw;
    if (n && (last_bit + 7) / 8 > len)
        return -1;
    uint64_t mask = bw == 64 ? ~(uint64_t)0 : (((uint64_t)1 << bw) - 1);
    uint64_t bit = first * (uint64_t)bw;
    for (size_t i = 0; i < n; i++, bit += (uint64_t)bw) {
        size_t at = (size_t)(bit >> 3);
        unsigned sh = (unsigned)(bit & 7);
        uint64_t v = load_le(buf, len, at) >> sh;
        if (sh + (unsigned)bw > 64)
            v |= (uint64_t)buf[at + 8] << (64 - sh);
        out[i] = v & mask;
    }
    return 0;
}

/* 32-bit unpack for levels and dictionary indices (bw <= 32). */
static int unpack32(const uint8_t *buf, size_t len, uint64_t first, size_t n,
                    int bw, uint32_t *out)
{
    if (bw == 0) {
        memset(out, 0, n * sizeof *out);
        return 0;
    }
    if ((first + n) * (uint64_t)bw > (uint64_t)len * 8)
        return -1;
    uint32_t mask = bw == 32 ? 0xffffffffu : ((1u << bw) - 1);
    uint64_t bit = first * (uint64_t)bw;
    size_t i = 0;
    if (bw == 1 && !(bit & 7)) { /* booleans and flat def levels: byte at a time */
        const uint8_t *p = buf + (bit >> 3);
        for (; i + 8 <= n; i += 8, p++)
            for (int k = 0; k < 8; k++)
                out[i + k] = (*p >> k) & 1;
        bit += i;
    }
    for (; i < n; i++, bit += (uint64_t)bw)
        out[i] = (uint32_t)(load_le(buf, len, (size_t)(bit >> 3)) >> (bit & 7)) & mask;
    return 0;
}

static int uvarint(const uint8_t **pp, const uint8_t *end, uint64_t *v)
{
    const uint8_t *p = *pp;
    uint64_t r = 0;
    for (int shift = 0; shift < 64 && p < end; shift += 7) {
        uint8_t b = *p++;
        r |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *pp = p;
            *v = r;
            return 0;
        }
    }
    return -1;
}

void sigmix_pq_rle_init(pq_rle *r, const uint8_t *p, size_t n, int bw)
{
    memset(r, 0, sizeof *r);
    r->p = p;
    r->end = p + n;
    r->bw = bw;
}

/* Start the next run. */
static int rle_next(pq_rle *r)
{
    uint64_t h;
    if (uvarint(&r->p, r->end, &h))
        return -1;
    if (h & 1) {
        uint64_t groups = h >> 1;
        uint64_t bytes = groups * (uint64_t)r->bw;
        size_t avail = (size_t)(r->end - r->p);
        /* A final run may be cut short: keep the whole values present. */
        if (bytes > avail)
            bytes = avail;
        uint64_t vals = r->bw ? bytes * 8 / (uint64_t)r->bw : groups * 8;
        if (vals > groups * 8)
            vals = groups * 8;
        if (vals == 0 || vals > UINT32_MAX)
            return -1;
        r->packed = 1;
        r->bp = r->p;
        r->bp_bytes = (size_t)bytes;
        r->bp_index = 0;
        r->left = (uint32_t)vals;
        r->p += bytes;
    } else {
        uint64_t count = h >> 1;
        size_t nb = ((size_t)r->bw + 7) / 8;
        if (count == 0 || count > UINT32_MAX || (size_t)(r->end - r->p) < nb)
            return -1;
        uint32_t v = 0;
        for (size_t i = 0; i < nb; i++)
            v |= (uint32_t)r->p[i] << (8 * i);
        r->p += nb;
        if (r->bw < 32 && (v >> r->bw))
            return -1;
        r->packed = 0;
        r->value = v;
        r->left = (uint32_t)count;
    }
    return 0;
}

int sigmix_pq_rle_get(pq_rle *r, uint32_t *out, size_t n)
{
    if (r->bw < 0 || r->bw > 32)
        return -1;
    while (n) {
        if (!r->left && rle_next(r))
            return -1;
        size_t k = n < r->left ? n : r->left;
        if (r->packed) {
            if (unpack32(r->bp, r->bp_bytes, r->bp_index, k, r->bw, out))
                return -1;
            r->bp_index += k;
        } else {
            for (size_t i = 0; i < k; i++)
                out[i] = r->value;
        }
        r->left -= (uint32_t)k;
        out += k;
        n -= k;
    }
    return 0;
}

int64_t sigmix_pq_delta_count(const uint8_t *p, size_t n)
{
    const uint8_t *end = p + n;
    uint64_t bs, mb, total;
    if (uvarint(&p, end, &bs) || uvarint(&p, end, &mb) || uvarint(&p, end, &total) ||
        total > INT64_MAX)
        return -1;
    return (int64_t)total;
}

int sigmix_pq_delta_binary(const uint8_t *p, size_t n, int64_t *out, size_t max,
                           size_t *count, size_t *used, int is32)
{
    const uint8_t *start = p, *end = p + n;
    uint64_t block, nmini, total, zfirst;
    if (uvarint(&p, end, &block) || uvarint(&p, end, &nmini) ||
        uvarint(&p, end, &total) || uvarint(&p, end, &zfirst))
        return -1;
    if (block == 0 || block % 128 || block > (1u << 20) || nmini == 0 ||
        block % nmini || (block / nmini) % 32 || total > max)
        return -1;
    size_t per_mini = (size_t)(block / nmini);
    uint64_t value = (zfirst >> 1) ^ -(zfirst & 1);
    size_t got = 0;
    uint64_t tmp[256];
    if (total)
        out[got++] = is32 ? (int64_t)(int32_t)value : (int64_t)value;
    while (got < total) {
        uint64_t zmin;
        if (uvarint(&p, end, &zmin) || (uint64_t)(end - p) < nmini)
            return -1;
        uint64_t min_delta = (zmin >> 1) ^ -(zmin & 1);
        const uint8_t *widths = p;
        p += nmini;
        for (size_t m = 0; m < nmini && got < total; m++) {
            int bw = widths[m];
            if (bw > 64)
                return -1;
            size_t bytes = per_mini * (size_t)bw / 8;
            if ((size_t)(end - p) < bytes)
                return -1;
            size_t want = total - got < per_mini ? (size_t)(total - got) : per_mini;
            for (size_t i = 0; i < want; i += 256) {
                size_t k = want - i < 256 ? want - i : 256;
                if (sigmix_pq_unpack64(p, bytes, i, k, bw, tmp))
                    return -1;
                for (size_t j = 0; j < k; j++) {
                    value += min_delta + tmp[j]; /* wraps, as the spec says */
                    out[got++] = is32 ? (int64_t)(int32_t)(uint32_t)value : (int64_t)value;
                }
            }
            p += bytes;
        }
    }
    *count = (size_t)total;
    *used = (size_t)(p - start);
    return 0;
}

/* Lengths are DELTA_BINARY_PACKED int32 values, each >= 0. */
static long lengths(const uint8_t *p, size_t n, size_t max, int64_t **lens, size_t *used)
{
    int64_t c = sigmix_pq_delta_count(p, n);
    if (c < 0 || (uint64_t)c > max)
        return -1;
    *lens = malloc((size_t)(c ? c : 1) * sizeof **lens);
    if (!*lens)
        return -1;
    size_t count;
    if (sigmix_pq_delta_binary(p, n, *lens, (size_t)c, &count, used, 1)) {
        free(*lens);
        *lens = NULL;
        return -1;
    }
    for (size_t i = 0; i < count; i++)
        if ((*lens)[i] < 0) {
            free(*lens);
            *lens = NULL;
            return -1;
        }
    return (long)count;
}

long sigmix_pq_delta_length(const uint8_t *p, size_t n, pq_span *out, size_t max)
{
    int64_t *lens;
    size_t used;
    long c = lengths(p, n, max, &lens, &used);
    if (c < 0)
        return -1;
    size_t off = used;
    for (long i = 0; i < c; i++) {
        if ((uint64_t)lens[i] > n - off) {
            free(lens);
            return -1;
        }
        out[i] = (pq_span){ off, (size_t)lens[i] };
        off += (size_t)lens[i];
    }
    free(lens);
    return c;
}

long sigmix_pq_delta_byte_array(const uint8_t *p, size_t n, pq_span *out, size_t max,
                                uint8_t **buf, size_t *cap, size_t limit)
{
    int64_t *pre = NULL, *suf = NULL;
    size_t u1, u2;
    long c = lengths(p, n, max, &pre, &u1), c2 = -1;
    if (c >= 0)
        c2 = lengths(p + u1, n - u1, max, &suf, &u2);
    long result = -1;
    if (c < 0 || c2 != c)
        goto done;
    size_t src = u1 + u2, len = 0, prev_off = 0, prev_len = 0;
    for (long i = 0; i < c; i++) {
        size_t pl = (size_t)pre[i], sl = (size_t)suf[i];
        if (pl > prev_len || sl > n - src || pl + sl > limit - len)
            goto done;
        if (len + pl + sl > *cap) {
            size_t nc = *cap ? *cap : 256;
            while (nc < len + pl + sl)
                nc = nc > limit / 2 ? limit : nc * 2;
            uint8_t *b = realloc(*buf, nc);
            if (!b)
                goto done;
            *buf = b;
            *cap = nc;
        }
        /* An empty value may come before any buffer exists: touch the
         * buffer only for bytes (NULL + 0 and memmove(NULL) are UB). */
        if (pl)
            memmove(*buf + len, *buf + prev_off, pl);
        if (sl)
            memcpy(*buf + len + pl, p + src, sl);
        src += sl;
        out[i] = (pq_span){ len, pl + sl };
        prev_off = len;
        prev_len = pl + sl;
        len += pl + sl;
    }
    result = c;
done:
    free(pre);
    free(suf);
    return result;
}

void sigmix_pq_bss(const uint8_t *src, size_t n, size_t w, uint8_t *dst)
{
    for (size_t b = 0; b < w; b++) {
        const uint8_t *s = src + b * n;
        for (size_t i = 0; i < n; i++)
            dst[i * w + b] = s[i];
    }
}
