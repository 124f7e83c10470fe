/*
 * Fuzz target: a whole Parquet file. The reader takes a path, so each
 * input is written to one temporary file per process and read back with
 * one thread (deterministic) and with two (the threaded path).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "sigmix/table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64];
    if (!path[0])
        snprintf(path, sizeof path, "/tmp/sigmix-fuzz-pq-%ld.parquet", (long)getpid());
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    for (int threads = 1; threads <= 2; threads++) {
        sigmix_read_options o;
        sigmix_table *t = NULL;
        sigmix_error err = { 0, "" };
        sigmix_read_options_default(&o);
        o.threads = threads;
        if (sigmix_table_read(path, &o, &t, &err) == 0) {
            /* Touch every value so sanitizers see any bad pointer. */
            volatile size_t sum = 0;
            for (size_t c = 0; c < sigmix_table_cols(t); c++) {
                const sigmix_column *col = sigmix_table_col(t, c);
                for (size_t r = 0; r < sigmix_table_rows(t); r++)
                    if (col->valid[r] && col->str)
                        for (size_t k = 0; k < col->str[r].len; k++)
                            sum += (unsigned char)col->str[r].ptr[k];
            }
            (void)sum;
        } else if (!err.message[0]) {
            abort(); /* every failure must say why */
        }
        sigmix_table_free(&t);
    }
    unlink(path);
    return 0;
}
