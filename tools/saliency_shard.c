/*
 * Sharded `sigmix saliency`: which shard this process is, from the flags
 * or the batch system (Slurm job arrays, Kubernetes Indexed Jobs). The
 * shard files themselves are the library's (sigmix/saliency.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "saliency_shard.h"

/* ---- which shard ---------------------------------------------------------- */

/* A non-negative decimal environment value; -1 unset/empty, -2 malformed. */
static long env_num(const char *name)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return -1;
    char *e;
    errno = 0;
    long x = strtol(v, &e, 10);
    if (*e || errno || x < 0 || v[0] == '-' || v[0] == '+' || v[0] == ' ')
        return -2;
    return x;
}

static int env_error(const char *msg, const char *a)
{
    fprintf(stderr, "sigmix: saliency: ");
    fprintf(stderr, msg, a);
    fputc('\n', stderr);
    return 2;
}

static int from_slurm(sal_shard_opts *o)
{
    long id = env_num("SLURM_ARRAY_TASK_ID"), count = env_num("SLURM_ARRAY_TASK_COUNT");
    long min = env_num("SLURM_ARRAY_TASK_MIN"), max = env_num("SLURM_ARRAY_TASK_MAX");
    if (id == -2 || count == -2 || min == -2 || max == -2)
        return env_error("%s", "a SLURM_ARRAY_TASK_* variable is not a number (use --shard K/N "
                         "or --no-shard-env)");
    long span = min >= 0 && max >= min ? max - min + 1 : -1;
    if (count < 0 && span < 0)
        return env_error("%s", "SLURM_ARRAY_TASK_ID is set but neither SLURM_ARRAY_TASK_COUNT "
                         "nor SLURM_ARRAY_TASK_MIN/MAX (use --shard K/N or --no-shard-env)");
    long n = count >= 0 ? count : span;
    /* Shards are 0..N-1: an array with gaps or steps cannot say which. */
    if (count >= 0 && span >= 0 && count != span)
        return env_error("%s", "the Slurm array is not contiguous (SLURM_ARRAY_TASK_COUNT "
                         "differs from MAX - MIN + 1); use --array=0-N-1 or --shard K/N");
    long k = id - (min >= 0 ? min : 0);
    if (n < 1 || n > SIGMIX_SALIENCY_MAX_SHARDS || k < 0 || k >= n)
        return env_error("%s", "SLURM_ARRAY_TASK_ID does not fit the array (expected "
                         "SLURM_ARRAY_TASK_MIN..MAX, at most 100000 tasks)");
    if (o->shards && o->shards != n)
        return env_error("%s", "--shards differs from the Slurm array's task count");
    o->k = (int)k;
    o->n = (int)n;
    if (count >= 0)
        snprintf(o->from, sizeof o->from, "SLURM_ARRAY_TASK_ID=%ld, SLURM_ARRAY_TASK_COUNT=%ld%s",
                 id, count, min > 0 ? ", minus SLURM_ARRAY_TASK_MIN" : "");
    else
        snprintf(o->from, sizeof o->from, "SLURM_ARRAY_TASK_ID=%ld, SLURM_ARRAY_TASK_MIN=%ld, "
                 "SLURM_ARRAY_TASK_MAX=%ld", id, min, max);
    return 0;
}

int sal_shard_resolve(sal_shard_opts *o)
{
    if (o->merge) {
        if (o->given)
            return cmd_usage("saliency", "--merge and --shard exclude each other");
        return 0; /* the merge is one job: the environment does not apply */
    }
    if (o->given) {
        if (o->shards && o->shards != o->n)
            return cmd_usage("saliency", "--shards differs from the N of --shard K/N");
        snprintf(o->from, sizeof o->from, "--shard %d/%d", o->k, o->n);
        return 0;
    }
    if (!o->no_env) {
        if (env_num("SLURM_ARRAY_TASK_ID") != -1)
            return from_slurm(o);
        long idx = env_num("JOB_COMPLETION_INDEX");
        if (idx == -2)
            return env_error("%s", "JOB_COMPLETION_INDEX is not a number (use --shard K/N or "
                             "--no-shard-env)");
        if (idx >= 0) {
            if (!o->shards)
                return env_error("%s", "JOB_COMPLETION_INDEX is set (Kubernetes Indexed Job) "
                                 "but --shards N is not; give the Job's completions as "
                                 "--shards N, or --no-shard-env");
            if (idx >= o->shards)
                return env_error("%s", "JOB_COMPLETION_INDEX is not below --shards N");
            o->k = (int)idx;
            o->n = o->shards;
            snprintf(o->from, sizeof o->from, "JOB_COMPLETION_INDEX=%ld, --shards %d", idx,
                     o->shards);
            return 0;
        }
    }
    if (o->shards)
        return cmd_usage("saliency", "--shards N needs a shard index: --shard K/N, "
                         "SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX (or --merge)");
    return 0;
}
