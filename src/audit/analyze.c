/*
 * The audit of one table: target, numeric/signal columns, family
 * membership and health, column statistics, target correlations, redundant
 * pairs and complementary intersections. Everything lands in the result's
 * arena so the table can be freed right after.
 */
#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "audit/audit_internal.h"
#include "audit/pairsort.h"
#include "stats/stats.h"
#include "util/error.h"
#include "util/cpu.h"
#include "util/prefault.h"

typedef struct work {
    const sigmix_audit  *a;
    const sigmix_table  *t;
    sigmix_audit_result *res;
    sigmix_arena        *ar;
    size_t               rows, ncols, nfam;
    long                 target;     /* column index or -1 */
    size_t              *sig;        /* signal column indices, table order */
    size_t               nsig;
    unsigned char       *match;      /* ncols x nfam */
    const char         **primary;    /* per column: primary family key */
    sigmix_colstats     *st;         /* per signal column */
    double              *scratch;    /* 2 * rows + 1: one buffer for every phase */
    sigmix_rank_scratch *rs;         /* target ranks, then the calling worker's (or NULL) */
    double              *target_abs; /* per signal column: |r| with target, NaN if none */
    double              *mat;        /* keep_matrix: nsig x nsig (html work) */
    struct screen       *screen;     /* pair screen run early (see there), or NULL */
    double              *hs[16];     /* helper thread i's 2 * rows + 1 scratch, kept
                                        from the statistics to the target phase */
} work;

/*
 * The pair screen needs only the columns and their statistics, so when it
 * is one strip (p <= sigmix_pearson_strip_rows(p)) the first thread into
 * the target-correlation pool runs it (sigmix_pearson_screen) while the
 * others rank columns; pairs() then hands the strip to pair_strip.
 * Same calls on the same data: the same bits as running it later.
 */
typedef struct screen {
    const double **cols;
    double        *r;     /* p x p strip */
    int            taken; /* atomic: a thread has started it */
    int            rc;
} screen;

static void screen_run(const work *w)
{
    screen *sc = w->screen;
    if (!sc || __atomic_exchange_n(&sc->taken, 1, __ATOMIC_ACQ_REL))
        return;
    sc->rc = sigmix_pearson_screen(sc->cols, w->nsig, w->rows, w->st, sc->r);
}

static void screen_free(work *w)
{
    if (w->screen) {
        free(w->screen->cols);
        free(w->screen->r);
        free(w->screen);
        w->screen = NULL;
    }
}

/* Set up w->screen when the screen is one strip; best effort (NULL: later). */
static void screen_plan(work *w)
{
    size_t p = w->nsig;
    if (p < 2 || sigmix_pearson_strip_rows(p) < p)
        return;
    screen *sc = calloc(1, sizeof *sc);
    if (!sc)
        return;
    sc->cols = malloc(p * sizeof *sc->cols);
    sc->r = malloc(p * p * sizeof *sc->r);
    if (sc->r)
        sigmix_prefault(sc->r, p * p * sizeof *sc->r);
    w->screen = sc;
    if (!sc->cols || !sc->r) {
        screen_free(w);
        return;
    }
    for (size_t k = 0; k < p; k++)
        sc->cols[k] = sigmix_table_col(w->t, w->sig[k])->f64;
}

static void *alloc(work *w, size_t n, size_t size)
{
    if (n && size > SIZE_MAX / n)
        return NULL;
    size_t bytes = n * size;
    void *p = sigmix_arena_alloc(w->ar, bytes ? bytes : 1);
    if (p)
        memset(p, 0, bytes);
    return p;
}

static const char *colname(const work *w, size_t i)
{
    return w->res->columns.v[i];
}

static int lower_eq(const char *a, const char *b)
{
    return !strcasecmp(a, b); /* ASCII case folding, as column names are */
}

static int is_candidate(const char *name)
{
    for (const char *const *c = sigmix_audit_target_candidates(); *c; c++)
        if (lower_eq(name, *c))
            return 1;
    return 0;
}

