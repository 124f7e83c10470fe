/* libFuzzer target: the jsonl reader over arbitrary bytes (in memory). */
#include <stddef.h>
#include <stdint.h>

#include "sigmix/table.h"
#include "table/textread.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sigmix_read_options o;
    sigmix_table *t = NULL;
    sigmix_error err = { 0 };
    sigmix_read_options_default(&o);
    o.threads = 2;
    if (!sigmix_jsonl_read_mem(data, size, &o, &t, &err)) {
        /* touch every value so a bad pointer shows up under ASan */
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
