/* Shared internals of the joins: key text, a text-keyed hash map and the
 * score-file parser. Not part of the public API. */
#ifndef SIGMIX_JOIN_INTERNAL_H
#define SIGMIX_JOIN_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "sigmix/join.h"
#include "sigmix/table.h"
#include "util/arena.h"
#include "util/prefault.h"

/* ---- keys (keys.c) ---- */

/**
 * Text of a table cell as Python's str() renders the value; 0 for null
 * (or NaN). Numbers are rendered into buf (>= 48 bytes).
 */
int  sigmix_join_cell_text(const sigmix_column *c, size_t row, char *buf,
                           const char **s, size_t *len);

/**
 * Normalize key text in place (the result is a substring of s): strip
 * whitespace, then raw/basename/stem. In AUTO mode the column name picks
 * basename when it contains "path", "file", "name" (or "src" when
 * src_counts).
 */
void sigmix_join_normalize(const char **s, size_t *len, sigmix_key_mode mode,
                           const char *column, int src_counts);

/** Strip Python-whitespace from both ends (in place). */
void sigmix_join_strip(const char **s, size_t *len);
/* sigmix_join_split_spec that reports a failed label copy (SIGMIX_ENOMEM). */
int sigmix_join_split_label(const char *spec, char **label, const char **path);

/** Column slug: lower-case, runs of non [a-z0-9] -> '_', trimmed. "" when none. */
char *sigmix_join_slug(const char *s);

/** Python repr() of text for messages: 'abc' with escapes. Returns malloc'd. */
char *sigmix_join_repr(const char *s, size_t len);


/** Decode a JSON string literal (with quotes) into malloc'd UTF-8. */
char *sigmix_join_json_unquote(const char *s, size_t len, size_t *outlen);

/* ---- text-keyed hash map (keys.c) ---- */

/* Slots hold 32 bits of hash and an entry number, so a 150,000-key map
 * probes 8-byte slots that stay in cache; key bytes are compared only on
 * a hash match. */
typedef struct sigmix_kmap {
    struct kslot { uint32_t h, e; } *slot;   /* e: entry + 1; 0 = empty */
    struct kent { const char *k; size_t len; size_t val; } *ent;
    size_t n, cap, entcap;
} sigmix_kmap;

uint64_t sigmix_join_hash(const char *s, size_t len);
/** Find key; 1 and *val when present. */
int  sigmix_kmap_get(const sigmix_kmap *m, const char *k, size_t len, size_t *val);
/** The same with the key's sigmix_join_hash given, for keys looked up in
 *  several maps (one per competitor). */
int  sigmix_kmap_get_h(const sigmix_kmap *m, const char *k, size_t len, uint64_t h, size_t *val);
/** Insert (the key bytes must outlive the map); 1 if it was already there
 *  (then *val holds the existing value), 0 inserted, <0 OOM. */
int  sigmix_kmap_put(sigmix_kmap *m, const char *k, size_t len, size_t *val);
/** The same with the key's sigmix_join_hash given. */
int  sigmix_kmap_put_h(sigmix_kmap *m, const char *k, size_t len, uint64_t h, size_t *val);
/** Hint that key hash h is looked up soon: stage 0 fetches its slot,
 *  stage 1 (slot cached by then) the entry of the slot's first key,
 *  stage 2 (entry cached) that key's bytes. Only speed depends on it. */
static inline void sigmix_kmap_prefetch(const sigmix_kmap *m, uint64_t h, int stage)
{
    if (!m->cap)
        return;
    const struct kslot *sl = &m->slot[h & (m->cap - 1)];
    if (stage == 0) {
        __builtin_prefetch(sl);
        return;
    }
    if (!sl->e)
        return;
    const struct kent *e = &m->ent[sl->e - 1];
    if (stage == 1)
        __builtin_prefetch(e);
    else
        __builtin_prefetch(e->k);
}
/** Make room for n more keys without rehashing. */
int  sigmix_kmap_reserve(sigmix_kmap *m, size_t n);
void sigmix_kmap_free(sigmix_kmap *m);

/* ---- score files (scores.c) ---- */

enum { SIGMIX_SCORE_OK = 0, SIGMIX_SCORE_BAD = 1 };

typedef struct sigmix_score_rec {
    const char *competitor; /* arena */
    const char *key;        /* arena */
    size_t      key_len;
    double      score;
    double      runtime_ms; /* NaN when absent */
    int64_t     frames;     /* frames averaged, 0 when a scalar score was used */
    int         status;
    size_t      where;      /* line (JSONL, 1-based) or rows index (JSON) */
} sigmix_score_rec;

