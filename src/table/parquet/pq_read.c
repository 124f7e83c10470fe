/*
 * sigmix_parquet_read: one Parquet file, or a folder of them (Spark,
 * DuckDB and Polars layout, with key=value partition folders), into one
 * table. Footers are read first to size the table once; then the column
 * chunks of the selected flat columns are decoded by a small pool of
 * threads, each chunk straight into its rows of the table.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "table/format.h"
#include "table/parquet/pq_dir.h"
#include "table/parquet/pq_nested.h"
#include "table/parquet/pq_schema.h"
#include "util/error.h"

enum { FOOTER_TAIL = 8, MAX_THREADS = 64 };
/* Rows a row group may claim: 64k plus 1024 per byte of its chunks. */
#define PQ_ROWS_PER_BYTE 1024
#define PQ_ROWS_SLACK    65536

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int read_full(int fd, uint8_t *buf, size_t n, uint64_t off)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = pread(fd, buf + got, n - got, (off_t)(off + got));
        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    return 0;
}

/* Open a file and decode its footer. */
static int open_file(const char *path, pq_file *f, sigmix_error *err)
{
    struct stat st;
    uint8_t tail[FOOTER_TAIL], head[4];
    memset(f, 0, sizeof *f);
    f->fd = open(path, O_RDONLY);
    if (f->fd < 0)
        return sigmix_error_open(err, errno);
    if (fstat(f->fd, &st) || !S_ISREG(st.st_mode))
        return sigmix_error_set(err, SIGMIX_EIO, "not a regular file");
    f->size = (uint64_t)st.st_size;
    if (f->size < 12 || read_full(f->fd, head, 4, 0) ||
        read_full(f->fd, tail, FOOTER_TAIL, f->size - FOOTER_TAIL))
        return sigmix_error_set(err, SIGMIX_EFORMAT, "not a Parquet file (too short)");
    if (!memcmp(tail + 4, "PARE", 4) || !memcmp(head, "PARE", 4))
        return sigmix_error_set(err, SIGMIX_EUNSUPPORTED,
                                "file is encrypted (Parquet modular encryption is not supported)");
    if (memcmp(tail + 4, "PAR1", 4) || memcmp(head, "PAR1", 4))
        return sigmix_error_set(err, SIGMIX_EFORMAT, "not a Parquet file (bad magic)");
    uint32_t flen = le32(tail);
    if (flen == 0 || flen > f->size - 12)
        return sigmix_error_set(err, SIGMIX_EFORMAT, "footer length %u out of range", flen);
    f->data_end = f->size - FOOTER_TAIL - flen;
    uint8_t *buf = malloc(flen);
    if (!buf)
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory (footer)");
    int r = read_full(f->fd, buf, flen, f->data_end) ? sigmix_error_set(err, SIGMIX_EIO, "cannot read footer")
                                                      : sigmix_pq_meta_parse(buf, flen, &f->meta, err);
    free(buf);
    if (r)
        return r;
    if (f->meta.encrypted)
        return sigmix_error_set(err, SIGMIX_EUNSUPPORTED,
                                "file is encrypted (Parquet modular encryption is not supported)");
    return 0;
}

static void close_file(pq_file *f)
{
    if (f->fd > 0)
        close(f->fd);
    f->fd = -1;
    sigmix_pq_meta_free(&f->meta);
}

/* Row groups: consistent chunk counts and plausible row counts. */
static int check_row_groups(const pq_file *f, size_t nleaves, uint64_t *rows, sigmix_error *err)
{
    uint64_t total = 0;
    for (size_t g = 0; g < f->meta.nrg; g++) {
        const pq_row_group *rg = &f->meta.rgs[g];
        uint64_t bytes = 0;
        if (rg->ncols != nleaves)
            return sigmix_error_set(err, SIGMIX_EFORMAT,
                                    "row group %zu has %zu column chunks, schema has %zu", g,
                                    rg->ncols, nleaves);
        for (size_t c = 0; c < rg->ncols; c++) {
            const pq_chunk_meta *cm = &rg->cols[c];
            if (cm->encrypted)
                return sigmix_error_set(err, SIGMIX_EUNSUPPORTED,
                                        "file is encrypted (Parquet modular encryption is not supported)");
            if (cm->total_compressed > 0 && (uint64_t)cm->total_compressed < f->size)
                bytes += (uint64_t)cm->total_compressed;
        }
        if (rg->num_rows < 0 ||
            (uint64_t)rg->num_rows > PQ_ROWS_SLACK + bytes * PQ_ROWS_PER_BYTE)
            return sigmix_error_set(err, SIGMIX_EFORMAT,
                                    "row group %zu claims %lld rows, more than its %llu bytes can hold",
                                    g, (long long)rg->num_rows, (unsigned long long)bytes);
        total += (uint64_t)rg->num_rows;
    }
    *rows = total;
    return 0;
}

