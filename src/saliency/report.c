/*
 * The saliency --audit-json report, in the reference tool's layout
 * (materialize_saliency_features.py): input, output, a flat config of its
 * keys, summary{total, ok, skipped_existing, failed} and run_provenance
 * (ADR-0661, util/runprov). What only sigmix knows (per-status counts,
 * clips, timings, effective settings) goes under "sigmix", so readers of
 * the reference layout see nothing else change.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "saliency/internal.h"
#include "sigmix/output.h"
#include "sigmix/saliency.h"
#include "util/error.h"
#include "util/runprov.h"

int sigmix_saliency_hash_input(const char *path, char hex[65], uint64_t *size, int *fd,
                               sigmix_error *err)
{
    return sigmix_sal_hash_input(path, hex, size, fd, err);
}

int sigmix_saliency_write_table(FILE *f, const char *path, const sigmix_table *t,
                                const sigmix_saliency_settings *s,
                                const sigmix_saliency_report *rep, const char *input_sha256,
                                sigmix_error *err)
{
    char alpha[40]; /* the configured alpha whatever the aggregator, as the columns */
    snprintf(alpha, sizeof alpha, "%.17g", s->ema_alpha);
    const char *kv[] = {
        "sigmix.version", sigmix_version(),
        "sigmix.saliency.model_id", rep->model_id,
        "sigmix.saliency.aggregator", sigmix_saliency_reducer_name(s->reducer),
        "sigmix.saliency.ema_alpha", alpha,
        "sigmix.saliency.model_sha256", rep->model_sha256,
        "sigmix.saliency.input_sha256", input_sha256 ? input_sha256 : "",
        NULL, NULL,
    };
    sigmix_write_options o;
    sigmix_write_options_default(&o);
    o.kv_metadata = kv;
    o.threads = s->jobs; /* --jobs sets the Parquet encoders too (0: automatic) */
    return sigmix_table_write_stream(t, f, path, &o, err);
}

static const char *or_default(const char *v, const char *def) { return v ? v : def; }

/* The reference tool's SaliencyMaterializeConfig, field for field. */
static sigmix_jv *config(sigmix_jdoc *d, const sigmix_saliency_settings *s,
                         const sigmix_saliency_run_info *info)
{
    sigmix_jv *o = sigmix_jv_obj(d);
    sigmix_jv_set(d, o, "path_column", sigmix_jv_str(d, s->path_column));
    sigmix_jv_set(d, o, "width_column", sigmix_jv_str(d, s->width_column));
    sigmix_jv_set(d, o, "height_column", sigmix_jv_str(d, s->height_column));
    sigmix_jv_set(d, o, "root", sigmix_jv_str(d, s->root));
    sigmix_jv_set(d, o, "ffmpeg_bin", sigmix_jv_str(d, or_default(info->ffmpeg_bin, "ffmpeg")));
    sigmix_jv_set(d, o, "ffprobe_bin",
                  sigmix_jv_str(d, or_default(info->ffprobe_bin, "ffprobe")));
    sigmix_jv_set(d, o, "model_path", sigmix_jv_str(d, s->model_path));
    sigmix_jv_set(d, o, "model_id", sigmix_jv_str(d, s->model_id)); /* as given */
    sigmix_jv_set(d, o, "max_frames", sigmix_jv_int(d, s->max_frames));
    sigmix_jv_set(d, o, "frame_samples", sigmix_jv_int(d, s->frame_samples));
    sigmix_jv_set(d, o, "temporal_aggregator",
                  sigmix_jv_str(d, sigmix_saliency_reducer_name(s->reducer)));
    sigmix_jv_set(d, o, "ema_alpha", sigmix_jv_num(d, s->ema_alpha));
    sigmix_jv_set(d, o, "overwrite", sigmix_jv_bool(d, s->overwrite));
    sigmix_jv_set(d, o, "status_column", sigmix_jv_str(d, s->status_column));
    sigmix_jv_set(d, o, "model_id_column", sigmix_jv_str(d, s->model_id_column));
    sigmix_jv_set(d, o, "aggregator_column", sigmix_jv_str(d, s->aggregator_column));
    sigmix_jv_set(d, o, "ema_alpha_column", sigmix_jv_str(d, s->ema_alpha_column));
    sigmix_jv_set(d, o, "default_width", sigmix_jv_int(d, s->default_width));
    sigmix_jv_set(d, o, "default_height", sigmix_jv_int(d, s->default_height));
    return o;
}

