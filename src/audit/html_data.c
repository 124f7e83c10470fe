/*
 * What the HTML report and the matrix export need beyond the JSON report
 * (html work): the full Pearson matrix (filled in by the pair screen in
 * analyze.c), pairwise finite counts, per-column target counts and an
 * evenly spaced row sample for the scatter plots. Only with keep_matrix.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit_internal.h"
#include "table/format.h"
#include "stats/stats.h"
#include "util/error.h"

static void *zalloc(sigmix_arena *ar, size_t n, size_t size)
{
    if (n && size > SIZE_MAX / n)
        return NULL;
    size_t bytes = n * size;
    void *p = sigmix_arena_alloc(ar, bytes ? bytes : 1);
    if (p)
        memset(p, 0, n * size);
    return p;
}

/* double -> float without the undefined conversion of out-of-range values. */
static float to_float(double v)
{
    if (!(fabs(v) <= FLT_MAX))
        return isnan(v) ? NAN : v > 0 ? INFINITY : -INFINITY;
    return (float)v;
}

static uint64_t popcount_and(const uint64_t *a, const uint64_t *b, size_t words)
{
    uint64_t n = 0;
    for (size_t w = 0; w < words; w++)
        n += (uint64_t)__builtin_popcountll(a[w] & b[w]);
    return n;
}

int sigmix_audit_keep_begin(sigmix_arena *ar, const sigmix_table *t, const size_t *sig,
                            size_t p, const struct sigmix_colstats *st, long target,
                            sigmix_audit_matrix **out)
{
    size_t rows = sigmix_table_rows(t);
    sigmix_audit_matrix *m = zalloc(ar, 1, sizeof *m);
    double *r = zalloc(ar, p * p, sizeof *r);
    uint64_t *n = zalloc(ar, p * p, sizeof *n), *tn = zalloc(ar, p, sizeof *tn);
    size_t ns = rows < SIGMIX_AUDIT_SAMPLE_ROWS ? rows : SIGMIX_AUDIT_SAMPLE_ROWS;
    float *sample = zalloc(ar, (p + 1) * (ns ? ns : 1), sizeof *sample);
    if (!m || !r || !n || !tn || !sample || (p && p * p / p != p))
        return SIGMIX_ENOMEM;
    const double *ty = NULL;
    if (target >= 0 && sigmix_kind_is_numeric(sigmix_table_col(t, (size_t)target)->kind))
        ty = sigmix_table_col(t, (size_t)target)->f64;
    /* Validity bitmaps only for columns with gaps: a complete column's
     * count against any other is that other's finite count. */
    size_t words = (rows + 63) / 64, ngap = 0;
    long *slot = malloc((p + 1) * sizeof *slot);
    uint64_t *bits = NULL;
    for (size_t k = 0; slot && k < p; k++)
        slot[k] = st[k].n_finite < rows ? (long)ngap++ : -1;
    if (slot && ngap && (words > SIZE_MAX / ngap / 8 ||
                         !(bits = calloc(ngap * words + 1, 8)))) {
        free(slot);
        return SIGMIX_ENOMEM;
    }
    if (!slot)
        return SIGMIX_ENOMEM;
    for (size_t k = 0; k < p; k++) {
        const double *x = sigmix_table_col(t, sig[k])->f64;
        uint64_t c = 0;
        for (size_t i = 0; i < rows; i++) {
            int ok = isfinite(x[i]);
            if (slot[k] >= 0 && ok)
                bits[(size_t)slot[k] * words + i / 64] |= (uint64_t)1 << (i % 64);
            c += ok && ty && isfinite(ty[i]);
        }
        tn[k] = c;
        for (size_t s = 0; s < ns; s++) {
            size_t i = (size_t)((unsigned long long)s * rows / ns);
            sample[k * ns + s] = to_float(x[i]);
        }
    }
    for (size_t s = 0; s < ns; s++) {
        size_t i = (size_t)((unsigned long long)s * rows / ns);
        sample[p * ns + s] = ty ? to_float(ty[i]) : NAN;
    }
    for (size_t i = 0; i < p; i++) {
        int defined = st[i].n_finite >= 3 && st[i].std > SIGMIX_FLAT_STD;
        r[i * p + i] = defined ? 1.0 : NAN;
        n[i * p + i] = st[i].n_finite;
        for (size_t j = i + 1; j < p; j++) {
            uint64_t c;
            if (slot[i] < 0)
                c = st[j].n_finite;
            else if (slot[j] < 0)
                c = st[i].n_finite;
            else
                c = popcount_and(bits + (size_t)slot[i] * words, bits + (size_t)slot[j] * words,
                                 words);
            n[i * p + j] = n[j * p + i] = c;
            r[i * p + j] = r[j * p + i] = NAN;
        }
    }
    free(slot);
    free(bits);
    *m = (sigmix_audit_matrix){ p, r, n, tn, ns, sample };
    *out = m;
    return 0;
}

