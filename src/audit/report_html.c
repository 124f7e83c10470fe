/*
 * The HTML report (html work): one self-contained page, inline CSS and
 * SVG, no external resource, readable without scripts (a few lines sort
 * the health table). Every name from a table goes through sigmix_html_esc;
 * every number is the JSON report's value (data-* attributes carry it in
 * the JSON's shortest round-trip form, the text shows it rounded).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sigmix_config.h"
#include "audit/audit_internal.h"
#include "audit/html.h"
#include "stats/cluster.h"
#include "util/error.h"
#include "util/provenance.h"

#define NAME_MAX_BYTES 80 /* labels in charts; tables and titles show all */

typedef struct ptrpos {
    const char *ptr;
    size_t      k;
} ptrpos;

typedef struct tctx {
    const sigmix_audit        *a;
    const sigmix_audit_result *r;
    const sigmix_audit_matrix *m;
    size_t                     p, ti;
    size_t                    *fam;   /* per signal column: family index, SIZE_MAX = none */
    double                    *tabs;  /* per signal column: |target r| (NaN: none) */
    ptrpos                    *idx;   /* signal-column name pointers, sorted */
    size_t                    *order; /* heatmap order */
} tctx;

static int cmp_ptr(const void *x, const void *y)
{
    uintptr_t a = (uintptr_t)((const ptrpos *)x)->ptr, b = (uintptr_t)((const ptrpos *)y)->ptr;
    return a < b ? -1 : a > b;
}

/* Names in a result point into its arena, one pointer per column, so a
 * signal column is found by its pointer (names may repeat in a table). */
static size_t sig_of(const tctx *c, const char *name)
{
    ptrpos key = { name, 0 };
    const ptrpos *h = c->p ? bsearch(&key, c->idx, c->p, sizeof *c->idx, cmp_ptr) : NULL;
    return h ? h->k : SIZE_MAX;
}

static void fmt3(FILE *f, double v)
{
    if (isnan(v))
        fputs("n/a", f);
    else
        fprintf(f, "%.3f", v);
}

static void flabel(FILE *f, const sigmix_audit *a, const char *key)
{
    sigmix_html_esc(f, sigmix_audit_family_label(a, key), 0);
}

static size_t fam_index(const sigmix_audit *a, const char *key)
{
    for (size_t i = 0; i < a->fams.n; i++)
        if (!strcmp(a->fams.fam[i].key, key))
            return i;
    return SIZE_MAX;
}

static size_t top(const sigmix_audit *a, size_t n)
{
    size_t k = (size_t)a->s.top_k;
    return n < k ? n : k;
}

/* ---- per-table context -------------------------------------------------- */

static void ctx_free(tctx *c)
{
    free(c->fam);
    free(c->tabs);
    free(c->idx);
    free(c->order);
}

typedef struct ordkey {
    size_t fam, k;
} ordkey;

static int cmp_ord(const void *x, const void *y)
{
    const ordkey *a = x, *b = y;
    if (a->fam != b->fam)
        return a->fam < b->fam ? -1 : 1;
    return a->k < b->k ? -1 : a->k > b->k;
}

/* Family order (uncategorized last), then average-linkage clusters on
 * 1 - |r| within each family. */
static int heat_order(tctx *c)
{
    size_t p = c->p;
    ordkey *ok = malloc((p + 1) * sizeof *ok);
    if (!ok)
        return SIGMIX_ENOMEM;
    for (size_t k = 0; k < p; k++)
        ok[k] = (ordkey){ c->fam[k], k };
    qsort(ok, p, sizeof *ok, cmp_ord);
    int rc = 0;
    for (size_t s = 0; s < p && !rc;) {
        size_t e = s;
        while (e < p && ok[e].fam == ok[s].fam)
            e++;
        size_t n = e - s;
        double *d = n > 2 ? malloc(n * n * sizeof *d) : NULL;
        size_t *o = malloc((n + 1) * sizeof *o);
        if ((n > 2 && !d) || !o)
            rc = SIGMIX_ENOMEM;
        for (size_t i = 0; !rc && d && i < n; i++)
            for (size_t j = 0; j < n; j++)
                d[i * n + j] = 1 - fabs(c->m->pearson[ok[s + i].k * p + ok[s + j].k]);
        if (!rc)
            rc = sigmix_cluster_average_order(d, n, 1.0, o);
        for (size_t i = 0; !rc && i < n; i++)
            c->order[s + i] = ok[s + o[i]].k;
        free(d);
        free(o);
        s = e;
    }
    free(ok);
    return rc;
}

static int ctx_init(tctx *c, const sigmix_audit *a, size_t ti)
{
    memset(c, 0, sizeof *c);
    c->a = a;
    c->ti = ti;
    c->r = &a->tables[ti]->res;
    c->m = c->r->matrix;
    c->p = c->r->signal_columns.n;
    size_t p = c->p;
    c->fam = malloc((p + 1) * sizeof *c->fam);
    c->tabs = malloc((p + 1) * sizeof *c->tabs);
    c->idx = malloc((p + 1) * sizeof *c->idx);
    c->order = malloc((p + 1) * sizeof *c->order);
    if (!c->fam || !c->tabs || !c->idx || !c->order)
        return SIGMIX_ENOMEM;
    for (size_t k = 0; k < p; k++) {
        c->idx[k] = (ptrpos){ c->r->signal_columns.v[k], k };
        c->fam[k] = SIZE_MAX;
        c->tabs[k] = NAN;
    }
    qsort(c->idx, p, sizeof *c->idx, cmp_ptr);
    /* Primary family: the first family (in order) that matched. */
    for (size_t f = c->r->n_health; f-- > 0;) {
        const sigmix_audit_names *mn = &c->r->health[f].numeric;
        for (size_t i = 0; i < mn->n; i++) {
            size_t k = sig_of(c, mn->v[i]);
            if (k != SIZE_MAX)
                c->fam[k] = fam_index(a, c->r->health[f].key);
        }
    }
    for (size_t i = 0; i < c->r->n_target_correlations; i++) {
        size_t k = sig_of(c, c->r->target_correlations[i].column);
        if (k != SIZE_MAX)
            c->tabs[k] = c->r->target_correlations[i].abs_pearson;
    }
    return heat_order(c);
}

