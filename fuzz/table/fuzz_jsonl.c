/* libFuzzer target: the jsonl reader over arbitrary bytes (in memory). */
#include "fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_text_reader(sigmix_jsonl_read_mem, data, size);
}
