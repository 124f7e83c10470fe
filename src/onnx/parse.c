/*
 * ModelProto -> ox_raw. Field numbers follow onnx.proto (IR 3..10). The
 * nesting is fixed (Model > Graph > Node > Attribute > Tensor, and
 * ValueInfo > Type > Tensor > Shape > Dim), so depth is bounded by the
 * code itself: sub-graphs (If/Loop bodies) are skipped, never descended.
 * Repeated fields are counted in a first pass and filled in a second, so
 * every allocation is bounded by the bytes that back it.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "onnx/internal.h"
#include "onnx/pb.h"
#include "util/error.h"

typedef struct pctx {
    sigmix_arena *a;
    sigmix_error *err;
    int           cut;        /* the file ends inside the graph: name the element cut */
    char          where[200]; /* names the element being read: "initializer 'w'" */
} pctx;

static void set_where(pctx *c, const char *fmt, ...) SIGMIX_PRINTF(2, 3);

static void set_where(pctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->where, sizeof c->where, fmt, ap);
    va_end(ap);
}

static int bad(pctx *c)
{
    return sigmix_error_set(c->err, SIGMIX_EFORMAT, "truncated or malformed protobuf (%s)",
                            c->where);
}

/*
 * The string field `want` of a message that may be cut short, for messages:
 * at most n-1 bytes, control bytes shown as '?'; "" when absent or cut.
 */
static const char *peek_string(pb_reader r, uint32_t want, char *out, size_t n)
{
    uint32_t f;
    int wt;
    out[0] = '\0';
    while (!pb_key(&r, &f, &wt) && f) {
        pb_reader s;
        if (f == want && wt == PB_LEN) {
            if (pb_bytes(&r, &s))
                return out;
            size_t k = 0;
            for (; k + 1 < n && s.p + k < s.end; k++)
                out[k] = s.p[k] < 0x20 || s.p[k] == 0x7f ? '?' : (char)s.p[k];
            out[k] = '\0';
            return out;
        }
        if (pb_skip(&r, wt))
            return out;
    }
    return out;
}

static int oom(pctx *c)
{
    return sigmix_error_set(c->err, SIGMIX_ENOMEM, "out of memory while parsing (%s)", c->where);
}

static int get_string(pctx *c, pb_reader *r, const char **out)
{
    pb_reader s;
    if (pb_bytes(r, &s))
        return bad(c);
    char *p = sigmix_arena_strndup(c->a, (const char *)s.p, pb_left(&s));
    if (!p)
        return oom(c);
    *out = p;
    return 0;
}

/* Count occurrences of `want` in a message (pass one of two). */
static int count_field(pctx *c, pb_reader r, uint32_t want, size_t *n)
{
    uint32_t f;
    int wt;
    *n = 0;
    for (;;) {
        if (pb_key(&r, &f, &wt))
            return bad(c);
        if (!f)
            return 0;
        if (f == want)
            (*n)++;
        if (pb_skip(&r, wt))
            return c->cut ? 0 : bad(c); /* a cut file: the element cut is named later */
    }
}

static void *alloc_array(pctx *c, size_t n, size_t elem)
{
    if (n > SIZE_MAX / elem / 2)
        return NULL;
    return sigmix_arena_alloc(c->a, n ? n * elem : 1);
}

/* Number of values one occurrence of a repeated scalar field carries. */
static int scalar_count(pctx *c, pb_reader *r, int wt, int fixed, size_t *n)
{
    if (wt == PB_LEN) {
        pb_reader s;
        if (pb_bytes(r, &s))
            return bad(c);
        if (fixed) {
            if (pb_left(&s) % (size_t)fixed)
                return bad(c);
            *n = pb_left(&s) / (size_t)fixed;
            return 0;
        }
        return pb_count_varints(&s, n) ? bad(c) : 0;
    }
    *n = 1;
    return pb_skip(r, wt) ? bad(c) : 0;
}

