/*
 * Per-operator load-time checks: every attribute is read with its type and
 * range checked, unknown attributes and unsupported values are refused
 * naming the node, and static inputs (weights, shapes, scales) become node
 * parameters. Anything the kernels could get wrong is refused here.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "onnx/attrs.h"

const ox_attr *sigmix_ox_attr(const ox_rawnode *r, const char *name)
{
    for (int k = 0; k < r->nattr; k++)
        if (!strcmp(r->attrs[k].name, name))
            return &r->attrs[k];
    return NULL;
}

int sigmix_ox_refuse(ox_cc *c, const ox_rawnode *r, int code, const char *fmt, ...)
{
    char msg[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return sigmix_error_set(c->err, code, "node '%.120s' (%.60s): %s", r->name, r->op_type, msg);
}

int sigmix_ox_check_attrs(ox_cc *c, const ox_rawnode *r, const char *const *known)
{
    for (int k = 0; k < r->nattr; k++) {
        int ok = 0;
        for (const char *const *p = known; *p && !ok; p++)
            ok = !strcmp(*p, r->attrs[k].name);
        if (!ok)
            return sigmix_ox_refuse(c, r, SIGMIX_EUNSUPPORTED, "unsupported attribute '%.80s'",
                                    r->attrs[k].name);
    }
    return 0;
}

static int wrong_type(ox_cc *c, const ox_rawnode *r, const char *name)
{
    return sigmix_ox_refuse(c, r, SIGMIX_EFORMAT, "attribute '%s' has the wrong type", name);
}

int sigmix_ox_attr_int(ox_cc *c, const ox_rawnode *r, const char *name, int64_t def, int64_t lo,
                       int64_t hi, int64_t *out)
{
    const ox_attr *a = sigmix_ox_attr(r, name);
    *out = def;
    if (!a)
        return 0;
    if (a->type != ATTR_INT)
        return wrong_type(c, r, name);
    if (a->i < lo || a->i > hi)
        return sigmix_ox_refuse(c, r, SIGMIX_EUNSUPPORTED,
                                "unsupported attribute value %s=%lld", name, (long long)a->i);
    *out = a->i;
    return 0;
}

int sigmix_ox_attr_float(ox_cc *c, const ox_rawnode *r, const char *name, float def, float *out)
{
    const ox_attr *a = sigmix_ox_attr(r, name);
    *out = def;
    if (!a)
        return 0;
    if (a->type != ATTR_FLOAT)
        return wrong_type(c, r, name);
    *out = a->f;
    return 0;
}

int sigmix_ox_attr_string(ox_cc *c, const ox_rawnode *r, const char *name, const char *def,
                          const char **out)
{
    const ox_attr *a = sigmix_ox_attr(r, name);
    *out = def;
    if (!a)
        return 0;
    if (a->type != ATTR_STRING || !a->s)
        return wrong_type(c, r, name);
    *out = a->s;
    return 0;
}

int sigmix_ox_attr_ints(ox_cc *c, const ox_rawnode *r, const char *name, int max, int64_t lo,
                        int64_t hi, int64_t *out, int *n)
{
    const ox_attr *a = sigmix_ox_attr(r, name);
    *n = 0;
    if (!a)
        return 0;
    if (a->type != ATTR_INTS)
        return wrong_type(c, r, name);
    if (a->nints > (size_t)max)
        return sigmix_ox_refuse(c, r, SIGMIX_EUNSUPPORTED,
                                "attribute '%s' has %zu values (at most %d supported)", name,
                                a->nints, max);
    for (size_t k = 0; k < a->nints; k++) {
        if (a->ints[k] < lo || a->ints[k] > hi)
            return sigmix_ox_refuse(c, r, SIGMIX_EUNSUPPORTED,
                                    "unsupported value %lld in attribute '%s'",
                                    (long long)a->ints[k], name);
        out[k] = a->ints[k];
    }
    *n = (int)a->nints;
    return 0;
}

const ox_tensor *sigmix_ox_static_input(ox_cc *c, const ox_rawnode *r, int k)
{
    if (k >= r->nin || !r->in[k][0])
        return NULL;
    int id = sigmix_ox_value_find(c, r->in[k]);
    return id < 0 ? NULL : c->m->values[id].konst;
}

/* ---- windows (Conv, ConvTranspose, pools) ---- */

