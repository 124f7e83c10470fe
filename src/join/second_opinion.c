/*
 * sigmix second-opinion: join external NR/MOS scorer outputs onto a
 * feature table as PREFIX_<slug>_{score,status,runtime_ms,frames,source}.
 * Behaviour follows upstream's materialize_second_opinion_features.py;
 * where it differs (text keys, slug collisions, null keys) docs/joins.md
 * says why.
 */
#include <math.h>
#include <pthread.h>
#include <unistd.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "join/internal.h"
#include "sigmix/join.h"
#include "table/table_internal.h"
#include "util/error.h"
#include "util/runprov.h"
#include "util/cpu.h"

static const char *const FEATURE_KEYS[] = {
    "clip_id", "video_id", "chug_video_id", "content_id", "file_name", "filename",
    "basename", "name", "distorted_path", "dis_path", "path", NULL,
};

typedef struct competitor {
    const char *name;      /* arena of a score file */
    const char *path;      /* file it first came from */
    char       *slug;
    sigmix_kmap map;       /* key -> index into recs */
    const sigmix_score_rec **recs;
    size_t      nrec, caprec;
    uint64_t    matched, missing, bad;
} competitor;

typedef struct so_state {
    sigmix_score_file *files;
    sigmix_kmap       *fmap;   /* per file: key -> record, when built by its worker */
    size_t             nfiles;
    char             **labels;
    const char       **paths;
    competitor        *comp;
    size_t             ncomp, capcomp;
} so_state;

static void state_free(so_state *S)
{
    for (size_t i = 0; i < S->nfiles; i++) {
        sigmix_score_file_free(&S->files[i]);
        free(S->labels[i]);
        if (S->fmap)
            sigmix_kmap_free(&S->fmap[i]);
    }
    free(S->fmap);
    for (size_t i = 0; i < S->ncomp; i++) {
        sigmix_kmap_free(&S->comp[i].map);
        free(S->comp[i].recs);
        free(S->comp[i].slug);
    }
    free(S->files);
    free(S->labels);
    free(S->paths);
    free(S->comp);
}

/* Column the features are keyed by: the requested one, or the first
 * candidate present in any case (the last column of that spelling). */
long sigmix_join_find_key_column(const sigmix_table *t, const char *requested,
                                 const char *const *cands);
long sigmix_join_find_key_column(const sigmix_table *t, const char *requested,
                                 const char *const *cands)
{
    if (requested)
        return sigmix_table_find(t, requested);
    for (size_t c = 0; cands[c]; c++) {
        long hit = -1;
        for (size_t i = 0; i < sigmix_table_cols(t); i++) {
            const char *n = sigmix_table_col(t, i)->name;
            if (!strcasecmp(n, cands[c]))
                hit = (long)i;
        }
        if (hit >= 0)
            return hit;
    }
    return -1;
}

static competitor *find_comp(so_state *S, const char *name)
{
    for (size_t i = 0; i < S->ncomp; i++)
        if (!strcmp(S->comp[i].name, name))
            return &S->comp[i];
    if (S->ncomp == S->capcomp) {
        size_t nc = S->capcomp ? S->capcomp * 2 : 8;
        competitor *n = realloc(S->comp, nc * sizeof *n);
        if (!n)
            return NULL;
        S->comp = n;
        S->capcomp = nc;
    }
    competitor *c = &S->comp[S->ncomp++];
    memset(c, 0, sizeof *c);
    c->name = name;
    return c;
}

static int cmp_comp(const void *a, const void *b)
{
    return strcmp(((const competitor *)a)->name, ((const competitor *)b)->name);
}

/* A file of one competitor (the usual case) gets its key map in its
 * worker, so the maps of several files are built side by side. Anything
 * else (several competitors, a duplicate key, no memory) leaves the map
 * empty and load_scores builds it, reporting what it finds. */
