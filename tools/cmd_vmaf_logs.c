/*
 * sigmix vmaf-logs: turn libvmaf log files into a feature table, one row
 * per log (pooled statistics) or per frame entry. Logs are parsed in
 * parallel; rows are added in input order so the output is deterministic.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <glob.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sigmix/output.h"
#include "sigmix/runprov.h"
#include "sigmix/shard.h"
#include "sigmix/table.h"
#include "sigmix/util.h"
#include "sigmix/vmaflog.h"
#include "cmd.h"

typedef enum { KEY_STEM, KEY_BASENAME, KEY_RAW } key_mode;

typedef struct vl_input {
    char *path;
    char *key;
    /* filled by the workers */
    int   failed;
    char  error[SIGMIX_ERROR_MSG];
    sigmix_vmaflog_format format;
    char *version;
    size_t frames, metrics;
    sigmix_read_digest digest; /* with --audit-json: of the bytes parsed */
    /* sharded runs and merges */
    char *real;    /* resolved path: what the partition hashes */
    int   mine;    /* shard run: this log is in this process's shard */
    const sigmix_vmaflog_shard_entry *pre; /* merge: its result from a shard file */
    int   pre_shard;
} vl_input;

typedef struct rename_rec {
    char  *from, *to;
    size_t logs;
} rename_rec;

typedef struct cli {
    const char *out, *audit_json;
    const char *labels, *label_key;
    size_t labels_rows, labels_unmatched, logs_unlabelled;
    sigmix_read_digest labels_digest; /* with --audit-json: of the bytes read */
    char  *first_unmatched;
    int   per_frame, keep_names, skip_bad, jobs;
    key_mode key;
    sigmix_vmaflog_stat stats[SIGMIX_VMAFLOG_NSTATS];
    size_t nstats;
    vl_input *in;
    size_t nin, capin;
    const char *const *log_args; /* LOGS as given, for provenance */
    size_t nlog_args;
    /* shared by the workers */
    pthread_mutex_t mu;
    pthread_cond_t  cv;
    size_t next_claim, next_add;
    int    stop;       /* a log failed without --skip-bad, or an internal error */
    int    fatal_code;
    char   fatal[SIGMIX_ERROR_MSG + 64];
    sigmix_vmaflog_table *vt;
    rename_rec *ren;
    size_t nren, capren;
    size_t bad;
    /* --shard / --merge */
    sigmix_shard_choice sh;
    char   input_sha[65], config_sha[65];
    char  *shard_out;       /* this shard's file */
    sigmix_atomic shard_file;
    size_t shard_logs;
    sigmix_vmaflog_shard **shards; /* merge: the files read */
    size_t nshards, from_shards;
} cli;

static void usage(FILE *f)
{
    fprintf(f,
        "Usage: sigmix vmaf-logs LOGS... --out TABLE [OPTIONS]\n\n"
        "Read libvmaf log files (JSON 2.x/3.x, libvmaf 1.x JSON, Python run_vmaf JSON,\n"
        "XML, CSV, SUB; recognised by content) and write one row per log with pooled\n"
        "statistics of every metric, or one row per frame entry. LOGS are files,\n"
        "folders (searched recursively for .json/.xml/.csv/.sub) or globs.\n\n"
        "Options:\n"
        "  -o, --out TABLE          output table; format from the extension\n"
        "                           (.parquet, .jsonl, .json, .csv)\n"
        "      --per-frame          one row per frame entry: key, frame, metrics\n"
        "      --stats LIST         per-clip statistics and their column order\n"
        "                           (default mean,std,min,max,p10,p90,hmean)\n"
        "      --keep-names         keep metric names as logged (no canonical names)\n"
        "      --key-normalize M    key from the path: stem (default: file name\n"
        "                           without folders and last extension), basename, raw\n"
        "  -j, --jobs N             logs parsed in parallel, and Parquet encoder threads\n"
        "                           (default: number of cores)\n"
        "      --skip-bad           record an unreadable log as a row with\n"
        "                           vmaf_log_error set, and exit 1\n"
        "      --labels TABLE       join a labels table (CSV, JSONL, JSON, Parquet) by key:\n"
        "                           its columns are appended; a log without a label\n"
        "                           gets nulls, labels without a log are reported\n"
        "      --label-key COL      the labels' key column (default: key); its values\n"
        "                           are normalized as --key-normalize says\n"
        "      --audit-json FILE    provenance: logs, versions, renames, errors\n"
        "      --shard K/N          read only shard K of N of the logs (0 <= K < N),\n"
        "                           partitioned by resolved path, and write\n"
        "                           TABLE.shard-K-of-N.jsonl instead of the table\n"
        "      --shards N           the shard count, with JOB_COMPLETION_INDEX\n"
        "                           (Kubernetes Indexed Job) or to pick the files --merge reads\n"
        "      --merge              build the table from TABLE.shard-*-of-N.jsonl (same\n"
        "                           logs and options, checked by SHA-256), reading the\n"
        "                           logs of missing shards here\n"
        "      --no-shard-env       ignore SLURM_ARRAY_TASK_* and JOB_COMPLETION_INDEX\n"
        "  -h, --help               show this help and exit\n\n"
        "Statistics are recomputed from the frames (pooled_metrics are ignored):\n"
        "nan-aware mean, std (ddof 0), min, max, p10/p90 (linear), and\n"
        "hmean = 1/mean(1/(x+1)) - 1 over finite values.\n"
        "Without --shard, a Slurm array task (SLURM_ARRAY_TASK_ID with _COUNT or\n"
        "_MIN/_MAX) is shard ID-MIN of the array. A shard ignores --labels and\n"
        "--audit-json (the merge applies them) and exits 0 once its file is written.\n"
        "Exit status: 0 success, 1 some logs recorded as bad (--skip-bad),\n"
        "2 usage or input error (nothing written).\n");
}

#define CMD "vmaf-logs"

/* Not a usage error: the run cannot go on (one line, exit 2). */
static int oom(void)
{
    fputs("sigmix: vmaf-logs: out of memory\n", stderr);
    return 2;
}

