/*
 * Audit context: settings, families, inputs and the per-table results.
 * The table reader hashes the file for the provenance as it reads it
 * (sigmix_read_options.digest), so a large input is read once.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>


#include "audit/audit_internal.h"
#include "util/blas.h"
#include "util/error.h"
#include "util/sha256.h"

/* Columns that describe a clip rather than measure it: upstream's one
 * alternation "(^src$|sha|...|corpus_version)" as one pattern per branch
 * (a search matches either way), so each is a literal for the families'
 * matcher and no regcomp runs for ASCII names. */
static const char *const metadata_patterns[] = {
    "^src$", "sha", "basename", "path", "filename", "uuid", "id$", "timestamp", "ingested",
    "manifest", "license", "url", "bucket", "split", "fold", "corpus_version", NULL
};
static const sigmix_audit_family metadata_family = { "metadata", "metadata", "", metadata_patterns,
                                                     NULL, "" };

void sigmix_audit_default_settings(sigmix_audit_settings *s)
{
    memset(s, 0, sizeof *s);
    s->redundancy_threshold = 0.95;
    s->complement_threshold = 0.70;
    s->min_finite_ratio = 0.80;
    s->min_target_abs_r = 0.20;
    s->top_k = 12;
    s->blas_threads = 1;
}

const char *sigmix_family_status_name(sigmix_family_status s)
{
    switch (s) {
    case SIGMIX_FAMILY_MISSING: return "missing";
    case SIGMIX_FAMILY_WEAK: return "weak";
    default: return "covered";
    }
}

static int check_settings(const sigmix_audit_settings *s, sigmix_error *err)
{
    if (!isfinite(s->redundancy_threshold) || !isfinite(s->complement_threshold) ||
        !isfinite(s->min_finite_ratio) || !isfinite(s->min_target_abs_r))
        return sigmix_error_set(err, SIGMIX_EINVAL, "thresholds must be finite numbers");
    if (s->redundancy_threshold < 0 || s->redundancy_threshold > 1 ||
        s->complement_threshold < 0 || s->complement_threshold > 1 ||
        s->min_finite_ratio < 0 || s->min_finite_ratio > 1 ||
        s->min_target_abs_r < 0 || s->min_target_abs_r > 1)
        return sigmix_error_set(err, SIGMIX_EINVAL, "thresholds must lie between 0 and 1");
    if (s->top_k < 0)
        return sigmix_error_set(err, SIGMIX_EINVAL, "top-k must not be negative");
    if (s->argc < 0 || (s->argc > 0 && !s->argv))
        return sigmix_error_set(err, SIGMIX_EINVAL, "argc/argv mismatch");
    return 0;
}

int sigmix_audit_open(sigmix_audit **out, const sigmix_audit_settings *s, sigmix_error *err)
{
    sigmix_error_clear(err); /* contract: common.h */
    sigmix_audit_settings def;
    *out = NULL;
    if (!s) {
        sigmix_audit_default_settings(&def);
        s = &def;
    }
    int r = check_settings(s, err);
    if (r)
        return r;
    sigmix_audit *a = calloc(1, sizeof *a);
    if (!a)
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    a->s = *s;
    a->started = time(NULL);
    r = s->families_path ? sigmix_family_set_load(&a->fams, s->families_path, err)
                         : sigmix_family_set_builtin(&a->fams, err);
    if (!r)
        r = sigmix_family_set_from(&a->metadata, &metadata_family, 1, err);
    if (r) {
        sigmix_audit_close(&a);
        return r;
    }
    *out = a;
    return 0;
}

static void table_free(audit_table *t)
{
    if (t) {
        sigmix_arena_free(&t->arena);
        free(t);
    }
}

void sigmix_audit_close(sigmix_audit **pa)
{
    sigmix_audit *a = pa ? *pa : NULL;
    if (!a)
        return;
    for (size_t i = 0; i < a->n; i++)
        table_free(a->tables[i]);
    free(a->tables);
    sigmix_family_set_free(&a->fams);
    sigmix_family_set_free(&a->metadata);
    free(a);
    *pa = NULL;
}