/* Append one occurrence of a repeated scalar field to out (as int64 or float). */
static int scalar_read(pctx *c, pb_reader *r, int wt, int fixed, int64_t *iout, float *fout,
                       size_t *pos, size_t cap)
{
    pb_reader s = *r;
    int packed = wt == PB_LEN;
    if (packed && pb_bytes(r, &s))
        return bad(c);
    do {
        if (*pos >= cap)
            return bad(c);
        if (fixed == 4) {
            uint32_t v;
            if (!packed && wt != PB_FIXED32)
                return bad(c);
            if (pb_fixed32(packed ? &s : r, &v))
                return bad(c);
            float fv;
            memcpy(&fv, &v, 4);
            fout[(*pos)++] = fv;
        } else {
            uint64_t v;
            if (!packed && wt != PB_VARINT)
                return bad(c);
            if (pb_varint(packed ? &s : r, &v))
                return bad(c);
            iout[(*pos)++] = (int64_t)v;
        }
    } while (packed && pb_left(&s));
    return 0;
}

static int check_dims(pctx *c, ox_tensor *t, const int64_t *dims, size_t nd)
{
    if (nd > OX_MAXDIM)
        return sigmix_error_set(c->err, SIGMIX_EUNSUPPORTED,
                                "tensor '%s' has %zu dimensions (at most %d supported)",
                                t->name ? t->name : "", nd, OX_MAXDIM);
    int64_t n = 1;
    for (size_t i = 0; i < nd; i++) {
        if (dims[i] < 0 || dims[i] > OX_MAX_DIM)
            return bad(c);
        t->dims[i] = dims[i];
        n *= dims[i];
        if (n > OX_MAX_ELEMS)
            return sigmix_error_set(c->err, SIGMIX_ENOMEM, "tensor '%s' is too large",
                                    t->name ? t->name : "");
    }
    t->ndim = (int)nd;
    t->n = (size_t)n;
    return 0;
}

static int tensor_from_raw(pctx *c, ox_tensor *t, int dtype, pb_reader raw)
{
    size_t esz = dtype == ONNX_INT64 ? 8 : 4;
    if (pb_left(&raw) != t->n * esz)
        return sigmix_error_set(c->err, SIGMIX_EFORMAT,
                                "tensor '%s': raw_data holds %zu bytes, its shape needs %zu",
                                t->name, pb_left(&raw), t->n * esz);
    const uint8_t *p = raw.p;
    for (size_t k = 0; k < t->n; k++, p += esz) {
        uint64_t v = 0;
        for (size_t b = 0; b < esz; b++)
            v |= (uint64_t)p[b] << (8 * b);
        if (dtype == ONNX_FLOAT) {
            uint32_t u = (uint32_t)v;
            memcpy(&t->f[k], &u, 4);
        } else if (dtype == ONNX_INT32) {
            t->i[k] = (int32_t)(uint32_t)v;
        } else {
            t->i[k] = (int64_t)v;
        }
    }
    return 0;
}

