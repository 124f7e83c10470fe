/*
 * Test helper for the CLI tests.
 *   pqw_tool emit FILE [ROWS]  write the mixed test table (every kind) as Parquet
 *   pqw_tool dump FILE         print a Parquet file's schema, chunks and values,
 *                              decoded by the independent inspector (tiny_pq.c)
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "testdata.h"
#include "tiny_pq.h"

static const char *const ptypes[] = { "BOOLEAN", "INT32", "INT64", "INT96", "FLOAT",
                                      "DOUBLE", "BYTE_ARRAY", "FIXED_LEN_BYTE_ARRAY" };
static const char *const codecs[] = { "UNCOMPRESSED", "SNAPPY", "GZIP", "LZO", "BROTLI",
                                      "LZ4", "ZSTD", "LZ4_RAW" };

static void print_bin(const tnode *b)
{
    putchar('"');
    for (size_t i = 0; b && i < b->len; i++)
        putchar(b->bin[i]);
    putchar('"');
}

static void print_value(int ptype, const tpq_values *v, size_t r)
{
    if (!v->valid[r]) {
        printf("null");
    } else if (ptype == 5) {
        printf("%.17g", v->f64[r]);
    } else if (ptype == 0) {
        printf(v->i64[r] ? "true" : "false");
    } else if (ptype == 6) {
        tnode b = { .bin = v->str[r], .len = v->slen[r] };
        print_bin(&b);
    } else {
        printf("%" PRId64, v->i64[r]);
    }
}

static int dump(const char *path)
{
    tpq_file f;
    if (tpq_open(&f, path)) {
        fprintf(stderr, "pqw_tool: %s: not a readable Parquet file\n", path);
        return 1;
    }
    const tnode *schema = tn_get(&f.meta, 2), *groups = tn_get(&f.meta, 4);
    size_t ncols = schema->nkids - 1;
    printf("rows %" PRId64 " row_groups %zu\n", tn_int(&f.meta, 3, -1), groups->nkids);
    for (size_t c = 0; c < ncols; c++) {
        const tnode *se = &schema->kids[c + 1];
        int64_t t = tn_int(se, 1, -1);
        printf("column ");
        print_bin(tn_get(se, 4));
        printf(" %s %s converted %" PRId64 "\n", t >= 0 && t < 8 ? ptypes[t] : "?",
               tn_int(se, 3, -1) == 1 ? "OPTIONAL" : "REQUIRED", tn_int(se, 6, -1));
    }
    int rc = 0;
    for (size_t g = 0; g < groups->nkids && !rc; g++) {
        const tnode *chunks = tn_get(&groups->kids[g], 1);
        int64_t codec = tn_int(tn_get(&chunks->kids[0], 3), 4, -1);
        printf("row_group %zu rows %" PRId64 " codec %s\n", g, tn_int(&groups->kids[g], 3, -1),
               codec >= 0 && codec < 8 ? codecs[codec] : "?");
        tpq_values *v = calloc(ncols, sizeof *v);
        for (size_t c = 0; c < ncols && !rc; c++) {
            const char *e = tpq_read_chunk(&f, g, c, &v[c]);
            if (e) {
                fprintf(stderr, "pqw_tool: %s: row group %zu column %zu: %s\n", path, g, c, e);
                rc = 1;
            }
        }
        for (size_t r = 0; !rc && ncols && r < v[0].rows; r++) {
            for (size_t c = 0; c < ncols; c++) {
                if (c)
                    putchar('\t');
                print_value((int)tn_int(&schema->kids[c + 1], 1, -1), &v[c], r);
            }
            putchar('\n');
        }
        for (size_t c = 0; c < ncols; c++)
            tpq_values_free(&v[c]);
        free(v);
    }
    tpq_close(&f);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && !strcmp(argv[1], "dump"))
        return dump(argv[2]);
    if (argc >= 3 && !strcmp(argv[1], "emit")) {
        sigmix_table *t = mixed_table(argc > 3 ? strtoul(argv[3], NULL, 10) : 40);
        sigmix_error err = { 0 };
        int r = sigmix_table_write(t, argv[2], NULL, &err);
        sigmix_table_free(&t);
        if (r)
            fprintf(stderr, "pqw_tool: %s: %s\n", argv[2], err.message);
        return r ? 1 : 0;
    }
    fprintf(stderr, "usage: pqw_tool emit FILE [ROWS] | dump FILE\n");
    return 2;
}