/* Every option by its long name, as argparse's namespace holds it. */
static void args(sigmix_runprov *p, const sigmix_saliency_settings *s,
                 const sigmix_saliency_run_info *info)
{
    sigmix_runprov_arg_str(p, "input", info->input);
    sigmix_runprov_arg_str(p, "output", info->output);
    sigmix_runprov_arg_str(p, "audit_json", info->audit_json);
    sigmix_runprov_arg_str(p, "path_column", s->path_column);
    sigmix_runprov_arg_str(p, "width_column", s->width_column);
    sigmix_runprov_arg_str(p, "height_column", s->height_column);
    sigmix_runprov_arg_str(p, "root", s->root);
    sigmix_runprov_arg_str(p, "ffmpeg_bin", or_default(info->ffmpeg_bin, "ffmpeg"));
    sigmix_runprov_arg_str(p, "ffprobe_bin", or_default(info->ffprobe_bin, "ffprobe"));
    sigmix_runprov_arg_str(p, "model_path", s->model_path);
    sigmix_runprov_arg_str(p, "model_id", s->model_id);
    sigmix_runprov_arg_int(p, "max_frames", s->max_frames);
    sigmix_runprov_arg_int(p, "frame_samples", s->frame_samples);
    sigmix_runprov_arg_str(p, "temporal_aggregator", sigmix_saliency_reducer_name(s->reducer));
    sigmix_runprov_arg_num(p, "ema_alpha", s->ema_alpha);
    sigmix_runprov_arg_bool(p, "overwrite", s->overwrite);
    sigmix_runprov_arg_str(p, "status_column", s->status_column);
    sigmix_runprov_arg_str(p, "model_id_column", s->model_id_column);
    sigmix_runprov_arg_str(p, "aggregator_column", s->aggregator_column);
    sigmix_runprov_arg_str(p, "ema_alpha_column", s->ema_alpha_column);
    sigmix_runprov_arg_int(p, "default_width", s->default_width);
    sigmix_runprov_arg_int(p, "default_height", s->default_height);
    /* sigmix's own options */
    sigmix_runprov_arg_bool(p, "allow_outside_root", s->allow_outside_root);
    sigmix_runprov_arg_str(p, "raw_pix_fmt", or_default(s->raw_pix_fmt, "yuv420p"));
    sigmix_runprov_arg_bool(p, "in_place", info->in_place);
    if (s->jobs)
        sigmix_runprov_arg_int(p, "jobs", s->jobs);
    else
        sigmix_runprov_arg_str(p, "jobs", NULL); /* automatic */
    sigmix_runprov_arg_int(p, "max_pixels", s->max_pixels);
    sigmix_runprov_arg_bool(p, "quiet", info->quiet);
}