static int parse_auto_pad(ox_cc *c, const ox_rawnode *r, int allow_same, int *mode)
{
    const char *s;
    if (sigmix_ox_attr_string(c, r, "auto_pad", "NOTSET", &s))
        return -1;
    *mode = !strcmp(s, "NOTSET") ? PAD_NOTSET : !strcmp(s, "VALID") ? PAD_VALID
          : !strcmp(s, "SAME_UPPER") ? PAD_SAME_UPPER : !strcmp(s, "SAME_LOWER") ? PAD_SAME_LOWER
          : -1;
    if (*mode < 0 || (!allow_same && (*mode == PAD_SAME_UPPER || *mode == PAD_SAME_LOWER)))
        return sigmix_ox_refuse(c, r, SIGMIX_EUNSUPPORTED, "unsupported attribute value "
                                "auto_pad=%.40s", s);
    return 0;
}

static int two(ox_cc *c, const ox_rawnode *r, const char *name, int def, int64_t lo, int64_t hi,
               int out[2])
{
    int64_t v[OX_MAXDIM];
    int n;
    if (sigmix_ox_attr_ints(c, r, name, OX_MAXDIM, lo, hi, v, &n))
        return -1;
    if (n != 0 && n != 2)
        return sigmix_ox_refuse(c, r, SIGMIX_EUNSUPPORTED,
                                "attribute '%s' has %d values (only 2-D windows are supported)",
                                name, n);
    out[0] = n ? (int)v[0] : def;
    out[1] = n ? (int)v[1] : def;
    return 0;
}

static int parse_window(ox_cc *c, const ox_rawnode *r, ox_win *w, const int *kdef, int allow_same)
{
    int64_t pads[OX_MAXDIM];
    int np;
    memset(w, 0, sizeof *w);
    if (parse_auto_pad(c, r, allow_same, &w->auto_pad) ||
        two(c, r, "kernel_shape", 0, 1, 4096, w->k) || two(c, r, "strides", 1, 1, 4096, w->s) ||
        two(c, r, "dilations", 1, 1, 4096, w->d) ||
        sigmix_ox_attr_ints(c, r, "pads", OX_MAXDIM, 0, 65536, pads, &np))
        return -1;
    if (np != 0 && np != 4)
        return sigmix_ox_refuse(c, r, SIGMIX_EUNSUPPORTED,
                                "attribute 'pads' has %d values (only 2-D windows are supported)",
                                np);
    for (int k = 0; k < 4; k++)
        w->pad[k] = np ? (int)pads[k] : 0;
    if (!w->k[0]) {
        if (!kdef)
            return sigmix_ox_refuse(c, r, SIGMIX_EFORMAT, "attribute 'kernel_shape' is missing");
        w->k[0] = kdef[0];
        w->k[1] = kdef[1];
    } else if (kdef && (w->k[0] != kdef[0] || w->k[1] != kdef[1])) {
        return sigmix_ox_refuse(c, r, SIGMIX_EFORMAT,
                                "attribute 'kernel_shape' does not match the weight shape");
    }
    if (w->auto_pad != PAD_NOTSET && np)
        for (int k = 0; k < 4; k++)
            if (w->pad[k])
                return sigmix_ox_refuse(c, r, SIGMIX_EFORMAT,
                                        "attribute 'pads' is set together with auto_pad");
    return 0;
}

static float *copy_floats(ox_cc *c, const float *src, size_t n, float fill)
{
    float *p = sigmix_arena_alloc(&c->m->arena, (n ? n : 1) * sizeof(float));
    if (p)
        for (size_t k = 0; k < n; k++)
            p[k] = src ? src[k] : fill;
    return p;
}

static int oom(ox_cc *c, const ox_rawnode *r)
{
    return sigmix_ox_refuse(c, r, SIGMIX_ENOMEM, "out of memory");
}

/* Weight (input 1) must be a static 4-D float tensor; bias (input 2) optional. */
static int conv_weights(ox_cc *c, const ox_rawnode *r, const ox_tensor **w, const ox_tensor **b)
{
    if (r->nin < 2 || r->nin > 3)
        return sigmix_ox_refuse(c, r, SIGMIX_EFORMAT, "expects 2 or 3 inputs, has %d", r->nin);
    *w = sigmix_ox_static_input(c, r, 1);
    *b = sigmix_ox_static_input(c, r, 2);
    if (!*w || (*w)->dtype != ONNX_FLOAT)
        return sigmix_ox_refuse(c, r, SIGMIX_EUNSUPPORTED,
                                "the weight must be a float32 initializer");
    if ((*w)->ndim != 4)
        return sigmix_ox_refuse(c, r, SIGMIX_EUNSUPPORTED,
                                "weight has %d dimensions (only 2-D convolution is supported)",
                                (*w)->ndim);
    if (r->nin == 3 && r->in[2][0] && (!*b || (*b)->dtype != ONNX_FLOAT))
        return sigmix_ox_refuse(c, r, SIGMIX_EUNSUPPORTED,
                                "the bias must be a float32 initializer");
    return 0;
}

