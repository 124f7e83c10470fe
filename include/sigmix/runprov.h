/*
 * sigmix — run provenance in the ADR-0661 layout ("ai-run-provenance-v1") and the
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
 *
 * Ownership: a document owns every value made from it; sigmix_jdoc_free
 * releases them all. A document and its provenance are used by one thread
 * at a time. Functions never fail loudly: allocation failures mark the
 * document (sigmix_jdoc_failed), and sigmix_jdoc_write reports them.
 */
#ifndef SIGMIX_RUNPROV_H
#define SIGMIX_RUNPROV_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sigmix/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- JSON tree ------------------------------------------------------- */

typedef struct sigmix_jdoc sigmix_jdoc; /* owns every value made from it */
typedef struct sigmix_jv   sigmix_jv;

SIGMIX_API sigmix_jdoc *sigmix_jdoc_new(void);
SIGMIX_API void         sigmix_jdoc_free(sigmix_jdoc *d);
/** Whether an allocation failed since creation (values then degrade to null). */
SIGMIX_API int          sigmix_jdoc_failed(const sigmix_jdoc *d);

/* Constructors never return NULL: on OOM they return a shared null and
 * mark the document failed, so callers check once before writing. */
SIGMIX_API sigmix_jv *sigmix_jv_obj(sigmix_jdoc *d);
SIGMIX_API sigmix_jv *sigmix_jv_arr(sigmix_jdoc *d);
SIGMIX_API sigmix_jv *sigmix_jv_null(sigmix_jdoc *d);
SIGMIX_API sigmix_jv *sigmix_jv_bool(sigmix_jdoc *d, int v);
SIGMIX_API sigmix_jv *sigmix_jv_int(sigmix_jdoc *d, int64_t v);
SIGMIX_API sigmix_jv *sigmix_jv_num(sigmix_jdoc *d, double v);      /* non-finite -> null */
SIGMIX_API sigmix_jv *sigmix_jv_str(sigmix_jdoc *d, const char *s); /* NULL -> null */
SIGMIX_API sigmix_jv *sigmix_jv_strn(sigmix_jdoc *d, const char *s, size_t n);

/** Set obj[key] = v (replacing an earlier value of that key). */
SIGMIX_API void sigmix_jv_set(sigmix_jdoc *d, sigmix_jv *obj, const char *key, sigmix_jv *v);
/** Member of obj named key, or NULL. */
SIGMIX_API sigmix_jv *sigmix_jv_get(const sigmix_jv *obj, const char *key);
SIGMIX_API void sigmix_jv_push(sigmix_jdoc *d, sigmix_jv *arr, sigmix_jv *v);

/** Serialize v: indent 2 (0 = compact), sorted keys, final newline when indented. */
SIGMIX_API void sigmix_jv_write(const sigmix_jv *v, FILE *f, int indent);

/**
 * Write v to path atomically (temporary file, then rename); "-" is stdout.
 * Fails with SIGMIX_ENOMEM when the document lost an allocation.
 */
SIGMIX_API int sigmix_jdoc_write(const sigmix_jdoc *d, const sigmix_jv *v, const char *path,
                      sigmix_error *err);

/* ---- run provenance --------------------------------------------------- */

typedef struct sigmix_runprov sigmix_runprov;

/**
 * Start a run's provenance: records the start time, the host and argv
 * (the arguments after the subcommand). The values live in d.
 * Returns NULL only on OOM.
 */
SIGMIX_API sigmix_runprov *sigmix_runprov_new(sigmix_jdoc *d, int argc, char *const *argv);
SIGMIX_API void            sigmix_runprov_free(sigmix_runprov *p);

/* "args": one member per option, long name with '-' -> '_'. */
SIGMIX_API void sigmix_runprov_arg_str(sigmix_runprov *p, const char *name, const char *v); /* NULL -> null */
SIGMIX_API void sigmix_runprov_arg_bool(sigmix_runprov *p, const char *name, int v);
SIGMIX_API void sigmix_runprov_arg_num(sigmix_runprov *p, const char *name, double v);
SIGMIX_API void sigmix_runprov_arg_int(sigmix_runprov *p, const char *name, int64_t v);
/** A repeatable option: a list of strings, or null when n == 0. */
SIGMIX_API void sigmix_runprov_arg_list(sigmix_runprov *p, const char *name, const char *const *v, size_t n);

/**
 * "inputs": name -> {path, exists, kind, sha256} (path NULL -> null);
 * the file is hashed now, and its size recorded under "sigmix".
 */
SIGMIX_API void sigmix_runprov_input_file(sigmix_runprov *p, const char *name, const char *path);
/** name -> a list of file entries. */
SIGMIX_API void sigmix_runprov_input_files(sigmix_runprov *p, const char *name,
                                const char *const *paths, size_t n);
/**
 * name -> one file entry, as _input_file makes, from a sha256 (64 hex
 * digits) and size the caller already has, so the file is not read again;
 * with sha256 NULL, or a path that is not a regular file, it is described
 * now, as _input_file does.
 */
SIGMIX_API void sigmix_runprov_input_known(sigmix_runprov *p, const char *name, const char *path,
                                           const char *sha256, uint64_t size);
/**
 * Append one file entry to the list input name (made on first use). With
 * sha256 (64 hex digits) and size the caller already has, the file is not
 * read again; with sha256 NULL it is hashed now, as _input_file does.
 */
SIGMIX_API void sigmix_runprov_input_push(sigmix_runprov *p, const char *name, const char *path,
                                          const char *sha256, uint64_t size);
/** Rows read from input name (index within a list input, else 0). */
SIGMIX_API void sigmix_runprov_input_rows(sigmix_runprov *p, const char *name, size_t index, uint64_t rows);

/** "outputs": name -> path as text (NULL -> null), as upstream records them. */
SIGMIX_API void sigmix_runprov_output(sigmix_runprov *p, const char *name, const char *path);

/**
 * Stamp the end time and return the run_provenance object (owned by the
 * document; may be called again for a later end time).
 */
SIGMIX_API sigmix_jv *sigmix_runprov_finish(sigmix_runprov *p);

/** {path, exists, kind, sha256} for one path, as upstream's describe_path. */
SIGMIX_API sigmix_jv *sigmix_runprov_describe(sigmix_jdoc *d, const char *path, uint64_t *size);

/** The schema name, for tests and readers. */
#define SIGMIX_RUNPROV_SCHEMA "ai-run-provenance-v1"

#ifdef __cplusplus
}
#endif

#endif /* SIGMIX_RUNPROV_H */
