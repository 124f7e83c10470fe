/*
 * Sharded `sigmix saliency`: shard selection from flags or the batch
 * system (Slurm job arrays, Kubernetes Indexed Jobs), the shard file
 * writer, and the loader behind --merge.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "saliency_shard.h"
#include "util/atomic.h"

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
    if (n < 1 || n > SAL_MAX_SHARDS || k < 0 || k >= n)
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
            return env_error("%s", "--merge and --shard exclude each other (try 'sigmix "
                             "saliency --help')");
        return 0; /* the merge is one job: the environment does not apply */
    }
    if (o->given) {
        if (o->shards && o->shards != o->n)
            return env_error("%s", "--shards differs from the N of --shard K/N");
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
        return env_error("%s", "--shards N needs a shard index: --shard K/N, "
                         "SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX (or --merge)");
    return 0;
}

char *sal_shard_path(const char *out, int k, int n, int partial)
{
    size_t len = strlen(out) + 64;
    char *p = malloc(len);
    if (p)
        snprintf(p, len, "%s.shard-%d-of-%d%s.jsonl", out, k, n, partial ? ".partial" : "");
    return p;
}

/* ---- writing a shard file -------------------------------------------------- */

int sal_shard_writer_init(sal_shard_writer *w)
{
    memset(w, 0, sizeof *w);
    w->mem = open_memstream(&w->buf, &w->len);
    return w->mem ? 0 : -1;
}

void sal_shard_on_clip(void *cookie, const sigmix_saliency_clip *c)
{
    sal_shard_writer *w = cookie;
    char *line = sigmix_sal_shard_clip_line(c);
    if (!line || fputs(line, w->mem) == EOF)
        w->oom = 1;
    free(line);
    w->clips++;
    if (c->status == SIGMIX_SAL_OK)
        w->ok++;
    else
        w->failed++;
}

void sal_shard_writer_free(sal_shard_writer *w)
{
    if (w->mem)
        fclose(w->mem);
    free(w->buf);
    memset(w, 0, sizeof *w);
}

int sal_shard_writer_commit(sal_shard_writer *w, const char *path, const sal_shard_header *h,
                            const char *model_id)
{
    sigmix_error err = { 0 };
    int bad = fclose(w->mem) != 0 || w->oom;
    w->mem = NULL;
    char *head = bad ? NULL : sigmix_sal_shard_header_line(h, model_id);
    if (!head) {
        sal_shard_writer_free(w);
        fprintf(stderr, "sigmix: %s: out of memory\n", path);
        return 2;
    }
    sigmix_atomic a;
    int r = sigmix_atomic_open(&a, path, 1, &err);
    if (!r) {
        fputs(head, a.f);
        if (w->len)
            fwrite(w->buf, 1, w->len, a.f);
        r = sigmix_atomic_commit(&a, &err);
    }
    free(head);
    sal_shard_writer_free(w);
    if (r) {
        fprintf(stderr, "sigmix: %s: %s\n", path, err.message);
        return 2;
    }
    return 0;
}

/* ---- reading shard files ----------------------------------------------------- */

