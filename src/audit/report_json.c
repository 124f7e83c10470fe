/*
 * JSON report: {"tables": [...], "run_provenance": {...}}. The table
 * objects keep the reference tool's field names and shapes so existing
 * consumers keep working; unlike it, non-finite numbers are written as null.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit/audit_internal.h"
#include "util/error.h"
#include "util/jsonw.h"
#include "util/provenance.h"

static void names(sigmix_jsonw *w, sigmix_audit_names n)
{
    sigmix_jw_arr_begin(w);
    for (size_t i = 0; i < n.n; i++)
        sigmix_jw_str(w, n.v[i]);
    sigmix_jw_arr_end(w);
}

static void list(sigmix_jsonw *w, const char *const *l)
{
    sigmix_jw_arr_begin(w);
    for (; l && *l; l++)
        sigmix_jw_str(w, *l);
    sigmix_jw_arr_end(w);
}

static void kv_str(sigmix_jsonw *w, const char *k, const char *v)
{
    sigmix_jw_key(w, k);
    sigmix_jw_str(w, v);
}

static void kv_num(sigmix_jsonw *w, const char *k, double v)
{
    sigmix_jw_key(w, k);
    sigmix_jw_double(w, v);
}

static void family_parts(sigmix_jsonw *w, const sigmix_audit *a, const sigmix_audit_result *r)
{
    sigmix_jw_key(w, "family_columns");
    sigmix_jw_obj_begin(w);
    for (size_t f = 0; f < r->n_health; f++) {
        sigmix_jw_key(w, r->health[f].key);
        names(w, r->health[f].matched);
    }
    sigmix_jw_obj_end(w);
    sigmix_jw_key(w, "family_health");
    sigmix_jw_obj_begin(w);
    for (size_t f = 0; f < r->n_health; f++) {
        const sigmix_audit_health *h = &r->health[f];
        const sigmix_audit_family *fam = sigmix_audit_family_by_key(a, h->key);
        sigmix_jw_key(w, h->key);
        sigmix_jw_obj_begin(w);
        kv_str(w, "status", sigmix_family_status_name(h->status));
        sigmix_jw_key(w, "matched_columns");
        names(w, h->matched);
        sigmix_jw_key(w, "numeric_columns");
        names(w, h->numeric);
        sigmix_jw_key(w, "healthy_columns");
        names(w, h->healthy);
        sigmix_jw_key(w, "candidate_metrics");
        list(w, fam ? fam->candidate_metrics : NULL);
        kv_str(w, "recommendation", fam ? fam->recommendation : "");
        sigmix_jw_obj_end(w);
    }
    sigmix_jw_obj_end(w);
}

static void pair_list(sigmix_jsonw *w, const char *key, const sigmix_audit_pair *p, size_t n,
                      int with_target)
{
    sigmix_jw_key(w, key);
    sigmix_jw_arr_begin(w);
    for (size_t i = 0; i < n; i++) {
        sigmix_jw_obj_begin(w);
        kv_str(w, "left", p[i].left);
        kv_str(w, "right", p[i].right);
        kv_str(w, "left_family", p[i].left_family);
        kv_str(w, "right_family", p[i].right_family);
        kv_num(w, "pearson", p[i].pearson);
        kv_num(w, "abs_pearson", p[i].abs_pearson);
        if (with_target) {
            kv_num(w, "left_target_abs_pearson", p[i].left_target_abs_pearson);
            kv_num(w, "right_target_abs_pearson", p[i].right_target_abs_pearson);
        }
        sigmix_jw_obj_end(w);
    }
    sigmix_jw_arr_end(w);
}

static void table(sigmix_jsonw *w, const sigmix_audit *a, const sigmix_audit_result *r)
{
    sigmix_jw_obj_begin(w);
    kv_str(w, "label", r->label);
    kv_str(w, "path", r->path);
    sigmix_jw_key(w, "rows");
    sigmix_jw_int(w, (int64_t)r->rows);
    sigmix_jw_key(w, "columns");
    names(w, r->columns);
    kv_str(w, "target", r->target);
    sigmix_jw_key(w, "numeric_columns");
    names(w, r->numeric_columns);
    sigmix_jw_key(w, "signal_columns");
    names(w, r->signal_columns);
    family_parts(w, a, r);
    sigmix_jw_key(w, "column_stats");
    sigmix_jw_obj_begin(w);
    for (size_t i = 0; i < r->signal_columns.n; i++) {
        const sigmix_audit_stat *s = &r->stats[i];
        sigmix_jw_key(w, s->column);
        sigmix_jw_obj_begin(w);
        kv_num(w, "finite_ratio", s->finite_ratio);
        kv_num(w, "mean", s->mean);
        kv_num(w, "std", s->std);
        kv_num(w, "min", s->min);
        kv_num(w, "max", s->max);
        sigmix_jw_obj_end(w);
    }
    sigmix_jw_obj_end(w);
    sigmix_jw_key(w, "target_correlations");
    sigmix_jw_arr_begin(w);
    for (size_t i = 0; i < r->n_target_correlations; i++) {
        const sigmix_audit_corr *c = &r->target_correlations[i];
        sigmix_jw_obj_begin(w);
        kv_str(w, "column", c->column);
        kv_str(w, "family", c->family);
        kv_num(w, "pearson", c->pearson);
        kv_num(w, "spearman", c->spearman);
        kv_num(w, "abs_pearson", c->abs_pearson);
        sigmix_jw_obj_end(w);
    }
    sigmix_jw_arr_end(w);
    pair_list(w, "redundant_pairs", r->redundant_pairs, r->n_redundant_pairs, 0);
    pair_list(w, "intersections", r->intersections, r->n_intersections, 1);
    sigmix_jw_key(w, "missing_families");
    names(w, r->missing_families);
    sigmix_jw_key(w, "weak_families");
    names(w, r->weak_families);
    sigmix_jw_obj_end(w);
}

static void options(sigmix_jsonw *w, const sigmix_audit_settings *s)
{
    sigmix_jw_key(w, "options");
    sigmix_jw_obj_begin(w);
    kv_str(w, "target", s->target);
    sigmix_jw_key(w, "top_k");
    sigmix_jw_int(w, s->top_k);
    kv_num(w, "redundancy_threshold", s->redundancy_threshold);
    kv_num(w, "complement_threshold", s->complement_threshold);
    kv_num(w, "min_finite_ratio", s->min_finite_ratio);
    kv_num(w, "min_target_abs_pearson", s->min_target_abs_r);
    kv_str(w, "families_file", s->families_path);
    sigmix_jw_obj_end(w);
}

static void provenance(sigmix_jsonw *w, const sigmix_audit *a, const char *json_target,
                       const char *md_target)
{
    char started[32], finished[32];
    sigmix_utc_iso(a->started, started);
    sigmix_utc_iso(time(NULL), finished);
    sigmix_jw_key(w, "run_provenance");
    sigmix_jw_obj_begin(w);
    sigmix_prov_tool(w, "sigmix audit", a->s.argc, a->s.argv);
    options(w, &a->s);
    sigmix_jw_key(w, "inputs");
    sigmix_jw_arr_begin(w);
    for (size_t i = 0; i < a->n; i++) {
        const sigmix_audit_result *r = &a->tables[i]->res;
        sigmix_jw_obj_begin(w);
        kv_str(w, "label", r->label);
        kv_str(w, "path", r->path);
        sigmix_jw_key(w, "size_bytes");
        if (r->has_file)
            sigmix_jw_int(w, (int64_t)r->file_size);
        else
            sigmix_jw_null(w);
        kv_str(w, "sha256", r->has_file ? r->sha256 : NULL);
        sigmix_jw_key(w, "rows");
        sigmix_jw_int(w, (int64_t)r->rows);
        sigmix_jw_obj_end(w);
    }
    sigmix_jw_arr_end(w);
    sigmix_jw_key(w, "outputs");
    sigmix_jw_obj_begin(w);
    kv_str(w, "json_report", json_target);
    kv_str(w, "markdown_report", md_target);
    sigmix_jw_obj_end(w);
    kv_str(w, "started_utc", started);
    kv_str(w, "finished_utc", finished);
    sigmix_prov_host(w);
    sigmix_jw_obj_end(w);
}

int sigmix_audit_write_json(const sigmix_audit *a, FILE *f, const char *json_target,
                            const char *md_target, sigmix_error *err)
{
    sigmix_jsonw w;
    sigmix_jw_init(&w, f, 2);
    sigmix_jw_obj_begin(&w);
    sigmix_jw_key(&w, "tables");
    sigmix_jw_arr_begin(&w);
    for (size_t i = 0; i < a->n; i++)
        table(&w, a, &a->tables[i]->res);
    sigmix_jw_arr_end(&w);
    provenance(&w, a, json_target, md_target);
    sigmix_jw_obj_end(&w);
    if (ferror(f))
        return sigmix_error_set(err, SIGMIX_EIO, "cannot write the JSON report");
    return 0;
}
