/*
 * sigmix saliency: materialize saliency features into a feature table.
 *
 * For every row, the clip named by the path column is decoded (FFmpeg's
 * libraries), a bounded sample of frames is scored by a saliency model (the
 * built-in spectral residual, or an ONNX model through sigmix/onnx.h), the
 * per-frame maps are reduced over time and the mean and population variance
 * of the reduced map are appended to the row with provenance columns.
 *
 * Ownership: the settings struct only borrows its strings; the table passed
 * to sigmix_saliency_run stays owned by the caller and is modified in place
 * (columns appended, saliency values filled).
 */
#ifndef SIGMIX_SALIENCY_H
#define SIGMIX_SALIENCY_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "sigmix/common.h"
#include "sigmix/table.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Per-row outcome, written to the status column. Values are stable. */
typedef enum sigmix_saliency_status {
    SIGMIX_SAL_OK = 0,
    SIGMIX_SAL_SKIPPED_EXISTING,
    SIGMIX_SAL_MISSING_SOURCE,
    SIGMIX_SAL_MISSING_GEOMETRY,
    SIGMIX_SAL_DECODE_FAILED,
    SIGMIX_SAL_MODEL_FAILED,
    SIGMIX_SAL_NSTATUS
} sigmix_saliency_status;

/** Temporal reducer over the sampled per-frame maps. */
typedef enum sigmix_saliency_reducer {
    SIGMIX_SAL_MEAN = 0,
    SIGMIX_SAL_EMA,
    SIGMIX_SAL_MAX,
    SIGMIX_SAL_MOTION_WEIGHTED,
} sigmix_saliency_reducer;

/** Progress of a run, as passed to the progress callback. */
typedef struct sigmix_saliency_progress {
    size_t rows_done, rows_total;  /**< rows settled (skipped, failed, computed) */
    size_t clips_done, clips_total; /**< clips finished this run / to compute this run */
    size_t clips_computed;          /**< of clips_done, those that reached the model
                                         (the ones that measure speed) */
} sigmix_saliency_progress;

/** One clip's result, as given to the on_clip callback of a sharded run. */
typedef struct sigmix_saliency_clip {
    const char *key;            /**< 64 hex: SHA-256 of the clip and the configuration */
    const char *source;         /**< resolved path */
    int width, height;          /**< geometry used (decoded), else the row's (0: none) */
    int status;                 /**< SIGMIX_SAL_OK, _DECODE_FAILED, _MODEL_FAILED, ... */
    double mean, var;           /**< when status is SIGMIX_SAL_OK */
    const char *message;        /**< why it failed ("" when ok) */
} sigmix_saliency_clip;

/** Results computed elsewhere (shard files), reused by key; made by
 *  sigmix_saliency_shard_set_new and filled by the shard loaders below. */
typedef struct sigmix_saliency_shard_set sigmix_saliency_shard_set;

