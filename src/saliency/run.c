/*
 * sigmix_saliency_run: classify rows, group them into distinct clips,
 * compute the clips on a pthread work queue (journaling each result), then
 * fill the table in row order. Results depend only on the clip, never on
 * the thread that computed it, so any --jobs gives the same table.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libavutil/pixdesc.h>

#include "saliency/columns.h"
#include "saliency/internal.h"
#include "saliency/shard.h"
#include "util/cpu.h"
#include "util/error.h"
#include "util/parallel.h"
#include "util/prefault.h"
#include "util/sha256.h"

typedef struct sal_task {
    char  *source;      /* resolved path */
    int    row_w, row_h;
    size_t first_row, nrows;
    char   key[65];
    int    status;
    int    done;        /* result known (computed or from the journal) */
    int    computed;    /* reached the model (counts for the speed estimate) */
    int    cancelled;   /* stopped by the cancel flag: dropped, never journaled */
    int    in_shard;    /* sharded run: this shard computes it */
    int    have_stat;   /* size and mtime known from resolving (saves a stat) */
    long long size;
    struct timespec mtime;
    double mean, var;
    int    w, h;        /* geometry used */
    char  *msg;        /* why it failed (malloc'd; NULL: none): most clips
                          succeed, so 150k tasks do not carry 600 bytes each */
} sal_task;

#define TASK_MSG_MAX 600

/* Keep a failure's message on the task; on OOM the status still says it. */
static void task_set_msg(sal_task *t, const char *m)
{
    free(t->msg);
    t->msg = m && *m ? strdup(m) : NULL;
}

static const char *task_msg(const sal_task *t)
{
    return t->msg ? t->msg : "";
}

typedef struct sal_run {
    const sigmix_saliency_settings *s;
    sal_model  model;
    const char *model_sha;     /* hex, "" for the built-in model */
    int        frame_samples;
    int        raw_fmt;
    sal_task  *tasks;
    size_t     ntasks;
    size_t     next;           /* work queue head */
    size_t    *todo;           /* task indices still to compute */
    size_t     ntodo;
    pthread_mutex_t lock;
    FILE      *journal;
    size_t     rows_total, rows_done, clips_done, clips_computed, journaled;
    char      *root_real;      /* confinement root, NULL: none */
    double     t_decode, t_convert, t_model, t_reduce;
    size_t     skipped_other;  /* skipped rows made by another model */
    /* Key parts that are the same for every clip, formatted once. */
    char       key_defs[64], key_frames[64], key_red[64];
} sal_run;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cancelled(const sal_run *run)
{
    return run->s->cancel && *run->s->cancel;
}

/* ---- one clip ------------------------------------------------------------ */

typedef struct worker {
    sal_run *run;
    void    *inst;
    float   *map;
    size_t   map_cap;
    double   t_decode, t_convert, t_model, t_reduce;
} worker;

static int grow_map(worker *w, size_t n)
{
    if (w->map_cap >= n)
        return 0;
    float *m = realloc(w->map, n * sizeof *m);
    if (!m)
        return -1;
    w->map = m;
    w->map_cap = n;
    return 0;
}

/* Score the sampled frames and reduce them; t gets mean/var or a failure. */
static int score_clip(worker *w, sal_task *t, const sal_clip *clip, char *msg, size_t msgn)
{
    sal_run *run = w->run;
    const sal_model_class *cls = run->model.cls;
    const sigmix_saliency_settings *s = run->s;
    /* Linear reducers commute with the model's bilinear upsampling. */
    int small = cls->run_small && cls->expand && s->reducer != SIGMIX_SAL_MAX;
    int fs = run->frame_samples < clip->n ? run->frame_samples : clip->n;
    int *idx = malloc((size_t)(fs > 1 ? fs : 1) * sizeof *idx);
    size_t npix = (size_t)clip->w * clip->h;
    sal_reducer red = { 0 };
    int inited = 0, status = SIGMIX_SAL_OK;
    if (!idx || grow_map(w, npix)) {
        free(idx);
        snprintf(msg, msgn, "out of memory");
        return SIGMIX_SAL_MODEL_FAILED;
    }
    int k = sigmix_sal_sample(clip->n, fs, idx);
    for (int i = 0; i < k && status == SIGMIX_SAL_OK; i++) {
        if (cancelled(run)) {
            t->cancelled = 1;
            break;
        }
        const sal_frame *f = &clip->frames[idx[i]];
        sigmix_error err = { 0 };
        const float *map = w->map;
        int mw = clip->w, mh = clip->h, r;
        double t0 = now_s();
        r = small ? cls->run_small(w->inst, f, &map, &mw, &mh, &err)
                  : cls->run(w->inst, f, w->map, &err);
        double t1 = now_s();
        w->t_model += t1 - t0;
        if (r) {
            snprintf(msg, msgn, "frame %d: %.500s", idx[i], err.message);
            status = SIGMIX_SAL_MODEL_FAILED;
        } else if (!inited && sigmix_sal_reducer_init(&red, s->reducer, s->ema_alpha, mw, mh,
                                                      clip->w, clip->h)) {
            snprintf(msg, msgn, "out of memory");
            status = SIGMIX_SAL_MODEL_FAILED;
        } else {
            inited = 1;
            sigmix_sal_reducer_add(&red, map, f->y, f->ys);
        }
        w->t_reduce += now_s() - t1;
    }
    if (t->cancelled) {
        status = SIGMIX_SAL_MODEL_FAILED;
        snprintf(msg, msgn, "interrupted");
    } else if (status == SIGMIX_SAL_OK && !inited) { /* cannot happen with n >= 1; be safe */
        snprintf(msg, msgn, "no frame sampled");
        status = SIGMIX_SAL_DECODE_FAILED;
    }
    if (status == SIGMIX_SAL_OK) {
        double t0 = now_s();
        sigmix_sal_reducer_final(&red);
        float *out = red.acc;
        if (small) {
            cls->expand(w->inst, red.acc, w->map);
            out = w->map;
        }
        sigmix_sal_map_stats(out, npix, &t->mean, &t->var);
        w->t_reduce += now_s() - t0;
    }
    if (inited)
        sigmix_sal_reducer_free(&red);
    free(idx);
    return status;
}