/* ---- page --------------------------------------------------------------- */

static const char css[] =
    "<style>\n"
    ":root{--fg:#1d2330;--mut:#5b6475;--bg:#fff;--card:#f6f7f9;--line:#dde1e7}\n"
    "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:var(--fg);"
    "background:var(--bg);margin:0}\n"
    "main{max-width:1280px;margin:0 auto;padding:24px 32px 64px}\n"
    "h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:36px 0 8px;padding-top:8px;"
    "border-top:2px solid var(--line)}h3{font-size:16px;margin:22px 0 6px}\n"
    "p.lead{color:var(--mut);margin:0 0 16px;max-width:900px}\n"
    ".meta{display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:12px;"
    "margin:12px 0}\n"
    ".card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 14px}\n"
    ".card b{display:block;font-size:12px;text-transform:uppercase;letter-spacing:.04em;"
    "color:var(--mut)}\n"
    "table{border-collapse:collapse;font-size:13px;margin:6px 0}\n"
    "th,td{border-bottom:1px solid var(--line);padding:3px 8px;text-align:left;vertical-align:top}\n"
    "th{background:var(--card);position:sticky;top:0}td.n{text-align:right;"
    "font-variant-numeric:tabular-nums}\n"
    "th.s{cursor:pointer}code,.nm{font-family:ui-monospace,'DejaVu Sans Mono',monospace;"
    "font-size:12.5px;unicode-bidi:isolate;word-break:break-all}\n"
    "svg{display:block;max-width:100%;height:auto;overflow:visible}svg text{font-size:11px;"
    "fill:var(--fg);unicode-bidi:isolate}\n"
    "svg .mono{font-family:ui-monospace,'DejaVu Sans Mono',monospace}\n"
    ".bad{color:#b3261e;font-weight:600}.ok{color:#2e7d32}.warn{color:#a15c00}\n"
    ".legend{display:flex;gap:14px;flex-wrap:wrap;font-size:12px;color:var(--mut);margin:4px 0}\n"
    ".sw{display:inline-block;width:12px;height:12px;border-radius:2px;vertical-align:-2px;"
    "margin-right:4px}\n"
    ".groups{display:grid;grid-template-columns:repeat(auto-fill,minmax(440px,1fr));gap:10px}\n"
    ".scat{display:flex;flex-wrap:wrap;gap:12px}.scat figure{margin:0;background:var(--card);"
    "border:1px solid var(--line);border-radius:8px;padding:6px}\n"
    "figcaption{font-size:12px;max-width:240px}\n"
    "nav a{margin-right:12px}a{color:#1f5f8b}\n"
    ".tbl{max-height:560px;overflow:auto;border:1px solid var(--line);border-radius:6px}\n"
    "@media print{.tbl{max-height:none;overflow:visible}th{position:static}}\n"
    "</style>\n";

static void header(FILE *f, const sigmix_audit *a)
{
    char now[32], started[32];
    sigmix_utc_iso(time(NULL), now);
    sigmix_utc_iso(a->started, started);
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          "img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n"
          "<title>Signal-mix audit</title>\n", f);
    fputs(css, f);
    fputs("</head>\n<body>\n<main>\n<h1>Signal-mix audit</h1>\n<p class=\"lead\">Which "
          "quality-signal families each table covers, which columns track the target, which "
          "repeat each other, which cross-family pairs add independent evidence, and where the "
          "blind spots are. The figures are advisory.</p>\n", f);
    fputs("<div class=\"meta\">\n<div class=\"card\"><b>Thresholds</b>", f);
    fprintf(f, "redundant |r| &ge; %g &middot; complementary |r| &le; %g<br>healthy: finite "
               "ratio &ge; %g &middot; intersections: |target r| &ge; %g</div>\n",
            a->s.redundancy_threshold, a->s.complement_threshold, a->s.min_finite_ratio,
            a->s.min_target_abs_r);
    fprintf(f, "<div class=\"card\"><b>Provenance</b>sigmix %s &middot; started %s &middot; "
               "written %s<br><span class=\"nm\">", sigmix_version(), started, now);
    for (int i = 0; i < a->s.argc && a->s.argv; i++) {
        if (i)
            fputc(' ', f);
        sigmix_html_esc(f, a->s.argv[i], 0);
    }
    fputs("</span></div>\n</div>\n", f);
    fputs("<h3 id=\"inputs\">Inputs</h3>\n<div class=\"tbl\"><table id=\"inputs-table\">"
          "<tr><th>Table</th><th>Path</th><th>Rows</th><th>Columns</th><th>Signal columns"
          "</th><th>Target</th><th>SHA-256</th></tr>\n", f);
    for (size_t i = 0; i < a->n; i++) {
        const sigmix_audit_result *r = &a->tables[i]->res;
        fputs("<tr><td class=\"nm\">", f);
        sigmix_html_esc(f, r->label, 0);
        fputs("</td><td class=\"nm\">", f);
        sigmix_html_esc(f, r->path ? r->path : "(in memory)", 0);
        fprintf(f, "</td><td class=\"n\">%zu</td><td class=\"n\">%zu</td><td class=\"n\">%zu"
                   "</td><td class=\"nm\">", r->rows, r->columns.n, r->signal_columns.n);
        sigmix_html_esc(f, r->target ? r->target : "none", 0);
        fprintf(f, "</td><td class=\"nm\" title=\"%s\">%.12s%s</td></tr>\n",
                r->has_file ? r->sha256 : "", r->has_file ? r->sha256 : "n/a",
                r->has_file ? "&hellip;" : "");
    }
    fputs("</table></div>\n<nav><a href=\"#coverage\">Coverage</a>", f);
    for (size_t i = 0; i < a->n; i++) {
        fprintf(f, "<a href=\"#t%zu\">", i);
        sigmix_html_esc(f, a->tables[i]->res.label, 40);
        fputs("</a>", f);
    }
    fputs("<a href=\"#blind\">Blind spots</a><a href=\"#next\">Next actions</a></nav>\n", f);
}

