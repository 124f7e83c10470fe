/*
 * Internal structures of the ONNX runner.
 *
 * parse.c turns the protobuf bytes into an ox_raw (names, attributes,
 * static tensors); compile.c checks every node against the supported
 * operator set, resolves static inputs into node parameters, folds
 * BatchNormalization and Relu into Conv, orders the nodes and packs the
 * weights; run.c executes the result with the kernels of kernels.c and
 * eltwise.c. The model is read-only after loading.
 */
#ifndef SIGMIX_ONNX_INTERNAL_H
#define SIGMIX_ONNX_INTERNAL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "sigmix/onnx.h"
#include "util/arena.h"

#define OX_MAXDIM 8
/* Bounds on what one model may declare: far above any saliency network. */
#define OX_MAX_ELEMS ((int64_t)1 << 31) /* per tensor */
#define OX_MAX_DIM   ((int64_t)1 << 24) /* per dimension */
#define OX_CACHE     96                 /* buffers kept between runs */


enum { ONNX_FLOAT = 1, ONNX_INT32 = 6, ONNX_INT64 = 7 };
enum {
    ATTR_FLOAT = 1, ATTR_INT = 2, ATTR_STRING = 3, ATTR_TENSOR = 4, ATTR_GRAPH = 5,
    ATTR_FLOATS = 6, ATTR_INTS = 7, ATTR_STRINGS = 8
};

/* A static tensor: initializer or Constant value (float or int64). */
typedef struct ox_tensor {
    const char *name;
    int         dtype;   /* ONNX_FLOAT or ONNX_INT64 (int32 widened) */
    int         ndim;
    int64_t     dims[OX_MAXDIM];
    size_t      n;
    float      *f;
    int64_t    *i;
} ox_tensor;

typedef struct ox_attr {
    const char *name;
    int         type;
    float       f;
    int64_t     i;
    const char *s;
    float      *floats;
    size_t      nfloats;
    int64_t    *ints;
    size_t      nints;
    ox_tensor  *t;
} ox_attr;

typedef struct ox_rawnode {
    const char  *name, *op_type, *domain;
    const char **in, **out;
    int          nin, nout, nattr;
    ox_attr     *attrs;
} ox_rawnode;

typedef struct ox_valueinfo {
    const char *name;
    int         elem_type;
    int         ndim; /* -1: shape not given */
    int64_t     dims[OX_MAXDIM];       /* -1 where symbolic or unknown */
    const char *dim_names[OX_MAXDIM];  /* symbolic name or NULL */
} ox_valueinfo;

typedef struct ox_raw {
    int64_t       ir_version, opset;
    const char   *producer;
    ox_rawnode   *nodes;
    ox_tensor    *inits;
    ox_valueinfo *inputs, *outputs;
    size_t        nnodes, ninits, ninputs, noutputs;
} ox_raw;

/** Parse ModelProto bytes; strings and arrays live in arena. */
int sigmix_ox_parse(const void *data, size_t size, sigmix_arena *arena, ox_raw *raw,
                    sigmix_error *err);

/* ---- compiled graph ---- */

typedef enum ox_op {
    OP_CONV, OP_CONVT, OP_RELU, OP_LEAKY, OP_SIGMOID, OP_CLIP,
    OP_ADD, OP_SUB, OP_MUL, OP_DIV,
    OP_MAXPOOL, OP_AVGPOOL, OP_GAP, OP_CONCAT, OP_RESIZE, OP_BN,
    OP_IDENTITY, OP_RESHAPE, OP_FLATTEN, OP_TRANSPOSE, OP_SQUEEZE, OP_UNSQUEEZE,
    OP_CONSTANT,
    OP_OTHER /* any op no graph pass singles out */
} ox_op;

typedef struct ox_opdef ox_opdef; /* the operator registry (ops.h) */

enum { PAD_NOTSET, PAD_SAME_UPPER, PAD_SAME_LOWER, PAD_VALID };
enum { ACT_NONE, ACT_RELU };
enum { RS_NEAREST, RS_LINEAR };
enum { CT_HALF_PIXEL, CT_PYTORCH_HALF_PIXEL, CT_ALIGN_CORNERS, CT_ASYMMETRIC };
enum { NM_ROUND_PREFER_FLOOR, NM_ROUND_PREFER_CEIL, NM_FLOOR, NM_CEIL, NM_SIMPLE };

/* 2-D window parameters shared by Conv, ConvTranspose and the pools. */
typedef struct ox_win {
    int k[2], s[2], d[2];
    int pad[4];      /* top, left, bottom, right */
    int auto_pad;
    int out_pad[2];  /* ConvTranspose */
    int ceil_mode, count_include_pad;
} ox_win;