static void compute_clip(worker *w, sal_task *t, char *msg, size_t msgn)
{
    sal_run *run = w->run;
    const sigmix_saliency_settings *s = run->s;
    sal_decode_opts o = { t->row_w, t->row_h, s->default_width, s->default_height,
                          run->raw_fmt, s->max_frames, s->max_pixels, s->cancel };
    sal_clip clip;
    memset(&clip, 0, sizeof clip);
    /* The declared geometry decides the memory: refuse it before any open. */
    if (sigmix_sal_too_large(t->row_w, t->row_h, s->max_pixels, msg, msgn)) {
        t->status = SIGMIX_SAL_MODEL_FAILED;
        return;
    }
    /* Open once, confined and without blocking; decode that descriptor. */
    int fd = sigmix_sal_open_source(t->source, run->root_real, s->allow_outside_root, msg,
                                    msgn);
    if (fd < 0) {
        t->status = SIGMIX_SAL_DECODE_FAILED;
        return;
    }
    t->status = sigmix_sal_decode_fd(fd, t->source, &o, &clip, msg, msgn);
    close(fd);
    w->t_decode += clip.t_decode;
    w->t_convert += clip.t_convert;
    if (cancelled(run)) {
        t->cancelled = 1;
        sigmix_sal_clip_free(&clip);
        return;
    }
    if (t->status != SIGMIX_SAL_OK)
        return;
    t->computed = 1;
    t->w = clip.w;
    t->h = clip.h;
    t->status = score_clip(w, t, &clip, msg, msgn);
    sigmix_sal_clip_free(&clip);
}

static void compute_task(worker *w, sal_task *t)
{
    char msg[TASK_MSG_MAX] = "";
    compute_clip(w, t, msg, sizeof msg);
    if (t->status != SIGMIX_SAL_OK)
        task_set_msg(t, msg);
}

/* Journal the result and report progress; called with the lock held. */
static void task_finished(sal_run *run, sal_task *t)
{
    if (t->cancelled)
        return; /* unfinished: dropped, a rerun computes it */
    t->done = 1;
    if (run->journal && t->status == SIGMIX_SAL_OK) {
        char line[8192];
        if (!sigmix_sal_journal_line(line, sizeof line, t->key, t->mean, t->var, t->source,
                                     t->w, t->h)) {
            fputs(line, run->journal);
            if (fflush(run->journal) == 0)
                run->journaled++;
        }
    }
    run->rows_done += t->nrows;
    run->clips_done++;
    run->clips_computed += t->computed;
    if (run->s->progress) {
        sigmix_saliency_progress p = { run->rows_done, run->rows_total, run->clips_done,
                                       run->ntodo, run->clips_computed };
        run->s->progress(run->s->progress_cookie, &p);
    }
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    sal_run *run = w->run;
    sigmix_error err = { 0 };
    int ok = run->model.cls->instance_create(run->model.shared, &w->inst, &err) == 0;
    for (;;) {
        pthread_mutex_lock(&run->lock);
        size_t i = run->next < run->ntodo && !cancelled(run) ? run->todo[run->next++]
                 : (size_t)-1;
        pthread_mutex_unlock(&run->lock);
        if (i == (size_t)-1)
            break;
        sal_task *t = &run->tasks[i];
        if (ok) {
            compute_task(w, t);
        } else {
            t->status = SIGMIX_SAL_MODEL_FAILED;
            char msg[TASK_MSG_MAX];
            snprintf(msg, sizeof msg, "%.500s", err.message);
            task_set_msg(t, msg);
        }
        pthread_mutex_lock(&run->lock);
        task_finished(run, t);
        pthread_mutex_unlock(&run->lock);
    }
    if (w->inst)
        run->model.cls->instance_free(w->inst);
    free(w->map);
    pthread_mutex_lock(&run->lock);
    run->t_decode += w->t_decode;
    run->t_convert += w->t_convert;
    run->t_model += w->t_model;
    run->t_reduce += w->t_reduce;
    pthread_mutex_unlock(&run->lock);
    return NULL;
}