static const char *status_fill(sigmix_family_status s)
{
    return s == SIGMIX_FAMILY_COVERED ? "#3a9d5d" : s == SIGMIX_FAMILY_WEAK ? "#f0b441"
                                                                             : "#e4e6ea";
}

static void names_list(FILE *f, sigmix_audit_names n, size_t max)
{
    for (size_t i = 0; i < n.n && i < max; i++) {
        fputs(i ? ", " : "", f);
        sigmix_html_esc(f, n.v[i], 0);
    }
    if (n.n > max)
        fprintf(f, ", &hellip; and %zu more", n.n - max);
}

static void coverage(FILE *f, const sigmix_audit *a)
{
    const int lw = 330, cw = 118, ch = 26, top = 44;
    size_t nf = a->fams.n;
    int w = lw + cw * (int)a->n + 10, h = top + ch * (int)nf + 6;
    fputs("<h2 id=\"coverage\">Coverage</h2>\n<p class=\"lead\">Families (rows) &times; tables "
          "(columns). Each cell shows healthy/matched columns; hover a cell for the matched "
          "column names.</p>\n<div class=\"legend\">", f);
    for (int s = 2; s >= 0; s--)
        fprintf(f, "<span><i class=\"sw\" style=\"background:%s\"></i>%s</span>",
                status_fill((sigmix_family_status)s),
                sigmix_family_status_name((sigmix_family_status)s));
    fprintf(f, "</div>\n<svg id=\"coverage-svg\" "
               "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n", w, h, w, h);
    for (size_t i = 0; i < a->n; i++) {
        fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" class=\"mono\">",
                lw + cw * (int)i + cw / 2, top - 10);
        sigmix_html_esc(f, a->tables[i]->res.label, 16);
        fputs("</text>\n", f);
    }
    for (size_t fi = 0; fi < nf; fi++) {
        int y = top + ch * (int)fi;
        fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", lw - 8, y + ch / 2 + 4);
        sigmix_html_esc(f, a->fams.fam[fi].label, 56);
        fputs("</text>\n", f);
        for (size_t i = 0; i < a->n; i++) {
            const sigmix_audit_health *hh = &a->tables[i]->res.health[fi];
            int x = lw + cw * (int)i;
            fprintf(f, "<g class=\"cov\" data-family=\"");
            sigmix_html_esc(f, hh->key, 0);
            fprintf(f, "\" data-table=\"%zu\" data-status=\"%s\" data-healthy=\"%zu\" "
                       "data-matched=\"%zu\"><title>", i, sigmix_family_status_name(hh->status),
                    hh->healthy.n, hh->matched.n);
            sigmix_html_esc(f, a->fams.fam[fi].label, 0);
            fputs(" \xE2\x80\x94 ", f);
            sigmix_html_esc(f, a->tables[i]->res.label, 0);
            fprintf(f, ": %s, %zu healthy of %zu matched", sigmix_family_status_name(hh->status),
                    hh->healthy.n, hh->matched.n);
            if (hh->matched.n) {
                fputs("\nmatched: ", f);
                names_list(f, hh->matched, 40);
            }
            fprintf(f, "</title><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"3\" "
                       "fill=\"%s\"/><text x=\"%d\" y=\"%d\" text-anchor=\"middle\"%s>%zu/%zu"
                       "</text></g>\n", x + 2, y + 2, cw - 4, ch - 4, status_fill(hh->status),
                    x + cw / 2, y + ch / 2 + 4,
                    hh->status == SIGMIX_FAMILY_COVERED ? " style=\"fill:#fff\"" : "",
                    hh->healthy.n, hh->matched.n);
        }
    }
    fputs("</svg>\n", f);
}

/* ---- target signals ------------------------------------------------------ */

