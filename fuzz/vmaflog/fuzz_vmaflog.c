/* libFuzzer target: every vmaf log reader (sniffed from the bytes), then
 * pooling, over arbitrary input. Copies into a padded buffer as the file
 * reader does, so an over-read past the input shows up under ASan. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sigmix/vmaflog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static sigmix_vmaflog_reader *rd;
    if (!rd && sigmix_vmaflog_reader_new(&rd))
        return 0;
    char *buf = malloc(size + SIGMIX_VMAFLOG_PADDING);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    memset(buf + size, 0, SIGMIX_VMAFLOG_PADDING);
    sigmix_vmaflog *log = NULL;
    sigmix_error err = { 0 };
    sigmix_vmaflog_options o = { .keep_names = size & 1 };
    if (!sigmix_vmaflog_parse(rd, buf, size, &o, &log, &err)) {
        static const sigmix_vmaflog_stat all[] = {
            SIGMIX_VMAFLOG_MEAN, SIGMIX_VMAFLOG_STD, SIGMIX_VMAFLOG_MIN, SIGMIX_VMAFLOG_MAX,
            SIGMIX_VMAFLOG_P10, SIGMIX_VMAFLOG_P90, SIGMIX_VMAFLOG_HMEAN,
        };
        sigmix_vmaflog_table_options to = { .per_frame = (size >> 1) & 1, .stats = all,
                                            .nstats = 7 };
        sigmix_vmaflog_table *vt = NULL;
        if (!sigmix_vmaflog_table_new(&to, &vt)) {
            sigmix_error e2 = { 0 };
            sigmix_vmaflog_table_add(vt, "k", log, NULL, &e2);
            sigmix_vmaflog_table_free(&vt);
        }
        sigmix_vmaflog_free(&log);
    }
    free(buf);
    return 0;
}
