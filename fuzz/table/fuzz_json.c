/* libFuzzer target: the json reader over arbitrary bytes (in memory), and
 * its fast path (key prediction and direct stores in the simdjson shim)
 * against the general one: the same table or the same error message. */
#include <string.h>

#include "fuzz_text.h"
#include "fuzz_same_tables.h"

static void fast_vs_general(const uint8_t *data, size_t size)
{
    sigmix_read_options o;
    sigmix_table *a = NULL, *b = NULL;
    sigmix_error ea = { 0 }, eb = { 0 };
    sigmix_read_options_default(&o);
    o.threads = 1;
    int ra = sigmix_json_read_mem(data, size, &o, &a, &ea);
    int rb = sigmix_json_read_mem_general(data, size, &o, &b, &eb);
    same_reads(ra, &ea, &a, rb, &eb, &b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fast_vs_general(data, size);
    return fuzz_text_reader(sigmix_json_read_mem, data, size);
}
