#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "util/arena.h"
#include "util/atomic.h"
#include "util/error.h"
#include "util/jsonw.h"
#include "util/prefault.h"
#include "util/provenance.h"
#include "util/runprov.h"
#include "util/sha256.h"

/* ---- JSON tree ------------------------------------------------------- */

enum { JV_NULL, JV_BOOL, JV_INT, JV_NUM, JV_STR, JV_ARR, JV_OBJ };

typedef struct jmember {
    const char *key;
    sigmix_jv  *val;
} jmember;

struct sigmix_jv {
    int     type;
    int64_t i;
    double  d;
    const char *s;
    size_t  len;
    /* arrays use items; objects use members */
    sigmix_jv **items;
    jmember    *members;
    size_t      n, cap;
};

struct sigmix_jdoc {
    sigmix_arena arena;
    int          failed;
    sigmix_jv    null_value;
};

sigmix_jdoc *sigmix_jdoc_new(void)
{
    sigmix_jdoc *d = calloc(1, sizeof *d);
    if (d)
        sigmix_arena_init(&d->arena);
    return d;
}

void sigmix_jdoc_free(sigmix_jdoc *d)
{
    if (!d)
        return;
    sigmix_arena_free(&d->arena);
    free(d);
}

int sigmix_jdoc_failed(const sigmix_jdoc *d) { return d->failed; }

static sigmix_jv *mk(sigmix_jdoc *d, int type)
{
    sigmix_jv *v = sigmix_arena_alloc(&d->arena, sizeof *v);
    if (!v) {
        d->failed = 1;
        d->null_value.type = JV_NULL;
        return &d->null_value;
    }
    memset(v, 0, sizeof *v);
    v->type = type;
    return v;
}

sigmix_jv *sigmix_jv_obj(sigmix_jdoc *d) { return mk(d, JV_OBJ); }
sigmix_jv *sigmix_jv_arr(sigmix_jdoc *d) { return mk(d, JV_ARR); }
sigmix_jv *sigmix_jv_null(sigmix_jdoc *d) { return mk(d, JV_NULL); }

sigmix_jv *sigmix_jv_bool(sigmix_jdoc *d, int b)
{
    sigmix_jv *v = mk(d, JV_BOOL);
    v->i = b != 0;
    return v;
}

sigmix_jv *sigmix_jv_int(sigmix_jdoc *d, int64_t i)
{
    sigmix_jv *v = mk(d, JV_INT);
    v->i = i;
    return v;
}

sigmix_jv *sigmix_jv_num(sigmix_jdoc *d, double x)
{
    if (!isfinite(x))
        return mk(d, JV_NULL);
    sigmix_jv *v = mk(d, JV_NUM);
    v->d = x;
    return v;
}

sigmix_jv *sigmix_jv_strn(sigmix_jdoc *d, const char *s, size_t n)
{
    if (!s)
        return mk(d, JV_NULL);
    char *copy = sigmix_arena_strndup(&d->arena, s, n);
    if (!copy) {
        d->failed = 1;
        return mk(d, JV_NULL);
    }
    sigmix_jv *v = mk(d, JV_STR);
    v->s = copy;
    v->len = n;
    return v;
}

sigmix_jv *sigmix_jv_str(sigmix_jdoc *d, const char *s)
{
    return s ? sigmix_jv_strn(d, s, strlen(s)) : mk(d, JV_NULL);
}

/* Grow an arena-backed array; the old block is simply abandoned. */
static int grow(sigmix_jdoc *d, void **arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t nc = *cap ? *cap * 2 : 8;
    while (nc < need)
        nc *= 2;
    void *p = sigmix_arena_alloc(&d->arena, nc * elem);
    if (!p) {
        d->failed = 1;
        return -1;
    }
    if (*arr)
        memcpy(p, *arr, *cap * elem);
    *arr = p;
    *cap = nc;
    return 0;
}

