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
#include "table/table_internal.h"
#include "table/parquet/pq_dir.h"
#include "table/parquet/pq_nested.h"
#include "table/parquet/pq_pandas.h"
#include "table/parquet/pq_schema.h"
#include "util/error.h"
#include "util/sha256.h"
#include "util/cpu.h"

enum { FOOTER_TAIL = 8, MAX_THREADS = 64 };
/* Values (rows x columns) a file may claim: 64k plus 1024 per byte of its
 * column chunks. RLE runs and dictionaries expand, but not beyond this. */
#define PQ_CELLS_PER_BYTE 1024
#define PQ_CELLS_SLACK    65536

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

/* A column chunk's claimed bytes, for the overlap check. */
typedef struct chunk_span {
    uint64_t start, end;
    size_t   rg, col;
} chunk_span;

static int by_start(const void *a, const void *b)
{
    const chunk_span *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

/*
 * Every claim of the footer is checked against the bytes it points to
 * (docs/parquet.md, "Bounds"): each column chunk lies in the data area
 * and no two chunks share a byte, so the chunks' sizes add up to at most
 * the file; and the values the row groups claim (rows x columns) are at
 * most PQ_CELLS_SLACK + PQ_CELLS_PER_BYTE per byte of their chunks. The
 * table is sized from these claims, so memory stays bounded by the file.
 */
static int check_row_groups(const pq_file *f, size_t nleaves, uint64_t *rows, sigmix_error *err)
{
    uint64_t total = 0, cells = 0, bytes = 0;
    size_t n = 0;
    chunk_span *sp = NULL;
    if (f->meta.nrg && nleaves &&
        !(sp = malloc(f->meta.nrg * nleaves * sizeof *sp)))
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory (row groups)");
    int r = 0;
    for (size_t g = 0; !r && g < f->meta.nrg; g++) {
        const pq_row_group *rg = &f->meta.rgs[g];
        if (rg->ncols != nleaves) {
            r = sigmix_error_set(err, SIGMIX_EFORMAT,
                                 "row group %zu has %zu column chunks, schema has %zu", g,
                                 rg->ncols, nleaves);
            break;
        }
        if (rg->num_rows < 0 || (uint64_t)rg->num_rows > (uint64_t)1 << 40) {
            r = sigmix_error_set(err, SIGMIX_EFORMAT, "row group %zu claims %lld rows", g,
                                 (long long)rg->num_rows);
            break;
        }
        for (size_t c = 0; c < rg->ncols; c++) {
            const pq_chunk_meta *cm = &rg->cols[c];
            if (cm->encrypted) {
                r = sigmix_error_set(err, SIGMIX_EUNSUPPORTED,
                                     "file is encrypted (Parquet modular encryption is not supported)");
                break;
            }
            if (!rg->num_rows || cm->external)
                continue;  /* never read (external chunks are refused when read) */
            uint64_t start = (uint64_t)cm->data_page_offset;
            if (cm->dict_page_offset > 0 && (uint64_t)cm->dict_page_offset < start)
                start = (uint64_t)cm->dict_page_offset;
            if (cm->data_page_offset < 4 || start >= f->data_end || cm->total_compressed <= 0) {
                r = sigmix_error_set(err, SIGMIX_EFORMAT,
                                     "column chunk outside the file (row group %zu, column %zu)",
                                     g, c);
                break;
            }
            uint64_t len = (uint64_t)cm->total_compressed;
            if (len > f->data_end - start)
                len = f->data_end - start;
            sp[n++] = (chunk_span){ start, start + len, g, c };
        }
        total += (uint64_t)rg->num_rows;
        cells += (uint64_t)rg->num_rows * (nleaves ? nleaves : 1);
    }
    if (!r && n) {
        qsort(sp, n, sizeof *sp, by_start);
        for (size_t i = 0; i < n; i++) {
            if (i && sp[i].start < sp[i - 1].end) {
                r = sigmix_error_set(err, SIGMIX_EFORMAT,
                                     "column chunks overlap (row group %zu column %zu and "
                                     "row group %zu column %zu)",
                                     sp[i - 1].rg, sp[i - 1].col, sp[i].rg, sp[i].col);
                break;
            }
            bytes += sp[i].end - sp[i].start;
        }
    }
    free(sp);
    if (!r && cells > PQ_CELLS_SLACK + bytes * PQ_CELLS_PER_BYTE)
        r = sigmix_error_set(err, SIGMIX_EFORMAT,
                             "row groups claim %llu values (%llu rows), more than their %llu "
                             "bytes can hold",
                             (unsigned long long)cells, (unsigned long long)total,
                             (unsigned long long)bytes);
    *rows = total;
    return r;
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
        /* First touch of these rows (sigmix_table_reserve_uninit): here, in
         * parallel, right before the values land in them. */
        sigmix_table_clear_rows(j->col, j->row0, (size_t)j->file->meta.rgs[j->rg].num_rows);
        if (j->nested) {
            /* A nested column too large to render is not an error for the
             * file: it is reported and left null (see the end of the read).
             * Malformed data still is. */
            r = sigmix_pq_read_nested(&w, j, j->nested, &e);
            if (r && r != SIGMIX_EFORMAT) {
                pthread_mutex_lock(&p->lock);
                if (!j->nested->failed)
                    /* The reason is cut to fit: a precision keeps gcc's
                     * -Wformat-truncation (debug builds) quiet. */
                    snprintf(j->nested->why, sizeof j->nested->why, "%.*s",
                             (int)sizeof j->nested->why - 1, e.message);
                j->nested->failed = 1;
                pthread_mutex_unlock(&p->lock);
                r = 0;
            }
        } else {
            r = sigmix_pq_read_chunk(&w, j, &e);
        }
        /* A scratch buffer that could not grow reads as malformed data to the
         * decoders; say what it was. */
        if (sigmix_pq_worker_oom(&w) && r) {
            sigmix_error_clear(&e);
            r = sigmix_error_set(&e, SIGMIX_ENOMEM, "out of memory (column '%s', row group %zu)",
                                 j->leaf ? j->leaf->name : "?", j->rg);
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
    size_t n = threads > 0 ? (size_t)threads : (size_t)sigmix_cpu_count();
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

/* The source type a column keeps for a Parquet rewrite. */
static sigmix_pq_type source_type(const pq_schema_el *e)
{
    sigmix_pq_type q;
    memset(&q, 0, sizeof q);
    q.present = 1;
    q.physical = (int8_t)e->type;
    q.converted = (int8_t)(e->converted >= -1 && e->converted < 64 ? e->converted : -1);
    q.logical = (int8_t)e->logical;
    q.unit = (int8_t)e->lt_unit;
    q.utc = (int8_t)e->lt_utc;
    q.bits = (int8_t)e->lt_bits;
    q.is_signed = (int8_t)e->lt_signed;
    q.type_length = e->type_length;
    q.scale = e->scale;
    q.precision = e->precision;
    return q;
}

/* "INT64", "BYTE_ARRAY (STRING)", ...: a column's type for messages. */
static void type_name(const sigmix_pq_type *q, sigmix_kind kind, char *buf, size_t n)
{
    static const char *const phys[] = { "BOOLEAN", "INT32", "INT64", "INT96", "FLOAT",
                                        "DOUBLE", "BYTE_ARRAY", "FIXED_LEN_BYTE_ARRAY" };
    static const char *const logical[] = { "", "STRING", "MAP", "LIST", "ENUM", "DECIMAL",
                                           "DATE", "TIME", "TIMESTAMP", "", "INTEGER",
                                           "UNKNOWN", "JSON", "BSON", "UUID", "FLOAT16" };
    static const char *const kinds[] = { "double", "int64", "bool", "string", "json" };
    if (!q->present || q->physical < 0 || q->physical > 7) {
        snprintf(buf, n, "%s", kinds[kind]);
        return;
    }
    const char *lt = q->logical > 0 && q->logical < 16 ? logical[q->logical] : "";
    if (q->logical == PQ_LT_INTEGER)
        snprintf(buf, n, "%s (%s%d)", phys[q->physical], q->is_signed ? "INT" : "UINT", q->bits);
    else if (*lt)
        snprintf(buf, n, "%s (%s)", phys[q->physical], lt);
    else
        snprintf(buf, n, "%s", phys[q->physical]);
}

/*
 * A later file's flat column against the table's: the same kind is
 * fine; int64 and double mix into double (as Arrow's unify does for a
 * dataset); anything else names both types and both files.
 */
static int unify_kind(sigmix_table *t, size_t at, const pq_schema_el *e, sigmix_kind kind,
                      const char *first_rel, const char *rel, sigmix_error *err)
{
    sigmix_column *c = sigmix_table_col_mut(t, at);
    if (c->kind == kind)
        return 0;
    int numeric = (c->kind == SIGMIX_KIND_INT64 || c->kind == SIGMIX_KIND_DOUBLE) &&
                  (kind == SIGMIX_KIND_INT64 || kind == SIGMIX_KIND_DOUBLE);
    if (numeric) {
        if (c->kind == SIGMIX_KIND_INT64 && sigmix_table_convert(t, at, SIGMIX_KIND_DOUBLE))
            return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory (columns)");
        c->pq.present = 0;   /* neither file's type: the writer's DOUBLE */
        c->flags &= ~(unsigned)SIGMIX_COLF_UNSIGNED;
        return 0;
    }
    char a[64], b[64];
    sigmix_pq_type q = source_type(e);
    type_name(&c->pq, c->kind, a, sizeof a);
    type_name(&q, kind, b, sizeof b);
    return sigmix_error_set(err, SIGMIX_EFORMAT, "column '%s' is %s in %s but %s in %s",
                            c->name, a, first_rel, b, rel);
}

/*
 * Map one file's fields onto the table: the first file creates the
 * columns, later ones must agree on each shared column's kind.
 */
static int plan_file(const pq_file *f, const sigmix_read_options *o, sigmix_table *t,
                     int first, const char *first_rel, const char *rel, file_plan *plan,
                     sigmix_error *err)
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
            sigmix_table_col_mut(t, l->dest)->pq = source_type(fd->el);
        } else {
            if (at < 0) {
                warnf(o, "column '%s' is not in the first file; skipped", l->name);
                continue;
            }
            if ((r = unify_kind(t, (size_t)at, fd->el, kind, first_rel, rel, err)))
                goto done;
            l->dest = (size_t)at;
        }
        plan->nleaves++;
    }
done:
    free(fields);
    return r;
}

