/* Cell-by-cell table equality for the JSON fuzz targets' differential
 * checks (names, kinds, validity, value bits, text). */
#ifndef SIGMIX_FUZZ_SAME_TABLES_H
#define SIGMIX_FUZZ_SAME_TABLES_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sigmix/table.h"

static int same_tables(const sigmix_table *a, const sigmix_table *b)
{
    if (sigmix_table_rows(a) != sigmix_table_rows(b) || sigmix_table_cols(a) != sigmix_table_cols(b))
        return 0;
    for (size_t c = 0; c < sigmix_table_cols(a); c++) {
        const sigmix_column *x = sigmix_table_col(a, c), *y = sigmix_table_col(b, c);
        if (strcmp(x->name, y->name) || x->kind != y->kind)
            return 0;
        for (size_t r = 0; r < sigmix_table_rows(a); r++) {
            if (!x->valid[r] != !y->valid[r])
                return 0;
            if (!x->valid[r])
                continue;
            if (sigmix_kind_is_numeric(x->kind) && memcmp(&x->f64[r], &y->f64[r], sizeof(double)))
                return 0;
            if (x->kind == SIGMIX_KIND_INT64 && x->i64[r] != y->i64[r])
                return 0;
            if ((x->kind == SIGMIX_KIND_STRING || x->kind == SIGMIX_KIND_JSON) &&
                (x->str[r].len != y->str[r].len || memcmp(x->str[r].ptr, y->str[r].ptr, x->str[r].len)))
                return 0;
        }
    }
    return 1;
}

/* Abort unless two reads of the same bytes agree: status, message and,
 * when both succeeded, every cell. A read that ran out of memory is not
 * compared (allocation-failure runs may fail one read and not the other).
 * Frees both tables. */
static void same_reads(int ra, const sigmix_error *ea, sigmix_table **a, int rb,
                       const sigmix_error *eb, sigmix_table **b)
{
    if (ra != SIGMIX_ENOMEM && rb != SIGMIX_ENOMEM &&
        (ra != rb || strcmp(ea->message, eb->message) || (!ra && !same_tables(*a, *b))))
        abort();
    sigmix_table_free(a);
    sigmix_table_free(b);
}

/* The readers' fast path (key prediction and direct stores in the
 * simdjson shim) against the general one, on one thread. */
typedef int (*same_read_fn)(const void *data, size_t size, const sigmix_read_options *o,
                            sigmix_table **out, sigmix_error *err);

static void fast_vs_general(same_read_fn fast, same_read_fn general, const uint8_t *data,
                            size_t size)
{
    sigmix_read_options o;
    sigmix_table *a = NULL, *b = NULL;
    sigmix_error ea = { 0 }, eb = { 0 };
    sigmix_read_options_default(&o);
    o.threads = 1;
    int ra = fast(data, size, &o, &a, &ea);
    int rb = general(data, size, &o, &b, &eb);
    same_reads(ra, &ea, &a, rb, &eb, &b);
}

#endif