void sigmix_audit_split_input(const char *spec, const char **label, size_t *label_len,
                              const char **path)
{
    struct stat st;
    const char *eq = strchr(spec, '=');
    *label = NULL;
    *label_len = 0;
    *path = spec;
    if (!eq || stat(spec, &st) == 0)
        return;
    const char *b = spec, *e = eq;
    while (b < e && (*b == ' ' || *b == '\t'))
        b++;
    while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
    if (e > b) {
        *label = b;
        *label_len = (size_t)(e - b);
    }
    *path = eq + 1;
}

char *sigmix_audit_default_label(const char *path)
{
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/')
        n--;
    const char *base = path;
    for (size_t i = 0; i < n; i++)
        if (path[i] == '/' && i + 1 < n)
            base = path + i + 1;
    size_t len = (size_t)(path + n - base);
    for (size_t i = len; i-- > 1;) {
        if (base[i] == '.') {
            len = i;
            break;
        }
    }
    char *out = malloc(len + 1);
    if (out) {
        memcpy(out, base, len);
        out[len] = '\0';
    }
    return out;
}

static int push_table(sigmix_audit *a, audit_table *t, sigmix_error *err)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 4;
        audit_table **v = realloc(a->tables, cap * sizeof *v);
        if (!v)
            return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
        a->tables = v;
        a->cap = cap;
    }
    a->tables[a->n++] = t;
    return 0;
}

/* Audit t and append the result; hash info may be NULL. */
/*
 * The table without its index columns (SIGMIX_COLF_INDEX: pandas'
 * index_columns, which read_parquet turns into the index, so the
 * reference tool never sees them as columns). *out is NULL when there
 * are none. Returns 0 or SIGMIX_ENOMEM.
 */
static int drop_index_columns(const sigmix_table *t, sigmix_table **out)
{
    size_t n = sigmix_table_cols(t), k = 0;
    *out = NULL;
    size_t *keep = malloc((n ? n : 1) * sizeof *keep);
    if (!keep)
        return SIGMIX_ENOMEM;
    for (size_t i = 0; i < n; i++)
        if (!(sigmix_table_col(t, i)->flags & SIGMIX_COLF_INDEX))
            keep[k++] = i;
    int rc = k < n ? sigmix_table_select(t, keep, k, sigmix_table_rows(t), out) : 0;
    free(keep);
    return rc;
}

/* Two tables under one label cannot be told apart in the reports. */
static void warn_same_label(const sigmix_audit *a, const audit_table *r)
{
    if (!a->s.warn)
        return;
    for (size_t i = 0; i < a->n; i++) {
        const sigmix_audit_result *o = &a->tables[i]->res;
        if (strcmp(o->label, r->res.label))
            continue;
        char msg[1024];
        snprintf(msg, sizeof msg, "label '%s' is given to two inputs (%s and %s); the reports "
                 "cannot tell them apart (name them with LABEL=PATH)", r->res.label,
                 o->path ? o->path : "a table", r->res.path ? r->res.path : "a table");
        a->s.warn(a->s.warn_cookie, msg);
        return;
    }
}

static int add_common(sigmix_audit *a, const char *label, const char *path,
                      const sigmix_table *t, const char *sha, uint64_t size, sigmix_error *err)
{
    audit_table *r = calloc(1, sizeof *r);
    if (!r)
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    sigmix_arena_init(&r->arena);
    char *deflabel = NULL;
    r->explicit_label = label != NULL;
    if (!label)
        label = deflabel = sigmix_audit_default_label(path ? path : "table");
    r->res.label = label ? sigmix_arena_strndup(&r->arena, label, strlen(label)) : NULL;
    r->res.path = path ? sigmix_arena_strndup(&r->arena, path, strlen(path)) : NULL;
    free(deflabel);
    int rc = 0;
    if (!r->res.label || (path && !r->res.path))
        rc = sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    if (sha) {
        r->res.has_file = 1;
        r->res.file_size = size;
        memcpy(r->res.sha256, sha, 65);
    }
    sigmix_table *data = NULL;
    if (!rc && drop_index_columns(t, &data))
        rc = sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    if (!rc) {
        /* OpenBLAS's thread count is process-wide: set for this analysis
         * only and put back, so the caller's process is left as it was. */
        sigmix_blas_enter(a->s.blas_threads);
        rc = sigmix_audit_analyze(a, data ? data : t, r, err);
        sigmix_blas_leave(a->s.blas_threads);
    }
    if (!rc)
        warn_same_label(a, r);
    if (!rc)
        rc = push_table(a, r, err);
    sigmix_table_free(&data);
    if (rc)
        table_free(r);
    return rc;
}

int sigmix_audit_add_table(sigmix_audit *a, const char *label, const char *path,
                           const sigmix_table *t, sigmix_error *err)
{
    sigmix_error_clear(err); /* contract: common.h */
    if (!a || !t)
        return sigmix_error_set(err, SIGMIX_EINVAL, "no table");
    return add_common(a, label, path, t, NULL, 0, err);
}

typedef struct hash_job {
    const char  *path;
    char         hex[65];
    uint64_t     size;
    sigmix_error err;
    int          rc;
} hash_job;

static void *hash_main(void *arg)
{
    hash_job *j = arg;
    j->rc = sigmix_sha256_file(j->path, j->hex, &j->size, &j->err);
    return NULL;
}

int sigmix_audit_add_file(sigmix_audit *a, const char *label, const char *path,
                          sigmix_error *err)
{
    sigmix_error_clear(err); /* contract: common.h */
    struct stat st;
    if (!a || !path)
        return sigmix_error_set(err, SIGMIX_EINVAL, "no path");
    if (stat(path, &st) != 0)
        return sigmix_error_open(err, errno);
    int regular = S_ISREG(st.st_mode);
    hash_job job = { path, "", 0, { 0, "" }, 0 };
    sigmix_read_digest dg;
    sigmix_read_options o;
    sigmix_read_options_default(&o);
    o.warn = a->s.warn;
    o.warn_cookie = a->s.warn_cookie;
    /* The reader hashes the file for the provenance in its own pass over
     * the bytes (text), or on a side thread while it decodes (Parquet). */
    if (regular)
        o.digest = &dg;
    sigmix_table *t = NULL;
    int rc = sigmix_table_read(path, &o, &t, err);
    if (regular && !rc && dg.sha256[0]) {
        memcpy(job.hex, dg.sha256, sizeof job.hex);
        job.size = dg.bytes;
    } else if (regular && !rc) {
        hash_main(&job);
    }
    if (!rc && regular && job.rc)
        rc = sigmix_error_set(err, job.rc, "%s", job.err.message);
    if (!rc)
        rc = add_common(a, label, path, t, regular ? job.hex : NULL, job.size, err);
    sigmix_table_free(&t);
    return rc;
}

int sigmix_audit_add_input(sigmix_audit *a, const char *spec, sigmix_error *err)
{
    sigmix_error_clear(err); /* contract: common.h */
    const char *label, *path;
    size_t len;
    sigmix_audit_split_input(spec, &label, &len, &path);
    char *l = NULL;
    if (label && !(l = strndup(label, len)))
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    int rc = sigmix_audit_add_file(a, l, path, err);
    free(l);
    return rc;
}

size_t sigmix_audit_count(const sigmix_audit *a)
{
    return a ? a->n : 0;
}

const sigmix_audit_result *sigmix_audit_result_at(const sigmix_audit *a, size_t i)
{
    return a && i < a->n ? &a->tables[i]->res : NULL;
}

const sigmix_audit_family *sigmix_audit_families(const sigmix_audit *a, size_t *n)
{
    if (n)
        *n = a ? a->fams.n : 0;
    return a ? a->fams.fam : NULL;
}

const sigmix_audit_family *sigmix_audit_family_by_key(const sigmix_audit *a, const char *key)
{
    for (size_t f = 0; f < a->fams.n; f++)
        if (!strcmp(a->fams.fam[f].key, key))
            return &a->fams.fam[f];
    return NULL;
}

const char *sigmix_audit_family_label(const sigmix_audit *a, const char *key)
{
    const sigmix_audit_family *f = sigmix_audit_family_by_key(a, key);
    return f ? f->label : key;
}
