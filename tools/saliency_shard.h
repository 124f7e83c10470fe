/*
 * The CLI side of sharded saliency runs: which shard this process is
 * (flags or the batch system's environment), writing OUT.shard-K-of-N.jsonl
 * and loading every shard file for --merge.
 */
#ifndef SIGMIX_TOOLS_SALIENCY_SHARD_H
#define SIGMIX_TOOLS_SALIENCY_SHARD_H

#include <stdio.h>

#include "sigmix/saliency.h"
#include "saliency/shard.h"

typedef struct sal_shard_opts {
    int  k, n;          /* this process's shard; n == 0: not sharded */
    int  shards;        /* --shards N (0: not given) */
    int  given;         /* --shard K/N was given */
    int  merge, no_env;
    char from[200];     /* where k/n came from, for the stderr line */
} sal_shard_opts;

/** After parsing: take the shard from the environment unless told not to,
 *  and check the flags agree. 0, or 2 after one line on stderr. */
int   sal_shard_resolve(sal_shard_opts *o);

/** "OUT.shard-K-of-N.jsonl" (suffix "" ) or "OUT.shard-K-of-N.partial.jsonl"; malloc'd. */
char *sal_shard_path(const char *out, int k, int n, int partial);

/** Collects a shard's clip lines (the run's on_clip callback). */
typedef struct sal_shard_writer {
    FILE  *mem;
    char  *buf;
    size_t len, clips, ok, failed;
    int    oom;
} sal_shard_writer;

int  sal_shard_writer_init(sal_shard_writer *w);
void sal_shard_on_clip(void *cookie, const sigmix_saliency_clip *c);
/** Write header + lines to path atomically; releases w. 0 or 2 (message printed). */
int  sal_shard_writer_commit(sal_shard_writer *w, const char *path, const sal_shard_header *h,
                             const char *model_id);
void sal_shard_writer_free(sal_shard_writer *w);

/**
 * --merge: read every OUT.shard-*-of-N.jsonl (N: o->shards, else the only
 * count found), check each against want (input, configuration, model),
 * refuse a duplicated shard, say which are missing. On success set holds
 * every result, *found the shards read, *n the count. 0 or 2.
 */
int  sal_shard_load_all(const char *out, int shards, const sal_shard_header *want,
                        sigmix_saliency_shard_set *set, int *found, int *n);

/**
 * A rerun of shard K (e.g. a requeued task whose first run finished):
 * results of a matching existing shard file go into set. Missing,
 * unreadable or mismatching files give an empty set. Returns how many.
 */
size_t sal_shard_load_own(const char *path, const sal_shard_header *want,
                          sigmix_saliency_shard_set *set);

#endif
