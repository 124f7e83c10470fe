/*
 * Shard files on disk: the writer a sharded run fills through on_clip, the
 * loader behind --merge and the reuse of a finished shard by a requeued
 * task. The line format and its strict parser are in shard.c.
 */
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "saliency/internal.h"
#include "saliency/shard.h"
#include "sigmix/output.h"
#include "sigmix/shard.h"
#include "sigmix/util.h"
#include "util/error.h"

int sigmix_saliency_parse_shard(const char *text, int *k, int *n)
{
    return text && k && n && !sigmix_sal_parse_shard(text, k, n) ? 0 : SIGMIX_EINVAL;
}

void sigmix_saliency_config_sha256(const sigmix_saliency_settings *s, char hex[65])
{
    sigmix_sal_config_sha256(s, hex);
}

int sigmix_saliency_hash_file(const char *path, char hex[65], uint64_t *size, sigmix_error *err)
{
    sigmix_error_clear(err); /* contract: common.h */
    uint64_t sz;
    return sigmix_sal_hash_file(path, hex, size ? size : &sz, err);
}

char *sigmix_saliency_shard_path(const char *out, int k, int n, int partial)
{
    if (!partial) /* the name sigmix_shard_list finds for --merge */
        return sigmix_shard_path(out, k, n);
    size_t len = strlen(out) + 64;
    char *p = malloc(len);
    if (p)
        snprintf(p, len, "%s.shard-%d-of-%d.partial.jsonl", out, k, n);
    return p;
}

/* ---- writing a shard file ------------------------------------------------ */

struct sigmix_saliency_shard_writer {
    FILE  *mem;
    char  *buf;
    size_t len, clips, ok, failed;
    int    oom;
};

int sigmix_saliency_shard_writer_new(sigmix_saliency_shard_writer **out, sigmix_error *err)
{
    sigmix_error_clear(err);
    sigmix_saliency_shard_writer *w = calloc(1, sizeof *w);
    if (w && !(w->mem = open_memstream(&w->buf, &w->len))) {
        free(w);
        w = NULL;
    }
    *out = w;
    return w ? 0 : sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
}

void sigmix_saliency_shard_writer_on_clip(void *cookie, const sigmix_saliency_clip *c)
{
    sigmix_saliency_shard_writer *w = cookie;
    char *line = sigmix_sal_shard_clip_line(c);
    if (!line || !w->mem || fputs(line, w->mem) == EOF)
        w->oom = 1;
    free(line);
    w->clips++;
    if (c->status == SIGMIX_SAL_OK)
        w->ok++;
    else
        w->failed++;
}

void sigmix_saliency_shard_writer_counts(const sigmix_saliency_shard_writer *w, size_t *clips,
                                         size_t *ok, size_t *failed)
{
    if (clips)
        *clips = w->clips;
    if (ok)
        *ok = w->ok;
    if (failed)
        *failed = w->failed;
}

int sigmix_saliency_shard_writer_commit(sigmix_saliency_shard_writer *w, const char *path,
                                        const sigmix_saliency_shard_header *h,
                                        const char *model_id, sigmix_error *err)
{
    sigmix_error_clear(err);
    /* fflush makes buf/len current; the stream stays for the writer's free. */
    int bad = !w->mem || fflush(w->mem) != 0 || w->oom;
    sal_shard_header hh = *h;
    hh.clips = w->clips;
    char *head = bad ? NULL : sigmix_sal_shard_header_line(&hh, model_id);
    if (!head)
        return sigmix_error_set(err, SIGMIX_ENOMEM, "%s: out of memory", path);
    sigmix_atomic a;
    sigmix_error e;
    sigmix_error_clear(&e);
    int r = sigmix_atomic_open(&a, path, 1, &e);
    if (!r) {
        fputs(head, a.f);
        if (w->len)
            fwrite(w->buf, 1, w->len, a.f);
        r = sigmix_atomic_commit(&a, &e);
    }
    free(head);
    return r ? sigmix_error_set(err, r, "%s: %s", path, e.message) : 0;
}