static int parse_tensor(pctx *c, pb_reader r, ox_tensor *t)
{
    memset(t, 0, sizeof *t);
    t->name = "";
    size_t ndims = 0, ntyped = 0, n;
    int64_t dtype = 0, location = 0;
    int has_raw = 0;
    pb_reader raw = { 0 }, scan = r;
    uint32_t f;
    int wt;
    for (;;) { /* pass one: sizes, type, name, raw bytes */
        if (pb_key(&scan, &f, &wt))
            return bad(c);
        if (!f)
            break;
        uint64_t v;
        if (f == 1 && (wt == PB_VARINT || wt == PB_LEN)) {
            if (scalar_count(c, &scan, wt, 0, &n))
                return -1;
            ndims += n;
        } else if ((f == 4 || f == 5 || f == 7) && (wt == PB_LEN || wt == PB_VARINT ||
                                                   wt == PB_FIXED32)) {
            if (scalar_count(c, &scan, wt, f == 4 ? 4 : 0, &n))
                return -1;
            ntyped += n;
        } else if (f == 2 && wt == PB_VARINT) {
            if (pb_varint(&scan, &v))
                return bad(c);
            dtype = (int64_t)v;
        } else if (f == 14 && wt == PB_VARINT) {
            if (pb_varint(&scan, &v))
                return bad(c);
            location = (int64_t)v;
        } else if (f == 8 && wt == PB_LEN) {
            if (get_string(c, &scan, &t->name))
                return -1;
        } else if (f == 9 && wt == PB_LEN) {
            if (pb_bytes(&scan, &raw))
                return bad(c);
            has_raw = 1;
        } else if (pb_skip(&scan, wt)) {
            return bad(c);
        }
    }
    if (location == 1)
        return sigmix_error_set(c->err, SIGMIX_EUNSUPPORTED,
                                "tensor '%s' keeps its data in an external file", t->name);
    if (dtype != ONNX_FLOAT && dtype != ONNX_INT64 && dtype != ONNX_INT32)
        return sigmix_error_set(c->err, SIGMIX_EUNSUPPORTED,
                                "tensor '%s' has data type %lld (float32, int32 and int64 are "
                                "supported)", t->name, (long long)dtype);
    if (ndims > OX_MAXDIM)
        return check_dims(c, t, NULL, ndims);
    int64_t dims[OX_MAXDIM];
    size_t pos = 0, tpos = 0;
    t->dtype = dtype == ONNX_FLOAT ? ONNX_FLOAT : ONNX_INT64;
    scan = r;
    for (;;) { /* pass two: dims */
        if (pb_key(&scan, &f, &wt))
            return bad(c);
        if (!f)
            break;
        if (f == 1 && (wt == PB_VARINT || wt == PB_LEN)) {
            if (scalar_read(c, &scan, wt, 0, dims, NULL, &pos, ndims))
                return -1;
        } else if (pb_skip(&scan, wt)) {
            return bad(c);
        }
    }
    if (check_dims(c, t, dims, ndims))
        return -1;
    if (t->dtype == ONNX_FLOAT)
        t->f = alloc_array(c, t->n, sizeof(float));
    else
        t->i = alloc_array(c, t->n, sizeof(int64_t));
    if (!t->f && !t->i)
        return oom(c);
    if (has_raw && ntyped == 0) {
        if (tensor_from_raw(c, t, (int)dtype, raw))
            return -1;
    } else {
        if (has_raw || ntyped != t->n)
            return sigmix_error_set(c->err, SIGMIX_EFORMAT,
                                    "tensor '%s': holds %zu values, its shape needs %zu",
                                    t->name, ntyped, t->n);
        uint32_t want = dtype == ONNX_FLOAT ? 4 : dtype == ONNX_INT32 ? 5 : 7;
        scan = r;
        for (;;) {
            if (pb_key(&scan, &f, &wt))
                return bad(c);
            if (!f)
                break;
            if (f == want) {
                if (scalar_read(c, &scan, wt, f == 4 ? 4 : 0, t->i, t->f, &tpos, t->n))
                    return -1;
            } else if (pb_skip(&scan, wt)) {
                return bad(c);
            }
        }
        if (dtype == ONNX_INT32) /* int32_data is a varint of the int32 value */
            for (size_t k = 0; k < t->n; k++)
                t->i[k] = (int32_t)(uint32_t)t->i[k];
    }
    return 0;
}

