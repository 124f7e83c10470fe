/*
 * sigmix mos-labels: options of upstream's materialize_mos_labels.py (and,
 * with --manifest, of its batch runner). All logic lives behind
 * sigmix/join.h.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sigmix/join.h"
#include "sigmix/runprov.h"
#include "cmd.h"

#define CMD "mos-labels"

static void help(FILE *f)
{
    fputs("Usage: sigmix mos-labels --features TABLE --labels TABLE [--labels ...] --out TABLE\n"
          "                         [OPTIONS]\n"
          "       sigmix mos-labels --manifest M.json [--base-dir DIR] [--fail-fast]\n"
          "                         [--report-json F] [--report-md F]\n\n"
          "Join subjective MOS labels onto a feature table: mos (1-5), mos_raw_0_100, a status\n"
          "column (ok / missing-label), mos_label_source and the copied label columns\n"
          "(mos_std_dev, mos_n_ratings, split, corpus, corpus_version). A label above 5, or\n"
          "in a column named mos_raw_0_100, is on the 0-100 scale. Tables: .parquet/.pq,\n"
          ".jsonl/.ndjson, .json, .csv (text also .gz/.zst). Keys are compared as text.\n\n"
          "Options:\n"
          "      --features TABLE            input feature table\n"
          "      --labels TABLE              label table (repeatable)\n"
          "      --out TABLE                 output table; format by extension\n"
          "      --audit-json PATH           audit JSON (match rate, counts, provenance)\n"
          "      --feature-key-column C      feature key column (default: first of key,\n"
          "                                  clip_key, clip_id, video_id, chug_video_id,\n"
          "                                  content_id, clip_name, file_name, filename,\n"
          "                                  basename, name, src, source, src_path,\n"
          "                                  distorted_path, dis_path, path; any case)\n"
          "      --label-key-column C        label key column (same candidates)\n"
          "      --label-mos-column C        label MOS column (default: first of mos, MOS,\n"
          "                                  mean_mos, mos_raw_0_100, raw_mos, score, quality)\n"
          "      --key-normalize MODE        auto|raw|basename|stem (default auto: basename\n"
          "                                  when the key's name has path, file, name or src)\n"
          "      --feature-key-regex RE      applied to feature keys after normalization;\n"
          "                                  group 1 wins (POSIX ERE plus \\d \\w \\s)\n"
          "      --label-key-regex RE        the same for label keys\n"
          "      --min-match-rate R          unique-key match rate required before anything\n"
          "                                  is written (default 0.95)\n"
          "      --status-column C           status column name (default mos_label_status)\n"
          "      --overwrite                 replace existing MOS columns\n"
          "  -j, --threads N                 reader and Parquet writer threads (default: all cores)\n"
          "Batch mode:\n"
          "      --manifest M.json           run every table of a manifest\n"
          "      --base-dir DIR              base of relative manifest paths (default: the\n"
          "                                  manifest's folder)\n"
          "      --fail-fast                 stop after the first failed table\n"
          "      --report-json PATH          batch report JSON\n"
          "      --report-md PATH            batch report Markdown\n"
          "  -h, --help                      show this help and exit\n\n"
          "Nothing is written unless the whole join succeeds. The audit JSON carries\n"
          "run_provenance (ai-run-provenance-v1), keys sorted.\n"
          "Exit status: 0 success, 1 a batch table failed, 2 usage, input or manifest error.\n", f);
}

enum { O_FEAT = 256, O_LABELS, O_OUT, O_AUDIT, O_FKC, O_LKC, O_LMC, O_KN, O_FRE, O_LRE, O_MMR,
       O_STATUS, O_OVER };

int cmd_mos_labels(int argc, char **argv)
{
    static const struct option opts[] = {
        { "features", required_argument, NULL, O_FEAT },
        { "labels", required_argument, NULL, O_LABELS },
        { "out", required_argument, NULL, O_OUT },
        { "audit-json", required_argument, NULL, O_AUDIT },
        { "feature-key-column", required_argument, NULL, O_FKC },
        { "label-key-column", required_argument, NULL, O_LKC },
        { "label-mos-column", required_argument, NULL, O_LMC },
        { "key-normalize", required_argument, NULL, O_KN },
        { "feature-key-regex", required_argument, NULL, O_FRE },
        { "label-key-regex", required_argument, NULL, O_LRE },
        { "min-match-rate", required_argument, NULL, O_MMR },
        { "status-column", required_argument, NULL, O_STATUS },
        { "overwrite", no_argument, NULL, O_OVER },
        CMD_JOIN_LONGOPTS,
        { NULL, 0, NULL, 0 },
    };
    sigmix_mos_options o;
    memset(&o, 0, sizeof o);
    o.min_match_rate = 0.95;
    sigmix_batch_options b;
    memset(&b, 0, sizeof b);
    const char **labels = calloc((size_t)argc + 1, sizeof *labels);
    if (!labels)
        return 2;
    size_t nlabels = 0;
    const char *kn = "auto";
    int single = 0, rc = 2;
    cmd_join_common jc = { 0, 0, 0 };
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":j:h", opts, NULL)) != -1) {
        switch (c) {
        case O_FEAT: o.features = optarg; single = 1; break;
        case O_LABELS: labels[nlabels++] = optarg; single = 1; break;
        case O_OUT: o.out = optarg; single = 1; break;
        case O_AUDIT: o.audit_json = optarg; single = 1; break;
        case O_FKC: o.feature_key_column = optarg; single = 1; break;
        case O_LKC: o.label_key_column = optarg; single = 1; break;
        case O_LMC: o.label_mos_column = optarg; single = 1; break;
        case O_KN: kn = optarg; single = 1; break;
        case O_FRE: o.feature_key_regex = optarg; single = 1; break;
        case O_LRE: o.label_key_regex = optarg; single = 1; break;
        case O_MMR: {
            char *end;
            errno = 0;
            double v = strtod(optarg, &end);
            if (!*optarg || *end || errno) {
                rc = cmd_usage(CMD, "--min-match-rate needs a number, not '%s'", optarg);
                goto out;
            }
            o.min_match_rate = v;
            single = 1;
            break;
        }
        case O_STATUS: o.status_column = optarg; single = 1; break;
        case O_OVER: o.overwrite = 1; single = 1; break;
        default:
            if ((rc = cmd_join_option(CMD, c, argv, &b, &jc, help)) >= 0)
                goto out;
            rc = 2; /* consumed: go on */
            break;
        }
    }
    if (optind < argc) {
        rc = cmd_usage(CMD, "unexpected argument '%s'", argv[optind]);
        goto out;
    }
    o.threads = jc.threads;
    if (jc.batch) {
        const char *why = cmd_join_batch_misuse(&b, single);
        rc = why ? cmd_usage(CMD, "%s", why)
                 : cmd_join_batch_run(&b, SIGMIX_JOIN_MOS_LABELS, argc, argv, jc.threads_given);
        goto out;
    }
    if (!o.features || !nlabels || !o.out) {
        rc = cmd_usage(CMD, "--features, --labels and --out are required");
        goto out;
    }
    if (sigmix_key_mode_parse(kn, &o.key_normalize)) {
        rc = cmd_usage(CMD, "--key-normalize must be auto, raw, basename or stem, not '%s'", kn);
        goto out;
    }
    o.labels = labels;
    o.nlabels = nlabels;

    const char *outs[2] = { o.out, o.audit_json };
    if ((rc = cmd_check_outputs(outs, 2)))
        goto out;
    sigmix_jdoc *d = sigmix_jdoc_new();
    sigmix_runprov *p = d ? sigmix_runprov_new(d, argc - 1, argv + 1) : NULL;
    if (!p) {
        sigmix_jdoc_free(d);
        fputs("sigmix: out of memory\n", stderr);
        goto out;
    }
    sigmix_runprov_arg_str(p, "features", o.features);
    sigmix_runprov_arg_list(p, "labels", labels, nlabels);
    sigmix_runprov_arg_str(p, "out", o.out);
    sigmix_runprov_arg_str(p, "audit_json", o.audit_json);
    sigmix_runprov_arg_str(p, "feature_key_column", o.feature_key_column);
    sigmix_runprov_arg_str(p, "label_key_column", o.label_key_column);
    sigmix_runprov_arg_str(p, "label_mos_column", o.label_mos_column);
    sigmix_runprov_arg_str(p, "key_normalize", kn);
    sigmix_runprov_arg_str(p, "feature_key_regex", o.feature_key_regex);
    sigmix_runprov_arg_str(p, "label_key_regex", o.label_key_regex);
    sigmix_runprov_arg_num(p, "min_match_rate", o.min_match_rate);
    sigmix_runprov_arg_str(p, "status_column", o.status_column ? o.status_column : "mos_label_status");
    sigmix_runprov_arg_bool(p, "overwrite", o.overwrite);
    if (jc.threads_given)
        sigmix_runprov_arg_int(p, "threads", jc.threads);
    else
        sigmix_runprov_arg_str(p, "threads", NULL);
    /* inputs: the join records each table as it reads it (hashed once). */
    sigmix_runprov_output(p, "out", o.out);
    sigmix_runprov_output(p, "audit_json", o.audit_json);
    sigmix_error err;
    memset(&err, 0, sizeof err);
    if (sigmix_mos_labels(&o, p, NULL, &err)) {
        fprintf(stderr, "sigmix: %s\n", err.message);
        rc = 2;
    } else {
        rc = 0;
    }
    sigmix_runprov_free(p);
    sigmix_jdoc_free(d);
out:
    free(labels);
    return rc;
}