/* The matrix as one table: table, left, right, pearson, n. */
static int matrix_table(const sigmix_audit *a, sigmix_table **out, sigmix_error *err)
{
    size_t rows = 0;
    for (size_t i = 0; i < a->n; i++) {
        const sigmix_audit_matrix *m = a->tables[i]->res.matrix;
        if (!m)
            return sigmix_error_set(err, SIGMIX_EINVAL,
                                    "the matrix export needs the audit's keep_matrix setting");
        rows += m->p * (m->p ? m->p - 1 : 0) / 2;
    }
    sigmix_table *t = NULL;
    size_t ct, cl, cr, cp, cn;
    int rc = sigmix_table_create(&t);
    if (!rc)
        rc = sigmix_table_add_column(t, "table", SIGMIX_KIND_STRING, &ct);
    if (!rc)
        rc = sigmix_table_add_column(t, "left", SIGMIX_KIND_STRING, &cl);
    if (!rc)
        rc = sigmix_table_add_column(t, "right", SIGMIX_KIND_STRING, &cr);
    if (!rc)
        rc = sigmix_table_add_column(t, "pearson", SIGMIX_KIND_DOUBLE, &cp);
    if (!rc)
        rc = sigmix_table_add_column(t, "n", SIGMIX_KIND_INT64, &cn);
    if (!rc)
        rc = sigmix_table_resize(t, rows);
    size_t row = 0;
    for (size_t i = 0; !rc && i < a->n; i++) {
        const sigmix_audit_result *r = &a->tables[i]->res;
        const sigmix_audit_matrix *m = r->matrix;
        for (size_t x = 0; !rc && x < m->p; x++)
            for (size_t y = x + 1; !rc && y < m->p; y++, row++) {
                const char *l = r->signal_columns.v[x], *rt = r->signal_columns.v[y];
                rc = sigmix_table_set_string(t, ct, row, r->label, strlen(r->label));
                if (!rc)
                    rc = sigmix_table_set_string(t, cl, row, l, strlen(l));
                if (!rc)
                    rc = sigmix_table_set_string(t, cr, row, rt, strlen(rt));
                double v = m->pearson[x * m->p + y];
                if (isnan(v))
                    sigmix_table_set_null(t, cp, row);
                else
                    sigmix_table_set_double(t, cp, row, v);
                sigmix_table_set_int64(t, cn, row, (int64_t)m->n[x * m->p + y]);
            }
    }
    if (rc) {
        sigmix_table_free(&t);
        return sigmix_error_set(err, rc, "out of memory while building the matrix table");
    }
    *out = t;
    return 0;
}

int sigmix_audit_write_matrix(const sigmix_audit *a, const char *path, sigmix_error *err)
{
    sigmix_table *t = NULL;
    int rc = matrix_table(a, &t, err);
    if (!rc)
        rc = sigmix_table_write(t, path, NULL, err);
    sigmix_table_free(&t);
    return rc;
}

int sigmix_audit_write_matrix_stream(const sigmix_audit *a, FILE *f, const char *path,
                                     sigmix_error *err)
{
    sigmix_table *t = NULL;
    int rc = matrix_table(a, &t, err);
    if (!rc)
        rc = sigmix_table_write_stream(t, f, path, NULL, err);
    sigmix_table_free(&t);
    return rc;
}