/* Is `name` among the requested columns (all when none given)? */
static int wanted(const sigmix_read_options *o, const char *name)
{
    if (!o->columns)
        return 1;
    for (size_t i = 0; i < o->ncolumns; i++)
        if (o->columns[i] && !strcmp(o->columns[i], name))
            return 1;
    return 0;
}

static void warnf(const sigmix_read_options *o, const char *fmt, const char *a)
{
    char msg[512];
    if (!o->warn)
        return;
    snprintf(msg, sizeof msg, fmt, a);
    o->warn(o->warn_cookie, msg);
}

/* Shared state of the decoding threads. */
typedef struct pool {
    pq_job          *jobs;
    size_t           njobs;
    size_t           next;      /* atomic */
    int              failed;    /* atomic */
    size_t           fail_job;
    sigmix_error     fail_err;
    int              fail_code;
    pthread_mutex_t  lock;      /* error slot */
} pool;

static void *worker_main(void *arg)
{
    pool *p = arg;
    pq_worker w;
    memset(&w, 0, sizeof w);
    for (;;) {
        size_t i = __atomic_fetch_add(&p->next, 1, __ATOMIC_RELAXED);
        if (i >= p->njobs || __atomic_load_n(&p->failed, __ATOMIC_RELAXED))
            break;
        sigmix_error e = { 0, "" };
        pq_job *j = &p->jobs[i];
        int r;
        if (j->nested) {
            /* A nested column too large to render is not an error for the
             * file: it is reported and left null (see the end of the read).
             * Malformed data still is. */
            r = sigmix_pq_read_nested(&w, j, j->nested, &e);
            if (r && r != SIGMIX_EFORMAT) {
                pthread_mutex_lock(&p->lock);
                if (!j->nested->failed)
                    snprintf(j->nested->why, sizeof j->nested->why, "%s", e.message);
                j->nested->failed = 1;
                pthread_mutex_unlock(&p->lock);
                r = 0;
            }
        } else {
            r = sigmix_pq_read_chunk(&w, j, &e);
        }
        if (r) {
            pthread_mutex_lock(&p->lock);
            if (!p->failed || i < p->fail_job) {
                p->fail_job = i;
                p->fail_err = e;
                p->fail_code = r;
            }
            __atomic_store_n(&p->failed, 1, __ATOMIC_RELAXED);
            pthread_mutex_unlock(&p->lock);
        }
    }
    sigmix_pq_worker_free(&w);
    return NULL;
}

static int run_jobs(pq_job *jobs, size_t njobs, int threads, sigmix_error *err)
{
    pool p;
    memset(&p, 0, sizeof p);
    p.jobs = jobs;
    p.njobs = njobs;
    pthread_mutex_init(&p.lock, NULL);
    size_t n = threads > 0 ? (size_t)threads : (size_t)sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        n = 1;
    if (n > MAX_THREADS)
        n = MAX_THREADS;
    if (n > njobs)
        n = njobs;
    pthread_t tid[MAX_THREADS];
    size_t started = 0;
    for (size_t i = 1; i < n; i++) {
        if (pthread_create(&tid[i], NULL, worker_main, &p))
            break;
        started = i;
    }
    if (njobs)
        worker_main(&p); /* the calling thread works too */
    for (size_t i = 1; i <= started; i++)
        pthread_join(tid[i], NULL);
    pthread_mutex_destroy(&p.lock);
    if (p.failed)
        return sigmix_error_set(err, p.fail_code, "%s", p.fail_err.message);
    return 0;
}

/* Per-file plan: its flat leaves, mapped onto table columns. */
typedef struct file_plan {
    pq_leaf   *leaves;
    size_t     nleaves;
    pq_nfield *nested;    /* nested fields rendered as JSON */
    size_t     nnested;
} file_plan;

/* Plan a nested field as a JSON column; warns and returns 0 to skip it. */
static int plan_nested(const pq_file *f, const pq_field *fd, const sigmix_read_options *o,
                       sigmix_table *t, int first, file_plan *plan, sigmix_error *err)
{
    const char *name = fd->el->name;
    long at = sigmix_table_find(t, name);
    pq_nfield *nf = &plan->nested[plan->nnested];
    if (!fd->nleaves || sigmix_pq_nfield_init(nf, &f->meta, fd->index, fd->leaf)) {
        if (first)
            warnf(o, "column '%s' is nested and has no readable values; skipped", name);
        return 0;
    }
    if (first && at >= 0) {
        sigmix_pq_nfield_free(nf);
        return sigmix_error_set(err, SIGMIX_EFORMAT, "duplicate column name '%s'", name);
    }
    if (first) {
        if (sigmix_table_add_column(t, name, SIGMIX_KIND_JSON, &nf->dest)) {
            sigmix_pq_nfield_free(nf);
            return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory (columns)");
        }
    } else if (at < 0 || sigmix_table_col(t, (size_t)at)->kind != SIGMIX_KIND_JSON) {
        warnf(o, "column '%s' does not match the first file; skipped", name);
        sigmix_pq_nfield_free(nf);
        return 0;
    } else {
        nf->dest = (size_t)at;
    }
    plan->nnested++;
    return 0;
}

