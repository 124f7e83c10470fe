/* Batch mode shared by the join commands (second-opinion, mos-labels). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
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

int cmd_join_option(const char *cmd, int c, char **argv, sigmix_batch_options *b,
                    cmd_join_common *jc, void (*help)(FILE *))
{
    switch (c) {
    case 'j': {
        char *end;
        errno = 0;
        long v = strtol(optarg, &end, 10);
        if (!*optarg || *end || errno || v < 0 || v > 256)
            return cmd_usage(cmd, "bad --threads value '%s'", optarg);
        jc->threads = b->threads = (int)v;
        jc->threads_given = 1;
        return -1;
    }
    case CMD_JOIN_O_MAN: b->manifest = optarg; break;
    case CMD_JOIN_O_BASE: b->base_dir = optarg; break;
    case CMD_JOIN_O_FF: b->fail_fast = 1; break;
    case CMD_JOIN_O_RJ: b->report_json = optarg; break;
    case CMD_JOIN_O_RM: b->report_md = optarg; break;
    case 'h': help(stdout); return 0;
    case ':': return cmd_usage(cmd, "option '%s' needs a value", argv[optind - 1]);
    default: return cmd_usage(cmd, "unknown option '%s'", argv[optind - 1]);
    }
    jc->batch = 1;
    return -1;
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