void sigmix_saliency_shard_writer_free(sigmix_saliency_shard_writer **w)
{
    if (!w || !*w)
        return;
    if ((*w)->mem)
        fclose((*w)->mem);
    free((*w)->buf);
    free(*w);
    *w = NULL;
}

/* ---- sets ------------------------------------------------------------------ */

int sigmix_saliency_shard_set_new(sigmix_saliency_shard_set **set, sigmix_error *err)
{
    sigmix_error_clear(err);
    *set = calloc(1, sizeof **set);
    return *set ? 0 : sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
}

void sigmix_saliency_shard_set_free(sigmix_saliency_shard_set **set)
{
    if (!set || !*set)
        return;
    sigmix_sal_shard_set_free(*set);
    free(*set);
    *set = NULL;
}

size_t sigmix_saliency_shard_set_size(const sigmix_saliency_shard_set *set)
{
    return set ? set->n : 0;
}

int sigmix_saliency_shard_set_has(const sigmix_saliency_shard_set *set, int k)
{
    return set && set->seen && k >= 0 && k < set->seen_n && set->seen[k];
}

/* ---- reading shard files ------------------------------------------------------ */

static const char *mismatch(const sal_shard_header *h, const sal_shard_header *want)
{
    if (strcmp(h->input_sha256, want->input_sha256))
        return "made from another input";
    if (strcmp(h->config_sha256, want->config_sha256))
        return "made with another configuration";
    if (strcmp(h->model_sha256, want->model_sha256))
        return "made with another model";
    return NULL;
}

static const char *short_sha(const char *s)
{
    return s[0] ? s : "(built-in model)";
}

size_t sigmix_saliency_shard_load_own(const char *path, const sigmix_saliency_shard_header *want,
                                      sigmix_saliency_shard_set *set)
{
    /* The merge's reader: any failure leaves nothing to reuse. */
    sal_read_buf rb = { 0 };
    sal_shard_header h;
    const char *io;
    int eno, a, b;
    char msg[160];
    if (sigmix_sal_shard_read_file(path, &rb, &h, set, &eno, &io, msg, sizeof msg)
        || mismatch(&h, want) || h.k != want->k || h.n != want->n
        || sigmix_sal_shard_set_finish(set, &a, &b))
        sigmix_sal_shard_set_free(set);
    free(rb.p);
    return set->n;
}

/* ---- --merge: every shard file ------------------------------------------------ */

int sigmix_sal_shard_read_file(const char *path, sal_read_buf *b, sal_shard_header *h,
                               sigmix_saliency_shard_set *part, int *eno, const char **io,
                               char *why, size_t whylen)
{
    *eno = 0;
    *io = NULL;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        *eno = errno;
        return SIGMIX_EIO;
    }
    struct stat st;
    if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        *io = "not a regular file";
        close(fd);
        return SIGMIX_EIO;
    }
    size_t chunk = b->chunk ? b->chunk : 256 * 1024, left = (size_t)st.st_size, have = 0;
    size_t first = part->n;
    sal_shard_parser ps;
    sigmix_sal_shard_parse_begin(&ps, h, part, left, why, whylen);
    int r = 0;
    while (left) {
        if (b->cap - have < chunk || !b->p) {
            /* A line longer than the buffer grows it, up to the file. */
            size_t nc = b->cap > chunk ? 2 * b->cap : 2 * chunk;
            char *np = realloc(b->p, nc);
            if (!np) {
                *io = "out of memory";
                break;
            }
            b->p = np;
            b->cap = nc;
        }
        size_t want = b->cap - have < left ? b->cap - have : left;
        want = want < chunk ? want : chunk;
        ssize_t k = read(fd, b->p + have, want);
        if (k <= 0) {
            *io = "cannot read it";
            break;
        }
        left -= (size_t)k;
        if (r)
            continue; /* bad already: only a read failure could still be named first */
        /* Whole lines; the old tail has no newline, so search the new bytes. */
        char *p = b->p, *end = b->p + have + (size_t)k, *nl = memchr(p + have, '\n', (size_t)k);
        for (; nl; nl = memchr(p, '\n', (size_t)(end - p))) {
            if ((r = sigmix_sal_shard_parse_line(&ps, p, (size_t)(nl - p))))
                break;
            p = nl + 1;
        }
        have = (size_t)(end - p);
        if (have && p != b->p)
            memmove(b->p, p, have);
    }
    close(fd);
    if (*io) {
        /* part back as it was (a failed parse restored it already) */
        for (size_t i = first; !r && i < part->n; i++)
            free(part->r[i].msg);
        if (!r)
            part->n = first;
        return SIGMIX_EIO;
    }
    return r ? r : sigmix_sal_shard_parse_end(&ps, have);
}