static int compile_conv(ox_cc *c, const ox_rawnode *r, ox_node *n, int transposed)
{
    static const char *const conv_known[] = { "auto_pad", "dilations", "group", "kernel_shape",
                                              "pads", "strides", NULL };
    static const char *const convt_known[] = { "auto_pad", "dilations", "group", "kernel_shape",
                                               "pads", "strides", "output_padding", NULL };
    const ox_tensor *w = NULL, *b = NULL;
    int64_t g;
    if (sigmix_ox_check_attrs(c, r, transposed ? convt_known : conv_known) ||
        conv_weights(c, r, &w, &b) ||
        sigmix_ox_attr_int(c, r, "group", 1, 1, 65536, &g))
        return -1;
    int kdef[2] = { (int)w->dims[2], (int)w->dims[3] };
    if (kdef[0] < 1 || kdef[1] < 1 || w->dims[0] < 1 || w->dims[1] < 1)
        return sigmix_ox_refuse(c, r, SIGMIX_EFORMAT, "weight has an empty dimension");
    if (parse_window(c, r, &n->win, kdef, !transposed))
        return -1;
    n->group = (int)g;
    if (transposed) {
        if (two(c, r, "output_padding", 0, 0, 4096, n->win.out_pad))
            return -1;
        if (n->win.out_pad[0] >= n->win.s[0] && n->win.out_pad[0] >= n->win.d[0])
            return sigmix_ox_refuse(c, r, SIGMIX_EFORMAT, "output_padding too large");
        if (n->win.out_pad[1] >= n->win.s[1] && n->win.out_pad[1] >= n->win.d[1])
            return sigmix_ox_refuse(c, r, SIGMIX_EFORMAT, "output_padding too large");
        n->cin = (int)w->dims[0];
        n->cout = (int)(w->dims[1] * g);
        if (w->dims[0] % g)
            return sigmix_ox_refuse(c, r, SIGMIX_EFORMAT, "weight channels not divisible by group");
    } else {
        n->cout = (int)w->dims[0];
        n->cin = (int)(w->dims[1] * g);
        if (w->dims[0] % g)
            return sigmix_ox_refuse(c, r, SIGMIX_EFORMAT, "output channels not divisible by group");
    }
    if (b && (b->ndim != 1 || b->dims[0] != n->cout))
        return sigmix_ox_refuse(c, r, SIGMIX_EFORMAT, "bias has the wrong shape");
    n->b = copy_floats(c, b ? b->f : NULL, (size_t)n->cout, 0.0f);
    n->w = copy_floats(c, transposed ? NULL : w->f, w->n, 0.0f);
    if (!n->b || !n->w)
        return oom(c, r);
    if (transposed)
        sigmix_ox_pack_convt(w->f, n->w, n->cin, n->cout, n->group, kdef[0], kdef[1]);
    return 0;
}

static int compile_pool(ox_cc *c, const ox_rawnode *r, ox_node *n)
{
    static const char *const max_known[] = { "auto_pad", "ceil_mode", "dilations",
                                              "kernel_shape", "pads", "storage_order", "strides",
                                              NULL };
    static const char *const avg_known[] = { "auto_pad", "ceil_mode", "count_include_pad",
                                              "dilations", "kernel_shape", "pads", "strides",
                                              NULL };
    int64_t ceil_mode, cip, so;
    if (sigmix_ox_check_attrs(c, r, n->op == OP_MAXPOOL ? max_known : avg_known) ||
        parse_window(c, r, &n->win, NULL, 1) ||
        sigmix_ox_attr_int(c, r, "ceil_mode", 0, 0, 1, &ceil_mode) ||
        sigmix_ox_attr_int(c, r, "count_include_pad", 0, 0, 1, &cip) ||
        sigmix_ox_attr_int(c, r, "storage_order", 0, 0, 0, &so))
        return -1;
    if (n->op == OP_AVGPOOL && (n->win.d[0] != 1 || n->win.d[1] != 1))
        return sigmix_ox_refuse(c, r, SIGMIX_EUNSUPPORTED,
                                "unsupported attribute value dilations (must be 1)");
    n->win.ceil_mode = (int)ceil_mode;
    n->win.count_include_pad = (int)cip;
    for (int a = 0; a < 2; a++)
        if (n->win.pad[a] >= (n->win.k[a] - 1) * n->win.d[a] + 1 ||
            n->win.pad[a + 2] >= (n->win.k[a] - 1) * n->win.d[a] + 1)
            return sigmix_ox_refuse(c, r, SIGMIX_EFORMAT, "pads must be smaller than the kernel");
    return 0;
}

