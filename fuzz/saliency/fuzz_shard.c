/*
 * Fuzz the shard file reader behind `sigmix saliency --merge`: arbitrary
 * bytes as OUT.shard-K-of-N.jsonl. Parsing must never crash; a file that is
 * accepted has exactly the clips its header announces, each findable.
 */
#include <stdint.h>
#include <stdlib.h>

#include "saliency/shard.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sigmix_saliency_shard_set set = { 0 };
    sal_shard_header h;
    char why[200];
    if (sigmix_sal_shard_parse((const char *)data, size, &h, &set, why, sizeof why) == 0) {
        if (set.n != h.clips || h.k < 0 || h.k >= h.n)
            abort();
        int a, b;
        if (sigmix_sal_shard_set_finish(&set, &a, &b) == 0)
            for (size_t i = 0; i < set.n; i++) {
                char hex[65];
                sigmix_sal_shard_key_hex(&set.r[i], hex);
                if (sigmix_sal_shard_find(&set, hex) != &set.r[i])
                    abort();
            }
    } else if (set.n) {
        abort(); /* a refused file adds nothing */
    }
    sigmix_sal_shard_set_free(&set);
    return 0;
}