/* Edit distance on lower-cased names, bounded to 128 bytes each. */
static size_t distance(const char *x, const char *y)
{
    size_t n = strlen(x), m = strlen(y), row[129];
    n = n > 128 ? 128 : n;
    m = m > 128 ? 128 : m;
    for (size_t j = 0; j <= m; j++)
        row[j] = j;
    for (size_t i = 1; i <= n; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= m; j++) {
            size_t up = row[j];
            size_t cost = tolower((unsigned char)x[i - 1]) != tolower((unsigned char)y[j - 1]);
            size_t best = diag + cost;
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[m];
}

static void warn_target(const work *w, const char *want)
{
    const sigmix_audit_settings *s = &w->a->s;
    if (!s->warn)
        return;
    size_t best[3] = { 0 }, dist[3] = { SIZE_MAX, SIZE_MAX, SIZE_MAX }, nb = 0;
    for (size_t i = 0; i < w->ncols; i++) {
        size_t d = distance(want, colname(w, i));
        for (size_t k = 0; k < 3; k++) {
            if (d < dist[k]) { /* insert, keeping table order among equals */
                for (size_t m = 2; m > k; m--) {
                    dist[m] = dist[m - 1];
                    best[m] = best[m - 1];
                }
                dist[k] = d;
                best[k] = i;
                nb += nb < 3;
                break;
            }
        }
    }
    char msg[1024];
    int len = snprintf(msg, sizeof msg, "%s: target column '%s' not found", w->res->label, want);
    for (size_t k = 0; k < nb && len > 0 && (size_t)len < sizeof msg; k++)
        len += snprintf(msg + len, sizeof msg - (size_t)len, "%s'%s'", k ? ", " : " (closest: ",
                        colname(w, best[k]));
    if (nb && len > 0 && (size_t)len < sizeof msg)
        snprintf(msg + len, sizeof msg - (size_t)len, ")");
    if (len > 0 && (size_t)len < sizeof msg)
        snprintf(msg + strlen(msg), sizeof msg - strlen(msg), "; continuing without a target");
    s->warn(s->warn_cookie, msg);
}

static void find_target(work *w)
{
    w->target = -1;
    const char *want = w->a->s.target;
    if (want) {
        /* An exact-case match wins; else names equal ignoring case, the
         * last one as in auto-detection (a dict keyed by lower-case name). */
        w->target = sigmix_table_find(w->t, want);
        for (size_t i = 0; i < w->ncols && w->target < 0; i++)
            if (lower_eq(colname(w, w->ncols - 1 - i), want))
                w->target = (long)(w->ncols - 1 - i);
        if (w->target < 0)
            warn_target(w, want);
    } else {
        /* First candidate present; among names equal ignoring case, the last
         * column wins (the reference tool keys a dict by lower-case name). */
        for (const char *const *c = sigmix_audit_target_candidates(); *c && w->target < 0; c++)
            for (size_t i = 0; i < w->ncols; i++)
                if (lower_eq(colname(w, i), *c))
                    w->target = (long)i;
    }
    w->res->target = w->target >= 0 ? colname(w, (size_t)w->target) : NULL;
}

static int classify(work *w)
{
    const char **num = alloc(w, w->ncols, sizeof *num), **sigv = alloc(w, w->ncols, sizeof *sigv);
    w->sig = alloc(w, w->ncols, sizeof *w->sig);
    if (!num || !sigv || !w->sig)
        return SIGMIX_ENOMEM;
    size_t nn = 0;
    for (size_t i = 0; i < w->ncols; i++) {
        const sigmix_column *c = sigmix_table_col(w->t, i);
        if (!sigmix_kind_is_numeric(c->kind))
            continue;
        const char *name = colname(w, i);
        num[nn++] = name;
        if (w->target >= 0 && ((size_t)w->target == i || is_candidate(name)))
            continue;
        if (sigmix_family_matches(&w->a->metadata, 0, name))
            continue;
        sigv[w->nsig] = name;
        w->sig[w->nsig++] = i;
    }
    w->res->numeric_columns = (sigmix_audit_names){ num, nn };
    w->res->signal_columns = (sigmix_audit_names){ sigv, w->nsig };
    return 0;
}

static int match_families(work *w)
{
    w->match = alloc(w, w->ncols ? w->ncols : 1, w->nfam ? w->nfam : 1);
    w->primary = alloc(w, w->ncols, sizeof *w->primary);
    if (!w->match || !w->primary)
        return SIGMIX_ENOMEM;
    for (size_t i = 0; i < w->ncols; i++) {
        unsigned char *m = &w->match[i * w->nfam];
        sigmix_family_match_all(&w->a->fams, colname(w, i), m);
        w->primary[i] = "uncategorized"; /* the first family that matches */
        for (size_t f = w->nfam; f-- > 0;)
            if (m[f])
                w->primary[i] = w->a->fams.fam[f].key;
    }
    return 0;
}

static int worker_count(const work *w);

/* Column statistics, columns pulled from a shared counter by the calling
 * thread and worker_count() - 1 helpers, each with its own scratch. */
typedef struct cs_job {
    work   *w;
    size_t  next;
} cs_job;

typedef struct cs_arg {
    cs_job  *j;
    double **scratch; /* the helper's slot in w->hs */
} cs_arg;

static void cs_loop(cs_job *j, double *scratch)
{
    work *w = j->w;
    for (;;) {
        size_t k = __atomic_fetch_add(&j->next, 1, __ATOMIC_RELAXED);
        if (k >= w->nsig)
            break;
        const sigmix_column *c = sigmix_table_col(w->t, w->sig[k]);
        sigmix_column_stats(c->f64, w->rows, scratch, &w->st[k]);
    }
}

static void *cs_worker(void *arg)
{
    cs_arg *a = arg;
    /* Made here so the helper first touches it; kept for tc_worker. */
    if (!*a->scratch)
        *a->scratch = sigmix_huge_alloc((2 * a->j->w->rows + 1) * sizeof **a->scratch);
    if (*a->scratch) /* else the calling thread does this helper's share */
        cs_loop(a->j, *a->scratch);
    return NULL;
}

/* Helpers pay off only for enough values (thread start, fresh scratch). */
#define CS_PAR_MIN_VALUES ((size_t)1 << 21)

static int column_stats(work *w)
{
    sigmix_audit_stat *out = alloc(w, w->nsig, sizeof *out);
    w->st = alloc(w, w->nsig, sizeof *w->st);
    if (!out || !w->st)
        return SIGMIX_ENOMEM;
    cs_job j = { w, 0 };
    pthread_t th[16];
    cs_arg args[16];
    int n = w->nsig && w->rows >= CS_PAR_MIN_VALUES / w->nsig ? worker_count(w) : 1;
    int started = 0;
    while (started < n - 1) {
        args[started] = (cs_arg){ &j, &w->hs[started] };
        if (pthread_create(&th[started], NULL, cs_worker, &args[started]))
            break;
        started++;
    }
    cs_loop(&j, w->scratch);
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    for (size_t k = 0; k < w->nsig; k++)
        out[k] = (sigmix_audit_stat){ colname(w, w->sig[k]), w->st[k].finite_ratio,
                                      w->st[k].mean, w->st[k].std, w->st[k].min, w->st[k].max };
    w->res->stats = out;
    return 0;
}

static int family_health(work *w)
{
    const double minr = w->a->s.min_finite_ratio;
    sigmix_audit_health *h = alloc(w, w->nfam, sizeof *h);
    const char **miss = alloc(w, w->nfam, sizeof *miss), **weak = alloc(w, w->nfam, sizeof *weak);
    long *pos = alloc(w, w->ncols, sizeof *pos);
    if (!h || !miss || !weak || !pos)
        return SIGMIX_ENOMEM;
    for (size_t i = 0; i < w->ncols; i++)
        pos[i] = -1;
    for (size_t k = 0; k < w->nsig; k++)
        pos[w->sig[k]] = (long)k;
    size_t nm = 0, nw = 0;
    for (size_t f = 0; f < w->nfam; f++) {
        size_t cnt = 0; /* size the lists exactly: many families x wide tables */
        for (size_t i = 0; i < w->ncols; i++)
            cnt += w->match[i * w->nfam + f];
        const char **m = alloc(w, cnt, sizeof *m), **nu = alloc(w, cnt, sizeof *nu),
                   **he = alloc(w, cnt, sizeof *he);
        if (!m || !nu || !he)
            return SIGMIX_ENOMEM;
        size_t a = 0, b = 0, c = 0;
        for (size_t i = 0; i < w->ncols; i++) {
            if (!w->match[i * w->nfam + f])
                continue;
            m[a++] = colname(w, i);
            if (pos[i] < 0)
                continue;
            nu[b++] = colname(w, i);
            const sigmix_colstats *s = &w->st[pos[i]];
            if (s->finite_ratio >= minr && s->std > SIGMIX_FLAT_STD)
                he[c++] = colname(w, i);
        }
        h[f].key = w->a->fams.fam[f].key;
        h[f].matched = (sigmix_audit_names){ m, a };
        h[f].numeric = (sigmix_audit_names){ nu, b };
        h[f].healthy = (sigmix_audit_names){ he, c };
        h[f].status = !a ? SIGMIX_FAMILY_MISSING : !c ? SIGMIX_FAMILY_WEAK : SIGMIX_FAMILY_COVERED;
        if (!a)
            miss[nm++] = h[f].key;
        else if (!c)
            weak[nw++] = h[f].key;
    }
    w->res->health = h;
    w->res->n_health = w->nfam;
    w->res->missing_families = (sigmix_audit_names){ miss, nm };
    w->res->weak_families = (sigmix_audit_names){ weak, nw };
    return 0;
}

/* Write n items of `size` bytes to dst (not overlapping items) in order of
 * descending keys, NaN last, equal keys in their order (pairsort.h). */
static int sort_desc_to(void *dst, const void *items, size_t n, size_t size, const double *keys)
{
    sigmix_pair_rec *k = malloc((n ? n : 1) * sizeof *k);
    if (!k)
        return SIGMIX_ENOMEM;
    for (size_t i = 0; i < n; i++)
        k[i] = (sigmix_pair_rec){ keys[i], i, 0 };
    sigmix_pair_sort(k, n);
    for (size_t i = 0; i < n; i++)
        memcpy((unsigned char *)dst + i * size, (const unsigned char *)items + k[i].ord * size,
               size);
    free(k);
    return 0;
}

/* Reorder n items of `size` bytes by descending keys (stable). */
static int sort_desc(void *items, size_t n, size_t size, const double *keys)
{
    if (n < 2)
        return 0;
    unsigned char *tmp = malloc(n * size);
    int rc = tmp ? sort_desc_to(tmp, items, n, size, keys) : SIGMIX_ENOMEM;
    if (!rc)
        memcpy(items, tmp, n * size);
    free(tmp);
    return rc;
}

/*
 * Per-column target work (Pearson, ranks, Spearman) is the costliest part of
 * the statistics and independent per column: workers pull columns from a
 * shared counter, each with its own scratch.
 */
typedef struct tc_job {
    const work            *w;
    const double          *ty, *tr;
    const sigmix_colstats *tys, *trs; /* target's and its ranks' statistics */
    double                *pv, *sv;
    size_t                 next;
    int                    failed;
    pthread_mutex_t        mu;
} tc_job;

/* Average ranks of column c: int64 columns by their exact values. */
static void rank_column(const sigmix_column *c, size_t n, double *ranks, sigmix_rank_scratch *rs)
{
    if (c->kind == SIGMIX_KIND_INT64 && c->i64)
        sigmix_rank_average_i64(c->i64, c->valid, n, ranks, rs);
    else
        sigmix_rank_average(c->f64, n, ranks, rs);
}

/*
 * One worker's loop. Values come from sigmix_pearson_pair, which is
 * bit-identical to sigmix_pearson_ref but reuses the column statistics:
 * for complete pairs one pass over the rows instead of six.
 */
static void tc_loop(tc_job *j, double *scratch, double *cr, sigmix_rank_scratch *rs, int ok)
{
    const work *w = j->w;
    screen_run(w);
    for (;;) {
        /* A worker without scratch takes no column: it marks the whole job
         * failed, and the others stop at their next column. */
        pthread_mutex_lock(&j->mu);
        if (!ok)
            j->failed = 1;
        size_t k = j->failed ? w->nsig : j->next++;
        pthread_mutex_unlock(&j->mu);
        if (k >= w->nsig)
            break;
        const sigmix_column *c = sigmix_table_col(w->t, w->sig[k]);
        sigmix_colstats crs;
        j->pv[k] = sigmix_pearson_pair(c->f64, &w->st[k], j->ty, j->tys, w->rows, scratch);
        rank_column(c, w->rows, cr, rs);
        sigmix_column_stats(cr, w->rows, scratch, &crs);
        j->sv[k] = sigmix_pearson_pair(cr, &crs, j->tr, j->trs, w->rows, scratch);
    }
}

typedef struct tc_arg {
    tc_job *j;
    double *scratch; /* the helper's kept scratch (w->hs), or NULL */
} tc_arg;

static void *tc_worker(void *arg)
{
    tc_arg *a = arg;
    tc_job *j = a->j;
    const work *w = j->w;
    double *own = a->scratch ? NULL : sigmix_huge_alloc((2 * w->rows + 1) * sizeof *own);
    double *scratch = a->scratch ? a->scratch : own;
    double *cr = sigmix_huge_alloc((w->rows + 1) * sizeof *cr);
    sigmix_rank_scratch *rs = sigmix_rank_scratch_new(w->rows);
    tc_loop(j, scratch, cr, rs, scratch && cr && rs);
    free(own);
    free(cr);
    sigmix_rank_scratch_free(rs);
    return NULL;
}

static int worker_count(const work *w)
{
    long n = w->a->s.threads > 0 ? w->a->s.threads : sigmix_cpu_count();
    if (n < 1)
        n = 1;
    if (n > 16)
        n = 16;
    if ((size_t)n > w->nsig)
        n = w->nsig ? (long)w->nsig : 1;
    return (int)n;
}

#define TC_PAR_MIN_WORK 4194304.0

/* Fill pv/sv for every signal column; returns 0 or SIGMIX_ENOMEM. The
 * calling thread works too, with the analysis' own scratch (fresh memory
 * costs a page fault per 4 KiB, which a large audit notices). */
static int tc_run(const work *w, const double *ty, const double *tr, const sigmix_colstats *tys,
                  const sigmix_colstats *trs, double *pv, double *sv)
{
    tc_job j = { w, ty, tr, tys, trs, pv, sv, 0, 0, PTHREAD_MUTEX_INITIALIZER };
    pthread_t th[16];
    tc_arg args[16];
    /* Ranking every column plus the screen's p x p strip: below
     * TC_PAR_MIN_WORK a helper's start costs more than it takes over, so an
     * automatic thread count (settings.threads 0) stays on this thread. */
    double work_est = (double)w->rows * (double)w->nsig * (8.0 + (w->screen ? w->nsig / 2.0 : 0.0));
    int n = w->a->s.threads > 0 || work_est >= TC_PAR_MIN_WORK ? worker_count(w) : 1;
    int started = 0;
    while (started < n - 1) {
        args[started] = (tc_arg){ &j, w->hs[started] };
        if (pthread_create(&th[started], NULL, tc_worker, &args[started]))
            break;
        started++;
    }
    double *cr = sigmix_huge_alloc((w->rows + 1) * sizeof *cr);
    tc_loop(&j, w->scratch, cr, w->rs, cr != NULL);
    free(cr);
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    pthread_mutex_destroy(&j.mu);
    return j.failed ? SIGMIX_ENOMEM : 0;
}

static int target_correlations(work *w)
{
    w->target_abs = alloc(w, w->nsig, sizeof *w->target_abs);
    if (!w->target_abs)
        return SIGMIX_ENOMEM;
    for (size_t k = 0; k < w->nsig; k++)
        w->target_abs[k] = NAN;
    if (w->target < 0 || !sigmix_kind_is_numeric(sigmix_table_col(w->t, (size_t)w->target)->kind))
        return 0;
    sigmix_audit_corr *out = alloc(w, w->nsig, sizeof *out);
    double *keys = malloc((w->nsig + 1) * sizeof *keys);
    double *pv = malloc((w->nsig + 1) * sizeof *pv), *sv = malloc((w->nsig + 1) * sizeof *sv);
    double *tr = sigmix_huge_alloc((w->rows + 1) * sizeof *tr);
    w->rs = sigmix_rank_scratch_new(w->rows); /* freed with the analysis */
    int rc = (!out || !keys || !pv || !sv || !tr || !w->rs) ? SIGMIX_ENOMEM : 0;
    size_t n = 0;
    const sigmix_column *tc = sigmix_table_col(w->t, (size_t)w->target);
    const double *ty = tc->f64;
    if (!rc) {
        sigmix_colstats tys, trs;
        sigmix_column_stats(ty, w->rows, w->scratch, &tys);
        rank_column(tc, w->rows, tr, w->rs);
        sigmix_column_stats(tr, w->rows, w->scratch, &trs);
        screen_plan(w);
        rc = tc_run(w, ty, tr, &tys, &trs, pv, sv);
    }
    for (size_t k = 0; !rc && k < w->nsig; k++) {
        double p = pv[k], s = sv[k];
        if (isnan(p) && isnan(s))
            continue;
        w->target_abs[k] = fabs(p);
        out[n] = (sigmix_audit_corr){ colname(w, w->sig[k]), w->primary[w->sig[k]], p, s, fabs(p) };
        keys[n++] = fabs(p);
    }
    if (!rc)
        rc = sort_desc(out, n, sizeof *out, keys);
    w->res->target_correlations = out;
    w->res->n_target_correlations = rc ? 0 : n;
    free(keys);
    free(pv);
    free(sv);
    free(tr);
    return rc;
}

/* A kept pair while the screen runs is a sigmix_pair_rec (pairsort.h),
 * 24 bytes instead of the report's 64, with ord = i * p + j. */
typedef sigmix_pair_rec pair_rec;

typedef struct pair_list {
    pair_rec *v;
    size_t    n, cap;
} pair_list;

static int pair_push(pair_list *l, size_t ord, double r, double key)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 256;
        pair_rec *v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return SIGMIX_ENOMEM;
        sigmix_prefault(v + l->cap, (cap - l->cap) * sizeof *v); /* the pushes fill most */
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = (pair_rec){ key, ord, r };
    return 0;
}