/*
 * Map one file's fields onto the table: the first file creates the
 * columns, later ones must agree on each shared column's kind.
 */
static int plan_file(const pq_file *f, const sigmix_read_options *o, sigmix_table *t,
                     int first, file_plan *plan, sigmix_error *err)
{
    size_t nf, nl;
    pq_field *fields = malloc(f->meta.nschema * sizeof *fields);
    plan->leaves = calloc(f->meta.nschema, sizeof *plan->leaves);
    plan->nested = calloc(f->meta.nschema, sizeof *plan->nested);
    plan->nleaves = 0;
    plan->nnested = 0;
    int r = 0;
    if (!fields || !plan->leaves || !plan->nested) {
        r = sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory (schema)");
        goto done;
    }
    if ((r = sigmix_pq_fields(&f->meta, fields, &nf, &nl, err)))
        goto done;
    uint64_t rows;
    if ((r = check_row_groups(f, nl, &rows, err)))
        goto done;
    for (size_t i = 0; i < nf; i++) {
        const pq_field *fd = &fields[i];
        if (!wanted(o, fd->el->name))
            continue;
        if (fd->nested) {
            if ((r = plan_nested(f, fd, o, t, first, plan, err)))
                goto done;
            continue;
        }
        pq_leaf *l = &plan->leaves[plan->nleaves];
        sigmix_kind kind;
        unsigned flags;
        if (sigmix_pq_leaf_setup(fd->el, l, &kind, &flags)) {
            r = sigmix_error_set(err, SIGMIX_EFORMAT, "unusable column type (column '%s')",
                                 fd->el->name);
            goto done;
        }
        l->chunk = fd->leaf;
        long at = sigmix_table_find(t, l->name);
        if (first) {
            if (at >= 0) {
                r = sigmix_error_set(err, SIGMIX_EFORMAT, "duplicate column name '%s'", l->name);
                goto done;
            }
            if (sigmix_table_add_column(t, l->name, kind, &l->dest)) {
                r = sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory (columns)");
                goto done;
            }
            sigmix_table_col_mut(t, l->dest)->flags = flags;
        } else {
            if (at < 0) {
                warnf(o, "column '%s' is not in the first file; skipped", l->name);
                continue;
            }
            if (sigmix_table_col(t, (size_t)at)->kind != kind) {
                r = sigmix_error_set(err, SIGMIX_EFORMAT,
                                     "column '%s' has a different type than in the first file",
                                     l->name);
                goto done;
            }
            l->dest = (size_t)at;
        }
        plan->nleaves++;
    }
done:
    free(fields);
    return r;
}

/* Decode every selected chunk of one file into rows row0.. of t. */
static int decode_file(pq_file *f, file_plan *plan, sigmix_table *t, size_t row0,
                       int threads, pthread_mutex_t *lock, sigmix_error *err)
{
    size_t njobs = f->meta.nrg * (plan->nleaves + plan->nnested), k = 0, row = row0;
    if (!njobs)
        return 0;
    pq_job *jobs = calloc(njobs, sizeof *jobs);
    if (!jobs)
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    for (size_t g = 0; g < f->meta.nrg; g++) {
        for (size_t c = 0; c < plan->nleaves; c++)
            jobs[k++] = (pq_job){ f, g, &plan->leaves[c], t,
                                  sigmix_table_col_mut(t, plan->leaves[c].dest), row, lock,
                                  NULL, NULL };
        for (size_t c = 0; c < plan->nnested; c++)
            jobs[k++] = (pq_job){ f, g, NULL, t, sigmix_table_col_mut(t, plan->nested[c].dest),
                                  row, lock, NULL, &plan->nested[c] };
        row += (size_t)f->meta.rgs[g].num_rows;
    }
    int r = run_jobs(jobs, njobs, threads, err);
    free(jobs);
    return r;
}

/* Columns holding UINT64 values above INT64_MAX become DOUBLE. */
static int widen_overflowed(sigmix_table *t, file_plan *plans, size_t nplans)
{
    for (size_t i = 0; i < nplans; i++)
        for (size_t c = 0; c < plans[i].nleaves; c++) {
            const pq_leaf *l = &plans[i].leaves[c];
            if (l->overflow && sigmix_table_col(t, l->dest)->kind == SIGMIX_KIND_INT64 &&
                sigmix_table_convert(t, l->dest, SIGMIX_KIND_DOUBLE))
                return SIGMIX_ENOMEM;
        }
    return 0;
}