static void file_map(const sigmix_score_file *F, sigmix_kmap *m)
{
    if (!F->n)
        return;
    const char *c0 = F->rec[0].competitor;
    for (size_t k = 1; k < F->n; k++)
        if (F->rec[k].competitor != c0 && strcmp(F->rec[k].competitor, c0))
            return;
    if (sigmix_kmap_reserve(m, F->n))
        goto fail;
    /* hashes computed 16 keys ahead, their slots fetched meanwhile */
    enum { AHEAD = 16 };
    uint64_t ring[AHEAD];
    for (size_t k = 0; k < F->n && k < AHEAD; k++) {
        ring[k] = sigmix_join_hash(F->rec[k].key, F->rec[k].key_len);
        sigmix_kmap_prefetch(m, ring[k], 0);
    }
    for (size_t k = 0; k < F->n; k++) {
        size_t v = k;
        uint64_t h = ring[k % AHEAD];
        if (k + AHEAD < F->n) {
            const sigmix_score_rec *n = &F->rec[k + AHEAD];
            ring[k % AHEAD] = sigmix_join_hash(n->key, n->key_len);
            sigmix_kmap_prefetch(m, ring[k % AHEAD], 0);
        }
        if (sigmix_kmap_put_h(m, F->rec[k].key, F->rec[k].key_len, h, &v))
            goto fail;
    }
    return;
fail:
    sigmix_kmap_free(m);
}

typedef struct load_job {
    so_state                *S;
    const sigmix_so_options *o;
    size_t                   next;   /* next file to parse (under mu) */
    pthread_mutex_t          mu;
    int                     *rc;
    sigmix_error            *errs;
    int                      hash;   /* provenance wants each file's SHA-256 */
} load_job;

/* Worker: parse files until none is left. Files are independent, so the
 * three or more score files of a join are parsed side by side. */
static void *load_worker(void *arg)
{
    load_job *J = arg;
    for (;;) {
        pthread_mutex_lock(&J->mu);
        size_t i = J->next++;
        pthread_mutex_unlock(&J->mu);
        if (i >= J->o->nscores)
            return NULL;
        sigmix_score_opts so = { J->S->labels[i], J->o->score_key_field, J->o->score_field,
                                 J->o->key_normalize, J->hash };
        J->rc[i] = sigmix_score_load(J->S->paths[i], &so, &J->S->files[i], &J->errs[i]);
        if (!J->rc[i])
            file_map(&J->S->files[i], &J->S->fmap[i]);
    }
}

/* Score files being parsed, possibly while the feature table is read. */
typedef struct loader {
    load_job  J;
    pthread_t tid[16];
    size_t    started;   /* threads not yet joined */
    int       setup;     /* 0, or SIGMIX_ENOMEM before any file was parsed */
    int       begun;
} loader;

/*
 * Allocate the per-file state and start parsing the score files. With
 * background set every worker is a thread, so the caller can read the
 * feature table meanwhile (the two inputs are independent, and three
 * files on two cores otherwise leave a core idle while the last one
 * parses); load_scores picks up whatever no thread took. Nothing is
 * reported here: load_scores reports in the order of a serial run.
 */
static void load_begin(so_state *S, const sigmix_so_options *o, int hash, int background,
                       loader *L)
{
    memset(L, 0, sizeof *L);
    L->begun = 1;
    size_t nf = o->nscores ? o->nscores : 1;
    S->files = calloc(nf, sizeof *S->files);
    S->labels = calloc(nf, sizeof *S->labels);
    S->paths = calloc(nf, sizeof *S->paths);
    S->fmap = calloc(nf, sizeof *S->fmap);
    L->J.rc = calloc(nf, sizeof *L->J.rc);
    L->J.errs = calloc(nf, sizeof *L->J.errs);
    if (!S->files || !S->labels || !S->paths || !S->fmap || !L->J.rc || !L->J.errs) {
        L->setup = SIGMIX_ENOMEM;
        return;
    }
    S->nfiles = o->nscores; /* the labels so far are freed on an early return */
    for (size_t i = 0; i < o->nscores; i++)
        if (sigmix_join_split_label(o->scores[i], &S->labels[i], &S->paths[i])) {
            L->setup = SIGMIX_ENOMEM;
            return;
        }
    L->J.S = S;
    L->J.o = o;
    L->J.next = 0;
    pthread_mutex_init(&L->J.mu, NULL);
    L->J.hash = hash;
    size_t nt = o->threads > 0 ? (size_t)o->threads : (size_t)sigmix_cpu_count();
    /* In the background, one thread per file: with more files than cores
     * the last file otherwise parses alone after the table, a core idle. */
    if (background && o->threads <= 0)
        nt = o->nscores;
    if (nt > o->nscores)
        nt = o->nscores;
    size_t want = background ? nt : (nt > 1 ? nt - 1 : 0);
    for (; L->started < want && L->started < 16; L->started++)
        if (pthread_create(&L->tid[L->started], NULL, load_worker, &L->J))
            break;
}