static void target_bars(FILE *f, const tctx *c)
{
    const sigmix_audit *a = c->a;
    const sigmix_audit_result *r = c->r;
    fputs("<h3>Target signals</h3>\n", f);
    if (!r->target) {
        fputs("<p>No target column in this table; name it with <code>--target COL</code>.</p>\n",
              f);
        return;
    }
    size_t n = top(a, r->n_target_correlations);
    if (!n) {
        fputs("<p>No numeric signal column has a defined correlation with the target.</p>\n", f);
        return;
    }
    const int lw = 300, cw = 520, rh = 28, topm = 26, nw = 150;
    int w = lw + cw + nw, h = topm + rh * (int)n + 24;
    double zx = lw + cw / 2.0, sx = cw / 2.0;
    fprintf(f, "<p class=\"lead\">Top %zu columns by |Pearson r| with <span class=\"nm\">", n);
    sigmix_html_esc(f, r->target, 0);
    fprintf(f, "</span>. Solid bar: Pearson with its 95%% confidence interval (Fisher z); pale "
               "bar: Spearman; n: rows where both are finite; &#9650; marks n below %g of the "
               "table's rows.</p>\n", a->s.min_finite_ratio);
    fprintf(f, "<svg class=\"tsig\" width=\"%d\" "
               "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n", w, h, w, h);
    for (int t = -4; t <= 4; t++) {
        double x = zx + sx * t / 4.0;
        fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\"/>"
                   "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" style=\"fill:#5b6475\">"
                   "%g</text>\n", x, topm - 6, x, h - 20, t ? "#eceef2" : "#9aa1ad", x, h - 6,
                t / 4.0);
    }
    fprintf(f, "<text x=\"%d\" y=\"14\" style=\"fill:#5b6475\">column</text><text x=\"%d\" "
               "y=\"14\" style=\"fill:#5b6475\">n</text>\n", 4, lw + cw + 10);
    for (size_t i = 0; i < n; i++) {
        const sigmix_audit_corr *tc = &r->target_correlations[i];
        size_t k = sig_of(c, tc->column);
        uint64_t nn = (k != SIZE_MAX && c->m) ? c->m->target_n[k] : 0;
        int small = (double)nn < a->s.min_finite_ratio * (double)r->rows;
        const char *col = sigmix_html_family_colour(fam_index(a, tc->family));
        double y = topm + rh * (double)i;
        fputs("<g class=\"tbar\" data-column=\"", f);
        sigmix_html_esc(f, tc->column, 0);
        fputs("\" data-pearson=\"", f);
        sigmix_html_num(f, tc->pearson);
        fputs("\" data-spearman=\"", f);
        sigmix_html_num(f, tc->spearman);
        fprintf(f, "\" data-n=\"%llu\"><title>", (unsigned long long)nn);
        sigmix_html_esc(f, tc->column, 0);
        fputs(" (", f);
        flabel(f, a, tc->family);
        fputs(")\nPearson ", f);
        fmt3(f, tc->pearson);
        double lo = NAN, hi = NAN;
        if (nn > 3 && isfinite(tc->pearson)) {
            double z = atanh(fmax(-0.9999999, fmin(0.9999999, tc->pearson)));
            double se = 1.0 / sqrt((double)nn - 3.0);
            lo = tanh(z - 1.959964 * se);
            hi = tanh(z + 1.959964 * se);
            fputs(" [95% CI ", f);
            fmt3(f, lo);
            fputs(", ", f);
            fmt3(f, hi);
            fputs("]", f);
        }
        fputs(", Spearman ", f);
        fmt3(f, tc->spearman);
        fprintf(f, ", n = %llu of %zu rows</title>\n", (unsigned long long)nn, r->rows);
        fprintf(f, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" class=\"mono\">", lw - 8,
                y + 15);
        sigmix_html_esc(f, tc->column, 36);
        fputs("</text>\n", f);
        if (isfinite(tc->pearson)) {
            double x1 = zx, x2 = zx + sx * tc->pearson;
            fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"11\" fill=\"%s\"/>",
                    fmin(x1, x2), y + 3, fabs(x2 - x1), col);
        }
        if (isfinite(tc->spearman)) {
            double x1 = zx, x2 = zx + sx * tc->spearman;
            fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"7\" fill=\"%s\" "
                       "fill-opacity=\"0.4\"/>", fmin(x1, x2), y + 15, fabs(x2 - x1), col);
        }
        if (isfinite(lo))
            fprintf(f, "<path class=\"ci\" d=\"M%.1f %.1fh%.1fM%.1f %.1fv7M%.1f %.1fv7\" "
                       "stroke=\"#1d2330\" fill=\"none\"/>", zx + sx * lo, y + 8.5,
                    sx * (hi - lo), zx + sx * lo, y + 5, zx + sx * hi, y + 5);
        fprintf(f, "\n<text x=\"%d\" y=\"%.1f\"%s>%s%llu</text></g>\n", lw + cw + 10, y + 15,
                small ? " class=\"small-n\" style=\"fill:#b3261e;font-weight:600\"" : "",
                small ? "&#9650; " : "", (unsigned long long)nn);
    }
    fputs("</svg>\n", f);
}

/* ---- correlation heatmap ------------------------------------------------- */

static void colour_legend(FILE *f, const sigmix_audit *a)
{
    const int w = 504, x0 = 34, nb = 126;
    fprintf(f, "<svg class=\"scale\" width=\"%d\" "
               "height=\"40\" viewBox=\"0 0 %d 40\">", w + 2 * x0, w + 2 * x0);
    for (int i = 0; i < nb; i++) {
        double r = -1 + 2.0 * (i + 0.5) / nb;
        unsigned char rgb[3];
        sigmix_html_corr_rgb(r, a->s.redundancy_threshold, a->s.complement_threshold, rgb);
        fprintf(f, "<rect x=\"%d\" y=\"4\" width=\"4.3\" height=\"14\" fill=\"#%02x%02x%02x\"/>",
                x0 + i * 4, rgb[0], rgb[1], rgb[2]);
    }
    fprintf(f, "<text x=\"%d\" y=\"15\" text-anchor=\"end\">r = &minus;1</text><text "
               "x=\"%d\" y=\"15\">+1</text>", x0 - 4, x0 + w + 4);
    double t[] = { -a->s.redundancy_threshold, -a->s.complement_threshold, 0,
                   a->s.complement_threshold, a->s.redundancy_threshold };
    for (int i = 0; i < 5; i++) {
        double x = x0 + (t[i] + 1) / 2 * w;
        fprintf(f, "<line x1=\"%.1f\" y1=\"2\" x2=\"%.1f\" y2=\"22\" stroke=\"#1d2330\"/>"
                   "<text x=\"%.1f\" y=\"34\" text-anchor=\"middle\">%g</text>", x, x, x, t[i]);
    }
    fputs("</svg>\n", f);
}

static void heat_label(FILE *f, const tctx *c, size_t k)
{
    sigmix_html_esc(f, c->r->signal_columns.v[k], 24);
}

