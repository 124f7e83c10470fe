/* Batch mode shared by the join commands (second-opinion, mos-labels). */
#include <stdio.h>
#include <string.h>

#include "sigmix/join.h"
#include "cmd.h"

const char *cmd_join_batch_misuse(const sigmix_batch_options *b, int single)
{
    if (single)
        return "--manifest runs the tables it lists; per-table options go in the manifest";
    if (!b->manifest)
        return "--base-dir, --fail-fast and the reports need --manifest";
    return NULL;
}

int cmd_join_batch_run(sigmix_batch_options *b, int kind, int argc, char **argv,
                       int threads_given)
{
    b->kind = kind;
    b->argc = argc - 1;
    b->argv = argv + 1;
    b->threads_given = threads_given;
    sigmix_batch_summary s;
    sigmix_error err;
    memset(&err, 0, sizeof err);
    if (sigmix_join_batch(b, &s, &err)) {
        fprintf(stderr, "sigmix: %s\n", err.message);
        return 2;
    }
    /* Each upstream batch runner's own summary line. */
    if (kind == SIGMIX_JOIN_MOS_LABELS)
        fprintf(stderr, "MOS-label batch materialize: tables=%zu input_rows=%llu "
                        "matched_rows=%llu failed_tables=%zu\n", s.tables,
                (unsigned long long)s.input_rows, (unsigned long long)s.matched_rows,
                s.failed_tables);
    else
        fprintf(stderr, "second-opinion batch materialize: tables=%zu input_rows=%llu "
                        "output_rows=%llu failed_tables=%zu\n", s.tables,
                (unsigned long long)s.input_rows, (unsigned long long)s.output_rows,
                s.failed_tables);
    return s.failed_tables ? 1 : 0;
}