void sigmix_jv_set(sigmix_jdoc *d, sigmix_jv *obj, const char *key, sigmix_jv *v)
{
    if (obj->type != JV_OBJ)
        return;
    for (size_t i = 0; i < obj->n; i++)
        if (!strcmp(obj->members[i].key, key)) {
            obj->members[i].val = v;
            return;
        }
    const char *k = sigmix_arena_strndup(&d->arena, key, strlen(key));
    if (!k || grow(d, (void **)&obj->members, &obj->cap, obj->n + 1, sizeof(jmember))) {
        d->failed = 1;
        return;
    }
    obj->members[obj->n].key = k;
    obj->members[obj->n].val = v;
    obj->n++;
}

sigmix_jv *sigmix_jv_get(const sigmix_jv *obj, const char *key)
{
    if (!obj || obj->type != JV_OBJ)
        return NULL;
    for (size_t i = 0; i < obj->n; i++)
        if (!strcmp(obj->members[i].key, key))
            return obj->members[i].val;
    return NULL;
}

void sigmix_jv_push(sigmix_jdoc *d, sigmix_jv *arr, sigmix_jv *v)
{
    if (arr->type != JV_ARR)
        return;
    if (grow(d, (void **)&arr->items, &arr->cap, arr->n + 1, sizeof(sigmix_jv *)))
        return;
    arr->items[arr->n++] = v;
}

/* ---- buffered writer ---------------------------------------------- */

void sigmix_jout_init(sigmix_jout *o, FILE *f, int indent)
{
    sigmix_prefault(o, sizeof *o); /* the buffer is written whole before each flush */
    o->f = f;
    o->indent = indent;
    o->depth = 0;
    o->len = 0;
    o->after_key = 0;
    memset(o->count, 0, sizeof o->count);
    memset(o->nums, 0, sizeof o->nums);
}

void sigmix_jout_flush(sigmix_jout *o)
{
    if (o->len)
        fwrite(o->buf, 1, o->len, o->f);
    o->len = 0;
}

/* Room for n more bytes (n <= sizeof buf). */
static inline char *room(sigmix_jout *o, size_t n)
{
    if (sizeof o->buf - o->len < n)
        sigmix_jout_flush(o);
    return o->buf + o->len;
}

static void put(sigmix_jout *o, const char *s, size_t n)
{
    while (n) {
        size_t k = sizeof o->buf - o->len;
        if (!k) {
            sigmix_jout_flush(o);
            k = sizeof o->buf;
        }
        if (k > n)
            k = n;
        memcpy(o->buf + o->len, s, k);
        o->len += k;
        s += k;
        n -= k;
    }
}

static inline void putch(sigmix_jout *o, char c)
{
    *room(o, 1) = c;
    o->len++;
}

#define PUTS(o, lit) put((o), (lit), sizeof(lit) - 1)

/* Python's json.dumps(ensure_ascii=True): ASCII printable bytes as they
 * are, the usual short escapes, everything else as \uXXXX (UTF-16 pairs
 * above the BMP). Invalid UTF-8 becomes U+FFFD. */
static void put_u(sigmix_jout *o, unsigned u)
{
    static const char hex[] = "0123456789abcdef";
    char *p = room(o, 6);
    p[0] = '\\';
    p[1] = 'u';
    p[2] = hex[(u >> 12) & 15];
    p[3] = hex[(u >> 8) & 15];
    p[4] = hex[(u >> 4) & 15];
    p[5] = hex[u & 15];
    o->len += 6;
}

/* End of the run of bytes from i that need no escape (printable ASCII
 * other than '"' and '\\'). Reports are mostly such runs: keys, names. */