/* Sort l and write its pairs into the arena; inter: with the target |r|s. */
static int pair_finish(work *w, pair_list *l, int inter, const sigmix_audit_pair **out, size_t *n)
{
    const size_t p = w->nsig;
    sigmix_audit_pair *v = sigmix_arena_alloc(w->ar, (l->n ? l->n : 1) * sizeof *v);
    *out = v;
    *n = v ? l->n : 0;
    if (v) {
        sigmix_prefault(v, l->n * sizeof *v);
        sigmix_pair_sort(l->v, l->n);
    }
    for (size_t k = 0; v && k < l->n; k++) {
        size_t i = l->v[k].ord / p, j = l->v[k].ord % p, li = w->sig[i], ri = w->sig[j];
        double r = l->v[k].r;
        v[k] = (sigmix_audit_pair){ colname(w, li), colname(w, ri), w->primary[li], w->primary[ri],
                                    r, fabs(r), NAN, NAN };
        if (inter) {
            v[k].left_target_abs_pearson = w->target_abs[i];
            v[k].right_target_abs_pearson = w->target_abs[j];
        }
    }
    free(l->v);
    return v ? 0 : SIGMIX_ENOMEM;
}

/*
 * Screening margin: the BLAS screen agrees with the exact value to ~1e-12
 * (suspect pairs are exact already); any pair within this distance of a
 * threshold, or past it, is computed exactly, and only the exact value
 * decides and is reported.
 */
