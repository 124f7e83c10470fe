/*
 * Family sets: compile the built-in families or a families file, and match
 * column names. Families files are untrusted input: sizes, counts and
 * pattern complexity are bounded (families.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/families.h"
#include "audit/famjson.h"
#include "util/error.h"

/*
 * Reject patterns whose compiled automaton could explode: glibc's regcomp
 * copies the operand of every '+' and of every {m,n} interval, so stacked
 * or nested repetitions grow it geometrically, and stacked closures over
 * the copies make its DFA construction take seconds and gigabytes (a fuzzer
 * found "e++++...", later "aee[ee]ee*++++++++++++": 22 s, 932 MB). So:
 *  - a repetition operator may not follow another (Python rejects "a**" as
 *    "multiple repeat" too); one '?' after one is allowed, as Python's lazy
 *    ".*?" means the same for a search;
 *  - repeated groups nest at most MAX_NEST deep ("((a+)+)+");
 *  - the product of the copy factors stays <= MAX_EXPANSION.
 */
enum { MAX_EXPANSION = 4096, MAX_INTERVAL = 32, MAX_NEST = 3, MAX_GROUPS = 64 };

static int too_complex(sigmix_error *err, const char *p, const char *why)
{
    size_t n = strlen(p);
    return sigmix_error_set(err, SIGMIX_EINVAL, "pattern '%.64s%s' too complex (%s)", p,
                            n > 64 ? "..." : "", why);
}

static int check_pattern(const char *p, unsigned long *cost, sigmix_error *err)
{
    size_t len = strlen(p);
    unsigned long expansion = 1;
    /* depth[g]: deepest repetition nesting inside the open group g;
     * last: nesting depth of the atom just closed (what a quantifier repeats);
     * prev_q: 0 after an atom, 1 after a quantifier, 2 after its lazy '?'. */
    int depth[MAX_GROUPS + 1] = { 0 }, g = 0, last = 0, prev_q = 2;
    if (len == 0)
        return sigmix_error_set(err, SIGMIX_EINVAL, "empty pattern");
    if (len > SIGMIX_FAMFILE_MAX_PATTERN)
        return sigmix_error_set(err, SIGMIX_EINVAL, "pattern longer than %d bytes",
                                SIGMIX_FAMFILE_MAX_PATTERN);
    for (size_t i = 0; i < len; i++) {
        unsigned long factor = 1;
        char ch = p[i];
        if (ch == '\\') {
            i++;
            last = 0;
            prev_q = 0;
            continue;
        }
        if (ch == '[') { /* bracket expression: operators inside are literal */
            size_t j = i + 1;
            if (p[j] == '^')
                j++;
            if (p[j] == ']')
                j++;
            while (j < len && p[j] != ']') {
                if (p[j] == '[' && (p[j + 1] == ':' || p[j + 1] == '.' || p[j + 1] == '=')) {
                    const char *e = strchr(p + j + 2, ']');
                    j = e ? (size_t)(e - p) : len;
                }
                j++;
            }
            i = j;
            last = 0;
            prev_q = 0;
            continue;
        }
        if (ch == '(') {
            if (g == MAX_GROUPS)
                return too_complex(err, p, "groups nested too deep");
            depth[++g] = 0;
            prev_q = 2; /* a quantifier right after '(' is literal or an error */
            continue;
        }
        if (ch == ')') {
            /* The group's depth counts in its parent even unrepeated: "((a+))+". */
            last = g > 0 ? depth[g--] : 0;
            if (last > depth[g])
                depth[g] = last;
            prev_q = 0;
            continue;
        }
        if (ch == '|' || ch == '^' || ch == '$') {
            prev_q = 2;
            continue;
        }
        int quant = ch == '*' || ch == '+' || ch == '?' || ch == '{';
        if (!quant) {
            last = 0;
            prev_q = 0;
            continue;
        }
        if (ch == '?' && prev_q == 1) {
            prev_q = 2;
            continue;
        }
        if (prev_q == 1 || (prev_q == 2 && i > 0 && p[i - 1] == '?'))
            return too_complex(err, p, "stacked repetition operators");
        if (prev_q == 2)
            continue; /* at the start of a pattern or branch: literal to regcomp */
        if (ch == '+')
            factor = 2;
        if (ch == '{') {
            unsigned long v = 0, top = 0;
            size_t j = i + 1;
            for (; j < len && p[j] != '}'; j++) {
                if (p[j] >= '0' && p[j] <= '9') {
                    v = v * 10 + (unsigned long)(p[j] - '0');
                    if (v > MAX_INTERVAL)
                        return sigmix_error_set(err, SIGMIX_EINVAL,
                            "repetition bound above %d in pattern", MAX_INTERVAL);
                    top = v > top ? v : top;
                } else {
                    v = 0;
                }
            }
            factor = top + 1;
            i = j;
        }
        if (++last > MAX_NEST)
            return too_complex(err, p, "repetitions nested more than 3 deep");
        if (last > depth[g])
            depth[g] = last;
        prev_q = 1;
        expansion *= factor;
        if (expansion > MAX_EXPANSION)
            return sigmix_error_set(err, SIGMIX_EINVAL,
                "pattern too complex (its repetitions multiply beyond %d copies)", MAX_EXPANSION);
    }
    *cost = expansion * len;
    return 0;
}