typedef struct ox_node {
    ox_op            op;
    const ox_opdef  *def;
    int              op_index; /* in the model's op_names (profiles) */
    const char *name, *op_type;
    int         nin;
    int        *in;   /* value ids; -1 for an omitted optional input */
    int         out;  /* value id */
    ox_win      win;
    int         group, act;
    int         cin, cout;  /* Conv/ConvT channels */
    float      *w, *b;      /* packed weights and bias (Conv, ConvT, BN scale/shift) */
    float      *wino;       /* Winograd-transformed weights [16][cout][cin], or NULL */
    float      *wd;         /* direct 3x3 weights [cout/8][cin][9][8] (direct.c), or NULL */
    float       alpha, lo, hi;
    int         axis;
    int64_t     shape[OX_MAXDIM];
    int         nshape, allowzero;
    int         perm[OX_MAXDIM];
    int         nperm;
    int         rs_mode, rs_ctm, rs_nearest, rs_has_sizes;
    float       rs_scales[4];
    int64_t     rs_sizes[4];
} ox_node;

typedef struct ox_value {
    const char      *name;
    const ox_tensor *konst;     /* static data, or NULL */
    int              last_use;  /* index in order of the last reader */
    int              is_output;
} ox_value;

struct sigmix_onnx_model {
    sigmix_arena         arena;
    sigmix_onnx_settings settings;
    ox_raw               raw;
    ox_value            *values;
    int                  nvalues;
    ox_node             *nodes;  /* in execution order */
    int                  nnodes;
    int                  input, output;  /* value ids */
    int                  input_info, output_info; /* index in raw.inputs / raw.outputs */
    int                  pad_multiple;
    size_t               weight_count;
    const char         **op_names;  /* distinct op types of the file ... */
    int                 *op_counts; /* ... and how often each occurs */
    int                  nops;
    /* Buffers kept between runs so frame after frame reuses warm memory
     * instead of faulting in fresh pages; guarded by cache_mu because runs
     * may be concurrent. Released by sigmix_onnx_free. */
    pthread_mutex_t      cache_mu;
    int                  cache_init, ncache;
    float               *cache[OX_CACHE];
    size_t               cache_cap[OX_CACHE];
};

/** Build the executable graph from m->raw. */
int sigmix_ox_compile(sigmix_onnx_model *m, sigmix_error *err);

/* ---- memory plan (plan.c) ---- */

typedef struct ox_shape {
    int     ndim;
    int64_t d[OX_MAXDIM];
} ox_shape;

/*
 * One run at one input size: every value's shape, its place in a single
 * activation arena (values whose lifetimes overlap never share bytes) and
 * the per-thread kernel scratch. run.c executes from it, so the planned
 * figure is what a run allocates.
 */
typedef struct ox_plan {
    ox_shape        *shape;   /* per value */
    size_t          *off;     /* per value: float offset in the arena, SIZE_MAX if none */
    size_t           arena;   /* floats */
    size_t           scratch; /* floats per worker thread */
    int              threads;
    sigmix_onnx_plan pub;
} ox_plan;

/** Plan a run at the (already padded) input shape with `threads` workers;
 *  `padded`: the run holds its own copy of the input. */
int  sigmix_ox_plan(const sigmix_onnx_model *m, const int64_t in[4], int threads, int padded,
                    ox_plan *p, sigmix_error *err);
void sigmix_ox_plan_free(ox_plan *p);
/** Refuse a plan above the model's max_model_memory, naming the node. */
int  sigmix_ox_plan_check(const sigmix_onnx_model *m, const ox_plan *p, sigmix_error *err);
/** Shapes of every value from shape[m->input] (run.c); scratch[i] in floats per thread. */
int  sigmix_ox_shapes(const sigmix_onnx_model *m, int threads, ox_shape *shape, size_t *scratch,
                      sigmix_error *err);
/* Apply settings.blas_threads for the length of a run (blas.c); 0: leave OpenBLAS alone. */
void sigmix_ox_blas_enter(int threads);
void sigmix_ox_blas_leave(int threads);
/** Worker threads a run uses for settings.threads (0 = sigmix_cpu_count()). */
int  sigmix_ox_threads(int setting);

/* ---- GEMM (gemm.c) ---- */

/* C[m x n] = A[m x k] B[k x n], plus C when acc; row-major, unit column stride. */
typedef void (*ox_gemm_fn)(int m, int n, int k, const float *a, int lda, const float *b,
                           size_t ldb, float *c, size_t ldc, int acc);
/* Kernel instruction sets; AVX512 means F, BW, DQ and VL (any AVX-512 CPU since 2017). */
enum { OX_ISA_C, OX_ISA_AVX2, OX_ISA_AVX512, OX_ISA_N };
#define OX_GEMM_MAX_K 1024 /* deeper products go to OpenBLAS */
void       sigmix_ox_gemm_c(int m, int n, int k, const float *a, int lda, const float *b,
                            size_t ldb, float *c, size_t ldc, int acc);