/* Wait for the workers; with cancel, files not yet begun are left alone
 * (the run failed before the scores were needed). */
static void load_end(loader *L, int cancel)
{
    if (!L->begun || L->setup)
        return;
    if (cancel) {
        pthread_mutex_lock(&L->J.mu);
        L->J.next = L->J.o->nscores;
        pthread_mutex_unlock(&L->J.mu);
    }
    for (size_t k = 0; k < L->started; k++)
        pthread_join(L->tid[k], NULL);
    L->started = 0;
}

static void loader_free(loader *L)
{
    load_end(L, 1);
    if (L->begun && !L->setup)
        pthread_mutex_destroy(&L->J.mu);
    free(L->J.rc);
    free(L->J.errs);
    L->J.rc = NULL;
    L->J.errs = NULL;
    L->begun = 0;
}

static int load_scores(so_state *S, const sigmix_so_options *o, sigmix_runprov *prov,
                       loader *L, sigmix_error *err)
{
    if (L->setup)
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    load_worker(&L->J); /* what no thread took */
    load_end(L, 0);
    int *rc = L->J.rc;
    sigmix_error *errs = L->J.errs;
    /* the first failing file in command-line order is the one reported */
    for (size_t i = 0; i < o->nscores; i++)
        if (rc[i])
            return sigmix_error_set(err, rc[i], "%s: %s", S->paths[i], errs[i].message);
    for (size_t i = 0; i < o->nscores; i++) {
        if (prov) {
            /* Hashed while loading: each score file is read once. */
            sigmix_runprov_input_push(prov, "scores", S->paths[i], S->files[i].sha256,
                                      S->files[i].size);
            sigmix_runprov_input_rows(prov, "scores", i, S->files[i].n);
        }
        const sigmix_score_file *F = &S->files[i];
        competitor *c = NULL;
        /* a file usually holds one competitor: size its map once */
        if (F->n) {
            competitor *first = find_comp(S, F->rec[0].competitor);
            if (!first)
                return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
            if (S->fmap[i].n && !first->nrec) {
                /* the worker's map, checked for duplicates: adopt it */
                const sigmix_score_rec **nr = sigmix_huge_alloc(F->n * sizeof *nr);
                if (!nr)
                    return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
                for (size_t k = 0; k < F->n; k++)
                    nr[k] = &F->rec[k];
                free(first->recs);
                sigmix_kmap_free(&first->map);
                first->map = S->fmap[i];
                memset(&S->fmap[i], 0, sizeof S->fmap[i]);
                first->recs = nr;
                first->nrec = first->caprec = F->n;
                if (!first->path)
                    first->path = S->paths[i];
                continue;
            }
            if (sigmix_kmap_reserve(&first->map, F->n))
                return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
        }
        for (size_t k = 0; k < F->n; k++) {
            const sigmix_score_rec *rec = &F->rec[k];
            if (!c || strcmp(c->name, rec->competitor)) {
                c = find_comp(S, rec->competitor);
                if (!c)
                    return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
                if (!c->path)
                    c->path = S->paths[i];
            }
            size_t idx = c->nrec;
            int had = sigmix_kmap_put(&c->map, rec->key, rec->key_len, &idx);
            if (had < 0)
                return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
            if (had) {
                char *rc = sigmix_join_repr(c->name, strlen(c->name));
                char *rk = sigmix_join_repr(rec->key, rec->key_len);
                sigmix_error_set(err, SIGMIX_EFORMAT,
                                 "%s: duplicate score for competitor=%s key=%s (%s %zu)",
                                 S->paths[i], rc ? rc : "", rk ? rk : "",
                                 F->jsonl ? "line" : "rows", rec->where);
                free(rc);
                free(rk);
                return SIGMIX_EFORMAT;
            }
            if (c->nrec == c->caprec) {
                size_t nc = c->caprec ? c->caprec * 2 : 1024;
                const sigmix_score_rec **nr = realloc(c->recs, nc * sizeof *nr);
                if (!nr)
                    return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
                c->recs = nr;
                c->caprec = nc;
            }
            c->recs[c->nrec++] = rec;
        }
    }
    if (!S->ncomp)
        return sigmix_error_set(err, SIGMIX_EFORMAT, "%s: no scores loaded",
                                o->nscores ? S->paths[o->nscores - 1] : "--scores");
    qsort(S->comp, S->ncomp, sizeof *S->comp, cmp_comp);
    return 0;
}

