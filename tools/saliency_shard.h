/*
 * The CLI side of sharded saliency runs: which shard this process is
 * (flags or the batch system's environment). Shard files and the merge
 * are the library's (sigmix/saliency.h).
 */
#ifndef SIGMIX_TOOLS_SALIENCY_SHARD_H
#define SIGMIX_TOOLS_SALIENCY_SHARD_H

#include "sigmix/saliency.h"

typedef struct sal_shard_opts {
    int  k, n;          /* this process's shard; n == 0: not sharded */
    int  shards;        /* --shards N (0: not given) */
    int  given;         /* --shard K/N was given */
    int  merge, no_env;
    char from[200];     /* where k/n came from, for the stderr line */
} sal_shard_opts;

/** After parsing: take the shard from the environment unless told not to,
 *  and check the flags agree. 0, or 2 after one line on stderr. */
int sal_shard_resolve(sal_shard_opts *o);

#endif
