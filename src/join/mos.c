/*
 * sigmix mos-labels: join subjective MOS label tables onto a feature table
 * (mos, mos_raw_0_100, a status column, mos_label_source and the copied
 * label columns), after upstream's materialize_mos_labels.py. The match
 * rate is checked before anything is written.
 */
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "join/internal.h"
#include "sigmix/join.h"
#include "util/error.h"
#include "util/runprov.h"

long sigmix_join_find_key_column(const sigmix_table *t, const char *requested,
                                 const char *const *cands);

static const char *const KEY_CANDIDATES[] = {
    "key", "clip_key", "clip_id", "video_id", "chug_video_id", "content_id", "clip_name",
    "file_name", "filename", "basename", "name", "src", "source", "src_path",
    "distorted_path", "dis_path", "path", NULL,
};
static const char *const MOS_CANDIDATES[] = {
    "mos", "MOS", "mean_mos", "mos_raw_0_100", "raw_mos", "score", "quality", NULL,
};
static const char *const COPY_CANDIDATES[] = {
    "mos_std_dev", "stddev", "std_dev", "n_ratings", "mos_n_ratings", "rating_count",
    "split", "corpus", "corpus_version", NULL,
};
/* Output name of each copied candidate (upstream renames the spellings). */
static const char *const COPY_AS[] = {
    "mos_std_dev", "mos_std_dev", "mos_std_dev", "mos_n_ratings", "mos_n_ratings",
    "mos_n_ratings", "split", "corpus", "corpus_version", NULL,
};
/* The distinct output names, sorted: the order upstream appends them. */
static const char *const EXTRA_NAMES[] = {
    "corpus", "corpus_version", "mos_n_ratings", "mos_std_dev", "split",
};
enum { NEXTRA = 5 };

static int extra_index(const char *name)
{
    for (int i = 0; i < NEXTRA; i++)
        if (!strcmp(EXTRA_NAMES[i], name))
            return i;
    return -1;
}

typedef struct xval {
    int         set;
    sigmix_kind kind;   /* source kind */
    double      d;
    int64_t     i;
    const char *s;      /* into the label table's arena */
    size_t      len;
} xval;

typedef struct label {
    const char *key;
    size_t      klen;
    double      mos, raw;
    size_t      source;  /* label table index */
    xval        x[NEXTRA];
} label;

typedef struct mos_state {
    sigmix_table **tabs;
    size_t         ntabs;
    label         *lab;
    size_t         n, cap;
    sigmix_kmap    map;
    sigmix_arena   arena;
    regex_t        fre, lre;
    int            has_fre, has_lre;
    unsigned       xkinds[NEXTRA]; /* bit per source kind seen */
} mos_state;

/* Python's \d \w \s (outside brackets) in POSIX ERE terms. */
static char *translate_regex(const char *re)
{
    size_t n = strlen(re);
    char *o = malloc(n * 14 + 1), *q = o;
    if (!o)
        return NULL;
    int in_br = 0;
    for (size_t i = 0; i < n; i++) {
        if (!in_br && re[i] == '\\' && i + 1 < n && strchr("dwsDWS", re[i + 1])) {
            static const char *const rep[] = { "[0-9]", "[[:alnum:]_]", "[[:space:]]",
                                               "[^0-9]", "[^[:alnum:]_]", "[^[:space:]]" };
            const char *k = strchr("dwsDWS", re[i + 1]);
            strcpy(q, rep[k - "dwsDWS"]);
            q += strlen(q);
            i++;
            continue;
        }
        if (re[i] == '\\' && i + 1 < n) {
            *q++ = re[i++];
            *q++ = re[i];
            continue;
        }
        if (!in_br && re[i] == '[')
            in_br = 1;
        else if (in_br && re[i] == ']')
            in_br = 0;
        *q++ = re[i];
    }
    *q = '\0';
    return o;
}

