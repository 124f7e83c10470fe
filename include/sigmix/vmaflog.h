/*
 * sigmix vmaflog: read libvmaf log files (JSON 2.x/3.x, libvmaf 1.x JSON,
 * the Python run_vmaf JSON, XML, CSV, SUB) into per-frame metric arrays,
 * give the metrics canonical names and pool them per clip.
 *
 * Pooled values written by libvmaf are never used: they are recomputed
 * from the frames (libvmaf issue #1084: pooled metrics of subsampled logs
 * cover only part of the clip up to 2.3.1).
 */
#ifndef SIGMIX_VMAFLOG_H
#define SIGMIX_VMAFLOG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sigmix/common.h"
#include "sigmix/table.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Log layouts; sigmix_vmaflog_format_name gives the vmaf_log_format text. */
typedef enum sigmix_vmaflog_format {
    SIGMIX_VMAFLOG_UNKNOWN = 0,
    SIGMIX_VMAFLOG_JSON,        /**< libvmaf 2.x/3.x "json" */
    SIGMIX_VMAFLOG_JSON_V1,     /**< libvmaf 1.x (vmafossexec, FFmpeg 4.x) "json-v1" */
    SIGMIX_VMAFLOG_JSON_PYTHON, /**< Python run_vmaf "json-python" */
    SIGMIX_VMAFLOG_XML,         /**< "xml" (2.x and 1.x) */
    SIGMIX_VMAFLOG_CSV,         /**< "csv" */
    SIGMIX_VMAFLOG_SUB,         /**< "sub" */
} sigmix_vmaflog_format;

SIGMIX_API const char *sigmix_vmaflog_format_name(sigmix_vmaflog_format f);

/** One metric of a log: values[i] belongs to frame entry i. */
typedef struct sigmix_vmaflog_metric {
    const char    *name;    /**< canonical name (the source name with keep_names) */
    const char    *source;  /**< name as written in the log */
    double        *values;  /**< NaN for null/nan/-nan; unspecified where absent */
    uint8_t       *present; /**< 1 where the frame entry carries the metric */
} sigmix_vmaflog_metric;

/** A parsed log. Frame entries in file order. */
typedef struct sigmix_vmaflog {
    sigmix_vmaflog_format  format;
    const char            *version;   /**< libvmaf version text, NULL if the log has none */
    double                 fps;       /**< NaN when absent or not finite */
    size_t                 nframes;
    int64_t               *frame_num; /**< frameNum of each entry */
    size_t                 nmetrics;
    sigmix_vmaflog_metric *metrics;   /**< in order of first appearance */
} sigmix_vmaflog;

/** Parse options. */
typedef struct sigmix_vmaflog_options {
    int keep_names;  /**< 1: no renaming (name == source) */
    /** read_file only, may be NULL: gets the SHA-256 and size of the bytes
     *  it read (for run provenance, without a second read of the file). */
    sigmix_read_digest *digest;
} sigmix_vmaflog_options;

/**
 * A reader holds per-thread parsing state (the JSON parser, a read
 * buffer); use one per thread.
 */
typedef struct sigmix_vmaflog_reader sigmix_vmaflog_reader;

SIGMIX_API int  sigmix_vmaflog_reader_new(sigmix_vmaflog_reader **out);
SIGMIX_API void sigmix_vmaflog_reader_free(sigmix_vmaflog_reader **r);

/** Bytes of readable padding sigmix_vmaflog_parse needs after buf[len). */
#define SIGMIX_VMAFLOG_PADDING 64

/**
 * Parse a log held in memory. buf must have len + SIGMIX_VMAFLOG_PADDING
 * readable bytes (the padding is not part of the input). The format is
 * sniffed from the content. On failure *out is NULL and err says what is
 * wrong and where (line or byte), without the path.
 */
SIGMIX_API int sigmix_vmaflog_parse(sigmix_vmaflog_reader *r, const char *buf, size_t len,
                                    const sigmix_vmaflog_options *o, sigmix_vmaflog **out,
                                    sigmix_error *err);

/** Read and parse a log file (see sigmix_vmaflog_parse). */
SIGMIX_API int sigmix_vmaflog_read_file(sigmix_vmaflog_reader *r, const char *path,
                                        const sigmix_vmaflog_options *o,
                                        sigmix_vmaflog **out, sigmix_error *err);

SIGMIX_API void sigmix_vmaflog_free(sigmix_vmaflog **log);

