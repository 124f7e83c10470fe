/*
 * Sharding shared by every sharded command: the item -> shard function,
 * the shard choice from flags and the batch system's environment, and the
 * shard files beside an output. See sigmix/shard.h.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/sha2.h>

#include "sigmix/shard.h"
#include "util/error.h"
#include "util/sha256.h"

static void digest(const char *tag, const char *const *parts, size_t nparts,
                   uint8_t d[SHA256_DIGEST_SIZE])
{
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    if (tag)
        sha256_update(&ctx, strlen(tag) + 1, (const uint8_t *)tag);
    for (size_t i = 0; i < nparts; i++)
        sha256_update(&ctx, strlen(parts[i]) + 1, (const uint8_t *)parts[i]);
    sha256_digest(&ctx, SHA256_DIGEST_SIZE, d);
}

int sigmix_shard_of(const char *const *parts, size_t nparts, int n)
{
    if (n < 1 || (nparts && !parts))
        return 0;
    for (size_t i = 0; i < nparts; i++)
        if (!parts[i])
            return 0;
    /* A cryptographic hash only because it is fixed forever and already
     * linked: the partition must be the same on every machine and release. */
    uint8_t d[SHA256_DIGEST_SIZE];
    digest("sigmix-shard-1", parts, nparts, d);
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | d[i];
    return (int)(v % (uint64_t)n);
}

void sigmix_shard_digest(const char *const *parts, size_t nparts, char hex[65])
{
    uint8_t d[SHA256_DIGEST_SIZE];
    digest(NULL, parts, nparts, d);
    sigmix_sha256_hex(d, hex);
}

/* Digits only, no sign or space; -1 when not a number or above max. */
static long digits(const char *s, const char **end, long max)
{
    if (*s < '0' || *s > '9')
        return -1;
    long x = 0;
    while (*s >= '0' && *s <= '9') {
        x = x * 10 + (*s++ - '0');
        if (x > max)
            return -1;
    }
    *end = s;
    return x;
}

int sigmix_shard_parse(const char *text, int *k, int *n)
{
    const char *e;
    long a = text ? digits(text, &e, SIGMIX_SHARD_MAX) : -1;
    if (a < 0 || *e != '/')
        return SIGMIX_EINVAL;
    long b = digits(e + 1, &e, SIGMIX_SHARD_MAX);
    if (b < 1 || *e || a >= b)
        return SIGMIX_EINVAL;
    *k = (int)a;
    *n = (int)b;
    return 0;
}

/* A non-negative decimal environment value; -1 unset/empty, -2 malformed. */
static long env_num(char *(*env)(const char *), const char *name)
{
    const char *v = env ? env(name) : NULL;
    if (!v || !*v)
        return -1;
    const char *e;
    long x = digits(v, &e, 1L << 40);
    return x < 0 || *e ? -2 : x;
}

static int from_slurm(sigmix_shard_choice *c, char *(*env)(const char *),
                      sigmix_error *err)
{
    long id = env_num(env, "SLURM_ARRAY_TASK_ID"), count = env_num(env, "SLURM_ARRAY_TASK_COUNT");
    long min = env_num(env, "SLURM_ARRAY_TASK_MIN"), max = env_num(env, "SLURM_ARRAY_TASK_MAX");
    if (id == -2 || count == -2 || min == -2 || max == -2)
        return sigmix_error_set(err, SIGMIX_EFORMAT, "a SLURM_ARRAY_TASK_* variable is not a "
                                "number (use --shard K/N or --no-shard-env)");
    long span = min >= 0 && max >= min ? max - min + 1 : -1;
    if (count < 0 && span < 0)
        return sigmix_error_set(err, SIGMIX_EFORMAT, "SLURM_ARRAY_TASK_ID is set but neither "
                                "SLURM_ARRAY_TASK_COUNT nor SLURM_ARRAY_TASK_MIN/MAX (use "
                                "--shard K/N or --no-shard-env)");
    long n = count >= 0 ? count : span;
    /* Shards are 0..N-1: an array with gaps or steps cannot say which. */
    if (count >= 0 && span >= 0 && count != span)
        return sigmix_error_set(err, SIGMIX_EFORMAT, "the Slurm array is not contiguous "
                                "(SLURM_ARRAY_TASK_COUNT differs from MAX - MIN + 1); use "
                                "--array=0-N-1 or --shard K/N");
    long k = id - (min >= 0 ? min : 0);
    if (n < 1 || n > SIGMIX_SHARD_MAX || k < 0 || k >= n)
        return sigmix_error_set(err, SIGMIX_EFORMAT, "SLURM_ARRAY_TASK_ID does not fit the "
                                "array (expected SLURM_ARRAY_TASK_MIN..MAX, at most 100000 "
                                "tasks)");
    if (c->shards && c->shards != n)
        return sigmix_error_set(err, SIGMIX_EFORMAT, "--shards differs from the Slurm "
                                "array's task count");
    c->k = (int)k;
    c->n = (int)n;
    if (count >= 0)
        snprintf(c->from, sizeof c->from, "SLURM_ARRAY_TASK_ID=%ld, SLURM_ARRAY_TASK_COUNT=%ld%s",
                 id, count, min > 0 ? ", minus SLURM_ARRAY_TASK_MIN" : "");
    else
        snprintf(c->from, sizeof c->from, "SLURM_ARRAY_TASK_ID=%ld, SLURM_ARRAY_TASK_MIN=%ld, "
                 "SLURM_ARRAY_TASK_MAX=%ld", id, min, max);
    return 0;
}

