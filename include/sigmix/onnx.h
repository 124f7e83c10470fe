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

typedef struct sigmix_onnx_settings {
    int threads; /**< worker threads per run; 0 = number of cores, 1 = single */
    int pad;     /**< 1 (default): pad H/W up to the model's required multiple and crop */
    unsigned char reserved[16];
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