static size_t plain_run(const unsigned char *p, size_t i, size_t len)
{
#if defined(__SSE2__)
    /* As signed bytes, controls and everything from 0x80 are below 0x20. */
    const __m128i sp = _mm_set1_epi8(0x20), q = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\'),
                  del = _mm_set1_epi8(0x7f);
    for (size_t at = i;; at += 16) {
        if (at + 16 > len) {
            /* the last bytes: the 16 that end the string (at least 16
             * long), minus those already checked */
            if (at >= len || len < 16)
                break;
            at = len - 16;
        }
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + at));
        __m128i bad = _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(v, sp), _mm_cmpeq_epi8(v, q)),
                                   _mm_or_si128(_mm_cmpeq_epi8(v, bs), _mm_cmpeq_epi8(v, del)));
        unsigned m = (unsigned)_mm_movemask_epi8(bad);
        if (at < i) /* not before where the run starts */
            m &= ~0u << (i - at);
        if (m)
            return at + (size_t)__builtin_ctz(m);
        if (at + 16 >= len)
            return len;
    }
#endif
    while (i < len && p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"' && p[i] != '\\')
        i++;
    return i;
}

static void write_string(sigmix_jout *o, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t first = plain_run(p, 0, len);
    if (first == len && len + 2 <= sizeof o->buf) {
        /* nothing to escape (keys, column names): one copy */
        char *d = room(o, len + 2);
        d[0] = '"';
        memcpy(d + 1, s, len);
        d[len + 1] = '"';
        o->len += len + 2;
        return;
    }
    putch(o, '"');
    put(o, s, first);
    for (size_t i = first; i < len;) {
        /* copy the run of bytes that need no escape in one go */
        size_t run = plain_run(p, i, len);
        if (run > i) {
            put(o, s + i, run - i);
            i = run;
            continue;
        }
        unsigned c = p[i];
        if (c < 0x80) {
            i++;
            switch (c) {
            case '"': PUTS(o, "\\\""); continue;
            case '\\': PUTS(o, "\\\\"); continue;
            case '\n': PUTS(o, "\\n"); continue;
            case '\r': PUTS(o, "\\r"); continue;
            case '\t': PUTS(o, "\\t"); continue;
            case '\b': PUTS(o, "\\b"); continue;
            case '\f': PUTS(o, "\\f"); continue;
            default: break;
            }
            put_u(o, c); /* the remaining controls and DEL */
            continue;
        }
        unsigned cp = 0xfffd;
        size_t n = c >= 0xf0 && c < 0xf5 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
        if (n && i + n <= len) {
            unsigned v = c & (0xff >> (n + 1));
            size_t k = 1;
            for (; k < n && (p[i + k] & 0xc0) == 0x80; k++)
                v = v << 6 | (p[i + k] & 0x3f);
            int ok = k == n && !(n == 3 && (v < 0x800 || (v >= 0xd800 && v < 0xe000)))
                     && !(n == 4 && (v < 0x10000 || v > 0x10ffff));
            if (ok) {
                cp = v;
                i += n;
            } else {
                i++;
            }
        } else {
            i++;
        }
        if (cp >= 0x10000) {
            cp -= 0x10000;
            put_u(o, 0xd800 + (cp >> 10));
            put_u(o, 0xdc00 + (cp & 0x3ff));
        } else {
            put_u(o, cp);
        }
    }
    putch(o, '"');
}

static void nl(sigmix_jout *o, int depth)
{
    /* a line break and up to 64 spaces of indentation in one copy */
    static const char brk[] = "\n                                "
                              "                                ";
    if (!o->indent)
        return;
    size_t n = (size_t)o->indent * (size_t)depth;
    size_t k = n < sizeof brk - 2 ? n : sizeof brk - 2;
    memcpy(room(o, k + 1), brk, k + 1);
    o->len += k + 1;
    for (n -= k; n; n--)
        putch(o, ' ');
}

/* A number's text is its absolute value's with '-' before it (Python's
 * repr works so, -0.0 included), so both share one cache slot. */