static void run_workers(sal_run *run, int jobs)
{
    if ((size_t)jobs > run->ntodo)
        jobs = (int)run->ntodo;
    if (jobs <= 1) {
        worker w = { .run = run };
        if (run->ntodo)
            worker_main(&w);
        return;
    }
    worker *ws = calloc((size_t)jobs, sizeof *ws);
    pthread_t *th = calloc((size_t)jobs, sizeof *th);
    int started = 0;
    if (ws && th)
        for (; started < jobs; started++) {
            ws[started].run = run;
            if (pthread_create(&th[started], NULL, worker_main, &ws[started]))
                break;
        }
    if (started == 0) { /* no thread could start: do the work here */
        worker w = { .run = run };
        worker_main(&w);
    }
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    free(ws);
    free(th);
}

/* ---- grouping rows into clips -------------------------------------------- */

typedef struct row_ref {
    char  *source;
    int    w, h;
    size_t row;
    long long size;            /* of the source when resolved (st_size) */
    struct timespec mtime;
    int    have_stat;
} row_ref;

static int cmp_ref(const void *a, const void *b)
{
    const row_ref *x = a, *y = b;
    int c = strcmp(x->source, y->source);
    if (c)
        return c;
    if (x->w != y->w)
        return x->w < y->w ? -1 : 1;
    if (x->h != y->h)
        return x->h < y->h ? -1 : 1;
    return x->row < y->row ? -1 : (x->row > y->row);
}

/* Group refs (sorted here) into tasks; row_task[row] gets the task index. */
static int group_rows(sal_run *run, row_ref *refs, size_t n, size_t *row_task)
{
    if (n)
        qsort(refs, n, sizeof *refs, cmp_ref);
    /* 150k tasks are ~28 MB that the merge walks several times: on huge
     * pages that is 14 faults instead of 6,700 (and far fewer TLB misses) */
    size_t bytes = (n ? n : 1) * sizeof *run->tasks;
    run->tasks = n <= SIZE_MAX / sizeof *run->tasks ? sigmix_huge_alloc(bytes) : NULL;
    if (!run->tasks)
        return SIGMIX_ENOMEM;
    memset(run->tasks, 0, bytes);
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || strcmp(refs[i].source, run->tasks[run->ntasks - 1].source)
            || refs[i].w != refs[i - 1].w || refs[i].h != refs[i - 1].h) {
            sal_task *t = &run->tasks[run->ntasks++];
            t->source = refs[i].source;
            t->row_w = refs[i].w;
            t->row_h = refs[i].h;
            t->size = refs[i].size;
            t->mtime = refs[i].mtime;
            t->have_stat = refs[i].have_stat;
            t->first_row = refs[i].row; /* refs of a group are in row order */
        } else {
            free(refs[i].source);
        }
        refs[i].source = NULL; /* owned by the task (or freed) */
        run->tasks[run->ntasks - 1].nrows++;
        row_task[refs[i].row] = run->ntasks - 1;
    }
    return 0;
}

/* ---- journal keys ---------------------------------------------------------- */

/* Decimal digits of v ending just before end (NUL at end[-1]); returns the first. */
static char *utoa_end(unsigned long long v, char *end)
{
    *--end = '\0';
    do
        *--end = (char)('0' + v % 10);
    while ((v /= 10));
    return end;
}

static void key_parts_init(sal_run *run)
{
    const sigmix_saliency_settings *s = run->s;
    snprintf(run->key_defs, sizeof run->key_defs, "%dx%d", s->default_width, s->default_height);
    snprintf(run->key_frames, sizeof run->key_frames, "%d/%d", s->max_frames, run->frame_samples);
    snprintf(run->key_red, sizeof run->key_red, "%s/%a", sigmix_saliency_reducer_name(s->reducer),
             s->reducer == SIGMIX_SAL_EMA ? s->ema_alpha : 0.0);
}

/* The journal key of a clip. A merge computes 150k of them: the per-clip
 * parts are formatted by hand, the same text snprintf gave. */
