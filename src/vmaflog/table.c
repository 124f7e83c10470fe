/*
 * Build the output table from parsed logs. Per clip: key, frames,
 * vmaf_log_format, vmaf_version, fps, then M_stat for each metric in
 * first-seen order (a metric first met in a later log gets its columns
 * appended, with nulls above). Per frame: key, frame, then one column per
 * metric with the values exactly as logged (absent -> null).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "sigmix/vmaflog.h"

struct sigmix_vmaflog_table {
    sigmix_table *t;
    int           per_frame;
    sigmix_vmaflog_stat stats[SIGMIX_VMAFLOG_NSTATS];
    size_t        nstats;
    long          c_error;  /* vmaf_log_error, added on first use */
    /* Columns of the previous log's metrics: logs of one run usually list
     * the same metrics in the same order, and naming 140 columns per log
     * was a tenth of the run. */
    char        **cache_names;
    size_t       *cache_cols;  /* ncache * nstats */
    size_t        ncache;
};

static const char *const clip_cols[] = { "key", "frames", "vmaf_log_format", "vmaf_version", "fps" };
static const sigmix_kind clip_kinds[] = { SIGMIX_KIND_STRING, SIGMIX_KIND_INT64, SIGMIX_KIND_STRING,
                                          SIGMIX_KIND_STRING, SIGMIX_KIND_DOUBLE };
enum { C_KEY, C_FRAMES, C_FORMAT, C_VERSION, C_FPS };
enum { F_KEY, F_FRAME };

int sigmix_vmaflog_table_new(const sigmix_vmaflog_table_options *o, sigmix_vmaflog_table **out)
{
    *out = NULL;
    if (!o || (!o->per_frame && (o->nstats == 0 || o->nstats > SIGMIX_VMAFLOG_NSTATS)))
        return SIGMIX_EINVAL;
    sigmix_vmaflog_table *vt = calloc(1, sizeof *vt);
    if (!vt)
        return SIGMIX_ENOMEM;
    vt->per_frame = o->per_frame;
    vt->c_error = -1;
    for (size_t i = 0; !o->per_frame && i < o->nstats; i++) {
        if ((unsigned)o->stats[i] >= SIGMIX_VMAFLOG_NSTATS) {
            free(vt);
            return SIGMIX_EINVAL;
        }
        vt->stats[i] = o->stats[i];
    }
    vt->nstats = o->per_frame ? 0 : o->nstats;
    int r = sigmix_table_create(&vt->t);
    if (!r && vt->per_frame) {
        r = sigmix_table_add_column(vt->t, "key", SIGMIX_KIND_STRING, NULL);
        if (!r)
            r = sigmix_table_add_column(vt->t, "frame", SIGMIX_KIND_INT64, NULL);
    } else {
        for (size_t i = 0; !r && i < sizeof clip_cols / sizeof *clip_cols; i++)
            r = sigmix_table_add_column(vt->t, clip_cols[i], clip_kinds[i], NULL);
    }
    if (r) {
        sigmix_vmaflog_table_free(&vt);
        return r;
    }
    *out = vt;
    return 0;
}

void sigmix_vmaflog_table_free(sigmix_vmaflog_table **t)
{
    if (!t || !*t)
        return;
    sigmix_table_free(&(*t)->t);
    for (size_t i = 0; i < (*t)->ncache; i++)
        free((*t)->cache_names[i]);
    free((*t)->cache_names);
    free((*t)->cache_cols);
    free(*t);
    *t = NULL;
}

int sigmix_vmaflog_pool(const sigmix_vmaflog *log, const sigmix_vmaflog_stat *which, size_t n,
                        double **out)
{
    *out = NULL;
    if (!log->nmetrics || !n)
        return 0;
    double *res = malloc(log->nmetrics * n * sizeof *res);
    double *scratch = malloc((log->nframes ? log->nframes : 1) * sizeof *scratch);
    if (!res || !scratch) {
        free(res);
        free(scratch);
        return SIGMIX_ENOMEM;
    }
    for (size_t m = 0; m < log->nmetrics; m++)
        sigmix_vmaflog_stats(&log->metrics[m], log->nframes, which, n, res + m * n, scratch);
    free(scratch);
    *out = res;
    return 0;
}

/* Column index of name, adding it (kind DOUBLE) when new. */
static int metric_col(sigmix_vmaflog_table *vt, const char *name, size_t *col, sigmix_error *err)
{
    long c = sigmix_table_find(vt->t, name);
    if (c >= 0) {
        *col = (size_t)c;
        return 0;
    }
    int r = sigmix_table_add_column(vt->t, name, SIGMIX_KIND_DOUBLE, col);
    if (r)
        return sigmix_error_set(err, r, "cannot add column '%s'", name);
    return 0;
}

static void set_num(sigmix_table *t, size_t col, size_t row, double v)
{
    if (isnan(v))
        sigmix_table_set_null(t, col, row);
    else
        sigmix_table_set_double(t, col, row, v);
}