/* Clip: bounds from attributes (opset < 11) or from static inputs. */
static int compile_clip(ox_cc *c, const ox_rawnode *r, ox_node *n)
{
    static const char *const known[] = { "min", "max", NULL };
    if (sigmix_ox_check_attrs(c, r, known) ||
        sigmix_ox_attr_float(c, r, "min", -INFINITY, &n->lo) ||
        sigmix_ox_attr_float(c, r, "max", INFINITY, &n->hi))
        return -1;
    for (int k = 1; k < r->nin && k < 3; k++) {
        if (!r->in[k][0])
            continue;
        const ox_tensor *t = sigmix_ox_static_input(c, r, k);
        if (!t || t->dtype != ONNX_FLOAT || t->n != 1)
            return sigmix_ox_refuse(c, r, SIGMIX_EUNSUPPORTED,
                                    "the %s input must be a float32 scalar initializer",
                                    k == 1 ? "min" : "max");
        *(k == 1 ? &n->lo : &n->hi) = t->f[0];
    }
    n->nin = 1;
    return 0;
}

static int compile_bn(ox_cc *c, const ox_rawnode *r, ox_node *n)
{
    static const char *const known[] = { "epsilon", "momentum", "spatial", "training_mode",
                                         "is_test", "consumed_inputs", NULL };
    int64_t v;
    float eps;
    if (sigmix_ox_check_attrs(c, r, known) ||
        sigmix_ox_attr_float(c, r, "epsilon", 1e-5f, &eps) ||
        sigmix_ox_attr_int(c, r, "spatial", 1, 1, 1, &v) ||
        sigmix_ox_attr_int(c, r, "training_mode", 0, 0, 0, &v))
        return -1;
    if (r->nin != 5)
        return sigmix_ox_refuse(c, r, SIGMIX_EFORMAT, "expects 5 inputs, has %d", r->nin);
    const ox_tensor *p[4];
    for (int k = 0; k < 4; k++) {
        p[k] = sigmix_ox_static_input(c, r, k + 1);
        if (!p[k] || p[k]->dtype != ONNX_FLOAT || p[k]->ndim != 1 || p[k]->n != p[0]->n)
            return sigmix_ox_refuse(c, r, SIGMIX_EUNSUPPORTED,
                                    "scale, bias, mean and var must be float32 initializers "
                                    "of one length");
    }
    size_t ch = p[0]->n;
    n->w = copy_floats(c, NULL, ch, 0.0f);
    n->b = copy_floats(c, NULL, ch, 0.0f);
    if (!n->w || !n->b)
        return oom(c, r);
    for (size_t k = 0; k < ch; k++) { /* y = x*w + b */
        float s = p[0]->f[k] / sqrtf(p[3]->f[k] + eps);
        n->w[k] = s;
        n->b[k] = p[1]->f[k] - p[2]->f[k] * s;
    }
    n->cout = (int)ch;
    n->nin = 1;
    return 0;
}

