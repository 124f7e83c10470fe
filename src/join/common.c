/* Output steps shared by the joins: target columns, row dropping, and
 * writing the table together with its audit JSON. */
#include <stdlib.h>
#include <string.h>

#include "join/internal.h"
#include "util/atomic.h"
#include "util/error.h"
#include "util/runprov.h"

int sigmix_join_compact(sigmix_table *t, const uint8_t *keep, sigmix_error *err)
{
    size_t rows = sigmix_table_rows(t), cols = sigmix_table_cols(t), k = 0;
    for (size_t r = 0; r < rows; r++)
        k += keep[r] != 0;
    if (k == rows)
        return 0;
    for (size_t c = 0; c < cols; c++) {
        sigmix_column *col = sigmix_table_col_mut(t, c);
        size_t w = 0;
        for (size_t r = 0; r < rows; r++) {
            if (!keep[r])
                continue;
            if (w != r) {
                col->valid[w] = col->valid[r];
                if (col->f64)
                    col->f64[w] = col->f64[r];
                if (col->i64)
                    col->i64[w] = col->i64[r];
                if (col->str)
                    col->str[w] = col->str[r];
            }
            w++;
        }
    }
    int r = sigmix_table_resize(t, k);
    return r ? sigmix_error_set(err, r, "out of memory") : 0;
}

int sigmix_join_target(sigmix_table **t, const char *name, sigmix_kind kind, size_t *index)
{
    long i = sigmix_table_find(*t, name);
    if (i < 0)
        return sigmix_table_add_column(*t, name, kind, index);
    const sigmix_column *c = sigmix_table_col(*t, (size_t)i);
    if (c->kind != kind && sigmix_table_convert(*t, (size_t)i, kind)) {
        /* No conversion to this kind: rebuild the table without the old
         * column and append the new one (its position moves to the end). */
        size_t n = sigmix_table_cols(*t), k = 0;
        size_t *keep = malloc(n * sizeof *keep);
        if (!keep)
            return SIGMIX_ENOMEM;
        for (size_t j = 0; j < n; j++)
            if (j != (size_t)i)
                keep[k++] = j;
        sigmix_table *nt = NULL;
        int r = sigmix_table_select(*t, keep, k, sigmix_table_rows(*t), &nt);
        free(keep);
        if (r)
            return r;
        sigmix_table_free(t);
        *t = nt;
        return sigmix_table_add_column(*t, name, kind, index);
    }
    *index = (size_t)i;
    return 0;
}

int sigmix_join_write(const sigmix_table *t, const char *out, int threads,
                      const sigmix_jdoc *d, const sigmix_jv *audit,
                      const char *audit_path, sigmix_error *err)
{
    (void)threads;
    sigmix_error e;
    sigmix_atomic a;
    memset(&a, 0, sizeof a);
    sigmix_error_clear(&e);
    if (audit_path) {
        if (sigmix_jdoc_failed(d))
            return sigmix_error_set(err, SIGMIX_ENOMEM, "%s: out of memory", audit_path);
        int r = sigmix_atomic_open(&a, audit_path, 1, &e);
        if (r)
            return sigmix_error_set(err, r, "%s: %s", audit_path, e.message);
        sigmix_jv_write(audit, a.f, 2);
        if (ferror(a.f)) {
            sigmix_atomic_abort(&a);
            return sigmix_error_set(err, SIGMIX_EIO, "%s: write error", audit_path);
        }
    }
    int r = sigmix_table_write(t, out, NULL, &e);
    if (r) {
        sigmix_atomic_abort(&a);
        return sigmix_error_set(err, r, "%s: %s", out, e.message);
    }
    if (audit_path) {
        /* The table is in place; the report follows it. A failure here is
         * rare (rename in the same folder) and reported. */
        r = sigmix_atomic_commit(&a, &e);
        if (r)
            return sigmix_error_set(err, r, "%s: %s", audit_path, e.message);
    }
    return 0;
}
