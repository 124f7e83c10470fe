/*
 * sigmix ONNX runner: loads a small float32 ONNX model (saliency students,
 * MobileSal-style heads) and runs it with sigmix's own kernels.
 * Owned by the onnx work (src/onnx/, docs/onnx.md).
 */
#ifndef SIGMIX_ONNX_H
#define SIGMIX_ONNX_H

#include <stdint.h>

#include "sigmix/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sigmix_onnx_model sigmix_onnx_model;

/** Default of sigmix_onnx_settings.max_model_memory: 4 GiB. */
#define SIGMIX_ONNX_DEFAULT_MAX_MEMORY ((uint64_t)4 << 30)

typedef struct sigmix_onnx_settings {
    int threads; /**< worker threads per run; 0 = the CPUs this process may use (affinity and cgroup quota), 1 = single */
    int pad;     /**< 1 (default): pad H/W up to the model's required multiple and crop */
    /** Largest planned memory of one run, in bytes (sigmix_onnx_plan_memory's peak_bytes).
     *  A run (or a load, when the model's input size is fixed) that would need more is
     *  refused before anything is allocated, naming the node where memory outgrows the
     *  limit. Default SIGMIX_ONNX_DEFAULT_MAX_MEMORY; 0 = no limit. */
    uint64_t max_model_memory;
    /** OpenBLAS threads while a run executes. sigmix splits the work over its own
     *  threads, so 1 (the default) is fastest. N >= 1: the process-wide OpenBLAS
     *  setting is changed to N when the first of any concurrent runs starts and the
     *  previous value restored when the last one ends (docs/onnx.md, "BLAS threads").
     *  0: the library never calls openblas_set_num_threads; the program decides. */
    int blas_threads;
    unsigned char reserved[12];
} sigmix_onnx_settings;

SIGMIX_API void sigmix_onnx_default_settings(sigmix_onnx_settings *s);

/**
 * Load and validate a model. Unsupported operators or attribute values are
 * refused here, naming the node. On success *out owns the model.
 */
SIGMIX_API int sigmix_onnx_load(const char *path, const sigmix_onnx_settings *s,
                                sigmix_onnx_model **out, sigmix_error *err);

SIGMIX_API void sigmix_onnx_free(sigmix_onnx_model **m);

/** H and W must be multiples of this for the unpadded graph (1 if none). */
SIGMIX_API int sigmix_onnx_pad_multiple(const sigmix_onnx_model *m);

/**
 * Run on one NCHW float32 input of shape in_shape[0..3]. On success *out is
 * a malloc'd buffer the caller releases with sigmix_free, shape in out_shape[0..3] (cropped to
 * the input's H and W when padding was applied). The model is not changed:
 * concurrent runs on one model from several threads are allowed.
 */
SIGMIX_API int sigmix_onnx_run(const sigmix_onnx_model *m, const float *in,
                               const int64_t in_shape[4], float **out,
                               int64_t out_shape[4], sigmix_error *err);

/** Planned memory of one run at a given input size (see docs/onnx.md, "Memory"). */
typedef struct sigmix_onnx_plan {
    int64_t     in_shape[4];      /**< NCHW the graph runs at (after padding) */
    int64_t     out_shape[4];     /**< first output, before cropping */
    uint64_t    peak_bytes;       /**< total: the sum of the four parts below */
    uint64_t    activation_bytes; /**< one arena holding every intermediate tensor */
    uint64_t    scratch_bytes;    /**< kernel scratch of all worker threads */
    uint64_t    input_bytes;      /**< padded copy of the input (0 without padding) */
    uint64_t    output_bytes;     /**< the returned output buffer */
    uint64_t    limit_bytes;      /**< settings.max_model_memory (0 = none) */
    int         threads;          /**< worker threads the plan assumes */
    const char *peak_node;        /**< node where the planned memory first exceeds the */
    const char *peak_op;          /**< limit, else where live tensors peak; model-owned */
} sigmix_onnx_plan;

/**
 * Plan one run at H x W (N and C from the model's input, else 1 and the channels
 * the first reader of the input expects), with the model's settings (threads,
 * padding). Fills *plan and returns 0 even when peak_bytes exceeds the limit;
 * fails (naming the node) only when the graph cannot run at that size. Nothing
 * is allocated beyond a few bookkeeping bytes per node. Thread-safe.
 */
SIGMIX_API int sigmix_onnx_plan_memory(const sigmix_onnx_model *m, int64_t h, int64_t w,
                                       sigmix_onnx_plan *plan, sigmix_error *err);

/** Time spent per operator type (sigmix_onnx_run_profiled). */
typedef struct sigmix_onnx_op_time {
    int64_t count; /**< nodes of this type that ran (a Relu or BatchNormalization folded
                        into its Conv counts as part of the Conv) */
    double  ms;    /**< their summed wall time, milliseconds */
    /** Summed CPU time of the work itself, ms: every thread's time inside the node's
     *  tasks plus the calling thread's serial parts (idle and spinning threads excluded). */
    double  cpu_ms;
    /** Summed critical path in CPU time, ms: per parallel section the busiest thread's
     *  share, plus the serial parts; the wall time with a free core per thread. With
     *  T threads, cpu_ms / (T * span_ms) is the node's parallel efficiency. */
    double  span_ms;
} sigmix_onnx_op_time;

/**
 * sigmix_onnx_run that also adds each node's wall time, CPU time and critical path
 * to times[k], k being the operator's index in sigmix_onnx_op_info. times must hold
 * one entry per operator type; entries are added to, not reset, so a caller can sum
 * several runs.
 */
SIGMIX_API int sigmix_onnx_run_profiled(const sigmix_onnx_model *m, const float *in,
                                        const int64_t in_shape[4], float **out,
                                        int64_t out_shape[4], sigmix_onnx_op_time *times,
                                        sigmix_error *err);

/** Like sigmix_onnx_load, from ModelProto bytes in memory (copied as needed). */
SIGMIX_API int sigmix_onnx_load_buffer(const void *data, size_t size,
                                       const sigmix_onnx_settings *s,
                                       sigmix_onnx_model **out, sigmix_error *err);

/* ---- model description (sigmix model-info) ---- */

#define SIGMIX_ONNX_MAXDIM 8

typedef struct sigmix_onnx_io {
    const char *name;
    int         elem_type;                     /**< ONNX TensorProto.DataType (1 = float) */
    int         ndim;                          /**< -1 when the file gives no shape */
    int64_t     dims[SIGMIX_ONNX_MAXDIM];      /**< -1 where symbolic or unknown */
    const char *dim_names[SIGMIX_ONNX_MAXDIM]; /**< symbolic name ("H") or NULL */
} sigmix_onnx_io;

/** Graph input (is_output = 0) or output number index; SIGMIX_ENOTFOUND past the end.
 *  Strings live as long as the model. Initializers listed as inputs are skipped. */
SIGMIX_API int sigmix_onnx_io_info(const sigmix_onnx_model *m, int is_output, int index,
                                   sigmix_onnx_io *io);
/** Distinct operator types of the file in first-use order with their counts. */
SIGMIX_API int sigmix_onnx_op_info(const sigmix_onnx_model *m, int index, const char **op_type,
                                   int *count);
/** Number of initializer elements (weights). */
SIGMIX_API size_t sigmix_onnx_weight_count(const sigmix_onnx_model *m);
/** Default-domain opset and IR version of the file. */
SIGMIX_API int sigmix_onnx_opset(const sigmix_onnx_model *m, int64_t *ir_version);

#ifdef __cplusplus
}
#endif

#endif /* SIGMIX_ONNX_H */
