/*
 * Run provenance in the ADR-0661 layout ("ai-run-provenance-v1") and the
 * small JSON tree every report is built in before it is written.
 *
 * Upstream writes reports with json.dumps(indent=2, sort_keys=True) plus a
 * final newline. A streaming writer cannot sort keys it has not seen yet,
 * so reports are built as a tree (sigmix_jv) and serialized once, keys in
 * code-point order, strings escaped as Python's default ensure_ascii does,
 * non-finite numbers as null.
 *
 * Converting a report that already streams through sigmix_jsonw:
 *   sigmix_jdoc *d = sigmix_jdoc_new();
 *   sigmix_runprov *p = sigmix_runprov_new(d, argc - 1, argv + 1);
 *   sigmix_runprov_arg_str(p, "out_json", path); ...      every option
 *   sigmix_runprov_input_files(p, "tables", paths, n);     named inputs
 *   sigmix_runprov_output(p, "json_report", path);         named outputs
 *   sigmix_runprov_input_rows(p, "tables", i, rows);       after reading
 *   ... build the report members with sigmix_jv_* (or keep the streaming
 *   writer and emit members in sorted order, then) ...
 *   sigmix_jv_set(report, "run_provenance", sigmix_runprov_finish(p));
 *   sigmix_jdoc_write(d, report, path, err);
 */
#ifndef SIGMIX_UTIL_RUNPROV_H
#define SIGMIX_UTIL_RUNPROV_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "sigmix/common.h"
/* The same declarations, exported: the public copy is the reference. */
#include "sigmix/runprov.h"

/* ---- JSON tree ------------------------------------------------------- */

typedef struct sigmix_jdoc sigmix_jdoc; /* owns every value made from it */
typedef struct sigmix_jv   sigmix_jv;

sigmix_jdoc *sigmix_jdoc_new(void);
void         sigmix_jdoc_free(sigmix_jdoc *d);
/** Whether an allocation failed since creation (values then degrade to null). */
int          sigmix_jdoc_failed(const sigmix_jdoc *d);

/* Constructors never return NULL: on OOM they return a shared null and
 * mark the document failed, so callers check once before writing. */
sigmix_jv *sigmix_jv_obj(sigmix_jdoc *d);
sigmix_jv *sigmix_jv_arr(sigmix_jdoc *d);
sigmix_jv *sigmix_jv_null(sigmix_jdoc *d);
sigmix_jv *sigmix_jv_bool(sigmix_jdoc *d, int v);
sigmix_jv *sigmix_jv_int(sigmix_jdoc *d, int64_t v);
sigmix_jv *sigmix_jv_num(sigmix_jdoc *d, double v);      /* non-finite -> null */
sigmix_jv *sigmix_jv_str(sigmix_jdoc *d, const char *s); /* NULL -> null */
sigmix_jv *sigmix_jv_strn(sigmix_jdoc *d, const char *s, size_t n);

/** Set obj[key] = v (replacing an earlier value of that key). */
void sigmix_jv_set(sigmix_jdoc *d, sigmix_jv *obj, const char *key, sigmix_jv *v);
/** Member of obj named key, or NULL. */
sigmix_jv *sigmix_jv_get(const sigmix_jv *obj, const char *key);
void sigmix_jv_push(sigmix_jdoc *d, sigmix_jv *arr, sigmix_jv *v);

/** Serialize v: indent 2 (0 = compact), sorted keys, final newline when indented. */
void sigmix_jv_write(const sigmix_jv *v, FILE *f, int indent);

/**
 * Write v to path atomically (temporary file, then rename); "-" is stdout.
 * Fails with SIGMIX_ENOMEM when the document lost an allocation.
 */
int sigmix_jdoc_write(const sigmix_jdoc *d, const sigmix_jv *v, const char *path,
                      sigmix_error *err);

/*
 * Buffered streaming writer with sigmix_jv_write's exact layout, for
 * reports too large to build as a tree first. The caller emits object
 * members in sorted key order itself; sigmix_jout_value writes a tree
 * (its keys sorted) as one value. Bytes reach f in large blocks; call
 * sigmix_jout_flush before touching f directly and at the end.
 */
enum { SIGMIX_JOUT_MAX_DEPTH = 32, SIGMIX_JOUT_NUM_BITS = 8 };