/* One shard file, read and parsed on any thread; judged in file order after. */
typedef struct file_job {
    const char *path;
    int    eno;                   /* open failed: its errno */
    const char *io;               /* other read failure, static text */
    int    r;                     /* the read's result */
    char   msg[200];              /* the parse's why */
    sal_shard_header h;
    sigmix_saliency_shard_set *part; /* its results, merged in the end */
} file_job;

typedef struct file_queue {
    file_job *jobs;
    size_t    n, next;
    pthread_mutex_t lock;
} file_queue;

static void *read_files(void *arg)
{
    file_queue *q = arg;
    sal_read_buf b = { 0 }; /* one per thread, reused file to file */
    for (;;) {
        pthread_mutex_lock(&q->lock);
        size_t i = q->next < q->n ? q->next++ : (size_t)-1;
        pthread_mutex_unlock(&q->lock);
        if (i == (size_t)-1)
            break;
        file_job *j = &q->jobs[i];
        j->r = sigmix_sal_shard_read_file(j->path, &b, &j->h, j->part, &j->eno, &j->io, j->msg,
                                          sizeof j->msg);
    }
    free(b.p);
    return NULL;
}

/* Parse the files on up to one thread per CPU: they are independent, and a
 * 150k-clip merge spent a fifth of its time here. */