static int compile(regex_t *re, const char *src, const char *flag, sigmix_error *err)
{
    char *t = translate_regex(src);
    if (!t)
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    int rc = regcomp(re, t, REG_EXTENDED);
    free(t);
    if (rc) {
        char msg[160];
        regerror(rc, re, msg, sizeof msg);
        return sigmix_error_set(err, SIGMIX_EINVAL, "%s: invalid regular expression (%s)", flag, msg);
    }
    return 0;
}

/* Key of a cell: text, normalized, then the regex (group 1 if it has
 * groups, else the whole match), then stripped. Empty when none. */
static int cell_key(const sigmix_column *c, size_t r, sigmix_key_mode mode, const regex_t *re,
                    sigmix_arena *a, const char **ks, size_t *kn)
{
    char buf[48];
    const char *s;
    size_t n;
    char *json = NULL;
    *ks = "";
    *kn = 0;
    if (!sigmix_join_cell_text(c, r, buf, &s, &n))
        return 0;
    if (c->kind == SIGMIX_KIND_JSON && n && s[0] == '"') {
        s = json = sigmix_join_json_unquote(s, n, &n);
        if (!s)
            return 0;
    }
    sigmix_join_normalize(&s, &n, mode, c->name, 1);
    int rc = 0;
    if (re && n) {
        /* regexec needs a NUL-terminated subject */
        char *subj = malloc(n + 1);
        if (!subj) {
            free(json);
            return -1;
        }
        memcpy(subj, s, n);
        subj[n] = '\0';
        regmatch_t m[2];
        if (regexec(re, subj, 2, m, 0)) {
            n = 0;
        } else {
            int g = re->re_nsub > 0 ? 1 : 0;
            if (m[g].rm_so < 0) {
                n = 0;
            } else {
                s += m[g].rm_so;
                n = (size_t)(m[g].rm_eo - m[g].rm_so);
            }
        }
        free(subj);
        sigmix_join_strip(&s, &n);
    }
    if (n) {
        char *copy = sigmix_arena_strndup(a, s, n);
        if (!copy)
            rc = -1;
        *ks = copy;
        *kn = copy ? n : 0;
    }
    free(json);
    return rc;
}

/* upstream's _as_float on a label cell. */
static int cell_float(const sigmix_column *c, size_t r, double *out)
{
    if (!c->valid[r] || c->kind == SIGMIX_KIND_BOOL)
        return -1;
    if (c->kind == SIGMIX_KIND_DOUBLE || c->kind == SIGMIX_KIND_INT64) {
        *out = c->f64[r];
        return isnan(*out) ? -1 : 0;
    }
    const char *s = c->str[r].ptr;
    size_t n = c->str[r].len;
    sigmix_join_strip(&s, &n);
    char tmp[64], *end;
    if (!n || n >= sizeof tmp || (c->kind == SIGMIX_KIND_JSON && s[0] == '"'))
        return -1;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    if (strpbrk(tmp, "xX"))
        return -1;
    *out = strtod(tmp, &end);
    return *end ? -1 : 0;
}

static int xval_eq(const xval *a, const xval *b)
{
    if (a->set != b->set)
        return 0;
    if (!a->set)
        return 1;
    int an = sigmix_kind_is_numeric(a->kind), bn = sigmix_kind_is_numeric(b->kind);
    if (an != bn)
        return 0;
    if (an)
        return a->d == b->d;
    return a->len == b->len && !memcmp(a->s, b->s, a->len);
}