static sigmix_jv *extras(sigmix_jdoc *d, const sigmix_saliency_settings *s,
                         const sigmix_saliency_report *rep,
                         const sigmix_saliency_run_info *info)
{
    sigmix_jv *o = sigmix_jv_obj(d);
    sigmix_jv *by = sigmix_jv_obj(d);
    for (int i = 0; i < SIGMIX_SAL_NSTATUS; i++)
        sigmix_jv_set(d, by, sigmix_saliency_status_name(i),
                      sigmix_jv_int(d, (int64_t)rep->by_status[i]));
    sigmix_jv_set(d, o, "by_status", by);
    sigmix_jv *clips = sigmix_jv_obj(d);
    sigmix_jv_set(d, clips, "distinct", sigmix_jv_int(d, (int64_t)rep->clips));
    sigmix_jv_set(d, clips, "from_journal", sigmix_jv_int(d, (int64_t)rep->clips_from_journal));
    sigmix_jv_set(d, o, "clips", clips);
    sigmix_jv *tm = sigmix_jv_obj(d);
    const char *k[] = { "decode", "convert", "model", "reduce", "wall" };
    const double v[] = { rep->t_decode, rep->t_convert, rep->t_model, rep->t_reduce, rep->t_wall };
    for (int i = 0; i < 5; i++)
        sigmix_jv_set(d, tm, k[i], sigmix_jv_num(d, v[i]));
    sigmix_jv_set(d, o, "timings_s", tm);
    sigmix_jv_set(d, o, "skipped_other_model", sigmix_jv_int(d, (int64_t)rep->skipped_other_model));
    /* the effective settings */
    sigmix_jv_set(d, o, "model", sigmix_jv_str(d, s->model_path ? "onnx" : "spectral_residual"));
    sigmix_jv_set(d, o, "model_id", sigmix_jv_str(d, rep->model_id));
    sigmix_jv_set(d, o, "model_sha256",
                  sigmix_jv_str(d, rep->model_sha256[0] ? rep->model_sha256 : NULL));
    sigmix_jv_set(d, o, "frame_samples", sigmix_jv_int(d, rep->frame_samples));
    sigmix_jv_set(d, o, "jobs", sigmix_jv_int(d, rep->jobs));
    sigmix_jv_set(d, o, "cpus_available", sigmix_jv_int(d, info->cpus_available));
    sigmix_jv_set(d, o, "input_sha256", sigmix_jv_str(d, info->input_sha256));
    sigmix_jv_set(d, o, "input_size", sigmix_jv_int(d, (int64_t)info->input_size));
    sigmix_jv *cols = sigmix_jv_obj(d);
    sigmix_jv_set(d, cols, "mean", sigmix_jv_str(d, s->mean_column));
    sigmix_jv_set(d, cols, "var", sigmix_jv_str(d, s->var_column));
    sigmix_jv_set(d, o, "columns", cols);
    return o;
}

int sigmix_saliency_write_report(FILE *f, const sigmix_saliency_settings *s,
                                 const sigmix_saliency_report *rep,
                                 const sigmix_saliency_run_info *info, sigmix_error *err)
{
    sigmix_jdoc *d = sigmix_jdoc_new();
    sigmix_runprov *p = d ? sigmix_runprov_new(d, info->argc, (char *const *)info->argv) : NULL;
    if (!p) {
        sigmix_jdoc_free(d);
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    }
    if (info->started)
        sigmix_runprov_set_started(p, info->started);
    args(p, s, info);
    /* The input was hashed once already (it is read through that descriptor). */
    sigmix_runprov_input_known(p, "input", info->input,
                               info->input_sha256 && info->input_sha256[0] ? info->input_sha256
                                                                           : NULL,
                               info->input_size);
    sigmix_runprov_input_rows(p, "input", 0, rep->total);
    sigmix_runprov_input_file(p, "root", s->root);
    sigmix_runprov_input_file(p, "model_path", s->model_path);
    sigmix_runprov_output(p, "output", info->output);
    sigmix_runprov_output(p, "audit_json", info->audit_json);

    size_t ok = rep->by_status[SIGMIX_SAL_OK], sk = rep->by_status[SIGMIX_SAL_SKIPPED_EXISTING];
    sigmix_jv *root = sigmix_jv_obj(d), *sum = sigmix_jv_obj(d);
    sigmix_jv_set(d, sum, "total", sigmix_jv_int(d, (int64_t)rep->total));
    sigmix_jv_set(d, sum, "ok", sigmix_jv_int(d, (int64_t)ok));
    sigmix_jv_set(d, sum, "skipped_existing", sigmix_jv_int(d, (int64_t)sk));
    sigmix_jv_set(d, sum, "failed", sigmix_jv_int(d, (int64_t)(rep->total - ok - sk)));
    sigmix_jv_set(d, root, "input", sigmix_jv_str(d, info->input));
    sigmix_jv_set(d, root, "output", sigmix_jv_str(d, info->output));
    sigmix_jv_set(d, root, "config", config(d, s, info));
    sigmix_jv_set(d, root, "summary", sum);
    sigmix_jv_set(d, root, "sigmix", extras(d, s, rep, info));
    sigmix_jv_set(d, root, "run_provenance", sigmix_runprov_finish(p));
    sigmix_runprov_free(p);
    int failed = sigmix_jdoc_failed(d);
    if (!failed)
        sigmix_jv_write(root, f, 2);
    sigmix_jdoc_free(d);
    if (failed)
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    if (ferror(f))
        return sigmix_error_set(err, SIGMIX_EIO, "cannot write the audit report");
    return 0;
}

