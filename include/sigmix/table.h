/*
 * sigmix table layer: an in-memory column store shared by every reader
 * (JSON Lines, JSON rows, CSV, Parquet) and writer.
 *
 * A table owns its columns; each column is a set of typed arrays of
 * `rows` entries plus a validity array. Strings live in an arena owned by
 * the table.
 *
 * Pointer validity: a column index stays valid for the table's life. A
 * `sigmix_column *` from sigmix_table_col/_col_mut is invalidated by
 * sigmix_table_add_column (the column array may move) and by
 * sigmix_table_convert of that column; its arrays (f64, i64, str, valid)
 * by sigmix_table_resize/_reserve and that conversion. String bytes live in
 * the arena and stay valid until sigmix_table_free. Look a column up again
 * after any of those calls.
 *
 * Arguments: NULL tables, names or out-pointers and column/row indices out
 * of range give SIGMIX_EINVAL from functions that return int; accessors
 * return NULL/0/-1; the void setters do nothing. A table is used by one
 * thread at a time; distinct tables are independent.
 */
#ifndef SIGMIX_TABLE_H
#define SIGMIX_TABLE_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "sigmix/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Storage kind of a column. The first three are numeric: `f64` holds the
 * value of every row (NaN where null) so statistics never look elsewhere.
 */
typedef enum sigmix_kind {
    SIGMIX_KIND_DOUBLE = 0, /**< numeric; f64 */
    SIGMIX_KIND_INT64  = 1, /**< numeric; exact value in i64, rounded in f64 */
    SIGMIX_KIND_BOOL   = 2, /**< numeric; f64 is 0 or 1 */
    SIGMIX_KIND_STRING = 3, /**< text; str */
    SIGMIX_KIND_JSON   = 4, /**< each value is JSON text: nested or mixed-type data */
} sigmix_kind;

/** Whether a kind counts as numeric for the audit. */
static inline int sigmix_kind_is_numeric(sigmix_kind k)
{
    return k == SIGMIX_KIND_DOUBLE || k == SIGMIX_KIND_INT64 || k == SIGMIX_KIND_BOOL;
}

/** A byte string (not NUL-terminated in general; arena strings are). */
typedef struct sigmix_strref {
    const char *ptr;
    size_t      len;
} sigmix_strref;

/** Column flags (informational; kept by converters where they can). */
enum {
    SIGMIX_COLF_TEMPORAL = 1u << 0, /**< STRING holding ISO 8601 date/time text */
    SIGMIX_COLF_UNSIGNED = 1u << 1, /**< INT64 that came from an unsigned source */
    /**
     * Not a data column: an index the writer of the file kept as a column
     * (pandas' `index_columns`, e.g. `__index_level_0__`). pandas restores
     * it as the index, so the audit does not count it; writers keep it.
     */
    SIGMIX_COLF_INDEX    = 1u << 2,
};

/**
 * The Parquet type a column was read from, so a Parquet rewrite of the
 * table (`cat`, `saliency`) writes the same physical and logical type.
 * All zero (present == 0) when the column did not come from Parquet.
 * The writer honours it only while the values still fit the type.
 * Numbers follow parquet.thrift.
 */
typedef struct sigmix_pq_type {
    int8_t  present;     /**< 1 when the fields below describe the source */
    int8_t  physical;    /**< Type: 0 BOOLEAN, 1 INT32, 2 INT64, 3 INT96, 4 FLOAT, 5 DOUBLE, 6 BYTE_ARRAY, 7 FLBA */
    int8_t  converted;   /**< ConvertedType, -1 when absent */
    int8_t  logical;     /**< LogicalType union member id, 0 when absent */
    int8_t  unit;        /**< TIME/TIMESTAMP: 1 millis, 2 micros, 3 nanos */
    int8_t  utc;         /**< TIME/TIMESTAMP isAdjustedToUTC */
    int8_t  bits;        /**< INTEGER bit width */
    int8_t  is_signed;   /**< INTEGER signedness */
    int32_t type_length; /**< FIXED_LEN_BYTE_ARRAY length */
    int32_t scale, precision; /**< DECIMAL */
} sigmix_pq_type;

