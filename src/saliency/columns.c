/*
 * Output columns of the saliency materializer: validation of existing
 * columns (before anything is changed) and creation of missing ones.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "saliency/columns.h"
#include "util/error.h"

static int want(const char *name) { return name && name[0]; }

/* Check one output column: absent, or of a kind we can write. */
static int check_col(const sigmix_table *t, const char *name, int numeric, sigmix_error *err)
{
    long i = sigmix_table_find(t, name);
    if (i < 0)
        return 0;
    sigmix_kind k = sigmix_table_col(t, (size_t)i)->kind;
    if (numeric && !sigmix_kind_is_numeric(k))
        return sigmix_error_set(err, SIGMIX_EINVAL,
                                "column '%s' exists and is not numeric", name);
    if (!numeric && k == SIGMIX_KIND_JSON)
        return sigmix_error_set(err, SIGMIX_EINVAL,
                                "column '%s' exists and holds nested values", name);
    return 0;
}

int sigmix_sal_columns_check(const sigmix_table *t, const sigmix_saliency_settings *s,
                             sigmix_error *err)
{
    const char *names[6] = { s->mean_column, s->var_column, s->model_id_column,
                             s->aggregator_column, s->ema_alpha_column, s->status_column };
    const int numeric[6] = { 1, 1, 0, 0, 1, 0 };
    for (int i = 0; i < 6; i++) {
        if (!want(names[i]))
            continue;
        if (!strcmp(names[i], s->path_column))
            return sigmix_error_set(err, SIGMIX_EINVAL,
                                    "output column '%s' is the path column", names[i]);
        for (int k = 0; k < i; k++)
            if (want(names[k]) && !strcmp(names[i], names[k]))
                return sigmix_error_set(err, SIGMIX_EINVAL,
                                        "column name '%s' given for two outputs", names[i]);
        int r = check_col(t, names[i], numeric[i], err);
        if (r)
            return r;
    }
    return 0;
}

static int ensure(sigmix_table *t, const char *name, sigmix_kind kind, long *idx)
{
    *idx = -1;
    if (!want(name))
        return 0;
    long i = sigmix_table_find(t, name);
    if (i < 0) {
        size_t at;
        int r = sigmix_table_add_column(t, name, kind, &at);
        if (r)
            return r;
        *idx = (long)at;
        return 0;
    }
    *idx = i;
    return sigmix_table_col(t, (size_t)i)->kind == kind ? 0
         : sigmix_table_convert(t, (size_t)i, kind);
}

int sigmix_sal_columns_prepare(sigmix_table *t, const sigmix_saliency_settings *s,
                               sal_columns *c)
{
    int r;
    c->mean_existed = sigmix_table_find(t, s->mean_column) >= 0;
    c->var_existed = sigmix_table_find(t, s->var_column) >= 0;
    if ((r = ensure(t, s->mean_column, SIGMIX_KIND_DOUBLE, &c->mean))
        || (r = ensure(t, s->var_column, SIGMIX_KIND_DOUBLE, &c->var))
        || (r = ensure(t, s->model_id_column, SIGMIX_KIND_STRING, &c->model_id))
        || (r = ensure(t, s->aggregator_column, SIGMIX_KIND_STRING, &c->aggregator))
        || (r = ensure(t, s->ema_alpha_column, SIGMIX_KIND_DOUBLE, &c->ema_alpha))
        || (r = ensure(t, s->status_column, SIGMIX_KIND_STRING, &c->status)))
        return r;
    return 0;
}

/* A row is skipped when it already holds finite mean and variance. */
int sigmix_sal_row_has_values(const sigmix_table *t, const sigmix_saliency_settings *s,
                              size_t row)
{
    long m = sigmix_table_find(t, s->mean_column), v = sigmix_table_find(t, s->var_column);
    if (m < 0 || v < 0)
        return 0;
    const sigmix_column *cm = sigmix_table_col(t, (size_t)m), *cv = sigmix_table_col(t, (size_t)v);
    if (!sigmix_kind_is_numeric(cm->kind) || !sigmix_kind_is_numeric(cv->kind))
        return 0;
    return cm->valid[row] && cv->valid[row] && isfinite(cm->f64[row]) && isfinite(cv->f64[row]);
}

/* Positive integer dimension from a numeric or text cell, else 0. */
int sigmix_sal_cell_dim(const sigmix_table *t, long col, size_t row)
{
    if (col < 0)
        return 0;
    const sigmix_column *c = sigmix_table_col(t, (size_t)col);
    if (!c->valid[row])
        return 0;
    double v;
    if (sigmix_kind_is_numeric(c->kind)) {
        v = c->kind == SIGMIX_KIND_INT64 ? (double)c->i64[row] : c->f64[row];
    } else if (c->kind == SIGMIX_KIND_STRING && c->str[row].len && c->str[row].len < 32) {
        char buf[32], *e;
        memcpy(buf, c->str[row].ptr, c->str[row].len);
        buf[c->str[row].len] = '\0';
        v = strtod(buf, &e);
        if (*e)
            return 0;
    } else {
        return 0;
    }
    if (!(v >= 1 && v <= SAL_MAX_DIM) || v != floor(v))
        return 0;
    return (int)v;
}