static int heatmap(FILE *f, const tctx *c)
{
    const sigmix_audit *a = c->a;
    size_t p = c->p;
    fputs("<h3>Correlation structure</h3>\n", f);
    if (p < 2) {
        fputs("<p>Fewer than two signal columns.</p>\n", f);
        return 0;
    }
    double cell = 880.0 / (double)p;
    cell = cell > 30 ? 30 : cell < 1.5 ? 1.5 : cell;
    double side = cell * (double)p;
    size_t every = 1; /* thin labels to about one per 11 px */
    while ((double)every * cell < 11)
        every++;
    const int lab = 190, band = 8;
    double ox = lab + band + 4, oy = lab + band + 4;
    double w = ox + side + 10, h = oy + side + 10;
    fprintf(f, "<p class=\"lead\">Pearson r of every pair of the %zu signal columns, grouped by "
               "family (bands) and ordered within a family by average-linkage clustering on "
               "1&minus;|r|. Shades step up at the complement and redundancy thresholds; grey "
               "is undefined.%s</p>\n", p,
            every > 1 ? " Labels are thinned; hover the bands for family names." : "");
    colour_legend(f, a);
    unsigned char *rgb = malloc(p * p * 3);
    if (!rgb)
        return SIGMIX_ENOMEM;
    for (size_t i = 0; i < p; i++)
        for (size_t j = 0; j < p; j++)
            sigmix_html_corr_rgb(c->m->pearson[c->order[i] * p + c->order[j]],
                                 a->s.redundancy_threshold, a->s.complement_threshold,
                                 rgb + (i * p + j) * 3);
    fprintf(f, "<svg class=\"heat\" width=\"%.0f\" "
               "height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" data-p=\"%zu\" data-x=\"%.1f\" "
               "data-y=\"%.1f\" data-cell=\"%.4f\" data-order=\"", w, h, w, h, p, ox, oy, cell);
    for (size_t i = 0; i < p; i++)
        fprintf(f, "%s%zu", i ? " " : "", c->order[i]);
    fputs("\">\n", f);
    fprintf(f, "<image x=\"%.1f\" y=\"%.1f\" width=\"%.2f\" height=\"%.2f\" "
               "preserveAspectRatio=\"none\" style=\"image-rendering:pixelated;"
               "image-rendering:crisp-edges\" href=\"", ox, oy, side, side);
    int rc = sigmix_html_png_uri(f, rgb, p, p);
    free(rgb);
    if (rc)
        return rc;
    fputs("\"/>\n", f);
    /* Family bands along both axes. */
    for (size_t s = 0; s < p;) {
        size_t e = s;
        while (e < p && c->fam[c->order[e]] == c->fam[c->order[s]])
            e++;
        size_t fi = c->fam[c->order[s]];
        const char *col = sigmix_html_family_colour(fi);
        fputs("<g class=\"band\"><title>", f);
        sigmix_html_esc(f, fi == SIZE_MAX ? "Uncategorized" : a->fams.fam[fi].label, 0);
        fprintf(f, " (%zu columns)</title>", e - s);
        fprintf(f, "<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" fill=\"%s\"/>"
                   "<rect x=\"%d\" y=\"%.2f\" width=\"%d\" height=\"%.2f\" fill=\"%s\"/>",
                ox + cell * (double)s, lab, cell * (double)(e - s), band, col, lab,
                oy + cell * (double)s, band, cell * (double)(e - s), col);
        if (s)
            fprintf(f, "<path d=\"M%.2f %.2fv%.2fM%.2f %.2fh%.2f\" stroke=\"#fff\" "
                       "stroke-width=\"1\"/>", ox + cell * (double)s, oy, side, ox,
                    oy + cell * (double)s, side);
        fputs("</g>\n", f);
        s = e;
    }
    for (size_t i = 0; i < p; i += every) {
        double m = cell * ((double)i + 0.5) + 3.5;
        fprintf(f, "<text x=\"%d\" y=\"%.2f\" text-anchor=\"end\" class=\"mono\" "
                   "style=\"font-size:%.0fpx\">", lab - 4, oy + m, cell < 10 ? 9.0 : 10.0);
        heat_label(f, c, c->order[i]);
        fprintf(f, "</text><text transform=\"translate(%.2f %d) rotate(-90)\" class=\"mono\" "
                   "style=\"font-size:%.0fpx\">", ox + m, lab - 4, cell < 10 ? 9.0 : 10.0);
        heat_label(f, c, c->order[i]);
        fputs("</text>\n", f);
    }
    /* Small matrices: a hover title per cell, no script needed. */
    if (p <= 40) {
        for (size_t i = 0; i < p; i++)
            for (size_t j = 0; j < p; j++) {
                size_t ki = c->order[i], kj = c->order[j];
                fprintf(f, "<rect class=\"cell\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
                           "height=\"%.2f\" fill-opacity=\"0\" data-i=\"%zu\" data-j=\"%zu\" data-r=\"",
                        ox + cell * (double)j, oy + cell * (double)i, cell, cell, ki, kj);
                sigmix_html_num(f, c->m->pearson[ki * p + kj]);
                fputs("\"><title>", f);
                sigmix_html_esc(f, c->r->signal_columns.v[ki], 0);
                fputs(" \xC3\x97 ", f);
                sigmix_html_esc(f, c->r->signal_columns.v[kj], 0);
                fputs(": r = ", f);
                fmt3(f, c->m->pearson[ki * p + kj]);
                fprintf(f, ", n = %llu</title></rect>\n",
                        (unsigned long long)c->m->n[ki * p + kj]);
            }
    }
    fputs("</svg>\n", f);
    return 0;
}

/* Per-family block summary for wide tables: mean and max |r| per block. */
static void block_summary(FILE *f, const tctx *c)
{
    const sigmix_audit *a = c->a;
    size_t p = c->p, nb = 0, start[256 + 1];
    for (size_t s = 0; s < p && nb < 256;) {
        start[nb++] = s;
        size_t e = s;
        while (e < p && c->fam[c->order[e]] == c->fam[c->order[s]])
            e++;
        s = e;
    }
    start[nb] = p;
    fputs("<p class=\"lead\">Family blocks: mean |r| (max |r|) over the pairs between two "
          "families; the diagonal counts pairs within a family.</p>\n<div class=\"tbl\">"
          "<table class=\"blocks\"><tr><th></th>", f);
    for (size_t b = 0; b < nb; b++) {
        size_t fi = c->fam[c->order[start[b]]];
        fputs("<th>", f);
        sigmix_html_esc(f, fi == SIZE_MAX ? "Uncategorized" : a->fams.fam[fi].label, 24);
        fputs("</th>", f);
    }
    fputs("</tr>\n", f);
    for (size_t b = 0; b < nb; b++) {
        size_t fi = c->fam[c->order[start[b]]];
        fputs("<tr><th>", f);
        sigmix_html_esc(f, fi == SIZE_MAX ? "Uncategorized" : a->fams.fam[fi].label, 24);
        fprintf(f, " (%zu)</th>", start[b + 1] - start[b]);
        for (size_t d = 0; d < nb; d++) {
            double sum = 0, mx = NAN;
            size_t cnt = 0;
            for (size_t i = start[b]; i < start[b + 1]; i++)
                for (size_t j = start[d]; j < start[d + 1]; j++) {
                    double v = fabs(c->m->pearson[c->order[i] * p + c->order[j]]);
                    if (i == j || isnan(v))
                        continue;
                    sum += v;
                    cnt++;
                    mx = isnan(mx) || v > mx ? v : mx;
                }
            unsigned char rgb[3];
            double mean = cnt ? sum / (double)cnt : NAN;
            sigmix_html_corr_rgb(mean, a->s.redundancy_threshold, a->s.complement_threshold,
                                 rgb);
            fprintf(f, "<td class=\"n\" style=\"background:#%02x%02x%02x\">", rgb[0], rgb[1],
                    rgb[2]);
            fmt3(f, mean);
            fputs(" (", f);
            fmt3(f, mx);
            fputs(")</td>", f);
        }
        fputs("</tr>\n", f);
    }
    fputs("</table></div>\n", f);
}

