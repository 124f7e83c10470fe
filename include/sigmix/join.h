/*
 * sigmix joins: attach externally computed scores to a feature table.
 *
 *  - second-opinion: no-reference / MOS scorer outputs (JSON, JSONL) become
 *    five `PREFIX_<competitor>_*` columns per competitor;
 *  - mos-labels: subjective MOS label tables become mos, mos_raw_0_100,
 *    a status column, mos_label_source and the copied label columns.
 *
 * Keys are compared as text. Every column the join does not compute is
 * written exactly as it was read. Errors name the file they concern: the
 * message in err is "PATH: what is wrong (where)", ready to print after
 * "sigmix: ". Nothing is written unless the whole join succeeded.
 */
#ifndef SIGMIX_JOIN_H
#define SIGMIX_JOIN_H

#include <stddef.h>
#include <stdint.h>

#include "sigmix/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum sigmix_key_mode {
    SIGMIX_KEY_AUTO = 0, /**< basename when the key column's name suggests a path */
    SIGMIX_KEY_RAW,
    SIGMIX_KEY_BASENAME,
    SIGMIX_KEY_STEM,
} sigmix_key_mode;

typedef enum sigmix_missing_policy {
    SIGMIX_MISSING_MARK = 0, /**< keep the row, status "missing" */
    SIGMIX_MISSING_DROP,     /**< drop rows lacking any competitor's score */
    SIGMIX_MISSING_FAIL,     /**< error when any row lacks a score */
} sigmix_missing_policy;

/** Parse "auto|raw|basename|stem"; returns 0 or SIGMIX_EINVAL. */
SIGMIX_API int sigmix_key_mode_parse(const char *s, sigmix_key_mode *out);
SIGMIX_API const char *sigmix_key_mode_name(sigmix_key_mode m);

/**
 * Split "LABEL=PATH" as upstream does: only when spec has '=' and is not
 * itself an existing path. *label is malloc'd, release with sigmix_free (NULL when there is none or
 * it is blank); *path points into spec.
 */
SIGMIX_API void sigmix_join_split_spec(const char *spec, char **label, const char **path);

struct sigmix_runprov; /* util/runprov.h: run provenance for the audit JSON */

typedef struct sigmix_so_options {
    const char        *features;     /**< feature table (any format sigmix reads) */
    const char *const *scores;       /**< "[LABEL=]FILE" specs */
    size_t             nscores;
    const char        *out;          /**< output table; format by extension */
    const char        *audit_json;   /**< may be NULL */
    const char        *key_column;   /**< NULL: infer */
    const char        *score_key_field;
    const char        *score_field;
    sigmix_key_mode    key_normalize;
    sigmix_missing_policy missing_policy;
    const char        *prefix;       /**< NULL: "second_opinion" */
    int                overwrite;
    int                threads;      /**< table reader/writer threads; 0: all cores */
} sigmix_so_options;

typedef struct sigmix_join_summary {
    uint64_t input_rows, output_rows;
    uint64_t matched_rows, missing_rows; /* summed over competitors for second-opinion */
    uint64_t labels_loaded;
    double   match_rate;                 /* mos-labels */
    size_t   competitors;                /* second-opinion */
} sigmix_join_summary;

/**
 * Run the second-opinion join. prov (may be NULL) receives the inputs'
 * entries (inputs.features and inputs.scores, each hashed in the pass that
 * reads it, never by a read of its own) and row counts, and is finished
 * into the audit JSON's run_provenance.
 * *summary (may be NULL) is filled on success.
 */
SIGMIX_API int sigmix_second_opinion(const sigmix_so_options *o, struct sigmix_runprov *prov,
                                     sigmix_join_summary *summary, sigmix_error *err);

typedef struct sigmix_mos_options {
    const char        *features;
    const char *const *labels;       /**< label tables (any format sigmix reads) */
    size_t             nlabels;
    const char        *out;
    const char        *audit_json;
    const char        *feature_key_column;
    const char        *label_key_column;
    const char        *label_mos_column;
    sigmix_key_mode    key_normalize;
    const char        *feature_key_regex; /**< POSIX ERE plus \d \w \s; group 1 wins */
    const char        *label_key_regex;
    double             min_match_rate;    /**< [0, 1]; checked before anything is written */
    const char        *status_column;     /**< NULL: "mos_label_status" */
    int                overwrite;
    int                threads;
} sigmix_mos_options;

/** The MOS-label join; prov as for sigmix_second_opinion (inputs.features,
 * inputs.labels). */
SIGMIX_API int sigmix_mos_labels(const sigmix_mos_options *o, struct sigmix_runprov *prov,
                                 sigmix_join_summary *summary, sigmix_error *err);

/* ---- batch manifests ------------------------------------------------- */

typedef enum sigmix_join_kind {
    SIGMIX_JOIN_SECOND_OPINION = 0,
    SIGMIX_JOIN_MOS_LABELS,
    /** `sigmix saliency --manifest`: tables {id, input, output, audit_json?,
     *  CONFIG...}, config keys as upstream's SaliencyMaterializeConfig. */
    SIGMIX_BATCH_SALIENCY,
} sigmix_join_kind;

typedef struct sigmix_batch_options {
    sigmix_join_kind kind;
    const char *manifest;
    const char *base_dir;    /**< NULL: the manifest's folder */
    const char *report_json; /**< may be NULL */
    const char *report_md;   /**< may be NULL */
    int         fail_fast;
    int         threads;
    int         threads_given; /**< for provenance: threads was set by the user */
    int         argc;        /**< arguments after the subcommand, for provenance */
    char *const *argv;
    /** Saliency: a table whose rows failed is "row-failures"; with this set
     *  the batch status is "row-failures" rather than "failed" (when no
     *  table had an error) and the caller exits 0. */
    int         allow_row_failures;
} sigmix_batch_options;

typedef struct sigmix_batch_summary {
    size_t   tables, failed_tables;
    uint64_t input_rows, output_rows, matched_rows, missing_rows;
    /** Saliency: row counts summed over tables; error_tables: tables that
     *  did not run (failed_tables also counts tables with row failures). */
    uint64_t total, ok, skipped_existing, failed_rows;
    size_t   error_tables;
} sigmix_batch_summary;

/**
 * Run every table of a manifest. Returns 0 when the manifest was valid
 * and the reports were written (check failed_tables), or a negative code
 * for a manifest or report error (err says which).
 */
SIGMIX_API int sigmix_join_batch(const sigmix_batch_options *o, sigmix_batch_summary *s,
                                 sigmix_error *err);

#ifdef __cplusplus
}
#endif

#endif
