/* libFuzzer target: the vmaf-logs shard file reader over arbitrary bytes.
 * A file that parses is written back line by line and must parse again to
 * the same entries (the writer and the reader agree), and its logs go
 * through the table builder as a merge would use them. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sigmix/vmaflog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The parsed shard, or NULL with *code the reason (SIGMIX_ENOMEM when an
 * allocation failed, which the allocation-failure runs provoke). */
static sigmix_vmaflog_shard *parse(const char *data, size_t size, int *code)
{
    char *buf = malloc(size + SIGMIX_VMAFLOG_PADDING);
    *code = SIGMIX_ENOMEM;
    if (!buf)
        return NULL;
    memcpy(buf, data, size);
    memset(buf + size, 0, SIGMIX_VMAFLOG_PADDING);
    sigmix_vmaflog_shard *s = NULL;
    sigmix_error err = { 0 };
    *code = sigmix_vmaflog_shard_parse(buf, size, &s, &err);
    free(buf);
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int code;
    sigmix_vmaflog_shard *s = parse((const char *)data, size, &code);
    if (!s)
        return 0;
    const sigmix_vmaflog_shard_header *h = sigmix_vmaflog_shard_header_of(s);
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    if (f) {
        /* A failed allocation (the allocation-failure runs) cuts the text
         * short: then there is nothing to compare. */
        int written = !sigmix_vmaflog_shard_write_header(f, h);
        for (size_t i = 0; written && i < sigmix_vmaflog_shard_count(s); i++) {
            const sigmix_vmaflog_shard_entry *e = sigmix_vmaflog_shard_at(s, i);
            written = !(e->error ? sigmix_vmaflog_shard_write_error(f, e->index, e->path, e->error)
                                 : sigmix_vmaflog_shard_write_log(f, e->index, e->path, e->log,
                                                                  h->per_frame, e->pooled,
                                                                  h->nstats));
        }
        written = written && !ferror(f);
        if (fclose(f))
            written = 0;
        sigmix_vmaflog_shard *again = written ? parse(out, len, &code) : NULL;
        if (written && code != SIGMIX_ENOMEM
            && (!again || sigmix_vmaflog_shard_count(again) != sigmix_vmaflog_shard_count(s)))
            abort(); /* what the writer writes, the reader must read */
        sigmix_vmaflog_shard_free(&again);
        free(out);
    }
    static const sigmix_vmaflog_stat all[] = {
        SIGMIX_VMAFLOG_MEAN, SIGMIX_VMAFLOG_STD, SIGMIX_VMAFLOG_MIN, SIGMIX_VMAFLOG_MAX,
        SIGMIX_VMAFLOG_P10, SIGMIX_VMAFLOG_P90, SIGMIX_VMAFLOG_HMEAN,
    };
    sigmix_vmaflog_table_options to = { .per_frame = h->per_frame, .stats = all,
                                        .nstats = h->nstats <= 7 ? h->nstats : 7 };
    sigmix_vmaflog_table *vt = NULL;
    if (h->nstats <= 7 && !sigmix_vmaflog_table_new(&to, &vt)) {
        for (size_t i = 0; i < sigmix_vmaflog_shard_count(s); i++) {
            const sigmix_vmaflog_shard_entry *e = sigmix_vmaflog_shard_at(s, i);
            sigmix_error e2 = { 0 };
            if (e->log && (h->per_frame || h->nstats))
                sigmix_vmaflog_table_add(vt, "k", e->log, e->pooled, &e2);
        }
        sigmix_vmaflog_table_free(&vt);
    }
    sigmix_vmaflog_shard_free(&s);
    return 0;
}