/* ---- redundancy groups --------------------------------------------------- */

static size_t uf_find(size_t *par, size_t x)
{
    while (par[x] != x)
        x = par[x] = par[par[x]];
    return x;
}

typedef struct grp {
    size_t root, size, first;
} grp;

static int cmp_grp(const void *x, const void *y)
{
    const grp *a = x, *b = y;
    if (a->size != b->size)
        return a->size > b->size ? -1 : 1;
    return a->first < b->first ? -1 : a->first > b->first;
}

/* Better to keep: a healthy finite ratio first (a strong r on a third of the rows
 * is weak evidence), then higher |target r| (defined beats undefined), then the
 * higher finite ratio. */
static int better(const tctx *c, size_t x, size_t y)
{
    double minr = c->a->s.min_finite_ratio;
    int hx = c->r->stats[x].finite_ratio >= minr, hy = c->r->stats[y].finite_ratio >= minr;
    if (hx != hy)
        return hx;
    double tx = c->tabs[x], ty = c->tabs[y];
    if (isnan(tx) != isnan(ty))
        return !isnan(tx);
    if (!isnan(tx) && tx != ty)
        return tx > ty;
    return c->r->stats[x].finite_ratio > c->r->stats[y].finite_ratio;
}

static int redundancy(FILE *f, const tctx *c)
{
    const sigmix_audit_result *r = c->r;
    size_t p = c->p;
    fprintf(f, "<h3>Redundancy groups</h3>\n");
    if (!r->n_redundant_pairs) {
        fprintf(f, "<p>No pair of signal columns reaches |r| &ge; %g.</p>\n",
                c->a->s.redundancy_threshold);
        return 0;
    }
    size_t *par = malloc((p + 1) * sizeof *par), *cnt = calloc(p + 1, sizeof *cnt);
    grp *g = malloc((p + 1) * sizeof *g);
    if (!par || !cnt || !g) {
        free(par), free(cnt), free(g);
        return SIGMIX_ENOMEM;
    }
    for (size_t k = 0; k < p; k++)
        par[k] = k;
    for (size_t i = 0; i < r->n_redundant_pairs; i++) {
        size_t x = sig_of(c, r->redundant_pairs[i].left), y = sig_of(c, r->redundant_pairs[i].right);
        if (x == SIZE_MAX || y == SIZE_MAX)
            continue;
        x = uf_find(par, x);
        y = uf_find(par, y);
        if (x != y)
            par[x > y ? x : y] = x < y ? x : y;
    }
    for (size_t k = 0; k < p; k++)
        cnt[uf_find(par, k)]++;
    size_t ng = 0;
    for (size_t k = 0; k < p; k++)
        if (par[k] == k && cnt[k] > 1)
            g[ng++] = (grp){ k, cnt[k], k };
    qsort(g, ng, sizeof *g, cmp_grp);
    fprintf(f, "<p class=\"lead\">%zu group%s of columns linked by |r| &ge; %g (connected "
               "components): each carries one signal. Keep the proposed member (highest "
               "|target r| among columns with a healthy finite ratio, then the best finite ratio) and "
               "consider dropping the rest.</p>\n"
               "<div class=\"groups\">\n", ng, ng == 1 ? "" : "s", c->a->s.redundancy_threshold);
    for (size_t gi = 0; gi < ng; gi++) {
        size_t keep = SIZE_MAX;
        for (size_t k = 0; k < p; k++)
            if (uf_find(par, k) == g[gi].root && (keep == SIZE_MAX || better(c, k, keep)))
                keep = k;
        fprintf(f, "<div class=\"card group\" data-size=\"%zu\"><b>Group %zu &middot; %zu "
                   "columns</b><table><tr><th>Column</th><th></th><th>Family</th><th>|target r|</th>"
                   "<th>Finite</th></tr>\n", g[gi].size, gi + 1, g[gi].size);
        for (size_t k = 0; k < p; k++) {
            if (uf_find(par, k) != g[gi].root)
                continue;
            fprintf(f, "<tr%s><td class=\"nm\">", k == keep ? " class=\"keep\"" : "");
            sigmix_html_esc(f, r->signal_columns.v[k], 0);
            fprintf(f, "</td><td>%s</td><td><i class=\"sw\" style=\"background:%s\"></i>",
                    k == keep ? "<span class=\"ok\">&#10003;&nbsp;keep</span>" : "",
                    sigmix_html_family_colour(c->fam[k]));
            sigmix_html_esc(f, c->fam[k] == SIZE_MAX ? "Uncategorized"
                                                     : c->a->fams.fam[c->fam[k]].label, 0);
            fputs("</td><td class=\"n\">", f);
            fmt3(f, c->tabs[k]);
            fputs("</td><td class=\"n\">", f);
            fmt3(f, r->stats[k].finite_ratio);
            fputs("</td></tr>\n", f);
        }
        fputs("</table></div>\n", f);
    }
    fputs("</div>\n", f);
    free(par), free(cnt), free(g);
    return 0;
}

/* ---- complementary pairs ------------------------------------------------- */

