/*
 * JSON report: {"tables": [...], "run_provenance": {...}}, written as the
 * reference tool's write_manifest_json does (keys sorted, indent 2, final
 * newline). The table objects keep its field names and shapes; unlike it,
 * non-finite numbers are written as null. run_provenance is the ADR-0661
 * layout (util/runprov) with sigmix's own additions under "sigmix".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit_internal.h"
#include "util/error.h"
#include "util/runprov.h"

typedef struct jctx {
    sigmix_jdoc *d;
    sigmix_jout *o;
    int          oom;
} jctx;

/*
 * The tables are streamed, not built as a tree: a report of a wide table
 * holds thousands of small objects, and the tree cost more than the audit.
 * Members are written in the order json.dumps(sort_keys=True) gives them;
 * the key lists below are sorted by hand (tests/audit checks the bytes).
 */
static void names(jctx *c, const char *key, sigmix_audit_names n)
{
    sigmix_jout_key(c->o, key);
    sigmix_jout_arr_begin(c->o);
    for (size_t i = 0; i < n.n; i++)
        sigmix_jout_str(c->o, n.v[i]);
    sigmix_jout_arr_end(c->o);
}

static void list(jctx *c, const char *key, const char *const *l)
{
    sigmix_jout_key(c->o, key);
    sigmix_jout_arr_begin(c->o);
    for (; l && *l; l++)
        sigmix_jout_str(c->o, *l);
    sigmix_jout_arr_end(c->o);
}

static void kv_str(jctx *c, const char *k, const char *v)
{
    sigmix_jout_key(c->o, k);
    sigmix_jout_str(c->o, v);
}

static void kv_num(jctx *c, const char *k, double v)
{
    sigmix_jout_key(c->o, k);
    sigmix_jout_num(c->o, v);
}

/* An object keyed by n names (key(i)): members in strcmp order and, as
 * sigmix_jv_set would, the last of equal names wins. */
typedef const char *(*key_fn)(const void *items, size_t i);

typedef struct keyed {
    const char *key;
    size_t      i;
} keyed;

static int cmp_keyed(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    int r = strcmp(x->key, y->key);
    return r ? r : (x->i > y->i) - (x->i < y->i);
}

/* Index order for n keyed items with duplicates dropped (all but the last);
 * returns the count kept, or SIZE_MAX on OOM. */
static size_t sorted_order(jctx *c, const void *items, key_fn key, size_t n, size_t **out)
{
    *out = NULL;
    if (!n)
        return 0;
    keyed *k = malloc(n * sizeof *k);
    size_t *ix = malloc(n * sizeof *ix);
    if (!k || !ix) {
        free(k);
        free(ix);
        c->oom = 1;
        return SIZE_MAX;
    }
    for (size_t i = 0; i < n; i++)
        k[i] = (keyed){ key(items, i), i };
    qsort(k, n, sizeof *k, cmp_keyed);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (i + 1 == n || strcmp(k[i].key, k[i + 1].key)) /* else a later one follows */
            ix[m++] = k[i].i;
    free(k);
    *out = ix;
    return m;
}

static const char *health_key(const void *items, size_t i)
{
    return ((const sigmix_audit_health *)items)[i].key;
}

static const char *stat_key(const void *items, size_t i)
{
    return ((const sigmix_audit_stat *)items)[i].column;
}

static void family_columns(jctx *c, const sigmix_audit_result *r, const size_t *ix, size_t m)
{
    sigmix_jout_key(c->o, "family_columns");
    sigmix_jout_obj_begin(c->o);
    for (size_t i = 0; i < m; i++) {
        const sigmix_audit_health *h = &r->health[ix[i]];
        names(c, h->key, h->matched);
    }
    sigmix_jout_obj_end(c->o);
}

static void family_health(jctx *c, const sigmix_audit *a, const sigmix_audit_result *r,
                          const size_t *ix, size_t m)
{
    sigmix_jout_key(c->o, "family_health");
    sigmix_jout_obj_begin(c->o);
    for (size_t i = 0; i < m; i++) {
        const sigmix_audit_health *h = &r->health[ix[i]];
        const sigmix_audit_family *fam = sigmix_audit_family_by_key(a, h->key);
        sigmix_jout_key(c->o, h->key);
        sigmix_jout_obj_begin(c->o);
        list(c, "candidate_metrics", fam ? fam->candidate_metrics : NULL);
        names(c, "healthy_columns", h->healthy);
        names(c, "matched_columns", h->matched);
        names(c, "numeric_columns", h->numeric);
        kv_str(c, "recommendation", fam ? fam->recommendation : "");
        kv_str(c, "status", sigmix_family_status_name(h->status));
        sigmix_jout_obj_end(c->o);
    }
    sigmix_jout_obj_end(c->o);
}