static int parse_attr(pctx *c, pb_reader r, ox_attr *at)
{
    memset(at, 0, sizeof *at);
    at->name = "";
    size_t nf = 0, ni = 0, n;
    pb_reader scan = r;
    uint32_t f;
    int wt, seen = 0;
    for (;;) { /* pass one */
        if (pb_key(&scan, &f, &wt))
            return bad(c);
        if (!f)
            break;
        uint64_t v;
        if (f == 1 && wt == PB_LEN) {
            if (get_string(c, &scan, &at->name))
                return -1;
        } else if (f == 20 && wt == PB_VARINT) {
            if (pb_varint(&scan, &v))
                return bad(c);
            at->type = (int)(v & 0xff);
        } else if (f == 7 && (wt == PB_LEN || wt == PB_FIXED32)) {
            if (scalar_count(c, &scan, wt, 4, &n))
                return -1;
            nf += n;
            seen = ATTR_FLOATS;
        } else if (f == 8 && (wt == PB_LEN || wt == PB_VARINT)) {
            if (scalar_count(c, &scan, wt, 0, &n))
                return -1;
            ni += n;
            seen = ATTR_INTS;
        } else if (f == 2 && wt == PB_FIXED32) {
            uint32_t u;
            if (pb_fixed32(&scan, &u))
                return bad(c);
            memcpy(&at->f, &u, 4);
            seen = ATTR_FLOAT;
        } else if (f == 3 && wt == PB_VARINT) {
            if (pb_varint(&scan, &v))
                return bad(c);
            at->i = (int64_t)v;
            seen = ATTR_INT;
        } else if (f == 4 && wt == PB_LEN) {
            if (get_string(c, &scan, &at->s))
                return -1;
            seen = ATTR_STRING;
        } else if (f == 5 && wt == PB_LEN) {
            pb_reader t;
            if (pb_bytes(&scan, &t))
                return bad(c);
            if (!(at->t = sigmix_arena_alloc(c->a, sizeof *at->t)))
                return oom(c);
            if (parse_tensor(c, t, at->t))
                return -1;
            seen = ATTR_TENSOR;
        } else if (f == 6 && wt == PB_LEN) {
            seen = ATTR_GRAPH;
            if (pb_skip(&scan, wt))
                return bad(c);
        } else if (f == 9 && wt == PB_LEN) {
            seen = ATTR_STRINGS;
            if (pb_skip(&scan, wt))
                return bad(c);
        } else if (pb_skip(&scan, wt)) {
            return bad(c);
        }
    }
    if (!at->type)
        at->type = seen; /* IR < 0.0.2 files carry no type field */
    if (nf && !(at->floats = alloc_array(c, nf, sizeof(float))))
        return oom(c);
    if (ni && !(at->ints = alloc_array(c, ni, sizeof(int64_t))))
        return oom(c);
    size_t pf = 0, pi = 0;
    scan = r;
    for (;;) { /* pass two: repeated scalars */
        if (pb_key(&scan, &f, &wt))
            return bad(c);
        if (!f)
            break;
        if (f == 7 && (wt == PB_LEN || wt == PB_FIXED32)) {
            if (scalar_read(c, &scan, wt, 4, NULL, at->floats, &pf, nf))
                return -1;
        } else if (f == 8 && (wt == PB_LEN || wt == PB_VARINT)) {
            if (scalar_read(c, &scan, wt, 0, at->ints, NULL, &pi, ni))
                return -1;
        } else if (pb_skip(&scan, wt)) {
            return bad(c);
        }
    }
    at->nfloats = nf;
    at->nints = ni;
    return 0;
}

/* Fill a string array from every occurrence of `want`. */
static int string_list(pctx *c, pb_reader r, uint32_t want, const char ***out, int *count)
{
    size_t n;
    if (count_field(c, r, want, &n))
        return -1;
    if (n > INT32_MAX / 2 || !(*out = alloc_array(c, n, sizeof(char *))))
        return oom(c);
    size_t k = 0;
    uint32_t f;
    int wt;
    for (;;) {
        if (pb_key(&r, &f, &wt))
            return bad(c);
        if (!f)
            break;
        if (f == want) {
            if (wt != PB_LEN || get_string(c, &r, &(*out)[k++]))
                return wt != PB_LEN ? bad(c) : -1;
        } else if (pb_skip(&r, wt)) {
            return bad(c);
        }
    }
    *count = (int)n;
    return 0;
}

static int parse_node(pctx *c, pb_reader r, ox_rawnode *nd)
{
    memset(nd, 0, sizeof *nd);
    nd->name = nd->op_type = nd->domain = "";
    char name[80], op[40], attr[60], node_where[sizeof c->where];
    peek_string(r, 3, name, sizeof name);
    peek_string(r, 4, op, sizeof op);
    set_where(c, "node '%s' (%s)", name, op[0] ? op : "?");
    memcpy(node_where, c->where, sizeof node_where);
    if (string_list(c, r, 1, &nd->in, &nd->nin) || string_list(c, r, 2, &nd->out, &nd->nout))
        return -1;
    size_t na;
    if (count_field(c, r, 5, &na))
        return -1;
    if (na > INT32_MAX / 2 || !(nd->attrs = alloc_array(c, na, sizeof(ox_attr))))
        return oom(c);
    uint32_t f;
    int wt;
    for (;;) {
        if (pb_key(&r, &f, &wt))
            return bad(c);
        if (!f)
            break;
        if (wt == PB_LEN && (f == 3 || f == 4 || f == 7)) {
            if (get_string(c, &r, f == 3 ? &nd->name : f == 4 ? &nd->op_type : &nd->domain))
                return -1;
        } else if (f == 5 && wt == PB_LEN) {
            pb_reader s, at = r;
            uint64_t len;
            if (pb_bytes(&r, &s)) {
                if (!pb_varint(&at, &len))
                    set_where(c, "%s, attribute '%s'", node_where,
                              peek_string(at, 1, attr, sizeof attr));
                return bad(c);
            }
            set_where(c, "%s, attribute '%s'", node_where, peek_string(s, 1, attr, sizeof attr));
            if (parse_attr(c, s, &nd->attrs[nd->nattr++]))
                return -1;
            memcpy(c->where, node_where, sizeof node_where);
        } else if (f == 5 || pb_skip(&r, wt)) {
            return bad(c);
        }
    }
    return 0;
}