static void scatter(FILE *f, const tctx *c, const sigmix_audit_pair *pr)
{
    const sigmix_audit_matrix *m = c->m;
    size_t x = sig_of(c, pr->left), y = sig_of(c, pr->right), ns = m->sample_rows;
    if (x == SIZE_MAX || y == SIZE_MAX)
        return;
    const float *vx = m->sample + x * ns, *vy = m->sample + y * ns, *vt = m->sample + c->p * ns;
    double lo[3] = { INFINITY, INFINITY, INFINITY }, hi[3] = { -INFINITY, -INFINITY, -INFINITY };
    size_t pts = 0;
    for (size_t i = 0; i < ns; i++) {
        if (!isfinite(vx[i]) || !isfinite(vy[i]))
            continue;
        pts++;
        const float v[3] = { vx[i], vy[i], vt[i] };
        for (int d = 0; d < 3; d++)
            if (isfinite(v[d])) {
                lo[d] = fmin(lo[d], v[d]);
                hi[d] = fmax(hi[d], v[d]);
            }
    }
    const int S = 220, pad = 8;
    fputs("<figure class=\"pair\" data-left=\"", f);
    sigmix_html_esc(f, pr->left, 0);
    fputs("\" data-right=\"", f);
    sigmix_html_esc(f, pr->right, 0);
    fputs("\" data-pearson=\"", f);
    sigmix_html_num(f, pr->pearson);
    fprintf(f, "\" data-points=\"%zu\">", pts);
    fprintf(f, "<svg width=\"%d\" height=\"%d\" "
               "viewBox=\"0 0 %d %d\"><rect x=\"0.5\" y=\"0.5\" width=\"%d\" height=\"%d\" "
               "fill=\"#fff\" stroke=\"#dde1e7\"/>", S, S, S, S, S - 1, S - 1);
    /* One path per target colour bin: a round-capped zero-length segment is a dot. */
    for (int bin = 0; bin < 8 && pts; bin++) {
        int any = 0;
        for (size_t i = 0; i < ns; i++) {
            if (!isfinite(vx[i]) || !isfinite(vy[i]))
                continue;
            double t = isfinite(vt[i]) && hi[2] > lo[2] ? (vt[i] - lo[2]) / (hi[2] - lo[2]) : -1;
            int b = t < 0 ? -1 : t >= 1 ? 7 : (int)(t * 8);
            if (b != bin && !(bin == 0 && b < 0))
                continue;
            if (!any) {
                unsigned char rgb[3];
                if (b < 0)
                    rgb[0] = rgb[1] = rgb[2] = 150;
                else
                    sigmix_html_ramp((bin + 0.5) / 8, rgb);
                fprintf(f, "<path stroke=\"#%02x%02x%02x\" stroke-width=\"3.2\" "
                           "stroke-linecap=\"round\" stroke-opacity=\"0.75\" d=\"", rgb[0],
                        rgb[1], rgb[2]);
                any = 1;
            }
            double px = hi[0] > lo[0] ? pad + (vx[i] - lo[0]) / (hi[0] - lo[0]) * (S - 2 * pad)
                                      : S / 2.0;
            double py = hi[1] > lo[1] ? S - pad - (vy[i] - lo[1]) / (hi[1] - lo[1]) * (S - 2 * pad)
                                      : S / 2.0;
            fprintf(f, "M%.0f %.0fh0", px, py);
        }
        if (any)
            fputs("\"/>", f);
    }
    fputs("</svg><figcaption><span class=\"nm\">", f);
    sigmix_html_esc(f, pr->left, 48);
    fputs("</span> (x) &times; <span class=\"nm\">", f);
    sigmix_html_esc(f, pr->right, 48);
    fputs("</span> (y)<br>r = ", f);
    fmt3(f, pr->pearson);
    fputs(", |target r| ", f);
    fmt3(f, pr->left_target_abs_pearson);
    fputs(" / ", f);
    fmt3(f, pr->right_target_abs_pearson);
    fprintf(f, ", %zu points</figcaption></figure>\n", pts);
}

static void complements(FILE *f, const tctx *c)
{
    const sigmix_audit_result *r = c->r;
    fputs("<h3>Complementary pairs</h3>\n", f);
    if (!r->n_intersections) {
        fprintf(f, "<p>No pair of columns from different families has |r| &le; %g while both "
                   "track the target with |r| &ge; %g.</p>\n", c->a->s.complement_threshold,
                c->a->s.min_target_abs_r);
        return;
    }
    size_t n = top(c->a, r->n_intersections);
    fprintf(f, "<p class=\"lead\">The top %zu cross-family pairs that each track the target but "
               "not each other, on up to %d evenly spaced rows, coloured by the target (dark: "
               "low, yellow: high; grey: no target value).</p>\n<div class=\"scat\">\n", n,
            SIGMIX_AUDIT_SAMPLE_ROWS);
    for (size_t i = 0; i < n; i++)
        scatter(f, c, &r->intersections[i]);
    fputs("</div>\n", f);
}

/* ---- column health -------------------------------------------------------- */

typedef struct hrow {
    int    bad;
    size_t fam, k;
} hrow;

static int cmp_hrow(const void *x, const void *y)
{
    const hrow *a = x, *b = y;
    if (a->bad != b->bad)
        return a->bad > b->bad ? -1 : 1;
    if (a->fam != b->fam)
        return a->fam < b->fam ? -1 : 1;
    return a->k < b->k ? -1 : a->k > b->k;
}

