/* libFuzzer target: the json reader over arbitrary bytes (in memory). */
#include "fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_text_reader(sigmix_json_read_mem, data, size);
}