/** The variant for isa, or NULL when this CPU (or build) lacks it. */
ox_gemm_fn sigmix_ox_gemm_variant(int isa);
/** The widest variant the CPU has, at most max_isa. */
ox_gemm_fn sigmix_ox_gemm_best(int max_isa);
/** The widest OX_ISA_* this CPU runs. */
int        sigmix_ox_isa_best(void);
/** f for k <= OX_GEMM_MAX_K, else OpenBLAS. */
void       sigmix_ox_sgemm(ox_gemm_fn f, int m, int n, int k, const float *a, int lda,
                           const float *b, size_t ldb, float *c, size_t ldc, int acc);

/* ---- kernels (kernels.c, eltwise.c) ---- */

typedef struct ox_pool ox_pool;
/** Run fn(ctx, task, thread) for task in [0, ntasks) on the pool's threads. */
void sigmix_ox_parallel(ox_pool *p, void (*fn)(void *, int, int), void *ctx, int ntasks);
int  sigmix_ox_pool_threads(const ox_pool *p);
/** The GEMM variant the pool's kernels use: the widest the CPU has, or the one of
 *  set_isa (-1 if this CPU lacks isa). */
int        sigmix_ox_pool_set_isa(ox_pool *p, int isa);
ox_gemm_fn sigmix_ox_pool_gemm(const ox_pool *p);
/** Hand a buffer to / take it back from thread k's scratch slot. */
void sigmix_ox_pool_give(ox_pool *p, int thread, float *buf, size_t cap);
float *sigmix_ox_pool_take(ox_pool *p, int thread, size_t *cap);
/** Per-thread scratch of at least n floats (NULL on OOM, also flagged for run.c). */
float *sigmix_ox_scratch(ox_pool *p, int thread, size_t n);

/* Output size of a 2-D window along one axis; pads resolved for auto_pad. */
int sigmix_ox_win_out(const ox_win *w, int axis, int64_t in, int transposed, int64_t *out,
                      int *pb, int *pe);

typedef struct ox_conv_args {
    const ox_node *n;
    const float   *x;
    float         *y;
    int64_t        h, w, oh, ow;
    int            pt, pl, pb, pr;   /* resolved pads */
} ox_conv_args;

void sigmix_ox_conv(ox_pool *p, const ox_conv_args *a);
/* Winograd F(2x2,3x3) for 3x3 stride-1 undilated single-group Conv (winograd.c). */
int  sigmix_ox_wino_ok(const ox_node *n);
void sigmix_ox_wino_pack(const ox_node *n, float *u); /* u: 16 * cout * cin floats */
void sigmix_ox_conv_wino(ox_pool *p, const ox_conv_args *a);
void sigmix_ox_conv_ref(const ox_conv_args *a);
void sigmix_ox_conv_direct(ox_pool *p, const ox_conv_args *a);
void sigmix_ox_convt(ox_pool *p, const ox_conv_args *a);
void sigmix_ox_convt_ref(const ox_conv_args *a);
void sigmix_ox_pool2d(ox_pool *p, const ox_conv_args *a, int64_t channels, int is_max);
/* Scratch floats per thread the kernels ask for (sigmix_ox_scratch), for the plan. */
size_t sigmix_ox_conv_scratch(const ox_conv_args *a, int threads);
size_t sigmix_ox_convt_scratch(const ox_conv_args *a, int threads);
size_t sigmix_ox_wino_scratch(const ox_conv_args *a, int threads);
static inline size_t sigmix_ox_resize_scratch(int64_t oh, int64_t ow)
{
    return (size_t)(oh + ow) * 5; /* index and weight tables of both axes */
}
void sigmix_ox_resize(ox_pool *p, const ox_node *n, const float *x, float *y,
                      int64_t nc, int64_t h, int64_t w, int64_t oh, int64_t ow);
/** Pack a ConvTranspose weight [I, O/g, kh, kw] as per-group [(O/g)*kh*kw, I/g] into out. */
void sigmix_ox_pack_convt(const float *w, float *out, int cin, int cout, int group, int kh,
                          int kw);

/* ---- direct 3x3 convolution (direct.c) ---- */

/* Output channels [8 ob, 8 ob + 8) of rows [oy0, oy1), bias and Relu included;
 * weights from a->n->wd. */
typedef void (*ox_dconv_fn)(const ox_conv_args *a, int ob, int64_t oy0, int64_t oy1);
int         sigmix_ox_direct_ok(const ox_node *n);
/** Whether the direct kernel beats Winograd for this layer (compile.c). */
int         sigmix_ox_direct_pick(const ox_node *n);
size_t      sigmix_ox_direct_size(const ox_node *n); /* floats of the packed weights */
void        sigmix_ox_direct_pack(const ox_node *n, float *wd);
/** The variant for isa, or NULL when this CPU (or build) lacks it. */
ox_dconv_fn sigmix_ox_dconv_variant(int isa);
/** The variant of the pool's instruction set (sigmix_ox_pool_set_isa). */
ox_dconv_fn sigmix_ox_pool_dconv(const ox_pool *p);

#endif