static void task_key(const sal_run *run, sal_task *t)
{
    struct stat st;
    char sizeb[32], mtimeb[48], geob[64], nsb[16];
    const char *size = "", *mtime = "";
    if (!t->have_stat && !stat(t->source, &st)) {
        t->size = (long long)st.st_size;
        t->mtime = st.st_mtim;
        t->have_stat = 1;
    }
    if (t->have_stat) {
        size = t->size >= 0 ? utoa_end((unsigned long long)t->size, sizeb + sizeof sizeb)
                            : (snprintf(sizeb, sizeof sizeb, "%lld", t->size), sizeb);
        long long sec = (long long)t->mtime.tv_sec;
        long ns = (long)t->mtime.tv_nsec;
        if (sec >= 0 && ns >= 0 && ns < 1000000000L) {
            char *nsp = utoa_end((unsigned long long)ns, nsb + sizeof nsb);
            size_t nl = strlen(nsp);
            char *p = utoa_end((unsigned long long)sec, mtimeb + 24);
            size_t sl = strlen(p);
            memmove(mtimeb, p, sl);
            mtimeb[sl++] = '.';
            for (size_t i = nl; i < 9; i++)
                mtimeb[sl++] = '0';
            memcpy(mtimeb + sl, nsp, nl + 1);
        } else {
            snprintf(mtimeb, sizeof mtimeb, "%lld.%09ld", sec, ns);
        }
        mtime = mtimeb;
    }
    if (t->row_w >= 0 && t->row_h >= 0) {
        char wb[16], hb[16];
        const char *ws = utoa_end((unsigned)t->row_w, wb + sizeof wb);
        const char *hs = utoa_end((unsigned)t->row_h, hb + sizeof hb);
        size_t wl = strlen(ws);
        memcpy(geob, ws, wl);
        geob[wl] = 'x';
        memcpy(geob + wl + 1, hs, strlen(hs) + 1);
    } else {
        snprintf(geob, sizeof geob, "%dx%d", t->row_w, t->row_h);
    }
    const char *parts[] = { "sigmix-saliency-journal-1", t->source, size, mtime, geob,
                            run->key_defs, av_get_pix_fmt_name(run->raw_fmt), run->model.id,
                            run->model.cls->name, run->model_sha,
                            run->key_frames, run->key_red };
    sigmix_sal_key(t->key, parts, sizeof parts / sizeof *parts);
}

/* ---- settings ---------------------------------------------------------- */

static const char *const status_names[SIGMIX_SAL_NSTATUS] = {
    "ok", "skipped-existing", "missing-source", "missing-geometry", "decode-failed",
    "model-failed",
};

const char *sigmix_saliency_status_name(int status)
{
    return status >= 0 && status < SIGMIX_SAL_NSTATUS ? status_names[status] : "unknown";
}

const char *sigmix_saliency_reducer_name(sigmix_saliency_reducer r)
{
    switch (r) {
    case SIGMIX_SAL_MEAN: return "mean";
    case SIGMIX_SAL_EMA: return "ema";
    case SIGMIX_SAL_MAX: return "max";
    case SIGMIX_SAL_MOTION_WEIGHTED: return "motion-weighted";
    }
    return "unknown";
}

int sigmix_saliency_reducer_parse(const char *name, sigmix_saliency_reducer *out)
{
    static const struct { const char *n; sigmix_saliency_reducer r; } tab[] = {
        { "mean", SIGMIX_SAL_MEAN }, { "ema", SIGMIX_SAL_EMA }, { "max", SIGMIX_SAL_MAX },
        { "motion-weighted", SIGMIX_SAL_MOTION_WEIGHTED },
        { "motion_weighted", SIGMIX_SAL_MOTION_WEIGHTED },
    };
    for (size_t i = 0; name && i < sizeof tab / sizeof *tab; i++)
        if (!strcmp(name, tab[i].n)) {
            *out = tab[i].r;
            return 0;
        }
    return SIGMIX_EINVAL;
}

void sigmix_saliency_default_settings(sigmix_saliency_settings *s)
{
    memset(s, 0, sizeof *s);
    s->path_column = "src";
    s->width_column = "width";
    s->height_column = "height";
    s->max_frames = 8;
    s->frame_samples = 8;
    s->reducer = SIGMIX_SAL_MEAN;
    s->ema_alpha = 0.6;
    s->mean_column = "saliency_mean";
    s->var_column = "saliency_var";
    s->model_id_column = "saliency_model_id";
    s->aggregator_column = "saliency_aggregator";
    s->ema_alpha_column = "saliency_ema_alpha";
    s->status_column = "saliency_status";
    s->max_pixels = SAL_DEFAULT_MAX_PIXELS;
}

int sigmix_saliency_check_settings(const sigmix_saliency_settings *s, sigmix_error *err)
{
    sigmix_error_clear(err); /* contract: common.h */
    if (!s->path_column || !s->path_column[0])
        return sigmix_error_set(err, SIGMIX_EINVAL, "empty path column name");
    if (!s->mean_column || !s->mean_column[0] || !s->var_column || !s->var_column[0])
        return sigmix_error_set(err, SIGMIX_EINVAL, "empty saliency_mean/saliency_var column name");
    if (s->max_frames < 1)
        return sigmix_error_set(err, SIGMIX_EINVAL, "max-frames must be at least 1");
    if (s->frame_samples < 0)
        return sigmix_error_set(err, SIGMIX_EINVAL, "frame-samples must not be negative");
    if ((unsigned)s->reducer > SIGMIX_SAL_MOTION_WEIGHTED)
        return sigmix_error_set(err, SIGMIX_EINVAL, "unknown temporal aggregator");
    if (!(s->ema_alpha > 0.0 && s->ema_alpha <= 1.0))
        return sigmix_error_set(err, SIGMIX_EINVAL, "ema-alpha must lie in (0, 1]");
    if (s->default_width < 0 || s->default_height < 0 || s->default_width > SAL_MAX_DIM
        || s->default_height > SAL_MAX_DIM || (!s->default_width != !s->default_height))
        return sigmix_error_set(err, SIGMIX_EINVAL,
                                "default width and height must be given together, 1..%d",
                                SAL_MAX_DIM);
    if (s->raw_pix_fmt && av_get_pix_fmt(s->raw_pix_fmt) == AV_PIX_FMT_NONE)
        return sigmix_error_set(err, SIGMIX_EINVAL, "unknown pixel format '%s'", s->raw_pix_fmt);
    if (s->max_pixels < 0)
        return sigmix_error_set(err, SIGMIX_EINVAL, "max-pixels must not be negative");
    if (s->jobs < 0)
        return sigmix_error_set(err, SIGMIX_EINVAL, "jobs must not be negative");
    if (s->model_id && !s->model_id[0])
        return sigmix_error_set(err, SIGMIX_EINVAL, "empty model id");
    if (s->shard_count < 0 || (s->shard_count > 0 && (s->shard_index < 0
                                                      || s->shard_index >= s->shard_count)))
        return sigmix_error_set(err, SIGMIX_EINVAL, "shard %d of %d does not exist",
                                s->shard_index, s->shard_count);
    return 0;
}