/** Which layout the bytes look like, from the content alone. */
SIGMIX_API sigmix_vmaflog_format sigmix_vmaflog_sniff(const char *buf, size_t len);

/**
 * Canonical name of a metric: libvmaf's alias table, then integer_X -> X
 * for the VMAF elementary features, VMAF_feature_X_score -> X and
 * VMAF_score -> vmaf; other names unchanged. Returns name itself or a
 * static string; *tmp (>= 256 bytes) may be used for derived names.
 */
SIGMIX_API const char *sigmix_vmaflog_canonical(const char *name, char *tmp, size_t tmpsize);

/* ---- per-clip statistics ------------------------------------------- */

typedef enum sigmix_vmaflog_stat {
    SIGMIX_VMAFLOG_MEAN = 0, /**< nanmean */
    SIGMIX_VMAFLOG_STD,      /**< nanstd, ddof 0 */
    SIGMIX_VMAFLOG_MIN,
    SIGMIX_VMAFLOG_MAX,
    SIGMIX_VMAFLOG_P10,      /**< nanpercentile 10, linear */
    SIGMIX_VMAFLOG_P90,      /**< nanpercentile 90, linear */
    SIGMIX_VMAFLOG_HMEAN,    /**< 1/mean(1/(x+1)) - 1 over finite values */
    SIGMIX_VMAFLOG_NSTATS
} sigmix_vmaflog_stat;

/** "mean", "std", ... ; NULL out of range. */
SIGMIX_API const char *sigmix_vmaflog_stat_name(sigmix_vmaflog_stat s);
/** Stat for a name, or -1. */
SIGMIX_API int sigmix_vmaflog_stat_from_name(const char *name, size_t len);

/**
 * Compute the statistics `which[0..n)` of one metric into out[0..n).
 * Only entries with present[i] count; NaN values are skipped as numpy's
 * nan-functions do; infinities take part except in hmean (finite only).
 * A statistic with no finite input is NaN (the table writes null).
 * scratch must hold nframes doubles.
 */
SIGMIX_API void sigmix_vmaflog_stats(const sigmix_vmaflog_metric *m, size_t nframes,
                                     const sigmix_vmaflog_stat *which, size_t n,
                                     double *out, double *scratch);

/* ---- tables --------------------------------------------------------- */

/**
 * Column plan shared by every log of one run, so the table has the union
 * of metrics in first-seen order.
 */
typedef struct sigmix_vmaflog_table sigmix_vmaflog_table;

typedef struct sigmix_vmaflog_table_options {
    int                         per_frame;
    const sigmix_vmaflog_stat  *stats;  /**< per-clip statistics, in column order */
    size_t                      nstats;
} sigmix_vmaflog_table_options;

SIGMIX_API int sigmix_vmaflog_table_new(const sigmix_vmaflog_table_options *o,
                                        sigmix_vmaflog_table **out);
/**
 * Pool every metric of a log: out receives nmetrics * n values, metric-major,
 * from sigmix_vmaflog_stats. Thread-safe; lets callers pool in parallel.
 * *out is malloc'd, release with sigmix_free (NULL when the log has no metric).
 */
SIGMIX_API int sigmix_vmaflog_pool(const sigmix_vmaflog *log, const sigmix_vmaflog_stat *which,
                                   size_t n, double **out);

/**
 * Append the rows of one log under `key`, in output order. pooled is
 * sigmix_vmaflog_pool's result for the table's statistics, or NULL to
 * pool here (per-clip tables only).
 */
SIGMIX_API int sigmix_vmaflog_table_add(sigmix_vmaflog_table *t, const char *key,
                                        const sigmix_vmaflog *log, const double *pooled,
                                        sigmix_error *err);
/**
 * Append a status row for a log that could not be read (--skip-bad): key,
 * the error text in column `vmaf_log_error`, nulls elsewhere.
 */
SIGMIX_API int sigmix_vmaflog_table_add_error(sigmix_vmaflog_table *t, const char *key,
                                              const char *message, sigmix_error *err);
/** Hand over the finished table (the builder keeps nothing). */
SIGMIX_API int sigmix_vmaflog_table_finish(sigmix_vmaflog_table *t, sigmix_table **out,
                                           sigmix_error *err);
SIGMIX_API void sigmix_vmaflog_table_free(sigmix_vmaflog_table **t);

/* ---- shard files (vmaf-logs --shard / --merge) ----------------------- */

