/*
 * sigmix audit: which quality-signal families a feature table covers, which
 * columns carry the target, which are redundant and which cross-family
 * pairs complement each other. Owned by the audit work.
 *
 * Typical use:
 *
 *     sigmix_audit_settings s;
 *     sigmix_audit_default_settings(&s);
 *     s.target = "mos";
 *     sigmix_audit *a;
 *     if (sigmix_audit_open(&a, &s, &err)) ...
 *     if (sigmix_audit_add_input(a, "ugc=feat.jsonl", &err)) ...   // reads + audits
 *     if (sigmix_audit_write_reports(a, "r.json", "r.md", NULL, &err)) ...
 *     sigmix_audit_close(&a);
 *
 * Tables are audited as they are added and then released; the context keeps
 * only the results. Reports are written only when asked, atomically.
 */
#ifndef SIGMIX_AUDIT_H
#define SIGMIX_AUDIT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sigmix/common.h"
#include "sigmix/table.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One signal family: the data the audit and both reports read. */
typedef struct sigmix_audit_family {
    const char        *key;               /**< stable id, e.g. "canonical_fr" */
    const char        *label;             /**< human label */
    const char        *question;          /**< one line: what the family answers */
    const char *const *patterns;          /**< NULL-terminated POSIX EREs, case-insensitive search */
    const char *const *candidate_metrics; /**< NULL-terminated */
    const char        *recommendation;    /**< one line: next action when missing or weak */
} sigmix_audit_family;

/** The built-in families, in report order; *n receives the count. */
SIGMIX_API const sigmix_audit_family *sigmix_audit_builtin_families(size_t *n);

/** Target columns tried in order when none is given (case-insensitive). */
SIGMIX_API const char *const *sigmix_audit_target_candidates(void);

typedef struct sigmix_audit_settings {
    /** Target column: the one named exactly so, else the last whose name is
     *  equal ignoring ASCII case; NULL: first candidate present. */
    const char *target;
    /* The four thresholds must lie in [0, 1] (else SIGMIX_EINVAL). */
    double      redundancy_threshold; /**< |r| >= this: redundant pair (0.95) */
    double      complement_threshold; /**< |r| <= this: complementary pair (0.70) */
    double      min_finite_ratio;     /**< healthy column: finite share >= this (0.80) */
    double      min_target_abs_r;     /**< intersection columns: |target r| >= this (0.20) */
    int         top_k;                /**< rows per Markdown section (12) */
    /**
     * JSON families file (NULL: built-in). A list of family objects replaces
     * the built-ins; {"mode": "extend"|"replace", "families": [...]} chooses
     * (default "replace"). With "extend" a family whose key exists replaces
     * that family in place and new keys are appended.
     */
    const char *families_path;
    /** Arguments recorded as run_provenance.argv: those after the subcommand, as the
     *  reference tool records its own (may be NULL/0). Not copied: keep alive. */
    int                argc;
    const char *const *argv;
    /** One-line warnings (e.g. target column not found); NULL: discarded. */
    void      (*warn)(void *cookie, const char *msg);
    void       *warn_cookie;
    /** Worker threads for per-column statistics; 0: one per CPU this process may use,
     *  or only the calling thread when the table is too small to gain from more. */
    int         threads;
    /**
     * Keep the full signal x signal Pearson matrix, pairwise counts and a
     * row sample in each result (sigmix_audit_result.matrix), for the HTML
     * report and the matrix export. Costs p*p*16 bytes per table.
     */
    int         keep_matrix;
    /**
     * OpenBLAS threads for the correlation products (default 1: they are
     * small, and the audit's own workers already split the columns). The
     * count is process-wide in OpenBLAS: it is set while each table is
     * analysed and the previous count is restored afterwards. 0 leaves
     * OpenBLAS as the process set it (OPENBLAS_NUM_THREADS); use 0 when
     * other threads of the program run OpenBLAS at the same time.
     */
    int         blas_threads;
    unsigned char reserved[24];
} sigmix_audit_settings;

/** Fill s with the defaults above. */
SIGMIX_API void sigmix_audit_default_settings(sigmix_audit_settings *s);

typedef struct sigmix_audit sigmix_audit;