#define SCREEN_MARGIN 1e-6

typedef struct pair_job {
    work          *w;
    const double **cols;
    double        *scratch;
    pair_list      red, inter;
} pair_job;

static int pair_strip(void *cookie, size_t i0, size_t bi, const double *r)
{
    pair_job *pj = cookie;
    work *w = pj->w;
    const sigmix_audit_settings *s = &w->a->s;
    const size_t p = w->nsig;
    for (size_t i = i0; i < i0 + bi; i++) {
        for (size_t j = i + 1; j < p; j++) {
            double c = r[(i - i0) * p + j];
            if (isnan(c))
                continue;
            if (w->mat) /* html: the whole matrix, exact values overwrite below */
                w->mat[i * p + j] = w->mat[j * p + i] = c;
            size_t li = w->sig[i], ri = w->sig[j];
            double lt = w->target_abs[i], rt = w->target_abs[j];
            int cross = strcmp(w->primary[li], w->primary[ri]) && lt >= s->min_target_abs_r &&
                        rt >= s->min_target_abs_r;
            if (!(fabs(c) >= s->redundancy_threshold - SCREEN_MARGIN) &&
                !(cross && fabs(c) <= s->complement_threshold + SCREEN_MARGIN))
                continue;
            c = sigmix_pearson_pair(pj->cols[i], &w->st[i], pj->cols[j], &w->st[j], w->rows,
                                    pj->scratch);
            if (w->mat)
                w->mat[i * p + j] = w->mat[j * p + i] = c;
            if (isnan(c))
                continue;
            int rc = 0;
            if (fabs(c) >= s->redundancy_threshold)
                rc = pair_push(&pj->red, i * p + j, c, fabs(c));
            if (!rc && cross && fabs(c) <= s->complement_threshold)
                rc = pair_push(&pj->inter, i * p + j, c, lt + rt);
            if (rc)
                return rc;
        }
    }
    return 0;
}

