/*
 * sigmix saliency: read a table, compute saliency for each row's clip,
 * write the table with the saliency columns appended (atomically), an
 * optional audit report, and a summary line. Exit 0 all rows ok/skipped,
 * 1 some rows failed, 2 usage or table errors (nothing written then).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>


#include "sigmix/join.h"
#include "sigmix/output.h"
#include "sigmix/saliency.h"
#include "sigmix/table.h"
#include "sigmix/util.h"
#include "cmd.h"
#include "saliency_shard.h"

typedef struct sal_cli {
    sigmix_saliency_settings s;
    const char *input, *output, *audit_json;
    int in_place, quiet;
    int argc;
    char **argv;
    const char *ffmpeg_bin, *ffprobe_bin; /* accepted, recorded, unused */
    time_t started;
    char input_sha[65];
    uint64_t input_size;
    /* progress */
    sigmix_progress prog;
    int    show_progress;
    int    cpus;           /* what "automatic" jobs came to */
    /* failure messages */
    size_t nfail_printed, nfail_more;
    sal_shard_opts shard;  /* --shard/--shards/--merge, or the batch system's */
    sigmix_batch_options batch; /* --manifest and its options */
    int    batch_given, single_given;
} sal_cli;

static void usage(FILE *f)
{
    fprintf(f,
        "Usage: sigmix saliency --input TABLE --output TABLE [options]\n"
        "       sigmix saliency --manifest M.json [--base-dir DIR] [--fail-fast]\n"
        "                       [--allow-row-failures] [--report-json F] [--report-md F]\n\n"
        "Decode each row's clip, score sampled frames with a saliency model, reduce\n"
        "the maps over time and append saliency_mean, saliency_var and provenance.\n\n"
        "  --input TABLE               table to read (.parquet .jsonl .ndjson .json .csv,\n"
        "                              .gz/.zst, or a folder of Parquet files; a regular\n"
        "                              file or folder: it is read twice, to hash and parse)\n"
        "  --output TABLE              table to write; format from the extension. Outputs\n"
        "                              are checked before any work and committed together;\n"
        "                              a symlink is written through, a device or FIFO in\n"
        "                              place; missing folders are created\n"
        "  --in-place                  allow --output to be the input (or omit --output)\n"
        "  --audit-json FILE           JSON report: config, summary, run_provenance\n"
        "  --path-column COL           clip path column (default src)\n"
        "  --root DIR                  resolve relative paths here; refuse paths outside\n"
        "  --allow-outside-root        accept paths resolving outside --root\n"
        "  --width-column COL          (default width)\n"
        "  --height-column COL         (default height)\n"
        "  --default-width W --default-height H\n"
        "                              geometry when neither row nor container has one\n"
        "  --raw-pix-fmt FMT           pixel format of raw .yuv clips (default yuv420p)\n"
        "  --model-path MODEL.onnx     ONNX model (default: built-in spectral residual)\n"
        "  --model-id ID               model id column value (default spectral_residual_v1\n"
        "                              or the model file's stem)\n"
        "  --max-frames N              decode the first N frames (default 8, >= 1)\n"
        "  --frame-samples N           frames to score (default 8; clamped to max-frames)\n"
        "  --temporal-aggregator A     mean|ema|max|motion-weighted (default mean)\n"
        "  --ema-alpha X               in (0, 1] (default 0.6)\n"
        "  --overwrite                 recompute rows that already hold saliency values\n"
        "  --status-column COL         (default saliency_status; \"\" suppresses)\n"
        "  --model-id-column COL       (default saliency_model_id; \"\" suppresses)\n"
        "  --aggregator-column COL     (default saliency_aggregator; \"\" suppresses)\n"
        "  --ema-alpha-column COL      (default saliency_ema_alpha; \"\" suppresses)\n"
        "  --max-pixels N              largest frame, width x height, a row or clip may have;\n"
        "                              larger ones get model-failed before decoding\n"
        "                              (default 33177600 = 7680x4320, 8K UHD; at most 2^28)\n"
        "  --jobs N                    clips in parallel (default: the CPUs this process may\n"
        "                              use: affinity mask and cgroup CPU quota)\n"
        "  --ffmpeg-bin PATH, --ffprobe-bin PATH\n"
        "                              accepted for the Python tool's scripts and recorded\n"
        "                              in the audit report; unused: decoding is in-process\n"
        "  --quiet                     no progress and no per-clip messages\n"
        "  --shard K/N                 compute only shard K (0..N-1) of the distinct clips\n"
        "                              and write OUTPUT.shard-K-of-N.jsonl, not the table\n"
        "  --shards N                  the shard count, with JOB_COMPLETION_INDEX\n"
        "                              (Kubernetes Indexed Job) or for --merge\n"
        "  --merge                     read every OUTPUT.shard-*-of-N.jsonl, compute any\n"
        "                              missing clips, write the table (identical to one run)\n"
        "  --no-shard-env              ignore SLURM_ARRAY_TASK_* and JOB_COMPLETION_INDEX\n"
        "  --manifest M.json           run every table of a manifest: {\"defaults\": {..},\n"
        "                              \"tables\": [{\"id\", \"input\", \"output\",\n"
        "                              \"audit_json\"?, config keys (path_column, root,\n"
        "                              model_path, max_frames, temporal_aggregator, ...)}]}\n"
        "  --base-dir DIR              base of relative manifest paths (default: the\n"
        "                              manifest's folder)\n"
        "  --fail-fast                 stop at the first table that is not ok\n"
        "  --allow-row-failures        tables whose rows failed do not fail the batch\n"
        "  --report-json F, --report-md F\n"
        "                              batch reports (saliency-materializer-batch-v1)\n"
        "  -h, --help                  show this help\n\n"
        "Progress goes to stderr: a bar on a terminal, otherwise one line every 30 s\n"
        "(SIGMIX_PROGRESS_INTERVAL=SECONDS changes it). SIGINT, SIGTERM and SIGHUP stop\n"
        "the run: finished clips stay in OUTPUT.partial.jsonl, nothing else is written,\n"
        "and rerunning the same command resumes.\n\n"
        "Cluster runs: without --shard, a Slurm array task takes its shard from\n"
        "SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT (or _MIN/_MAX), a Kubernetes\n"
        "Indexed Job pod from JOB_COMPLETION_INDEX and --shards N. Clips are assigned by\n"
        "a hash of their resolved path and geometry. A shard exits 0 once its shard\n"
        "file is written (its failures are reported by the merge); --audit-json is\n"
        "written by the merge only.\n\n"
        "With --manifest: 1 when a table failed (an error, or failed rows without\n"
        "--allow-row-failures), 2 for a manifest error (nothing runs).\n"
        "Exit status: 0 all rows ok or skipped, 1 some rows failed, 2 usage or table error,\n"
        "128 + the signal number when interrupted (130 SIGINT, 143 SIGTERM, 129 SIGHUP).\n");
}