/**
 * Create a context. Loads and compiles the families (built-in or
 * s->families_path). Returns 0, SIGMIX_EINVAL (bad setting), SIGMIX_EIO,
 * SIGMIX_EFORMAT (bad families file) or SIGMIX_ENOMEM; *out is NULL on error.
 * s may be NULL (defaults). s's strings are used until close: keep them alive.
 */
SIGMIX_API int sigmix_audit_open(sigmix_audit **out, const sigmix_audit_settings *s,
                                 sigmix_error *err);

/** Free the context and its results; sets *a to NULL. NULL is fine. */
SIGMIX_API void sigmix_audit_close(sigmix_audit **a);

/**
 * Split an --input value "[LABEL=]PATH": it is split at the first '=' only
 * when the whole value is not an existing path. Label whitespace is trimmed;
 * an empty label counts as none. On return *path points into spec and
 * *label / *label_len give the label (NULL/0 when none).
 */
SIGMIX_API void sigmix_audit_split_input(const char *spec, const char **label,
                                         size_t *label_len, const char **path);

/** Default label for a path: file name without its last extension.
 * Malloc'd, release with sigmix_free; NULL when out of memory. */
SIGMIX_API char *sigmix_audit_default_label(const char *path);

/**
 * Read the table at path (any format sigmix_table_read knows), hash the
 * file (SHA-256) and audit it. label NULL: default label. On failure err
 * says what is wrong (without the path) and the context is unchanged.
 */
SIGMIX_API int sigmix_audit_add_file(sigmix_audit *a, const char *label, const char *path,
                                     sigmix_error *err);

/** sigmix_audit_add_file for an --input value "[LABEL=]PATH". */
SIGMIX_API int sigmix_audit_add_input(sigmix_audit *a, const char *spec, sigmix_error *err);

/**
 * Audit a table already in memory. path is only reported (may be NULL);
 * size and hash are reported as null. The table is not kept.
 */
SIGMIX_API int sigmix_audit_add_table(sigmix_audit *a, const char *label, const char *path,
                                      const sigmix_table *t, sigmix_error *err);

/* ---- results (read-only views, valid until close) -------------------- */

typedef enum sigmix_family_status {
    SIGMIX_FAMILY_MISSING = 0, /**< no column matched */
    SIGMIX_FAMILY_WEAK    = 1, /**< matched, but no healthy numeric signal column */
    SIGMIX_FAMILY_COVERED = 2,
} sigmix_family_status;

/** Name of a status: "missing", "weak", "covered". */
SIGMIX_API const char *sigmix_family_status_name(sigmix_family_status s);

typedef struct sigmix_audit_names {
    const char *const *v;
    size_t             n;
} sigmix_audit_names;

typedef struct sigmix_audit_health {
    const char          *key;
    sigmix_family_status status;
    sigmix_audit_names   matched;  /**< every column matching (family_columns) */
    sigmix_audit_names   numeric;  /**< matched and signal */
    sigmix_audit_names   healthy;  /**< numeric, finite ratio and spread OK */
} sigmix_audit_health;

/** Statistics of one signal column over its finite values (NaN = null). */
typedef struct sigmix_audit_stat {
    const char *column;
    double      finite_ratio, mean, std, min, max;
} sigmix_audit_stat;

typedef struct sigmix_audit_corr {
    const char *column;
    const char *family;      /**< primary family key or "uncategorized" */
    double      pearson, spearman, abs_pearson; /**< NaN = null */
} sigmix_audit_corr;

typedef struct sigmix_audit_pair {
    const char *left, *right, *left_family, *right_family;
    double      pearson, abs_pearson;
    double      left_target_abs_pearson, right_target_abs_pearson; /**< intersections only */
} sigmix_audit_pair;

typedef struct sigmix_audit_result {
    const char         *label, *path;
    size_t              rows;
    sigmix_audit_names  columns, numeric_columns, signal_columns;
    const char         *target;          /**< NULL: none */
    const sigmix_audit_health *health;   /**< one per family, family order */
    size_t              n_health;
    const sigmix_audit_stat *stats;      /**< one per signal column */
    const sigmix_audit_corr *target_correlations;
    size_t              n_target_correlations;
    const sigmix_audit_pair *redundant_pairs;
    size_t              n_redundant_pairs;
    const sigmix_audit_pair *intersections;
    size_t              n_intersections;
    sigmix_audit_names  missing_families, weak_families;
    int                 has_file;        /**< size and sha256 are known */
    uint64_t            file_size;
    char                sha256[65];
    /** NULL unless settings.keep_matrix. */
    const struct sigmix_audit_matrix *matrix;
} sigmix_audit_result;

