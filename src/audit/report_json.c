/*
 * JSON report: {"tables": [...], "run_provenance": {...}}, written as the
 * reference tool's write_manifest_json does (keys sorted, indent 2, final
 * newline). The table objects keep its field names and shapes; unlike it,
 * non-finite numbers are written as null. run_provenance is the ADR-0661
 * layout (util/runprov) with sigmix's own additions under "sigmix".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit_internal.h"
#include "util/error.h"
#include "util/runprov.h"

typedef struct jctx {
    sigmix_jdoc *d;
} jctx;

static sigmix_jv *names(jctx *c, sigmix_audit_names n)
{
    sigmix_jv *a = sigmix_jv_arr(c->d);
    for (size_t i = 0; i < n.n; i++)
        sigmix_jv_push(c->d, a, sigmix_jv_str(c->d, n.v[i]));
    return a;
}

static sigmix_jv *list(jctx *c, const char *const *l)
{
    sigmix_jv *a = sigmix_jv_arr(c->d);
    for (; l && *l; l++)
        sigmix_jv_push(c->d, a, sigmix_jv_str(c->d, *l));
    return a;
}

static void kv_str(jctx *c, sigmix_jv *o, const char *k, const char *v)
{
    sigmix_jv_set(c->d, o, k, sigmix_jv_str(c->d, v));
}

static void kv_num(jctx *c, sigmix_jv *o, const char *k, double v)
{
    sigmix_jv_set(c->d, o, k, sigmix_jv_num(c->d, v));
}

static void family_parts(jctx *c, sigmix_jv *t, const sigmix_audit *a,
                         const sigmix_audit_result *r)
{
    sigmix_jv *cols = sigmix_jv_obj(c->d), *health = sigmix_jv_obj(c->d);
    for (size_t f = 0; f < r->n_health; f++) {
        const sigmix_audit_health *h = &r->health[f];
        const sigmix_audit_family *fam = sigmix_audit_family_by_key(a, h->key);
        sigmix_jv_set(c->d, cols, h->key, names(c, h->matched));
        sigmix_jv *o = sigmix_jv_obj(c->d);
        kv_str(c, o, "status", sigmix_family_status_name(h->status));
        sigmix_jv_set(c->d, o, "matched_columns", names(c, h->matched));
        sigmix_jv_set(c->d, o, "numeric_columns", names(c, h->numeric));
        sigmix_jv_set(c->d, o, "healthy_columns", names(c, h->healthy));
        sigmix_jv_set(c->d, o, "candidate_metrics", list(c, fam ? fam->candidate_metrics : NULL));
        kv_str(c, o, "recommendation", fam ? fam->recommendation : "");
        sigmix_jv_set(c->d, health, h->key, o);
    }
    sigmix_jv_set(c->d, t, "family_columns", cols);
    sigmix_jv_set(c->d, t, "family_health", health);
}

static sigmix_jv *pair_list(jctx *c, const sigmix_audit_pair *p, size_t n, int with_target)
{
    sigmix_jv *a = sigmix_jv_arr(c->d);
    for (size_t i = 0; i < n; i++) {
        sigmix_jv *o = sigmix_jv_obj(c->d);
        kv_str(c, o, "left", p[i].left);
        kv_str(c, o, "right", p[i].right);
        kv_str(c, o, "left_family", p[i].left_family);
        kv_str(c, o, "right_family", p[i].right_family);
        kv_num(c, o, "pearson", p[i].pearson);
        kv_num(c, o, "abs_pearson", p[i].abs_pearson);
        if (with_target) {
            kv_num(c, o, "left_target_abs_pearson", p[i].left_target_abs_pearson);
            kv_num(c, o, "right_target_abs_pearson", p[i].right_target_abs_pearson);
        }
        sigmix_jv_push(c->d, a, o);
    }
    return a;
}

static sigmix_jv *table(jctx *c, const sigmix_audit *a, const sigmix_audit_result *r)
{
    sigmix_jv *t = sigmix_jv_obj(c->d);
    kv_str(c, t, "label", r->label);
    kv_str(c, t, "path", r->path);
    sigmix_jv_set(c->d, t, "rows", sigmix_jv_int(c->d, (int64_t)r->rows));
    sigmix_jv_set(c->d, t, "columns", names(c, r->columns));
    kv_str(c, t, "target", r->target);
    sigmix_jv_set(c->d, t, "numeric_columns", names(c, r->numeric_columns));
    sigmix_jv_set(c->d, t, "signal_columns", names(c, r->signal_columns));
    family_parts(c, t, a, r);
    sigmix_jv *stats = sigmix_jv_obj(c->d);
    for (size_t i = 0; i < r->signal_columns.n; i++) {
        const sigmix_audit_stat *s = &r->stats[i];
        sigmix_jv *o = sigmix_jv_obj(c->d);
        kv_num(c, o, "finite_ratio", s->finite_ratio);
        kv_num(c, o, "mean", s->mean);
        kv_num(c, o, "std", s->std);
        kv_num(c, o, "min", s->min);
        kv_num(c, o, "max", s->max);
        sigmix_jv_set(c->d, stats, s->column, o);
    }
    sigmix_jv_set(c->d, t, "column_stats", stats);
    sigmix_jv *tc = sigmix_jv_arr(c->d);
    for (size_t i = 0; i < r->n_target_correlations; i++) {
        const sigmix_audit_corr *k = &r->target_correlations[i];
        sigmix_jv *o = sigmix_jv_obj(c->d);
        kv_str(c, o, "column", k->column);
        kv_str(c, o, "family", k->family);
        kv_num(c, o, "pearson", k->pearson);
        kv_num(c, o, "spearman", k->spearman);
        kv_num(c, o, "abs_pearson", k->abs_pearson);
        sigmix_jv_push(c->d, tc, o);
    }
    sigmix_jv_set(c->d, t, "target_correlations", tc);
    sigmix_jv_set(c->d, t, "redundant_pairs",
                  pair_list(c, r->redundant_pairs, r->n_redundant_pairs, 0));
    sigmix_jv_set(c->d, t, "intersections",
                  pair_list(c, r->intersections, r->n_intersections, 1));
    sigmix_jv_set(c->d, t, "missing_families", names(c, r->missing_families));
    sigmix_jv_set(c->d, t, "weak_families", names(c, r->weak_families));
    return t;
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
    jctx c = { sigmix_jdoc_new() };
    if (!c.d)
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    sigmix_jv *root = sigmix_jv_obj(c.d), *tables = sigmix_jv_arr(c.d);
    for (size_t i = 0; i < a->n; i++)
        sigmix_jv_push(c.d, tables, table(&c, a, &a->tables[i]->res));
    sigmix_jv_set(c.d, root, "tables", tables);
    sigmix_jv *prov = provenance(&c, a, o);
    int failed = !prov || sigmix_jdoc_failed(c.d);
    if (!failed) {
        sigmix_jv_set(c.d, root, "run_provenance", prov);
        sigmix_jv_write(root, f, 2);
    }
    sigmix_jdoc_free(c.d);
    if (failed)
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    if (ferror(f))
        return sigmix_error_set(err, SIGMIX_EIO, "cannot write the JSON report");
    return 0;
}
