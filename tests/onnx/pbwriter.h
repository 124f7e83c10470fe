/*
 * Test-side protobuf writer for tiny ONNX models (independent of the
 * reader in src/onnx/pb.c, so a field-number slip in one shows up against
 * the real models in ../shared). Header-only; aborts on OOM (tests only).
 */
#ifndef SIGMIX_TESTS_PBWRITER_H
#define SIGMIX_TESTS_PBWRITER_H

#include <stdint.h>
#include <stdio.h>

/* gcc cannot see that tensor sizes match the caller's arrays once inlined */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <stdlib.h>
#include <string.h>

typedef struct pbw {
    uint8_t *b;
    size_t   n, cap;
} pbw;

static inline void pbw_raw(pbw *w, const void *p, size_t n)
{
    if (w->n + n > w->cap) {
        w->cap = (w->n + n) * 2 + 64;
        w->b = realloc(w->b, w->cap);
        if (!w->b)
            abort();
    }
    if (n)
        memcpy(w->b + w->n, p, n);
    w->n += n;
}

static inline void pbw_varint(pbw *w, uint64_t v)
{
    uint8_t t[10];
    size_t k = 0;
    do {
        t[k++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
        v >>= 7;
    } while (v && k < sizeof t); /* a uint64 needs at most 10: the bound is for
                                  * gcc's -Warray-bounds under -fsanitize=thread */
    pbw_raw(w, t, k);
}

static inline void pbw_key(pbw *w, unsigned field, unsigned wt) { pbw_varint(w, field << 3 | wt); }
static inline void pbw_int(pbw *w, unsigned f, int64_t v) { pbw_key(w, f, 0); pbw_varint(w, (uint64_t)v); }

static inline void pbw_bytes(pbw *w, unsigned f, const void *p, size_t n)
{
    pbw_key(w, f, 2);
    pbw_varint(w, n);
    pbw_raw(w, p, n);
}

static inline void pbw_str(pbw *w, unsigned f, const char *s) { pbw_bytes(w, f, s, strlen(s)); }

/* Append sub as a length-delimited field and release it. */
static inline void pbw_msg(pbw *w, unsigned f, pbw *sub)
{
    pbw_bytes(w, f, sub->b, sub->n);
    free(sub->b);
    memset(sub, 0, sizeof *sub);
}

static inline void pbw_f32(pbw *w, unsigned f, float v)
{
    uint32_t u;
    memcpy(&u, &v, 4);
    uint8_t t[4] = { (uint8_t)u, (uint8_t)(u >> 8), (uint8_t)(u >> 16), (uint8_t)(u >> 24) };
    pbw_key(w, f, 5);
    pbw_raw(w, t, 4);
}

/* ---- ONNX messages ---- */

/* TensorProto with float raw_data (little-endian) or int64 packed int64_data. */
static inline pbw onnx_tensor(const char *name, const int64_t *dims, int nd, const float *f,
                              const int64_t *i64)
{
    pbw t = { 0 };
    size_t n = 1;
    for (int k = 0; k < nd; k++) {
        pbw_int(&t, 1, dims[k]);
        n *= (size_t)dims[k];
    }
    pbw_int(&t, 2, f ? 1 : 7);
    if (name)
        pbw_str(&t, 8, name);
    if (f) {
        uint8_t *raw = malloc(n * 4 + 1);
        for (size_t k = 0; k < n; k++) {
            uint32_t u;
            memcpy(&u, &f[k], 4);
            for (int b = 0; b < 4; b++)
                raw[4 * k + b] = (uint8_t)(u >> (8 * b));
        }
        pbw_bytes(&t, 9, raw, n * 4);
        free(raw);
    } else {
        pbw p = { 0 };
        for (size_t k = 0; k < n; k++)
            pbw_varint(&p, (uint64_t)i64[k]);
        pbw_msg(&t, 7, &p);
    }
    return t;
}

typedef struct onnx_model {
    pbw graph;
    int opset;
} onnx_model;

static inline void onnx_attr_int(pbw *node, const char *name, int64_t v)
{
    pbw a = { 0 };
    pbw_str(&a, 1, name);
    pbw_int(&a, 20, 2);
    pbw_int(&a, 3, v);
    pbw_msg(node, 5, &a);
}

static inline void onnx_attr_float(pbw *node, const char *name, float v)
{
    pbw a = { 0 };
    pbw_str(&a, 1, name);
    pbw_int(&a, 20, 1);
    pbw_f32(&a, 2, v);
    pbw_msg(node, 5, &a);
}

static inline void onnx_attr_ints(pbw *node, const char *name, const int64_t *v, int n)
{
    pbw a = { 0 };
    pbw_str(&a, 1, name);
    pbw_int(&a, 20, 7);
    for (int k = 0; k < n; k++) /* unpacked, as proto2 writers emit them */
        pbw_int(&a, 8, v[k]);
    pbw_msg(node, 5, &a);
}

static inline void onnx_attr_floats(pbw *node, const char *name, const float *v, int n)
{
    pbw a = { 0 };
    pbw_str(&a, 1, name);
    pbw_int(&a, 20, 6);
    for (int k = 0; k < n; k++)
        pbw_f32(&a, 7, v[k]);
    pbw_msg(node, 5, &a);
}

static inline void onnx_attr_str(pbw *node, const char *name, const char *s)
{
    pbw a = { 0 };
    pbw_str(&a, 1, name);
    pbw_int(&a, 20, 3);
    pbw_str(&a, 4, s);
    pbw_msg(node, 5, &a);
}

static inline void onnx_attr_tensor(pbw *node, const char *name, pbw *tensor)
{
    pbw a = { 0 };
    pbw_str(&a, 1, name);
    pbw_int(&a, 20, 4);
    pbw_msg(&a, 5, tensor);
    pbw_msg(node, 5, &a);
}

/* Start a node; add attributes with onnx_attr_*, then onnx_add_node. */
static inline pbw onnx_node(const char *op, const char *name, const char *const *in, int nin,
                            const char *out)
{
    pbw n = { 0 };
    for (int k = 0; k < nin; k++)
        pbw_str(&n, 1, in[k]);
    pbw_str(&n, 2, out);
    pbw_str(&n, 3, name);
    pbw_str(&n, 4, op);
    return n;
}

static inline void onnx_add_node(onnx_model *m, pbw *node) { pbw_msg(&m->graph, 1, node); }

static inline void onnx_add_init(onnx_model *m, const char *name, const int64_t *dims, int nd,
                                 const float *f, const int64_t *i64)
{
    pbw t = onnx_tensor(name, dims, nd, f, i64);
    pbw_msg(&m->graph, 5, &t);
}

/* ValueInfoProto float tensor; dims < 0 are symbolic ("H", "W", ...). */
static inline void onnx_value_info(pbw *g, unsigned field, const char *name, const int64_t *dims,
                                   int nd)
{
    static const char *const sym[] = { "N", "C", "H", "W", "D4", "D5", "D6", "D7" };
    pbw shape = { 0 }, tt = { 0 }, type = { 0 }, vi = { 0 };
    for (int k = 0; k < nd; k++) {
        pbw d = { 0 };
        if (dims[k] >= 0)
            pbw_int(&d, 1, dims[k]);
        else
            pbw_str(&d, 2, sym[k]);
        pbw_msg(&shape, 1, &d);
    }
    pbw_int(&tt, 1, 1);
    pbw_msg(&tt, 2, &shape);
    pbw_msg(&type, 1, &tt);
    pbw_str(&vi, 1, name);
    pbw_msg(&vi, 2, &type);
    pbw_msg(g, field, &vi);
}

/* Finish: ModelProto bytes (caller frees .b). */
static inline pbw onnx_finish(onnx_model *m, const int64_t *in_dims, const int64_t *out_dims)
{
    pbw model = { 0 }, opset = { 0 };
    onnx_value_info(&m->graph, 11, "input", in_dims, 4);
    onnx_value_info(&m->graph, 12, "output", out_dims, 4);
    pbw_str(&m->graph, 2, "test_graph");
    pbw_int(&model, 1, 8);
    pbw_str(&model, 2, "sigmix-tests");
    pbw_str(&opset, 1, "");
    pbw_int(&opset, 2, m->opset ? m->opset : 17);
    pbw_msg(&model, 8, &opset);
    pbw_msg(&model, 7, &m->graph);
    return model;
}

#endif