/**
 * One column. Arrays have `sigmix_table_rows()` entries.
 *  - valid[r] is 1 when row r holds a value, 0 for null. Never NULL.
 *  - f64: numeric kinds only (else NULL); NaN where null. A present value
 *    may also be NaN or +-inf (JSON NaN/Infinity tokens, Parquet floats).
 *  - i64: SIGMIX_KIND_INT64 only (else NULL); 0 where null.
 *  - str: STRING and JSON kinds only (else NULL); {NULL, 0} where null.
 */
typedef struct sigmix_column {
    const char    *name;
    sigmix_kind    kind;
    unsigned       flags;
    double        *f64;
    int64_t       *i64;
    sigmix_strref *str;
    uint8_t       *valid;
    sigmix_pq_type pq;   /**< source Parquet type (present == 0: none) */
} sigmix_column;

typedef struct sigmix_table sigmix_table;

/**
 * Create an empty table (0 rows, 0 columns) in *out, freed with
 * sigmix_table_free. Returns 0, SIGMIX_EINVAL (out NULL) or SIGMIX_ENOMEM
 * (*out NULL).
 */
SIGMIX_API int sigmix_table_create(sigmix_table **out);

/** Free a table and everything it owns; sets *t to NULL. NULL is fine. */
SIGMIX_API void sigmix_table_free(sigmix_table **t);

SIGMIX_API size_t sigmix_table_rows(const sigmix_table *t);
SIGMIX_API size_t sigmix_table_cols(const sigmix_table *t);

/** Column i (0-based, table order), or NULL when out of range. */
SIGMIX_API const sigmix_column *sigmix_table_col(const sigmix_table *t, size_t i);

/** Mutable column i, for readers and materializers that fill values. */
SIGMIX_API sigmix_column *sigmix_table_col_mut(sigmix_table *t, size_t i);

/** Index of the column named exactly `name`, or -1. O(1) average. */
SIGMIX_API long sigmix_table_find(const sigmix_table *t, const char *name);

/**
 * Set the row count. Growing appends null rows to every column (amortised:
 * capacity doubles); shrinking drops trailing rows. Returns 0 or SIGMIX_ENOMEM.
 */
SIGMIX_API int sigmix_table_resize(sigmix_table *t, size_t rows);

/**
 * Make room for `rows` rows without changing the row count. The capacity
 * becomes exactly `rows` (no doubling slack), so a reader that knows the
 * final size touches no more memory than the table needs. Returns 0 or
 * SIGMIX_ENOMEM.
 */
SIGMIX_API int sigmix_table_reserve(sigmix_table *t, size_t rows);

/**
 * Append a column of `kind` with every row null. The name is copied.
 * Fails with SIGMIX_EINVAL if a column of that name exists.
 * On success *index (if non-NULL) receives the new column's index.
 */
SIGMIX_API int sigmix_table_add_column(sigmix_table *t, const char *name,
                                       sigmix_kind kind, size_t *index);

/**
 * Change a column's kind, converting present values:
 *  numeric -> STRING/JSON renders numbers as JSON text (non-finite as null
 *  for STRING, NaN/Infinity tokens for JSON); STRING -> JSON quotes strings;
 *  INT64/BOOL -> DOUBLE keeps f64. Other conversions return SIGMIX_EINVAL.
 */
SIGMIX_API int sigmix_table_convert(sigmix_table *t, size_t col, sigmix_kind kind);

/** Copy `len` bytes into the table's arena (NUL-terminated). NULL on OOM. */
SIGMIX_API const char *sigmix_table_intern(sigmix_table *t, const char *s, size_t len);

