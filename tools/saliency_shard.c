/*
 * Sharded `sigmix saliency`: which shard this process is, from the flags
 * or the batch system (Slurm job arrays, Kubernetes Indexed Jobs). The
 * decision is the library's sigmix_shard_select, shared with vmaf-logs, so
 * both commands read the environment the same way; the shard files
 * themselves are the library's too (sigmix/saliency.h).
 */
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "saliency_shard.h"

int sal_shard_resolve(sal_shard_opts *o)
{
    sigmix_error e = { 0 };
    if (!sigmix_shard_select(o, getenv, &e))
        return 0;
    /* Contradicting flags are usage errors; an environment that names no
     * shard is the batch system's, told as it is. */
    if (e.code == SIGMIX_EINVAL)
        return cmd_usage("saliency", "%s", e.message);
    fprintf(stderr, "sigmix: saliency: %s\n", e.message);
    return 2;
}
