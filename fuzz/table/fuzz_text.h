/* Shared body of the text-reader fuzz targets: read arbitrary bytes from
 * memory and touch every string so a bad pointer shows up under ASan. */
#ifndef SIGMIX_FUZZ_TEXT_H
#define SIGMIX_FUZZ_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include <stdio.h>
#include <stdlib.h>

#include "sigmix/table.h"
#include "table/format.h"
#include "table/textread.h"

typedef int (*fuzz_read_mem_fn)(const void *data, size_t size, const sigmix_read_options *o,
                                sigmix_table **out, sigmix_error *err);

/* What sigmix writes as JSON Lines, sigmix reads back (a writer that
 * passed on bytes a reader refuses would fail here). */
static inline void fuzz_round_trip(const sigmix_table *t)
{
    char *mem = NULL;
    size_t len = 0;
    sigmix_write_options wo;
    sigmix_error err = { 0 };
    sigmix_write_options_default(&wo);
    FILE *f = open_memstream(&mem, &len);
    if (!f)
        return;
    int r = sigmix_jsonl_write(t, f, &wo, &err);
    fclose(f);
    if (!r) {
        sigmix_read_options o;
        sigmix_table *u = NULL;
        sigmix_read_options_default(&o);
        o.threads = 1;
        /* ENOMEM: the allocation-failure run (tests/hostile) failed one */
        int rr = sigmix_jsonl_read_mem(mem, len, &o, &u, &err);
        if (rr ? rr != SIGMIX_ENOMEM : sigmix_table_rows(u) != sigmix_table_rows(t))
            abort();
        sigmix_table_free(&u);
    }
    free(mem);
    /* and the CSV writer runs over it too */
    f = open_memstream(&mem, &len);
    if (f) {
        sigmix_csv_write(t, f, &wo, &err);
        fclose(f);
    }
    free(mem);
}

/* A first byte 0x01..0x04 picks the CSV delimiter (',', ';', tab, '|') and
 * is skipped, so the corpus reaches every separator. */
static inline int fuzz_text_reader(fuzz_read_mem_fn read, const uint8_t *data, size_t size)
{
    sigmix_read_options o;
    sigmix_table *t = NULL;
    sigmix_error err = { 0 };
    sigmix_read_options_default(&o);
    o.threads = 2;
    if (size && data[0] >= 1 && data[0] <= 4) {
        o.delimiter = ",;\t|"[data[0] - 1];
        data++;
        size--;
    }
    if (!read(data, size, &o, &t, &err)) {
        fuzz_round_trip(t);
        volatile size_t sink = 0;
        for (size_t c = 0; c < sigmix_table_cols(t); c++) {
            const sigmix_column *col = sigmix_table_col(t, c);
            for (size_t r = 0; r < sigmix_table_rows(t); r++)
                if (col->valid[r] && col->str)
                    sink += col->str[r].len + (size_t)col->str[r].ptr[0];
        }
        (void)sink;
    }
    sigmix_table_free(&t);
    return 0;
}

#endif