/* Whole regular file into memory; NULL with why. */
static char *slurp(const char *path, size_t *len, const char **why)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    char *buf = NULL;
    *why = NULL;
    if (fd < 0) {
        *why = strerror(errno);
        return NULL;
    }
    if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        *why = "not a regular file";
        close(fd);
        return NULL;
    }
    size_t n = (size_t)st.st_size, got = 0;
    buf = malloc(n ? n : 1);
    while (buf && got < n) {
        ssize_t k = read(fd, buf + got, n - got);
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    close(fd);
    if (!buf || got != n) {
        *why = buf ? "cannot read it" : "out of memory";
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

static const char *mismatch(const sal_shard_header *h, const sal_shard_header *want)
{
    if (strcmp(h->input_sha, want->input_sha))
        return "made from another input";
    if (strcmp(h->config_sha, want->config_sha))
        return "made with another configuration";
    if (strcmp(h->model_sha, want->model_sha))
        return "made with another model";
    return NULL;
}

static const char *short_sha(const char *s)
{
    return s[0] ? s : "(built-in model)";
}

size_t sal_shard_load_own(const char *path, const sal_shard_header *want,
                          sigmix_saliency_shard_set *set)
{
    size_t len;
    const char *why;
    char msg[160];
    char *buf = slurp(path, &len, &why);
    sal_shard_header h;
    if (!buf)
        return 0;
    int a, b;
    if (sigmix_sal_shard_parse(buf, len, &h, set, msg, sizeof msg) || mismatch(&h, want)
        || h.k != want->k || h.n != want->n || sigmix_sal_shard_set_finish(set, &a, &b))
        sigmix_sal_shard_set_free(set);
    free(buf);
    return set->n;
}

typedef struct found_file {
    char *name;
    int   k, n;
} found_file;

/* "BASE.shard-K-of-N.jsonl" exactly; digits only (leading zeros allowed). */
static int parse_name(const char *name, const char *base, int *k, int *n)
{
    size_t bl = strlen(base);
    if (strncmp(name, base, bl) || strncmp(name + bl, ".shard-", 7))
        return -1;
    const char *p = name + bl + 7;
    long v[2];
    for (int i = 0; i < 2; i++) {
        if (*p < '0' || *p > '9')
            return -1;
        long x = 0;
        while (*p >= '0' && *p <= '9') {
            x = x * 10 + (*p++ - '0');
            if (x > SAL_MAX_SHARDS)
                return -1;
        }
        v[i] = x;
        if (i == 0 && strncmp(p, "-of-", 4))
            return -1;
        p += i == 0 ? 4 : 0;
    }
    if (strcmp(p, ".jsonl") || v[1] < 1 || v[0] >= v[1])
        return -1;
    *k = (int)v[0];
    *n = (int)v[1];
    return 0;
}

static int cmp_found(const void *a, const void *b)
{
    const found_file *x = a, *y = b;
    if (x->k != y->k)
        return x->k < y->k ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* The shard files beside out; *nf files, malloc'd. */
static int list_shards(const char *dir, const char *base, found_file **out, size_t *nf)
{
    DIR *d = opendir(dir);
    found_file *f = NULL;
    size_t n = 0, cap = 0;
    if (!d)
        return -1;
    struct dirent *e;
    while ((e = readdir(d))) {
        int k, sn;
        if (parse_name(e->d_name, base, &k, &sn))
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 16;
            found_file *nfp = realloc(f, cap * sizeof *nfp);
            if (!nfp)
                break;
            f = nfp;
        }
        size_t pl = strlen(dir) + strlen(e->d_name) + 2;
        char *full = malloc(pl);
        if (!full)
            break;
        snprintf(full, pl, "%s/%s", dir, e->d_name);
        f[n++] = (found_file){ full, k, sn };
    }
    closedir(d);
    *out = f;
    *nf = n;
    return 0;
}

static void free_found(found_file *f, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(f[i].name);
    free(f);
}

int sal_shard_load_all(const char *out, int shards, const sal_shard_header *want,
                       sigmix_saliency_shard_set *set, int *found, int *nout)
{
    const char *slash = strrchr(out, '/');
    char *dir = slash ? strndup(out, (size_t)(slash - out + (slash == out))) : strdup(".");
    const char *base = slash ? slash + 1 : out;
    found_file *f = NULL;
    size_t nf = 0;
    int status = 2;
    unsigned char *seen = NULL;
    char **seen_name = NULL;
    *found = 0;
    if (!dir || list_shards(dir, base, &f, &nf)) {
        fprintf(stderr, "sigmix: %s: cannot list the folder of the shard files\n", out);
        free(dir);
        return 2;
    }
    free(dir);
    /* Which N: the one given, else the only one present. */
    int n = shards;
    for (size_t i = 0; !shards && i < nf; i++) {
        if (n && f[i].n != n) {
            fprintf(stderr, "sigmix: %s: shard files of different counts (%d and %d); say "
                    "which with --shards N\n", out, n, f[i].n);
            goto done;
        }
        n = f[i].n;
    }
    if (!n) {
        fprintf(stderr, "sigmix: %s: --merge found no shard files (%s.shard-K-of-N.jsonl)\n",
                out, out);
        goto done;
    }
    qsort(f, nf, sizeof *f, cmp_found);
    seen = calloc((size_t)n, 1);
    seen_name = calloc((size_t)n, sizeof *seen_name);
    if (!seen || !seen_name) {
        fprintf(stderr, "sigmix: %s: out of memory\n", out);
        goto done;
    }
    for (size_t i = 0; i < nf; i++) {
        if (f[i].n != n)
            continue; /* another count, not asked for */
        size_t len;
        const char *why;
        char msg[200];
        sal_shard_header h;
        char *buf = slurp(f[i].name, &len, &why);
        if (!buf) {
            fprintf(stderr, "sigmix: %s: %s\n", f[i].name, why);
            goto done;
        }
        int r = sigmix_sal_shard_parse(buf, len, &h, set, msg, sizeof msg);
        free(buf);
        if (r) {
            fprintf(stderr, "sigmix: %s: %s\n", f[i].name, msg);
            goto done;
        }
        /* The header says which shard it holds: a renamed copy is a duplicate. */
        if (h.n != n) {
            fprintf(stderr, "sigmix: %s: holds shard %d of %d, not of %d (line 1)\n",
                    f[i].name, h.k, h.n, n);
            goto done;
        }
        if (seen[h.k]) {
            fprintf(stderr, "sigmix: %s: shard %d of %d twice: %s and %s\n", out, h.k, n,
                    seen_name[h.k], f[i].name);
            goto done;
        }
        seen[h.k] = 1;
        seen_name[h.k] = f[i].name;
        const char *bad = mismatch(&h, want);
        if (bad) {
            const char *a = h.input_sha, *b = want->input_sha;
            if (!strcmp(h.input_sha, want->input_sha)) {
                a = strcmp(h.config_sha, want->config_sha) ? h.config_sha : h.model_sha;
                b = strcmp(h.config_sha, want->config_sha) ? want->config_sha : want->model_sha;
            }
            fprintf(stderr, "sigmix: %s: shard %d of %d was %s (sha256 %.12s, this run "
                    "%.12s); rerun it or merge with the same options\n", f[i].name, h.k, n,
                    bad, short_sha(a), short_sha(b));
            goto done;
        }
        (*found)++;
    }
    int da, db;
    if (sigmix_sal_shard_set_finish(set, &da, &db)) {
        fprintf(stderr, "sigmix: %s: shards %d and %d of %d hold the same clip\n", out, da,
                db, n);
        goto done;
    }
    if (*found < n) {
        /* One line naming every missing shard; the merge computes them. */
        fprintf(stderr, "sigmix: saliency: merge: shard%s", n - *found > 1 ? "s" : "");
        int listed = 0;
        for (int k = 0; k < n; k++)
            if (!seen[k]) {
                if (listed < 50)
                    fprintf(stderr, "%s%d", listed ? ", " : " ", k);
                listed++;
            }
        if (listed > 50)
            fprintf(stderr, ", ... (%d in all)", listed);
        fprintf(stderr, " of %d missing (%s.shard-K-of-%d.jsonl); computing their clips here\n",
                n, out, n);
    }
    *nout = n;
    status = 0;
done:
    if (status)
        sigmix_sal_shard_set_free(set);
    free(seen);
    free(seen_name);
    free_found(f, nf);
    return status;
}