static int parse_ctm(ox_cc *c, const ox_rawnode *r, ox_node *n)
{
    const char *mode, *ctm, *nm;
    if (sigmix_ox_attr_string(c, r, "mode", "nearest", &mode) ||
        sigmix_ox_attr_string(c, r, "coordinate_transformation_mode", "half_pixel", &ctm) ||
        sigmix_ox_attr_string(c, r, "nearest_mode", "round_prefer_floor", &nm))
        return -1;
    n->rs_mode = !strcmp(mode, "nearest") ? RS_NEAREST
               : (!strcmp(mode, "linear") || !strcmp(mode, "bilinear")) ? RS_LINEAR : -1;
    if (n->rs_mode < 0)
        return sigmix_ox_refuse(c, r, SIGMIX_EUNSUPPORTED, "unsupported attribute value "
                                "mode=%.40s", mode);
    if (!strcmp(r->op_type, "Upsample") || c->m->raw.opset < 11) {
        n->rs_ctm = CT_ASYMMETRIC; /* Upsample and Resize-10 semantics */
        n->rs_nearest = NM_SIMPLE;
        return 0;
    }
    n->rs_ctm = !strcmp(ctm, "half_pixel") ? CT_HALF_PIXEL
              : !strcmp(ctm, "pytorch_half_pixel") ? CT_PYTORCH_HALF_PIXEL
              : !strcmp(ctm, "align_corners") ? CT_ALIGN_CORNERS
              : !strcmp(ctm, "asymmetric") ? CT_ASYMMETRIC : -1;
    if (n->rs_ctm < 0)
        return sigmix_ox_refuse(c, r, SIGMIX_EUNSUPPORTED, "unsupported attribute value "
                                "coordinate_transformation_mode=%.40s", ctm);
    n->rs_nearest = !strcmp(nm, "round_prefer_floor") ? NM_ROUND_PREFER_FLOOR
                  : !strcmp(nm, "round_prefer_ceil") ? NM_ROUND_PREFER_CEIL
                  : !strcmp(nm, "floor") ? NM_FLOOR : !strcmp(nm, "ceil") ? NM_CEIL : -1;
    if (n->rs_nearest < 0)
        return sigmix_ox_refuse(c, r, SIGMIX_EUNSUPPORTED, "unsupported attribute value "
                                "nearest_mode=%.40s", nm);
    return 0;
}

static int resize_params(ox_cc *c, const ox_rawnode *r, ox_node *n, const ox_tensor *sc,
                         const ox_tensor *sz, const ox_attr *sattr)
{
    const float *s = sattr ? sattr->floats : sc && sc->n ? sc->f : NULL;
    size_t ns = sattr ? sattr->nfloats : sc ? sc->n : 0;
    if (s) {
        if (ns != 4)
            return sigmix_ox_refuse(c, r, SIGMIX_EUNSUPPORTED,
                                    "scales has %zu values (4-D NCHW input required)", ns);
        for (int k = 0; k < 4; k++) {
            if (!(s[k] > 0.0f && s[k] < 65536.0f) || (k < 2 && s[k] != 1.0f))
                return sigmix_ox_refuse(c, r, SIGMIX_EUNSUPPORTED,
                                        "unsupported scales value %g on axis %d", s[k], k);
            n->rs_scales[k] = s[k];
        }
        return 0;
    }
    if (!sz || sz->n != 4 || sz->dtype != ONNX_INT64)
        return sigmix_ox_refuse(c, r, SIGMIX_EUNSUPPORTED,
                                "needs static scales or sizes of 4 values");
    for (int k = 0; k < 4; k++) {
        if (sz->i[k] < 1 || sz->i[k] > OX_MAX_DIM)
            return sigmix_ox_refuse(c, r, SIGMIX_EUNSUPPORTED, "unsupported sizes value %lld",
                                    (long long)sz->i[k]);
        n->rs_sizes[k] = sz->i[k];
    }
    n->rs_has_sizes = 1;
    return 0;
}