static int load_labels(mos_state *S, const sigmix_mos_options *o, sigmix_runprov *prov,
                       char *inf_key, char *inf_mos, size_t infn, sigmix_error *err)
{
    S->tabs = calloc(o->nlabels ? o->nlabels : 1, sizeof *S->tabs);
    if (!S->tabs)
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    if (prov && !o->nlabels)
        sigmix_runprov_input_files(prov, "labels", NULL, 0);
    for (size_t ti = 0; ti < o->nlabels; ti++) {
        const char *path = o->labels[ti];
        int r = sigmix_join_read_input(path, o->threads, prov, "labels", 1, ti, &S->tabs[ti], err);
        S->ntabs = ti + 1;
        if (r)
            return r;
        sigmix_table *t = S->tabs[ti];
        size_t rows = sigmix_table_rows(t);
        long kc = sigmix_join_find_key_column(t, o->label_key_column, KEY_CANDIDATES);
        long mc = sigmix_join_find_key_column(t, o->label_mos_column, MOS_CANDIDATES);
        if (kc < 0) {
            if (o->label_key_column) {
                char *q = sigmix_join_repr(o->label_key_column, strlen(o->label_key_column));
                sigmix_error_set(err, SIGMIX_ENOTFOUND, "%s: --label-key-column %s is not present",
                                 path, q ? q : "");
                free(q);
                return SIGMIX_ENOTFOUND;
            }
            return sigmix_error_set(err, SIGMIX_ENOTFOUND,
                "%s: could not infer --label-key-column; tried: key, clip_key, clip_id, video_id, "
                "chug_video_id, content_id, clip_name, file_name, filename, basename, name, src, "
                "source, src_path, distorted_path, dis_path, path", path);
        }
        if (mc < 0) {
            if (o->label_mos_column) {
                char *q = sigmix_join_repr(o->label_mos_column, strlen(o->label_mos_column));
                sigmix_error_set(err, SIGMIX_ENOTFOUND, "%s: --label-mos-column %s is not present",
                                 path, q ? q : "");
                free(q);
                return SIGMIX_ENOTFOUND;
            }
            return sigmix_error_set(err, SIGMIX_ENOTFOUND,
                "%s: could not infer --label-mos-column; tried: mos, MOS, mean_mos, "
                "mos_raw_0_100, raw_mos, score, quality", path);
        }
        const sigmix_column *kcol = sigmix_table_col(t, (size_t)kc);
        const sigmix_column *mcol = sigmix_table_col(t, (size_t)mc);
        if (!*inf_key)
            snprintf(inf_key, infn, "%s", kcol->name);
        if (!*inf_mos)
            snprintf(inf_mos, infn, "%s", mcol->name);
        long xc[16];
        for (int k = 0; COPY_CANDIDATES[k]; k++) {
            xc[k] = sigmix_table_find(t, COPY_CANDIDATES[k]);
            if (xc[k] >= 0)
                S->xkinds[extra_index(COPY_AS[k])] |= 1u << sigmix_table_col(t, (size_t)xc[k])->kind;
        }
        int raw_col = !strcasecmp(mcol->name, "mos_raw_0_100");
        for (size_t r = 0; r < rows; r++) {
            label L;
            memset(&L, 0, sizeof L);
            if (cell_key(kcol, r, o->key_normalize, S->has_lre ? &S->lre : NULL, &S->arena,
                         &L.key, &L.klen))
                return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
            if (!L.klen)
                continue;
            double v;
            if (cell_float(mcol, r, &v))
                return sigmix_error_set(err, SIGMIX_EFORMAT, "%s: %s must be numeric (row %zu)",
                                        path, mcol->name, r + 1);
            if (!isfinite(v))
                return sigmix_error_set(err, SIGMIX_EFORMAT, "%s: %s must be finite (row %zu)",
                                        path, mcol->name, r + 1);
            if (raw_col || v > 5.0) {
                if (!(v >= 0.0 && v <= 100.0))
                    return sigmix_error_set(err, SIGMIX_EFORMAT,
                                            "%s: %s must be in [0, 100] (row %zu)", path,
                                            mcol->name, r + 1);
                L.mos = 1.0 + (5.0 - 1.0) * (v / 100.0);
                L.raw = v;
            } else {
                if (!(v >= 1.0 && v <= 5.0))
                    return sigmix_error_set(err, SIGMIX_EFORMAT,
                                            "%s: %s must be in [1, 5] (row %zu)", path,
                                            mcol->name, r + 1);
                L.mos = v;
                L.raw = (v - 1.0) * (100.0 / (5.0 - 1.0));
            }
            L.source = ti;
            for (int k = 0; COPY_CANDIDATES[k]; k++) {
                if (xc[k] < 0)
                    continue;
                const sigmix_column *c = sigmix_table_col(t, (size_t)xc[k]);
                if (!c->valid[r] || (c->f64 && isnan(c->f64[r])))
                    continue;
                xval *x = &L.x[extra_index(COPY_AS[k])];
                x->set = 1;
                x->kind = c->kind;
                if (c->f64)
                    x->d = c->f64[r];
                if (c->i64)
                    x->i = c->i64[r];
                if (c->str) {
                    x->s = c->str[r].ptr;
                    x->len = c->str[r].len;
                }
            }
            size_t idx = S->n;
            int had = sigmix_kmap_put(&S->map, L.key, L.klen, &idx);
            if (had < 0)
                return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
            if (had) {
                const label *P = &S->lab[idx];
                int same = fabs(P->mos - L.mos) <= 1e-6 && fabs(P->raw - L.raw) <= 1e-4;
                for (int k = 0; k < NEXTRA && same; k++)
                    same = xval_eq(&P->x[k], &L.x[k]);
                if (same)
                    continue;
                char *q = sigmix_join_repr(L.key, L.klen);
                sigmix_error_set(err, SIGMIX_EFORMAT, "%s: conflicting MOS labels for key %s (row %zu)",
                                 path, q ? q : "", r + 1);
                free(q);
                return SIGMIX_EFORMAT;
            }
            if (S->n == S->cap) {
                size_t nc = S->cap ? S->cap * 2 : 1024;
                label *nl = realloc(S->lab, nc * sizeof *nl);
                if (!nl)
                    return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
                S->lab = nl;
                S->cap = nc;
            }
            S->lab[S->n++] = L;
        }
    }
    if (!S->n)
        return sigmix_error_set(err, SIGMIX_EFORMAT, "%s: no MOS labels loaded",
                                o->nlabels ? o->labels[o->nlabels - 1] : "--labels");
    return 0;
}