static void write_num(sigmix_jout *o, double d)
{
    if (!isfinite(d)) {
        PUTS(o, "null");
        return;
    }
    double a = fabs(d);
    uint64_t bits;
    memcpy(&bits, &a, sizeof bits);
    sigmix_jout_num_slot *s =
        &o->nums[(bits * UINT64_C(0x9E3779B97F4A7C15)) >> (64 - SIGMIX_JOUT_NUM_BITS)];
    char *p = room(o, 41);
    size_t k = 0;
    if (signbit(d))
        p[k++] = '-';
    if (s->len && s->bits == bits) {
        memcpy(p + k, s->text, s->len);
        k += s->len;
    } else {
        size_t n = sigmix_format_double(a, p + k, 40);
        if (n < sizeof s->text) {
            s->bits = bits;
            s->len = (uint8_t)n;
            memcpy(s->text, p + k, n);
        }
        k += n;
    }
    o->len += k;
}

static void write_int(sigmix_jout *o, int64_t i)
{
    char tmp[24];
    size_t n = 0;
    uint64_t u = i < 0 ? 0 - (uint64_t)i : (uint64_t)i;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    char *p = room(o, 21);
    size_t k = 0;
    if (i < 0)
        p[k++] = '-';
    while (n)
        p[k++] = tmp[--n];
    o->len += k;
}

static int cmp_member(const void *a, const void *b)
{
    return strcmp(((const jmember *)a)->key, ((const jmember *)b)->key);
}

static void write_value(sigmix_jout *o, const sigmix_jv *v, int depth)
{
    switch (v->type) {
    case JV_NULL: PUTS(o, "null"); break;
    case JV_BOOL:
        if (v->i)
            PUTS(o, "true");
        else
            PUTS(o, "false");
        break;
    case JV_INT: write_int(o, v->i); break;
    case JV_NUM: write_num(o, v->d); break;
    case JV_STR: write_string(o, v->s, v->len); break;
    case JV_ARR:
        if (!v->n) {
            PUTS(o, "[]");
            break;
        }
        putch(o, '[');
        for (size_t i = 0; i < v->n; i++) {
            if (i)
                putch(o, ',');
            nl(o, depth + 1);
            write_value(o, v->items[i], depth + 1);
        }
        nl(o, depth);
        putch(o, ']');
        break;
    case JV_OBJ: {
        if (!v->n) {
            PUTS(o, "{}");
            break;
        }
        /* Sort a copy: the tree stays in insertion order for callers. */
        jmember *m = malloc(v->n * sizeof *m);
        const jmember *order = v->members;
        if (m) {
            memcpy(m, v->members, v->n * sizeof *m);
            qsort(m, v->n, sizeof *m, cmp_member);
            order = m;
        }
        putch(o, '{');
        for (size_t i = 0; i < v->n; i++) {
            if (i)
                putch(o, ',');
            nl(o, depth + 1);
            write_string(o, order[i].key, strlen(order[i].key));
            if (o->indent)
                PUTS(o, ": ");
            else
                putch(o, ':');
            write_value(o, order[i].val, depth + 1);
        }
        nl(o, depth);
        putch(o, '}');
        free(m);
        break;
    }
    default: PUTS(o, "null"); break;
    }
}

/* Separator and indentation before a member or element of the open container. */
static void pre(sigmix_jout *o)
{
    if (o->after_key) {
        o->after_key = 0;
        return;
    }
    if (o->depth > 0) {
        if (o->count[o->depth - 1])
            putch(o, ',');
        o->count[o->depth - 1] = 1;
        nl(o, o->depth);
    }
}

static void open_c(sigmix_jout *o, char c)
{
    pre(o);
    putch(o, c);
    if (o->depth < SIGMIX_JOUT_MAX_DEPTH)
        o->count[o->depth++] = 0;
}

static void close_c(sigmix_jout *o, char c)
{
    if (o->depth == 0)
        return;
    if (o->count[--o->depth])
        nl(o, o->depth);
    putch(o, c);
}

void sigmix_jout_obj_begin(sigmix_jout *o) { open_c(o, '{'); }
void sigmix_jout_obj_end(sigmix_jout *o) { close_c(o, '}'); }
void sigmix_jout_arr_begin(sigmix_jout *o) { open_c(o, '['); }
void sigmix_jout_arr_end(sigmix_jout *o) { close_c(o, ']'); }