/*
 * A shard file, OUT.shard-K-of-N.jsonl, holds one shard's results so a
 * merge can build the table without reading the logs again:
 *
 *   {"sigmix_vmaf_logs_shard":1,"shard":K,"of":N,"logs":C,"mode":"per-clip",
 *    "stats":S,"input_sha256":"..","config_sha256":".."}
 *   {"log":I,"path":P,"format":F,"version":V,"fps":X,"frames":N,
 *    "metrics":[[NAME,SOURCE],...],"pooled":[X,...]}             per clip
 *   {"log":I,...,"metrics":[...],"frame_num":[...],"values":[[X|null,...],...]}
 *                                                                  per frame
 *   {"log":I,"path":P,"error":MESSAGE}                             --skip-bad
 *
 * I is the log's index in the run's input order (the input SHA-256 pins
 * that order), numbers X are C99 hex-float text ("0x1.8p+1", "nan", "inf")
 * so values round-trip bit for bit, null is an absent value. A text that
 * is not valid UTF-8 is written as {"hex":"..."} so any byte string
 * round-trips.
 *
 * Writers return 0 or SIGMIX_EIO/SIGMIX_ENOMEM. Readers are strict: every
 * line must have this shape, and the count must match the header.
 * Thread-safety: distinct files and shards are independent.
 */
typedef struct sigmix_vmaflog_shard_header {
    int    k, n;          /**< shard K of N */
    int    per_frame;     /**< mode */
    size_t logs;          /**< lines after the header */
    size_t nstats;        /**< per clip: pooled statistics per metric */
    char   input_sha256[65], config_sha256[65];
} sigmix_vmaflog_shard_header;

SIGMIX_API int sigmix_vmaflog_shard_write_header(FILE *f, const sigmix_vmaflog_shard_header *h);
/** One log's line. Per clip, pooled holds nmetrics * nstats values
 * (sigmix_vmaflog_pool; nstats as in the header); per frame, pooled is
 * ignored. */
SIGMIX_API int sigmix_vmaflog_shard_write_log(FILE *f, size_t index, const char *path,
                                              const sigmix_vmaflog *log, int per_frame,
                                              const double *pooled, size_t nstats);
SIGMIX_API int sigmix_vmaflog_shard_write_error(FILE *f, size_t index, const char *path,
                                                const char *message);

/** One line of a shard file, as read. */
typedef struct sigmix_vmaflog_shard_entry {
    size_t          index;  /**< "log" */
    const char     *path;
    const char     *error;  /**< NULL for a log that was read */
    sigmix_vmaflog *log;    /**< NULL for an error line; per clip, metrics
                                 have names only (values and present NULL) */
    double         *pooled; /**< per clip: nmetrics * nstats values */
} sigmix_vmaflog_shard_entry;

typedef struct sigmix_vmaflog_shard sigmix_vmaflog_shard;

/**
 * Parse a whole shard file held in buf (len + SIGMIX_VMAFLOG_PADDING
 * readable bytes). Per-clip lines must carry nmetrics * (the header's
 * stats) pooled values. On failure *out is NULL and err says what is wrong
 * and on which line (SIGMIX_EFORMAT, SIGMIX_ENOMEM). Memory grows with the
 * lines read, never with the header's claims.
 */
SIGMIX_API int sigmix_vmaflog_shard_parse(const char *buf, size_t len,
                                          sigmix_vmaflog_shard **out, sigmix_error *err);
/** Read and parse a shard file: a regular file, opened without following
 * a symbolic link and without blocking (a FIFO is refused). */
SIGMIX_API int sigmix_vmaflog_shard_read(const char *path, sigmix_vmaflog_shard **out,
                                         sigmix_error *err);
SIGMIX_API const sigmix_vmaflog_shard_header *sigmix_vmaflog_shard_header_of(const sigmix_vmaflog_shard *s);
SIGMIX_API size_t sigmix_vmaflog_shard_count(const sigmix_vmaflog_shard *s);
/** Entry i (< count); owned by the shard, valid until it is freed. */
SIGMIX_API const sigmix_vmaflog_shard_entry *sigmix_vmaflog_shard_at(const sigmix_vmaflog_shard *s, size_t i);
SIGMIX_API void sigmix_vmaflog_shard_free(sigmix_vmaflog_shard **s);

#ifdef __cplusplus
}
#endif

#endif /* SIGMIX_VMAFLOG_H */