/* Output kind of a copied column from the kinds its sources had. */
static sigmix_kind extra_kind(unsigned kinds)
{
    for (int k = 0; k <= SIGMIX_KIND_JSON; k++)
        if (kinds == 1u << k)
            return (sigmix_kind)k;
    unsigned numeric = 1u << SIGMIX_KIND_DOUBLE | 1u << SIGMIX_KIND_INT64 | 1u << SIGMIX_KIND_BOOL;
    return !(kinds & ~numeric) ? SIGMIX_KIND_DOUBLE : SIGMIX_KIND_STRING;
}

static int put_extra(sigmix_table *t, size_t col, size_t r, const xval *x)
{
    sigmix_column *c = sigmix_table_col_mut(t, col);
    if (!x->set)
        return 0;
    switch (c->kind) {
    case SIGMIX_KIND_DOUBLE: sigmix_table_set_double(t, col, r, x->d); return 0;
    case SIGMIX_KIND_INT64: sigmix_table_set_int64(t, col, r, x->i); return 0;
    case SIGMIX_KIND_BOOL: sigmix_table_set_bool(t, col, r, x->d != 0); return 0;
    default:
        if (sigmix_kind_is_numeric(x->kind)) {
            sigmix_column tmp;
            memset(&tmp, 0, sizeof tmp);
            uint8_t valid = 1;
            double d = x->d;
            int64_t i = x->i;
            tmp.kind = x->kind;
            tmp.valid = &valid;
            tmp.f64 = &d;
            tmp.i64 = &i;
            char buf[48];
            const char *s;
            size_t n;
            if (!sigmix_join_cell_text(&tmp, 0, buf, &s, &n))
                return 0;
            return sigmix_table_set_string(t, col, r, s, n);
        }
        c->str[r].ptr = x->s;
        c->str[r].len = x->len;
        c->valid[r] = 1;
        return 0;
    }
}