/* Bound on the summed cost (expansion x length) of every pattern of a set. */
#define MAX_TOTAL_COST (1ul << 22)

static int compile_re(regex_t *re, const char *pattern, sigmix_error *err)
{
    int r = regcomp(re, pattern, REG_EXTENDED | REG_ICASE | REG_NOSUB);
    if (r) {
        char msg[128];
        regerror(r, re, msg, sizeof msg);
        return sigmix_error_set(err, SIGMIX_EINVAL, "bad pattern (%s)", msg);
    }
    return 0;
}

static int compile_costed(regex_t *re, const char *pattern, unsigned long *cost,
                          sigmix_error *err)
{
    int r = check_pattern(pattern, cost, err);
    return r ? r : compile_re(re, pattern, err);
}

int sigmix_family_compile(regex_t *re, const char *pattern, sigmix_error *err)
{
    unsigned long cost;
    return compile_costed(re, pattern, &cost, err);
}

static size_t list_len(const char *const *l)
{
    size_t n = 0;
    while (l && l[n])
        n++;
    return n;
}

void sigmix_family_set_free(sigmix_family_set *s)
{
    if (!s)
        return;
    for (size_t f = 0; s->re && f < s->n; f++) {
        for (size_t k = 0; s->re[f] && k < s->nre[f]; k++)
            if (!s->lazy || !s->lazy[f] || !s->lazy[f][k])
                regfree(&s->re[f][k]);
        free(s->re[f]);
    }
    free(s->re);
    free(s->fast); /* the rows live in the arena */
    free(s->lazy);
    if (s->lock_ok)
        pthread_mutex_destroy(&s->lock);
    free(s->nre);
    sigmix_arena_free(&s->arena);
    memset(s, 0, sizeof *s);
}