static int health(FILE *f, const tctx *c)
{
    const sigmix_audit_result *r = c->r;
    double minr = c->a->s.min_finite_ratio;
    hrow *h = malloc((c->p + 1) * sizeof *h);
    if (!h)
        return SIGMIX_ENOMEM;
    for (size_t k = 0; k < c->p; k++) {
        const sigmix_audit_stat *s = &r->stats[k];
        int flat = !(s->std > 1e-12);
        h[k] = (hrow){ flat || !(s->finite_ratio >= minr), c->fam[k], k };
    }
    qsort(h, c->p, sizeof *h, cmp_hrow);
    fputs("<h3>Column health</h3>\n<p class=\"lead\">Every signal column: unhealthy ones "
          "(flat, or finite ratio below the threshold) first, then by family. Click a heading "
          "to sort.</p>\n<div class=\"tbl\"><table class=\"health sortable\"><thead><tr>"
          "<th class=\"s\">Column</th><th class=\"s\">Family</th><th class=\"s\">Finite ratio"
          "</th><th class=\"s\">Flat</th><th class=\"s\">Min</th><th class=\"s\">Max</th>"
          "<th class=\"s\">Mean</th><th class=\"s\">Std</th><th class=\"s\">|target r|</th>"
          "</tr></thead><tbody>\n", f);
    for (size_t i = 0; i < c->p; i++) {
        size_t k = h[i].k;
        const sigmix_audit_stat *s = &r->stats[k];
        int flat = !(s->std > 1e-12);
        fputs("<tr><td class=\"nm\">", f);
        sigmix_html_esc(f, s->column, 0);
        fputs("</td><td>", f);
        sigmix_html_esc(f, c->fam[k] == SIZE_MAX ? "Uncategorized"
                                                 : c->a->fams.fam[c->fam[k]].label, 0);
        const double v[6] = { s->finite_ratio, s->min, s->max, s->mean, s->std, c->tabs[k] };
        for (int j = 0; j < 6; j++) {
            if (j == 1)
                fprintf(f, "</td><td%s>%s", flat ? " class=\"bad\"" : "", flat ? "flat" : "");
            fprintf(f, "</td><td class=\"n%s\" data-v=\"", j == 0 && !(v[0] >= minr) ? " bad"
                                                                                     : "");
            sigmix_html_num(f, v[j]);
            fputs("\">", f);
            if (j == 0)
                fmt3(f, v[j]);
            else if (isnan(v[j]))
                fputs("n/a", f);
            else
                fprintf(f, "%.4g", v[j]);
        }
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody></table></div>\n", f);
    free(h);
    return 0;
}

/* ---- blind spots and next actions (as in the Markdown report) ------------ */

static void family_line(FILE *f, const sigmix_audit *a, const char *what, sigmix_audit_names n)
{
    fprintf(f, "<li>%s signal families: ", what);
    if (!n.n)
        fputs("none", f);
    for (size_t k = 0; k < n.n; k++) {
        fputs(k ? ", " : "", f);
        flabel(f, a, n.v[k]);
    }
    fputs(".</li>\n", f);
}

static void closing(FILE *f, const sigmix_audit *a)
{
    fputs("<h2 id=\"blind\">Blind spots</h2>\n", f);
    for (size_t i = 0; i < a->n; i++) {
        const sigmix_audit_result *r = &a->tables[i]->res;
        fputs("<h3 class=\"nm\">", f);
        sigmix_html_esc(f, r->label, 0);
        fputs("</h3>\n<ul>\n", f);
        family_line(f, a, "Missing", r->missing_families);
        family_line(f, a, "Weak", r->weak_families);
        fputs("</ul>\n", f);
    }
    int any = 0;
    fputs("<h2 id=\"next\">Recommended next actions</h2>\n<ul class=\"actions\">\n", f);
    for (size_t i = 0; i < a->n; i++) {
        const sigmix_audit_result *r = &a->tables[i]->res;
        for (int w = 0; w < 2; w++) {
            sigmix_audit_names n = w ? r->weak_families : r->missing_families;
            for (size_t k = 0; k < n.n; k++) {
                if (sigmix_audit_family_seen_before(a, i, w, k, n.v[k]))
                    continue;
                const sigmix_audit_family *fam = sigmix_audit_family_by_key(a, n.v[k]);
                any = 1;
                fputs("<li><b>", f);
                sigmix_html_esc(f, fam->label, 0);
                fputs("</b>: ", f);
                sigmix_html_esc(f, fam->recommendation, 0);
                fputs("</li>\n", f);
            }
        }
    }
    if (!any)
        fputs("<li>Nothing to add: every family is covered at the configured thresholds.</li>\n",
              f);
    fputs("</ul>\n", f);
}

/* Sorting by a heading click; the page reads the same without it. */
static const char script[] =
    "<script>\n"
    "document.querySelectorAll('table.sortable th.s').forEach(function(th,ci){\n"
    " th.addEventListener('click',function(){var tb=th.closest('table').tBodies[0];\n"
    "  var rows=Array.from(tb.rows),dir=th.dataset.d==='1'?-1:1;th.dataset.d=dir===1?'1':'0';\n"
    "  rows.sort(function(a,b){var x=a.cells[ci],y=b.cells[ci];\n"
    "   var u=x.dataset.v,v=y.dataset.v;if(u!==undefined&&v!==undefined){\n"
    "    var p=u==='null'?-Infinity:+u,q=v==='null'?-Infinity:+v;return dir*(p-q);}\n"
    "   return dir*x.textContent.localeCompare(y.textContent);});\n"
    "  rows.forEach(function(r){tb.appendChild(r);});});});\n"
    "</script>\n";

int sigmix_audit_write_html(const sigmix_audit *a, FILE *f, sigmix_error *err)
{
    for (size_t i = 0; i < a->n; i++)
        if (!a->tables[i]->res.matrix)
            return sigmix_error_set(err, SIGMIX_EINVAL,
                                    "the HTML report needs the audit's keep_matrix setting");
    header(f, a);
    coverage(f, a);
    int rc = 0;
    for (size_t i = 0; i < a->n && !rc; i++) {
        tctx c;
        rc = ctx_init(&c, a, i);
        if (!rc) {
            fprintf(f, "<h2 id=\"t%zu\" class=\"table\">Table <span class=\"nm\">", i);
            sigmix_html_esc(f, c.r->label, 0);
            fprintf(f, "</span></h2>\n<p class=\"lead\">%zu rows, %zu signal columns, target "
                       "<span class=\"nm\">", c.r->rows, c.p);
            sigmix_html_esc(f, c.r->target ? c.r->target : "none", 0);
            fputs("</span>.</p>\n", f);
            target_bars(f, &c);
            rc = heatmap(f, &c);
        }
        if (!rc && c.p > 150)
            block_summary(f, &c);
        if (!rc)
            rc = redundancy(f, &c);
        if (!rc)
            complements(f, &c);
        if (!rc)
            rc = health(f, &c);
        ctx_free(&c);
    }
    if (rc == SIGMIX_EUNSUPPORTED) /* the heatmap's PNG needs zlib, opened on first use */
        return sigmix_error_set(err, rc, "cannot load " SIGMIX_ZLIB_SONAME
                                " for the HTML report's heatmap image");
    if (rc)
        return sigmix_error_set(err, rc, "out of memory while writing the HTML report");
    closing(f, a);
    fputs(script, f);
    fputs("</main>\n</body>\n</html>\n", f);
    if (ferror(f))
        return sigmix_error_set(err, SIGMIX_EIO, "cannot write the HTML report");
    return 0;
}