/* Setters: row must be < rows and the column kind must match (the f64 of a
 * DOUBLE/INT64/BOOL column, the str of a STRING/JSON one); otherwise they do
 * nothing (set_string: SIGMIX_EINVAL). */
SIGMIX_API void sigmix_table_set_null(sigmix_table *t, size_t col, size_t row);
SIGMIX_API void sigmix_table_set_double(sigmix_table *t, size_t col, size_t row, double v);
SIGMIX_API void sigmix_table_set_int64(sigmix_table *t, size_t col, size_t row, int64_t v);
SIGMIX_API void sigmix_table_set_bool(sigmix_table *t, size_t col, size_t row, int v);
/** Copies the bytes into the arena. Returns 0 or SIGMIX_ENOMEM. */
SIGMIX_API int sigmix_table_set_string(sigmix_table *t, size_t col, size_t row,
                                       const char *s, size_t len);

/**
 * New table *out holding columns cols[0..ncols) of src (indices, in that
 * order; names, kinds, flags, source Parquet types and values copied, and
 * the table metadata) and its first
 * min(rows, sigmix_table_rows(src)) rows. Returns 0, SIGMIX_EINVAL (bad or
 * repeated index) or SIGMIX_ENOMEM; *out is NULL on failure.
 */
SIGMIX_API int sigmix_table_select(const sigmix_table *src, const size_t *cols,
                                   size_t ncols, size_t rows, sigmix_table **out);

/*
 * Table metadata: key/value pairs kept from the source (a Parquet
 * footer's key_value_metadata, pandas' `pandas` key included) and written
 * back by the Parquet writer. Keys are unique; order is kept.
 */

/** Set key to value (copied; value may be NULL), replacing an existing key. 0 or SIGMIX_ENOMEM. */
SIGMIX_API int sigmix_table_set_meta(sigmix_table *t, const char *key, const char *value);
/** Number of metadata pairs. */
SIGMIX_API size_t sigmix_table_meta_count(const sigmix_table *t);
/** Pair i: *key and *value (value may be NULL). Returns 0, or SIGMIX_EINVAL when out of range. */
SIGMIX_API int sigmix_table_meta_at(const sigmix_table *t, size_t i, const char **key,
                                    const char **value);
/** Value of key (NULL when absent or valueless). */
SIGMIX_API const char *sigmix_table_get_meta(const sigmix_table *t, const char *key);

/* ---- reading and writing tables ------------------------------------- */

typedef enum sigmix_format {
    SIGMIX_FORMAT_AUTO = 0, /**< from the file name extension */
    SIGMIX_FORMAT_JSONL,
    SIGMIX_FORMAT_JSON,
    SIGMIX_FORMAT_CSV,
    SIGMIX_FORMAT_PARQUET,
} sigmix_format;

typedef enum sigmix_compression {
    SIGMIX_COMPRESSION_DEFAULT = 0, /**< format's default (Parquet: snappy; text: none) */
    SIGMIX_COMPRESSION_NONE,
    SIGMIX_COMPRESSION_SNAPPY,
    SIGMIX_COMPRESSION_ZSTD,
    SIGMIX_COMPRESSION_GZIP,
} sigmix_compression;

/** SHA-256 of an input computed while it is read (sigmix_read_options.digest). */
typedef struct sigmix_read_digest {
    char     sha256[65]; /**< 64 lowercase hex digits, or "" when not computed */
    uint64_t bytes;      /**< bytes hashed: the input's size as stored */
} sigmix_read_digest;