/* ---- one table, start to finish (batch runs) ------------------------------ */

int sigmix_saliency_materialize(const char *input, const char *output, const char *audit_json,
                                const sigmix_saliency_settings *s,
                                const sigmix_saliency_run_info *base,
                                sigmix_saliency_report *rep, sigmix_error *err)
{
    sigmix_error_clear(err);
    memset(rep, 0, sizeof *rep);
    char sha[65] = "";
    uint64_t size = 0;
    int fd = -1, r;
    sigmix_error e;
    sigmix_error_clear(&e);
    const char *outs[2] = { output, audit_json };
    size_t bad = 0;
    if ((r = sigmix_outputs_check(outs, 2, &bad, &e)))
        return sigmix_error_set(err, r, "%s: %s", outs[bad], e.message);
    if ((r = sigmix_sal_hash_input(input, sha, &size, &fd, &e)))
        return sigmix_error_set(err, r, "%s: %s", input, e.message);
    /* Parse the file that was hashed, as the single-table command does. */
    char fdpath[64];
    sigmix_read_options ro;
    sigmix_read_options_default(&ro);
    const char *src = input;
    if (fd >= 0) {
        snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", fd);
        ro.format = sigmix_format_from_path(input);
        if (access(fdpath, R_OK) == 0 && ro.format != SIGMIX_FORMAT_AUTO)
            src = fdpath;
        else
            ro.format = SIGMIX_FORMAT_AUTO;
    }
    sigmix_table *t = NULL;
    r = sigmix_table_read(src, &ro, &t, &e);
    if (fd >= 0)
        close(fd);
    if (r)
        return sigmix_error_set(err, r, "%s: %s", input, e.message);
    if ((r = sigmix_saliency_run(t, s, rep, &e))) {
        sigmix_table_free(&t);
        return sigmix_error_set(err, r, "%s: %s", rep->error_path ? rep->error_path : input,
                                e.message);
    }
    sigmix_saliency_run_info info = *base;
    info.input = input;
    info.output = output;
    info.audit_json = audit_json;
    info.input_sha256 = sha;
    info.input_size = size;
    sigmix_outset *set = NULL;
    FILE *tf = NULL, *af = NULL;
    const char *at = output, *failed = NULL;
    r = sigmix_outset_new(&set, &e);
    if (!r && !(r = sigmix_outset_add(set, output, &tf, &e)))
        r = sigmix_saliency_write_table(tf, output, t, s, rep, sha, &e);
    if (!r && audit_json) {
        at = audit_json;
        if (!(r = sigmix_outset_add(set, audit_json, &af, &e)))
            r = sigmix_saliency_write_report(af, s, rep, &info, &e);
    }
    if (!r && (r = sigmix_outset_commit(set, &failed, &e)))
        at = failed ? failed : output;
    sigmix_outset_free(&set);
    sigmix_table_free(&t);
    return r ? sigmix_error_set(err, r, "%s: %s", at, e.message) : 0;
}