static void read_all(file_job *jobs, size_t n)
{
    file_queue q = { jobs, n, 0, PTHREAD_MUTEX_INITIALIZER };
    size_t want = (size_t)sigmix_cpu_count();
    want = want < n ? want : n;
    want = want < 8 ? want : 8;
    pthread_t th[8];
    size_t started = 0;
    for (; want > 1 && started < want - 1; started++) /* this thread is the last one */
        if (pthread_create(&th[started], NULL, read_files, &q))
            break;
    read_files(&q);
    for (size_t i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    pthread_mutex_destroy(&q.lock);
}

int sigmix_saliency_shard_load_all(const char *out, int shards,
                                   const sigmix_saliency_shard_header *want,
                                   sigmix_saliency_shard_set *set, int *found, int *nout,
                                   sigmix_error *err)
{
    sigmix_error_clear(err);
    sigmix_shard_file *f = NULL;
    size_t nf = 0, nj = 0;
    int status = 0;
    const char **seen_name = NULL;
    file_job *jobs = NULL;
    sigmix_saliency_shard_set *parts = NULL;
    *found = 0;
    sigmix_error le;
    if (sigmix_shard_list(out, &f, &nf, &le))
        return sigmix_error_set(err, SIGMIX_EIO,
                                "%s: cannot list the folder of the shard files", out);
    /* Which N: the one given, else the only one present. */
    int n = shards;
    for (size_t i = 0; !shards && i < nf; i++) {
        if (n && f[i].n != n) {
            status = sigmix_error_set(err, SIGMIX_EINVAL, "%s: shard files of different counts "
                                      "(%d and %d); say which with --shards N", out, n, f[i].n);
            goto done;
        }
        n = f[i].n;
    }
    if (!n) {
        status = sigmix_error_set(err, SIGMIX_ENOTFOUND, "%s: --merge found no shard files "
                                  "(%s.shard-K-of-N.jsonl)", out, out);
        goto done;
    }
    free(set->seen);
    set->seen = calloc((size_t)n, 1);
    set->seen_n = n;
    seen_name = calloc((size_t)n, sizeof *seen_name);
    jobs = calloc(nf ? nf : 1, sizeof *jobs);
    parts = calloc(nf ? nf : 1, sizeof *parts);
    if (!set->seen || !seen_name || !jobs || !parts) {
        status = sigmix_error_set(err, SIGMIX_ENOMEM, "%s: out of memory", out);
        goto done;
    }
    for (size_t i = 0; i < nf; i++)
        if (f[i].n == n) { /* another count: not asked for */
            jobs[nj] = (file_job){ .path = f[i].path, .part = &parts[nj] };
            nj++;
        }
    read_all(jobs, nj);
    /* Judged in file order, so the first bad file is the one named, as when
     * they were read one by one. */
    for (size_t i = 0; i < nj; i++) {
        file_job *j = &jobs[i];
        const sal_shard_header *h = &j->h;
        if (j->eno || j->io) {
            status = sigmix_error_set(err, SIGMIX_EIO, "%s: %s", j->path,
                                      j->io ? j->io : strerror(j->eno));
            goto done;
        }
        if (j->r) {
            status = sigmix_error_set(err, j->r, "%s: %s", j->path, j->msg);
            goto done;
        }
        /* The header says which shard it holds: a renamed copy is a duplicate. */
        if (h->n != n) {
            status = sigmix_error_set(err, SIGMIX_EFORMAT, "%s: holds shard %d of %d, not of "
                                      "%d (line 1)", j->path, h->k, h->n, n);
            goto done;
        }
        if (set->seen[h->k]) {
            status = sigmix_error_set(err, SIGMIX_EFORMAT, "%s: shard %d of %d twice: %s and %s",
                                      out, h->k, n, seen_name[h->k], j->path);
            goto done;
        }
        set->seen[h->k] = 1;
        seen_name[h->k] = j->path;
        const char *bad = mismatch(h, want);
        if (bad) {
            const char *a = h->input_sha256, *b = want->input_sha256;
            if (!strcmp(h->input_sha256, want->input_sha256)) {
                int cfg = strcmp(h->config_sha256, want->config_sha256) != 0;
                a = cfg ? h->config_sha256 : h->model_sha256;
                b = cfg ? want->config_sha256 : want->model_sha256;
            }
            status = sigmix_error_set(err, SIGMIX_EFORMAT, "%s: shard %d of %d was %s (sha256 "
                                      "%.12s, this run %.12s); rerun it or merge with the same "
                                      "options", j->path, h->k, n, bad, short_sha(a),
                                      short_sha(b));
            goto done;
        }
        (*found)++;
    }
    int da, db, mr = sigmix_sal_shard_set_merge(set, parts, nj, &da, &db);
    if (mr == SIGMIX_ENOMEM) {
        status = sigmix_error_set(err, SIGMIX_ENOMEM, "%s: out of memory", out);
        goto done;
    }
    if (mr) {
        status = sigmix_error_set(err, SIGMIX_EFORMAT, "%s: shards %d and %d of %d hold the "
                                  "same clip", out, da, db, n);
        goto done;
    }
    *nout = n;
done:
    if (status)
        sigmix_sal_shard_set_free(set);
    for (size_t i = 0; parts && i < nj; i++)
        sigmix_sal_shard_set_free(&parts[i]);
    free(parts);
    free(jobs);
    free(seen_name);
    sigmix_shard_list_free(f, nf);
    return status;
}