typedef struct sigmix_saliency_settings {
    const char *path_column;    /**< default "src" */
    const char *root;           /**< relative paths resolve here; NULL: cwd, no confinement */
    int allow_outside_root;     /**< accept paths that resolve outside root */
    const char *width_column;   /**< default "width" */
    const char *height_column;  /**< default "height" */
    int default_width, default_height; /**< 0: none */
    const char *raw_pix_fmt;    /**< pixel format of raw .yuv clips; NULL: yuv420p */
    const char *model_path;     /**< ONNX model; NULL: built-in spectral residual */
    const char *model_id;       /**< NULL: model default (spectral_residual_v1 or file stem) */
    int max_frames;             /**< >= 1; default 8 */
    int frame_samples;          /**< default 8; clamped to max_frames */
    sigmix_saliency_reducer reducer;
    double ema_alpha;           /**< (0, 1]; default 0.6 */
    int overwrite;              /**< recompute rows that already hold values */
    /* Output column names. mean/var cannot be suppressed; for the others an
     * empty string suppresses the column. */
    const char *mean_column, *var_column;
    const char *model_id_column, *aggregator_column, *ema_alpha_column, *status_column;
    /** Worker threads; 0: automatic, the CPUs this process may use (affinity
     *  mask and cgroup quota, see src/util/cpu.h), never more than the clips.
     *  Also the threads encoding a Parquet output (sigmix_write_options). */
    int jobs;
    /** Largest frame (width x height) a row may declare or a container may
     *  give; larger clips get model-failed before anything is decoded or
     *  allocated. Default 7680 x 4320 (8K UHD); 0: only the hard limit 2^28. */
    long long max_pixels;
    const char *journal_path;   /**< resume journal (JSONL); NULL: none */
    /** Progress callback, called from worker threads one at a time. */
    void (*progress)(void *cookie, const struct sigmix_saliency_progress *p);
    void *progress_cookie;
    /**
     * Cancellation: when set and *cancel becomes nonzero (e.g. from a signal
     * handler the caller installed; the library installs none), workers take
     * no new clip, clips in flight are dropped unjournaled, and the run
     * returns 0 with rep->interrupted set. The table must not be written then.
     */
    volatile sig_atomic_t *cancel;
    /**
     * Called after the run, from the calling thread, once per failed clip and
     * once per missing-source row, in row order. source is the row's path
     * text (the resolved path for computed clips). May be NULL.
     */
    void (*on_fail)(void *cookie, const char *source, int status, const char *message);
    void *on_fail_cookie;
    /**
     * Sharding. With shard_count >= 1 the run computes only the clips whose
     * sigmix_saliency_shard_of() is shard_index, fills nothing in the table,
     * and calls on_clip once per clip of that shard (computed, failed or
     * from the journal) in key order, from the calling thread. 0: no shards.
     */
    int shard_index, shard_count;
    void (*on_clip)(void *cookie, const sigmix_saliency_clip *clip);
    void *on_clip_cookie;
    /** Results of other runs (shard files) to reuse by key, failures too;
     *  NULL: none. Clips not found there are computed. */
    const sigmix_saliency_shard_set *reuse;
} sigmix_saliency_settings;

/** What a run did. Times are CPU seconds summed over workers. */
typedef struct sigmix_saliency_report {
    size_t total;                        /**< table rows */
    size_t by_status[SIGMIX_SAL_NSTATUS];
    size_t clips;                        /**< distinct (source, geometry) pairs to compute */
    size_t clips_from_journal;           /**< of which reused from the journal */
    int    frame_samples;                /**< effective (clamped) */
    int    jobs;                         /**< effective */
    char   model_id[256];
    char   model_sha256[65];                /**< "" for the built-in model */
    size_t skipped_other_model;          /**< skipped-existing rows whose model id column
                                              names another model */
    int    interrupted;                  /**< *cancel stopped the run (see settings) */
    /** When the run fails: the file the error concerns (one of the settings'
     *  strings: model_path, root or journal_path), NULL for the table. */
    const char *error_path;
    size_t clips_journaled;              /**< clips the journal holds at the end (with an
                                              interruption: what a rerun reuses) */
    double t_decode, t_convert, t_model, t_reduce, t_wall;
    size_t clips_from_shards;            /**< clips taken from settings.reuse */
    size_t shard_clips;                  /**< sharded run: clips of this shard */
} sigmix_saliency_report;

/**
 * The shard (0..n-1) of a clip: a fixed function of the resolved source
 * path and the row geometry (0x0: none), the first 8 bytes of a SHA-256,
 * big-endian, modulo n. Independent of row order, row count, jobs and
 * machine. n < 1 gives 0.
 */
SIGMIX_API int sigmix_saliency_shard_of(const char *source, int width, int height, int n);

SIGMIX_API void sigmix_saliency_default_settings(sigmix_saliency_settings *s);