static int pairs(work *w)
{
    size_t p = w->nsig;
    pair_job pj = { w, NULL, NULL, { 0 }, { 0 } };
    pj.cols = malloc((p + 1) * sizeof *pj.cols);
    pj.scratch = w->scratch;
    int rc = !pj.cols ? SIGMIX_ENOMEM : 0;
    for (size_t k = 0; !rc && k < p; k++)
        pj.cols[k] = sigmix_table_col(w->t, w->sig[k])->f64;
    if (!rc && w->screen && w->screen->taken)
        rc = w->screen->rc ? w->screen->rc : pair_strip(&pj, 0, p, w->screen->r);
    else if (!rc)
        rc = sigmix_pearson_strips(pj.cols, p, w->rows, w->st, pair_strip, &pj);
    free(pj.cols);
    int r1 = pair_finish(w, &pj.red, 0, &w->res->redundant_pairs, &w->res->n_redundant_pairs);
    int r2 = pair_finish(w, &pj.inter, 1, &w->res->intersections, &w->res->n_intersections);
    return rc ? rc : r1 ? r1 : r2;
}

/* html work: the full matrix, counts and a row sample, when asked. */
static int keep_matrix(work *w)
{
    sigmix_audit_matrix *m;
    if (!w->a->s.keep_matrix)
        return 0;
    int rc = sigmix_audit_keep_begin(w->ar, w->t, w->sig, w->nsig, w->st, w->target, &m);
    if (!rc) {
        w->mat = (double *)m->pearson;
        w->res->matrix = m;
    }
    return rc;
}

