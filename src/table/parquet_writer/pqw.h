/*
 * Internal pieces of the Parquet writer:
 * a growable byte buffer, a Thrift compact-protocol encoder, the
 * RLE/bit-packed hybrid encoder and the page compressors.
 * Nothing here is public; parquet_writer.c ties it together.
 */
#ifndef SIGMIX_PQW_H
#define SIGMIX_PQW_H

#include <stddef.h>
#include <stdint.h>

#include "sigmix/table.h"

/* ---- byte buffer ---------------------------------------------------- */

/* Appends never fail visibly: on OOM `oom` is set and later appends are
 * dropped, so encoders stay simple and the caller checks once. */
typedef struct pqw_buf {
    uint8_t *p;
    size_t   len, cap;
    int      oom;
} pqw_buf;

void pqw_buf_free(pqw_buf *b);
/* Make room for `extra` more bytes; returns 0 or -1 (and sets oom). */
int  pqw_buf_reserve(pqw_buf *b, size_t extra);
void pqw_put(pqw_buf *b, const void *p, size_t n);
void pqw_put_byte(pqw_buf *b, uint8_t v);
void pqw_put_u32le(pqw_buf *b, uint32_t v);
void pqw_put_varint(pqw_buf *b, uint64_t v);

/* ---- Thrift compact protocol ---------------------------------------- */

enum {
    THR_TRUE = 1, THR_FALSE = 2, THR_BYTE = 3, THR_I16 = 4, THR_I32 = 5,
    THR_I64 = 6, THR_DOUBLE = 7, THR_BINARY = 8, THR_LIST = 9, THR_SET = 10,
    THR_MAP = 11, THR_STRUCT = 12,
};
enum { THR_MAX_DEPTH = 16 };

typedef struct thr_w {
    pqw_buf *b;
    int      depth;                  /* open structs */
    int16_t  last[THR_MAX_DEPTH];    /* last field id per open struct */
} thr_w;

/* Starts with one open (top-level) struct; finish it with thr_end(). */
void thr_init(thr_w *w, pqw_buf *b);
void thr_i16(thr_w *w, int16_t id, int16_t v);
void thr_i32(thr_w *w, int16_t id, int32_t v);
void thr_i64(thr_w *w, int16_t id, int64_t v);
void thr_byte(thr_w *w, int16_t id, int8_t v);
void thr_bool(thr_w *w, int16_t id, int v);
void thr_bin(thr_w *w, int16_t id, const void *p, size_t n);
void thr_str(thr_w *w, int16_t id, const char *s);
/* Field holding a struct; close with thr_end(). */
void thr_struct(thr_w *w, int16_t id);
/* Field holding a list of n elements of elem_type. */
void thr_list(thr_w *w, int16_t id, int elem_type, size_t n);
/* List elements. */
void thr_elem_struct(thr_w *w);   /* close with thr_end() */
void thr_elem_i32(thr_w *w, int32_t v);
void thr_elem_bin(thr_w *w, const void *p, size_t n);
/* Write STOP and close the innermost struct. */
void thr_end(thr_w *w);

/* ---- encodings ------------------------------------------------------ */

/* Bits needed for values 0..max_value (at least 1). */
int pqw_bit_width(uint32_t max_value);
/* RLE/bit-packed hybrid of v[0..n) at bit width bw (no length prefix). */
void pqw_rle_encode(pqw_buf *b, const uint32_t *v, size_t n, int bw);
/* Bit-pack 0/1 bytes LSB first (PLAIN booleans). */
void pqw_pack_bools(pqw_buf *b, const uint8_t *bits, size_t n);

/* ---- dictionary ---------------------------------------------------- */

/*
 * Distinct values of one column chunk, in first-seen order, and the index
 * of every non-null value. Keys point into the table (strings) or at the
 * column's int64 array; they stay valid while the table does.
 */
typedef struct pqw_dict {
    const uint8_t **key;
    uint32_t       *klen;
    size_t          n, cap;     /* entries */
    uint32_t       *slot;       /* hash: entry + 1, 0 empty; nslot a power of 2 */
    size_t          nslot;
    size_t          bytes;      /* PLAIN size of the dictionary page values */
    uint32_t       *idx;        /* per non-null value of the chunk */
    size_t          nidx, idxcap;
} pqw_dict;

