/* Element-wise and data-movement kernels of the ONNX runner. */
#ifndef SIGMIX_ONNX_ELTWISE_H
#define SIGMIX_ONNX_ELTWISE_H

#include "onnx/internal.h"

/** Relu, LeakyRelu, Sigmoid, Clip; any other op copies. */
void sigmix_ox_unary(const ox_node *n, const float *x, float *y, size_t count);
/** y = x * n->w[c] + n->b[c] over [batch, ch, inner]. */
void sigmix_ox_bn(const ox_node *n, const float *x, float *y, int64_t batch, int64_t ch,
                  int64_t inner);
/** numpy broadcast of a and b; -1 when incompatible. */
int  sigmix_ox_broadcast(const ox_shape *a, const ox_shape *b, ox_shape *out);
void sigmix_ox_binary(int op, const float *a, const ox_shape *sa, const float *b,
                      const ox_shape *sb, float *y, const ox_shape *so);
void sigmix_ox_transpose(const float *x, const ox_shape *s, const int *perm, float *y);
void sigmix_ox_gap(const float *x, float *y, int64_t nc, int64_t hw);

#endif
