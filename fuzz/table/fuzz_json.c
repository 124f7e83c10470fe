/* libFuzzer target: the json reader over arbitrary bytes (in memory), and
 * its fast path (key prediction and direct stores in the simdjson shim)
 * against the general one: the same table or the same error message. */
#include <string.h>

#include "fuzz_text.h"
#include "fuzz_same_tables.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fast_vs_general(sigmix_json_read_mem, sigmix_json_read_mem_general, data, size);
    return fuzz_text_reader(sigmix_json_read_mem, data, size);
}