void pqw_dict_free(pqw_dict *d);
/*
 * Build the dictionary of rows [r0, r1) of a STRING/JSON/INT64 column.
 * Returns 1 when built, 0 when it would exceed max_bytes (use PLAIN), or
 * SIGMIX_ENOMEM.
 */
int pqw_dict_build(pqw_dict *d, const sigmix_column *c, size_t r0, size_t r1,
                   size_t max_bytes);

/* ---- compression ---------------------------------------------------- */

/* Parquet CompressionCodec numbers. */
enum { PQ_CODEC_NONE = 0, PQ_CODEC_SNAPPY = 1, PQ_CODEC_GZIP = 2, PQ_CODEC_ZSTD = 6 };

typedef struct pqw_codec pqw_codec;
/* Opens zlib (page CRCs) and the codec's library: 0, SIGMIX_ENOMEM (no
 * message), or SIGMIX_EUNSUPPORTED with "cannot load ..." in err. */
int  pqw_codec_open(pqw_codec **c, int codec, sigmix_error *err);
void pqw_codec_close(pqw_codec **c);
/* Compress src into out (replacing its contents). Returns 0 or a SIGMIX_E*. */
int  pqw_compress(pqw_codec *c, const uint8_t *src, size_t n, pqw_buf *out);
/* CRC-32 of a page's bytes (the page header's crc field). */
uint32_t pqw_crc32(const pqw_codec *c, const uint8_t *p, size_t n);

/* ---- writer state shared by parquet_writer.c and footer.c ------------ */

/* Parquet enum values used by the writer (parquet.thrift). */
enum { PQ_BOOLEAN = 0, PQ_INT32 = 1, PQ_INT64 = 2, PQ_FLOAT = 4, PQ_DOUBLE = 5,
       PQ_BYTE_ARRAY = 6 };
enum { PQ_ENC_PLAIN = 0, PQ_ENC_PLAIN_DICTIONARY = 2, PQ_ENC_RLE = 3,
       PQ_ENC_RLE_DICTIONARY = 8 };
enum { PQ_PAGE_DATA = 0, PQ_PAGE_DICTIONARY = 2 };

typedef struct pqw_col {
    const sigmix_column *c;
    int ptype;        /* PQ_* physical type */
    int optional;     /* some row is null anywhere in the table */
    int is_unsigned;  /* INT64 written as INTEGER(64, unsigned) */
    int annotate;     /* STRING/JSON logical type (0: invalid UTF-8, raw binary) */
    const sigmix_pq_type *src; /* source type honoured (annotations as read), or NULL */
    int64_t *ival;    /* owned: integer values parsed from a text column (dates,
                       * timestamps, exact UINT64), or NULL: use c->i64 */
    sigmix_column *shadow;  /* owned copy of the column holding decoded binary, c points here */
    uint8_t *shadow_bytes;
} pqw_col;

/* Free what pqw_source_type allocated. */
void pqw_source_free(pqw_col *col);

/*
 * Honour the column's source Parquet type when its values still fit it:
 * sets ptype, is_unsigned, src and maybe ival. Returns 0 or SIGMIX_ENOMEM.
 */
int pqw_source_type(pqw_col *col, size_t rows);

/* What the footer needs to know about one written column chunk. */
typedef struct pqw_chunk {
    int64_t start, data_off, dict_off;   /* dict_off -1: no dictionary */
    int64_t num_values, unc, comp, null_count;
    int32_t dict_pages, data_pages;
    int     data_enc;                     /* PQ_ENC_PLAIN or _RLE_DICTIONARY */
    int     has_minmax;
    const uint8_t *minp, *maxp;           /* point into minb/maxb or the table */
    size_t  minlen, maxlen;
    uint8_t minb[8], maxb[8];
} pqw_chunk;

/* Footer serialisation (footer.c). */
void pqw_footer_begin(thr_w *w, const pqw_col *cols, size_t ncols, size_t rows,
                      size_t nrowgroups);
void pqw_footer_rowgroup(thr_w *w, const pqw_col *cols, const pqw_chunk *ch,
                         size_t ncols, size_t rows, int codec, int16_t ordinal);
void pqw_footer_end(thr_w *w, size_t ncols, const char *const *kv);
/* Thrift PageHeader of a data (or dictionary) page. */
void pqw_page_header(pqw_buf *b, int page_type, size_t unc, size_t comp,
                     uint32_t crc, int32_t num_values, int encoding);

#endif