/** "ok", "skipped-existing", ...; "unknown" when out of range. */
SIGMIX_API const char *sigmix_saliency_status_name(int status);
/** "mean", "ema", "max", "motion-weighted". */
SIGMIX_API const char *sigmix_saliency_reducer_name(sigmix_saliency_reducer r);
/** Parse a reducer name ("motion_weighted" is accepted too). 0 or SIGMIX_EINVAL. */
SIGMIX_API int sigmix_saliency_reducer_parse(const char *name, sigmix_saliency_reducer *out);

/**
 * Check settings without touching any file: reducer, alpha, frame counts,
 * column names. Returns 0 or SIGMIX_EINVAL with err filled.
 */
SIGMIX_API int sigmix_saliency_check_settings(const sigmix_saliency_settings *s,
                                              sigmix_error *err);

/**
 * Compute saliency for every row of t and append/fill the columns. Row
 * failures are not errors: they are counted in rep->by_status. Returns
 * nonzero (SIGMIX_EINVAL, SIGMIX_ENOTFOUND, SIGMIX_EMODEL, ...) only when
 * the run cannot start (bad settings, missing path column, model that does
 * not load, unusable existing column); t is then unchanged.
 */
SIGMIX_API int sigmix_saliency_run(sigmix_table *t, const sigmix_saliency_settings *s,
                                   sigmix_saliency_report *rep, sigmix_error *err);

/* ---- input hashing and the audit report (report.c) --------------------- */

/**
 * SHA-256 (64 hex digits) and byte size of a table input, checked before
 * any byte is read: a regular file is hashed over exactly its size; a
 * Parquet folder gets the hash of its manifest (one "SHA256  relative/path"
 * line per file, in reading order) and the sum of the sizes. A device, FIFO
 * or socket is refused (SIGMIX_EUNSUPPORTED): it could not be read again to
 * parse it. With fd non-NULL a regular file's descriptor stays open there
 * (offset 0; -1 for a folder), so the caller parses the file it hashed.
 */
SIGMIX_API int sigmix_saliency_hash_input(const char *path, char hex[65], uint64_t *size,
                                          int *fd, sigmix_error *err);

/** What the caller knows about a run, for the audit report. Strings borrowed. */
typedef struct sigmix_saliency_run_info {
    /** Recorded as run_provenance.argv: the arguments after the subcommand. */
    int                argc;
    const char *const *argv;
    const char *input, *output, *audit_json;  /**< audit_json may be NULL */
    const char *input_sha256;                 /**< from sigmix_saliency_hash_input; NULL: none */
    uint64_t    input_size;
    int         in_place, quiet;
    /** Accepted for the reference tool's scripts and recorded; decoding is in-process. */
    const char *ffmpeg_bin, *ffprobe_bin;     /**< NULL: "ffmpeg" / "ffprobe" */
    int         cpus_available;
    time_t      started;                      /**< 0: when the report is written */
    unsigned char reserved[32];
} sigmix_saliency_run_info;

/**
 * Write the --audit-json report in the reference tool's layout:
 * input, output, flat config (its keys), summary {total, ok,
 * skipped_existing, failed}, sigmix (per-status counts, clips, timings and
 * the effective settings) and run_provenance (ADR-0661). Keys sorted,
 * indent 2, final newline. Returns 0, SIGMIX_ENOMEM or SIGMIX_EIO.
 */
SIGMIX_API int sigmix_saliency_write_report(FILE *f, const sigmix_saliency_settings *s,
                                            const sigmix_saliency_report *rep,
                                            const sigmix_saliency_run_info *info,
                                            sigmix_error *err);

/**
 * Write the output table of a run: t (after sigmix_saliency_run) to the
 * open stream f, the format from path's extension. A Parquet footer also
 * records what computed it: sigmix.version and sigmix.saliency.{model_id,
 * aggregator, ema_alpha, model_sha256, input_sha256} (input_sha256 from
 * sigmix_saliency_hash_input; NULL: ""). Returns 0 or the table writer's
 * code. f stays open and owned by the caller. Reentrant.
 */
