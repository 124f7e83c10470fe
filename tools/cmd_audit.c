/*
 * sigmix audit: parse options, feed inputs to the audit library, write the
 * reports, print one summary line. All logic lives behind sigmix/audit.h.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sigmix/audit.h"
#include "cmd.h"
#include "sigmix/output.h"

static void help(FILE *f)
{
    fputs("Usage: sigmix audit --input [LABEL=]PATH [--input ...] [OPTIONS]\n\n"
          "Audit which quality-signal families feature tables cover, which columns track\n"
          "the target, which are redundant and which cross-family pairs complement each other.\n"
          "Inputs: .jsonl/.ndjson, .json, .csv, .parquet (text formats also .gz/.zst).\n\n"
          "Options:\n"
          "  -i, --input [LABEL=]PATH        table to audit (repeatable); the label names it\n"
          "                                  in the reports (default: file name without its\n"
          "                                  last extension)\n"
          "  -t, --target COL                target column, matched ignoring case when no name\n"
          "                                  matches exactly (default: first of vmaf,\n"
          "                                  vmaf_score, mos_raw_0_100, mos, dmos, score, any case)\n"
          "      --out-json PATH             JSON report ('-' for stdout)\n"
          "      --out-md PATH               Markdown report ('-' for stdout; the default\n"
          "                                  when no other output is given)\n"
          "      --out-html PATH             self-contained HTML report with charts (coverage\n"
          "                                  heatmap, target bars, correlation heatmap,\n"
          "                                  redundancy groups, scatter plots, column health)\n"
          "      --out-matrix PATH           every signal pair's Pearson r as a table (table,\n"
          "                                  left, right, pearson, n) in the format PATH's\n"
          "                                  extension names (.csv, .jsonl, .json, .parquet)\n"
          "      --top-k N                   rows per Markdown section (default 12)\n"
          "      --redundancy-threshold R    |r| at or above which a pair is redundant (0.95)\n"
          "      --complement-threshold R    |r| at or below which a cross-family pair\n"
          "                                  complements (0.70)\n"
          "      --min-finite-ratio R        share of finite values a healthy column needs (0.80)\n"
          "      --families FILE             JSON signal families replacing or extending the\n"
          "                                  built-in ones (see docs/audit.md)\n"
          "  -h, --help                      show this help and exit\n\n"
          "Thresholds and ratios are numbers between 0 and 1.\n"
          "Reports are written atomically, only after every input was read and audited,\n"
          "and together: both or neither. A symlink is written through, a device or FIFO\n"
          "in place; missing folders are created; outputs are checked before any work.\n"
          "Exit status: 0 success, 2 usage or input error.\n", f);
}

#define usage_error(...) cmd_usage("audit", __VA_ARGS__)

/* A ratio or |r| threshold: a number in [0, 1] (NaN is not one). */
static int parse_unit(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (!*s || *end || errno || !(v >= 0.0 && v <= 1.0))
        return -1;
    *out = v;
    return 0;
}

static int parse_count(const char *s, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno || v < 0 || v > INT_MAX)
        return -1;
    *out = (int)v;
    return 0;
}

static void warn(void *cookie, const char *msg)
{
    (void)cookie;
    fprintf(stderr, "sigmix: warning: %s\n", msg);
}

enum { OPT_JSON = 256, OPT_MD, OPT_TOPK, OPT_RED, OPT_COMP, OPT_FINITE, OPT_FAM, OPT_HTML,
       OPT_MATRIX };

