/*
 * Markdown report. Column names and labels are data: they are written as
 * code spans whose fence is longer than any backtick run inside, with '|'
 * escaped for GFM tables and control characters shown as \n, \t, \xNN, so
 * no name can end a span, split a cell or break a row. Free text from a
 * families file is backslash-escaped instead.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "audit/audit_internal.h"
#include "util/error.h"

static int longest_backticks(const char *s)
{
    int best = 0, run = 0;
    for (; *s; s++) {
        run = *s == '`' ? run + 1 : 0;
        best = run > best ? run : best;
    }
    return best;
}

void sigmix_md_code(FILE *f, const char *s)
{
    size_t n = strlen(s);
    if (n == 0) {
        fputs("(empty)", f);
        return;
    }
    int fence = longest_backticks(s) + 1, all_space = 1;
    for (const char *p = s; *p; p++)
        all_space &= *p == ' ';
    int pad = !all_space && (s[0] == '`' || s[0] == ' ' || s[n - 1] == '`' || s[n - 1] == ' ');
    for (int i = 0; i < fence; i++)
        fputc('`', f);
    if (pad)
        fputc(' ', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '|')
            fputs("\\|", f);
        else if (*p == '\n')
            fputs("\\n", f);
        else if (*p == '\r')
            fputs("\\r", f);
        else if (*p == '\t')
            fputs("\\t", f);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(f, "\\x%02x", *p);
        else
            fputc(*p, f);
    }
    if (pad)
        fputc(' ', f);
    for (int i = 0; i < fence; i++)
        fputc('`', f);
}

void sigmix_md_text(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            fputc(' ', f);
        else if (strchr("\\`*_[]<>|#", *p))
            fprintf(f, "\\%c", *p);
        else
            fputc(*p, f);
    }
}

static void num(FILE *f, double v)
{
    if (isnan(v))
        fputs("n/a", f);
    else
        fprintf(f, "%.3f", v);
}

static void flabel(FILE *f, const sigmix_audit *a, const char *key)
{
    sigmix_md_text(f, sigmix_audit_family_label(a, key));
}

static size_t top(const sigmix_audit *a, size_t n)
{
    size_t k = (size_t)a->s.top_k;
    return n < k ? n : k;
}

static void heading(FILE *f, const sigmix_audit_result *r)
{
    fputs("### ", f);
    sigmix_md_code(f, r->label);
    fputs("\n\n", f);
}

static void inputs(FILE *f, const sigmix_audit *a)
{
    fputs("## Inputs\n\n"
          "| Table | Rows | Columns | Target | Signal columns |\n"
          "|---|---:|---:|---|---:|\n", f);
    for (size_t i = 0; i < a->n; i++) {
        const sigmix_audit_result *r = &a->tables[i]->res;
        fputs("| ", f);
        sigmix_md_code(f, r->label);
        fprintf(f, " | %zu | %zu | ", r->rows, r->columns.n);
        if (r->target)
            sigmix_md_code(f, r->target);
        else
            fputs("none", f);
        fprintf(f, " | %zu |\n", r->signal_columns.n);
    }
    fputs("\n", f);
}

static void coverage(FILE *f, const sigmix_audit *a)
{
    fputs("## Coverage Matrix\n\n"
          "| Signal family | Question | Status by table (healthy/matched) | Candidate metrics to consider |\n"
          "|---|---|---|---|\n", f);
    for (size_t fi = 0; fi < a->fams.n; fi++) {
        const sigmix_audit_family *fam = &a->fams.fam[fi];
        fputs("| ", f);
        sigmix_md_text(f, fam->label);
        fputs(" | ", f);
        sigmix_md_text(f, fam->question);
        fputs(" | ", f);
        for (size_t i = 0; i < a->n; i++) {
            const sigmix_audit_health *h = &a->tables[i]->res.health[fi];
            if (i)
                fputs("<br>", f);
            sigmix_md_code(f, a->tables[i]->res.label);
            fprintf(f, ": %s (%zu/%zu)", sigmix_family_status_name(h->status), h->healthy.n,
                    h->matched.n);
        }
        fputs(" | ", f);
        for (size_t k = 0; fam->candidate_metrics && fam->candidate_metrics[k]; k++) {
            if (k)
                fputs(", ", f);
            sigmix_md_text(f, fam->candidate_metrics[k]);
        }
        fputs(" |\n", f);
    }
    fputs("\n", f);
}

static void target_signals(FILE *f, const sigmix_audit *a)
{
    fputs("## Strongest Target Signals\n\n", f);
    for (size_t i = 0; i < a->n; i++) {
        const sigmix_audit_result *r = &a->tables[i]->res;
        heading(f, r);
        if (!r->target) {
            fputs("No target column in this table; name it with `--target COL`.\n\n", f);
            continue;
        }
        if (!r->n_target_correlations) {
            fputs("No numeric signal column has a defined correlation with the target.\n\n", f);
            continue;
        }
        fputs("| Column | Family | Pearson | Spearman |\n|---|---|---:|---:|\n", f);
        for (size_t k = 0; k < top(a, r->n_target_correlations); k++) {
            const sigmix_audit_corr *c = &r->target_correlations[k];
            fputs("| ", f);
            sigmix_md_code(f, c->column);
            fputs(" | ", f);
            flabel(f, a, c->family);
            fputs(" | ", f);
            num(f, c->pearson);
            fputs(" | ", f);
            num(f, c->spearman);
            fputs(" |\n", f);
        }
        fputs("\n", f);
    }
}

static void pair_row(FILE *f, const sigmix_audit *a, const sigmix_audit_pair *p, int target)
{
    fputs("| ", f);
    sigmix_md_code(f, p->left);
    fputs(" × ", f);
    sigmix_md_code(f, p->right);
    fputs(" | ", f);
    flabel(f, a, p->left_family);
    fputs(" × ", f);
    flabel(f, a, p->right_family);
    fputs(" | ", f);
    num(f, p->pearson);
    if (target) {
        fputs(" | ", f);
        num(f, p->left_target_abs_pearson);
        fputs(" / ", f);
        num(f, p->right_target_abs_pearson);
    }
    fputs(" |\n", f);
}

static void pairs(FILE *f, const sigmix_audit *a, int inter)
{
    int any = 0;
    fputs(inter ? "## Complementary Intersections\n\n" : "## Redundant Pairs\n\n", f);
    for (size_t i = 0; i < a->n; i++) {
        const sigmix_audit_result *r = &a->tables[i]->res;
        const sigmix_audit_pair *p = inter ? r->intersections : r->redundant_pairs;
        size_t n = inter ? r->n_intersections : r->n_redundant_pairs;
        if (!n)
            continue;
        any = 1;
        heading(f, r);
        fputs(inter ? "| Pair | Families | Pair r | Target abs r (left / right) |\n|---|---|---:|---|\n"
                    : "| Pair | Families | Pearson |\n|---|---|---:|\n", f);
        for (size_t k = 0; k < top(a, n); k++)
            pair_row(f, a, &p[k], inter);
        fputs("\n", f);
    }
    if (any)
        return;
    if (inter)
        fprintf(f, "No pair of columns from different families has |r| <= %g while both "
                   "track the target with |r| >= %g.\nTypical causes: no target, too few "
                   "signal families, or columns that mostly repeat each other.\n\n",
                a->s.complement_threshold, a->s.min_target_abs_r);
    else
        fprintf(f, "No pair of signal columns reaches |r| >= %g.\n\n", a->s.redundancy_threshold);
}

static void family_list(FILE *f, const sigmix_audit *a, const char *what, sigmix_audit_names n)
{
    fprintf(f, "- %s signal families: ", what);
    if (!n.n)
        fputs("none", f);
    for (size_t k = 0; k < n.n; k++) {
        if (k)
            fputs(", ", f);
        flabel(f, a, n.v[k]);
    }
    fputs(".\n", f);
}

static void blind_spots(FILE *f, const sigmix_audit *a)
{
    fputs("## Blind Spots\n\n", f);
    for (size_t i = 0; i < a->n; i++) {
        const sigmix_audit_result *r = &a->tables[i]->res;
        heading(f, r);
        family_list(f, a, "Missing", r->missing_families);
        family_list(f, a, "Weak", r->weak_families);
        fputs("\n", f);
    }
}

/* Whether family key was already listed (missing, then weak, table by
 * table) before entry k of table ti's list: next actions name each once. */