/* ---- the run --------------------------------------------------------------- */

static int load_model(sal_run *run, const sigmix_saliency_settings *s,
                      const sal_model_class *model, char sha[65], sigmix_error *err)
{
    sha[0] = '\0';
    if (model) {
        memset(&run->model, 0, sizeof run->model);
        run->model.cls = model;
        snprintf(run->model.id, sizeof run->model.id, "%s", run->model.cls->name);
        return 0;
    }
    if (!s->model_path)
        return sigmix_sal_model_builtin(&run->model);
    uint64_t size;
    /* Checked (a regular file) before a byte is hashed. */
    int r = sigmix_sal_hash_file(s->model_path, sha, &size, err);
    if (r)
        return r;
    return sigmix_sal_model_onnx(&run->model, s->model_path, err);
}

/* Rows [r0, r1) of classify(): refs[] gets this part's clips in row order,
 * status[row] is set for the other rows. */
typedef struct classify_part {
    const sal_run      *run;
    const sigmix_table *t;
    const char         *root_real;
    unsigned char      *status;
    size_t              r0, r1;
    row_ref            *refs;
    size_t              n;             /* refs filled */
    size_t              skipped_other; /* run->skipped_other's share */
} classify_part;

static void *classify_rows(void *arg)
{
    classify_part *P = arg;
    const sal_run *run = P->run;
    const sigmix_table *t = P->t;
    const sigmix_saliency_settings *s = run->s;
    const sigmix_column *pc = sigmix_table_col(t, (size_t)sigmix_table_find(t, s->path_column));
    long wc = sigmix_table_find(t, s->width_column), hc = sigmix_table_find(t, s->height_column);
    long mi = s->model_id_column[0] ? sigmix_table_find(t, s->model_id_column) : -1;
    const sigmix_column *mc = mi >= 0 ? sigmix_table_col(t, (size_t)mi) : NULL;
    char *last_text = NULL, *last_src = NULL;
    sal_dir_cache dirs = { 0 };
    struct stat st, last_st;
    int have_st = 0, last_have_st = 0;
    for (size_t r = P->r0; r < P->r1; r++) {
        if (!s->overwrite && sigmix_sal_row_has_values(t, s, r)) {
            P->status[r] = SIGMIX_SAL_SKIPPED_EXISTING;
            if (mc) {
                size_t ml = 0;
                char *mid = sigmix_sal_cell_path(mc, r, &ml);
                P->skipped_other += mid && strcmp(mid, run->model.id);
                free(mid);
            }
            continue;
        }
        size_t plen = 0;
        char *text = sigmix_sal_cell_path(pc, r, &plen), *src = NULL;
        if (text && last_text && !strcmp(text, last_text)) {
            /* per-frame tables repeat a path row after row: resolve it once */
            src = last_src ? strdup(last_src) : NULL;
            st = last_st;
            have_st = last_have_st;
            free(text);
        } else if (text) {
            src = sigmix_sal_resolve_cached(text, plen, P->root_real, s->allow_outside_root,
                                            &dirs, &st);
            have_st = src != NULL;
            last_st = st;
            last_have_st = have_st;
            free(last_text);
            free(last_src);
            last_text = text;
            last_src = src ? strdup(src) : NULL;
        }
        if (!src) {
            P->status[r] = SIGMIX_SAL_MISSING_SOURCE;
            continue;
        }
        int w = sigmix_sal_cell_dim(t, wc, r), h = sigmix_sal_cell_dim(t, hc, r);
        if (!w || !h)
            w = h = 0;
        P->refs[P->n++] = (row_ref){ src, w, h, r, have_st ? (long long)st.st_size : 0,
                                     have_st ? st.st_mtim : (struct timespec){ 0, 0 }, have_st };
        P->status[r] = SIGMIX_SAL_OK; /* provisional: the clip decides */
    }
    free(last_text);
    free(last_src);
    sigmix_sal_dir_cache_free(&dirs);
    return NULL;
}

/*
 * Resolve and stat every row's source. A merge does this for 150,000
 * clips, one stat() each, so the rows are split over the CPUs: each part
 * fills its own stretch of refs, then the stretches close up in row
 * order, the same list one thread would make.
 */