SIGMIX_API int sigmix_saliency_write_table(FILE *f, const char *path, const sigmix_table *t,
                                           const sigmix_saliency_settings *s,
                                           const sigmix_saliency_report *rep,
                                           const char *input_sha256, sigmix_error *err);

/**
 * SHA-256 (64 hex digits) and size of one regular file (a model): refused
 * before any byte is read when it is not a regular file. 0,
 * SIGMIX_ENOTFOUND, SIGMIX_EUNSUPPORTED or SIGMIX_EIO. Reentrant.
 */
SIGMIX_API int sigmix_saliency_hash_file(const char *path, char hex[65], uint64_t *size,
                                         sigmix_error *err);

/**
 * One table start to finish, as a batch run does it: check the outputs,
 * hash and read input, run, and commit output (+ audit_json, may be NULL)
 * together. base gives argv and the other run facts for the audit report;
 * input, output and the hash are filled in here. Row failures are not
 * errors (see rep). Errors: err is "PATH: what", nothing is written.
 * Reentrant.
 */
SIGMIX_API int sigmix_saliency_materialize(const char *input, const char *output,
                                           const char *audit_json,
                                           const sigmix_saliency_settings *s,
                                           const sigmix_saliency_run_info *base,
                                           sigmix_saliency_report *rep, sigmix_error *err);

/**
 * Silence FFmpeg's own log lines (its log level is one per process, so the
 * library never changes it by itself). For programs that report decode
 * failures per clip, as the sigmix CLI does. Call before any thread decodes.
 */
SIGMIX_API void sigmix_saliency_quiet_decoder_logs(void);

/** The largest frame (width x height) --max-pixels may allow. */
#define SIGMIX_SALIENCY_MAX_PIXELS_LIMIT (1LL << 28)

/* ---- sharded runs: shard files and their merge (shard_io.c) ------------
 *
 * A sharded run (settings.shard_count >= 1) hands each clip of its shard
 * to on_clip; a shard writer collects them and commits OUT.shard-K-of-N.jsonl
 * (one header line with the hashes of input, configuration and model, then
 * one line per clip; see src/saliency/shard.h). A merge loads every shard
 * file into a shard set and passes it as settings.reuse.
 *
 * Errors: err->message starts with the file it concerns ("PATH: what is
 * wrong"), ready to print after "sigmix: ". Thread-safety: writers and sets
 * are used by one thread at a time; distinct ones are independent.
 */

/** Bound on the shard count N. */
#define SIGMIX_SALIENCY_MAX_SHARDS 100000

/** What a shard file says about the run that made it. */
typedef struct sigmix_saliency_shard_header {
    int    k, n;                    /**< shard k of n */
    size_t clips;                   /**< clip lines that follow */
    char   input_sha256[65];        /**< sigmix_saliency_hash_input of the input */
    char   config_sha256[65];       /**< sigmix_saliency_config_sha256 */
    char   model_sha256[65];        /**< "" for the built-in model */
} sigmix_saliency_shard_header;

/** Parse "K/N" (0 <= K < N <= SIGMIX_SALIENCY_MAX_SHARDS, decimal, no sign
 *  or space). 0 or SIGMIX_EINVAL. */
SIGMIX_API int sigmix_saliency_parse_shard(const char *text, int *k, int *n);

/**
 * "OUT.shard-K-of-N.jsonl", or with partial "OUT.shard-K-of-N.partial.jsonl"
 * (the shard's resume journal). malloc'd (release with sigmix_free); NULL
 * on OOM.
 */
SIGMIX_API char *sigmix_saliency_shard_path(const char *out, int k, int n, int partial);

/**
 * SHA-256 (hex) of every setting that decides the output table (columns,
 * root, geometry defaults, model kind and id, frames, reducer, limits);
 * not jobs, callbacks or output paths. The model file is hashed apart.
 */
SIGMIX_API void sigmix_saliency_config_sha256(const sigmix_saliency_settings *s, char hex[65]);