/* A nested column that failed somewhere: warn once, all rows null. */
static void drop_nested(sigmix_table *t, const pq_nfield *nf, const sigmix_read_options *o)
{
    char msg[400];
    for (size_t r = 0; r < sigmix_table_rows(t); r++)
        sigmix_table_set_null(t, nf->dest, r);
    snprintf(msg, sizeof msg, "column '%s' is nested and could not be read (%s); left null",
             nf->name, nf->why);
    if (o->warn)
        o->warn(o->warn_cookie, msg);
}

/* Add " (file X)" to an error from one file of a folder. */
static int in_file(sigmix_error *err, int r, const char *rel)
{
    if (err && rel && r) {
        size_t n = strlen(err->message);
        snprintf(err->message + n, sizeof err->message - n, " (file %s)", rel);
    }
    return r;
}

int sigmix_parquet_read(const char *path, const sigmix_read_options *o,
                        sigmix_table **out, sigmix_error *err)
{
    pq_dataset ds;
    sigmix_table *t = NULL;
    file_plan *plans = NULL;
    pq_file *files = NULL;
    pthread_mutex_t lock;
    int r;
    *out = NULL;
    pthread_mutex_init(&lock, NULL);
    if ((r = sigmix_pq_dataset_open(path, &ds, err)))
        goto fail_early;
    files = calloc(ds.nfiles ? ds.nfiles : 1, sizeof *files);
    plans = calloc(ds.nfiles ? ds.nfiles : 1, sizeof *plans);
    if (!files || !plans || sigmix_table_create(&t)) {
        r = sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < ds.nfiles; i++)
        files[i].fd = -1;
    /* Pass 1: footers, schema, total rows. Files are closed in between so
     * a large folder never holds many descriptors. */
    uint64_t total = 0;
    for (size_t i = 0; i < ds.nfiles; i++) {
        const char *rel = ds.is_dir ? ds.files[i].rel : NULL;
        if ((r = open_file(ds.files[i].path, &files[i], err)) ||
            (r = plan_file(&files[i], o, t, i == 0, &plans[i], err))) {
            in_file(err, r, rel);
            goto done;
        }
        close(files[i].fd);
        files[i].fd = -1;
        ds.files[i].row0 = (size_t)total;
        for (size_t g = 0; g < files[i].meta.nrg; g++)
            total += (uint64_t)files[i].meta.rgs[g].num_rows;
        ds.files[i].nrows = (size_t)(total - ds.files[i].row0);
    }
    if (total > SIZE_MAX / 64 || (r = sigmix_pq_dataset_add_keys(&ds, t, o, err)) ||
        (r = sigmix_table_reserve(t, (size_t)total)) ||
        (r = sigmix_table_resize(t, (size_t)total))) {
        r = r ? r : SIGMIX_ENOMEM;
        sigmix_error_set(err, r, "table too large (%llu rows)", (unsigned long long)total);
        goto done;
    }
    /* Pass 2: decode. */
    for (size_t i = 0; i < ds.nfiles; i++) {
        const char *rel = ds.is_dir ? ds.files[i].rel : NULL;
        struct stat st;
        files[i].fd = open(ds.files[i].path, O_RDONLY);
        if (files[i].fd < 0 || fstat(files[i].fd, &st) || (uint64_t)st.st_size != files[i].size) {
            r = in_file(err, sigmix_error_set(err, SIGMIX_EIO, "file changed while reading"), rel);
            goto done;
        }
        r = decode_file(&files[i], &plans[i], t, ds.files[i].row0, o->threads, &lock, err);
        close(files[i].fd);
        files[i].fd = -1;
        if (r) {
            in_file(err, r, rel);
            goto done;
        }
        if ((r = sigmix_pq_dataset_fill_keys(&ds, i, t, err)))
            goto done;
    }
    if ((r = widen_overflowed(t, plans, ds.nfiles)))
        sigmix_error_set(err, r, "out of memory");
    for (size_t i = 0; !r && i < ds.nfiles; i++)
        for (size_t c = 0; c < plans[i].nnested; c++)
            if (plans[i].nested[c].failed)
                drop_nested(t, &plans[i].nested[c], o);
done:
    for (size_t i = 0; files && i < ds.nfiles; i++) {
        close_file(&files[i]);
        free(plans[i].leaves);
        for (size_t c = 0; plans[i].nested && c < plans[i].nnested; c++)
            sigmix_pq_nfield_free(&plans[i].nested[c]);
        free(plans[i].nested);
    }
    free(files);
    free(plans);
    sigmix_pq_dataset_free(&ds);
fail_early:
    pthread_mutex_destroy(&lock);
    if (r)
        sigmix_table_free(&t);
    *out = t;
    return r;
}