static int compile_resize(ox_cc *c, const ox_rawnode *r, ox_node *n)
{
    static const char *const known[] = { "mode", "coordinate_transformation_mode",
                                         "nearest_mode", "cubic_coeff_a", "exclude_outside",
                                         "extrapolation_value", "antialias",
                                         "keep_aspect_ratio_policy", "scales", NULL };
    int64_t v;
    const char *kar;
    if (sigmix_ox_check_attrs(c, r, known) || parse_ctm(c, r, n) ||
        sigmix_ox_attr_int(c, r, "exclude_outside", 0, 0, 0, &v) ||
        sigmix_ox_attr_int(c, r, "antialias", 0, 0, 0, &v) ||
        sigmix_ox_attr_string(c, r, "keep_aspect_ratio_policy", "stretch", &kar))
        return -1;
    if (strcmp(kar, "stretch"))
        return sigmix_ox_refuse(c, r, SIGMIX_EUNSUPPORTED, "unsupported attribute value "
                                "keep_aspect_ratio_policy=%.40s", kar);
    const ox_attr *sattr = sigmix_ox_attr(r, "scales");
    if (sattr && sattr->type != ATTR_FLOATS)
        return sigmix_ox_refuse(c, r, SIGMIX_EFORMAT, "attribute 'scales' has the wrong type");
    int old = !strcmp(r->op_type, "Upsample") || c->m->raw.opset < 11;
    int si = old ? 1 : 2, zi = old ? -1 : 3;
    if (!sattr && si < r->nin && r->in[si][0] && !sigmix_ox_static_input(c, r, si))
        return sigmix_ox_refuse(c, r, SIGMIX_EUNSUPPORTED, "scales must be static");
    if (zi > 0 && zi < r->nin && r->in[zi][0] && !sigmix_ox_static_input(c, r, zi))
        return sigmix_ox_refuse(c, r, SIGMIX_EUNSUPPORTED, "sizes must be static");
    if (resize_params(c, r, n, sattr ? NULL : sigmix_ox_static_input(c, r, si),
                      zi > 0 ? sigmix_ox_static_input(c, r, zi) : NULL, sattr))
        return -1;
    n->nin = 1;
    return 0;
}

/* Integer list from an attribute (old opsets) or a static int64 input. */
static int int_list(ox_cc *c, const ox_rawnode *r, const char *attr, int input, int64_t *out,
                    int *n, int *given)
{
    *given = sigmix_ox_attr(r, attr) != NULL;
    if (*given)
        return sigmix_ox_attr_ints(c, r, attr, OX_MAXDIM, -OX_MAX_DIM, OX_MAX_DIM, out, n);
    *n = 0;
    if (input >= r->nin || !r->in[input][0])
        return 0;
    const ox_tensor *t = sigmix_ox_static_input(c, r, input);
    if (!t || t->dtype != ONNX_INT64 || t->n > OX_MAXDIM)
        return sigmix_ox_refuse(c, r, SIGMIX_EUNSUPPORTED,
                                "input %d must be a static int64 tensor of at most %d values",
                                input + 1, OX_MAXDIM);
    for (size_t k = 0; k < t->n; k++) {
        if (t->i[k] < -OX_MAX_DIM || t->i[k] > OX_MAX_DIM)
            return sigmix_ox_refuse(c, r, SIGMIX_EUNSUPPORTED, "value out of range");
        out[k] = t->i[k];
    }
    *n = (int)t->n;
    *given = 1;
    return 0;
}

static int compile_shape_op(ox_cc *c, const ox_rawnode *r, ox_node *n)
{
    static const char *const known[] = { "allowzero", "axis", "axes", "perm", "shape", NULL };
    int64_t v, list[OX_MAXDIM];
    int cnt, given;
    if (sigmix_ox_check_attrs(c, r, known))
        return -1;
    switch (n->op) {
    case OP_RESHAPE:
        if (sigmix_ox_attr_int(c, r, "allowzero", 0, 0, 1, &v) ||
            int_list(c, r, "shape", 1, n->shape, &n->nshape, &given))
            return -1;
        if (!given)
            return sigmix_ox_refuse(c, r, SIGMIX_EUNSUPPORTED, "the shape must be static");
        n->allowzero = (int)v;
        break;
    case OP_FLATTEN:
        if (sigmix_ox_attr_int(c, r, "axis", 1, -OX_MAXDIM, OX_MAXDIM, &v))
            return -1;
        n->axis = (int)v;
        break;
    case OP_TRANSPOSE:
        if (sigmix_ox_attr_ints(c, r, "perm", OX_MAXDIM, 0, OX_MAXDIM - 1, list, &cnt))
            return -1;
        n->nperm = cnt; /* 0: reverse, resolved at run time */
        for (int k = 0; k < cnt; k++)
            n->perm[k] = (int)list[k];
        break;
    default: /* Squeeze, Unsqueeze */
        if (int_list(c, r, "axes", 1, n->shape, &n->nshape, &given))
            return -1;
        if (n->op == OP_UNSQUEEZE && !given)
            return sigmix_ox_refuse(c, r, SIGMIX_EFORMAT, "axes are missing");
        n->allowzero = given; /* Squeeze: whether axes were given */
        break;
    }
    n->nin = 1;
    return 0;
}

typedef struct op_entry {
    const char *name;
    ox_op       op;
    int         min_in, max_in;
} op_entry;

