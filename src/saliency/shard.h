/*
 * Shard files of a sharded saliency run (OUT.shard-K-of-N.jsonl): one
 * header line with the provenance, then one line per clip of the shard,
 * in key order. Ok lines have the resume journal's shape (hex floats, so
 * values round-trip bit for bit); failed lines carry the status and the
 * message, so a merge reports them exactly as one machine would.
 *
 *   {"sigmix_saliency_shard":1,"shard":K,"of":N,"clips":C,
 *    "input_sha256":"..","config_sha256":"..","model_sha256":"..","model_id":".."}
 *   {"key":"<64 hex>","mean":"<hex>","var":"<hex>","source":..,"width":W,"height":H}
 *   {"key":"<64 hex>","status":"decode-failed","message":"..","source":..,...}
 */
#ifndef SIGMIX_SALIENCY_SHARD_H
#define SIGMIX_SALIENCY_SHARD_H

#include <stddef.h>

#include "sigmix/saliency.h"

/** Bound on N, so names and counters stay small. */
#define SAL_MAX_SHARDS SIGMIX_SALIENCY_MAX_SHARDS

typedef struct sal_result {
    char   key[65];
    int    status;
    double mean, var;
    char  *msg;        /* failed: the message (owned); ok: NULL */
    int    shard;      /* the file it came from */
} sal_result;

struct sigmix_saliency_shard_set {
    sal_result *r;     /* sorted by key after sigmix_sal_shard_set_finish */
    size_t n, cap;
    unsigned char *seen; /* load_all: which of seen_n shards were read */
    int    seen_n;
};

typedef sigmix_saliency_shard_header sal_shard_header;

/** The header line (with '\n'); model_id is only for people. malloc'd or NULL. */
char *sigmix_sal_shard_header_line(const sal_shard_header *h, const char *model_id);
/** One clip line (with '\n'), ok or failed. malloc'd or NULL. */
char *sigmix_sal_shard_clip_line(const sigmix_saliency_clip *c);

/**
 * Parse a whole shard file held in buf: header into h, clip lines appended
 * to set (tagged h->k). Every line must have the exact shape written above
 * and the count must match the header. Returns 0 or SIGMIX_EFORMAT /
 * SIGMIX_ENOMEM with why filled ("line 3: ...").
 */
int  sigmix_sal_shard_parse(const char *buf, size_t len, sal_shard_header *h,
                            sigmix_saliency_shard_set *set, char *why, size_t whylen);
/** Sort by key. A key twice (two shards claim one clip) gives SIGMIX_EFORMAT,
 *  dup_a and dup_b get the two shards. */
int  sigmix_sal_shard_set_finish(sigmix_saliency_shard_set *set, int *dup_a, int *dup_b);
const sal_result *sigmix_sal_shard_find(const sigmix_saliency_shard_set *set, const char *key);
/** Release the contents; the struct itself stays (zeroed). */
void sigmix_sal_shard_set_free(sigmix_saliency_shard_set *set);

/**
 * SHA-256 (hex) of every setting that decides the output table (columns,
 * root, geometry defaults, model kind and id, frames, reducer, limits);
 * not jobs, progress or paths of outputs. The model file is hashed apart.
 */
void sigmix_sal_config_sha256(const sigmix_saliency_settings *s, char hex[65]);

/** Parse "K/N" (0 <= K < N <= SAL_MAX_SHARDS). 0 or -1. */
int  sigmix_sal_parse_shard(const char *text, int *k, int *n);

#endif