/* TensorShapeProto.Dimension */
static int parse_dim(pctx *c, pb_reader r, ox_valueinfo *vi)
{
    int k = vi->ndim++;
    vi->dims[k] = -1;
    vi->dim_names[k] = NULL;
    uint32_t f;
    int wt;
    for (;;) {
        if (pb_key(&r, &f, &wt))
            return bad(c);
        if (!f)
            return 0;
        uint64_t v;
        if (f == 1 && wt == PB_VARINT) {
            if (pb_varint(&r, &v))
                return bad(c);
            vi->dims[k] = (int64_t)v >= 0 ? (int64_t)v : -1;
        } else if (f == 2 && wt == PB_LEN) {
            if (get_string(c, &r, &vi->dim_names[k]))
                return -1;
        } else if (pb_skip(&r, wt)) {
            return bad(c);
        }
    }
}

/* Walk ValueInfo > TypeProto > Tensor > Shape > Dim with a path of field numbers. */
static int parse_valueinfo(pctx *c, pb_reader r, ox_valueinfo *vi, int level)
{
    static const uint32_t path[] = { 2, 1, 2, 1 }; /* type, tensor_type, shape, dim */
    uint32_t f;
    int wt;
    if (level == 0) {
        memset(vi, 0, sizeof *vi);
        vi->name = "";
        vi->ndim = -1;
    }
    for (;;) {
        if (pb_key(&r, &f, &wt))
            return bad(c);
        if (!f)
            return 0;
        pb_reader s;
        uint64_t v;
        if (level == 0 && f == 1 && wt == PB_LEN) {
            if (get_string(c, &r, &vi->name))
                return -1;
        } else if (level == 2 && f == 1 && wt == PB_VARINT) {
            if (pb_varint(&r, &v))
                return bad(c);
            vi->elem_type = (int)(v & 0xffff);
        } else if (f == path[level] && wt == PB_LEN) {
            if (pb_bytes(&r, &s))
                return bad(c);
            if (level == 2 && vi->ndim < 0)
                vi->ndim = 0;
            if (level == 3) {
                if (vi->ndim >= OX_MAXDIM)
                    return sigmix_error_set(c->err, SIGMIX_EUNSUPPORTED,
                                            "value '%s' has more than %d dimensions", vi->name,
                                            OX_MAXDIM);
                if (parse_dim(c, s, vi))
                    return -1;
            } else if (parse_valueinfo(c, s, vi, level + 1)) {
                return -1;
            }
        } else if (pb_skip(&r, wt)) {
            return bad(c);
        }
    }
}

/* Names graph element `f` (node, initializer, input, output) in c->where. */
static void where_element(pctx *c, uint32_t f, pb_reader s)
{
    char name[80], op[40];
    if (f == 1) {
        peek_string(s, 3, name, sizeof name);
        peek_string(s, 4, op, sizeof op);
        set_where(c, "node '%s' (%s)", name, op[0] ? op : "?");
    } else {
        peek_string(s, f == 5 ? 8 : 1, name, sizeof name);
        set_where(c, "%s '%s'", f == 5 ? "initializer" : f == 11 ? "graph input" : "graph output",
                  name);
    }
}