void sigmix_jout_key(sigmix_jout *o, const char *key)
{
    pre(o);
    write_string(o, key, strlen(key));
    char *d = room(o, 2);
    d[0] = ':';
    d[1] = ' ';
    o->len += o->indent ? 2 : 1;
    o->after_key = 1;
}

void sigmix_jout_str(sigmix_jout *o, const char *s)
{
    pre(o);
    if (s)
        write_string(o, s, strlen(s));
    else
        PUTS(o, "null");
}

void sigmix_jout_num(sigmix_jout *o, double d)
{
    pre(o);
    write_num(o, d);
}

void sigmix_jout_int(sigmix_jout *o, int64_t i)
{
    pre(o);
    write_int(o, i);
}

void sigmix_jout_value(sigmix_jout *o, const sigmix_jv *v)
{
    pre(o);
    write_value(o, v, o->depth);
}

void sigmix_jout_newline(sigmix_jout *o)
{
    putch(o, '\n');
}

void sigmix_jv_write(const sigmix_jv *v, FILE *f, int indent)
{
    sigmix_jout o;
    sigmix_jout_init(&o, f, indent);
    write_value(&o, v, 0);
    if (indent)
        putch(&o, '\n');
    sigmix_jout_flush(&o);
}

int sigmix_jdoc_write(const sigmix_jdoc *d, const sigmix_jv *v, const char *path,
                      sigmix_error *err)
{
    sigmix_error_clear(err);
    if (d->failed)
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory while building the report");
    sigmix_atomic a;
    int r = sigmix_atomic_open(&a, path, 1, err);
    if (r)
        return r;
    sigmix_jv_write(v, a.f, 2);
    if (ferror(a.f)) {
        sigmix_atomic_abort(&a);
        return sigmix_error_set(err, SIGMIX_EIO, "write error");
    }
    return sigmix_atomic_commit(&a, err);
}

/* ---- run provenance --------------------------------------------------- */

struct sigmix_runprov {
    sigmix_jdoc *d;
    sigmix_jv   *root, *args, *inputs, *outputs, *extra, *extra_inputs;
    time_t       started;
};

sigmix_jv *sigmix_runprov_describe(sigmix_jdoc *d, const char *path, uint64_t *size)
{
    sigmix_jv *e = sigmix_jv_obj(d);
    struct stat st;
    int exists = stat(path, &st) == 0;
    sigmix_jv_set(d, e, "path", sigmix_jv_str(d, path));
    sigmix_jv_set(d, e, "exists", sigmix_jv_bool(d, exists));
    if (size)
        *size = 0;
    if (exists && S_ISREG(st.st_mode)) {
        char hex[65];
        uint64_t n = 0;
        sigmix_jv_set(d, e, "kind", sigmix_jv_str(d, "file"));
        /* An unreadable file still gets an entry: the run fails later on it. */
        if (!sigmix_sha256_file(path, hex, &n, NULL))
            sigmix_jv_set(d, e, "sha256", sigmix_jv_str(d, hex));
        else
            sigmix_jv_set(d, e, "sha256", sigmix_jv_null(d));
        if (size)
            *size = (uint64_t)st.st_size;
    } else if (exists && S_ISDIR(st.st_mode)) {
        /* upstream's describe_path spells it "directory" */
        sigmix_jv_set(d, e, "kind", sigmix_jv_str(d, "directory"));
    } else {
        sigmix_jv_set(d, e, "kind", sigmix_jv_str(d, "missing"));
    }
    return e;
}