static void pair_list(jctx *c, const char *key, const sigmix_audit_pair *p, size_t n,
                      int with_target)
{
    sigmix_jout_key(c->o, key);
    sigmix_jout_arr_begin(c->o);
    for (size_t i = 0; i < n; i++) {
        sigmix_jout_obj_begin(c->o);
        kv_num(c, "abs_pearson", p[i].abs_pearson);
        kv_str(c, "left", p[i].left);
        kv_str(c, "left_family", p[i].left_family);
        if (with_target)
            kv_num(c, "left_target_abs_pearson", p[i].left_target_abs_pearson);
        kv_num(c, "pearson", p[i].pearson);
        kv_str(c, "right", p[i].right);
        kv_str(c, "right_family", p[i].right_family);
        if (with_target)
            kv_num(c, "right_target_abs_pearson", p[i].right_target_abs_pearson);
        sigmix_jout_obj_end(c->o);
    }
    sigmix_jout_arr_end(c->o);
}

static void column_stats(jctx *c, const sigmix_audit_result *r)
{
    size_t *ix;
    size_t m = sorted_order(c, r->stats, stat_key, r->signal_columns.n, &ix);
    if (m == SIZE_MAX)
        return;
    sigmix_jout_key(c->o, "column_stats");
    sigmix_jout_obj_begin(c->o);
    for (size_t i = 0; i < m; i++) {
        const sigmix_audit_stat *s = &r->stats[ix[i]];
        sigmix_jout_key(c->o, s->column);
        sigmix_jout_obj_begin(c->o);
        kv_num(c, "finite_ratio", s->finite_ratio);
        kv_num(c, "max", s->max);
        kv_num(c, "mean", s->mean);
        kv_num(c, "min", s->min);
        kv_num(c, "std", s->std);
        sigmix_jout_obj_end(c->o);
    }
    sigmix_jout_obj_end(c->o);
    free(ix);
}

static void target_correlations(jctx *c, const sigmix_audit_result *r)
{
    sigmix_jout_key(c->o, "target_correlations");
    sigmix_jout_arr_begin(c->o);
    for (size_t i = 0; i < r->n_target_correlations; i++) {
        const sigmix_audit_corr *k = &r->target_correlations[i];
        sigmix_jout_obj_begin(c->o);
        kv_num(c, "abs_pearson", k->abs_pearson);
        kv_str(c, "column", k->column);
        kv_str(c, "family", k->family);
        kv_num(c, "pearson", k->pearson);
        kv_num(c, "spearman", k->spearman);
        sigmix_jout_obj_end(c->o);
    }
    sigmix_jout_arr_end(c->o);
}

static void table(jctx *c, const sigmix_audit *a, const sigmix_audit_result *r)
{
    size_t *hix;
    size_t hm = sorted_order(c, r->health, health_key, r->n_health, &hix);
    if (hm == SIZE_MAX)
        return;
    sigmix_jout_obj_begin(c->o);
    column_stats(c, r);
    names(c, "columns", r->columns);
    family_columns(c, r, hix, hm);
    family_health(c, a, r, hix, hm);
    free(hix);
    pair_list(c, "intersections", r->intersections, r->n_intersections, 1);
    kv_str(c, "label", r->label);
    names(c, "missing_families", r->missing_families);
    names(c, "numeric_columns", r->numeric_columns);
    kv_str(c, "path", r->path);
    pair_list(c, "redundant_pairs", r->redundant_pairs, r->n_redundant_pairs, 0);
    sigmix_jout_key(c->o, "rows");
    sigmix_jout_int(c->o, (int64_t)r->rows);
    names(c, "signal_columns", r->signal_columns);
    kv_str(c, "target", r->target);
    target_correlations(c, r);
    names(c, "weak_families", r->weak_families);
    sigmix_jout_obj_end(c->o);
}