static int add_clip(sigmix_vmaflog_table *vt, const char *key, const sigmix_vmaflog *log,
                    const double *pooled, sigmix_error *err)
{
    sigmix_table *t = vt->t;
    size_t row = sigmix_table_rows(t);
    int r = sigmix_table_resize(t, row + 1);
    if (r)
        return sigmix_error_set(err, r, "out of memory");
    if ((r = sigmix_table_set_string(t, C_KEY, row, key, strlen(key))))
        return sigmix_error_set(err, r, "out of memory");
    sigmix_table_set_int64(t, C_FRAMES, row, (int64_t)log->nframes);
    const char *fmt = sigmix_vmaflog_format_name(log->format);
    if ((r = sigmix_table_set_string(t, C_FORMAT, row, fmt, strlen(fmt))))
        return sigmix_error_set(err, r, "out of memory");
    if (log->version && (r = sigmix_table_set_string(t, C_VERSION, row, log->version,
                                                     strlen(log->version))))
        return sigmix_error_set(err, r, "out of memory");
    set_num(t, C_FPS, row, log->fps);
    double *own = NULL;
    if (!pooled && log->nmetrics) {
        if ((r = sigmix_vmaflog_pool(log, vt->stats, vt->nstats, &own)))
            return sigmix_error_set(err, r, "out of memory");
        pooled = own;
    }
    int hit = vt->ncache == log->nmetrics;
    for (size_t m = 0; hit && m < log->nmetrics; m++)
        hit = !strcmp(vt->cache_names[m], log->metrics[m].name);
    if (hit) {
        for (size_t i = 0; i < log->nmetrics * vt->nstats; i++)
            set_num(t, vt->cache_cols[i], row, pooled[i]);
        goto done;
    }
    char name[512];
    size_t *cols = malloc((log->nmetrics * vt->nstats + 1) * sizeof *cols);
    char **names = calloc(log->nmetrics + 1, sizeof *names);
    if (!cols || !names) {
        free(cols);
        free(names);
        r = sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t m = 0; m < log->nmetrics; m++) {
        if (!(names[m] = strdup(log->metrics[m].name))) {
            r = sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
            goto fail_cache;
        }
        for (size_t s = 0; s < vt->nstats; s++) {
            snprintf(name, sizeof name, "%s_%s", log->metrics[m].name,
                     sigmix_vmaflog_stat_name(vt->stats[s]));
            size_t col;
            if ((r = metric_col(vt, name, &col, err)))
                goto fail_cache;
            if (col < sizeof clip_cols / sizeof *clip_cols || (long)col == vt->c_error) {
                r = sigmix_error_set(err, SIGMIX_EFORMAT, "metric column '%s' clashes with"
                                     " a fixed column", name);
                goto fail_cache;
            }
            cols[m * vt->nstats + s] = col;
            set_num(t, col, row, pooled[m * vt->nstats + s]);
        }
    }
    for (size_t i = 0; i < vt->ncache; i++)
        free(vt->cache_names[i]);
    free(vt->cache_names);
    free(vt->cache_cols);
    vt->cache_names = names;
    vt->cache_cols = cols;
    vt->ncache = log->nmetrics;
    goto done;
fail_cache:
    for (size_t m = 0; m < log->nmetrics; m++)
        free(names[m]);
    free(names);
    free(cols);
done:
    free(own);
    return r;
}

static int add_frames(sigmix_vmaflog_table *vt, const char *key, const sigmix_vmaflog *log,
                      sigmix_error *err)
{
    sigmix_table *t = vt->t;
    size_t row0 = sigmix_table_rows(t);
    int r = sigmix_table_resize(t, row0 + log->nframes);
    if (r)
        return sigmix_error_set(err, r, "out of memory");
    for (size_t i = 0; i < log->nframes; i++) {
        if ((r = sigmix_table_set_string(t, F_KEY, row0 + i, key, strlen(key))))
            return sigmix_error_set(err, r, "out of memory");
        sigmix_table_set_int64(t, F_FRAME, row0 + i, log->frame_num[i]);
    }
    for (size_t m = 0; m < log->nmetrics; m++) {
        const sigmix_vmaflog_metric *mt = &log->metrics[m];
        size_t col;
        if ((r = metric_col(vt, mt->name, &col, err)))
            return r;
        if (col <= F_FRAME || (long)col == vt->c_error)
            return sigmix_error_set(err, SIGMIX_EFORMAT, "metric '%s' clashes with a fixed"
                                    " column", mt->name);
        /* NaN values stay NaN (present): the log said nan, not "absent". */
        for (size_t i = 0; i < log->nframes; i++)
            if (mt->present[i])
                sigmix_table_set_double(t, col, row0 + i, mt->values[i]);
    }
    return 0;
}

int sigmix_vmaflog_table_add(sigmix_vmaflog_table *vt, const char *key, const sigmix_vmaflog *log,
                             const double *pooled, sigmix_error *err)
{
    sigmix_error_clear(err); /* contract: common.h */
    if (vt->per_frame)
        return add_frames(vt, key, log, err);
    return add_clip(vt, key, log, pooled, err);
}

int sigmix_vmaflog_table_add_error(sigmix_vmaflog_table *vt, const char *key,
                                   const char *message, sigmix_error *err)
{
    sigmix_error_clear(err); /* contract: common.h */
    sigmix_table *t = vt->t;
    int r;
    if (vt->c_error < 0) {
        size_t c;
        if ((r = sigmix_table_add_column(t, "vmaf_log_error", SIGMIX_KIND_STRING, &c)))
            return sigmix_error_set(err, r, "cannot add column 'vmaf_log_error'");
        vt->c_error = (long)c;
    }
    size_t row = sigmix_table_rows(t);
    if ((r = sigmix_table_resize(t, row + 1)))
        return sigmix_error_set(err, r, "out of memory");
    if ((r = sigmix_table_set_string(t, 0, row, key, strlen(key)))
        || (r = sigmix_table_set_string(t, (size_t)vt->c_error, row, message, strlen(message))))
        return sigmix_error_set(err, r, "out of memory");
    return 0;
}

int sigmix_vmaflog_table_finish(sigmix_vmaflog_table *vt, sigmix_table **out, sigmix_error *err)
{
    sigmix_error_clear(err); /* contract: common.h */
    (void)err;
    *out = vt->t;
    vt->t = NULL;
    return 0;
}
