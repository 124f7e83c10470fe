/*
 * Thrift structures of the Parquet footer (FileMetaData, schema, row
 * groups, column chunks, statistics) and page headers. Field ids follow
 * apache/parquet-format's parquet.thrift.
 */
#include <string.h>

#include "sigmix_config.h"
#include "table/parquet_writer/pqw.h"

enum { CT_UTF8 = 0, CT_UINT_64 = 14, CT_INT_64 = 18, CT_JSON = 19 };

/* LogicalType of a honoured source type (the annotations read, as read). */
static void source_logical(thr_w *w, const sigmix_pq_type *q)
{
    if (q->logical <= 0 || q->logical == 2 || q->logical == 3 || q->logical == 5)
        return;                                 /* none, or not of a flat column / DECIMAL */
    thr_struct(w, 10);
    thr_struct(w, q->logical);
    if (q->logical == 10) {                     /* INTEGER */
        thr_byte(w, 1, q->bits);
        thr_bool(w, 2, q->is_signed);
    } else if (q->logical == 7 || q->logical == 8) { /* TIME, TIMESTAMP */
        thr_bool(w, 1, q->utc);
        thr_struct(w, 2);                       /* TimeUnit */
        thr_struct(w, q->unit ? q->unit : 2);
        thr_end(w);
        thr_end(w);
    }
    thr_end(w);
    thr_end(w);
}

static void schema_element(thr_w *w, const pqw_col *col)
{
    const sigmix_column *c = col->c;
    thr_elem_struct(w);
    thr_i32(w, 1, col->ptype);
    thr_i32(w, 3, col->optional ? 1 : 0);       /* OPTIONAL : REQUIRED */
    thr_str(w, 4, c->name);
    if (col->src) {
        if (col->src->converted >= 0)
            thr_i32(w, 6, col->src->converted);
        source_logical(w, col->src);
    } else if (c->kind == SIGMIX_KIND_INT64) {
        thr_i32(w, 6, col->is_unsigned ? CT_UINT_64 : CT_INT_64);
        thr_struct(w, 10);                      /* LogicalType */
        thr_struct(w, 10);                      /* INTEGER */
        thr_byte(w, 1, 64);
        thr_bool(w, 2, !col->is_unsigned);
        thr_end(w);
        thr_end(w);
    } else if (c->kind == SIGMIX_KIND_STRING && col->annotate) {
        thr_i32(w, 6, CT_UTF8);
        thr_struct(w, 10);
        thr_struct(w, 1);                       /* STRING */
        thr_end(w);
        thr_end(w);
    } else if (c->kind == SIGMIX_KIND_JSON && col->annotate) {
        thr_i32(w, 6, CT_JSON);
        thr_struct(w, 10);
        thr_struct(w, 12);                      /* JSON */
        thr_end(w);
        thr_end(w);
    }
    thr_end(w);
}

void pqw_footer_begin(thr_w *w, const pqw_col *cols, size_t ncols, size_t rows,
                      size_t nrowgroups)
{
    thr_i32(w, 1, 1);                           /* version */
    thr_list(w, 2, THR_STRUCT, ncols + 1);
    thr_elem_struct(w);                         /* root */
    thr_str(w, 4, "schema");
    thr_i32(w, 5, (int32_t)ncols);
    thr_end(w);
    for (size_t i = 0; i < ncols; i++)
        schema_element(w, &cols[i]);
    thr_i64(w, 3, (int64_t)rows);
    thr_list(w, 4, THR_STRUCT, nrowgroups);
}

static void statistics(thr_w *w, const pqw_col *col, const pqw_chunk *ch)
{
    thr_struct(w, 12);
    /* The deprecated signed-order min/max only where signed order is the
     * type's order (numbers, booleans), for readers that predate min_value. */
    int legacy = ch->has_minmax && col->ptype != PQ_BYTE_ARRAY;
    if (legacy) {
        thr_bin(w, 1, ch->maxp, ch->maxlen);
        thr_bin(w, 2, ch->minp, ch->minlen);
    }
    thr_i64(w, 3, ch->null_count);
    if (ch->has_minmax) {
        thr_bin(w, 5, ch->maxp, ch->maxlen);
        thr_bin(w, 6, ch->minp, ch->minlen);
    }
    thr_end(w);
}

static void encoding_stats(thr_w *w, const pqw_chunk *ch)
{
    size_t n = (ch->dict_pages > 0) + (ch->data_pages > 0);
    thr_list(w, 13, THR_STRUCT, n);
    if (ch->dict_pages > 0) {
        thr_elem_struct(w);
        thr_i32(w, 1, PQ_PAGE_DICTIONARY);
        thr_i32(w, 2, PQ_ENC_PLAIN_DICTIONARY);
        thr_i32(w, 3, ch->dict_pages);
        thr_end(w);
    }
    if (ch->data_pages > 0) {
        thr_elem_struct(w);
        thr_i32(w, 1, PQ_PAGE_DATA);
        thr_i32(w, 2, ch->data_enc);
        thr_i32(w, 3, ch->data_pages);
        thr_end(w);
    }
}