/* Compile every family of s->fam; on error s keeps only what it can free. */
static int compile_all(sigmix_family_set *s, sigmix_error *err)
{
    unsigned long total = 0;
    s->re = calloc(s->n ? s->n : 1, sizeof *s->re);
    s->nre = calloc(s->n ? s->n : 1, sizeof *s->nre);
    s->fast = calloc(s->n ? s->n : 1, sizeof *s->fast);
    s->lazy = calloc(s->n ? s->n : 1, sizeof *s->lazy);
    if (!s->re || !s->nre || !s->fast || !s->lazy)
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    if (pthread_mutex_init(&s->lock, NULL))
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    s->lock_ok = 1;
    atomic_init(&s->lazy_state, 0);
    for (size_t f = 0; f < s->n; f++) {
        size_t np = list_len(s->fam[f].patterns);
        s->re[f] = calloc(np ? np : 1, sizeof(regex_t));
        s->fast[f] = sigmix_arena_alloc(&s->arena, (np ? np : 1) * sizeof **s->fast);
        s->lazy[f] = sigmix_arena_alloc(&s->arena, np ? np : 1);
        if (!s->re[f] || !s->fast[f] || !s->lazy[f])
            return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
        for (size_t k = 0; k < np; k++) {
            sigmix_error e = { 0, "" };
            unsigned long cost = 0;
            const char *pat = s->fam[f].patterns[k];
            int r = check_pattern(pat, &cost, &e), fast = 0;
            /* A pattern the fast matcher takes is one regcomp accepts
             * (tests/audit/test_fastre.c), so its regcomp can wait. */
            if (!r && (fast = sigmix_fastre_compile(&s->fast[f][k], pat, &s->arena)) < 0)
                return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
            if (!r && !fast)
                r = compile_re(&s->re[f][k], pat, &e);
            total += cost;
            if (!r && total > MAX_TOTAL_COST) {
                if (!fast)
                    regfree(&s->re[f][k]);
                r = sigmix_error_set(&e, SIGMIX_EINVAL, "patterns too complex in total");
            }
            if (r)
                return sigmix_error_set(err, r == SIGMIX_EINVAL ? SIGMIX_EFORMAT : r,
                                        "family '%s' pattern %zu: %s", s->fam[f].key, k + 1,
                                        e.message);
            s->lazy[f][k] = (unsigned char)fast;
            s->nre[f]++;
        }
    }
    return 0;
}

int sigmix_family_set_from(sigmix_family_set *s, const sigmix_audit_family *fam, size_t n,
                           sigmix_error *err)
{
    memset(s, 0, sizeof *s);
    sigmix_arena_init(&s->arena);
    s->n = n;
    s->fam = sigmix_arena_alloc(&s->arena, (n ? n : 1) * sizeof *s->fam);
    if (!s->fam) {
        sigmix_family_set_free(s);
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    }
    memcpy(s->fam, fam, n * sizeof *s->fam);
    int r = compile_all(s, err);
    if (r)
        sigmix_family_set_free(s);
    return r;
}

int sigmix_family_set_builtin(sigmix_family_set *s, sigmix_error *err)
{
    size_t n;
    const sigmix_audit_family *b = sigmix_audit_builtin_families(&n);
    return sigmix_family_set_from(s, b, n, err);
}

/*
 * Python's re.search lets '$' match at the end and also just before a final
 * '\n' ("clip_id\n" matches "id$"). POSIX '$' matches only at the end, so a
 * name ending in '\n' is searched a second time without it (REG_STARTEND:
 * no copy). Any match of the shortened name is a Python match of the whole.
 */
int sigmix_regex_search(const regex_t *re, const char *name)
{
    if (regexec(re, name, 0, NULL, 0) == 0)
        return 1;
    size_t n = strlen(name);
    if (n == 0 || name[n - 1] != '\n')
        return 0;
    regmatch_t m[1];
    m[0].rm_so = 0;
    m[0].rm_eo = (regoff_t)(n - 1);
    return regexec(re, name, 1, m, REG_STARTEND) == 0;
}

/*
 * Whether the fast matcher answers as regexec would for name: ASCII bytes
 * in a single-byte locale with ASCII case rules (the CLI's "C" locale).
 * Elsewhere REG_ICASE follows the locale's own folding (towlower, Turkish
 * dotless i), which only regexec knows.
 */
static int fast_ok(const char *name, size_t *len)
{
    size_t n = 0;
    int ascii = 1;
    for (; name[n]; n++)
        ascii &= (unsigned char)name[n] < 0x80;
    *len = n;
    return ascii && MB_CUR_MAX == 1 && tolower('I') == 'i' && toupper('i') == 'I';
}

