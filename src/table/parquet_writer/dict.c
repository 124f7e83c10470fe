/* Dictionary building for the Parquet writer (RLE_DICTIONARY pages). */
#include <stdlib.h>
#include <string.h>

#include "table/parquet_writer/pqw.h"

void pqw_dict_free(pqw_dict *d)
{
    free(d->key);
    free(d->klen);
    free(d->slot);
    free(d->idx);
    memset(d, 0, sizeof *d);
}

static uint64_t hash_bytes(const uint8_t *p, size_t n)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a, then a final mix */
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211ull;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    return h ^ (h >> 33);
}

static int grow_slots(pqw_dict *d)
{
    size_t ns = d->nslot ? d->nslot * 2 : 1024;
    uint32_t *s = calloc(ns, sizeof *s);
    if (!s)
        return SIGMIX_ENOMEM;
    for (size_t e = 0; e < d->n; e++) {
        size_t h = hash_bytes(d->key[e], d->klen[e]) & (ns - 1);
        while (s[h])
            h = (h + 1) & (ns - 1);
        s[h] = (uint32_t)e + 1;
    }
    free(d->slot);
    d->slot = s;
    d->nslot = ns;
    return 0;
}

static int grow_entries(pqw_dict *d)
{
    size_t cap = d->cap ? d->cap * 2 : 256;
    const uint8_t **k = realloc(d->key, cap * sizeof *k);
    if (!k)
        return SIGMIX_ENOMEM;
    d->key = k;
    uint32_t *l = realloc(d->klen, cap * sizeof *l);
    if (!l)
        return SIGMIX_ENOMEM;
    d->klen = l;
    d->cap = cap;
    return 0;
}

/* Index of key p[0..n), adding it when new. Returns 0 or SIGMIX_ENOMEM. */
static int lookup(pqw_dict *d, const uint8_t *p, size_t n, uint32_t *out)
{
    if ((d->n + 1) * 2 > d->nslot && grow_slots(d))
        return SIGMIX_ENOMEM;
    size_t h = hash_bytes(p, n) & (d->nslot - 1);
    for (; d->slot[h]; h = (h + 1) & (d->nslot - 1)) {
        uint32_t e = d->slot[h] - 1;
        if (d->klen[e] == n && (!n || !memcmp(d->key[e], p, n))) {
            *out = e;
            return 0;
        }
    }
    if (d->n == d->cap && grow_entries(d))
        return SIGMIX_ENOMEM;
    d->key[d->n] = p;
    d->klen[d->n] = (uint32_t)n;
    d->slot[h] = (uint32_t)d->n + 1;
    *out = (uint32_t)d->n++;
    return 0;
}

int pqw_dict_build(pqw_dict *d, const sigmix_column *c, size_t r0, size_t r1,
                   size_t max_bytes)
{
    d->n = 0;
    d->nidx = 0;
    d->bytes = 0;
    if (d->nslot)
        memset(d->slot, 0, d->nslot * sizeof *d->slot);
    if (r1 - r0 > d->idxcap) {
        uint32_t *ix = realloc(d->idx, (r1 - r0) * sizeof *ix);
        if (!ix)
            return SIGMIX_ENOMEM;
        d->idx = ix;
        d->idxcap = r1 - r0;
    }
    int is_int = c->kind == SIGMIX_KIND_INT64;
    for (size_t r = r0; r < r1; r++) {
        if (!c->valid[r])
            continue;
        const uint8_t *p = is_int ? (const uint8_t *)&c->i64[r] : (const uint8_t *)c->str[r].ptr;
        size_t n = is_int ? 8 : c->str[r].len;
        if (n > max_bytes)
            return 0;
        size_t before = d->n;
        uint32_t e;
        if (lookup(d, p, n, &e))
            return SIGMIX_ENOMEM;
        if (d->n != before) {
            d->bytes += is_int ? 8 : 4 + n;
            if (d->bytes > max_bytes)
                return 0;
        }
        d->idx[d->nidx++] = e;
        /* Mostly distinct values never pay for a dictionary: stop early. */
        if (d->nidx == 8192 && d->n > d->nidx / 10 * 6)
            return 0;
    }
    return 1;
}