/**
 * Everything the HTML report draws beyond the JSON report (keep_matrix).
 * Indices are positions in signal_columns.
 */
typedef struct sigmix_audit_matrix {
    size_t          p;         /**< signal_columns.n */
    /**
     * p*p, row-major, symmetric; NaN = undefined (under 3 rows, flat).
     * Pairs the report lists carry exactly the report's value; the rest
     * carry the screening value (within ~1e-12 of the exact one).
     * The diagonal is 1 for a column with a defined correlation.
     */
    const double   *pearson;
    const uint64_t *n;         /**< p*p: rows where both are finite */
    const uint64_t *target_n;  /**< p: rows where the column and the target are finite */
    size_t          sample_rows; /**< <= SIGMIX_AUDIT_SAMPLE_ROWS */
    /** (p + 1) x sample_rows: each signal column, then the target (NaN without one),
     *  at evenly spaced rows (deterministic). */
    const float    *sample;
} sigmix_audit_matrix;

#define SIGMIX_AUDIT_SAMPLE_ROWS 2000

SIGMIX_API size_t sigmix_audit_count(const sigmix_audit *a);
SIGMIX_API const sigmix_audit_result *sigmix_audit_result_at(const sigmix_audit *a, size_t i);
/** The families in use (built-in or from the families file). */
SIGMIX_API const sigmix_audit_family *sigmix_audit_families(const sigmix_audit *a, size_t *n);

/* ---- reports ------------------------------------------------------------ */

/**
 * Write the JSON report ({"tables": [...], "run_provenance": {...}}) to f.
 * json_target / md_target are recorded as the outputs (may be NULL).
 */
SIGMIX_API int sigmix_audit_write_json(const sigmix_audit *a, FILE *f, const char *json_target,
                                       const char *md_target, sigmix_error *err);

/** Write the Markdown report to f. */
SIGMIX_API int sigmix_audit_write_markdown(const sigmix_audit *a, FILE *f, sigmix_error *err);

/**
 * Write the self-contained HTML report to f. Needs settings.keep_matrix
 * (SIGMIX_EINVAL otherwise).
 */
SIGMIX_API int sigmix_audit_write_html(const sigmix_audit *a, FILE *f, sigmix_error *err);

/**
 * Write every table's full Pearson matrix (needs keep_matrix) as one table
 * with columns table, left, right, pearson, n (one row per pair left <
 * right, in signal-column order) in the format path implies, atomically.
 */
SIGMIX_API int sigmix_audit_write_matrix(const sigmix_audit *a, const char *path,
                                         sigmix_error *err);

/** Every output of one run; NULL members are skipped. */
typedef struct sigmix_audit_outputs {
    const char *json, *md, *html, *matrix;
} sigmix_audit_outputs;

/**
 * Write every output of the run as one output set (docs/outputs.md): each
 * to a temporary file beside its target, symlinks written through, devices
 * and "-" (stdout) in place, parent folders created. All are complete
 * before any is renamed into place, and a failed rename puts the others
 * back. On error the previous outputs are intact, no temporary is left,
 * and *failed_path (if non-NULL) names the output at fault. html and
 * matrix need settings.keep_matrix.
 */
SIGMIX_API int sigmix_audit_write_outputs(const sigmix_audit *a, const sigmix_audit_outputs *o,
                                          const char **failed_path, sigmix_error *err);

/**
 * The JSON and Markdown reports alone: sigmix_audit_write_outputs with
 * html and matrix NULL.
 */
SIGMIX_API int sigmix_audit_write_reports(const sigmix_audit *a, const char *json_path,
                                          const char *md_path, const char **failed_path,
                                          sigmix_error *err);

#ifdef __cplusplus
}
#endif

#endif /* SIGMIX_AUDIT_H */