static int fast_search(const sigmix_fastre *re, const char *name, size_t n)
{
    /* '$' also before a final '\n', as in sigmix_regex_search */
    return sigmix_fastre_search(re, name, n) ||
           (n && name[n - 1] == '\n' && sigmix_fastre_search(re, name, n - 1));
}

/* Compile every pattern left to the fast matcher, once per set. The set is
 * const for its readers; the lock and the lazily filled regex_t are the
 * only parts written after it was made. */
static int compile_lazy(const sigmix_family_set *cs)
{
    sigmix_family_set *s = (sigmix_family_set *)cs;
    int st = atomic_load_explicit(&s->lazy_state, memory_order_acquire);
    if (st)
        return st;
    pthread_mutex_lock(&s->lock);
    st = atomic_load_explicit(&s->lazy_state, memory_order_relaxed);
    for (size_t f = 0; !st && f < s->n; f++)
        for (size_t k = 0; k < s->nre[f]; k++) {
            if (!s->lazy[f][k])
                continue;
            sigmix_error e;
            if (compile_re(&s->re[f][k], s->fam[f].patterns[k], &e)) {
                st = -1; /* out of memory: the fast matcher answers instead */
                break;
            }
            s->lazy[f][k] = 0;
        }
    if (!st)
        st = 1;
    atomic_store_explicit(&s->lazy_state, st, memory_order_release);
    pthread_mutex_unlock(&s->lock);
    return st;
}

const regex_t *sigmix_family_regex(const sigmix_family_set *s, size_t f, size_t k)
{
    if (f >= s->n || k >= s->nre[f])
        return NULL;
    compile_lazy(s); /* first: lazy[] is read only after its acquire */
    return s->lazy[f][k] ? NULL : &s->re[f][k];
}

/* Family f against name (n bytes; fast: fast_ok's verdict on it). */
static int matches(const sigmix_family_set *s, size_t f, const char *name, size_t n, int fast)
{
    int slow_ok = fast ? 0 : compile_lazy(s) > 0;
    for (size_t k = 0; k < s->nre[f]; k++) {
        const sigmix_fastre *fr = &s->fast[f][k];
        int use_fast = (fr->literal || fr->n) && (fast || !slow_ok);
        if (use_fast ? fast_search(fr, name, n)
                     : sigmix_regex_search(&s->re[f][k], name))
            return 1;
    }
    return 0;
}

int sigmix_family_matches(const sigmix_family_set *s, size_t f, const char *name)
{
    size_t n;
    int fast = fast_ok(name, &n);
    return matches(s, f, name, n, fast);
}

void sigmix_family_match_all(const sigmix_family_set *s, const char *name, unsigned char *out)
{
    size_t n;
    int fast = fast_ok(name, &n);
    for (size_t f = 0; f < s->n; f++)
        out[f] = (unsigned char)matches(s, f, name, n, fast);
}

/* ---- families files ---------------------------------------------------- */

static int bad(sigmix_error *err, size_t idx, const char *what)
{
    return sigmix_error_set(err, SIGMIX_EFORMAT, "family %zu: %s", idx + 1, what);
}

static int get_string(const famjson *v, size_t idx, const char *field, int required,
                      const char **out, sigmix_error *err)
{
    char msg[96];
    if (!v) {
        if (!required) {
            *out = "";
            return 0;
        }
        snprintf(msg, sizeof msg, "missing field '%s'", field);
        return bad(err, idx, msg);
    }
    if (v->type != FAMJSON_STRING || v->len > SIGMIX_FAMFILE_MAX_STRING) {
        snprintf(msg, sizeof msg, "'%s' must be a string of at most %d bytes", field,
                 SIGMIX_FAMFILE_MAX_STRING);
        return bad(err, idx, msg);
    }
    *out = v->str;
    return 0;
}