/* argparse's namespace of the reference tool, plus sigmix's --families. */
static void args(sigmix_runprov *p, const sigmix_audit *a, const sigmix_audit_outputs *o,
                 const char **specs)
{
    const sigmix_audit_settings *s = &a->s;
    sigmix_runprov_arg_list(p, "input", specs, a->n);
    sigmix_runprov_arg_str(p, "target", s->target);
    sigmix_runprov_arg_str(p, "out_json", o->json);
    sigmix_runprov_arg_str(p, "out_md", o->md);
    sigmix_runprov_arg_str(p, "out_html", o->html);
    sigmix_runprov_arg_str(p, "out_matrix", o->matrix);
    sigmix_runprov_arg_int(p, "top_k", s->top_k);
    sigmix_runprov_arg_num(p, "redundancy_threshold", s->redundancy_threshold);
    sigmix_runprov_arg_num(p, "complement_threshold", s->complement_threshold);
    sigmix_runprov_arg_num(p, "min_finite_ratio", s->min_finite_ratio);
    sigmix_runprov_arg_str(p, "families", s->families_path);
}

static sigmix_jv *provenance(jctx *c, const sigmix_audit *a, const sigmix_audit_outputs *o)
{
    sigmix_runprov *p = sigmix_runprov_new(c->d, a->s.argc, (char *const *)a->s.argv);
    if (!p)
        return NULL;
    sigmix_runprov_set_started(p, a->started);
    /* The --input values as given: LABEL=PATH when a label was named. */
    const char **specs = calloc(a->n + 1, sizeof *specs);
    char **owned = calloc(a->n + 1, sizeof *owned);
    if (!specs || !owned) {
        free(specs);
        free(owned);
        sigmix_runprov_free(p);
        return NULL;
    }
    for (size_t i = 0; i < a->n; i++) {
        const audit_table *t = a->tables[i];
        const char *path = t->res.path ? t->res.path : "";
        specs[i] = path;
        if (t->explicit_label) {
            size_t n = strlen(t->res.label) + strlen(path) + 2;
            if ((owned[i] = malloc(n))) {
                snprintf(owned[i], n, "%s=%s", t->res.label, path);
                specs[i] = owned[i];
            }
        }
    }
    args(p, a, o, specs);
    for (size_t i = 0; i < a->n; i++) {
        const sigmix_audit_result *r = &a->tables[i]->res;
        sigmix_runprov_input_push(p, "tables", r->path ? r->path : "",
                                  r->has_file ? r->sha256 : NULL, r->file_size);
        sigmix_runprov_input_rows(p, "tables", i, r->rows);
        free(owned[i]);
    }
    free(owned);
    free(specs);
    sigmix_runprov_output(p, "json_report", o->json);
    sigmix_runprov_output(p, "markdown_report", o->md);
    if (o->html) /* sigmix's own outputs, named only when asked for */
        sigmix_runprov_output(p, "html_report", o->html);
    if (o->matrix)
        sigmix_runprov_output(p, "matrix_table", o->matrix);
    sigmix_jv *v = sigmix_runprov_finish(p);
    sigmix_runprov_free(p);
    return v;
}

int sigmix_audit_write_json(const sigmix_audit *a, FILE *f, const char *json_target,
                            const char *md_target, sigmix_error *err)
{
    sigmix_error_clear(err);
    sigmix_audit_outputs o = { json_target, md_target, NULL, NULL };
    return sigmix_audit_write_json_for(a, f, &o, err);
}

int sigmix_audit_write_json_for(const sigmix_audit *a, FILE *f, const sigmix_audit_outputs *o,
                                sigmix_error *err)
{
    jctx c = { sigmix_jdoc_new(), malloc(sizeof(sigmix_jout)), 0 };
    if (!c.d || !c.o) {
        sigmix_jdoc_free(c.d);
        free(c.o);
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    }
    /* run_provenance sorts before tables, so it is stamped before they are written */
    sigmix_jv *prov = provenance(&c, a, o);
    int failed = !prov || sigmix_jdoc_failed(c.d);
    if (!failed) {
        sigmix_jout_init(c.o, f, 2);
        sigmix_jout_obj_begin(c.o);
        sigmix_jout_key(c.o, "run_provenance");
        sigmix_jout_value(c.o, prov);
        sigmix_jout_key(c.o, "tables");
        sigmix_jout_arr_begin(c.o);
        for (size_t i = 0; i < a->n && !c.oom; i++)
            table(&c, a, &a->tables[i]->res);
        sigmix_jout_arr_end(c.o);
        sigmix_jout_obj_end(c.o);
        sigmix_jout_newline(c.o);
        sigmix_jout_flush(c.o);
        failed = c.oom;
    }
    sigmix_jdoc_free(c.d);
    free(c.o);
    if (failed)
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    if (ferror(f))
        return sigmix_error_set(err, SIGMIX_EIO, "cannot write the JSON report");
    return 0;
}
