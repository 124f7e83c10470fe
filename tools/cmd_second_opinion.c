/*
 * sigmix second-opinion: options of upstream's
 * materialize_second_opinion_features.py (and, with --manifest, of its
 * batch runner). All logic lives behind sigmix/join.h.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sigmix/join.h"
#include "sigmix/runprov.h"
#include "cmd.h"

#define CMD "second-opinion"

static void help(FILE *f)
{
    fputs("Usage: sigmix second-opinion --features TABLE --scores [LABEL=]FILE [--scores ...]\n"
          "                             --out TABLE [OPTIONS]\n"
          "       sigmix second-opinion --manifest M.json [--base-dir DIR] [--fail-fast]\n"
          "                             [--report-json F] [--report-md F]\n\n"
          "Join externally computed no-reference/MOS scores (DOVER, Q-Align, FAST-VQA, ...)\n"
          "onto a feature table as PREFIX_<competitor>_{score,status,runtime_ms,frames,source}.\n"
          "Features: .parquet/.pq, .jsonl/.ndjson, .json, .csv (text also .gz/.zst).\n"
          "Scores: .jsonl/.ndjson (one payload a line) or .json (a list, {\"rows\": [...]},\n"
          "{\"results\": [...]} or one payload). Keys are compared as text.\n\n"
          "Options:\n"
          "      --features TABLE            input feature table\n"
          "      --scores [LABEL=]FILE       score file (repeatable); LABEL names the\n"
          "                                  competitor when the payloads do not\n"
          "      --out TABLE                 output table; format by extension\n"
          "      --audit-json PATH           audit JSON with per-competitor counters\n"
          "      --key-column C              feature key column (default: first of clip_id,\n"
          "                                  video_id, chug_video_id, content_id, file_name,\n"
          "                                  filename, basename, name, distorted_path,\n"
          "                                  dis_path, path; any case)\n"
          "      --score-key-field F         key field of the score payloads (default: the\n"
          "                                  same candidates, then summary.*)\n"
          "      --score-field F             scalar score field (default: score, mos,\n"
          "                                  predicted_mos, predicted_vmaf_or_mos, quality,\n"
          "                                  vmaf; then summary.*; then the mean of frames[])\n"
          "      --key-normalize MODE        auto|raw|basename|stem (default auto: basename\n"
          "                                  when the key's name has path, file or name)\n"
          "      --missing-policy P          mark|drop|fail rows without a score (default mark)\n"
          "      --prefix P                  output column prefix (default second_opinion)\n"
          "      --overwrite                 replace existing output columns\n"
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

enum { O_FEAT = 256, O_SCORES, O_OUT, O_AUDIT, O_KEYCOL, O_SKF, O_SF, O_KN, O_MP, O_PREFIX,
       O_OVER };

int cmd_second_opinion(int argc, char **argv)
{
    static const struct option opts[] = {
        { "features", required_argument, NULL, O_FEAT },
        { "scores", required_argument, NULL, O_SCORES },
        { "out", required_argument, NULL, O_OUT },
        { "audit-json", required_argument, NULL, O_AUDIT },
        { "key-column", required_argument, NULL, O_KEYCOL },
        { "score-key-field", required_argument, NULL, O_SKF },
        { "score-field", required_argument, NULL, O_SF },
        { "key-normalize", required_argument, NULL, O_KN },
        { "missing-policy", required_argument, NULL, O_MP },
        { "prefix", required_argument, NULL, O_PREFIX },
        { "overwrite", no_argument, NULL, O_OVER },
        CMD_JOIN_LONGOPTS,
        { NULL, 0, NULL, 0 },
    };
    sigmix_so_options o;
    memset(&o, 0, sizeof o);
    sigmix_batch_options b;
    memset(&b, 0, sizeof b);
    const char **scores = calloc((size_t)argc + 1, sizeof *scores);
    if (!scores)
        return 2;
    size_t nscores = 0;
    const char *kn = "auto", *mp = "mark";
    int single = 0, rc = 2;
    cmd_join_common jc = { 0, 0, 0 };
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":j:h", opts, NULL)) != -1) {
        switch (c) {
        case O_FEAT: o.features = optarg; single = 1; break;
        case O_SCORES: scores[nscores++] = optarg; single = 1; break;
        case O_OUT: o.out = optarg; single = 1; break;
        case O_AUDIT: o.audit_json = optarg; single = 1; break;
        case O_KEYCOL: o.key_column = optarg; single = 1; break;
        case O_SKF: o.score_key_field = optarg; single = 1; break;
        case O_SF: o.score_field = optarg; single = 1; break;
        case O_KN: kn = optarg; single = 1; break;
        case O_MP: mp = optarg; single = 1; break;
        case O_PREFIX: o.prefix = optarg; single = 1; break;
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
                 : cmd_join_batch_run(&b, SIGMIX_JOIN_SECOND_OPINION, argc, argv, jc.threads_given);
        goto out;
    }
    if (!o.features || !nscores || !o.out) {
        rc = cmd_usage(CMD, "--features, --scores and --out are required");
        goto out;
    }
    if (sigmix_key_mode_parse(kn, &o.key_normalize)) {
        rc = cmd_usage(CMD, "--key-normalize must be auto, raw, basename or stem, not '%s'", kn);
        goto out;
    }
    if (!strcmp(mp, "mark"))
        o.missing_policy = SIGMIX_MISSING_MARK;
    else if (!strcmp(mp, "drop"))
        o.missing_policy = SIGMIX_MISSING_DROP;
    else if (!strcmp(mp, "fail"))
        o.missing_policy = SIGMIX_MISSING_FAIL;
    else {
        rc = cmd_usage(CMD, "--missing-policy must be mark, drop or fail, not '%s'", mp);
        goto out;
    }
    o.scores = scores;
    o.nscores = nscores;

    const char *outs[2] = { o.out, o.audit_json };
    if ((rc = cmd_check_outputs(outs, 2)))
        goto out;
    /* Provenance as upstream's argparse namespace records it. */
    sigmix_jdoc *d = sigmix_jdoc_new();
    sigmix_runprov *p = d ? sigmix_runprov_new(d, argc - 1, argv + 1) : NULL;
    if (!p) {
        sigmix_jdoc_free(d);
        fputs("sigmix: out of memory\n", stderr);
        goto out;
    }
    sigmix_runprov_arg_str(p, "features", o.features);
    sigmix_runprov_arg_list(p, "scores", scores, nscores);
    sigmix_runprov_arg_str(p, "out", o.out);
    sigmix_runprov_arg_str(p, "audit_json", o.audit_json);
    sigmix_runprov_arg_str(p, "key_column", o.key_column);
    sigmix_runprov_arg_str(p, "score_key_field", o.score_key_field);
    sigmix_runprov_arg_str(p, "score_field", o.score_field);
    sigmix_runprov_arg_str(p, "key_normalize", kn);
    sigmix_runprov_arg_str(p, "missing_policy", mp);
    sigmix_runprov_arg_str(p, "prefix", o.prefix ? o.prefix : "second_opinion");
    sigmix_runprov_arg_bool(p, "overwrite", o.overwrite);
    if (jc.threads_given)
        sigmix_runprov_arg_int(p, "threads", jc.threads);
    else
        sigmix_runprov_arg_str(p, "threads", NULL);
    /* inputs: the join records each file as it reads it (once), and only
     * when there is an audit JSON to hold them. */
    sigmix_runprov_output(p, "out", o.out);
    sigmix_runprov_output(p, "audit_json", o.audit_json);
    sigmix_error err;
    memset(&err, 0, sizeof err);
    if (sigmix_second_opinion(&o, o.audit_json ? p : NULL, NULL, &err)) {
        fprintf(stderr, "sigmix: %s\n", err.message);
        rc = 2;
    } else {
        rc = 0;
    }
    sigmix_runprov_free(p);
    sigmix_jdoc_free(d);
out:
    free(scores);
    return rc;
}
