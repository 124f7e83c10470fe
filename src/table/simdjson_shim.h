/*
 * The only C++ in sigmix: a small extern "C" bridge to simdjson's
 * On-Demand parser. It walks ONE JSON row object and reports each field to
 * C callbacks; all table building happens in C (colbuild.c, json_read.c).
 */
#ifndef SIGMIX_TABLE_SIMDJSON_SHIM_H
#define SIGMIX_TABLE_SIMDJSON_SHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Bytes that must be readable after a row's last byte (simdjson padding). */
#define SIGMIX_SJ_PADDING 64
/** Deepest nesting accepted inside a row (the row object is level 1). */
#define SIGMIX_SJ_MAX_DEPTH 64

typedef enum sigmix_sj_type {
    SIGMIX_SJ_NULL = 0,
    SIGMIX_SJ_DOUBLE,  /* d */
    SIGMIX_SJ_INT,     /* i (exact) and d */
    SIGMIX_SJ_BOOL,    /* i: 0 or 1 */
    SIGMIX_SJ_STRING,  /* s, len: unescaped UTF-8 */
    SIGMIX_SJ_NESTED,  /* s, len: minified JSON text of an object or array */
} sigmix_sj_type;

typedef struct sigmix_sj_value {
    sigmix_sj_type type;
    int64_t        i;
    double         d;
    const char    *s;   /* valid until the callback returns */
    size_t         len;
} sigmix_sj_value;

/** Result codes of sigmix_sj_parse_row (0 = success). */
typedef enum sigmix_sj_status {
    SIGMIX_SJ_OK = 0,
    SIGMIX_SJ_NOT_OBJECT,   /* the row is some other JSON value: found_type says which */
    SIGMIX_SJ_UNTERMINATED, /* unterminated string */
    SIGMIX_SJ_BAD_UTF8,
    SIGMIX_SJ_TOO_DEEP,
    SIGMIX_SJ_TRUNCATED,    /* object or array not closed */
    SIGMIX_SJ_TRAILING,     /* more text after the row object */
    SIGMIX_SJ_BAD_NUMBER,
    SIGMIX_SJ_BAD_STRING,   /* bad escape */
    SIGMIX_SJ_BAD_TOKEN,    /* unexpected character / literal */
    SIGMIX_SJ_CALLBACK,     /* a callback returned an error */
    SIGMIX_SJ_NOMEM,
    SIGMIX_SJ_EMPTY,
} sigmix_sj_status;

/**
 * Called with each key. First with len == SIGMIX_SJ_RAW_KEY and key
 * pointing just after the key's opening quote in the row (escaped, length
 * not computed): the callback may recognise it (a key never contains an
 * unescaped '"'), or return SIGMIX_SJ_NEED_KEY to be called again with
 * the unescaped key and its length. Return a column handle >= 0 to
 * receive the value, -1 to skip the value unparsed, or -2 to stop with
 * SIGMIX_SJ_CALLBACK.
 */
#define SIGMIX_SJ_RAW_KEY ((size_t)-1)
#define SIGMIX_SJ_NEED_KEY (-3L)
typedef long (*sigmix_sj_key_fn)(void *ctx, const char *key, size_t len);
/** Called with the value for a handle; return 0, or nonzero to stop. */
typedef int (*sigmix_sj_value_fn)(void *ctx, long handle, const sigmix_sj_value *v);

typedef struct sigmix_sj sigmix_sj; /* one parser; use from one thread at a time */

sigmix_sj *sigmix_sj_new(void);
void       sigmix_sj_free(sigmix_sj *p);

/*
 * A row sink (the table readers): rows usually repeat the previous row's
 * keys in order, so the parser itself compares each raw key with the
 * predicted column's name and, for a number, boolean or null, stores the
 * value straight into the column builder's segment, calling back only
 * for other keys (on_key then gets the unescaped key, never
 * SIGMIX_SJ_RAW_KEY) and for text values. on_key must keep pred, npred
 * and field up to date: field is the position of the key looked up, and
 * the key's handle is a column index of seg (-1: skip the value).
 */
struct sigmix_cb_seg;
typedef struct sigmix_sj_sink {
    struct sigmix_cb_seg *seg;
    const long           *pred;   /* column by field position, from the last row */
    size_t                npred;
    size_t                field;  /* fields of this row looked up so far */
    const char           *limit;  /* end of the readable bytes of the row */
} sigmix_sj_sink;

/** Use sink (NULL: none) for the rows parsed from now on. */
void sigmix_sj_set_sink(sigmix_sj *p, sigmix_sj_sink *sink);

/**
 * Parse buf[0..len) (capacity >= len + SIGMIX_SJ_PADDING readable bytes)
 * as one JSON object and report its fields in order. NaN, Infinity and
 * -Infinity tokens are accepted as non-finite numbers (SIGMIX_SJ_DOUBLE;
 * inside nested values they are kept as those tokens).
 * On failure *where is the byte offset of the problem within buf (best
 * effort) and *found_type names the JSON type for SIGMIX_SJ_NOT_OBJECT.
 */
int sigmix_sj_parse_row(sigmix_sj *p, const char *buf, size_t len, size_t capacity,
                        sigmix_sj_key_fn on_key, sigmix_sj_value_fn on_value, void *ctx,
                        size_t *where, const char **found_type);

/** Check that buf[0..len) is one well-formed JSON value; status as above. */
int sigmix_sj_validate(sigmix_sj *p, const char *buf, size_t len, size_t capacity,
                       size_t *where);

/** Whether buf[0..len) is valid UTF-8 (simdjson's validator). */
int sigmix_sj_valid_utf8(const char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif
