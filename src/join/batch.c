/*
 * Batch runner for the joins and saliency: one manifest, many tables, as
 * upstream's batch_materialize_second_opinion_features.py,
 * batch_materialize_mos_labels.py and batch_materialize_saliency_features.py. The whole manifest is validated before
 * the first table runs; a failing table is recorded and the rest go on
 * (unless fail_fast).
 *
 * Manifest: {"defaults": {CONFIG...}, "tables": [{"id", "features",
 * "scores"|"labels", "out", "audit_json"?, CONFIG...}, ...]}; for saliency
 * the tables are {"id", "input", "output", "audit_json"?, CONFIG...}.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "join/internal.h"
#include "saliency/internal.h"
#include "sigmix/join.h"
#include "sigmix/util.h"
#include "table/jsonrow.h"
#include "table/simdjson_shim.h"
#include "util/atomic.h"
#include "util/error.h"
#include "util/runprov.h"

static const char *const SO_CONFIG[] = {
    "key_column", "score_key_field", "score_field", "key_normalize", "missing_policy",
    "prefix", "overwrite", NULL,
};
static const char *const MOS_CONFIG[] = {
    "feature_key_column", "label_key_column", "label_mos_column", "key_normalize",
    "feature_key_regex", "label_key_regex", "min_match_rate", "status_column", "overwrite", NULL,
};
/* Upstream's SaliencyMaterializeConfig, then sigmix's own settings. */
static const char *const SAL_CONFIG[] = {
    "path_column", "width_column", "height_column", "root", "ffmpeg_bin", "ffprobe_bin",
    "model_path", "model_id", "max_frames", "frame_samples", "temporal_aggregator",
    "ema_alpha", "overwrite", "status_column", "model_id_column", "aggregator_column",
    "ema_alpha_column", "default_width", "default_height",
    "allow_outside_root", "raw_pix_fmt", "max_pixels", "jobs", NULL,
};

typedef struct cfgval {
    const char *name;
    int         type;   /* sigmix_sj_type; -1 unset */
    double      d;
    int64_t     i;
    char       *s;
} cfgval;

typedef struct spec {
    char   *id;
    char   *features, *out, *audit_json;
    char  **inputs;     /* resolved score specs or label paths */
    size_t  ninputs;
    cfgval  cfg[24];
    size_t  ncfg;
} spec;

static int in_list(const char *const *l, const char *s, size_t n)
{
    for (size_t i = 0; l[i]; i++)
        if (strlen(l[i]) == n && !memcmp(l[i], s, n))
            return 1;
    return 0;
}

static char *resolve(const char *base, const char *p, size_t n)
{
    size_t bl = strlen(base);
    char *o = malloc(bl + n + 2);
    if (!o)
        return NULL;
    if ((n && p[0] == '/') || !strcmp(base, ".")) {
        memcpy(o, p, n);
        o[n] = '\0';
    } else {
        memcpy(o, base, bl);
        o[bl] = '/';
        memcpy(o + bl + 1, p, n);
        o[bl + 1 + n] = '\0';
    }
    return o;
}

/* A failed allocation: the manifest may be fine, so the caller reports
 * SIGMIX_ENOMEM rather than a malformed manifest. */
static int nomem(char *msg, size_t msgn)
{
    snprintf(msg, msgn, "out of memory");
    return SIGMIX_ENOMEM;
}

/* A manifest that failed to load: out of memory when oom, else the
 * manifest's fault, described by fmt (-1). */
SIGMIX_PRINTF(4, 5)
static int bad(int oom, char *msg, size_t msgn, const char *fmt, ...)
{
    if (oom)
        return nomem(msg, msgn);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, msgn, fmt, ap);
    va_end(ap);
    return -1;
}

static void spec_free(spec *s)
{
    free(s->id);
    free(s->features);
    free(s->out);
    free(s->audit_json);
    for (size_t i = 0; i < s->ninputs; i++)
        free(s->inputs[i]);
    free(s->inputs);
    for (size_t i = 0; i < s->ncfg; i++)
        free(s->cfg[i].s);
}

static cfgval *cfg_get(spec *s, const char *name)
{
    for (size_t i = 0; i < s->ncfg; i++)
        if (!strcmp(s->cfg[i].name, name))
            return &s->cfg[i];
    return NULL;
}

/* Record a config value (table entries override defaults). */
static int cfg_set(spec *s, const char *const *names, const jobj *o, const jfield *f,
                   char *msg, size_t msgn)
{
    const char *key = SIGMIX_JKEY(o, f);
    const char *canon = NULL;
    for (size_t i = 0; names[i]; i++)
        if (!strcmp(names[i], key))
            canon = names[i];
    if (f->type == SIGMIX_SJ_NESTED) {
        snprintf(msg, msgn, "config key %s must be a string, number, boolean or null", key);
        return -1;
    }
    cfgval *v = cfg_get(s, canon);
    if (!v) {
        v = &s->cfg[s->ncfg++];
        v->name = canon;
    }
    free(v->s);
    v->s = NULL;
    v->type = f->type;
    v->d = f->d;
    v->i = f->i;
    if (f->type == SIGMIX_SJ_STRING) {
        v->s = strndup(SIGMIX_JSTR(o, f), f->slen);
        if (!v->s)
            return nomem(msg, msgn);
    }
    return 0;
}

/* Python's sorted(set) repr of unknown keys, e.g. ['a', 'b']. */
static int unknown_keys(const jobj *o, const char *const *a, const char *const *b,
                        char *out, size_t outn)
{
    size_t cnt = 0;
    const char *names[64];
    for (size_t i = 0; i < o->n && cnt < 64; i++) {
        const char *k = SIGMIX_JKEY(o, &o->f[i]);
        if (in_list(a, k, o->f[i].klen) || (b && in_list(b, k, o->f[i].klen)))
            continue;
        int dup = 0;
        for (size_t j = 0; j < cnt; j++)
            dup |= !strcmp(names[j], k);
        if (!dup)
            names[cnt++] = k;
    }
    if (!cnt)
        return 0;
    for (size_t i = 1; i < cnt; i++)
        for (size_t j = i; j && strcmp(names[j - 1], names[j]) > 0; j--) {
            const char *t = names[j];
            names[j] = names[j - 1];
            names[j - 1] = t;
        }
    size_t n = snprintf(out, outn, "[");
    for (size_t i = 0; i < cnt && n < outn; i++) {
        char *q = sigmix_join_repr(names[i], strlen(names[i]));
        if (!q)
            return SIGMIX_ENOMEM;
        n += snprintf(out + n, outn - n, "%s%s", i ? ", " : "", q);
        free(q);
    }
    if (n < outn)
        snprintf(out + n, outn - n, "]");
    return 1;
}

/* A config value's validity for the join it configures. */
static int check_cfg(const cfgval *v, int sal, char *msg, size_t msgn)
{
    const char *n = v->name;
    int is_str = v->type == SIGMIX_SJ_STRING, is_null = v->type == SIGMIX_SJ_NULL;
    static const char *const ints[] = { "max_frames", "frame_samples", "default_width",
                                        "default_height", "max_pixels", "jobs", NULL };
    if (in_list(ints, n, strlen(n))) {
        if (v->type != SIGMIX_SJ_INT && !is_null)
            return snprintf(msg, msgn, "config key %s must be an integer or null", n), -1;
        return 0;
    }
    if (!strcmp(n, "ema_alpha")) {
        if (v->type != SIGMIX_SJ_INT && v->type != SIGMIX_SJ_DOUBLE && !is_null)
            return snprintf(msg, msgn, "config key ema_alpha must be a number or null"), -1;
        return 0;
    }
    if (!strcmp(n, "allow_outside_root")) {
        if (v->type != SIGMIX_SJ_BOOL)
            return snprintf(msg, msgn, "config key %s must be true or false", n), -1;
        return 0;
    }
    if (!strcmp(n, "overwrite")) {
        if (v->type != SIGMIX_SJ_BOOL)
            return snprintf(msg, msgn, "config key overwrite must be true or false"), -1;
        return 0;
    }
    if (!strcmp(n, "min_match_rate")) {
        double x = v->type == SIGMIX_SJ_INT ? (double)v->i : v->d;
        if ((v->type != SIGMIX_SJ_INT && v->type != SIGMIX_SJ_DOUBLE) || !(x >= 0 && x <= 1))
            return snprintf(msg, msgn, "config key min_match_rate must be a number in [0, 1]"), -1;
        return 0;
    }
    if (!strcmp(n, "key_normalize")) {
        sigmix_key_mode m;
        if (!is_str || sigmix_key_mode_parse(v->s, &m))
            return snprintf(msg, msgn, "config key key_normalize must be auto, raw, basename or stem"), -1;
        return 0;
    }
    if (!strcmp(n, "missing_policy")) {
        if (!is_str || (strcmp(v->s, "mark") && strcmp(v->s, "drop") && strcmp(v->s, "fail")))
            return snprintf(msg, msgn, "config key missing_policy must be mark, drop or fail"), -1;
        return 0;
    }
    if (!strcmp(n, "prefix") || (!sal && !strcmp(n, "status_column"))) {
        if (!is_str || !*v->s)
            return snprintf(msg, msgn, "config key %s must be a non-empty string", n), -1;
        return 0;
    }
    if (!is_str && !is_null)
        return snprintf(msg, msgn, "config key %s must be a string or null", n), -1;
    return 0;
}

/* Text of a required or optional path field. */
static int path_field(const jobj *o, const char *name, const char *base, int required,
                      size_t index, char **out, char *msg, size_t msgn)
{
    const jfield *f = sigmix_jobj_get(o, name);
    *out = NULL;
    if (!f || f->type == SIGMIX_SJ_NULL || (f->type == SIGMIX_SJ_STRING && !f->slen)) {
        if (required)
            return snprintf(msg, msgn, "table entry %zu is missing %s", index, name), -1;
        return 0;
    }
    if (f->type != SIGMIX_SJ_STRING)
        return snprintf(msg, msgn, "table entry %zu: %s must be a string", index, name), -1;
    *out = resolve(base, SIGMIX_JSTR(o, f), f->slen);
    return *out ? 0 : nomem(msg, msgn);
}

/* Defaults, then the entry's own keys, each checked; saliency's root and
 * model_path resolve against the base folder as upstream's do. */
static int load_config(spec *s, const char *const *cfgnames, const jobj *def, const jobj *ent,
                       const char *base, size_t i, char *msg, size_t msgn)
{
    int sal = cfgnames == SAL_CONFIG, r;
    for (size_t k = 0; k < def->n; k++)
        if ((r = cfg_set(s, cfgnames, def, &def->f[k], msg, msgn)))
            return r;
    for (size_t k = 0; k < ent->n; k++)
        if (in_list(cfgnames, SIGMIX_JKEY(ent, &ent->f[k]), ent->f[k].klen)
            && (r = cfg_set(s, cfgnames, ent, &ent->f[k], msg, msgn)))
            return r;
    for (size_t k = 0; k < s->ncfg; k++) {
        cfgval *v = &s->cfg[k];
        if (check_cfg(v, sal, msg, msgn)) {
            size_t l = strlen(msg);
            snprintf(msg + l, msgn - l, " (table entry %zu)", i);
            return -1;
        }
        if (sal && v->type == SIGMIX_SJ_STRING && *v->s
            && (!strcmp(v->name, "root") || !strcmp(v->name, "model_path"))) {
            char *p = resolve(base, v->s, strlen(v->s));
            if (!p)
                return nomem(msg, msgn);
            free(v->s);
            v->s = p;
        }
    }
    return 0;
}

static int load_manifest(const sigmix_batch_options *o, const char *buf, size_t len,
                         const char *base, spec **specs, size_t *nspecs, char *msg, size_t msgn)
{
    int so = o->kind == SIGMIX_JOIN_SECOND_OPINION, sal = o->kind == SIGMIX_BATCH_SALIENCY;
    const char *const *cfgnames = so ? SO_CONFIG : sal ? SAL_CONFIG : MOS_CONFIG;
    static const char *const SO_TABLE[] = { "id", "features", "scores", "out", "audit_json", NULL };
    static const char *const MOS_TABLE[] = { "id", "features", "labels", "out", "audit_json", NULL };
    static const char *const SAL_TABLE[] = { "id", "input", "output", "audit_json", NULL };
    const char *list_name = so ? "scores" : "labels";
    sigmix_sj *sj = sigmix_sj_new();
    jobj root, def, ent;
    memset(&root, 0, sizeof root);
    memset(&def, 0, sizeof def);
    memset(&ent, 0, sizeof ent);
    size_t *off = NULL, *ln = NULL, n = 0, *ioff = NULL, *iln = NULL, in = 0;
    int r = -1;
    const char *found = "";
    if (!sj) {
        r = nomem(msg, msgn);
        goto out;
    }
    size_t where = 0;
    int st = sigmix_sj_validate(sj, buf, len, len + SIGMIX_SJ_PADDING, &where), k;
    if (st) {
        r = bad(st == SIGMIX_SJ_NOMEM, msg, msgn, "invalid JSON manifest: %s (byte %zu)",
                sigmix_jrow_message(st), where);
        goto out;
    }
    /* Every nested parse and split below can fail only for want of memory
     * or for the manifest's shape; the two are told apart here. */
    st = sigmix_jobj_parse(sj, &root, buf, len, &found);
    if (st) {
        r = bad(st == SIGMIX_SJ_NOMEM, msg, msgn, "manifest root must be a JSON object");
        goto out;
    }
    const jfield *d = sigmix_jobj_get(&root, "defaults");
    if (d && d->type != SIGMIX_SJ_NULL) {
        st = -1;
        if (d->type != SIGMIX_SJ_NESTED || SIGMIX_JSTR(&root, d)[0] != '{'
            || (st = sigmix_jobj_parse(sj, &def, SIGMIX_JSTR(&root, d), d->slen, &found))) {
            r = bad(st == SIGMIX_SJ_NOMEM, msg, msgn, "manifest defaults must be an object");
            goto out;
        }
    }
    char keys[512];
    if ((k = unknown_keys(&def, cfgnames, NULL, keys, sizeof keys))) {
        r = bad(k == SIGMIX_ENOMEM, msg, msgn, "unknown default keys: %s", keys);
        goto out;
    }
    const jfield *t = sigmix_jobj_get(&root, "tables");
    k = 0;
    if (!t || t->type != SIGMIX_SJ_NESTED || SIGMIX_JSTR(&root, t)[0] != '['
        || (k = sigmix_join_split_array(SIGMIX_JSTR(&root, t), t->slen, &off, &ln, &n)) || !n) {
        r = bad(k, msg, msgn, "manifest tables must be a non-empty array");
        goto out;
    }
    *specs = calloc(n, sizeof **specs);
    if (!*specs) {
        r = nomem(msg, msgn);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        spec *s = &(*specs)[i];
        *nspecs = i + 1;
        if ((st = sigmix_jobj_parse(sj, &ent, SIGMIX_JSTR(&root, t) + off[i], ln[i], &found))) {
            r = bad(st == SIGMIX_SJ_NOMEM, msg, msgn, "table entry %zu must be an object", i);
            goto out;
        }
        if ((k = unknown_keys(&ent, cfgnames, so ? SO_TABLE : sal ? SAL_TABLE : MOS_TABLE, keys,
                              sizeof keys))) {
            r = bad(k == SIGMIX_ENOMEM, msg, msgn, "unknown keys in table entry %zu: %s", i, keys);
            goto out;
        }
        const jfield *idf = sigmix_jobj_get(&ent, "id");
        char idbuf[48];
        const char *ids = "";
        size_t idn = 0;
        if (idf && idf->type == SIGMIX_SJ_STRING) {
            ids = SIGMIX_JSTR(&ent, idf);
            idn = idf->slen;
        } else if (idf && idf->type == SIGMIX_SJ_INT && idf->i) {
            idn = (size_t)snprintf(idbuf, sizeof idbuf, "%lld", (long long)idf->i);
            ids = idbuf;
        }
        sigmix_join_strip(&ids, &idn);
        if (!idn) {
            snprintf(msg, msgn, "table entry %zu is missing non-empty id", i);
            goto out;
        }
        if (!(s->id = strndup(ids, idn))) {
            r = nomem(msg, msgn);
            goto out;
        }
        if (sal) { /* no input list: the table and the config */
            if ((r = path_field(&ent, "input", base, 1, i, &s->features, msg, msgn))
                || (r = path_field(&ent, "output", base, 1, i, &s->out, msg, msgn))
                || (r = path_field(&ent, "audit_json", base, 0, i, &s->audit_json, msg, msgn))
                || (r = load_config(s, cfgnames, &def, &ent, base, i, msg, msgn)))
                goto out;
            r = -1;
            continue;
        }
        const jfield *lf = sigmix_jobj_get(&ent, list_name);
        free(ioff);
        free(iln);
        ioff = iln = NULL;
        in = 0;
        k = 0;
        if (!lf || lf->type != SIGMIX_SJ_NESTED || SIGMIX_JSTR(&ent, lf)[0] != '['
            || (k = sigmix_join_split_array(SIGMIX_JSTR(&ent, lf), lf->slen, &ioff, &iln, &in))
            || !in) {
            r = bad(k, msg, msgn, "table entry %zu needs a non-empty %s array", i, list_name);
            goto out;
        }
        if ((r = path_field(&ent, "features", base, 1, i, &s->features, msg, msgn))
            || (r = path_field(&ent, "out", base, 1, i, &s->out, msg, msgn))
            || (r = path_field(&ent, "audit_json", base, 0, i, &s->audit_json, msg, msgn)))
            goto out;
        r = -1;
        s->inputs = calloc(in, sizeof *s->inputs);
        if (!s->inputs) {
            r = nomem(msg, msgn);
            goto out;
        }
        for (size_t k = 0; k < in; k++) {
            size_t ulen;
            const char *item = SIGMIX_JSTR(&ent, lf) + ioff[k];
            char *text = sigmix_join_json_unquote(item, iln[k], &ulen);
            if (!text) {
                /* validated JSON: a quoted item failed only for memory */
                r = bad(item[0] == '"', msg, msgn, "table entry %zu: %s[%zu] must be a string", i,
                        list_name, k);
                goto out;
            }
            const char *eq = so ? strchr(text, '=') : NULL;
            if (eq) {
                /* LABEL=path: only the path part is resolved */
                char *p = resolve(base, eq + 1, strlen(eq + 1));
                size_t ll = (size_t)(eq - text);
                s->inputs[k] = p ? malloc(ll + strlen(p) + 2) : NULL;
                if (s->inputs[k])
                    sprintf(s->inputs[k], "%.*s=%s", (int)ll, text, p);
                free(p);
            } else {
                s->inputs[k] = resolve(base, text, strlen(text));
            }
            free(text);
            s->ninputs = k + 1;
            if (!s->inputs[k]) {
                r = nomem(msg, msgn);
                goto out;
            }
        }
        if ((r = load_config(s, cfgnames, &def, &ent, base, i, msg, msgn)))
            goto out;
        r = -1;
    }
    r = 0;
out:
    free(off);
    free(ln);
    free(ioff);
    free(iln);
    sigmix_jobj_free(&root);
    sigmix_jobj_free(&def);
    sigmix_jobj_free(&ent);
    sigmix_sj_free(sj);
    return r;
}

static const char *cfg_str(spec *s, const char *name)
{
    cfgval *v = cfg_get(s, name);
    return v && v->type == SIGMIX_SJ_STRING ? v->s : NULL;
}

/* A string setting where "" means unset, as upstream's falsy checks. */
static const char *cfg_nonempty(spec *s, const char *name)
{
    const char *v = cfg_str(s, name);
    return v && *v ? v : NULL;
}

static int cfg_bool(spec *s, const char *name)
{
    cfgval *v = cfg_get(s, name);
    return v && v->type == SIGMIX_SJ_BOOL && v->i;
}

static int cfg_int(spec *s, const char *name, int def)
{
    cfgval *v = cfg_get(s, name);
    return v && v->type == SIGMIX_SJ_INT && v->i >= INT32_MIN && v->i <= INT32_MAX ? (int)v->i
         : def;
}

/* One saliency table: the manifest's config over the command's defaults.
 * Bad values (an unknown aggregator, alpha out of range) fail the table. */
static int run_saliency(const sigmix_batch_options *o, spec *s, sigmix_saliency_report *rep,
                        sigmix_error *err)
{
    sigmix_saliency_settings st;
    sigmix_saliency_default_settings(&st);
    const char *v;
    if ((v = cfg_str(s, "path_column")))
        st.path_column = v;
    if ((v = cfg_str(s, "width_column")))
        st.width_column = v;
    if ((v = cfg_str(s, "height_column")))
        st.height_column = v;
    st.root = cfg_nonempty(s, "root");
    st.model_path = cfg_nonempty(s, "model_path");
    st.model_id = cfg_nonempty(s, "model_id");
    st.max_frames = cfg_int(s, "max_frames", st.max_frames);
    st.frame_samples = cfg_int(s, "frame_samples", st.frame_samples);
    if ((v = cfg_str(s, "temporal_aggregator"))
        && sigmix_saliency_reducer_parse(v, &st.reducer))
        return sigmix_error_set(err, SIGMIX_EINVAL, "%s: unknown temporal aggregator '%s' "
                                "(mean, ema, max, motion-weighted)", o->manifest, v);
    cfgval *a = cfg_get(s, "ema_alpha");
    if (a && a->type != SIGMIX_SJ_NULL)
        st.ema_alpha = a->type == SIGMIX_SJ_INT ? (double)a->i : a->d;
    st.overwrite = cfg_bool(s, "overwrite");
    st.allow_outside_root = cfg_bool(s, "allow_outside_root");
    static const char *const cols[] = { "status_column", "model_id_column",
                                        "aggregator_column", "ema_alpha_column" };
    const char **dst[] = { &st.status_column, &st.model_id_column, &st.aggregator_column,
                           &st.ema_alpha_column };
    for (size_t i = 0; i < 4; i++) {
        cfgval *c = cfg_get(s, cols[i]);
        if (c && (c->type == SIGMIX_SJ_STRING || c->type == SIGMIX_SJ_NULL))
            *dst[i] = c->type == SIGMIX_SJ_STRING ? c->s : ""; /* null: suppressed */
    }
    st.default_width = cfg_int(s, "default_width", 0);
    st.default_height = cfg_int(s, "default_height", 0);
    st.raw_pix_fmt = cfg_str(s, "raw_pix_fmt");
    cfgval *mp = cfg_get(s, "max_pixels");
    if (mp && mp->type == SIGMIX_SJ_INT)
        st.max_pixels = mp->i;
    st.jobs = cfg_int(s, "jobs", o->threads);
    sigmix_error e;
    sigmix_error_clear(&e);
    if (sigmix_saliency_check_settings(&st, &e))
        return sigmix_error_set(err, SIGMIX_EINVAL, "%s: table %s: %s", o->manifest, s->id,
                                e.message);
    if (st.max_pixels < 0 || st.max_pixels > SIGMIX_SALIENCY_MAX_PIXELS_LIMIT)
        return sigmix_error_set(err, SIGMIX_EINVAL, "%s: table %s: max_pixels must be in "
                                "1..268435456", o->manifest, s->id);
    sigmix_saliency_run_info info;
    memset(&info, 0, sizeof info);
    info.argc = o->argc;
    info.argv = (const char *const *)o->argv;
    info.quiet = 1;
    info.ffmpeg_bin = cfg_str(s, "ffmpeg_bin");
    info.ffprobe_bin = cfg_str(s, "ffprobe_bin");
    info.cpus_available = sigmix_cpu_count();
    info.started = time(NULL);
    return sigmix_saliency_materialize(s->features, s->out, s->audit_json, &st, &info, rep, err);
}

static sigmix_jv *cfg_json(sigmix_jdoc *d, spec *s)
{
    sigmix_jv *c = sigmix_jv_obj(d);
    for (size_t i = 0; i < s->ncfg; i++) {
        const cfgval *v = &s->cfg[i];
        sigmix_jv *x;
        switch (v->type) {
        case SIGMIX_SJ_STRING: x = sigmix_jv_str(d, v->s); break;
        case SIGMIX_SJ_INT: x = sigmix_jv_int(d, v->i); break;
        case SIGMIX_SJ_DOUBLE: x = sigmix_jv_num(d, v->d); break;
        case SIGMIX_SJ_BOOL: x = sigmix_jv_bool(d, (int)v->i); break;
        default: x = sigmix_jv_null(d); break;
        }
        sigmix_jv_set(d, c, v->name, x);
    }
    return c;
}

static void batch_args(sigmix_runprov *p, const sigmix_batch_options *o)
{
    sigmix_runprov_arg_str(p, "manifest", o->manifest);
    sigmix_runprov_arg_str(p, "base_dir", o->base_dir);
    sigmix_runprov_arg_str(p, "report_json", o->report_json);
    sigmix_runprov_arg_str(p, "report_md", o->report_md);
    sigmix_runprov_arg_bool(p, "fail_fast", o->fail_fast);
    /* saliency: upstream's flag, and --jobs rather than --threads */
    const char *th = o->kind == SIGMIX_BATCH_SALIENCY ? "jobs" : "threads";
    if (o->kind == SIGMIX_BATCH_SALIENCY)
        sigmix_runprov_arg_bool(p, "allow_row_failures", o->allow_row_failures);
    if (o->threads_given)
        sigmix_runprov_arg_int(p, th, o->threads);
    else
        sigmix_runprov_arg_str(p, th, NULL);
}

/* Run one table; 0 or an error in err. */
static int run_table(const sigmix_batch_options *o, spec *s, sigmix_join_summary *js,
                     sigmix_error *err)
{
    sigmix_jdoc *d = sigmix_jdoc_new();
    sigmix_runprov *p = d ? sigmix_runprov_new(d, o->argc, o->argv) : NULL;
    if (!p) {
        sigmix_jdoc_free(d);
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    }
    batch_args(p, o);
    sigmix_runprov_input_file(p, "manifest", o->manifest);
    /* inputs.features and the rest: recorded by the join as it reads each
     * file, once */
    sigmix_runprov_output(p, "out", s->out);
    sigmix_runprov_output(p, "audit_json", s->audit_json);
    int r;
    if (o->kind == SIGMIX_JOIN_SECOND_OPINION) {
        sigmix_so_options so;
        memset(&so, 0, sizeof so);
        so.features = s->features;
        so.scores = (const char *const *)s->inputs;
        so.nscores = s->ninputs;
        so.out = s->out;
        so.audit_json = s->audit_json;
        so.key_column = cfg_str(s, "key_column");
        so.score_key_field = cfg_str(s, "score_key_field");
        so.score_field = cfg_str(s, "score_field");
        if (cfg_str(s, "key_normalize"))
            sigmix_key_mode_parse(cfg_str(s, "key_normalize"), &so.key_normalize);
        const char *mp = cfg_str(s, "missing_policy");
        so.missing_policy = mp && !strcmp(mp, "drop") ? SIGMIX_MISSING_DROP
                          : mp && !strcmp(mp, "fail") ? SIGMIX_MISSING_FAIL : SIGMIX_MISSING_MARK;
        so.prefix = cfg_str(s, "prefix");
        so.overwrite = cfg_bool(s, "overwrite");
        so.threads = o->threads;
        r = sigmix_second_opinion(&so, p, js, err);
    } else {
        sigmix_mos_options mo;
        memset(&mo, 0, sizeof mo);
        mo.features = s->features;
        mo.labels = (const char *const *)s->inputs;
        mo.nlabels = s->ninputs;
        mo.out = s->out;
        mo.audit_json = s->audit_json;
        mo.feature_key_column = cfg_str(s, "feature_key_column");
        mo.label_key_column = cfg_str(s, "label_key_column");
        mo.label_mos_column = cfg_str(s, "label_mos_column");
        if (cfg_str(s, "key_normalize"))
            sigmix_key_mode_parse(cfg_str(s, "key_normalize"), &mo.key_normalize);
        mo.feature_key_regex = cfg_str(s, "feature_key_regex");
        mo.label_key_regex = cfg_str(s, "label_key_regex");
        cfgval *m = cfg_get(s, "min_match_rate");
        mo.min_match_rate = !m ? 0.95 : m->type == SIGMIX_SJ_INT ? (double)m->i : m->d;
        mo.status_column = cfg_str(s, "status_column");
        mo.overwrite = cfg_bool(s, "overwrite");
        mo.threads = o->threads;
        r = sigmix_mos_labels(&mo, p, js, err);
    }
    sigmix_runprov_free(p);
    sigmix_jdoc_free(d);
    return r;
}

static void write_sal_md(FILE *f, const char *st, spec *specs, size_t ran, const int *status,
                         const sigmix_saliency_report *sr)
{
    fprintf(f, "# Saliency Materializer Batch Report\n\nStatus: **%s**\n\n", st);
    fputs("| Table | Status | Total | OK | Skipped | Failed | Output |\n"
          "| --- | --- | ---: | ---: | ---: | ---: | --- |\n", f);
    for (size_t i = 0; i < ran; i++) {
        const sigmix_saliency_report *r = &sr[i];
        size_t ok = r->by_status[SIGMIX_SAL_OK], sk = r->by_status[SIGMIX_SAL_SKIPPED_EXISTING];
        if (status[i])
            fprintf(f, "| %s | error | - | - | - | - | `%s` |\n", specs[i].id, specs[i].out);
        else
            fprintf(f, "| %s | %s | %zu | %zu | %zu | %zu | `%s` |\n", specs[i].id,
                    r->total - ok - sk ? "row-failures" : "ok", r->total, ok, sk,
                    r->total - ok - sk, specs[i].out);
    }
}

static void write_md(FILE *f, const sigmix_batch_options *o, int failed, spec *specs,
                     size_t ran, const int *status, const sigmix_join_summary *js)
{
    int so = o->kind == SIGMIX_JOIN_SECOND_OPINION;
    fprintf(f, "# %s Batch Report\n\nStatus: **%s**\n\n",
            so ? "Second-Opinion Materializer" : "MOS Label Materializer", failed ? "failed" : "ok");
    if (so)
        fputs("| Table | Status | Input rows | Output rows | Output |\n"
              "| --- | --- | ---: | ---: | --- |\n", f);
    else
        fputs("| Table | Status | Match rate | Matched rows | Missing rows | Output |\n"
              "| --- | --- | ---: | ---: | ---: | --- |\n", f);
    for (size_t i = 0; i < ran; i++) {
        const sigmix_join_summary *x = &js[i];
        if (so && status[i])
            fprintf(f, "| %s | error | - | - | `%s` |\n", specs[i].id, specs[i].out);
        else if (so)
            fprintf(f, "| %s | ok | %llu | %llu | `%s` |\n", specs[i].id,
                    (unsigned long long)x->input_rows, (unsigned long long)x->output_rows,
                    specs[i].out);
        else if (status[i])
            fprintf(f, "| %s | error | - | - | - | `%s` |\n", specs[i].id, specs[i].out);
        else
            fprintf(f, "| %s | ok | %.3f | %llu | %llu | `%s` |\n", specs[i].id, x->match_rate,
                    (unsigned long long)x->matched_rows, (unsigned long long)x->missing_rows,
                    specs[i].out);
    }
}

/* A saliency table's entry in the batch report, as upstream's; returns
 * whether rows failed. */
static int sal_table_report(sigmix_jdoc *d, sigmix_jv *tables, spec *s, int status,
                            const sigmix_saliency_report *r, const sigmix_error *te,
                            sigmix_batch_summary *sum)
{
    sigmix_jv *t = sigmix_jv_obj(d);
    sigmix_jv_set(d, t, "id", sigmix_jv_str(d, s->id));
    sigmix_jv_set(d, t, "input", sigmix_jv_str(d, s->features));
    sigmix_jv_set(d, t, "output", sigmix_jv_str(d, s->out));
    sigmix_jv_set(d, t, "audit_json", sigmix_jv_str(d, s->audit_json));
    sigmix_jv_set(d, t, "config", cfg_json(d, s));
    int row_failed = 0;
    if (status) {
        sum->failed_tables++;
        sum->error_tables++;
        sigmix_jv_set(d, t, "status", sigmix_jv_str(d, "error"));
        sigmix_jv_set(d, t, "error", sigmix_jv_str(d, te->message));
        fprintf(stderr, "sigmix: %s\n", te->message);
    } else {
        size_t ok = r->by_status[SIGMIX_SAL_OK], sk = r->by_status[SIGMIX_SAL_SKIPPED_EXISTING];
        size_t failed = r->total - ok - sk;
        row_failed = failed != 0;
        sum->failed_tables += row_failed;
        sigmix_jv *x = sigmix_jv_obj(d);
        sigmix_jv_set(d, x, "total", sigmix_jv_int(d, (int64_t)r->total));
        sigmix_jv_set(d, x, "ok", sigmix_jv_int(d, (int64_t)ok));
        sigmix_jv_set(d, x, "skipped_existing", sigmix_jv_int(d, (int64_t)sk));
        sigmix_jv_set(d, x, "failed", sigmix_jv_int(d, (int64_t)failed));
        sigmix_jv_set(d, t, "summary", x);
        sigmix_jv_set(d, t, "status", sigmix_jv_str(d, row_failed ? "row-failures" : "ok"));
        sum->total += r->total;
        sum->ok += ok;
        sum->skipped_existing += sk;
        sum->failed_rows += failed;
        sum->input_rows += r->total;
        sum->output_rows += r->total;
    }
    sigmix_jv_push(d, tables, t);
    return row_failed;
}

int sigmix_join_batch(const sigmix_batch_options *o, sigmix_batch_summary *sum,
                      sigmix_error *err)
{
    sigmix_error_clear(err); /* contract: common.h */
    int so = o->kind == SIGMIX_JOIN_SECOND_OPINION, sal = o->kind == SIGMIX_BATCH_SALIENCY;
    memset(sum, 0, sizeof *sum);
    sigmix_saliency_report *sr = NULL;
    sigmix_jdoc *d = sigmix_jdoc_new();
    sigmix_runprov *prov = d ? sigmix_runprov_new(d, o->argc, o->argv) : NULL;
    if (!prov) {
        sigmix_jdoc_free(d);
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    }
    batch_args(prov, o);
    sigmix_runprov_input_file(prov, "manifest", o->manifest);
    sigmix_runprov_output(prov, "report_json", o->report_json);
    sigmix_runprov_output(prov, "report_md", o->report_md);

    spec *specs = NULL;
    size_t nspecs = 0;
    int *status = NULL;
    sigmix_join_summary *js = NULL;
    char *buf = NULL, *base = NULL;
    int r = 0;
    FILE *f = fopen(o->manifest, "rb");
    if (!f) {
        /* The batch reports name their file in the message. */
        int e = errno;
        if (e == ENOMEM) { /* stdio's own buffer */
            r = sigmix_error_set(err, SIGMIX_ENOMEM, "%s: out of memory", o->manifest);
            goto done;
        }
        r = sigmix_error_set(err, e == ENOENT || e == ENOTDIR ? SIGMIX_ENOTFOUND : SIGMIX_EIO,
                             "%s: cannot open: %s", o->manifest, strerror(e));
        goto done;
    }
    size_t cap = 1 << 14, len = 0, got;
    buf = malloc(cap + SIGMIX_SJ_PADDING);
    while (buf && (got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            char *nb = realloc(buf, cap * 2 + SIGMIX_SJ_PADDING);
            if (!nb) {
                free(buf);
                buf = NULL;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (!buf) {
        r = sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
        goto done;
    }
    memset(buf + len, 0, SIGMIX_SJ_PADDING);
    if (o->base_dir) {
        base = strdup(o->base_dir);
    } else {
        const char *sl = strrchr(o->manifest, '/');
        base = sl ? strndup(o->manifest, (size_t)(sl - o->manifest) + (sl == o->manifest))
                  : strdup(".");
    }
    char msg[600] = "";
    if (!base || (r = load_manifest(o, buf, len, base, &specs, &nspecs, msg, sizeof msg))) {
        r = sigmix_error_set(err, !base || r == SIGMIX_ENOMEM ? SIGMIX_ENOMEM : SIGMIX_EFORMAT,
                             "%s: %s", o->manifest, base ? msg : "out of memory");
        goto done;
    }
    status = calloc(nspecs, sizeof *status);
    js = calloc(nspecs, sizeof *js);
    sr = sal ? calloc(nspecs, sizeof *sr) : NULL;
    if (!status || !js || (sal && !sr)) {
        r = sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
        goto done;
    }
    sigmix_jv *report = sigmix_jv_obj(d), *tables = sigmix_jv_arr(d);
    size_t ran = 0;
    for (size_t i = 0; i < nspecs; i++) {
        spec *s = &specs[i];
        sigmix_error te;
        sigmix_error_clear(&te);
        status[i] = sal ? run_saliency(o, s, &sr[i], &te) : run_table(o, s, &js[i], &te);
        ran = i + 1;
        if (sal) {
            int row_failed = sal_table_report(d, tables, s, status[i], &sr[i], &te, sum);
            if ((status[i] || row_failed) && o->fail_fast)
                break;
            continue;
        }
        sigmix_jv *t = sigmix_jv_obj(d), *in = sigmix_jv_arr(d);
        sigmix_jv_set(d, t, "id", sigmix_jv_str(d, s->id));
        sigmix_jv_set(d, t, "features", sigmix_jv_str(d, s->features));
        for (size_t k = 0; k < s->ninputs; k++)
            sigmix_jv_push(d, in, sigmix_jv_str(d, s->inputs[k]));
        sigmix_jv_set(d, t, so ? "scores" : "labels", in);
        sigmix_jv_set(d, t, "out", sigmix_jv_str(d, s->out));
        sigmix_jv_set(d, t, "audit_json", sigmix_jv_str(d, s->audit_json));
        sigmix_jv_set(d, t, "config", cfg_json(d, s));
        if (status[i]) {
            sum->failed_tables++;
            sigmix_jv_set(d, t, "status", sigmix_jv_str(d, "error"));
            sigmix_jv_set(d, t, "error", sigmix_jv_str(d, te.message));
            fprintf(stderr, "sigmix: %s\n", te.message);
        } else {
            sigmix_jv *x = sigmix_jv_obj(d);
            sigmix_jv_set(d, t, "status", sigmix_jv_str(d, "ok"));
            sigmix_jv_set(d, x, "input_rows", sigmix_jv_int(d, (int64_t)js[i].input_rows));
            sigmix_jv_set(d, x, "output_rows", sigmix_jv_int(d, (int64_t)js[i].output_rows));
            if (!so) {
                sigmix_jv_set(d, x, "matched_rows", sigmix_jv_int(d, (int64_t)js[i].matched_rows));
                sigmix_jv_set(d, x, "missing_rows", sigmix_jv_int(d, (int64_t)js[i].missing_rows));
                sigmix_jv_set(d, x, "match_rate", sigmix_jv_num(d, js[i].match_rate));
                sigmix_jv_set(d, x, "labels_loaded", sigmix_jv_int(d, (int64_t)js[i].labels_loaded));
            } else {
                sigmix_jv_set(d, x, "competitors", sigmix_jv_int(d, (int64_t)js[i].competitors));
            }
            sigmix_jv_set(d, t, "summary", x);
            sum->input_rows += js[i].input_rows;
            sum->output_rows += js[i].output_rows;
            sum->matched_rows += js[i].matched_rows;
            sum->missing_rows += js[i].missing_rows;
        }
        sigmix_jv_push(d, tables, t);
        if (status[i] && o->fail_fast)
            break;
    }
    sum->tables = ran;
    sigmix_jv *sm = sigmix_jv_obj(d);
    /* Upstream counts a table with failed rows as failed; with
     * allow_row_failures the batch is "row-failures" (when no table had an
     * error: sigmix does not let row failures hide an error, as upstream's
     * status does). */
    const char *sal_status = !sum->failed_tables ? "ok"
                           : !sum->error_tables && o->allow_row_failures ? "row-failures"
                           : "failed";
    if (sal) {
        sigmix_jv_set(d, sm, "tables", sigmix_jv_int(d, (int64_t)ran));
        sigmix_jv_set(d, sm, "failed_tables", sigmix_jv_int(d, (int64_t)sum->failed_tables));
        sigmix_jv_set(d, sm, "total", sigmix_jv_int(d, (int64_t)sum->total));
        sigmix_jv_set(d, sm, "ok", sigmix_jv_int(d, (int64_t)sum->ok));
        sigmix_jv_set(d, sm, "skipped_existing", sigmix_jv_int(d, (int64_t)sum->skipped_existing));
        sigmix_jv_set(d, sm, "failed", sigmix_jv_int(d, (int64_t)sum->failed_rows));
        sigmix_jv_set(d, report, "schema", sigmix_jv_str(d, "saliency-materializer-batch-v1"));
        sigmix_jv_set(d, report, "status", sigmix_jv_str(d, sal_status));
        goto common;
    }
    sigmix_jv_set(d, sm, "tables", sigmix_jv_int(d, (int64_t)ran));
    sigmix_jv_set(d, sm, "failed_tables", sigmix_jv_int(d, (int64_t)sum->failed_tables));
    sigmix_jv_set(d, sm, "input_rows", sigmix_jv_int(d, (int64_t)sum->input_rows));
    sigmix_jv_set(d, sm, "output_rows", sigmix_jv_int(d, (int64_t)sum->output_rows));
    if (!so) {
        sigmix_jv_set(d, sm, "matched_rows", sigmix_jv_int(d, (int64_t)sum->matched_rows));
        sigmix_jv_set(d, sm, "missing_rows", sigmix_jv_int(d, (int64_t)sum->missing_rows));
    }
    sigmix_jv_set(d, report, "schema", sigmix_jv_str(d, so ? "second-opinion-materializer-batch-v1"
                                                           : "mos-label-materializer-batch-v1"));
    sigmix_jv_set(d, report, "status", sigmix_jv_str(d, sum->failed_tables ? "failed" : "ok"));
common:
    sigmix_jv_set(d, report, "manifest", sigmix_jv_str(d, o->manifest));
    sigmix_jv_set(d, report, "summary", sm);
    sigmix_jv_set(d, report, "tables", tables);
    sigmix_jv_set(d, report, "run_provenance", sigmix_runprov_finish(prov));

    sigmix_error e;
    sigmix_error_clear(&e);
    sigmix_atomic md;
    memset(&md, 0, sizeof md);
    if (o->report_md) {
        if ((r = sigmix_atomic_open(&md, o->report_md, 1, &e))) {
            sigmix_error_set(err, r, "%s: %s", o->report_md, e.message);
            goto done;
        }
        if (sal)
            write_sal_md(md.f, sal_status, specs, ran, status, sr);
        else
            write_md(md.f, o, sum->failed_tables != 0, specs, ran, status, js);
    }
    if (o->report_json && (r = sigmix_jdoc_write(d, report, o->report_json, &e))) {
        sigmix_atomic_abort(&md);
        sigmix_error_set(err, r, "%s: %s", o->report_json, e.message);
        goto done;
    }
    if (o->report_md && (r = sigmix_atomic_commit(&md, &e)))
        sigmix_error_set(err, r, "%s: %s", o->report_md, e.message);
done:
    for (size_t i = 0; i < nspecs; i++)
        spec_free(&specs[i]);
    free(specs);
    free(status);
    free(js);
    free(sr);
    free(buf);
    free(base);
    sigmix_runprov_free(prov);
    sigmix_jdoc_free(d);
    return r;
}
