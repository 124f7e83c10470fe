/*
 * Parquet footer (FileMetaData) and page headers as plain C structs, and
 * their decoding from Thrift compact bytes. Only the fields the reader
 * uses are kept; statistics, indexes and bloom filters are skipped.
 * Owned by the Parquet reader.
 */
#ifndef SIGMIX_PQ_META_H
#define SIGMIX_PQ_META_H

#include <stddef.h>
#include <stdint.h>

#include "sigmix/common.h"
#include "util/arena.h"

/* Physical types. */
enum { PQ_BOOLEAN = 0, PQ_INT32, PQ_INT64, PQ_INT96, PQ_FLOAT, PQ_DOUBLE,
       PQ_BYTE_ARRAY, PQ_FLBA };
/* Repetition. */
enum { PQ_REQUIRED = 0, PQ_OPTIONAL = 1, PQ_REPEATED = 2 };
/* Encodings. */
enum { PQ_ENC_PLAIN = 0, PQ_ENC_PLAIN_DICT = 2, PQ_ENC_RLE = 3,
       PQ_ENC_BIT_PACKED = 4, PQ_ENC_DELTA_BINARY = 5, PQ_ENC_DELTA_LENGTH = 6,
       PQ_ENC_DELTA_BYTE_ARRAY = 7, PQ_ENC_RLE_DICT = 8, PQ_ENC_BSS = 9 };
/* Codecs. */
enum { PQ_UNCOMPRESSED = 0, PQ_SNAPPY, PQ_GZIP, PQ_LZO, PQ_BROTLI, PQ_LZ4,
       PQ_ZSTD, PQ_LZ4_RAW };
/* Page types. */
enum { PQ_DATA_PAGE = 0, PQ_INDEX_PAGE = 1, PQ_DICT_PAGE = 2, PQ_DATA_PAGE_V2 = 3 };
/* Converted (legacy) types used by the reader; -1 when absent. */
enum { PQ_CT_UTF8 = 0, PQ_CT_MAP = 1, PQ_CT_MAP_KV = 2, PQ_CT_LIST = 3,
       PQ_CT_ENUM = 4, PQ_CT_DECIMAL = 5, PQ_CT_DATE = 6, PQ_CT_TIME_MILLIS = 7,
       PQ_CT_TIME_MICROS = 8, PQ_CT_TS_MILLIS = 9, PQ_CT_TS_MICROS = 10,
       PQ_CT_UINT_8 = 11, PQ_CT_UINT_16 = 12, PQ_CT_UINT_32 = 13,
       PQ_CT_UINT_64 = 14, PQ_CT_INT_8 = 15, PQ_CT_INT_16 = 16,
       PQ_CT_INT_32 = 17, PQ_CT_INT_64 = 18, PQ_CT_JSON = 19, PQ_CT_BSON = 20,
       PQ_CT_INTERVAL = 21 };
/* Logical type union member ids (LogicalType in parquet.thrift); 0 none. */
enum { PQ_LT_NONE = 0, PQ_LT_STRING = 1, PQ_LT_MAP = 2, PQ_LT_LIST = 3,
       PQ_LT_ENUM = 4, PQ_LT_DECIMAL = 5, PQ_LT_DATE = 6, PQ_LT_TIME = 7,
       PQ_LT_TIMESTAMP = 8, PQ_LT_INTEGER = 10, PQ_LT_UNKNOWN = 11,
       PQ_LT_JSON = 12, PQ_LT_BSON = 13, PQ_LT_UUID = 14, PQ_LT_FLOAT16 = 15 };
/* Time units. */
enum { PQ_UNIT_MILLIS = 1, PQ_UNIT_MICROS = 2, PQ_UNIT_NANOS = 3 };

typedef struct pq_schema_el {
    const char *name;        /* NUL-terminated copy */
    int         type;        /* physical; -1 for groups */
    int         type_length;
    int         repetition;  /* -1 when absent (root) */
    int         num_children;
    int         converted;   /* -1 when absent */
    int         scale, precision;
    int         logical;     /* PQ_LT_* */
    int         lt_utc;      /* TIME/TIMESTAMP isAdjustedToUTC */
    int         lt_unit;     /* TIME/TIMESTAMP unit */
    int         lt_bits;     /* INTEGER bit width */
    int         lt_signed;   /* INTEGER signedness */
} pq_schema_el;

typedef struct pq_chunk_meta {
    int      type;
    int      codec;
    int64_t  num_values;
    int64_t  total_compressed;
    int64_t  total_uncompressed; /* informational (benchmarks) */
    int64_t  data_page_offset;
    int64_t  dict_page_offset; /* -1 when absent */
    int      has_meta;
    int      encrypted;       /* crypto_metadata or encrypted metadata present */
    int      external;        /* file_path set: data in another file */
} pq_chunk_meta;

typedef struct pq_row_group {
    int64_t        num_rows;
    size_t         ncols;
    pq_chunk_meta *cols;
} pq_row_group;

/* One key_value_metadata entry (value NULL when absent). */
typedef struct pq_kv {
    const char *key, *value;
} pq_kv;

typedef struct pq_file_meta {
    int64_t       num_rows;
    size_t        nkv;
    pq_kv        *kv;            /* footer key/value metadata */
    size_t        nschema;
    pq_schema_el *schema;
    size_t        nrg;
    pq_row_group *rgs;
    int           encrypted;     /* encryption_algorithm present */
    sigmix_arena  arena;         /* holds everything above */
} pq_file_meta;

typedef struct pq_page_header {
    int     type;
    int32_t uncompressed, compressed;
    int     has_crc;
    uint32_t crc;
    int32_t num_values;
    int     encoding;
    int     def_encoding, rep_encoding;  /* v1 */
    int32_t num_nulls, num_rows;          /* v2 */
    int32_t def_len, rep_len;             /* v2 */
    int     is_compressed;                /* v2; default 1 */
    int     has_sub;                      /* the per-type sub-header was present */
} pq_page_header;

/*
 * Decode FileMetaData from buf[0..n). On success *m owns its memory
 * (free with sigmix_pq_meta_free). Returns 0 or SIGMIX_EFORMAT/ENOMEM
 * with err set.
 */
int  sigmix_pq_meta_parse(const uint8_t *buf, size_t n, pq_file_meta *m, sigmix_error *err);
void sigmix_pq_meta_free(pq_file_meta *m);

/*
 * Decode one page header at buf[0..n). *used receives the header length.
 * Returns 0 or SIGMIX_EFORMAT (err not set: the caller names the place).
 */
int  sigmix_pq_page_header(const uint8_t *buf, size_t n, pq_page_header *h, size_t *used);

#endif