int sigmix_mos_labels(const sigmix_mos_options *o, sigmix_runprov *prov,
                      sigmix_join_summary *sum, sigmix_error *err)
{
    sigmix_error_clear(err); /* contract: common.h */
    const char *status_col = o->status_column ? o->status_column : "mos_label_status";
    mos_state S;
    memset(&S, 0, sizeof S);
    sigmix_arena_init(&S.arena);
    sigmix_table *t = NULL;
    sigmix_jdoc *d = NULL;
    const char **kp = NULL;
    size_t *kl = NULL;
    sigmix_kmap fkeys;
    memset(&fkeys, 0, sizeof fkeys);
    sigmix_error e;
    sigmix_error_clear(&e);
    char inf_key[256] = "", inf_mos[256] = "", fkey_name[512];
    int r = 0;
    if (!(o->min_match_rate >= 0.0 && o->min_match_rate <= 1.0))
        return sigmix_error_set(err, SIGMIX_EINVAL, "%s: --min-match-rate must be in [0, 1]",
                                o->features);
    if (o->feature_key_regex && (r = compile(&S.fre, o->feature_key_regex, "--feature-key-regex", err)))
        goto done;
    S.has_fre = o->feature_key_regex != NULL;
    if (o->label_key_regex && (r = compile(&S.lre, o->label_key_regex, "--label-key-regex", err)))
        goto done;
    S.has_lre = o->label_key_regex != NULL;

    if ((r = sigmix_join_read_input(o->features, o->threads, prov, "features", 0, 0, &t, err)))
        goto done;
    size_t rows = sigmix_table_rows(t);
    long fc = sigmix_join_find_key_column(t, o->feature_key_column, KEY_CANDIDATES);
    if (fc < 0) {
        if (o->feature_key_column) {
            char *q = sigmix_join_repr(o->feature_key_column, strlen(o->feature_key_column));
            r = sigmix_error_set(err, SIGMIX_ENOTFOUND, "%s: --feature-key-column %s is not present",
                                 o->features, q ? q : "");
            free(q);
        } else {
            r = sigmix_error_set(err, SIGMIX_ENOTFOUND,
                "%s: could not infer --feature-key-column; tried: key, clip_key, clip_id, "
                "video_id, chug_video_id, content_id, clip_name, file_name, filename, basename, "
                "name, src, source, src_path, distorted_path, dis_path, path", o->features);
        }
        goto done;
    }
    snprintf(fkey_name, sizeof fkey_name, "%s", sigmix_table_col(t, (size_t)fc)->name);
    if ((r = load_labels(&S, o, prov, inf_key, inf_mos, sizeof inf_key, err)))
        goto done;

    /* planned columns and the overwrite refusal */
    const char *fixed[4] = { "mos", "mos_raw_0_100", status_col, "mos_label_source" };
    int use_x[NEXTRA] = { 0 };
    for (size_t i = 0; i < S.n; i++)
        for (int k = 0; k < NEXTRA; k++)
            use_x[k] |= S.lab[i].x[k].set;
    if (!o->overwrite) {
        char list[1024] = "";
        for (int k = 0; k < 4 + NEXTRA; k++) {
            const char *name = k < 4 ? fixed[k] : EXTRA_NAMES[k - 4];
            if (k >= 4 && !use_x[k - 4])
                continue;
            if (sigmix_table_find(t, name) >= 0) {
                size_t n = strlen(list);
                snprintf(list + n, sizeof list - n, "%s%s", n ? ", " : "", name);
            }
        }
        if (*list) {
            r = sigmix_error_set(err, SIGMIX_EINVAL,
                                 "%s: refusing to overwrite existing MOS columns: %s (pass --overwrite)",
                                 o->features, list);
            goto done;
        }
    }

    /* feature keys and the match rate, before any output exists */
    kp = malloc((rows ? rows : 1) * sizeof *kp);
    kl = malloc((rows ? rows : 1) * sizeof *kl);
    if (!kp || !kl) {
        r = sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
        goto done;
    }
    size_t matched_keys = 0;
    {
        const sigmix_column *kcol = sigmix_table_col(t, (size_t)fc);
        for (size_t i = 0; i < rows; i++) {
            if (cell_key(kcol, i, o->key_normalize, S.has_fre ? &S.fre : NULL, &S.arena,
                         &kp[i], &kl[i])) {
                r = sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
                goto done;
            }
            if (!kl[i])
                continue;
            size_t one = 0, dummy;
            int had = sigmix_kmap_put(&fkeys, kp[i], kl[i], &one);
            if (had < 0) {
                r = sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
                goto done;
            }
            if (!had && sigmix_kmap_get(&S.map, kp[i], kl[i], &dummy))
                matched_keys++;
        }
    }
    size_t total_keys = fkeys.n;
    double rate = total_keys ? (double)matched_keys / (double)total_keys : 0.0;
    if (rate < o->min_match_rate) {
        r = sigmix_error_set(err, SIGMIX_EINVAL,
                             "%s: MOS label match rate %.3f below --min-match-rate %.3f (%zu/%zu keys)",
                             o->features, rate, o->min_match_rate, matched_keys, total_keys);
        goto done;
    }

    /* target columns (an overwrite may rebuild t; indices looked up after) */
    for (int k = 0; k < 4 + NEXTRA; k++) {
        size_t ix;
        if (k >= 4 && !use_x[k - 4])
            continue;
        sigmix_kind kind = k < 2 ? SIGMIX_KIND_DOUBLE : k < 4 ? SIGMIX_KIND_STRING
                                                              : extra_kind(S.xkinds[k - 4]);
        const char *name = k < 4 ? fixed[k] : EXTRA_NAMES[k - 4];
        if ((r = sigmix_join_target(&t, name, kind, &ix))) {
            sigmix_error_set(err, r, "%s: cannot add column %s", o->features, name);
            goto done;
        }
    }
    size_t ci[4 + NEXTRA];
    for (int k = 0; k < 4 + NEXTRA; k++) {
        const char *name = k < 4 ? fixed[k] : EXTRA_NAMES[k - 4];
        ci[k] = k >= 4 && !use_x[k - 4] ? (size_t)-1 : (size_t)sigmix_table_find(t, name);
    }
    const char *s_ok = sigmix_table_intern(t, "ok", 2);
    const char *s_miss = sigmix_table_intern(t, "missing-label", 13);
    const char *s_empty = sigmix_table_intern(t, "", 0);
    const char **src = calloc(S.ntabs ? S.ntabs : 1, sizeof *src);
    if (!s_ok || !s_miss || !s_empty || !src) {
        free(src);
        r = sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
        goto done;
    }
    uint64_t matched_rows = 0, missing_rows = 0;
    for (size_t i = 0; i < rows; i++) {
        size_t li;
        for (int k = 0; k < 4 + NEXTRA; k++)
            if (ci[k] != (size_t)-1)
                sigmix_table_set_null(t, ci[k], i);
        sigmix_column *cst = sigmix_table_col_mut(t, ci[2]), *csr = sigmix_table_col_mut(t, ci[3]);
        if (!kl[i] || !sigmix_kmap_get(&S.map, kp[i], kl[i], &li)) {
            missing_rows++;
            cst->str[i] = (sigmix_strref){ s_miss, 13 };
            cst->valid[i] = 1;
            csr->str[i] = (sigmix_strref){ s_empty, 0 };
            csr->valid[i] = 1;
            continue;
        }
        const label *L = &S.lab[li];
        matched_rows++;
        sigmix_table_set_double(t, ci[0], i, L->mos);
        sigmix_table_set_double(t, ci[1], i, L->raw);
        cst->str[i] = (sigmix_strref){ s_ok, 2 };
        cst->valid[i] = 1;
        if (!src[L->source])
            src[L->source] = sigmix_table_intern(t, o->labels[L->source], strlen(o->labels[L->source]));
        if (!src[L->source]) {
            free(src);
            r = sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
            goto done;
        }
        csr->str[i] = (sigmix_strref){ src[L->source], strlen(src[L->source]) };
        csr->valid[i] = 1;
        for (int k = 0; k < NEXTRA; k++)
            if (ci[4 + k] != (size_t)-1 && put_extra(t, ci[4 + k], i, &L->x[k])) {
                free(src);
                r = sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
                goto done;
            }
    }
    free(src);

    d = sigmix_jdoc_new();
    if (!d) {
        r = sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
        goto done;
    }
    sigmix_jv *a = sigmix_jv_obj(d), *srcs = sigmix_jv_arr(d);
    sigmix_jv_set(d, a, "feature_table", sigmix_jv_str(d, o->features));
    sigmix_jv_set(d, a, "output", sigmix_jv_str(d, o->out));
    sigmix_jv_set(d, a, "feature_key_column", sigmix_jv_str(d, fkey_name));
    sigmix_jv_set(d, a, "label_key_column", sigmix_jv_str(d, inf_key));
    sigmix_jv_set(d, a, "label_mos_column", sigmix_jv_str(d, inf_mos));
    sigmix_jv_set(d, a, "key_normalize", sigmix_jv_str(d, sigmix_key_mode_name(o->key_normalize)));
    sigmix_jv_set(d, a, "feature_key_regex", sigmix_jv_str(d, o->feature_key_regex ? o->feature_key_regex : ""));
    sigmix_jv_set(d, a, "label_key_regex", sigmix_jv_str(d, o->label_key_regex ? o->label_key_regex : ""));
    sigmix_jv_set(d, a, "min_match_rate", sigmix_jv_num(d, o->min_match_rate));
    sigmix_jv_set(d, a, "input_rows", sigmix_jv_int(d, (int64_t)rows));
    sigmix_jv_set(d, a, "output_rows", sigmix_jv_int(d, (int64_t)sigmix_table_rows(t)));
    sigmix_jv_set(d, a, "total_feature_keys", sigmix_jv_int(d, (int64_t)total_keys));
    sigmix_jv_set(d, a, "matched_feature_keys", sigmix_jv_int(d, (int64_t)matched_keys));
    sigmix_jv_set(d, a, "matched_rows", sigmix_jv_int(d, (int64_t)matched_rows));
    sigmix_jv_set(d, a, "missing_rows", sigmix_jv_int(d, (int64_t)missing_rows));
    sigmix_jv_set(d, a, "labels_loaded", sigmix_jv_int(d, (int64_t)S.n));
    for (size_t i = 0; i < o->nlabels; i++)
        sigmix_jv_push(d, srcs, sigmix_jv_str(d, o->labels[i]));
    sigmix_jv_set(d, a, "label_sources", srcs);
    sigmix_jv_set(d, a, "match_rate", sigmix_jv_num(d, rate));
    if (prov)
        sigmix_jv_set(d, a, "run_provenance", sigmix_runprov_finish(prov));
    if ((r = sigmix_join_write(t, o->out, o->threads, d, a, o->audit_json, err)))
        goto done;
    if (sum) {
        memset(sum, 0, sizeof *sum);
        sum->input_rows = rows;
        sum->output_rows = sigmix_table_rows(t);
        sum->matched_rows = matched_rows;
        sum->missing_rows = missing_rows;
        sum->labels_loaded = S.n;
        sum->match_rate = rate;
    }
done:
    sigmix_jdoc_free(d);
    free(kp);
    free(kl);
    sigmix_kmap_free(&fkeys);
    sigmix_kmap_free(&S.map);
    free(S.lab);
    for (size_t i = 0; i < S.ntabs; i++)
        sigmix_table_free(&S.tabs[i]);
    free(S.tabs);
    if (S.has_fre)
        regfree(&S.fre);
    if (S.has_lre)
        regfree(&S.lre);
    sigmix_arena_free(&S.arena);
    sigmix_table_free(&t);
    return r;
}
