/*
 * Test-side Parquet inspector, written apart from the writer so tests check
 * the bytes against the spec rather than against the writer's own code:
 * a generic Thrift compact decoder (into a tree of fields) and a decoder
 * for the flat pages sigmix writes (PLAIN / RLE_DICTIONARY, data page v1,
 * RLE levels, uncompressed / snappy / gzip / zstd).
 */
#ifndef TINY_PQ_H
#define TINY_PQ_H

#include <stddef.h>
#include <stdint.h>

typedef struct tnode {
    int            type;     /* compact type; bools: 1 true, 2 false */
    int            id;       /* field id (0 for list elements) */
    int64_t        i;        /* ints and bools (1/0) */
    const uint8_t *bin;
    size_t         len;
    struct tnode  *kids;     /* struct fields or list elements */
    size_t         nkids;
} tnode;

/* Decode one struct at p[0..n). Returns bytes used, or 0 on malformed input. */
size_t tn_parse_struct(const uint8_t *p, size_t n, tnode *out);
void   tn_free(tnode *t);
const tnode *tn_get(const tnode *t, int id);           /* field, or NULL */
int64_t      tn_int(const tnode *t, int id, int64_t dflt);
const tnode *tn_elem(const tnode *list, size_t k);     /* list element, or NULL */

typedef struct tpq_file {
    uint8_t *data;
    size_t   size;
    tnode    meta;           /* FileMetaData */
    size_t   footer_len;
} tpq_file;

/* Load a file and decode its footer. 0 on success. */
int  tpq_open(tpq_file *f, const char *path);
/* Same from memory (copied). */
int  tpq_open_mem(tpq_file *f, const void *data, size_t size);
void tpq_close(tpq_file *f);

/* One decoded column chunk. Arrays have `rows` entries. */
typedef struct tpq_values {
    size_t    rows;
    uint8_t  *valid;
    int64_t  *i64;     /* INT64 and BOOLEAN (0/1) */
    double   *f64;     /* DOUBLE */
    const uint8_t **str; /* BYTE_ARRAY (point into decompressed pages kept in `keep`) */
    uint32_t *slen;
    int       data_pages, dict_pages;
    void    **keep;
    size_t    nkeep;
} tpq_values;

/* Decode column `col` of row group `rg`. 0 on success, else a static reason. */
const char *tpq_read_chunk(const tpq_file *f, size_t rg, size_t col, tpq_values *out);
void tpq_values_free(tpq_values *v);

#endif
