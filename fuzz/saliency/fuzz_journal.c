/*
 * Fuzz the resume-journal reader: arbitrary bytes as OUTPUT.partial.jsonl.
 * Loading must never crash, and every loaded entry must be findable.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "saliency/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/sigmix-fuzz-journal-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return 0;
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        unlink(path);
        return 0;
    }
    close(fd);
    sal_journal j;
    if (sigmix_sal_journal_load(path, &j, NULL) == 0) {
        for (size_t i = 0; i < j.n; i++)
            if (!sigmix_sal_journal_find(&j, j.e[i].key))
                abort();
        sigmix_sal_journal_free(&j);
    }
    unlink(path);
    return 0;
}