static int parse_graph(pctx *c, pb_reader r, ox_raw *raw)
{
    size_t cnt[4];
    static const uint32_t fields[4] = { 1, 5, 11, 12 };
    set_where(c, "GraphProto");
    for (int k = 0; k < 4; k++)
        if (count_field(c, r, fields[k], &cnt[k]))
            return -1;
    raw->nodes = alloc_array(c, cnt[0], sizeof(ox_rawnode));
    raw->inits = alloc_array(c, cnt[1], sizeof(ox_tensor));
    raw->inputs = alloc_array(c, cnt[2], sizeof(ox_valueinfo));
    raw->outputs = alloc_array(c, cnt[3], sizeof(ox_valueinfo));
    if (!raw->nodes || !raw->inits || !raw->inputs || !raw->outputs || cnt[0] > INT32_MAX / 4)
        return oom(c);
    uint32_t f;
    int wt;
    for (;;) {
        set_where(c, "GraphProto");
        if (pb_key(&r, &f, &wt))
            return bad(c);
        if (!f)
            break;
        pb_reader s, at = r;
        if (f == 1 || f == 5 || f == 11 || f == 12) {
            uint64_t len;
            if (wt != PB_LEN)
                return bad(c);
            if (pb_bytes(&r, &s)) { /* cut short: name what was being read */
                if (!pb_varint(&at, &len)) {
                    where_element(c, f, at);
                    return sigmix_error_set(c->err, SIGMIX_EFORMAT, "truncated or malformed "
                                            "protobuf (%s: %zu of its %llu bytes present)",
                                            c->where, pb_left(&at), (unsigned long long)len);
                }
                return bad(c);
            }
            where_element(c, f, s);
            int rc = f == 1 ? parse_node(c, s, &raw->nodes[raw->nnodes++])
                   : f == 5 ? parse_tensor(c, s, &raw->inits[raw->ninits++])
                   : f == 11 ? parse_valueinfo(c, s, &raw->inputs[raw->ninputs++], 0)
                   : parse_valueinfo(c, s, &raw->outputs[raw->noutputs++], 0);
            if (rc)
                return -1;
        } else if (pb_skip(&r, wt)) {
            return bad(c);
        }
    }
    if (c->cut) /* every element complete, yet the graph's length says more follows */
        return sigmix_error_set(c->err, SIGMIX_EFORMAT, "truncated or malformed protobuf "
                                "(the file ends inside the graph, after %zu nodes and %zu "
                                "initializers)", raw->nnodes, raw->ninits);
    return 0;
}

static int parse_opset(pctx *c, pb_reader r, ox_raw *raw)
{
    const char *domain = "";
    int64_t version = 0;
    uint32_t f;
    int wt;
    for (;;) {
        if (pb_key(&r, &f, &wt))
            return bad(c);
        if (!f)
            break;
        uint64_t v;
        if (f == 1 && wt == PB_LEN) {
            if (get_string(c, &r, &domain))
                return -1;
        } else if (f == 2 && wt == PB_VARINT) {
            if (pb_varint(&r, &v))
                return bad(c);
            version = (int64_t)v;
        } else if (pb_skip(&r, wt)) {
            return bad(c);
        }
    }
    if (!domain[0] || !strcmp(domain, "ai.onnx"))
        raw->opset = version;
    return 0;
}

int sigmix_ox_parse(const void *data, size_t size, sigmix_arena *arena, ox_raw *raw,
                    sigmix_error *err)
{
    pctx c = { arena, err, 0, "ModelProto" };
    memset(raw, 0, sizeof *raw);
    raw->producer = "";
    pb_reader r = pb_make(data, size), graph = { 0 };
    int has_graph = 0;
    uint32_t f;
    int wt;
    for (;;) {
        set_where(&c, "ModelProto");
        if (pb_key(&r, &f, &wt))
            return bad(&c);
        if (!f)
            break;
        uint64_t v;
        pb_reader s;
        if (f == 1 && wt == PB_VARINT) {
            if (pb_varint(&r, &v))
                return bad(&c);
            raw->ir_version = (int64_t)v;
        } else if (f == 2 && wt == PB_LEN) {
            if (get_string(&c, &r, &raw->producer))
                return -1;
        } else if (f == 8 && wt == PB_LEN) {
            set_where(&c, "OperatorSetIdProto");
            if (pb_bytes(&r, &s) ? bad(&c) : parse_opset(&c, s, raw))
                return -1;
        } else if (f == 7 && wt == PB_LEN) {
            pb_reader at = r;
            if (pb_bytes(&r, &graph)) { /* cut short: parse what is there to name the cut */
                if (pb_varint(&at, &v))
                    return bad(&c);
                graph = at;
                c.cut = has_graph = 1;
                break;
            }
            has_graph = 1;
        } else if (pb_skip(&r, wt)) {
            return bad(&c);
        }
    }
    if (!has_graph)
        return sigmix_error_set(err, SIGMIX_EFORMAT, "not an ONNX model (no graph)");
    if (raw->opset <= 0)
        raw->opset = 1; /* IR 1/2 files may omit opset_import */
    return parse_graph(&c, graph, raw);
}
