/*
 * The CLI side of sharded saliency runs: which shard this process is
 * (flags or the batch system's environment), decided by the library's
 * sigmix_shard_select (sigmix/shard.h), the same code vmaf-logs uses.
 * Shard files and the merge are the library's (sigmix/saliency.h).
 */
#ifndef SIGMIX_TOOLS_SALIENCY_SHARD_H
#define SIGMIX_TOOLS_SALIENCY_SHARD_H

#include "sigmix/saliency.h"
#include "sigmix/shard.h"

/* k, n (n == 0: not sharded), shards (--shards N), given (--shard K/N),
 * merge, no_env, and from (where k/n came from, for the stderr line). */
typedef sigmix_shard_choice sal_shard_opts;

/** After parsing: take the shard from the environment unless told not to,
 *  and check the flags agree. 0, or 2 after one line on stderr. */
int sal_shard_resolve(sal_shard_opts *o);

#endif
