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
#include <stdint.h>

#include "sigmix/saliency.h"

/** Bound on N, so names and counters stay small. */
#define SAL_MAX_SHARDS SIGMIX_SALIENCY_MAX_SHARDS

/* 64 bytes: a merge holds one per clip, and on a host where each fresh
 * page costs tens of microseconds the bytes touched are the cost. */
typedef struct sal_result {
    unsigned char key[32]; /* the clip key's SHA-256, binary (hex: 64 digits) */
    double mean, var;
    char  *msg;        /* failed: the message (owned); ok: NULL */
    int    shard;      /* the file it came from */
    int    status;
} sal_result;

struct sigmix_saliency_shard_set {
    sal_result *r;     /* sorted by key after sigmix_sal_shard_set_finish */
    size_t n, cap;
    unsigned char *seen; /* load_all: which of seen_n shards were read */
    int    seen_n;
    uint32_t *idx;     /* after finish, large sets: r[idx[b]..idx[b+1]) holds the
                          keys whose first 2 bytes are b (a merge looks up
                          every clip: one bucket instead of a bsearch of all) */
};

typedef sigmix_saliency_shard_header sal_shard_header;

/** The header line (with '\n'); model_id is only for people. malloc'd or NULL. */
char *sigmix_sal_shard_header_line(const sal_shard_header *h, const char *model_id);
/** One clip line (with '\n'), ok or failed. malloc'd or NULL. */
char *sigmix_sal_shard_clip_line(const sigmix_saliency_clip *c);

/** A result's key as 64 lowercase hex digits and a NUL. */
void sigmix_sal_shard_key_hex(const sal_result *r, char hex[65]);

/**
 * Line-by-line parsing, for a file read in pieces: begin, one call per
 * line (without its '\n'), then end with what followed the last newline.
 * Results and errors are exactly sigmix_sal_shard_parse's. After an error
 * the set is as before begin; after end succeeds it holds the clips.
 */
typedef struct sal_shard_parser {
    sal_shard_header *h;
    sigmix_saliency_shard_set *set;
    char  *why;
    size_t whylen, line, clips, first, fit;
} sal_shard_parser;

void sigmix_sal_shard_parse_begin(sal_shard_parser *ps, sal_shard_header *h,
                                  sigmix_saliency_shard_set *set, size_t file_size,
                                  char *why, size_t whylen);
/** 0, or SIGMIX_EFORMAT / SIGMIX_ENOMEM (the parse is over, set restored). */
int  sigmix_sal_shard_parse_line(sal_shard_parser *ps, const char *p, size_t len);
/** tail: bytes after the last newline (a cut file). 0 or an error as above. */
int  sigmix_sal_shard_parse_end(sal_shard_parser *ps, size_t tail);

/** A reusable read buffer for sigmix_sal_shard_read_file (zero it first). */
typedef struct sal_read_buf {
    char  *p;
    size_t cap;
    size_t chunk;      /* bytes per read; 0: 256 KiB (tests use tiny ones) */
} sal_read_buf;

/**
 * Read and parse one shard file piece by piece into part (its results
 * appended), never holding the whole file: a 150k-clip merge would touch
 * 35 MB more. Opened O_NOFOLLOW|O_NONBLOCK and checked to be a regular
 * file; exactly its size at open is read. Returns 0; SIGMIX_EIO with *eno
 * (the open's errno) or *io (static text: "not a regular file", "cannot
 * read it", "out of memory") set, which wins over a parse error in the
 * same file (as when whole files were read before parsing); or the
 * parse's code with why filled. On failure part is as before.
 */
int  sigmix_sal_shard_read_file(const char *path, sal_read_buf *b, sal_shard_header *h,
                                sigmix_saliency_shard_set *part, int *eno, const char **io,
                                char *why, size_t whylen);

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
/**
 * sigmix_sal_shard_set_finish over the union of parts (one per shard file,
 * each usually in key order already): their results move into dst, which
 * must be empty, by a k-way merge (no copy of the whole set is sorted).
 * Same order, same duplicate report. SIGMIX_ENOMEM: nothing moved.
 */
int  sigmix_sal_shard_set_merge(sigmix_saliency_shard_set *dst, sigmix_saliency_shard_set *parts,
                                size_t nparts, int *dup_a, int *dup_b);
/** Release the contents; the struct itself stays (zeroed). */
void sigmix_sal_shard_set_free(sigmix_saliency_shard_set *set);

/**
 * SHA-256 (hex) of every setting that decides the output table (columns,
 * root, geometry defaults, model kind and id, frames, reducer, limits);
 * not jobs, progress or paths of outputs. The model file is hashed apart.
 */
void sigmix_sal_config_sha256(const sigmix_saliency_settings *s, char hex[65]);

/**
 * The hex float text p[0..n) (no quotes) as strtod reads it: 0 with *out,
 * or -1 when strtod would not take all of it or gives a non-finite value.
 */
int  sigmix_sal_hexfloat(const char *p, size_t n, double *out);

/** Parse "K/N" (0 <= K < N <= SAL_MAX_SHARDS). 0 or -1. */
int  sigmix_sal_parse_shard(const char *text, int *k, int *n);

#endif