static int get_list(const famjson *v, size_t idx, const char *field, int required,
                    sigmix_arena *arena, const char *const **out, sigmix_error *err)
{
    char msg[128];
    size_t n = v ? v->count : 0;
    if (v && (v->type != FAMJSON_ARRAY || n > SIGMIX_FAMFILE_MAX_LIST)) {
        snprintf(msg, sizeof msg, "'%s' must be a list of at most %d strings", field,
                 SIGMIX_FAMFILE_MAX_LIST);
        return bad(err, idx, msg);
    }
    if (required && n == 0) {
        snprintf(msg, sizeof msg, "'%s' must list at least one string", field);
        return bad(err, idx, msg);
    }
    const char **l = sigmix_arena_alloc(arena, (n + 1) * sizeof *l);
    if (!l)
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    size_t k = 0;
    for (const famjson *c = v ? v->child : NULL; c; c = c->next) {
        if (c->type != FAMJSON_STRING || c->len > SIGMIX_FAMFILE_MAX_STRING) {
            snprintf(msg, sizeof msg, "'%s' item %zu must be a string", field, k + 1);
            return bad(err, idx, msg);
        }
        l[k++] = c->str;
    }
    l[k] = NULL;
    *out = l;
    return 0;
}

static int key_ok(const char *k)
{
    size_t n = strlen(k);
    if (n == 0 || n > 64)
        return 0;
    for (; *k; k++)
        if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') ||
              (*k >= '0' && *k <= '9') || *k == '_' || *k == '-' || *k == '.'))
            return 0;
    return 1;
}

static int parse_family(const famjson *o, size_t idx, sigmix_arena *arena,
                        sigmix_audit_family *f, sigmix_error *err)
{
    static const char *const fields[] = { "key", "label", "question", "patterns",
                                          "candidate_metrics", "recommendation", NULL };
    if (o->type != FAMJSON_OBJECT)
        return bad(err, idx, "must be an object");
    for (const famjson *c = o->child; c; c = c->next) {
        int known = 0;
        for (int i = 0; fields[i]; i++)
            known |= !strcmp(c->key, fields[i]);
        if (!known)
            return bad(err, idx, "unknown field (expected key, label, question, patterns, "
                                 "candidate_metrics, recommendation)");
    }
    int r;
    if ((r = get_string(sigmix_famjson_get(o, "key"), idx, "key", 1, &f->key, err)) ||
        (r = get_string(sigmix_famjson_get(o, "label"), idx, "label", 1, &f->label, err)) ||
        (r = get_string(sigmix_famjson_get(o, "question"), idx, "question", 0, &f->question, err)) ||
        (r = get_string(sigmix_famjson_get(o, "recommendation"), idx, "recommendation", 0,
                        &f->recommendation, err)) ||
        (r = get_list(sigmix_famjson_get(o, "patterns"), idx, "patterns", 1, arena,
                      &f->patterns, err)) ||
        (r = get_list(sigmix_famjson_get(o, "candidate_metrics"), idx, "candidate_metrics", 0,
                      arena, &f->candidate_metrics, err)))
        return r;
    if (!key_ok(f->key))
        return bad(err, idx, "'key' must be 1-64 characters of A-Z a-z 0-9 _ - .");
    return 0;
}

/* Root: a list (replace) or {"mode": ..., "families": [...]}. */
static int parse_root(const famjson *root, const famjson **list, int *extend, sigmix_error *err)
{
    *extend = 0;
    if (root->type == FAMJSON_ARRAY) {
        *list = root;
        return 0;
    }
    if (root->type != FAMJSON_OBJECT)
        return sigmix_error_set(err, SIGMIX_EFORMAT,
            "families file must hold a list of families or {\"families\": [...]}");
    for (const famjson *c = root->child; c; c = c->next)
        if (strcmp(c->key, "mode") && strcmp(c->key, "families"))
            return sigmix_error_set(err, SIGMIX_EFORMAT,
                "unknown top-level field (expected \"mode\" and \"families\")");
    const famjson *mode = sigmix_famjson_get(root, "mode");
    if (mode) {
        if (mode->type == FAMJSON_STRING && !strcmp(mode->str, "extend"))
            *extend = 1;
        else if (!(mode->type == FAMJSON_STRING && !strcmp(mode->str, "replace")))
            return sigmix_error_set(err, SIGMIX_EFORMAT,
                "\"mode\" must be \"replace\" or \"extend\"");
    }
    *list = sigmix_famjson_get(root, "families");
    if (!*list || (*list)->type != FAMJSON_ARRAY)
        return sigmix_error_set(err, SIGMIX_EFORMAT, "\"families\" must be a list");
    return 0;
}