static void column_chunk(thr_w *w, const pqw_col *col, const pqw_chunk *ch, int codec)
{
    int32_t enc[3];
    size_t nenc = 0;
    if (ch->dict_off >= 0)
        enc[nenc++] = PQ_ENC_PLAIN_DICTIONARY;
    if (ch->data_enc == PQ_ENC_PLAIN || ch->data_pages == 0)
        enc[nenc++] = PQ_ENC_PLAIN;
    if (col->optional)
        enc[nenc++] = PQ_ENC_RLE;
    if (ch->data_enc == PQ_ENC_RLE_DICTIONARY && ch->data_pages > 0)
        enc[nenc++] = PQ_ENC_RLE_DICTIONARY;

    thr_elem_struct(w);                         /* ColumnChunk */
    thr_i64(w, 2, ch->start);                   /* file_offset */
    thr_struct(w, 3);                           /* ColumnMetaData */
    thr_i32(w, 1, col->ptype);
    thr_list(w, 2, THR_I32, nenc);
    for (size_t i = 0; i < nenc; i++)
        thr_elem_i32(w, enc[i]);
    thr_list(w, 3, THR_BINARY, 1);
    thr_elem_bin(w, col->c->name, strlen(col->c->name));
    thr_i32(w, 4, codec);
    thr_i64(w, 5, ch->num_values);
    thr_i64(w, 6, ch->unc);
    thr_i64(w, 7, ch->comp);
    thr_i64(w, 9, ch->data_off);
    if (ch->dict_off >= 0)
        thr_i64(w, 11, ch->dict_off);
    statistics(w, col, ch);
    encoding_stats(w, ch);
    thr_end(w);
    thr_end(w);
}

void pqw_footer_rowgroup(thr_w *w, const pqw_col *cols, const pqw_chunk *ch,
                         size_t ncols, size_t rows, int codec, int16_t ordinal)
{
    int64_t unc = 0, comp = 0;
    for (size_t i = 0; i < ncols; i++) {
        unc += ch[i].unc;
        comp += ch[i].comp;
    }
    thr_elem_struct(w);                         /* RowGroup */
    thr_list(w, 1, THR_STRUCT, ncols);
    for (size_t i = 0; i < ncols; i++)
        column_chunk(w, &cols[i], &ch[i], codec);
    thr_i64(w, 2, unc);                         /* total_byte_size */
    thr_i64(w, 3, (int64_t)rows);
    if (ncols)
        thr_i64(w, 5, ch[0].start);             /* file_offset */
    thr_i64(w, 6, comp);                        /* total_compressed_size */
    thr_i16(w, 7, ordinal);
    thr_end(w);
}

void pqw_footer_end(thr_w *w, size_t ncols, const char *const *kv)
{
    size_t nkv = 0;
    while (kv && kv[2 * nkv])
        nkv++;
    if (nkv) {
        thr_list(w, 5, THR_STRUCT, nkv);
        for (size_t i = 0; i < nkv; i++) {
            thr_elem_struct(w);
            thr_str(w, 1, kv[2 * i]);
            if (kv[2 * i + 1])
                thr_str(w, 2, kv[2 * i + 1]);
            thr_end(w);
        }
    }
    thr_str(w, 6, "sigmix version " SIGMIX_VERSION_STRING);
    /* TypeDefinedOrder for every column: without column_orders readers
     * must ignore min_value/max_value. */
    thr_list(w, 7, THR_STRUCT, ncols);
    for (size_t i = 0; i < ncols; i++) {
        thr_elem_struct(w);
        thr_struct(w, 1);
        thr_end(w);
        thr_end(w);
    }
    thr_end(w);
}

void pqw_page_header(pqw_buf *b, int page_type, size_t unc, size_t comp,
                     uint32_t crc, int32_t num_values, int encoding)
{
    thr_w w;
    thr_init(&w, b);
    thr_i32(&w, 1, page_type);
    thr_i32(&w, 2, (int32_t)unc);
    thr_i32(&w, 3, (int32_t)comp);
    thr_i32(&w, 4, (int32_t)crc);
    if (page_type == PQ_PAGE_DICTIONARY) {
        thr_struct(&w, 7);
        thr_i32(&w, 1, num_values);
        thr_i32(&w, 2, encoding);
        thr_end(&w);
    } else {
        thr_struct(&w, 5);
        thr_i32(&w, 1, num_values);
        thr_i32(&w, 2, encoding);
        thr_i32(&w, 3, PQ_ENC_RLE);
        thr_i32(&w, 4, PQ_ENC_RLE);
        thr_end(&w);
    }
    thr_end(&w);
}