#define usage_error(...) cmd_usage("saliency", __VA_ARGS__)

static int parse_int(const char *s, long lo, long hi, int *out)
{
    char *e;
    errno = 0;
    long v = strtol(s, &e, 10);
    if (!*s || *e || errno || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

enum {
    O_INPUT = 256, O_OUTPUT, O_AUDIT, O_PATHCOL, O_ROOT, O_OUTSIDE, O_WCOL, O_HCOL, O_DEFW,
    O_DEFH, O_RAWFMT, O_MODEL, O_MODELID, O_MAXF, O_FS, O_AGG, O_ALPHA, O_OVERWRITE,
    O_STATUSCOL, O_MIDCOL, O_AGGCOL, O_ALPHACOL, O_JOBS, O_QUIET, O_INPLACE, O_MAXPIX,
    O_SHARD, O_SHARDS, O_MERGE, O_NOSHARDENV,
    O_FFMPEG, O_FFPROBE,
    O_MANIFEST, O_BASEDIR, O_FAILFAST, O_REPJSON, O_REPMD, O_ALLOWROW,
};

static const struct option long_opts[] = {
    { "input", required_argument, NULL, O_INPUT },
    { "output", required_argument, NULL, O_OUTPUT },
    { "audit-json", required_argument, NULL, O_AUDIT },
    { "path-column", required_argument, NULL, O_PATHCOL },
    { "root", required_argument, NULL, O_ROOT },
    { "allow-outside-root", no_argument, NULL, O_OUTSIDE },
    { "width-column", required_argument, NULL, O_WCOL },
    { "height-column", required_argument, NULL, O_HCOL },
    { "default-width", required_argument, NULL, O_DEFW },
    { "default-height", required_argument, NULL, O_DEFH },
    { "raw-pix-fmt", required_argument, NULL, O_RAWFMT },
    { "model-path", required_argument, NULL, O_MODEL },
    { "model-id", required_argument, NULL, O_MODELID },
    { "max-frames", required_argument, NULL, O_MAXF },
    { "frame-samples", required_argument, NULL, O_FS },
    { "temporal-aggregator", required_argument, NULL, O_AGG },
    { "ema-alpha", required_argument, NULL, O_ALPHA },
    { "overwrite", no_argument, NULL, O_OVERWRITE },
    { "status-column", required_argument, NULL, O_STATUSCOL },
    { "model-id-column", required_argument, NULL, O_MIDCOL },
    { "aggregator-column", required_argument, NULL, O_AGGCOL },
    { "ema-alpha-column", required_argument, NULL, O_ALPHACOL },
    { "jobs", required_argument, NULL, O_JOBS },
    { "max-pixels", required_argument, NULL, O_MAXPIX },
    { "quiet", no_argument, NULL, O_QUIET },
    { "in-place", no_argument, NULL, O_INPLACE },
    { "shard", required_argument, NULL, O_SHARD },
    { "shards", required_argument, NULL, O_SHARDS },
    { "merge", no_argument, NULL, O_MERGE },
    { "no-shard-env", no_argument, NULL, O_NOSHARDENV },
    { "ffmpeg-bin", required_argument, NULL, O_FFMPEG },
    { "ffprobe-bin", required_argument, NULL, O_FFPROBE },
    { "manifest", required_argument, NULL, O_MANIFEST },
    { "base-dir", required_argument, NULL, O_BASEDIR },
    { "fail-fast", no_argument, NULL, O_FAILFAST },
    { "report-json", required_argument, NULL, O_REPJSON },
    { "report-md", required_argument, NULL, O_REPMD },
    { "allow-row-failures", no_argument, NULL, O_ALLOWROW },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

/* One option; returns 0, or the exit status for a usage error / help (-1). */
static int apply_opt(sal_cli *c, int o, const char *a)
{
    sigmix_saliency_settings *s = &c->s;
    switch (o) {
    case O_INPUT: c->input = a; break;
    case O_OUTPUT: c->output = a; break;
    case O_AUDIT: c->audit_json = a; break;
    case O_PATHCOL: s->path_column = a; break;
    case O_ROOT: s->root = a; break;
    case O_OUTSIDE: s->allow_outside_root = 1; break;
    case O_WCOL: s->width_column = a; break;
    case O_HCOL: s->height_column = a; break;
    case O_DEFW:
        if (parse_int(a, 1, 32768, &s->default_width))
            return usage_error("--default-width must be an integer in 1..32768, not '%s'", a);
        break;
    case O_DEFH:
        if (parse_int(a, 1, 32768, &s->default_height))
            return usage_error("--default-height must be an integer in 1..32768, not '%s'", a);
        break;
    case O_RAWFMT: s->raw_pix_fmt = a; break;
    case O_MODEL: s->model_path = a; break;
    case O_MODELID: s->model_id = a; break;
    case O_MAXF:
        if (parse_int(a, 1, 1000000, &s->max_frames))
            return usage_error("--max-frames must be an integer in 1..1000000, not '%s'", a);
        break;
    case O_FS:
        if (parse_int(a, 0, 1000000, &s->frame_samples))
            return usage_error("--frame-samples must be an integer in 0..1000000, not '%s'", a);
        break;
    case O_AGG:
        if (sigmix_saliency_reducer_parse(a, &s->reducer))
            return usage_error("unknown temporal aggregator '%s' (mean, ema, max, "
                               "motion-weighted)", a);
        break;
    case O_ALPHA: {
        char *e;
        errno = 0;
        s->ema_alpha = strtod(a, &e);
        if (!*a || *e || errno || !(s->ema_alpha > 0.0 && s->ema_alpha <= 1.0))
            return usage_error("--ema-alpha must be a number in (0, 1], not '%s'", a);
        break;
    }
    case O_OVERWRITE: s->overwrite = 1; break;
    case O_STATUSCOL: s->status_column = a; break;
    case O_MIDCOL: s->model_id_column = a; break;
    case O_AGGCOL: s->aggregator_column = a; break;
    case O_ALPHACOL: s->ema_alpha_column = a; break;
    case O_JOBS:
        if (parse_int(a, 1, 1024, &s->jobs))
            return usage_error("--jobs must be an integer in 1..1024, not '%s'", a);
        break;
    case O_MAXPIX: {
        char *e;
        errno = 0;
        long long v = strtoll(a, &e, 10);
        if (!*a || *e || errno || v < 1 || v > SIGMIX_SALIENCY_MAX_PIXELS_LIMIT)
            return usage_error("--max-pixels must be an integer in 1..268435456, not '%s'", a);
        s->max_pixels = v;
        break;
    }
    case O_QUIET: c->quiet = 1; break;
    case O_INPLACE: c->in_place = 1; break;
    case O_SHARD:
        if (sigmix_saliency_parse_shard(a, &c->shard.k, &c->shard.n))
            return usage_error("--shard must be K/N with 0 <= K < N <= 100000, not '%s'", a);
        c->shard.given = 1;
        break;
    case O_SHARDS:
        if (parse_int(a, 1, SIGMIX_SALIENCY_MAX_SHARDS, &c->shard.shards))
            return usage_error("--shards must be an integer in 1..100000, not '%s'", a);
        break;
    case O_MERGE: c->shard.merge = 1; break;
    case O_NOSHARDENV: c->shard.no_env = 1; break;
    case O_FFMPEG: c->ffmpeg_bin = a; break;
    case O_FFPROBE: c->ffprobe_bin = a; break;
    case O_MANIFEST: c->batch.manifest = a; c->batch_given = 1; break;
    case O_BASEDIR: c->batch.base_dir = a; c->batch_given = 1; break;
    case O_FAILFAST: c->batch.fail_fast = 1; c->batch_given = 1; break;
    case O_REPJSON: c->batch.report_json = a; c->batch_given = 1; break;
    case O_REPMD: c->batch.report_md = a; c->batch_given = 1; break;
    case O_ALLOWROW: c->batch.allow_row_failures = 1; c->batch_given = 1; break;
    case 'h': usage(stdout); return -1;
    default: return usage_error("%s", "unknown option");
    }
    return 0;
}

static int parse_args(sal_cli *c, int argc, char **argv)
{
    optind = 1;
    opterr = 0;
    int o;
    while ((o = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
        if (o == '?') {
            const char *bad = argv[optind - 1];
            return usage_error("unknown option or missing value: '%s'", bad ? bad : "?");
        }
        int r = apply_opt(c, o, optarg);
        if (r)
            return r;
        /* Per-table options belong in the manifest; --jobs and --quiet do not. */
        c->single_given |= o != O_JOBS && o != O_QUIET && o != 'h' && o < O_MANIFEST;
    }
    if (optind < argc)
        return usage_error("unexpected argument '%s'", argv[optind]);
    if (c->batch_given) {
        const char *why = cmd_join_batch_misuse(&c->batch,
                                               c->single_given && c->batch.manifest);
        return why ? usage_error("%s", why) : 0;
    }
    if (!c->input)
        return usage_error("%s", "--input is required");
    if (!c->output && c->in_place)
        c->output = c->input;
    if (!c->output)
        return usage_error("%s", "--output is required");
    if (sigmix_format_from_path(c->output) == SIGMIX_FORMAT_AUTO)
        return usage_error("cannot tell the output format from '%s' (use .parquet, .jsonl, "
                           ".ndjson, .json or .csv)", c->output);
    sigmix_error err = { 0 };
    if (sigmix_saliency_check_settings(&c->s, &err))
        return usage_error("%s", err.message);
    return sal_shard_resolve(&c->shard);
}

/* Whether out names the same file as in (out may not exist yet). */
static int same_file(const char *in, const char *out)
{
    char *a = realpath(in, NULL), *b = realpath(out, NULL);
    int same = a && b && !strcmp(a, b);
    if (!b && a) { /* compare the would-be path: real folder + base name */
        const char *slash = strrchr(out, '/');
        char *dir = slash ? strndup(out, (size_t)(slash - out + (slash == out))) : strdup(".");
        char *rd = dir ? realpath(dir, NULL) : NULL;
        if (rd) {
            size_t n = strlen(rd) + strlen(out) + 2;
            char *full = malloc(n);
            if (full) {
                snprintf(full, n, "%s/%s", strcmp(rd, "/") ? rd : "", slash ? slash + 1 : out);
                same = !strcmp(full, a);
            }
            free(full);
        }
        free(rd);
        free(dir);
    }
    free(a);
    free(b);
    return same;
}

/* ---- progress and messages --------------------------------------------------- */

/* Called under the run's lock, one worker at a time. The speed counts
 * clips that reached the model, so instant failures do not shorten the ETA. */
static void progress(void *cookie, const sigmix_saliency_progress *p)
{
    sal_cli *c = cookie;
    sigmix_progress_update(&c->prog, p->rows_done, p->rows_total, p->clips_computed,
                           p->clips_total - p->clips_done, 0);
}

static void on_fail(void *cookie, const char *source, int status, const char *message)
{
    sal_cli *c = cookie;
    if (c->nfail_printed >= 20) {
        c->nfail_more++;
        return;
    }
    c->nfail_printed++;
    /* A path outside the root is refused on purpose; say how to accept it. */
    const char *hint = status == SIGMIX_SAL_MISSING_SOURCE && strstr(message, "outside the root")
                     ? " (--allow-outside-root accepts it)" : "";
    fprintf(stderr, "sigmix: %s: %s: %s%s\n", source, sigmix_saliency_status_name(status),
            message, hint);
}

/* ---- signals: the CLI's, never the library's ---------------------------------- */

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
    if (got_signal) { /* a second signal: stop at once */
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    got_signal = sig;
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
        sigaction(sigs[i], &sa, NULL);
}

/* The audit report: the library writes it; the CLI says what it knows. */
static int write_audit(const sal_cli *c, FILE *f, const sigmix_saliency_report *rep,
                       sigmix_error *err)
{
    sigmix_saliency_run_info info;
    memset(&info, 0, sizeof info);
    info.argc = c->argc - 1; /* ADR-0661 argv: the arguments after the subcommand */
    info.argv = (const char *const *)c->argv + 1;
    info.input = c->input;
    info.output = c->output;
    info.audit_json = c->audit_json;
    info.input_sha256 = c->input_sha;
    info.input_size = c->input_size;
    info.in_place = c->in_place;
    info.quiet = c->quiet;
    info.ffmpeg_bin = c->ffmpeg_bin;
    info.ffprobe_bin = c->ffprobe_bin;
    info.cpus_available = c->cpus;
    info.started = c->started;
    return sigmix_saliency_write_report(f, &c->s, rep, &info, err);
}

/*
 * The table and the audit report appear together or not at all; write
 * errors surface at the commit. Returns 0 or 2 (message printed).
 */
static int commit_outputs(sal_cli *c, const sigmix_table *t, const sigmix_saliency_report *rep)
{
    sigmix_error err = { 0 };
    sigmix_outset *set = NULL;
    FILE *tf, *af;
    const char *at = c->output;
    int r = sigmix_outset_new(&set, &err);
    if (!r && !(r = sigmix_outset_add(set, c->output, &tf, &err)))
        r = sigmix_saliency_write_table(tf, c->output, t, &c->s, rep, c->input_sha, &err);
    if (!r && c->audit_json) {
        at = c->audit_json;
        if (!(r = sigmix_outset_add(set, c->audit_json, &af, &err)))
            r = write_audit(c, af, rep, &err);
    }
    const char *failed = NULL;
    if (!r && (r = sigmix_outset_commit(set, &failed, &err)))
        at = failed && c->audit_json && !strcmp(failed, c->audit_json) ? c->audit_json
                                                                        : c->output;
    sigmix_outset_free(&set);
    if (r) {
        fprintf(stderr, "sigmix: %s: %s\n", at, err.message);
        return 2;
    }
    return 0;
}

/* Every output and the journal are usable before any clip is decoded. */
static int check_outputs(const sal_cli *c)
{
    sigmix_error err = { 0 };
    const char *outs[2] = { c->output, c->audit_json };
    size_t bad = 0;
    if (sigmix_outputs_check(outs, 2, &bad, &err)) {
        if (err.code == SIGMIX_EINVAL && strstr(err.message, "standard output"))
            return usage_error("%s", "--output and --audit-json cannot both go to standard "
                                     "output");
        fprintf(stderr, "sigmix: %s: %s\n", outs[bad], err.message);
        return 2;
    }
    cmd_guard_outputs(outs, 2);
    size_t jn = strlen(c->output) + 16;
    char *journal = malloc(jn);
    if (!journal) {
        fprintf(stderr, "sigmix: saliency: out of memory\n");
        return 2;
    }
    snprintf(journal, jn, "%s.partial.jsonl", c->output);
    int r = 0;
    if (sigmix_owned_file_check(journal, &err)) {
        fprintf(stderr, "sigmix: %s: resume journal %s\n", journal, err.message);
        r = 2;
    }
    free(journal);
    return r;
}

/* ---- shards ------------------------------------------------------------------ */

/* A shard run's or a merge's state, all from the library. */
typedef struct sal_shard_run {
    sigmix_saliency_shard_header want;  /* what every shard file must carry */
    sigmix_saliency_shard_set *set;     /* reused results (merge, requeued task) */
    sigmix_saliency_shard_writer *w;    /* this shard's clips */
    char *file;                         /* this shard's file */
} sal_shard_run;

static void shard_run_free(sal_shard_run *sr)
{
    sigmix_saliency_shard_set_free(&sr->set);
    sigmix_saliency_shard_writer_free(&sr->w);
    sigmix_free(sr->file);
    memset(sr, 0, sizeof *sr);
}

/* What a shard file of this run must carry: input, configuration, model.
 * 0, or -1 with err saying why the model cannot be hashed. */
static int shard_want(const sal_cli *c, sigmix_saliency_shard_header *h, sigmix_error *err)
{
    memset(h, 0, sizeof *h);
    h->k = c->shard.k;
    h->n = c->shard.n;
    snprintf(h->input_sha256, sizeof h->input_sha256, "%s", c->input_sha);
    sigmix_saliency_config_sha256(&c->s, h->config_sha256);
    if (c->s.model_path && sigmix_saliency_hash_file(c->s.model_path, h->model_sha256, NULL, err))
        return -1;
    return 0;
}

/*
 * --merge: the shard files are loaded on a thread while the input table is
 * read (the two are independent, and each is a fair part of a merge); what
 * went wrong is said afterwards, in the order it was said when the steps
 * ran one after the other.
 */
typedef struct merge_load {
    sal_cli       *c;
    sal_shard_run *sr;
    int            failed;  /* 1 model hash, 2 out of memory, 3 the shard files */
    int            found, n;
    sigmix_error   err;
} merge_load;

static void merge_load_run(merge_load *m)
{
    sal_cli *c = m->c;
    if (shard_want(c, &m->sr->want, &m->err))
        m->failed = 1;
    else if (sigmix_saliency_shard_set_new(&m->sr->set, &m->err))
        m->failed = 2;
    else if (sigmix_saliency_shard_load_all(c->output, c->shard.shards, &m->sr->want,
                                            m->sr->set, &m->found, &m->n, &m->err))
        m->failed = 3;
}

static void *merge_load_main(void *arg)
{
    merge_load_run(arg);
    return NULL;
}

/* One line naming every shard the merge did not find; it computes them. */
static void say_missing(const sal_cli *c, const sigmix_saliency_shard_set *set, int n,
                        int found)
{
    if (found >= n)
        return;
    fprintf(stderr, "sigmix: saliency: merge: shard%s", n - found > 1 ? "s" : "");
    int listed = 0;
    for (int k = 0; k < n; k++)
        if (!sigmix_saliency_shard_set_has(set, k)) {
            if (listed < 50)
                fprintf(stderr, "%s%d", listed ? ", " : " ", k);
            listed++;
        }
    if (listed > 50)
        fprintf(stderr, ", ... (%d in all)", listed);
    fprintf(stderr, " of %d missing (%s.shard-K-of-%d.jsonl); computing their clips here\n",
            n, c->output, n);
}

/* Sharded run: reuse a finished file of this shard (a requeued task), collect
 * clips for the shard file. Merge: load every shard file. 0 or exit status. */
static int shard_setup(sal_cli *c, sal_shard_run *sr, merge_load *ml)
{
    if (!c->shard.n && !c->shard.merge)
        return 0;
    sigmix_error err = { 0 };
    if (c->shard.merge) {
        if (ml->failed == 1)
            fprintf(stderr, "sigmix: %s: %s\n", c->s.model_path, ml->err.message);
        else if (ml->failed == 2)
            fprintf(stderr, "sigmix: saliency: %s\n", ml->err.message);
        else if (ml->failed)
            fprintf(stderr, "sigmix: %s\n", ml->err.message);
        if (ml->failed)
            return 2;
        say_missing(c, sr->set, ml->n, ml->found);
        c->s.reuse = sr->set;
        if (!c->quiet)
            fprintf(stderr, "saliency: merge: %d of %d shard files, %zu clips\n", ml->found,
                    ml->n, sigmix_saliency_shard_set_size(sr->set));
        return 0;
    }
    if (shard_want(c, &sr->want, &err)) {
        fprintf(stderr, "sigmix: %s: %s\n", c->s.model_path, err.message);
        return 2;
    }
    if (sigmix_saliency_shard_set_new(&sr->set, &err)) {
        fprintf(stderr, "sigmix: saliency: %s\n", err.message);
        return 2;
    }
    if (!(sr->file = sigmix_saliency_shard_path(c->output, c->shard.k, c->shard.n, 0))
        || sigmix_saliency_shard_writer_new(&sr->w, &err)) {
        fprintf(stderr, "sigmix: saliency: out of memory\n");
        return 2;
    }
    /* Tasks start on a fresh shared folder at once: make it (mkdir -p races fine). */
    if (sigmix_mkdirs_for(sr->file, &err)) {
        fprintf(stderr, "sigmix: %s: %s\n", sr->file, err.message);
        return 2;
    }
    if (sigmix_saliency_shard_load_own(sr->file, &sr->want, sr->set))
        c->s.reuse = sr->set;
    c->s.shard_index = c->shard.k;
    c->s.shard_count = c->shard.n;
    c->s.on_clip = sigmix_saliency_shard_writer_on_clip;
    c->s.on_clip_cookie = sr->w;
    /* Always said, --quiet or not: the first thing to check in a task log. */
    fprintf(stderr, "saliency: shard %d of %d (%s); results to %s\n", c->shard.k, c->shard.n,
            c->shard.from, sr->file);
    return 0;
}

/* ---- main flow ------------------------------------------------------------- */

/* One line each for the two mistakes a summary alone hides. */
static void warn_rows(const sal_cli *c, const sigmix_saliency_report *rep)
{
    size_t miss = rep->by_status[SIGMIX_SAL_MISSING_SOURCE];
    size_t sk = rep->by_status[SIGMIX_SAL_SKIPPED_EXISTING];
    if (miss && miss == rep->total - sk)
        fprintf(stderr, "sigmix: saliency: warning: no row's clip was found (%zu rows "
                "missing-source); --root (%s) or --path-column (%s) may be wrong\n", miss,
                c->s.root ? c->s.root : "not given: paths are relative to the working folder",
                c->s.path_column);
    if (rep->skipped_other_model)
        fprintf(stderr, "sigmix: saliency: warning: %zu rows keep saliency values made by "
                "another model (%s is not '%s'); use --overwrite to recompute them\n",
                rep->skipped_other_model, c->s.model_id_column, rep->model_id);
}

static int run_table(sal_cli *c, sigmix_saliency_report *rep)
{
    sigmix_error err = { 0 };
    sigmix_table *t = NULL;
    /* Checked before a byte is read (no /dev/zero, no FIFO consumed twice);
     * a Parquet folder is hashed file by file, as `cat` reads it. */
    int in_fd = -1;
    if (sigmix_saliency_hash_input(c->input, c->input_sha, &c->input_size, &in_fd, &err)) {
        fprintf(stderr, "sigmix: %s: %s\n", c->input, err.message);
        return 2;
    }
    /* Parse the file that was hashed: through its descriptor, so a file
     * renamed over the path in between is not what gets read. */
    char fdpath[64];
    sigmix_read_options ro;
    sigmix_read_options_default(&ro);
    const char *src = c->input;
    if (in_fd >= 0) {
        snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", in_fd);
        if (access(fdpath, R_OK) == 0) { /* no /proc: the path, as before */
            ro.format = sigmix_format_from_path(c->input);
            if (ro.format != SIGMIX_FORMAT_AUTO)
                src = fdpath;
        }
    }
    sal_shard_run sr;
    memset(&sr, 0, sizeof sr);
    merge_load ml = { c, &sr, 0, 0, 0, { 0 } };
    pthread_t loader;
    int loading = c->shard.merge && !pthread_create(&loader, NULL, merge_load_main, &ml);
    int rr = sigmix_table_read(src, &ro, &t, &err);
    if (in_fd >= 0)
        close(in_fd);
    if (loading)
        pthread_join(loader, NULL);
    else if (c->shard.merge && !rr)
        merge_load_run(&ml); /* no thread: here, after the table */
    if (rr) {
        fprintf(stderr, "sigmix: %s: %s\n", c->input, err.message);
        shard_run_free(&sr);
        return 2;
    }
    size_t jn = strlen(c->output) + 16;
    /* A shard journals beside its own shard file, so shards never share one. */
    char *journal = c->shard.n ? sigmix_saliency_shard_path(c->output, c->shard.k, c->shard.n, 1)
                  : malloc(jn);
    if (!journal) {
        shard_run_free(&sr);
        sigmix_table_free(&t);
        fprintf(stderr, "sigmix: saliency: out of memory\n");
        return 2;
    }
    if (!c->shard.n)
        snprintf(journal, jn, "%s.partial.jsonl", c->output);
    c->s.journal_path = journal;
    int ss = shard_setup(c, &sr, &ml);
    if (ss) {
        shard_run_free(&sr);
        free(journal);
        sigmix_table_free(&t);
        return ss;
    }
    if (!c->quiet) {
        /* The interval is the CLI's setting; tests shorten it. */
        const char *iv = getenv("SIGMIX_PROGRESS_INTERVAL");
        double interval = iv ? strtod(iv, NULL) : 0;
        sigmix_progress_init(&c->prog, stderr, isatty(2), "saliency", "rows", "clips",
                             interval > 0 ? interval : 30.0);
        c->s.progress = progress;
        c->s.progress_cookie = c;
        c->s.on_fail = on_fail;
        c->s.on_fail_cookie = c;
    }
    c->s.cancel = &got_signal;
    int r = sigmix_saliency_run(t, &c->s, rep, &err);
    if (!c->quiet)
        sigmix_progress_clear(&c->prog);
    if (c->nfail_more)
        fprintf(stderr, "sigmix: saliency: ... and %zu more failures\n", c->nfail_more);
    int status = 0;
    if (r) {
        fprintf(stderr, "sigmix: %s: %s\n", rep->error_path ? rep->error_path : c->input,
                err.message);
        status = 2;
    } else if (rep->interrupted) {
        /* Nothing is written: the journal already holds each finished clip. */
        fprintf(stderr, "saliency: interrupted; %zu of %zu clips kept in %s; rerun the same "
                "command to resume\n", rep->clips_journaled, rep->clips, journal);
        status = 128 + (got_signal ? (int)got_signal : SIGINT);
    } else if (c->shard.n) {
        size_t ok, failed;
        sigmix_saliency_shard_writer_counts(sr.w, NULL, &ok, &failed);
        if (sigmix_saliency_shard_writer_commit(sr.w, sr.file, &sr.want, rep->model_id, &err)) {
            fprintf(stderr, "sigmix: %s\n", err.message);
            status = 2;
        } else {
            remove(journal); /* the shard file holds it all now */
            fprintf(stderr, "saliency: shard %d of %d: clips=%zu ok=%zu failed=%zu reused=%zu; "
                    "wrote %s\n", c->shard.k, c->shard.n, rep->shard_clips, ok, failed,
                    rep->clips_from_journal + rep->clips_from_shards, sr.file);
        }
    } else {
        warn_rows(c, rep);
        if (commit_outputs(c, t, rep))
            status = 2; /* the journal stays: a rerun resumes */
        else
            remove(journal); /* every output is committed: nothing left to resume */
    }
    if (!status && c->shard.merge && !c->quiet)
        fprintf(stderr, "saliency: merge: %zu clips from shard files, %zu computed here\n",
                rep->clips_from_shards,
                rep->clips - rep->clips_from_shards - rep->clips_from_journal);
    shard_run_free(&sr);
    free(journal);
    sigmix_table_free(&t);
    return status;
}

/* --manifest: the batch runner shared with the joins (sigmix/join.h). */
static int run_batch(sal_cli *c, int argc, char **argv)
{
    sigmix_batch_options *b = &c->batch;
    b->kind = SIGMIX_BATCH_SALIENCY;
    b->argc = argc - 1;
    b->argv = argv + 1;
    b->threads = c->s.jobs;
    b->threads_given = c->s.jobs > 0;
    const char *outs[2] = { b->report_json, b->report_md };
    if (cmd_check_outputs(outs, 2))
        return 2;
    sigmix_saliency_quiet_decoder_logs(); /* failures are counted per table instead */
    sigmix_batch_summary sum;
    sigmix_error err = { 0 };
    if (sigmix_join_batch(b, &sum, &err)) {
        fprintf(stderr, "sigmix: %s\n", err.message);
        return 2;
    }
    /* upstream's batch summary line, word for word */
    fprintf(stderr, "saliency batch materialize: tables=%zu total=%llu ok=%llu skipped=%llu "
            "failed=%llu\n", sum.tables, (unsigned long long)sum.total,
            (unsigned long long)sum.ok, (unsigned long long)sum.skipped_existing,
            (unsigned long long)sum.failed_rows);
    if (!sum.failed_tables || (!sum.error_tables && b->allow_row_failures))
        return 0;
    return 1;
}

int cmd_saliency(int argc, char **argv)
{
    sal_cli c;
    memset(&c, 0, sizeof c);
    sigmix_saliency_default_settings(&c.s);
    c.argc = argc;
    c.argv = argv;
    c.started = time(NULL);
    int r = parse_args(&c, argc, argv);
    if (r)
        return r < 0 ? 0 : r;
    if (c.batch_given)
        return run_batch(&c, argc, argv);
    if (!c.in_place && same_file(c.input, c.output)) {
        fprintf(stderr, "sigmix: %s: refusing to write over the input (use --in-place)\n",
                c.output);
        return 2;
    }
    if (c.s.root && access(c.s.root, X_OK)) {
        fprintf(stderr, "sigmix: %s: root folder not found\n", c.s.root);
        return 2;
    }
    if ((r = check_outputs(&c)))
        return r;
    sigmix_saliency_quiet_decoder_logs(); /* failures are reported per clip instead */
    c.cpus = sigmix_cpu_count();
    install_signals();
    sigmix_saliency_report rep;
    r = run_table(&c, &rep);
    if (r || c.shard.n)
        return r; /* a shard's table is the merge's business */
    size_t ok = rep.by_status[SIGMIX_SAL_OK], sk = rep.by_status[SIGMIX_SAL_SKIPPED_EXISTING];
    size_t failed = rep.total - ok - sk;
    /* the reference tool's summary line, word for word */
    fprintf(stderr, "saliency materialize: total=%zu ok=%zu skipped=%zu failed=%zu\n", rep.total,
            ok, sk, failed);
    return failed ? 1 : 0;
}
