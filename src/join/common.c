/* Output steps shared by the joins: target columns, row dropping, and
 * writing the table together with its audit JSON. */
#include <stdlib.h>
#include <string.h>

#include "join/internal.h"
#include "util/error.h"
#include "util/runprov.h"
#include "util/outset.h"
#include "table/format.h"

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

int sigmix_join_read_input(const char *path, int threads, sigmix_runprov *prov,
                           const char *name, int list, size_t index, sigmix_table **out,
                           sigmix_error *err)
{
    sigmix_read_options ro;
    sigmix_read_options_default(&ro);
    ro.threads = threads;
    /* The provenance's hash comes from the reading pass, never from a read
     * of its own. */
    sigmix_read_digest dg = { "", 0 };
    if (prov)
        ro.digest = &dg;
    sigmix_error e;
    sigmix_error_clear(&e);
    int r = sigmix_table_read(path, &ro, out, &e);
    if (r)
        return sigmix_error_set(err, r, "%s: %s", path, e.message);
    if (prov) {
        const char *sha = dg.sha256[0] ? dg.sha256 : NULL;
        if (list)
            sigmix_runprov_input_push(prov, name, path, sha, dg.bytes);
        else
            sigmix_runprov_input_known(prov, name, path, sha, dg.bytes);
        sigmix_runprov_input_rows(prov, name, index, sigmix_table_rows(*out));
    }
    return 0;
}

int sigmix_join_write(const sigmix_table *t, const char *out, int threads,
                      const sigmix_jdoc *d, const sigmix_jv *audit,
                      const char *audit_path, sigmix_error *err)
{
    if (audit_path && sigmix_jdoc_failed(d))
        return sigmix_error_set(err, SIGMIX_ENOMEM, "%s: out of memory", audit_path);
    /* The table and the report are one output set: both appear, or neither. */
    sigmix_error e;
    sigmix_error_clear(&e);
    sigmix_outset *set = NULL;
    FILE *tf = NULL, *af = NULL;
    const char *at = out;
    sigmix_write_options wo;
    sigmix_write_options_default(&wo);
    wo.threads = threads;
    int r = sigmix_outset_new(&set, &e);
    if (!r && !(r = sigmix_outset_add(set, out, &tf, &e)))
        r = sigmix_table_write_stream(t, tf, out, &wo, &e);
    if (!r && audit_path) {
        at = audit_path;
        if (!(r = sigmix_outset_add(set, audit_path, &af, &e))) {
            sigmix_jv_write(audit, af, 2);
            if (ferror(af))
                r = sigmix_error_set(&e, SIGMIX_EIO, "write error");
        }
    }
    const char *bad = NULL;
    if (!r && (r = sigmix_outset_commit(set, &bad, &e)))
        at = bad && audit_path && !strcmp(bad, audit_path) ? audit_path : out;
    sigmix_outset_free(&set);
    if (r)
        return sigmix_error_set(err, r, "%s: %s", at, e.message);
    return 0;
}
