/*
 * Internal interfaces between the files of the Parquet reader:
 *  pq_read.c    entry point, files, folders, schema, threads
 *  pq_column.c  one column chunk: pages, levels, encodings, dictionary
 *  pq_convert.c physical + logical type -> column store values
 *  pq_codec.c   decompression
 * Owned by the Parquet reader (src/table/parquet).
 */
#ifndef SIGMIX_PQ_INTERNAL_H
#define SIGMIX_PQ_INTERNAL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "sigmix/table.h"
#include "table/parquet/pq_decode.h"
#include "table/parquet/pq_meta.h"

/* Upper bound for one decompressed page and for a page's rebuilt strings. */
#define PQ_MAX_PAGE_BYTES ((size_t)1 << 30)

/* How a leaf's physical values become column store values. */
typedef enum pq_conv {
    CV_BOOL, CV_I32, CV_U32, CV_I64, CV_U64, CV_FLOAT, CV_DOUBLE, CV_F16,
    CV_DECIMAL, CV_STRING, CV_BASE64, CV_UUID, CV_DATE, CV_TIME, CV_TIMESTAMP,
    CV_INT96,
} pq_conv;

/* One flat top-level column to load. */
typedef struct pq_leaf {
    const pq_schema_el *el;
    const char *name;
    size_t      chunk;      /* index of its column chunk in each row group */
    size_t      dest;       /* column index in the output table */
    int         max_def;    /* flat: 0 required, 1 optional; nested: path's level */
    int         max_rep;    /* 0 for flat columns */
    int         type;       /* physical type */
    int         width;      /* bytes per fixed-size value (FLBA length etc.) */
    pq_conv     conv;
    int         unit;       /* TIME/TIMESTAMP unit */
    int         utc;        /* timestamp ends in Z */
    int         scale;      /* DECIMAL */
    int         overflow;   /* a UINT64 value above INT64_MAX was seen */
} pq_leaf;

/* A byte string inside a decoded page or dictionary. */
typedef struct pq_bytes {
    const uint8_t *p;
    size_t         len;
} pq_bytes;

/* Growable scratch buffer owned by one worker thread. */
typedef struct pq_buf {
    uint8_t *p;
    size_t   cap;
    int      oom; /* growing it failed: the decoders' "malformed" was really ENOMEM */
} pq_buf;

/* Room for n bytes; the old contents are dropped (scratch buffers). */
int sigmix_pq_buf_reserve(pq_buf *b, size_t n);
/* Room for n bytes, keeping the contents (buffers that accumulate). */
int sigmix_pq_buf_grow(pq_buf *b, size_t n);

/* Per-thread decoding state, reused across chunks. */
typedef struct pq_worker {
    pq_buf chunk, page, dict, levels, reps, values, idx, bytes, rebuilt, dba, text;
    pq_buf refs;
} pq_worker;

void sigmix_pq_worker_free(pq_worker *w);
/* A buffer of w failed to grow since the last call (the flags are cleared). */
int sigmix_pq_worker_oom(pq_worker *w);

/* Shared read context for one file. */
typedef struct pq_file {
    int              fd;
    uint64_t         size;
    uint64_t         data_end;   /* start of the footer: pages lie before it */
    pq_file_meta     meta;
} pq_file;

/* Everything one chunk decode needs. */
typedef struct pq_job {
    const pq_file   *file;
    size_t           rg;
    pq_leaf         *leaf;
    sigmix_table    *table;
    sigmix_column   *col;
    size_t           row0;       /* first table row of this row group */
    pthread_mutex_t *intern_lock;
    struct pq_nsink *sink;       /* nested leaf: levels and JSON values go here */
    struct pq_nfield *nested;    /* job decodes this nested field (leaf unused) */
} pq_job;

/* Decoded chunk of one leaf of a nested column: levels and JSON values. */
typedef struct pq_nsink {
    pq_buf  rep, def;     /* uint8_t per level entry */
    size_t  n;            /* level entries */
    pq_buf  text;         /* JSON text of the present values, back to back */
    size_t  tlen;
    pq_buf  spans;        /* pq_span per present value */
    size_t  nvals;
} pq_nsink;

/* Append one page of a nested leaf to j->sink. */
int sigmix_pq_sink_page(pq_worker *w, const pq_job *j, const uint32_t *reps,
                        const uint32_t *defs, size_t nv, const void *vals, size_t nn,
                        sigmix_error *err);

/* Append JSON text of n decoded values to text/spans. Returns 0 or -1. */
int sigmix_pq_json_values(pq_leaf *l, const void *vals, size_t n, pq_buf *text, size_t *tlen,
                          pq_buf *spans, size_t *nspans, pq_buf *tmp);

/* Decode one column chunk into its table column. Returns 0 or SIGMIX_E*. */
int sigmix_pq_read_chunk(pq_worker *w, const pq_job *j, sigmix_error *err);

/*
 * Store n present values (decoded physical values in `vals`: fixed-size
 * values packed back to back, or pq_bytes for byte arrays) into the rows
 * of the column whose def level is max: rows row..row+count-1 with
 * defs (NULL: all present).
 */
int sigmix_pq_emit(pq_worker *w, const pq_job *j, size_t row, size_t count,
                   const uint32_t *defs, const void *vals, size_t n, sigmix_error *err);

/* Open the library `codec` needs (once per process): 0, or
 * SIGMIX_EUNSUPPORTED "cannot load ..." in err. */
int sigmix_pq_codec_load(int codec, sigmix_error *err);
int sigmix_pq_decompress(int codec, const uint8_t *src, size_t n, uint8_t *dst, size_t dn);
/*
 * Whether n compressed bytes can plausibly decode to dn bytes (checked
 * before allocating dn): exact for snappy and sized zstd frames, the
 * format's worst-case ratio otherwise.
 */
int sigmix_pq_size_plausible(int codec, const uint8_t *src, size_t n, size_t dn);
const char *sigmix_pq_codec_name(int codec);

/* Text renderings shared with tests: return length written (buf >= 48 bytes). */
size_t sigmix_pq_format_date(int64_t days, char *buf);
size_t sigmix_pq_format_timestamp(int64_t days, int64_t nanos_of_day, int digits,
                                  int utc, char *buf);
size_t sigmix_pq_format_time(int64_t nanos_of_day, int digits, char *buf);
double sigmix_pq_half_to_double(uint16_t h);
/* Big-endian two's complement unscaled value with `scale` -> nearest double. */
double sigmix_pq_decimal_be(const uint8_t *p, size_t n, int scale);
size_t sigmix_pq_base64(const uint8_t *p, size_t n, char *out);

#endif
