/*
 * Resize (opset 10 and later) and Upsample: mode, coordinate transform and
 * nearest rounding checked at load, static scales or sizes, output shape
 * and the axis tables' scratch, then sigmix_ox_resize.
 */
#include <string.h>

#include "onnx/ops.h"

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

static int resize_op(run_ctx *c, const ox_node *n, const rt_tensor *x, rt_tensor *y, int phase)
{
    const ox_shape *s = &x->s;
    if (s->ndim != 4)
        return sigmix_ox_node_fail(c, n, SIGMIX_EMODEL, "expects a 4-D input, got %d-D", s->ndim);
    if (phase == 1) {
        sigmix_ox_resize(c->pool, n, x->data, y->buf, s->d[0] * s->d[1], s->d[2], s->d[3],
                         y->s.d[2], y->s.d[3]);
        return 0;
    }
    y->s = *s;
    for (int k = 0; k < 4; k++) {
        int64_t v = n->rs_has_sizes ? n->rs_sizes[k] : (int64_t)((float)s->d[k] * n->rs_scales[k]);
        if (k < 2 && v != s->d[k])
            return sigmix_ox_node_fail(c, n, SIGMIX_EUNSUPPORTED, "resizing N or C is not supported");
        if (v < 1 || v > OX_MAX_DIM)
            return sigmix_ox_node_fail(c, n, SIGMIX_EMODEL, "output size %lld out of range", (long long)v);
        y->s.d[k] = v;
    }
    c->scratch = sigmix_ox_resize_scratch(y->s.d[2], y->s.d[3]);
    return 0;
}

static int resize_shape(run_ctx *c, const ox_node *n, const rt_tensor **in, rt_tensor *y)
{
    return resize_op(c, n, in[0], y, 0);
}

static int resize_exec(run_ctx *c, const ox_node *n, const rt_tensor **in, rt_tensor *y)
{
    return resize_op(c, n, in[0], y, 1);
}

const ox_opdef sigmix_ox_op_resize = { "Resize", OP_RESIZE, 1, 4, compile_resize, resize_shape,
                                       resize_exec };
const ox_opdef sigmix_ox_op_upsample = { "Upsample", OP_RESIZE, 1, 2, compile_resize,
                                         resize_shape, resize_exec };
