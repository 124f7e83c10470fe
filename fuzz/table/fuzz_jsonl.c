/* libFuzzer target: the jsonl reader over arbitrary bytes (in memory),
 * its two-thread path against the serial one (with the part boundary at
 * a point the input picks) and its fast path (key prediction and direct
 * stores in the simdjson shim) against the general one: the same table
 * or the same error message. */
#include <string.h>

#include "fuzz_text.h"
#include "fuzz_same_tables.h"

static void split_vs_serial(const uint8_t *data, size_t size)
{
    sigmix_read_options o1, o2;
    sigmix_table *a = NULL, *b = NULL;
    sigmix_error ea = { 0 }, eb = { 0 };
    sigmix_read_options_default(&o1);
    o1.threads = 1;
    o2 = o1;
    o2.threads = 2;
    size_t split = size ? 1 + (size_t)data[size - 1] * size / 256 : 1;
    int ra = sigmix_jsonl_read_mem(data, size, &o1, &a, &ea);
    int rb = sigmix_jsonl_read_mem_split(data, size, &o2, split, &b, &eb);
    same_reads(ra, &ea, &a, rb, &eb, &b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    split_vs_serial(data, size);
    fast_vs_general(sigmix_jsonl_read_mem, sigmix_jsonl_read_mem_general, data, size);
    return fuzz_text_reader(sigmix_jsonl_read_mem, data, size);
}