static int classify(sal_run *run, const sigmix_table *t, const char *root_real,
                    unsigned char *status, row_ref **refs_out, size_t *nrefs)
{
    enum { MAXT = 8, PER_THREAD = 8192 };
    size_t rows = sigmix_table_rows(t), n = 0;
    row_ref *refs = rows <= SIZE_MAX / sizeof *refs
                    ? sigmix_huge_alloc((rows ? rows : 1) * sizeof *refs) : NULL;
    if (!refs)
        return SIGMIX_ENOMEM;
    int cpus = sigmix_cpu_count();
    size_t k = cpus > 1 ? (size_t)cpus : 1;
    if (k > MAXT)
        k = MAXT;
    if (k > rows / PER_THREAD + 1)
        k = rows / PER_THREAD + 1;
    classify_part part[MAXT];
    for (size_t i = 0; i < k; i++) {
        size_t r0 = rows * i / k;
        part[i] = (classify_part){ run, t, root_real, status, r0, rows * (i + 1) / k, refs + r0,
                                   0, 0 };
    }
    sigmix_parallel(classify_rows, part, sizeof part[0], k);
    for (size_t i = 0; i < k; i++) {
        memmove(refs + n, part[i].refs, part[i].n * sizeof *refs);
        n += part[i].n;
        run->skipped_other += part[i].skipped_other;
    }
    *refs_out = refs;
    *nrefs = n;
    return 0;
}

typedef struct row_key { size_t first_row, task; } row_key;

static int cmp_row_key(const void *a, const void *b)
{
    const row_key *x = a, *y = b;
    return x->first_row < y->first_row ? -1 : (x->first_row > y->first_row);
}

static int queue_by_first_row(sal_run *run)
{
    if (run->ntodo < 2)
        return 0;
    row_key *k = malloc(run->ntodo * sizeof *k);
    if (!k)
        return -1;
    for (size_t i = 0; i < run->ntodo; i++)
        k[i] = (row_key){ run->tasks[run->todo[i]].first_row, run->todo[i] };
    qsort(k, run->ntodo, sizeof *k, cmp_row_key);
    for (size_t i = 0; i < run->ntodo; i++)
        run->todo[i] = k[i].task;
    free(k);
    return 0;
}

static void write_row(sigmix_table *t, const sal_run *run, const sal_columns *c, size_t r,
                      int status, const sal_task *task)
{
    const sigmix_saliency_settings *s = run->s;
    if (c->status >= 0) {
        const char *name = sigmix_saliency_status_name(status);
        sigmix_table_set_string(t, (size_t)c->status, r, name, strlen(name));
    }
    if (status != SIGMIX_SAL_OK)
        return; /* skipped rows keep their metadata; failed rows get none */
    sigmix_table_set_double(t, (size_t)c->mean, r, task->mean);
    sigmix_table_set_double(t, (size_t)c->var, r, task->var);
    if (c->model_id >= 0)
        sigmix_table_set_string(t, (size_t)c->model_id, r, run->model.id, strlen(run->model.id));
    if (c->aggregator >= 0) {
        const char *a = sigmix_saliency_reducer_name(s->reducer);
        sigmix_table_set_string(t, (size_t)c->aggregator, r, a, strlen(a));
    }
    /* The configured alpha on every computed row, whatever the aggregator, as
     * the reference tool writes it: grouping merged tables by it must not
     * split identical configurations. */
    if (c->ema_alpha >= 0)
        sigmix_table_set_double(t, (size_t)c->ema_alpha, r, s->ema_alpha);
}

static int open_journal(sal_run *run, sigmix_error *err)
{
    const char *path = run->s->journal_path;
    sal_journal j;
    int r = sigmix_sal_journal_load(path, &j, err);
    if (r)
        return r;
    size_t reused = 0;
    for (size_t i = 0; i < run->ntasks; i++) {
        sal_task *t = &run->tasks[i];
        const sal_journal_entry *e = sigmix_sal_journal_find(&j, t->key);
        if (e) {
            t->done = 1;
            t->status = SIGMIX_SAL_OK;
            t->mean = e->mean;
            t->var = e->var;
            reused++;
        }
    }
    sigmix_sal_journal_free(&j);
    if (reused < run->ntasks && !(run->journal = sigmix_sal_journal_append(path, err)))
        return SIGMIX_EIO;
    return (int)reused;
}

/* Take results computed elsewhere (shard files), failures included, so the
 * table says exactly what the shard's machine found. */
static size_t apply_reuse(sal_run *run)
{
    size_t n = 0;
    for (size_t i = 0; run->s->reuse && i < run->ntasks; i++) {
        sal_task *t = &run->tasks[i];
        const sal_result *e = t->done ? NULL : sigmix_sal_shard_find(run->s->reuse, t->key);
        if (!e)
            continue;
        t->done = 1;
        t->status = e->status;
        t->mean = e->mean;
        t->var = e->var;
        task_set_msg(t, e->msg);
        n++;
    }
    return n;
}