int sigmix_shard_select(sigmix_shard_choice *c, char *(*env)(const char *name),
                        sigmix_error *err)
{
    sigmix_error_clear(err); /* contract: common.h */
    if (!c)
        return sigmix_error_set(err, SIGMIX_EINVAL, "no shard choice");
    c->from[0] = '\0';
    if (!c->given)
        c->k = c->n = 0;
    if (c->merge) {
        if (c->given)
            return sigmix_error_set(err, SIGMIX_EINVAL, "--merge and --shard exclude each other");
        return 0; /* the merge is one job: the environment does not apply */
    }
    if (c->given) {
        if (c->shards && c->shards != c->n)
            return sigmix_error_set(err, SIGMIX_EINVAL, "--shards differs from the N of "
                                    "--shard K/N");
        snprintf(c->from, sizeof c->from, "--shard %d/%d", c->k, c->n);
        return 0;
    }
    if (!c->no_env && env) {
        if (env_num(env, "SLURM_ARRAY_TASK_ID") != -1)
            return from_slurm(c, env, err);
        long idx = env_num(env, "JOB_COMPLETION_INDEX");
        if (idx == -2)
            return sigmix_error_set(err, SIGMIX_EFORMAT, "JOB_COMPLETION_INDEX is not a number "
                                    "(use --shard K/N or --no-shard-env)");
        if (idx >= 0) {
            if (!c->shards)
                return sigmix_error_set(err, SIGMIX_EFORMAT, "JOB_COMPLETION_INDEX is set "
                                        "(Kubernetes Indexed Job) but --shards N is not; give "
                                        "the Job's completions as --shards N, or "
                                        "--no-shard-env");
            if (idx >= c->shards)
                return sigmix_error_set(err, SIGMIX_EFORMAT, "JOB_COMPLETION_INDEX is not "
                                        "below --shards N");
            c->k = (int)idx;
            c->n = c->shards;
            snprintf(c->from, sizeof c->from, "JOB_COMPLETION_INDEX=%ld, --shards %d", idx,
                     c->shards);
            return 0;
        }
    }
    if (c->shards)
        return sigmix_error_set(err, SIGMIX_EINVAL, "--shards N needs a shard index: --shard "
                                "K/N, SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX (or --merge)");
    return 0;
}

char *sigmix_shard_path(const char *out, int k, int n)
{
    size_t len = strlen(out) + 64;
    char *p = malloc(len);
    if (p)
        snprintf(p, len, "%s.shard-%d-of-%d.jsonl", out, k, n);
    return p;
}

/* "BASE.shard-K-of-N.jsonl" exactly. */
static int parse_name(const char *name, const char *base, int *k, int *n)
{
    size_t bl = strlen(base);
    if (strncmp(name, base, bl) || strncmp(name + bl, ".shard-", 7))
        return -1;
    const char *p = name + bl + 7;
    long a = digits(p, &p, SIGMIX_SHARD_MAX);
    if (a < 0 || strncmp(p, "-of-", 4))
        return -1;
    long b = digits(p + 4, &p, SIGMIX_SHARD_MAX);
    if (b < 1 || a >= b || strcmp(p, ".jsonl"))
        return -1;
    *k = (int)a;
    *n = (int)b;
    return 0;
}

static int cmp_file(const void *a, const void *b)
{
    const sigmix_shard_file *x = a, *y = b;
    if (x->k != y->k)
        return x->k < y->k ? -1 : 1;
    return strcmp(x->path, y->path);
}

void sigmix_shard_list_free(sigmix_shard_file *files, size_t nfiles)
{
    for (size_t i = 0; files && i < nfiles; i++)
        free(files[i].path);
    free(files);
}

int sigmix_shard_list(const char *out, sigmix_shard_file **files, size_t *nfiles,
                      sigmix_error *err)
{
    sigmix_error_clear(err); /* contract: common.h */
    *files = NULL;
    *nfiles = 0;
    const char *slash = strrchr(out, '/');
    char *dir = slash ? strndup(out, (size_t)(slash - out + (slash == out))) : strdup(".");
    const char *base = slash ? slash + 1 : out;
    if (!dir)
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    DIR *d = opendir(dir);
    if (!d) {
        int e = errno;
        free(dir);
        return sigmix_error_set(err, SIGMIX_EIO, "cannot list the folder of the shard files: %s",
                                strerror(e));
    }
    sigmix_shard_file *f = NULL;
    size_t n = 0, cap = 0;
    int r = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        int k, sn;
        if (parse_name(e->d_name, base, &k, &sn))
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 16;
            sigmix_shard_file *nf = realloc(f, cap * sizeof *nf);
            if (!nf) {
                r = SIGMIX_ENOMEM;
                break;
            }
            f = nf;
        }
        size_t pl = strlen(dir) + strlen(e->d_name) + 2;
        char *full = malloc(pl);
        if (!full) {
            r = SIGMIX_ENOMEM;
            break;
        }
        snprintf(full, pl, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", e->d_name);
        f[n++] = (sigmix_shard_file){ full, k, sn };
    }
    closedir(d);
    free(dir);
    if (r) {
        sigmix_shard_list_free(f, n);
        return sigmix_error_set(err, r, "out of memory");
    }
    if (n)
        qsort(f, n, sizeof *f, cmp_file);
    *files = f;
    *nfiles = n;
    return 0;
}