sigmix_runprov *sigmix_runprov_new(sigmix_jdoc *d, int argc, char *const *argv)
{
    sigmix_runprov *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->d = d;
    p->started = time(NULL);
    p->root = sigmix_jv_obj(d);
    p->args = sigmix_jv_obj(d);
    p->inputs = sigmix_jv_obj(d);
    p->outputs = sigmix_jv_obj(d);
    p->extra = sigmix_jv_obj(d);
    p->extra_inputs = sigmix_jv_obj(d);
    sigmix_jv_set(d, p->root, "schema", sigmix_jv_str(d, SIGMIX_RUNPROV_SCHEMA));

    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n < 0)
        n = 0;
    exe[n] = '\0';
    sigmix_jv_set(d, p->root, "entrypoint", sigmix_runprov_describe(d, exe, NULL));

    sigmix_jv *av = sigmix_jv_arr(d);
    for (int i = 0; i < argc; i++)
        sigmix_jv_push(d, av, sigmix_jv_str(d, argv[i]));
    sigmix_jv_set(d, p->root, "argv", av);
    sigmix_jv_set(d, p->root, "args", p->args);

    char host[256], iso[32];
    if (gethostname(host, sizeof host))
        strcpy(host, "unknown");
    host[sizeof host - 1] = '\0';
    sigmix_utc_iso(p->started, iso);
    sigmix_jv_set(d, p->extra, "version", sigmix_jv_str(d, sigmix_version()));
    sigmix_jv_set(d, p->extra, "host", sigmix_jv_str(d, host));
    sigmix_jv_set(d, p->extra, "started_utc", sigmix_jv_str(d, iso));
    sigmix_jv_set(d, p->root, "sigmix", p->extra);
    return p;
}

void sigmix_runprov_free(sigmix_runprov *p) { free(p); }

void sigmix_runprov_arg_str(sigmix_runprov *p, const char *name, const char *v)
{
    sigmix_jv_set(p->d, p->args, name, sigmix_jv_str(p->d, v));
}

void sigmix_runprov_arg_bool(sigmix_runprov *p, const char *name, int v)
{
    sigmix_jv_set(p->d, p->args, name, sigmix_jv_bool(p->d, v));
}

void sigmix_runprov_arg_num(sigmix_runprov *p, const char *name, double v)
{
    sigmix_jv_set(p->d, p->args, name, sigmix_jv_num(p->d, v));
}

void sigmix_runprov_arg_int(sigmix_runprov *p, const char *name, int64_t v)
{
    sigmix_jv_set(p->d, p->args, name, sigmix_jv_int(p->d, v));
}

void sigmix_runprov_arg_list(sigmix_runprov *p, const char *name, const char *const *v, size_t n)
{
    if (!n) {
        sigmix_jv_set(p->d, p->args, name, sigmix_jv_null(p->d));
        return;
    }
    sigmix_jv *a = sigmix_jv_arr(p->d);
    for (size_t i = 0; i < n; i++)
        sigmix_jv_push(p->d, a, sigmix_jv_str(p->d, v[i]));
    sigmix_jv_set(p->d, p->args, name, a);
}

/* sigmix.inputs[name]: {path, size, rows}; rows filled in later. */
static sigmix_jv *size_entry(sigmix_runprov *p, const char *path, uint64_t size)
{
    sigmix_jv *e = sigmix_jv_obj(p->d);
    sigmix_jv_set(p->d, e, "path", sigmix_jv_str(p->d, path));
    sigmix_jv_set(p->d, e, "size", sigmix_jv_int(p->d, (int64_t)size));
    sigmix_jv_set(p->d, e, "rows", sigmix_jv_null(p->d));
    return e;
}

void sigmix_runprov_input_file(sigmix_runprov *p, const char *name, const char *path)
{
    if (!path) {
        sigmix_jv_set(p->d, p->inputs, name, sigmix_jv_null(p->d));
        return;
    }
    uint64_t size;
    sigmix_jv_set(p->d, p->inputs, name, sigmix_runprov_describe(p->d, path, &size));
    sigmix_jv_set(p->d, p->extra_inputs, name, size_entry(p, path, size));
}

void sigmix_runprov_input_files(sigmix_runprov *p, const char *name,
                                const char *const *paths, size_t n)
{
    sigmix_jv *a = sigmix_jv_arr(p->d), *b = sigmix_jv_arr(p->d);
    for (size_t i = 0; i < n; i++) {
        uint64_t size;
        sigmix_jv_push(p->d, a, sigmix_runprov_describe(p->d, paths[i], &size));
        sigmix_jv_push(p->d, b, size_entry(p, paths[i], size));
    }
    sigmix_jv_set(p->d, p->inputs, name, a);
    sigmix_jv_set(p->d, p->extra_inputs, name, b);
}

