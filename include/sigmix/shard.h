/*
 * sigmix — sharding per-item work across processes (Slurm job arrays,
 * Kubernetes Indexed Jobs, or N processes by hand), shared by every
 * command that shards (saliency, vmaf-logs).
 *
 *  - sigmix_shard_of: which shard an item belongs to, a fixed function of
 *    the item's identity (the same on every machine and release), so the
 *    partition does not depend on row order, --jobs or the host;
 *  - sigmix_shard_parse / sigmix_shard_select: which shard this process
 *    is, from --shard K/N, --shards N and the batch system's environment;
 *  - sigmix_shard_path / sigmix_shard_list: the shard files beside an
 *    output, OUT.shard-K-of-N.jsonl.
 *
 * Errors: 0 or a negative SIGMIX_E* code with err filled (the message has
 * no "sigmix:" prefix; callers add the command). Nothing here reads or
 * changes process-wide state: the environment is read only through the
 * getenv function the caller passes. All functions are reentrant.
 */
#ifndef SIGMIX_SHARD_H
#define SIGMIX_SHARD_H

#include <stddef.h>

#include "sigmix/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Bound on N, so names and counters stay small. */
#define SIGMIX_SHARD_MAX 100000

/**
 * The shard (0..n-1) of an item identified by parts[0..nparts): the first
 * 8 bytes (big-endian) of SHA-256("sigmix-shard-1\0" part0 "\0" part1
 * "\0" ...) modulo n. n < 1 or a NULL part gives 0.
 */
SIGMIX_API int sigmix_shard_of(const char *const *parts, size_t nparts, int n);

/**
 * SHA-256 (64 lowercase hex digits and a NUL in hex) of parts, each
 * followed by a NUL byte: the fingerprint shard files carry of a run's
 * input and configuration.
 */
SIGMIX_API void sigmix_shard_digest(const char *const *parts, size_t nparts, char hex[65]);

/** Parse "K/N" (decimal, 0 <= K < N <= SIGMIX_SHARD_MAX). 0 or SIGMIX_EINVAL. */
SIGMIX_API int sigmix_shard_parse(const char *text, int *k, int *n);

/** Which shard a process is: the flags in, the decision out. */
typedef struct sigmix_shard_choice {
    /* in */
    int  given;     /**< --shard K/N was given (k, n hold it) */
    int  shards;    /**< --shards N, 0 when not given */
    int  merge;     /**< --merge */
    int  no_env;    /**< --no-shard-env */
    /* in (given) / out */
    int  k, n;      /**< the shard; n == 0: not sharded */
    char from[200]; /**< out: where k/n came from, for the stderr line */
} sigmix_shard_choice;

/**
 * Resolve c: --shard wins; else, unless no_env or merge, SLURM_ARRAY_TASK_ID
 * with SLURM_ARRAY_TASK_COUNT (or _MIN/_MAX; arrays with steps or gaps are
 * refused), else JOB_COMPLETION_INDEX with --shards N. env is the lookup
 * (getenv, or a test's table); NULL reads nothing. Returns 0, or
 * SIGMIX_EINVAL for contradicting flags (a usage error) and SIGMIX_EFORMAT
 * for an environment that does not name a shard.
 */
SIGMIX_API int sigmix_shard_select(sigmix_shard_choice *c, char *(*env)(const char *name),
                                   sigmix_error *err);

/** "OUT.shard-K-of-N.jsonl", malloc'd (release with free), or NULL. */
SIGMIX_API char *sigmix_shard_path(const char *out, int k, int n);

/** One shard file found beside an output. */
typedef struct sigmix_shard_file {
    char *path; /**< folder + name */
    int   k, n; /**< from the name */
} sigmix_shard_file;

/**
 * Every file named OUT.shard-K-of-N.jsonl (digits only; leading zeros
 * allowed, so "shard-01" and "shard-1" are both found and are duplicates
 * of each other) in OUT's folder, sorted by K then name. *files is
 * malloc'd; release with sigmix_shard_list_free. SIGMIX_EIO when the
 * folder cannot be read.
 */
SIGMIX_API int sigmix_shard_list(const char *out, sigmix_shard_file **files, size_t *nfiles,
                                 sigmix_error *err);
SIGMIX_API void sigmix_shard_list_free(sigmix_shard_file *files, size_t nfiles);

#ifdef __cplusplus
}
#endif

#endif /* SIGMIX_SHARD_H */