/** Collects a shard's clips (opaque). */
typedef struct sigmix_saliency_shard_writer sigmix_saliency_shard_writer;

/** A new, empty writer. 0 or SIGMIX_ENOMEM. */
SIGMIX_API int  sigmix_saliency_shard_writer_new(sigmix_saliency_shard_writer **w,
                                                 sigmix_error *err);
/** The settings.on_clip callback; cookie is the writer. A failure (OOM)
 *  is remembered and reported by the commit. */
SIGMIX_API void sigmix_saliency_shard_writer_on_clip(void *cookie,
                                                     const sigmix_saliency_clip *clip);
/** Clips collected so far, and how many were ok / failed (NULLs allowed). */
SIGMIX_API void sigmix_saliency_shard_writer_counts(const sigmix_saliency_shard_writer *w,
                                                    size_t *clips, size_t *ok, size_t *failed);
/**
 * Write the header (h, with clips set to the count collected; model_id is
 * only for people) and the clip lines to path, atomically (temporary file,
 * rename; parent folders created). The writer stays allocated. 0, or
 * SIGMIX_ENOMEM / SIGMIX_EIO with err "PATH: why"; nothing is left at path
 * then.
 */
SIGMIX_API int  sigmix_saliency_shard_writer_commit(sigmix_saliency_shard_writer *w,
                                                    const char *path,
                                                    const sigmix_saliency_shard_header *h,
                                                    const char *model_id, sigmix_error *err);
/** Free and set *w NULL; safe on NULL. */
SIGMIX_API void sigmix_saliency_shard_writer_free(sigmix_saliency_shard_writer **w);

/** A new, empty shard set. 0 or SIGMIX_ENOMEM. */
SIGMIX_API int    sigmix_saliency_shard_set_new(sigmix_saliency_shard_set **set,
                                                sigmix_error *err);
/** Free and set *set NULL; safe on NULL. */
SIGMIX_API void   sigmix_saliency_shard_set_free(sigmix_saliency_shard_set **set);
/** Clip results the set holds. */
SIGMIX_API size_t sigmix_saliency_shard_set_size(const sigmix_saliency_shard_set *set);
/** Whether shard k of the last load_all was read (0 <= k < its n). */
SIGMIX_API int    sigmix_saliency_shard_set_has(const sigmix_saliency_shard_set *set, int k);

/**
 * For a merge: read every OUT.shard-K-of-N.jsonl beside out (N: shards
 * when > 0, else the only count present), check each against want's
 * input, configuration and model hashes, refuse a shard present twice
 * (also under another name) or a clip claimed by two shards. On success
 * set holds every result, *found the shard files read and *n the count;
 * shards not found (see sigmix_saliency_shard_set_has) are for the caller
 * to report and the run computes their clips. set must be empty.
 * Returns 0, or SIGMIX_ENOTFOUND (no shard files), SIGMIX_EFORMAT
 * (mismatch, duplicate, damaged file), SIGMIX_EINVAL (counts differ, no
 * --shards), SIGMIX_EIO or SIGMIX_ENOMEM; set is then empty again.
 */
SIGMIX_API int sigmix_saliency_shard_load_all(const char *out, int shards,
                                              const sigmix_saliency_shard_header *want,
                                              sigmix_saliency_shard_set *set, int *found,
                                              int *n, sigmix_error *err);

/**
 * A rerun of shard want->k of want->n (a requeued task whose first run
 * finished): the results of the matching shard file at path go into set.
 * A missing, unreadable or mismatching file leaves set empty; nothing is
 * an error. Returns the number of results taken.
 */
SIGMIX_API size_t sigmix_saliency_shard_load_own(const char *path,
                                                 const sigmix_saliency_shard_header *want,
                                                 sigmix_saliency_shard_set *set);

#ifdef __cplusplus
}
#endif

#endif /* SIGMIX_SALIENCY_H */