static const char *const SUFFIX[5] = { "score", "status", "runtime_ms", "frames", "source" };

/* Slugs, collisions and the overwrite refusal, before any column changes. */
static int plan_columns(so_state *S, const sigmix_table *t, const char *prefix, int overwrite,
                        const char *features, sigmix_error *err)
{
    for (size_t i = 0; i < S->ncomp; i++) {
        competitor *c = &S->comp[i];
        c->slug = sigmix_join_slug(c->name);
        if (!c->slug)
            return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
        if (!*c->slug) {
            char *r = sigmix_join_repr(c->name, strlen(c->name));
            sigmix_error_set(err, SIGMIX_EINVAL, "%s: cannot derive column slug from %s",
                             c->path, r ? r : "");
            free(r);
            return SIGMIX_EINVAL;
        }
        for (size_t j = 0; j < i; j++)
            if (!strcmp(S->comp[j].slug, c->slug)) {
                char *a = sigmix_join_repr(S->comp[j].name, strlen(S->comp[j].name));
                char *b = sigmix_join_repr(c->name, strlen(c->name));
                sigmix_error_set(err, SIGMIX_EINVAL,
                                 "%s: competitors %s and %s both map to columns %s_%s_*",
                                 c->path, a ? a : "", b ? b : "", prefix, c->slug);
                free(a);
                free(b);
                return SIGMIX_EINVAL;
            }
        if (overwrite)
            continue;
        char list[1024] = "";
        for (int k = 0; k < 5; k++) {
            char name[512];
            snprintf(name, sizeof name, "%s_%s_%s", prefix, c->slug, SUFFIX[k]);
            if (sigmix_table_find(t, name) >= 0) {
                size_t n = strlen(list);
                snprintf(list + n, sizeof list - n, "%s%s", n ? ", " : "", name);
            }
        }
        if (*list)
            return sigmix_error_set(err, SIGMIX_EINVAL,
                "%s: refusing to overwrite existing second-opinion columns: %s (pass --overwrite)",
                features, list);
    }
    return 0;
}

/*
 * The join's target columns, in competitor then SUFFIX order. When none
 * exists yet (no --overwrite of an earlier run) they are added in one
 * block without the zeroing and NaN-filling sigmix_table_add_column does:
 * the join loop writes every field of every row of them, matched or not.
 * Otherwise (or when the block path refuses, e.g. a name truncated into
 * a duplicate) each goes through sigmix_join_target, which reports.
 */
static int add_targets(so_state *S, sigmix_table **t, const char *prefix,
                       const sigmix_kind *kinds, const char *features, sigmix_error *err)
{
    size_t n = S->ncomp * 5, failed = 0;
    char (*names)[512] = malloc((n ? n : 1) * sizeof *names);
    const char **np = malloc((n ? n : 1) * sizeof *np);
    sigmix_kind *kv = malloc((n ? n : 1) * sizeof *kv);
    size_t *ix = malloc((n ? n : 1) * sizeof *ix);
    int r = SIGMIX_ENOMEM, fresh = 1;
    if (!names || !np || !kv || !ix) {
        free(names);
        free(np);
        free(kv);
        free(ix);
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    }
    for (size_t ci = 0; ci < S->ncomp; ci++)
        for (int k = 0; k < 5; k++) {
            size_t i = ci * 5 + (size_t)k;
            snprintf(names[i], sizeof names[i], "%s_%s_%s", prefix, S->comp[ci].slug, SUFFIX[k]);
            np[i] = names[i];
            kv[i] = kinds[k];
            if (sigmix_table_find(*t, names[i]) >= 0)
                fresh = 0;
        }
    if (fresh) {
        r = sigmix_table_add_columns_uninit(*t, np, kv, n, ix, &failed);
        if (r == SIGMIX_ENOMEM)
            sigmix_error_set(err, r, "%s: cannot add column %s", features, names[failed]);
    }
    if (!fresh || r == SIGMIX_EINVAL) {
        r = 0;
        for (size_t i = 0; i < n && !r; i++)
            if ((r = sigmix_join_target(t, names[i], kv[i], &ix[i])))
                sigmix_error_set(err, r, "%s: cannot add column %s", features, names[i]);
    }
    free(names);
    free(np);
    free(kv);
    free(ix);
    return r;
}

static void set_str(sigmix_column *col, size_t r, const char *s, size_t n)
{
    col->str[r].ptr = s;
    col->str[r].len = n;
    col->valid[r] = 1;
}