typedef struct sigmix_score_file {
    sigmix_arena      arena;
    sigmix_score_rec *rec;
    size_t            n, cap;
    int               jsonl;
    char              sha256[65]; /* of the bytes read (sigmix_score_load), for provenance */
    uint64_t          size;
} sigmix_score_file;

typedef struct sigmix_score_opts {
    const char     *hint;            /* LABEL of LABEL=FILE, or NULL */
    const char     *score_key_field; /* NULL: candidates */
    const char     *score_field;
    sigmix_key_mode key_normalize;
    int             hash;            /* fill sigmix_score_file.sha256 */
} sigmix_score_opts;

/**
 * Parse a score file's bytes (buf[0..len), readable to len + 64) into
 * records. jsonl selects line mode. err's message has no path.
 */
int  sigmix_score_parse(const char *buf, size_t len, int jsonl, const sigmix_score_opts *o,
                        sigmix_score_file *out, sigmix_error *err);
/** Read path (by extension .jsonl/.ndjson/.json) and parse it. */
int  sigmix_score_load(const char *path, const sigmix_score_opts *o, sigmix_score_file *out,
                       sigmix_error *err);
/** The same, JSON Lines read chunk bytes at a time (0: the default 256 KiB;
 *  tests make it tiny to put line ends at every chunk boundary). */
int  sigmix_score_load_chunked(const char *path, const sigmix_score_opts *o, size_t chunk,
                               sigmix_score_file *out, sigmix_error *err);
void sigmix_score_file_free(sigmix_score_file *f);

/* ---- parsed JSON objects (scores.c) ---- */

/* One parsed object: its fields in order, keys and strings in buf.
 * type is a sigmix_sj_type; nested values are minified JSON text. */
typedef struct jfield {
    size_t  koff, klen;
    signed char cand[3]; /* index in the key/score/runtime candidate lists, or -1 */
    int     type;
    int64_t i;
    double  d;
    size_t  soff, slen;
} jfield;

typedef struct jobj {
    jfield *f;
    size_t  n, cap;
    char   *buf;
    size_t  blen, bcap;
    int     oom;
    const char *limit; /* end of the readable bytes being parsed */
    /* The candidate lists' verdict on the last key seen at each of the
     * first field positions: rows of a file repeat their keys in one
     * order, so a key is classified once per file rather than once per
     * row. len1 is the key's length + 1 (0: nothing stored). Zeroed with
     * the rest. */
    struct jmemo { char key[23]; unsigned char len1; signed char cand[3]; } memo[8];
} jobj;

#define SIGMIX_JKEY(o, fl) ((o)->buf + (fl)->koff)
#define SIGMIX_JSTR(o, fl) ((o)->buf + (fl)->soff)

struct sigmix_sj;
/** Parse s[0..n) (no padding needed) as one object; a sigmix_sj_status. */
int  sigmix_jobj_parse(struct sigmix_sj *sj, jobj *o, const char *s, size_t n, const char **found);
/** Field named exactly name (the last duplicate), or NULL. */
const jfield *sigmix_jobj_get(const jobj *o, const char *name);
void sigmix_jobj_free(jobj *o);
/** Element spans of a validated JSON array's text (malloc'd arrays). */
int  sigmix_join_split_array(const char *s, size_t n, size_t **off, size_t **len, size_t *count);

/* ---- shared input and output steps (common.c) ---- */

/** Read the input table at path (threads as sigmix_read_options). With
 *  prov, record it as inputs.NAME: hashed from the bytes this read takes,
 *  pushed onto a list input when list is set, and its rows under index.
 *  Errors are "PATH: message". */
struct sigmix_runprov;
int  sigmix_join_read_input(const char *path, int threads, struct sigmix_runprov *prov,
                            const char *name, int list, size_t index, sigmix_table **out,
                            sigmix_error *err);

/** Drop the rows whose keep[r] is 0 (in place, order kept). */
int  sigmix_join_compact(sigmix_table *t, const uint8_t *keep, sigmix_error *err);

/**
 * Index of a column `name` of `kind` to fill: appended when absent; when
 * present (overwrite allowed) its values are replaced, converted or, if
 * the kind cannot be converted, the column is rebuilt at the end.
 * *t may be replaced. Returns 0 or a negative code.
 */
int  sigmix_join_target(sigmix_table **t, const char *name, sigmix_kind kind, size_t *index);

/** Write table and audit JSON: nothing is left behind when either fails.
 *  On failure err names the failing path. */
struct sigmix_jdoc;
struct sigmix_jv;
int  sigmix_join_write(const sigmix_table *t, const char *out, int threads,
                       const struct sigmix_jdoc *d, const struct sigmix_jv *audit,
                       const char *audit_path, sigmix_error *err);

#endif