/* The text of a recently written |number|: a report repeats values (a
 * column's target correlation in every pair it is part of; a pair's
 * Pearson r and its absolute value), and formatting is most of its cost. */
typedef struct sigmix_jout_num_slot {
    uint64_t bits; /* of the absolute value */
    uint8_t  len;  /* 0: empty */
    char     text[31];
} sigmix_jout_num_slot;

typedef struct sigmix_jout {
    FILE         *f;
    int           indent, depth, after_key;
    unsigned char count[SIGMIX_JOUT_MAX_DEPTH]; /* container has items */
    size_t        len;
    char          buf[1 << 15];
    sigmix_jout_num_slot nums[1 << SIGMIX_JOUT_NUM_BITS];
} sigmix_jout;

void sigmix_jout_init(sigmix_jout *o, FILE *f, int indent);
void sigmix_jout_flush(sigmix_jout *o);
void sigmix_jout_obj_begin(sigmix_jout *o);
void sigmix_jout_obj_end(sigmix_jout *o);
void sigmix_jout_arr_begin(sigmix_jout *o);
void sigmix_jout_arr_end(sigmix_jout *o);
void sigmix_jout_key(sigmix_jout *o, const char *key);
void sigmix_jout_str(sigmix_jout *o, const char *s);   /* NULL -> null */
void sigmix_jout_num(sigmix_jout *o, double v);        /* non-finite -> null */
void sigmix_jout_int(sigmix_jout *o, int64_t v);
void sigmix_jout_value(sigmix_jout *o, const sigmix_jv *v);
void sigmix_jout_newline(sigmix_jout *o);               /* the final newline */

/* ---- run provenance --------------------------------------------------- */

typedef struct sigmix_runprov sigmix_runprov;

/**
 * Start a run's provenance: records the start time, the host and argv
 * (the arguments after the subcommand). The values live in d.
 * Returns NULL only on OOM.
 */
sigmix_runprov *sigmix_runprov_new(sigmix_jdoc *d, int argc, char *const *argv);
void            sigmix_runprov_free(sigmix_runprov *p);

/* "args": one member per option, long name with '-' -> '_'. */
void sigmix_runprov_arg_str(sigmix_runprov *p, const char *name, const char *v); /* NULL -> null */
void sigmix_runprov_arg_bool(sigmix_runprov *p, const char *name, int v);
void sigmix_runprov_arg_num(sigmix_runprov *p, const char *name, double v);
void sigmix_runprov_arg_int(sigmix_runprov *p, const char *name, int64_t v);
/** A repeatable option: a list of strings, or null when n == 0. */
void sigmix_runprov_arg_list(sigmix_runprov *p, const char *name, const char *const *v, size_t n);

/**
 * "inputs": name -> {path, exists, kind, sha256} (path NULL -> null);
 * the file is hashed now, and its size recorded under "sigmix".
 */
void sigmix_runprov_input_file(sigmix_runprov *p, const char *name, const char *path);
/** name -> a list of file entries. */
void sigmix_runprov_input_files(sigmix_runprov *p, const char *name,
                                const char *const *paths, size_t n);
/* sigmix_runprov_input_known and _push (entries for files the caller
 * already hashed, so a large input is not read twice): sigmix/runprov.h. */
/** Record a start time taken before the provenance was made. */
void sigmix_runprov_set_started(sigmix_runprov *p, time_t started);

/** Rows read from input name (index within a list input, else 0). */
void sigmix_runprov_input_rows(sigmix_runprov *p, const char *name, size_t index, uint64_t rows);

/** "outputs": name -> path as text (NULL -> null), as upstream records them. */
void sigmix_runprov_output(sigmix_runprov *p, const char *name, const char *path);

/**
 * Stamp the end time and return the run_provenance object (owned by the
 * document; may be called again for a later end time).
 */
sigmix_jv *sigmix_runprov_finish(sigmix_runprov *p);

/** {path, exists, kind, sha256} for one path, as upstream's describe_path. */
sigmix_jv *sigmix_runprov_describe(sigmix_jdoc *d, const char *path, uint64_t *size);

/** The schema name, for tests and readers. */
#define SIGMIX_RUNPROV_SCHEMA "ai-run-provenance-v1"

#endif