static const op_entry op_table[] = {
    { "Conv", OP_CONV, 2, 3 }, { "ConvTranspose", OP_CONVT, 2, 3 }, { "Relu", OP_RELU, 1, 1 },
    { "LeakyRelu", OP_LEAKY, 1, 1 }, { "Sigmoid", OP_SIGMOID, 1, 1 }, { "Clip", OP_CLIP, 1, 3 },
    { "Add", OP_ADD, 2, 2 }, { "Sub", OP_SUB, 2, 2 }, { "Mul", OP_MUL, 2, 2 },
    { "Div", OP_DIV, 2, 2 }, { "MaxPool", OP_MAXPOOL, 1, 1 },
    { "AveragePool", OP_AVGPOOL, 1, 1 }, { "GlobalAveragePool", OP_GAP, 1, 1 },
    { "Concat", OP_CONCAT, 1, 4096 }, { "Resize", OP_RESIZE, 1, 4 },
    { "Upsample", OP_RESIZE, 1, 2 }, { "BatchNormalization", OP_BN, 5, 5 },
    { "Identity", OP_IDENTITY, 1, 1 }, { "Reshape", OP_RESHAPE, 1, 2 },
    { "Flatten", OP_FLATTEN, 1, 1 }, { "Transpose", OP_TRANSPOSE, 1, 1 },
    { "Squeeze", OP_SQUEEZE, 1, 2 }, { "Unsqueeze", OP_UNSQUEEZE, 1, 2 },
    { "Constant", OP_CONSTANT, 0, 0 },
};

int sigmix_ox_compile_node(ox_cc *c, const ox_rawnode *r, ox_node *n)
{
    static const char *const none[] = { NULL };
    static const char *const leaky[] = { "alpha", NULL };
    static const char *const concat[] = { "axis", NULL };
    const op_entry *e = NULL;
    for (size_t k = 0; k < sizeof op_table / sizeof *op_table && !e; k++)
        if (!strcmp(op_table[k].name, r->op_type))
            e = &op_table[k];
    if (r->domain[0] && strcmp(r->domain, "ai.onnx"))
        return sigmix_ox_refuse(c, r, SIGMIX_EUNSUPPORTED, "unsupported operator domain '%.60s'",
                                r->domain);
    if (!e)
        return sigmix_ox_refuse(c, r, SIGMIX_EUNSUPPORTED, "unsupported operator");
    if (r->nin < e->min_in || r->nin > e->max_in || !r->in[0][0])
        return sigmix_ox_refuse(c, r, SIGMIX_EFORMAT, "unexpected number of inputs (%d)", r->nin);
    if (r->nout < 1 || !r->out[0][0])
        return sigmix_ox_refuse(c, r, SIGMIX_EFORMAT, "has no output");
    for (int k = 1; k < r->nout; k++)
        if (r->out[k][0])
            return sigmix_ox_refuse(c, r, SIGMIX_EUNSUPPORTED,
                                    "output %d ('%.60s') is not supported", k + 1, r->out[k]);
    n->op = e->op;
    int64_t axis;
    switch (e->op) {
    case OP_CONV:    return compile_conv(c, r, n, 0);
    case OP_CONVT:   return compile_conv(c, r, n, 1);
    case OP_MAXPOOL:
    case OP_AVGPOOL: return compile_pool(c, r, n);
    case OP_CLIP:    return compile_clip(c, r, n);
    case OP_BN:      return compile_bn(c, r, n);
    case OP_RESIZE:  return compile_resize(c, r, n);
    case OP_RESHAPE: case OP_FLATTEN: case OP_TRANSPOSE: case OP_SQUEEZE: case OP_UNSQUEEZE:
        return compile_shape_op(c, r, n);
    case OP_LEAKY:
        return sigmix_ox_check_attrs(c, r, leaky) ||
               sigmix_ox_attr_float(c, r, "alpha", 0.01f, &n->alpha) ? -1 : 0;
    case OP_CONCAT:
        if (sigmix_ox_check_attrs(c, r, concat) ||
            sigmix_ox_attr_int(c, r, "axis", INT64_MIN, -OX_MAXDIM, OX_MAXDIM - 1, &axis))
            return -1;
        if (axis == INT64_MIN)
            return sigmix_ox_refuse(c, r, SIGMIX_EFORMAT, "attribute 'axis' is missing");
        n->axis = (int)axis;
        return 0;
    default:
        return sigmix_ox_check_attrs(c, r, none);
    }
}