/* A file entry from a hash the caller computed; anything else described afresh. */
static sigmix_jv *known_entry(sigmix_runprov *p, const char *path, const char *sha,
                              uint64_t *size)
{
    struct stat st;
    if (!sha || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return sigmix_runprov_describe(p->d, path, size);
    sigmix_jv *e = sigmix_jv_obj(p->d);
    sigmix_jv_set(p->d, e, "path", sigmix_jv_str(p->d, path));
    sigmix_jv_set(p->d, e, "exists", sigmix_jv_bool(p->d, 1));
    sigmix_jv_set(p->d, e, "kind", sigmix_jv_str(p->d, "file"));
    sigmix_jv_set(p->d, e, "sha256", sigmix_jv_str(p->d, sha));
    return e;
}

void sigmix_runprov_input_known(sigmix_runprov *p, const char *name, const char *path,
                                const char *sha256, uint64_t size)
{
    if (!path) {
        sigmix_jv_set(p->d, p->inputs, name, sigmix_jv_null(p->d));
        return;
    }
    uint64_t sz = size;
    sigmix_jv_set(p->d, p->inputs, name, known_entry(p, path, sha256, sha256 ? NULL : &sz));
    sigmix_jv_set(p->d, p->extra_inputs, name, size_entry(p, path, sz));
}

void sigmix_runprov_input_push(sigmix_runprov *p, const char *name, const char *path,
                               const char *sha256, uint64_t size)
{
    sigmix_jv *a = sigmix_jv_get(p->inputs, name), *b = sigmix_jv_get(p->extra_inputs, name);
    if (!a || a->type != JV_ARR || !b || b->type != JV_ARR) {
        a = sigmix_jv_arr(p->d);
        b = sigmix_jv_arr(p->d);
        sigmix_jv_set(p->d, p->inputs, name, a);
        sigmix_jv_set(p->d, p->extra_inputs, name, b);
    }
    uint64_t sz = size;
    sigmix_jv_push(p->d, a, known_entry(p, path, sha256, sha256 ? NULL : &sz));
    sigmix_jv_push(p->d, b, size_entry(p, path, sz));
}

void sigmix_runprov_set_started(sigmix_runprov *p, time_t started)
{
    char iso[32];
    p->started = started;
    sigmix_utc_iso(started, iso);
    sigmix_jv_set(p->d, p->extra, "started_utc", sigmix_jv_str(p->d, iso));
}

void sigmix_runprov_input_rows(sigmix_runprov *p, const char *name, size_t index, uint64_t rows)
{
    sigmix_jv *e = sigmix_jv_get(p->extra_inputs, name);
    if (e && e->type == JV_ARR)
        e = index < e->n ? e->items[index] : NULL;
    if (e && e->type == JV_OBJ)
        sigmix_jv_set(p->d, e, "rows", sigmix_jv_int(p->d, (int64_t)rows));
}

void sigmix_runprov_output(sigmix_runprov *p, const char *name, const char *path)
{
    sigmix_jv_set(p->d, p->outputs, name, sigmix_jv_str(p->d, path));
}

sigmix_jv *sigmix_runprov_finish(sigmix_runprov *p)
{
    char iso[32];
    sigmix_utc_iso(time(NULL), iso);
    sigmix_jv_set(p->d, p->extra, "finished_utc", sigmix_jv_str(p->d, iso));
    /* upstream leaves inputs/outputs out when it has none */
    if (p->inputs->n) {
        sigmix_jv_set(p->d, p->root, "inputs", p->inputs);
        sigmix_jv_set(p->d, p->extra, "inputs", p->extra_inputs);
    }
    if (p->outputs->n)
        sigmix_jv_set(p->d, p->root, "outputs", p->outputs);
    return p->root;
}