/* Rows of one file (check_row_groups bounded the sum). */
static size_t f_rows(const pq_file *f)
{
    size_t n = 0;
    for (size_t g = 0; g < f->meta.nrg; g++)
        n += (size_t)f->meta.rgs[g].num_rows;
    return n;
}

/* Decode every selected chunk of one file into rows row0.. of t. */
static int decode_file(pq_file *f, file_plan *plan, sigmix_table *t, size_t row0,
                       int threads, pthread_mutex_t *lock, sigmix_error *err)
{
    size_t njobs = f->meta.nrg * (plan->nleaves + plan->nnested), k = 0, row = row0;
    size_t ncols = sigmix_table_cols(t);
    unsigned char *covered = calloc(ncols + 1, 1);
    if (!covered)
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    /* The jobs clear the rows they fill; this file's rows of the other
     * columns (partition keys, columns another file has) are cleared here. */
    for (size_t c = 0; c < plan->nleaves; c++)
        covered[plan->leaves[c].dest] = 1;
    for (size_t c = 0; c < plan->nnested; c++)
        covered[plan->nested[c].dest] = 1;
    for (size_t c = 0; c < ncols; c++)
        if (!covered[c])
            sigmix_table_clear_rows(sigmix_table_col_mut(t, c), row0, f_rows(f));
    free(covered);
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

/*
 * A UINT64 column holding a value above INT64_MAX cannot stay INT64, and
 * a double would round it: it becomes JSON numbers written out exactly
 * (the digits of each value). Its source type stays UINT64, so a
 * Parquet rewrite stores the same integers.
 */
static int exact_unsigned(sigmix_table *t, size_t col)
{
    size_t rows = sigmix_table_rows(t);
    sigmix_column *c = sigmix_table_col_mut(t, col);
    uint64_t *bits = malloc((rows ? rows : 1) * sizeof *bits);
    if (!bits)
        return SIGMIX_ENOMEM;
    memcpy(bits, c->i64, rows * sizeof *bits);
    int r = sigmix_table_convert(t, col, SIGMIX_KIND_JSON);
    c = sigmix_table_col_mut(t, col);
    for (size_t i = 0; !r && i < rows; i++) {
        char buf[24];
        if (!c->valid[i] || bits[i] <= INT64_MAX)
            continue;
        int n = snprintf(buf, sizeof buf, "%llu", (unsigned long long)bits[i]);
        const char *p = sigmix_table_intern(t, buf, (size_t)n);
        if (!p)
            r = SIGMIX_ENOMEM;
        else
            c->str[i] = (sigmix_strref){ p, (size_t)n };
    }
    free(bits);
    return r;
}

static int widen_overflowed(sigmix_table *t, file_plan *plans, size_t nplans)
{
    for (size_t i = 0; i < nplans; i++)
        for (size_t c = 0; c < plans[i].nleaves; c++) {
            const pq_leaf *l = &plans[i].leaves[c];
            int r;
            if (l->overflow && sigmix_table_col(t, l->dest)->kind == SIGMIX_KIND_INT64 &&
                (r = exact_unsigned(t, l->dest)))
                return r;
        }
    return 0;
}

/* Footer key/value metadata of the (first) file, and pandas' index. */
static int keep_metadata(sigmix_table *t, const pq_file_meta *m)
{
    for (size_t i = 0; i < m->nkv; i++)
        if (m->kv[i].key && sigmix_table_set_meta(t, m->kv[i].key, m->kv[i].value))
            return SIGMIX_ENOMEM;
    const char *pandas = sigmix_table_get_meta(t, "pandas");
    if (pandas && sigmix_pq_pandas_index(t, pandas))
        return SIGMIX_ENOMEM;
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
    /* provenance hook (json branch): sigmix_read_options.digest for one
     * file is hashed on a side thread while the file is decoded */
    sigmix_sha256_job hash;
    sigmix_sha256_start(&hash, o->digest ? path : NULL);
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
            (r = plan_file(&files[i], o, t, i == 0, ds.files[0].rel, ds.files[i].rel, &plans[i],
                           err))) {
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
    if (ds.nfiles && keep_metadata(t, &files[0].meta)) {
        r = sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory (metadata)");
        goto done;
    }
    if (total > SIZE_MAX / 64 || (r = sigmix_pq_dataset_add_keys(&ds, t, o, err)) ||
        (r = sigmix_table_reserve_uninit(t, (size_t)total)) ||
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
    /* files and plans are allocated together; either may be NULL on OOM. */
    for (size_t i = 0; files && plans && i < ds.nfiles; i++) {
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
    sigmix_sha256_finish(&hash, r ? NULL : o->digest);
    if (r)
        sigmix_table_free(&t);
    *out = t;
    return r;
}