static int cmp_task_key(const void *a, const void *b)
{
    return strcmp((*(const sal_task *const *)a)->key, (*(const sal_task *const *)b)->key);
}

/* Hand this shard's clips to on_clip in key order (any --jobs: one order). */
static int emit_shard(const sal_run *run, size_t *count)
{
    const sigmix_saliency_settings *s = run->s;
    size_t n = 0;
    for (size_t i = 0; i < run->ntasks; i++)
        n += run->tasks[i].in_shard;
    *count = n;
    const sal_task **v = malloc((n ? n : 1) * sizeof *v);
    if (!v)
        return -1;
    n = 0;
    for (size_t i = 0; i < run->ntasks; i++)
        if (run->tasks[i].in_shard)
            v[n++] = &run->tasks[i];
    if (n > 1)
        qsort(v, n, sizeof *v, cmp_task_key);
    for (size_t i = 0; s->on_clip && i < n; i++) {
        const sal_task *t = v[i];
        int geo = t->computed && t->w > 0;
        sigmix_saliency_clip c = { t->key, t->source, geo ? t->w : t->row_w,
                                   geo ? t->h : t->row_h, t->status, t->mean, t->var,
                                   t->status == SIGMIX_SAL_OK ? "" : task_msg(t) };
        s->on_clip(s->on_clip_cookie, &c);
    }
    free(v);
    return 0;
}

static void free_run(sal_run *run)
{
    for (size_t i = 0; i < run->ntasks; i++) {
        free(run->tasks[i].source);
        free(run->tasks[i].msg);
    }
    free(run->tasks);
    free(run->todo);
    if (run->journal)
        fclose(run->journal);
    sigmix_sal_model_free(&run->model);
    pthread_mutex_destroy(&run->lock);
}

static void report_failures(const sigmix_table *t, const sal_run *run, const unsigned char *st,
                            const size_t *row_task)
{
    const sigmix_saliency_settings *s = run->s;
    if (!s->on_fail)
        return;
    const sigmix_column *pc = sigmix_table_col(t, (size_t)sigmix_table_find(t, s->path_column));
    for (size_t r = 0; r < sigmix_table_rows(t); r++) {
        if (st[r] == SIGMIX_SAL_MISSING_SOURCE) {
            char buf[512] = "(no path)";
            if (pc->str && pc->valid[r])
                snprintf(buf, sizeof buf, "%.*s", (int)(pc->str[r].len < 500 ? pc->str[r].len : 500),
                         pc->str[r].ptr);
            /* Refused for lying outside the root, or simply not there? */
            const char *why = "not a readable regular file";
            if (run->root_real && !s->allow_outside_root) {
                size_t len = 0;
                char *text = sigmix_sal_cell_path(pc, r, &len);
                char *out = text ? sigmix_sal_resolve(text, len, run->root_real, 1) : NULL;
                if (out)
                    why = "resolves outside the root";
                free(out);
                free(text);
            }
            s->on_fail(s->on_fail_cookie, buf, SIGMIX_SAL_MISSING_SOURCE, why);
        } else if (row_task[r] != (size_t)-1) {
            const sal_task *k = &run->tasks[row_task[r]];
            if (k->status != SIGMIX_SAL_OK && k->first_row == r)
                s->on_fail(s->on_fail_cookie, k->source, k->status, task_msg(k));
        }
    }
}

int sigmix_saliency_run(sigmix_table *t, const sigmix_saliency_settings *s,
                        sigmix_saliency_report *rep, sigmix_error *err)
{
    return sigmix_sal_run_with_model(t, s, NULL, rep, err);
}