typedef struct sigmix_read_options {
    sigmix_format format;     /**< AUTO: by extension (.gz/.zst stripped first) */
    const char *const *columns; /**< load only these (NULL: all); others may be skipped */
    size_t      ncolumns;
    int         threads;      /**< 0: the CPUs this process may use (affinity, cgroup quota) */
    /** Called with one-line warnings (e.g. a skipped nested column); may be NULL. */
    void      (*warn)(void *cookie, const char *msg);
    void       *warn_cookie;
    /** CSV field separator: ',' (0 means ','), ';', '\t', '|' or any other
     *  single byte except '"', CR and LF. Ignored by the other formats. */
    char        delimiter;
    /** Most bytes a text table may expand to (after gzip/zstd) or a Parquet
     *  stream read from standard input may hold; 0 means
     *  SIGMIX_MAX_INPUT_BYTES_DEFAULT. Beyond it the read fails with
     *  SIGMIX_ENOMEM and "decompressed input exceeds --max-input-bytes
     *  (N bytes)" ("input exceeds ..." for uncompressed input). */
    uint64_t    max_input_bytes;
    /** When non-NULL, a successful read fills it with the SHA-256 of the
     *  input's bytes as stored (compressed bytes for .gz/.zst): JSON Lines,
     *  JSON and CSV hash in their one pass over the bytes; a Parquet file
     *  is hashed on a side thread while it is decoded. Left "" where it is
     *  not computed (a Parquet folder, a failed read). */
    sigmix_read_digest *digest;
} sigmix_read_options;

/** Default sigmix_read_options.max_input_bytes: 64 GiB. */
#define SIGMIX_MAX_INPUT_BYTES_DEFAULT ((uint64_t)64 << 30)

typedef struct sigmix_write_options {
    sigmix_format      format;       /**< AUTO: by extension */
    sigmix_compression compression;
    size_t             row_group_rows; /**< Parquet; 0: default */
    /** Parquet footer key/value metadata (NULL-terminated pairs); may be NULL. */
    const char *const *kv_metadata;
    /** Parquet: threads encoding column chunks side by side. 0: automatic,
     *  the CPUs this process may use for row groups of 4 MiB of values or
     *  more (smaller ones stay on the calling thread); 1: the calling
     *  thread only; N >= 2: N encoder threads (at most 16, and no more
     *  than the columns) for every size. The file's bytes are the same for
     *  any value. */
    int                threads;
} sigmix_write_options;

SIGMIX_API void sigmix_read_options_default(sigmix_read_options *o);
SIGMIX_API void sigmix_write_options_default(sigmix_write_options *o);

/** Format implied by a path's extension (after .gz/.zst), or AUTO if unknown. */
SIGMIX_API sigmix_format sigmix_format_from_path(const char *path);
SIGMIX_API const char *sigmix_format_name(sigmix_format f);

/**
 * Read a table. path "-" reads standard input (o->format must name the
 * format; Parquet is buffered in a temporary file first, at most
 * max_input_bytes). On success *out owns a new table; on failure *out is NULL
 * and err (if non-NULL) says what is wrong and where. `o` may be NULL.
 */
SIGMIX_API int sigmix_table_read(const char *path, const sigmix_read_options *o,
                                 sigmix_table **out, sigmix_error *err);

/**
 * Write a table following the output rule (docs/outputs.md): a missing or
 * regular file through a temporary file in the same folder, fsync and
 * rename; a symlink written through to its target (the link stays); a
 * device, FIFO or "-" (stdout) written in place; missing folders created.
 * On failure the previous file is intact and no temporary is left.
 * `o` may be NULL.
 */
SIGMIX_API int sigmix_table_write(const sigmix_table *t, const char *path,
                                  const sigmix_write_options *o, sigmix_error *err);

/**
 * Write t to an already open stream f, choosing format and text compression
 * as sigmix_table_write does from o and path (path is only looked at, never
 * opened). For programs that commit the table together with other outputs
 * (sigmix_outset in sigmix/output.h). f stays open and owned by the caller.
 */
SIGMIX_API int sigmix_table_write_stream(const sigmix_table *t, FILE *f, const char *path,
                                         const sigmix_write_options *o, sigmix_error *err);

#ifdef __cplusplus
}
#endif

#endif /* SIGMIX_TABLE_H */
