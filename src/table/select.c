/*
 * sigmix_table_select: copy some columns and the first rows of a table
 * into a new one (used by `sigmix cat`).
 */
#include <string.h>

#include "sigmix/table.h"

static int copy_column(sigmix_table *dst, size_t di, const sigmix_column *s, size_t rows)
{
    sigmix_column *d = sigmix_table_col_mut(dst, di);
    d->flags = s->flags;
    d->pq = s->pq;
    if (!rows)
        return 0;
    memcpy(d->valid, s->valid, rows);
    if (s->f64)
        memcpy(d->f64, s->f64, rows * sizeof *d->f64);
    if (s->i64)
        memcpy(d->i64, s->i64, rows * sizeof *d->i64);
    if (s->str)
        for (size_t r = 0; r < rows; r++)
            if (s->valid[r]) {
                int e = sigmix_table_set_string(dst, di, r, s->str[r].ptr ? s->str[r].ptr : "",
                                                s->str[r].len);
                if (e)
                    return e;
            }
    return 0;
}

int sigmix_table_select(const sigmix_table *src, const size_t *cols, size_t ncols,
                        size_t rows, sigmix_table **out)
{
    sigmix_table *t;
    if (!out)
        return SIGMIX_EINVAL;
    *out = NULL;
    if (!src || (ncols && !cols))
        return SIGMIX_EINVAL;
    if (rows > sigmix_table_rows(src))
        rows = sigmix_table_rows(src);
    int r = sigmix_table_create(&t);
    for (size_t i = 0; !r && i < ncols; i++) {
        const sigmix_column *c = sigmix_table_col(src, cols[i]);
        r = c ? sigmix_table_add_column(t, c->name, c->kind, NULL) : SIGMIX_EINVAL;
    }
    for (size_t i = 0; !r && i < sigmix_table_meta_count(src); i++) {
        const char *k, *v;
        sigmix_table_meta_at(src, i, &k, &v);
        r = sigmix_table_set_meta(t, k, v);
    }
    if (!r)
        r = sigmix_table_resize(t, rows);
    for (size_t i = 0; !r && i < ncols; i++)
        r = copy_column(t, i, sigmix_table_col(src, cols[i]), rows);
    if (r) {
        sigmix_table_free(&t);
        return r;
    }
    *out = t;
    return 0;
}