int sigmix_second_opinion(const sigmix_so_options *o, sigmix_runprov *prov,
                          sigmix_join_summary *sum, sigmix_error *err)
{
    sigmix_error_clear(err); /* contract: common.h */
    const char *prefix = o->prefix ? o->prefix : "second_opinion";
    sigmix_table *t = NULL;
    sigmix_error e;
    sigmix_error_clear(&e);
    so_state S;
    memset(&S, 0, sizeof S);
    const char **kp = NULL;
    size_t *kl = NULL;
    uint64_t *kh = NULL;
    size_t *vi = NULL;
    uint8_t *keep = NULL;
    sigmix_arena karena;
    sigmix_arena_init(&karena);
    sigmix_jdoc *d = NULL;
    /* The score files parse while the table is read, unless one thread was
     * asked for (then everything runs in order on the caller's). */
    loader L;
    memset(&L, 0, sizeof L);
    if (o->threads != 1)
        load_begin(&S, o, prov != NULL, 1, &L);
    int r = sigmix_join_read_input(o->features, o->threads, prov, "features", 0, 0, &t, err);
    if (r)
        goto done;
    size_t rows = sigmix_table_rows(t);
    long kc = sigmix_join_find_key_column(t, o->key_column, FEATURE_KEYS);
    if (kc < 0) {
        if (o->key_column) {
            char *q = sigmix_join_repr(o->key_column, strlen(o->key_column));
            r = sigmix_error_set(err, SIGMIX_ENOTFOUND,
                                 "%s: --key-column %s is not present in feature table",
                                 o->features, q ? q : "");
            free(q);
        } else {
            r = sigmix_error_set(err, SIGMIX_ENOTFOUND,
                "%s: could not infer feature key column; pass --key-column. Tried: clip_id, "
                "video_id, chug_video_id, content_id, file_name, filename, basename, name, "
                "distorted_path, dis_path, path", o->features);
        }
        goto done;
    }
    const char *key_name = sigmix_table_col(t, (size_t)kc)->name;
    char key_name_copy[512];
    snprintf(key_name_copy, sizeof key_name_copy, "%s", key_name);
    if (!L.begun)
        load_begin(&S, o, prov != NULL, 0, &L);
    if ((r = load_scores(&S, o, prov, &L, err)))
        goto done;
    if ((r = plan_columns(&S, t, prefix, o->overwrite, o->features, err)))
        goto done;

    /* Every target column first: an overwrite may rebuild the table, so
     * keys and column indices are taken only afterwards. */
    static const sigmix_kind kinds[5] = { SIGMIX_KIND_DOUBLE, SIGMIX_KIND_STRING,
        SIGMIX_KIND_DOUBLE, SIGMIX_KIND_INT64, SIGMIX_KIND_STRING };
    if ((r = add_targets(&S, &t, prefix, kinds, o->features, err)))
        goto done;
    kc = sigmix_table_find(t, key_name_copy);

    /* Feature keys, normalized once. Rendered numbers go to karena. */
    /* Written whole: huge pages from 1 MiB, else faulted in at once. */
    kp = sigmix_huge_alloc((rows ? rows : 1) * sizeof *kp);
    kl = sigmix_huge_alloc((rows ? rows : 1) * sizeof *kl);
    kh = sigmix_huge_alloc((rows ? rows : 1) * sizeof *kh);
    keep = malloc(rows ? rows : 1);
    vi = sigmix_huge_alloc((rows ? rows : 1) * sizeof *vi);
    if (!kp || !kl || !kh || !keep || !vi) {
        r = sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
        goto done;
    }
    sigmix_prefault(kp, rows * sizeof *kp);
    sigmix_prefault(kl, rows * sizeof *kl);
    sigmix_prefault(kh, rows * sizeof *kh);
    sigmix_prefault(vi, rows * sizeof *vi);
    memset(keep, 1, rows ? rows : 1);
    {
        const sigmix_column *kcol = sigmix_table_col(t, (size_t)kc);
        char buf[48];
        for (size_t i = 0; i < rows; i++) {
            const char *s = "";
            size_t n = 0;
            if (sigmix_join_cell_text(kcol, i, buf, &s, &n)) {
                char *json = NULL;
                if (kcol->kind == SIGMIX_KIND_JSON && n && s[0] == '"')
                    s = json = sigmix_join_json_unquote(s, n, &n);
                if (!s) { s = ""; n = 0; }
                sigmix_join_normalize(&s, &n, o->key_normalize, key_name_copy, 0);
                if (s == buf || json) {
                    s = sigmix_arena_strndup(&karena, s, n);
                    if (!s) {
                        free(json);
                        r = sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
                        goto done;
                    }
                }
                free(json);
            }
            kp[i] = s;
            kl[i] = n;
            kh[i] = sigmix_join_hash(s, n); /* once, not once per competitor */
        }
    }

    for (size_t ci = 0; ci < S.ncomp; ci++) {
        competitor *c = &S.comp[ci];
        size_t idx[5];
        for (int k = 0; k < 5; k++) {
            char name[512];
            snprintf(name, sizeof name, "%s_%s_%s", prefix, c->slug, SUFFIX[k]);
            idx[k] = (size_t)sigmix_table_find(t, name);
        }
        /* Shared strings: interned once, referenced by every row. */
        const char *s_ok = sigmix_table_intern(t, "ok", 2);
        const char *s_bad = sigmix_table_intern(t, "bad", 3);
        const char *s_missing = sigmix_table_intern(t, "missing", 7);
        const char *s_empty = sigmix_table_intern(t, "", 0);
        const char **src = calloc(S.nfiles, sizeof *src);
        if (!s_ok || !s_bad || !s_missing || !s_empty || !src) {
            free(src);
            r = sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
            goto done;
        }
        sigmix_column *cs = sigmix_table_col_mut(t, idx[0]), *cst = sigmix_table_col_mut(t, idx[1]),
                      *crt = sigmix_table_col_mut(t, idx[2]), *cfr = sigmix_table_col_mut(t, idx[3]),
                      *csr = sigmix_table_col_mut(t, idx[4]);
        /* Lookups first, then the rows: random reads of the map, the keys
         * and the records, fetched ahead of use (the loop otherwise waits
         * on memory for each of them in turn). */
        for (size_t i = 0; i < rows; i++) {
            if (i + 24 < rows)
                sigmix_kmap_prefetch(&c->map, kh[i + 24], 0);
            if (i + 12 < rows)
                sigmix_kmap_prefetch(&c->map, kh[i + 12], 1);
            if (i + 4 < rows)
                sigmix_kmap_prefetch(&c->map, kh[i + 4], 2);
            size_t v;
            vi[i] = kl[i] && sigmix_kmap_get_h(&c->map, kp[i], kl[i], kh[i], &v) ? v : SIZE_MAX;
        }
        for (size_t i = 0; i < rows; i++) {
            if (i + 16 < rows && vi[i + 16] != SIZE_MAX)
                __builtin_prefetch(&c->recs[vi[i + 16]]);
            if (i + 8 < rows && vi[i + 8] != SIZE_MAX) {
                /* score .. status: may straddle two cache lines */
                const char *p = (const char *)c->recs[vi[i + 8]];
                __builtin_prefetch(p + offsetof(sigmix_score_rec, score));
                __builtin_prefetch(p + offsetof(sigmix_score_rec, status));
            }
            size_t v = vi[i];
            if (v == SIZE_MAX) {
                c->missing++;
                if (o->missing_policy == SIGMIX_MISSING_DROP)
                    keep[i] = 0;
                cs->valid[i] = 0;
                cs->f64[i] = NAN;
                set_str(cst, i, s_missing, 7);
                crt->valid[i] = 0;
                crt->f64[i] = NAN;
                cfr->valid[i] = 1;
                cfr->i64[i] = 0;
                cfr->f64[i] = 0;
                set_str(csr, i, s_empty, 0);
                continue;
            }
            const sigmix_score_rec *rec = c->recs[v];
            if (rec->status == SIGMIX_SCORE_OK)
                c->matched++;
            else
                c->bad++;
            cs->valid[i] = 1;
            cs->f64[i] = rec->score;
            set_str(cst, i, rec->status == SIGMIX_SCORE_OK ? s_ok : s_bad,
                    rec->status == SIGMIX_SCORE_OK ? 2 : 3);
            crt->valid[i] = !isnan(rec->runtime_ms);
            crt->f64[i] = rec->runtime_ms;
            cfr->valid[i] = 1;
            cfr->i64[i] = rec->frames;
            cfr->f64[i] = (double)rec->frames;
            /* which file: the record lies inside exactly one file's array */
            size_t fi = 0;
            for (; fi + 1 < S.nfiles; fi++)
                if (rec >= S.files[fi].rec && rec < S.files[fi].rec + S.files[fi].n)
                    break;
            if (!src[fi])
                src[fi] = sigmix_table_intern(t, S.paths[fi], strlen(S.paths[fi]));
            if (!src[fi]) {
                free(src);
                r = sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
                goto done;
            }
            set_str(csr, i, src[fi], strlen(src[fi]));
        }
        free(src);
    }

    if (o->missing_policy == SIGMIX_MISSING_FAIL) {
        char list[1024] = "";
        for (size_t ci = 0; ci < S.ncomp; ci++)
            if (S.comp[ci].missing) {
                size_t n = strlen(list);
                snprintf(list + n, sizeof list - n, "%s%s=%llu", n ? ", " : "", S.comp[ci].name,
                         (unsigned long long)S.comp[ci].missing);
            }
        if (*list) {
            r = sigmix_error_set(err, SIGMIX_EINVAL, "%s: missing second-opinion scores: %s",
                                 o->features, list);
            goto done;
        }
    }
    if (o->missing_policy == SIGMIX_MISSING_DROP && (r = sigmix_join_compact(t, keep, &e))) {
        sigmix_error_set(err, r, "%s: %s", o->features, e.message);
        goto done;
    }

    d = sigmix_jdoc_new();
    if (!d) {
        r = sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
        goto done;
    }
    sigmix_jv *audit = sigmix_jv_obj(d), *comps = sigmix_jv_obj(d);
    static const char *const policy[] = { "mark", "drop", "fail" };
    sigmix_jv_set(d, audit, "feature_table", sigmix_jv_str(d, o->features));
    sigmix_jv_set(d, audit, "output", sigmix_jv_str(d, o->out));
    sigmix_jv_set(d, audit, "key_column", sigmix_jv_str(d, key_name_copy));
    sigmix_jv_set(d, audit, "key_normalize", sigmix_jv_str(d, sigmix_key_mode_name(o->key_normalize)));
    sigmix_jv_set(d, audit, "input_rows", sigmix_jv_int(d, (int64_t)rows));
    sigmix_jv_set(d, audit, "output_rows", sigmix_jv_int(d, (int64_t)sigmix_table_rows(t)));
    sigmix_jv_set(d, audit, "missing_policy", sigmix_jv_str(d, policy[o->missing_policy]));
    for (size_t ci = 0; ci < S.ncomp; ci++) {
        const competitor *c = &S.comp[ci];
        char colp[512];
        snprintf(colp, sizeof colp, "%s_%s", prefix, c->slug);
        sigmix_jv *st = sigmix_jv_obj(d);
        sigmix_jv_set(d, st, "competitor", sigmix_jv_str(d, c->name));
        sigmix_jv_set(d, st, "column_prefix", sigmix_jv_str(d, colp));
        sigmix_jv_set(d, st, "scores_loaded", sigmix_jv_int(d, (int64_t)c->nrec));
        sigmix_jv_set(d, st, "matched_rows", sigmix_jv_int(d, (int64_t)c->matched));
        sigmix_jv_set(d, st, "missing_rows", sigmix_jv_int(d, (int64_t)c->missing));
        sigmix_jv_set(d, st, "bad_rows", sigmix_jv_int(d, (int64_t)c->bad));
        sigmix_jv_set(d, comps, c->name, st);
    }
    sigmix_jv_set(d, audit, "competitors", comps);
    if (prov)
        sigmix_jv_set(d, audit, "run_provenance", sigmix_runprov_finish(prov));
    if ((r = sigmix_join_write(t, o->out, o->threads, d, audit, o->audit_json, err)))
        goto done;
    if (sum) {
        memset(sum, 0, sizeof *sum);
        sum->input_rows = rows;
        sum->output_rows = sigmix_table_rows(t);
        sum->competitors = S.ncomp;
        for (size_t ci = 0; ci < S.ncomp; ci++) {
            sum->matched_rows += S.comp[ci].matched;
            sum->missing_rows += S.comp[ci].missing;
        }
    }
done:
    loader_free(&L); /* before the state its workers fill */
    sigmix_jdoc_free(d);
    free(kp);
    free(kl);
    free(kh);
    free(vi);
    free(keep);
    sigmix_arena_free(&karena);
    state_free(&S);
    sigmix_table_free(&t);
    return r;
}