static const struct option longopts[] = {
    { "input", required_argument, NULL, 'i' },
    { "target", required_argument, NULL, 't' },
    { "out-json", required_argument, NULL, OPT_JSON },
    { "out-md", required_argument, NULL, OPT_MD },
    { "out-html", required_argument, NULL, OPT_HTML },
    { "out-matrix", required_argument, NULL, OPT_MATRIX },
    { "top-k", required_argument, NULL, OPT_TOPK },
    { "redundancy-threshold", required_argument, NULL, OPT_RED },
    { "complement-threshold", required_argument, NULL, OPT_COMP },
    { "min-finite-ratio", required_argument, NULL, OPT_FINITE },
    { "families", required_argument, NULL, OPT_FAM },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

typedef struct cli {
    sigmix_audit_settings s;
    const char          **inputs;
    int                   ninputs;
    const char           *json, *md, *html, *matrix;
} cli;

/* Returns -1 to go on, else the exit status. */
static int parse_args(int argc, char **argv, cli *c)
{
    int opt;
    opterr = 0;
    optind = 1;
    while ((opt = getopt_long(argc, argv, ":i:t:h", longopts, NULL)) != -1) {
        double *d = NULL;
        const char *name = NULL;
        switch (opt) {
        case 'i': c->inputs[c->ninputs++] = optarg; break;
        case 't': c->s.target = optarg; break;
        case OPT_JSON: c->json = optarg; break;
        case OPT_MD: c->md = optarg; break;
        case OPT_HTML: c->html = optarg; break;
        case OPT_MATRIX: c->matrix = optarg; break;
        case OPT_FAM: c->s.families_path = optarg; break;
        case OPT_TOPK:
            if (parse_count(optarg, &c->s.top_k))
                return usage_error("--top-k: '%s' is not a non-negative integer", optarg);
            break;
        case OPT_RED: d = &c->s.redundancy_threshold; name = "--redundancy-threshold"; break;
        case OPT_COMP: d = &c->s.complement_threshold; name = "--complement-threshold"; break;
        case OPT_FINITE: d = &c->s.min_finite_ratio; name = "--min-finite-ratio"; break;
        case 'h': help(stdout); return 0;
        case ':': return usage_error("option '%s' needs a value", argv[optind - 1]);
        default: return usage_error("unknown option '%s'", argv[optind - 1]);
        }
        if (d && parse_unit(optarg, d)) {
            return cmd_usage("audit", "%s: '%s' is not a number between 0 and 1", name,
                             optarg);
        }
    }
    if (optind < argc)
        return usage_error("unexpected argument '%s'", argv[optind]);
    if (!c->ninputs)
        return usage_error("%s", "at least one --input is required");
    return -1;
}

/* Both reports must be writable before any input is read. */
static int check_outputs(const cli *c)
{
    sigmix_error err = { 0, "" };
    const char *outs[4] = { c->json, c->md, c->html, c->matrix };
    size_t bad = 0;
    if (!sigmix_outputs_check(outs, 4, &bad, &err)) {
        cmd_guard_outputs(outs, 4);
        return 0;
    }
    if (err.code == SIGMIX_EINVAL && strstr(err.message, "standard output"))
        return usage_error("%s", bad <= 1 && c->json && c->md
                                 ? "--out-json and --out-md cannot both go to standard output"
                                 : "only one output can go to standard output");
    const char *why = err.message;
    if (err.code == SIGMIX_EINVAL)
        why = bad <= 1 && c->json && c->md ? "the JSON and Markdown reports need different paths"
                                           : "two outputs name the same path";
    fprintf(stderr, "sigmix: %s: %s\n", outs[bad], why);
    return 2;
}

static int run(cli *c)
{
    sigmix_error err = { 0, "" };
    sigmix_audit *a = NULL;
    if (!c->json && !c->md && !c->html && !c->matrix)
        c->md = "-";
    if (check_outputs(c))
        return 2;
    c->s.keep_matrix = c->html || c->matrix;
    if (sigmix_audit_open(&a, &c->s, &err)) {
        fprintf(stderr, "sigmix: %s: %s\n", c->s.families_path ? c->s.families_path : "audit",
                err.message);
        return 2;
    }
    for (int i = 0; i < c->ninputs; i++) {
        if (sigmix_audit_add_input(a, c->inputs[i], &err)) {
            const char *label, *path;
            size_t len;
            sigmix_audit_split_input(c->inputs[i], &label, &len, &path);
            fprintf(stderr, "sigmix: %s: %s\n", path, err.message);
            sigmix_audit_close(&a);
            return 2;
        }
    }
    const char *failed;
    sigmix_audit_outputs outs = { c->json, c->md, c->html, c->matrix };
    if (sigmix_audit_write_outputs(a, &outs, &failed, &err)) {
        fprintf(stderr, "sigmix: %s: %s\n", failed ? failed : "audit", err.message);
        sigmix_audit_close(&a);
        return 2;
    }
    size_t miss = 0, weak = 0, n = sigmix_audit_count(a);
    for (size_t i = 0; i < n; i++) {
        miss += sigmix_audit_result_at(a, i)->missing_families.n;
        weak += sigmix_audit_result_at(a, i)->weak_families.n;
    }
    int to_stdout = (c->json && !strcmp(c->json, "-")) || (c->md && !strcmp(c->md, "-")) ||
                    (c->html && !strcmp(c->html, "-")) || (c->matrix && !strcmp(c->matrix, "-"));
    FILE *f = to_stdout ? stderr : stdout;
    fprintf(f, "[signal-mix] tables=%zu missing_families=%zu weak_families=%zu wrote=", n, miss,
            weak);
    const char *w[4] = { c->json, c->md, c->html, c->matrix };
    for (int i = 0, first = 1; i < 4; i++)
        if (w[i]) {
            fprintf(f, "%s%s", first ? "" : " ", w[i]);
            first = 0;
        }
    fputc('\n', f);
    sigmix_audit_close(&a);
    return fflush(stdout) ? 2 : 0;
}

/*
 * The audit's BLAS products are small and it runs its own per-column
 * workers, so the library's default is one OpenBLAS thread for the run; a
 * user who chose a count in the environment keeps it.
 */
static void blas_policy(sigmix_audit_settings *s)
{
    if (getenv("OPENBLAS_NUM_THREADS") || getenv("OMP_NUM_THREADS"))
        s->blas_threads = 0;
}

int cmd_audit(int argc, char **argv)
{
    cli c;
    memset(&c, 0, sizeof c);
    sigmix_audit_default_settings(&c.s);
    c.inputs = calloc((size_t)argc + 1, sizeof *c.inputs);
    if (!c.inputs) {
        fputs("sigmix: audit: out of memory\n", stderr);
        return 2;
    }
    /* run_provenance.argv: the arguments after the subcommand (ADR-0661). */
    c.s.argc = argc - 1;
    c.s.argv = (const char *const *)argv + 1;
    c.s.warn = warn;
    int rc = parse_args(argc, argv, &c);
    if (rc < 0) {
        blas_policy(&c.s);
        rc = run(&c);
    }
    free(c.inputs);
    return rc;
}
