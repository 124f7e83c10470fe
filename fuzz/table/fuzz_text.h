/* Shared body of the text-reader fuzz targets: read arbitrary bytes from
 * memory and touch every string so a bad pointer shows up under ASan. */
#ifndef SIGMIX_FUZZ_TEXT_H
#define SIGMIX_FUZZ_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "sigmix/table.h"
#include "table/textread.h"

typedef int (*fuzz_read_mem_fn)(const void *data, size_t size, const sigmix_read_options *o,
                                sigmix_table **out, sigmix_error *err);

static inline int fuzz_text_reader(fuzz_read_mem_fn read, const uint8_t *data, size_t size)
{
    sigmix_read_options o;
    sigmix_table *t = NULL;
    sigmix_error err = { 0 };
    sigmix_read_options_default(&o);
    o.threads = 2;
    if (!read(data, size, &o, &t, &err)) {
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