static int build_set(sigmix_family_set *s, const famjson *list, int extend, sigmix_error *err)
{
    size_t nb = 0;
    const sigmix_audit_family *b = sigmix_audit_builtin_families(&nb);
    size_t nf = list->count;
    if (nf > SIGMIX_FAMFILE_MAX_FAMILIES)
        return sigmix_error_set(err, SIGMIX_EFORMAT, "more than %d families",
                                SIGMIX_FAMFILE_MAX_FAMILIES);
    if (nf == 0 && !extend)
        return sigmix_error_set(err, SIGMIX_EFORMAT, "families list is empty");
    s->fam = sigmix_arena_alloc(&s->arena, (nb + nf) * sizeof *s->fam);
    if (!s->fam)
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    s->n = 0;
    if (extend) {
        memcpy(s->fam, b, nb * sizeof *b);
        s->n = nb;
    }
    size_t idx = 0;
    for (const famjson *c = list->child; c; c = c->next, idx++) {
        sigmix_audit_family f;
        int r = parse_family(c, idx, &s->arena, &f, err);
        if (r)
            return r;
        for (const famjson *d = list->child; d != c; d = d->next) {
            const famjson *k = sigmix_famjson_get(d, "key");
            if (k && !strcmp(k->str, f.key))
                return bad(err, idx, "duplicate key");
        }
        size_t at = s->n;
        for (size_t i = 0; extend && i < nb; i++)
            if (!strcmp(s->fam[i].key, f.key))
                at = i;
        s->fam[at] = f;
        if (at == s->n)
            s->n++;
    }
    return 0;
}

int sigmix_family_set_parse(sigmix_family_set *s, const char *buf, size_t len, sigmix_error *err)
{
    memset(s, 0, sizeof *s);
    sigmix_arena_init(&s->arena);
    famjson *root = NULL;
    const famjson *list = NULL;
    int extend = 0, r;
    if (len > SIGMIX_FAMFILE_MAX_BYTES)
        r = sigmix_error_set(err, SIGMIX_EFORMAT, "families file larger than 1 MiB");
    else if (!(r = sigmix_famjson_parse(buf, len, &s->arena, &root, err)) &&
             !(r = parse_root(root, &list, &extend, err)) &&
             !(r = build_set(s, list, extend, err)))
        r = compile_all(s, err);
    if (r)
        sigmix_family_set_free(s);
    return r;
}

int sigmix_family_set_load(sigmix_family_set *s, const char *path, sigmix_error *err)
{
    memset(s, 0, sizeof *s);
    FILE *f = fopen(path, "rb");
    if (!f)
        return sigmix_error_set(err, SIGMIX_EIO, "cannot open families file (%s)", strerror(errno));
    char *buf = malloc((size_t)SIGMIX_FAMFILE_MAX_BYTES + 1);
    if (!buf) {
        fclose(f);
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    }
    size_t n = fread(buf, 1, (size_t)SIGMIX_FAMFILE_MAX_BYTES + 1, f);
    int bad_read = ferror(f);
    fclose(f);
    int r = bad_read ? sigmix_error_set(err, SIGMIX_EIO, "cannot read families file")
                     : sigmix_family_set_parse(s, buf, n, err);
    free(buf);
    return r;
}