static int parse_stats(cli *c, const char *arg)
{
    c->nstats = 0;
    const char *p = arg;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        int s = sigmix_vmaflog_stat_from_name(p, len);
        if (s < 0)
            return cmd_usage(CMD, "unknown statistic in --stats (mean,std,min,max,p10,p90,hmean): '%s'",
                             arg);
        for (size_t i = 0; i < c->nstats; i++)
            if (c->stats[i] == (sigmix_vmaflog_stat)s)
                return cmd_usage(CMD, "statistic listed twice in --stats: '%s'", arg);
        c->stats[c->nstats++] = (sigmix_vmaflog_stat)s;
        if (!comma)
            break;
        p = comma + 1;
    }
    return 0;
}

static int add_input(cli *c, const char *path)
{
    if (c->nin == c->capin) {
        size_t cap = c->capin ? c->capin * 2 : 64;
        vl_input *n = realloc(c->in, cap * sizeof *n);
        if (!n)
            return -1;
        c->in = n;
        c->capin = cap;
    }
    vl_input *in = &c->in[c->nin];
    memset(in, 0, sizeof *in);
    if (!(in->path = strdup(path)))
        return -1;
    c->nin++;
    return 0;
}

static int log_extension(const char *name)
{
    const char *dot = strrchr(name, '.');
    static const char *const ext[] = { ".json", ".xml", ".csv", ".sub" };
    for (size_t i = 0; dot && i < sizeof ext / sizeof *ext; i++)
        if (!strcasecmp(dot, ext[i]))
            return 1;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Folder: every log file below it, sorted by path for a stable order. */
static int walk_dir(cli *c, const char *dir, int depth)
{
    if (depth > 64)
        {
        fprintf(stderr, "sigmix: %s: folders nested too deeply (more than 64 levels)\n", dir);
        return 2;
    }
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "sigmix: %s: cannot open folder: %s\n", dir, strerror(errno));
        return 2;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **nn = realloc(names, cap * sizeof *nn);
            if (!nn) { rc = oom(); break; }
            names = nn;
        }
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        if (!(names[n] = malloc(len))) { rc = oom(); break; }
        snprintf(names[n], len, "%s/%s", dir, e->d_name);
        n++;
    }
    closedir(d);
    if (!rc && n) /* qsort must not get NULL, even for 0 items */
        qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; !rc && i < n; i++) {
        struct stat st;
        if (stat(names[i], &st))
            continue;
        if (S_ISDIR(st.st_mode))
            rc = walk_dir(c, names[i], depth + 1);
        else if (S_ISREG(st.st_mode) && log_extension(names[i]) && add_input(c, names[i]))
            rc = oom();
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

static int collect(cli *c, const char *arg)
{
    struct stat st;
    if (!stat(arg, &st)) {
        if (S_ISDIR(st.st_mode))
            return walk_dir(c, arg, 0);
        return add_input(c, arg) ? oom() : 0;
    }
    if (strpbrk(arg, "*?[")) {
        glob_t g;
        int r = glob(arg, 0, NULL, &g);
        if (r == GLOB_NOMATCH) {
            fprintf(stderr, "sigmix: %s: no file matches\n", arg);
            return 2;
        }
        if (r) {
            fprintf(stderr, "sigmix: %s: cannot expand the pattern\n", arg);
            return 2;
        }
        int rc = 0;
        for (size_t i = 0; !rc && i < g.gl_pathc; i++)
            rc = collect(c, g.gl_pathv[i]);
        globfree(&g);
        return rc;
    }
    fprintf(stderr, "sigmix: %s: cannot open: %s\n", arg, strerror(errno));
    return 2;
}

static int cmp_key(const void *a, const void *b)
{
    return strcmp((*(vl_input *const *)a)->key, (*(vl_input *const *)b)->key);
}

static char *make_key(const char *path, key_mode m)
{
    if (m == KEY_RAW)
        return strdup(path);
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    char *k = strdup(base);
    if (k && m == KEY_STEM) {
        char *dot = strrchr(k, '.');
        if (dot && dot != k)
            *dot = '\0';
    }
    return k;
}

static const char *const key_names[] = { "stem", "basename", "raw" };

/* --merge: read every OUT.shard-*-of-N.jsonl, check it came from these
 * logs and options, and hand each log's result to its input. */
static int merge_load(cli *c)
{
    sigmix_error e = { 0 };
    sigmix_shard_file *f = NULL;
    size_t nf = 0;
    if (sigmix_shard_list(c->out, &f, &nf, &e)) {
        fprintf(stderr, "sigmix: %s: %s\n", c->out, e.message);
        return 2;
    }
    int rc = 2, n = c->sh.shards;
    unsigned char *seen = NULL;
    const char **seen_name = NULL;
    for (size_t i = 0; !c->sh.shards && i < nf; i++) {
        if (n && f[i].n != n) {
            fprintf(stderr, "sigmix: %s: shard files of different counts (%d and %d); say "
                    "which with --shards N\n", c->out, n, f[i].n);
            goto done;
        }
        n = f[i].n;
    }
    if (!n) {
        fprintf(stderr, "sigmix: %s: --merge found no shard files (%s.shard-K-of-N.jsonl)\n",
                c->out, c->out);
        goto done;
    }
    seen = calloc((size_t)n, 1);
    seen_name = calloc((size_t)n, sizeof *seen_name);
    c->shards = calloc(nf + 1, sizeof *c->shards);
    if (!seen || !seen_name || !c->shards) {
        rc = oom();
        goto done;
    }
    size_t nstats = c->per_frame ? 0 : c->nstats;
    for (size_t i = 0; i < nf; i++) {
        if (f[i].n != n)
            continue; /* another count, not asked for */
        sigmix_vmaflog_shard *sh = NULL;
        if (sigmix_vmaflog_shard_read(f[i].path, &sh, &e)) {
            fprintf(stderr, "sigmix: %s: %s\n", f[i].path, e.message);
            goto done;
        }
        c->shards[c->nshards++] = sh;
        const sigmix_vmaflog_shard_header *h = sigmix_vmaflog_shard_header_of(sh);
        /* The header says which shard it holds: a renamed copy is a duplicate. */
        if (h->n != n) {
            fprintf(stderr, "sigmix: %s: holds shard %d of %d, not of %d (line 1)\n",
                    f[i].path, h->k, h->n, n);
            goto done;
        }
        if (seen[h->k]) {
            fprintf(stderr, "sigmix: %s: shard %d of %d twice: %s and %s\n", c->out, h->k, n,
                    seen_name[h->k], f[i].path);
            goto done;
        }
        seen[h->k] = 1;
        seen_name[h->k] = f[i].path;
        int other_in = strcmp(h->input_sha256, c->input_sha) != 0;
        if (other_in || strcmp(h->config_sha256, c->config_sha) || h->per_frame != c->per_frame
            || h->nstats != nstats) {
            fprintf(stderr, "sigmix: %s: shard %d of %d was made %s (sha256 %.12s, this run "
                    "%.12s); rerun it or merge with the same logs and options\n", f[i].path,
                    h->k, n, other_in ? "from other logs" : "with other options",
                    other_in ? h->input_sha256 : h->config_sha256,
                    other_in ? c->input_sha : c->config_sha);
            goto done;
        }
        for (size_t j = 0; j < sigmix_vmaflog_shard_count(sh); j++) {
            const sigmix_vmaflog_shard_entry *en = sigmix_vmaflog_shard_at(sh, j);
            vl_input *in = en->index < c->nin ? &c->in[en->index] : NULL;
            const char *part = in ? in->real : NULL;
            if (!in || strcmp(en->path, in->real) || sigmix_shard_of(&part, 1, n) != h->k) {
                fprintf(stderr, "sigmix: %s: line %zu: log %zu is not one of shard %d of %d's "
                        "logs\n", f[i].path, j + 2, en->index, h->k, n);
                goto done;
            }
            if (in->pre) {
                fprintf(stderr, "sigmix: %s: shards %d and %d of %d hold the same log %s\n",
                        c->out, in->pre_shard, h->k, n, in->path);
                goto done;
            }
            in->pre = en;
            in->pre_shard = h->k;
            c->from_shards++;
        }
    }
    int missing = 0;
    for (int k = 0; k < n; k++)
        missing += !seen[k];
    if (missing) {
        /* One line naming every missing shard; their logs are read here. */
        fprintf(stderr, "sigmix: vmaf-logs: merge: shard%s", missing > 1 ? "s" : "");
        int listed = 0;
        for (int k = 0; k < n; k++)
            if (!seen[k] && listed++ < 50)
                fprintf(stderr, "%s%d", listed > 1 ? ", " : " ", k);
        if (listed > 50)
            fprintf(stderr, ", ... (%d in all)", listed);
        fprintf(stderr, " of %d missing (%s.shard-K-of-%d.jsonl); reading their logs here\n",
                n, c->out, n);
    }
    c->sh.n = 0; /* the merge itself is not a shard */
    c->sh.shards = n;
    rc = 0;
done:
    free(seen);
    free(seen_name);
    sigmix_shard_list_free(f, nf);
    return rc;
}

/*
 * Sharded runs and merges: resolve every log (the partition hashes the
 * resolved path), fingerprint the inputs and the options that decide the
 * table, then pick this shard's logs or load the shard files.
 */
static int shard_prepare(cli *c)
{
    const char **parts = calloc(3 * c->nin + 1, sizeof *parts);
    char (*meta)[64] = calloc(c->nin + 1, sizeof *meta);
    int rc = 2;
    if (!parts || !meta) {
        rc = oom();
        goto out;
    }
    parts[0] = "sigmix-vmaf-logs-input-1";
    for (size_t i = 0; i < c->nin; i++) {
        vl_input *in = &c->in[i];
        struct stat st;
        if (!(in->real = realpath(in->path, NULL)) || stat(in->real, &st)) {
            fprintf(stderr, "sigmix: %s: cannot resolve: %s\n", in->path, strerror(errno));
            goto out;
        }
        /* Size and modification time: a log rewritten between the shards
         * and the merge makes a different input. */
        snprintf(meta[i], sizeof meta[i], "%lld:%lld.%09ld", (long long)st.st_size,
                 (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
        parts[1 + 3 * i] = in->real;
        parts[2 + 3 * i] = in->key;
        parts[3 + 3 * i] = meta[i];
    }
    sigmix_shard_digest(parts, 1 + 3 * c->nin, c->input_sha);
    char stats[128] = "", flags[64];
    for (size_t i = 0; i < c->nstats; i++)
        snprintf(stats + strlen(stats), sizeof stats - strlen(stats), "%s%s", i ? "," : "",
                 sigmix_vmaflog_stat_name(c->stats[i]));
    snprintf(flags, sizeof flags, "keep_names=%d skip_bad=%d", c->keep_names, c->skip_bad);
    const char *conf[] = { "sigmix-vmaf-logs-config-1", c->per_frame ? "per-frame" : "per-clip",
                           c->per_frame ? "" : stats, key_names[c->key], flags };
    sigmix_shard_digest(conf, sizeof conf / sizeof *conf, c->config_sha);
    if (c->sh.merge) {
        rc = merge_load(c);
        goto out;
    }
    for (size_t i = 0; i < c->nin; i++) {
        const char *part = c->in[i].real;
        c->in[i].mine = sigmix_shard_of(&part, 1, c->sh.n) == c->sh.k;
        c->shard_logs += c->in[i].mine;
    }
    fprintf(stderr, "sigmix vmaf-logs: shard %d of %d (%s); results to %s\n", c->sh.k, c->sh.n,
            c->sh.from, c->shard_out);
    rc = 0;
out:
    free(parts);
    free(meta);
    return rc;
}

static int parse_args(int argc, char **argv, cli *c)
{
    enum { O_PER_FRAME = 256, O_STATS, O_KEEP, O_KEYNORM, O_SKIP, O_AUDIT, O_LABELS, O_LABEL_KEY,
           O_SHARD, O_SHARDS, O_MERGE, O_NOENV };
    static const struct option longopts[] = {
        { "out", required_argument, NULL, 'o' },
        { "per-frame", no_argument, NULL, O_PER_FRAME },
        { "stats", required_argument, NULL, O_STATS },
        { "keep-names", no_argument, NULL, O_KEEP },
        { "key-normalize", required_argument, NULL, O_KEYNORM },
        { "jobs", required_argument, NULL, 'j' },
        { "skip-bad", no_argument, NULL, O_SKIP },
        { "audit-json", required_argument, NULL, O_AUDIT },
        { "labels", required_argument, NULL, O_LABELS },
        { "label-key", required_argument, NULL, O_LABEL_KEY },
        { "shard", required_argument, NULL, O_SHARD },
        { "shards", required_argument, NULL, O_SHARDS },
        { "merge", no_argument, NULL, O_MERGE },
        { "no-shard-env", no_argument, NULL, O_NOENV },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int ch, r;
    opterr = 0;
    optind = 1;
    while ((ch = getopt_long(argc, argv, ":o:j:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'o': c->out = optarg; break;
        case O_PER_FRAME: c->per_frame = 1; break;
        case O_STATS:
            if ((r = parse_stats(c, optarg)))
                return r;
            break;
        case O_KEEP: c->keep_names = 1; break;
        case O_KEYNORM:
            if (!strcmp(optarg, "stem")) c->key = KEY_STEM;
            else if (!strcmp(optarg, "basename")) c->key = KEY_BASENAME;
            else if (!strcmp(optarg, "raw")) c->key = KEY_RAW;
            else return cmd_usage(CMD, "--key-normalize must be stem, basename or raw, not '%s'", optarg);
            break;
        case 'j': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*optarg < '0' || *optarg > '9' || *end || v < 1 || v > 1024)
                return cmd_usage(CMD, "--jobs must be an integer in 1..1024, not '%s'", optarg);
            c->jobs = (int)v;
            break;
        }
        case O_SKIP: c->skip_bad = 1; break;
        case O_AUDIT: c->audit_json = optarg; break;
        case O_LABELS: c->labels = optarg; break;
        case O_LABEL_KEY: c->label_key = optarg; break;
        case O_SHARD:
            if (sigmix_shard_parse(optarg, &c->sh.k, &c->sh.n))
                return cmd_usage(CMD, "--shard must be K/N with 0 <= K < N <= %d, not '%s'",
                                 SIGMIX_SHARD_MAX, optarg);
            c->sh.given = 1;
            break;
        case O_SHARDS: {
            /* N is read as the N of "0/N", whole: a copy cut to a fixed
             * size would accept '00000000000000000002x' as 2. */
            int k, n = 0;
            size_t len = strlen(optarg);
            char *spec = malloc(len + 3);
            if (!spec)
                return oom();
            memcpy(spec, "0/", 2);
            memcpy(spec + 2, optarg, len + 1);
            int bad = sigmix_shard_parse(spec, &k, &n);
            free(spec);
            if (bad)
                return cmd_usage(CMD, "--shards must be an integer in 1..%d, not '%s'",
                                 SIGMIX_SHARD_MAX, optarg);
            c->sh.shards = n;
            break;
        }
        case O_MERGE: c->sh.merge = 1; break;
        case O_NOENV: c->sh.no_env = 1; break;
        case 'h': usage(stdout); return 0;
        case ':': return cmd_usage(CMD, "option '%s' needs a value", argv[optind - 1]);
        default: return cmd_usage(CMD, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (!c->out)
        return cmd_usage(CMD, "--out TABLE is required");
    if (c->label_key && !c->labels)
        return cmd_usage(CMD, "--label-key needs --labels");
    if (c->labels && !c->label_key)
        c->label_key = "key";
    if (!strcmp(c->out, "-"))
        return cmd_usage(CMD, "--out must name a file");
    if (sigmix_format_from_path(c->out) == SIGMIX_FORMAT_AUTO)
        return cmd_usage(CMD, "cannot tell the output format from the extension of '%s'", c->out);
    if (optind >= argc)
        return cmd_usage(CMD, "no LOGS given");
    sigmix_error e = { 0 };
    if (sigmix_shard_select(&c->sh, getenv, &e)) {
        if (e.code == SIGMIX_EINVAL)
            return cmd_usage(CMD, "%s", e.message);
        fprintf(stderr, "sigmix: vmaf-logs: %s\n", e.message);
        return 2;
    }
    if (c->sh.n) {
        /* A shard writes its shard file only; the merge writes the rest. */
        if (!(c->shard_out = sigmix_shard_path(c->out, c->sh.k, c->sh.n)))
            return oom();
        const char *outs[1] = { c->shard_out };
        if ((r = cmd_check_outputs(outs, 1)))
            return r;
    } else {
        const char *outs[2] = { c->out, c->audit_json };
        if ((r = cmd_check_outputs(outs, 2)))
            return r;
    }
    c->log_args = (const char *const *)argv + optind;
    c->nlog_args = (size_t)(argc - optind);
    for (int i = optind; i < argc; i++)
        if ((r = collect(c, argv[i])))
            return r;
    if (!c->nin)
        return cmd_usage(CMD, "no log files found in '%s'", argv[optind]);
    for (size_t i = 0; i < c->nin; i++)
        if (!(c->in[i].key = make_key(c->in[i].path, c->key)))
            return oom();
    /* Keys must be unique: they are what labels and other tables join on. */
    vl_input **ord = malloc(c->nin * sizeof *ord);
    if (!ord)
        return oom();
    for (size_t i = 0; i < c->nin; i++)
        ord[i] = &c->in[i];
    qsort(ord, c->nin, sizeof *ord, cmp_key);
    for (size_t i = 1; i < c->nin; i++)
        if (!strcmp(ord[i - 1]->key, ord[i]->key)) {
            const vl_input *a = ord[i - 1] < ord[i] ? ord[i - 1] : ord[i];
            const vl_input *b = ord[i - 1] < ord[i] ? ord[i] : ord[i - 1];
            fprintf(stderr, "sigmix: %s: same key '%s' as %s (try --key-normalize)\n",
                    b->path, b->key, a->path);
            free(ord);
            return 2;
        }
    free(ord);
    if ((c->sh.n || c->sh.merge) && (r = shard_prepare(c)))
        return r;
    return -1;
}

/* Record the renames of one log (under the lock). */
static int note_renames(cli *c, const sigmix_vmaflog *log)
{
    for (size_t m = 0; m < log->nmetrics; m++) {
        const sigmix_vmaflog_metric *mt = &log->metrics[m];
        if (!strcmp(mt->name, mt->source))
            continue;
        size_t i;
        for (i = 0; i < c->nren; i++)
            if (!strcmp(c->ren[i].from, mt->source) && !strcmp(c->ren[i].to, mt->name))
                break;
        if (i == c->nren) {
            if (c->nren == c->capren) {
                size_t cap = c->capren ? c->capren * 2 : 16;
                rename_rec *n = realloc(c->ren, cap * sizeof *n);
                if (!n)
                    return -1;
                c->ren = n;
                c->capren = cap;
            }
            c->ren[i].from = strdup(mt->source);
            c->ren[i].to = strdup(mt->name);
            c->ren[i].logs = 0;
            if (!c->ren[i].from || !c->ren[i].to) {
                free(c->ren[i].from);
                free(c->ren[i].to);
                return -1;
            }
            c->nren++;
        }
        c->ren[i].logs++;
    }
    return 0;
}

static void set_fatal(cli *c, int code, const char *path, const char *msg)
{
    if (!c->stop) {
        c->stop = 1;
        c->fatal_code = code;
        snprintf(c->fatal, sizeof c->fatal, "%s: %s", path, msg);
    }
}

/* One worker: claim the next log, parse and pool it outside the lock,
 * then wait for its turn to append its rows. */
static void *worker(void *arg)
{
    cli *c = arg;
    sigmix_vmaflog_reader *rd = NULL;
    if (sigmix_vmaflog_reader_new(&rd)) {
        pthread_mutex_lock(&c->mu);
        set_fatal(c, 2, "vmaf-logs", "out of memory");
        pthread_cond_broadcast(&c->cv);
        pthread_mutex_unlock(&c->mu);
        return NULL;
    }
    sigmix_vmaflog_options o = { .keep_names = c->keep_names };
    for (;;) {
        pthread_mutex_lock(&c->mu);
        size_t i = c->next_claim;
        int stop = c->stop || i >= c->nin;
        if (!stop)
            c->next_claim++;
        pthread_mutex_unlock(&c->mu);
        if (stop)
            break;
        vl_input *in = &c->in[i];
        sigmix_error err = { 0 };
        sigmix_vmaflog *log = NULL;
        double *pooled = NULL;
        int r = 0, borrowed = 0, skip = c->sh.n && !in->mine;
        if (in->pre) {
            /* Merge: this log's result comes from its shard file. */
            borrowed = 1;
            if (in->pre->error) {
                r = SIGMIX_EFORMAT;
                snprintf(err.message, sizeof err.message, "%s", in->pre->error);
            } else {
                log = in->pre->log;
                pooled = in->pre->pooled;
            }
        } else if (!skip) {
            /* the provenance's hash, from the bytes parsed */
            o.digest = c->audit_json ? &in->digest : NULL;
            r = sigmix_vmaflog_read_file(rd, in->path, &o, &log, &err);
        }
        if (!r && !skip && !borrowed && !c->per_frame
            && sigmix_vmaflog_pool(log, c->stats, c->nstats, &pooled)) {
            r = SIGMIX_ENOMEM;
            snprintf(err.message, sizeof err.message, "out of memory");
        }
        if (r) {
            in->failed = 1;
            snprintf(in->error, sizeof in->error, "%s", err.message);
        } else if (!skip) {
            in->format = log->format;
            in->version = log->version ? strdup(log->version) : NULL;
            in->frames = log->nframes;
            in->metrics = log->nmetrics;
        }
        pthread_mutex_lock(&c->mu);
        while (c->next_add != i && !c->stop)
            pthread_cond_wait(&c->cv, &c->mu);
        if (!c->stop && c->sh.n) {
            /* A shard: its logs' lines, in input order. */
            FILE *sf = c->shard_file.f;
            if (in->failed && !c->skip_bad)
                set_fatal(c, 2, in->path, in->error);
            else if (!skip && in->failed) {
                c->bad++;
                if (sigmix_vmaflog_shard_write_error(sf, i, in->real, in->error))
                    set_fatal(c, 2, c->shard_out, "write error");
            } else if (!skip && (sigmix_vmaflog_shard_write_log(sf, i, in->real, log, c->per_frame,
                                                                pooled, c->nstats)
                                 || note_renames(c, log))) {
                set_fatal(c, 2, c->shard_out, "write error");
            }
            c->next_add++;
        } else if (!c->stop) {
            sigmix_error e2 = { 0 };
            if (in->failed && !c->skip_bad)
                set_fatal(c, 2, in->path, in->error);
            else if (in->failed) {
                c->bad++;
                if (sigmix_vmaflog_table_add_error(c->vt, in->key, in->error, &e2))
                    set_fatal(c, 2, in->path, e2.message);
            } else if (sigmix_vmaflog_table_add(c->vt, in->key, log, pooled, &e2)
                       || note_renames(c, log)) {
                set_fatal(c, 2, in->path, e2.code ? e2.message : "out of memory");
            }
            c->next_add++;
        }
        pthread_cond_broadcast(&c->cv);
        pthread_mutex_unlock(&c->mu);
        if (!borrowed) {
            free(pooled);
            sigmix_vmaflog_free(&log);
        }
    }
    sigmix_vmaflog_reader_free(&rd);
    return NULL;
}

/*
 * The audit report: the run's logs, versions, renames, labels and errors,
 * with run_provenance in the ADR-0661 layout (util/runprov), written as
 * the reference tools write reports (sorted keys, indent 2, final newline).
 * Returns 0 or -1 on OOM.
 */
static int write_provenance(cli *c, FILE *f, int argc, char **argv)
{
    sigmix_jdoc *d = sigmix_jdoc_new();
    sigmix_runprov *p = d ? sigmix_runprov_new(d, argc - 1, argv + 1) : NULL;
    if (!p) {
        sigmix_jdoc_free(d);
        return -1;
    }
    const char *stats[SIGMIX_VMAFLOG_NSTATS];
    for (size_t i = 0; i < c->nstats; i++)
        stats[i] = sigmix_vmaflog_stat_name(c->stats[i]);
    sigmix_runprov_arg_list(p, "logs", c->log_args, c->nlog_args);
    sigmix_runprov_arg_str(p, "out", c->out);
    sigmix_runprov_arg_bool(p, "per_frame", c->per_frame);
    sigmix_runprov_arg_list(p, "stats", stats, c->nstats);
    sigmix_runprov_arg_bool(p, "keep_names", c->keep_names);
    sigmix_runprov_arg_str(p, "key_normalize", key_names[c->key]);
    if (c->jobs)
        sigmix_runprov_arg_int(p, "jobs", c->jobs);
    else
        sigmix_runprov_arg_str(p, "jobs", NULL);
    sigmix_runprov_arg_bool(p, "skip_bad", c->skip_bad);
    sigmix_runprov_arg_str(p, "audit_json", c->audit_json);
    sigmix_runprov_arg_str(p, "labels", c->labels);
    sigmix_runprov_arg_str(p, "label_key", c->label_key);
    sigmix_runprov_arg_bool(p, "merge", c->sh.merge); /* a shard writes no report */
    if (c->sh.merge && c->sh.shards)
        sigmix_runprov_arg_int(p, "shards", c->sh.shards);
    else
        sigmix_runprov_arg_str(p, "shards", NULL);
    sigmix_runprov_arg_bool(p, "no_shard_env", c->sh.no_env);
    for (size_t i = 0; i < c->nin; i++) {
        const sigmix_read_digest *dg = &c->in[i].digest;
        sigmix_runprov_input_push(p, "logs", c->in[i].path, dg->sha256[0] ? dg->sha256 : NULL,
                                  dg->bytes);
        if (!c->in[i].failed)
            sigmix_runprov_input_rows(p, "logs", i, c->in[i].frames);
    }
    if (c->labels) {
        sigmix_runprov_input_known(p, "labels", c->labels,
                                   c->labels_digest.sha256[0] ? c->labels_digest.sha256 : NULL,
                                   c->labels_digest.bytes);
        sigmix_runprov_input_rows(p, "labels", 0, c->labels_rows);
    }
    sigmix_runprov_output(p, "output", c->out);
    sigmix_runprov_output(p, "audit_json", c->audit_json);

    sigmix_jv *root = sigmix_jv_obj(d);
    sigmix_jv_set(d, root, "output", sigmix_jv_str(d, c->out));
    sigmix_jv_set(d, root, "mode", sigmix_jv_str(d, c->per_frame ? "per-frame" : "per-clip"));
    sigmix_jv *la = sigmix_jv_arr(d), *errs = sigmix_jv_arr(d);
    for (size_t i = 0; i < c->nin; i++) {
        const vl_input *in = &c->in[i];
        sigmix_jv *o = sigmix_jv_obj(d);
        sigmix_jv_set(d, o, "path", sigmix_jv_str(d, in->path));
        sigmix_jv_set(d, o, "key", sigmix_jv_str(d, in->key));
        if (in->failed) {
            sigmix_jv_set(d, o, "error", sigmix_jv_str(d, in->error));
            sigmix_jv *e = sigmix_jv_obj(d);
            sigmix_jv_set(d, e, "path", sigmix_jv_str(d, in->path));
            sigmix_jv_set(d, e, "message", sigmix_jv_str(d, in->error));
            sigmix_jv_push(d, errs, e);
        } else {
            sigmix_jv_set(d, o, "format",
                          sigmix_jv_str(d, sigmix_vmaflog_format_name(in->format)));
            sigmix_jv_set(d, o, "version", sigmix_jv_str(d, in->version));
            sigmix_jv_set(d, o, "frames", sigmix_jv_int(d, (int64_t)in->frames));
            sigmix_jv_set(d, o, "metrics", sigmix_jv_int(d, (int64_t)in->metrics));
        }
        sigmix_jv_push(d, la, o);
    }
    sigmix_jv_set(d, root, "logs", la);
    sigmix_jv_set(d, root, "errors", errs);
    /* Versions seen, with counts (keys sorted on output). */
    sigmix_jv *vers = sigmix_jv_obj(d);
    for (size_t i = 0; i < c->nin; i++) {
        if (c->in[i].failed)
            continue;
        const char *name = c->in[i].version ? c->in[i].version : "unknown";
        sigmix_jv *had = sigmix_jv_get(vers, name);
        size_t n = 0;
        if (had)
            continue;
        for (size_t j = i; j < c->nin; j++) {
            const char *u = c->in[j].version;
            if (!c->in[j].failed && !strcmp(u ? u : "unknown", name))
                n++;
        }
        sigmix_jv_set(d, vers, name, sigmix_jv_int(d, (int64_t)n));
    }
    sigmix_jv_set(d, root, "versions", vers);
    sigmix_jv *ren = sigmix_jv_arr(d);
    for (size_t i = 0; i < c->nren; i++) {
        sigmix_jv *o = sigmix_jv_obj(d);
        sigmix_jv_set(d, o, "from", sigmix_jv_str(d, c->ren[i].from));
        sigmix_jv_set(d, o, "to", sigmix_jv_str(d, c->ren[i].to));
        sigmix_jv_set(d, o, "logs", sigmix_jv_int(d, (int64_t)c->ren[i].logs));
        sigmix_jv_push(d, ren, o);
    }
    sigmix_jv_set(d, root, "renames", ren);
    if (c->labels) {
        sigmix_jv *o = sigmix_jv_obj(d);
        sigmix_jv_set(d, o, "path", sigmix_jv_str(d, c->labels));
        sigmix_jv_set(d, o, "key_column", sigmix_jv_str(d, c->label_key));
        sigmix_jv_set(d, o, "rows", sigmix_jv_int(d, (int64_t)c->labels_rows));
        sigmix_jv_set(d, o, "labels_without_log", sigmix_jv_int(d, (int64_t)c->labels_unmatched));
        sigmix_jv_set(d, o, "rows_without_label", sigmix_jv_int(d, (int64_t)c->logs_unlabelled));
        sigmix_jv_set(d, root, "labels", o);
    }
    sigmix_jv_set(d, root, "run_provenance", sigmix_runprov_finish(p));
    int failed = sigmix_jdoc_failed(d);
    if (!failed)
        sigmix_jv_write(root, f, 2);
    sigmix_runprov_free(p);
    sigmix_jdoc_free(d);
    return failed ? -1 : 0;
}

/* FNV-1a: the labels' hash-join index. */
static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/*
 * --labels: a small hash join on the normalized key. Every column of the
 * labels table but its key is appended with its kind and values as read;
 * a row whose key has no label gets nulls; labels without a log are
 * counted and reported.
 */
static int join_labels(cli *c, sigmix_table *t)
{
    sigmix_table *lt = NULL;
    sigmix_error err = { 0 };
    sigmix_read_options ro;
    sigmix_read_options_default(&ro);
    if (c->audit_json)
        ro.digest = &c->labels_digest;
    if (sigmix_table_read(c->labels, &ro, &lt, &err)) {
        fprintf(stderr, "sigmix: %s: %s\n", c->labels, err.message);
        return 2;
    }
    int rc = 2;
    size_t nl = sigmix_table_rows(lt), nout = sigmix_table_rows(t);
    long kc = sigmix_table_find(lt, c->label_key);
    char **keys = calloc(nl + 1, sizeof *keys);
    size_t cap = 16;
    while (cap < 2 * nl)
        cap *= 2;
    long *slot = malloc(cap * sizeof *slot);
    uint8_t *used = calloc(nl + 1, 1);
    size_t *lcols = calloc(sigmix_table_cols(lt) + 1, sizeof *lcols);
    if (!keys || !slot || !used || !lcols) {
        fputs("sigmix: vmaf-logs: out of memory\n", stderr);
        goto out;
    }
    if (kc < 0) {
        fprintf(stderr, "sigmix: %s: no column '%s' (set --label-key)\n", c->labels, c->label_key);
        goto out;
    }
    if (sigmix_table_col(lt, (size_t)kc)->kind != SIGMIX_KIND_STRING
        && sigmix_table_convert(lt, (size_t)kc, SIGMIX_KIND_STRING)) {
        fprintf(stderr, "sigmix: %s: column '%s' cannot serve as a key\n", c->labels, c->label_key);
        goto out;
    }
    for (size_t i = 0; i < cap; i++)
        slot[i] = -1;
    const sigmix_column *kcol = sigmix_table_col(lt, (size_t)kc);
    for (size_t r = 0; r < nl; r++) {
        if (!kcol->valid[r])
            continue; /* a label without a key cannot match anything */
        if (!(keys[r] = make_key(kcol->str[r].ptr, c->key))) {
            fputs("sigmix: vmaf-logs: out of memory\n", stderr);
            goto out;
        }
        size_t h = (size_t)hash_str(keys[r]) & (cap - 1);
        for (; slot[h] >= 0; h = (h + 1) & (cap - 1))
            if (!strcmp(keys[slot[h]], keys[r])) {
                fprintf(stderr, "sigmix: %s: key '%s' on rows %ld and %zu\n", c->labels, keys[r],
                        slot[h] + 1, r + 1);
                goto out;
            }
        slot[h] = (long)r;
    }
    /* Append the label columns. */
    size_t nlc = 0;
    for (size_t j = 0; j < sigmix_table_cols(lt); j++) {
        if ((long)j == kc)
            continue;
        const sigmix_column *lc = sigmix_table_col(lt, j);
        size_t idx;
        if (sigmix_table_find(t, lc->name) >= 0) {
            fprintf(stderr, "sigmix: %s: label column '%s' is also a vmaf-logs column\n",
                    c->labels, lc->name);
            goto out;
        }
        if (sigmix_table_add_column(t, lc->name, lc->kind, &idx)) {
            fputs("sigmix: vmaf-logs: out of memory\n", stderr);
            goto out;
        }
        sigmix_table_col_mut(t, idx)->flags = lc->flags;
        lcols[j] = idx;
        nlc++;
    }
    const sigmix_column *okey = sigmix_table_col(t, 0);
    for (size_t r = 0; r < nout; r++) {
        long hit = -1;
        if (okey->valid[r]) {
            size_t h = (size_t)hash_str(okey->str[r].ptr) & (cap - 1);
            for (; slot[h] >= 0; h = (h + 1) & (cap - 1))
                if (!strcmp(keys[slot[h]], okey->str[r].ptr)) {
                    hit = slot[h];
                    break;
                }
        }
        if (hit < 0) {
            c->logs_unlabelled++;
            continue;
        }
        used[hit] = 1;
        for (size_t j = 0; j < sigmix_table_cols(lt); j++) {
            if ((long)j == kc)
                continue;
            const sigmix_column *lc = sigmix_table_col(lt, j);
            size_t lr = (size_t)hit;
            if (!lc->valid[lr])
                continue;
            switch (lc->kind) {
            case SIGMIX_KIND_INT64: sigmix_table_set_int64(t, lcols[j], r, lc->i64[lr]); break;
            case SIGMIX_KIND_DOUBLE:
            case SIGMIX_KIND_BOOL: sigmix_table_set_double(t, lcols[j], r, lc->f64[lr]); break;
            default:
                if (sigmix_table_set_string(t, lcols[j], r, lc->str[lr].ptr, lc->str[lr].len)) {
                    fputs("sigmix: vmaf-logs: out of memory\n", stderr);
                    goto out;
                }
            }
        }
    }
    c->labels_rows = nl;
    for (size_t r = 0; r < nl; r++)
        if (keys[r] && !used[r] && c->labels_unmatched++ == 0)
            c->first_unmatched = strdup(keys[r]);
    /* Per frame, one label matches many rows; per clip, one row. */
    if (c->labels_unmatched)
        fprintf(stderr, "sigmix: %s: %zu label(s) without a log (first: '%s')\n", c->labels,
                c->labels_unmatched, c->first_unmatched ? c->first_unmatched : "?");
    (void)nlc;
    rc = 0;
out:
    for (size_t r = 0; keys && r < nl; r++)
        free(keys[r]);
    free(keys);
    free(slot);
    free(used);
    free(lcols);
    sigmix_table_free(&lt);
    return rc;
}

static int run(cli *c, int argc, char **argv)
{
    sigmix_vmaflog_table_options to = { .per_frame = c->per_frame, .stats = c->stats,
                                        .nstats = c->nstats };
    if (sigmix_vmaflog_table_new(&to, &c->vt)) {
        return oom();
    }
    /* libxml2's global setup must happen before threads use it. */
    sigmix_vmaflog_reader *probe = NULL;
    if (sigmix_vmaflog_reader_new(&probe)) {
        return oom();
    }
    sigmix_vmaflog_reader_free(&probe);
    int jobs = c->jobs;
    if (jobs <= 0) {
        int n = sigmix_cpu_count(); /* affinity and cgroup quota, as every command */
        jobs = n > 64 ? 64 : n;
    }
    if ((size_t)jobs > c->nin)
        jobs = (int)c->nin;
    if (c->sh.n) {
        /* The shard file's temporary receives the lines as they come. */
        sigmix_error e = { 0 };
        sigmix_vmaflog_shard_header h = { .k = c->sh.k, .n = c->sh.n,
                                          .per_frame = c->per_frame, .logs = c->shard_logs,
                                          .nstats = c->per_frame ? 0 : c->nstats };
        memcpy(h.input_sha256, c->input_sha, sizeof h.input_sha256);
        memcpy(h.config_sha256, c->config_sha, sizeof h.config_sha256);
        if (sigmix_atomic_open(&c->shard_file, c->shard_out, 1, &e)
            || sigmix_vmaflog_shard_write_header(c->shard_file.f, &h)) {
            fprintf(stderr, "sigmix: %s: %s\n", c->shard_out, e.code ? e.message : "write error");
            sigmix_atomic_abort(&c->shard_file);
            return 2;
        }
    }
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->cv, NULL);
    pthread_t *th = calloc((size_t)jobs, sizeof *th);
    int started = 0;
    for (int i = 0; th && i < jobs; i++)
        if (!pthread_create(&th[i], NULL, worker, c))
            started++;
        else
            break;
    if (!started)
        worker(c); /* no thread could start: do the work here */
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    free(th);
    pthread_cond_destroy(&c->cv);
    pthread_mutex_destroy(&c->mu);
    if (c->stop) {
        sigmix_atomic_abort(&c->shard_file);
        fprintf(stderr, "sigmix: %s\n", c->fatal);
        return c->fatal_code ? c->fatal_code : 2;
    }
    sigmix_error err = { 0 };
    if (c->sh.n) {
        if (sigmix_atomic_commit(&c->shard_file, &err)) {
            fprintf(stderr, "sigmix: %s: %s\n", c->shard_out, err.message);
            return 2;
        }
        /* 0 even with bad logs (--skip-bad): the merge reports them, and a
         * dependent merge job (afterok) must run. */
        fprintf(stderr, "sigmix vmaf-logs: shard %d of %d: logs=%zu bad=%zu wrote=%s\n",
                c->sh.k, c->sh.n, c->shard_logs, c->bad, c->shard_out);
        return 0;
    }
    sigmix_table *t = NULL;
    sigmix_vmaflog_table_finish(c->vt, &t, &err);
    if (c->labels && join_labels(c, t)) {
        sigmix_table_free(&t);
        return 2;
    }
    /* The table and the report are one output set: both appear or
     * neither, and a failed commit puts back what it replaced. */
    sigmix_outset *set = NULL;
    FILE *tf = NULL, *af = NULL;
    const char *at = c->out;
    sigmix_write_options wo;
    sigmix_write_options_default(&wo);
    wo.threads = c->jobs; /* --jobs sets the Parquet encoders too (0: automatic) */
    int r = sigmix_outset_new(&set, &err);
    if (!r && !(r = sigmix_outset_add(set, c->out, &tf, &err)))
        r = sigmix_table_write_stream(t, tf, c->out, &wo, &err);
    if (!r && c->audit_json) {
        at = c->audit_json;
        if (!(r = sigmix_outset_add(set, c->audit_json, &af, &err))
            && write_provenance(c, af, argc, argv)) {
            sigmix_outset_free(&set);
            sigmix_table_free(&t);
            fprintf(stderr, "sigmix: %s: out of memory\n", c->audit_json);
            return 2;
        }
    }
    const char *bad = NULL; /* points into the set: compare before freeing it */
    if (!r && (r = sigmix_outset_commit(set, &bad, &err)))
        at = bad && c->audit_json && !strcmp(bad, c->audit_json) ? c->audit_json : c->out;
    sigmix_outset_free(&set);
    size_t rows = sigmix_table_rows(t), cols = sigmix_table_cols(t);
    sigmix_table_free(&t);
    if (r) {
        fprintf(stderr, "sigmix: %s: %s\n", at, err.message);
        return 2;
    }
    if (c->sh.merge)
        fprintf(stderr, "sigmix vmaf-logs: merge: %zu logs from %zu shard files, %zu read here\n",
                c->from_shards, c->nshards, c->nin - c->from_shards);
    fprintf(stderr, "sigmix vmaf-logs: logs=%zu bad=%zu rows=%zu columns=%zu wrote=%s\n",
            c->nin, c->bad, rows, cols, c->out);
    return c->bad ? 1 : 0;
}

static void release(cli *c)
{
    for (size_t i = 0; i < c->nin; i++) {
        free(c->in[i].path);
        free(c->in[i].key);
        free(c->in[i].version);
        free(c->in[i].real);
    }
    for (size_t i = 0; i < c->nshards; i++)
        sigmix_vmaflog_shard_free(&c->shards[i]);
    free(c->shards);
    free(c->shard_out);
    free(c->in);
    for (size_t i = 0; i < c->nren; i++) {
        free(c->ren[i].from);
        free(c->ren[i].to);
    }
    free(c->ren);
    free(c->first_unmatched);
    sigmix_vmaflog_table_free(&c->vt);
}

int cmd_vmaf_logs(int argc, char **argv)
{
    cli c;
    memset(&c, 0, sizeof c);
    for (int i = 0; i < SIGMIX_VMAFLOG_NSTATS; i++)
        c.stats[i] = (sigmix_vmaflog_stat)i;
    c.nstats = SIGMIX_VMAFLOG_NSTATS;
    /* getopt_long moves the LOGS after the options: provenance records
     * the arguments as given, so keep them in order. */
    char **given = calloc((size_t)argc + 1, sizeof *given);
    if (!given) {
        return oom();
    }
    memcpy(given, argv, (size_t)argc * sizeof *given);
    int rc = parse_args(argc, argv, &c);
    if (rc < 0)
        rc = run(&c, argc, given);
    release(&c);
    free(given);
    return rc;
}