static int copy_names(work *w)
{
    const char **v = alloc(w, w->ncols, sizeof *v);
    if (!v)
        return SIGMIX_ENOMEM;
    for (size_t i = 0; i < w->ncols; i++) {
        const char *name = sigmix_table_col(w->t, i)->name;
        if (!(v[i] = sigmix_arena_strndup(w->ar, name, strlen(name))))
            return SIGMIX_ENOMEM;
    }
    w->res->columns = (sigmix_audit_names){ v, w->ncols };
    return 0;
}

int sigmix_audit_analyze(const sigmix_audit *a, const sigmix_table *t, audit_table *r,
                         sigmix_error *err)
{
    work w = { 0 };
    w.a = a;
    w.t = t;
    w.res = &r->res;
    w.ar = &r->arena;
    w.rows = sigmix_table_rows(t);
    w.ncols = sigmix_table_cols(t);
    w.nfam = a->fams.n;
    r->res.rows = w.rows;
    w.scratch = sigmix_huge_alloc((2 * w.rows + 1) * sizeof *w.scratch);
    int rc = w.scratch ? 0 : SIGMIX_ENOMEM;
    if (!rc && !(rc = copy_names(&w))) {
        find_target(&w);
        if (!(rc = classify(&w)) && !(rc = match_families(&w)) &&
            !(rc = column_stats(&w)) && !(rc = family_health(&w)) &&
            !(rc = target_correlations(&w)) && !(rc = keep_matrix(&w)))
            rc = pairs(&w);
    }
    free(w.scratch);
    sigmix_rank_scratch_free(w.rs);
    screen_free(&w);
    for (size_t i = 0; i < sizeof w.hs / sizeof *w.hs; i++)
        free(w.hs[i]);
    if (rc)
        return sigmix_error_set(err, rc, "out of memory while auditing (%zu rows, %zu columns)",
                                w.rows, w.ncols);
    return 0;
}