int sigmix_sal_run_with_model(sigmix_table *t, const sigmix_saliency_settings *s,
                              const sal_model_class *model, sigmix_saliency_report *rep,
                              sigmix_error *err)
{
    sigmix_error_clear(err); /* contract: common.h */
    double t_start = now_s();
    memset(rep, 0, sizeof *rep);
    int r = sigmix_saliency_check_settings(s, err);
    if (r)
        return r;
    if (sigmix_table_find(t, s->path_column) < 0) {
        /* Say which columns there are: the usual cause is a different name. */
        char list[400] = "";
        size_t used = 0, nc = sigmix_table_cols(t);
        for (size_t i = 0; i < nc; i++) {
            const char *nm = sigmix_table_col(t, i)->name;
            int k = snprintf(list + used, sizeof list - used, "%s'%s'", i ? ", " : "", nm);
            if (k < 0 || (size_t)k >= sizeof list - used) {
                memcpy(list + (used < sizeof list - 6 ? used : sizeof list - 6), ", ...", 6);
                break;
            }
            used += (size_t)k;
        }
        return sigmix_error_set(err, SIGMIX_ENOTFOUND,
                                "path column '%s' not found (columns: %s; see --path-column)",
                                s->path_column, nc ? list : "none");
    }
    if ((r = sigmix_sal_columns_check(t, s, err)))
        return r;
    char *root_real = NULL;
    if (s->root && !(root_real = realpath(s->root, NULL))) {
        rep->error_path = s->root;
        return sigmix_error_set(err, SIGMIX_ENOTFOUND, "root folder not found");
    }
    sal_run run;
    memset(&run, 0, sizeof run);
    pthread_mutex_init(&run.lock, NULL);
    run.s = s;
    run.frame_samples = s->frame_samples < s->max_frames ? s->frame_samples : s->max_frames;
    run.raw_fmt = s->raw_pix_fmt ? av_get_pix_fmt(s->raw_pix_fmt) : AV_PIX_FMT_YUV420P;
    run.model_sha = rep->model_sha256;
    run.root_real = root_real;
    size_t rows = sigmix_table_rows(t), nrefs = 0;
    unsigned char *st = calloc(rows ? rows : 1, 1);
    size_t *row_task = malloc((rows ? rows : 1) * sizeof *row_task);
    row_ref *refs = NULL;
    if (!st || !row_task) {
        r = sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < rows; i++)
        row_task[i] = (size_t)-1;
    if ((r = load_model(&run, s, model, rep->model_sha256, err))) {
        rep->error_path = s->model_path;
        goto done;
    }
    if (s->model_id)
        snprintf(run.model.id, sizeof run.model.id, "%s", s->model_id);
    if ((r = classify(&run, t, root_real, st, &refs, &nrefs))
        || (r = group_rows(&run, refs, nrefs, row_task))) {
        sigmix_error_set(err, r, "out of memory");
        goto done;
    }
    /* A shard needs the keys (a stat and a hash each) of its own clips only. */
    key_parts_init(&run);
    for (size_t i = 0; i < run.ntasks; i++) {
        sal_task *k = &run.tasks[i];
        if (s->shard_count > 0)
            k->in_shard = sigmix_saliency_shard_of(k->source, k->row_w, k->row_h,
                                                   s->shard_count) == s->shard_index;
        if (s->shard_count <= 0 || k->in_shard)
            task_key(&run, k);
    }
    if (s->journal_path) {
        int reused = open_journal(&run, err);
        if (reused < 0) {
            r = reused;
            rep->error_path = s->journal_path;
            goto done;
        }
        rep->clips_from_journal = (size_t)reused;
    }
    rep->clips_from_shards = apply_reuse(&run);
    sal_columns cols;
    if ((r = sigmix_sal_columns_prepare(t, s, &cols))) {
        sigmix_error_set(err, r, "cannot add output columns");
        goto done;
    }
    run.todo = malloc((run.ntasks ? run.ntasks : 1) * sizeof *run.todo);
    if (!run.todo) {
        r = sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
        goto done;
    }
    run.rows_total = rows;
    run.rows_done = rows;
    for (size_t i = 0; i < run.ntasks; i++)
        if (!run.tasks[i].done && (s->shard_count <= 0 || run.tasks[i].in_shard)) {
            run.todo[run.ntodo++] = i;
            run.rows_done -= run.tasks[i].nrows;
        }
    /* Distinct clips are queued in order of their first row. */
    if (queue_by_first_row(&run)) {
        r = sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
        goto done;
    }
    int jobs = s->jobs > 0 ? s->jobs : sigmix_cpu_count();
    rep->jobs = jobs < 1 ? 1 : jobs;
    if ((size_t)rep->jobs > run.ntodo) /* no idle workers (nor their model instances) */
        rep->jobs = run.ntodo ? (int)run.ntodo : 1;
    rep->clips = run.ntasks;
    rep->skipped_other_model = run.skipped_other;
    run_workers(&run, rep->jobs);
    rep->clips_journaled = rep->clips_from_journal + run.journaled;
    if (cancelled(&run)) {
        /* Nothing of this run goes into the table: the caller writes nothing,
         * and the journal holds every clip that finished. */
        rep->interrupted = 1;
        r = 0;
        goto done;
    }
    if (s->shard_count > 0) {
        /* A shard fills no table: its clips go to on_clip, the merge fills. */
        if (emit_shard(&run, &rep->shard_clips)) {
            r = sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
            goto done;
        }
        rep->total = rows;
        rep->frame_samples = run.frame_samples;
        snprintf(rep->model_id, sizeof rep->model_id, "%s", run.model.id);
        r = 0;
        goto done;
    }
    for (size_t i = 0; i < rows; i++) {
        int status = st[i];
        const sal_task *task = row_task[i] != (size_t)-1 ? &run.tasks[row_task[i]] : NULL;
        if (task)
            status = task->status;
        write_row(t, &run, &cols, i, status, task);
        rep->by_status[status]++;
    }
    report_failures(t, &run, st, row_task);
    rep->total = rows;
    rep->clips = run.ntasks;
    rep->frame_samples = run.frame_samples;
    snprintf(rep->model_id, sizeof rep->model_id, "%s", run.model.id);
    rep->t_decode = run.t_decode;
    rep->t_convert = run.t_convert;
    rep->t_model = run.t_model;
    rep->t_reduce = run.t_reduce;
    r = 0;
done:
    if (refs)
        for (size_t i = 0; i < nrefs; i++)
            free(refs[i].source);
    free(refs);
    free(st);
    free(row_task);
    free(root_real);
    free_run(&run);
    rep->t_wall = now_s() - t_start;
    return r;
}