int sigmix_audit_family_seen_before(const sigmix_audit *a, size_t ti, int weak, size_t k,
                                    const char *key)
{
    for (size_t i = 0; i <= ti; i++) {
        const sigmix_audit_result *r = &a->tables[i]->res;
        for (int w = 0; w < 2; w++) {
            sigmix_audit_names n = w ? r->weak_families : r->missing_families;
            for (size_t j = 0; j < n.n; j++) {
                if (i == ti && (w > weak || (w == weak && j >= k)))
                    return 0;
                if (!strcmp(n.v[j], key))
                    return 1;
            }
        }
    }
    return 0;
}

static void next_actions(FILE *f, const sigmix_audit *a)
{
    int any = 0;
    fputs("## Recommended Next Actions\n\n", f);
    for (size_t i = 0; i < a->n; i++) {
        const sigmix_audit_result *r = &a->tables[i]->res;
        for (int w = 0; w < 2; w++) {
            sigmix_audit_names n = w ? r->weak_families : r->missing_families;
            for (size_t k = 0; k < n.n; k++) {
                if (sigmix_audit_family_seen_before(a, i, w, k, n.v[k]))
                    continue;
                const sigmix_audit_family *fam = sigmix_audit_family_by_key(a, n.v[k]);
                any = 1;
                fputs("- **", f);
                sigmix_md_text(f, fam->label);
                fputs("**: ", f);
                sigmix_md_text(f, fam->recommendation);
                fputs("\n", f);
            }
        }
    }
    if (!any)
        fputs("- Nothing to add: every family is covered at the configured thresholds.\n", f);
}

int sigmix_audit_write_markdown(const sigmix_audit *a, FILE *f, sigmix_error *err)
{
    sigmix_error_clear(err); /* contract: common.h */
    fputs("# Signal-mix audit\n\n"
          "Which quality-signal families each table covers, which columns track the target,\n"
          "which repeat each other, which cross-family pairs add independent evidence, and\n"
          "where the blind spots are. The figures are advisory: use them to pick the next\n"
          "metrics or models to add before retraining or changing encoder defaults.\n\n", f);
    inputs(f, a);
    coverage(f, a);
    target_signals(f, a);
    pairs(f, a, 1);
    pairs(f, a, 0);
    blind_spots(f, a);
    next_actions(f, a);
    if (ferror(f))
        return sigmix_error_set(err, SIGMIX_EIO, "cannot write the Markdown report");
    return 0;
}
