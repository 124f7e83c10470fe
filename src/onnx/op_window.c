/*
 * Window operators: Conv, ConvTranspose, MaxPool, AveragePool. Load-time
 * checks of the window attributes and weights, output shape and kernel
 * scratch, and execution through the kernels of kernels.c / winograd.c.
 */
#include <string.h>

#include "onnx/ops.h"

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
    n->b = sigmix_ox_copy_floats(c, b ? b->f : NULL, (size_t)n->cout, 0.0f);
    n->w = sigmix_ox_copy_floats(c, transposed ? NULL : w->f, w->n, 0.0f);
    if (!n->b || !n->w)
        return sigmix_ox_oom(c, r);
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

static int conv_like(run_ctx *c, const ox_node *n, const rt_tensor *x, rt_tensor *y, int phase)
{
    const ox_shape *s = &x->s;
    int tr = n->op == OP_CONVT, pool = n->op == OP_MAXPOOL || n->op == OP_AVGPOOL;
    if (s->ndim != 4)
        return sigmix_ox_node_fail(c, n, SIGMIX_EMODEL, "expects a 4-D input, got %d-D", s->ndim);
    if (!pool && s->d[1] != n->cin)
        return sigmix_ox_node_fail(c, n, SIGMIX_EMODEL, "input has %lld channels, the weight expects %d",
                         (long long)s->d[1], n->cin);
    ox_conv_args a = { n, x->data, NULL, s->d[2], s->d[3], 0, 0, 0, 0, 0, 0 };
    if (sigmix_ox_win_out(&n->win, 0, a.h, tr, &a.oh, &a.pt, &a.pb) ||
        sigmix_ox_win_out(&n->win, 1, a.w, tr, &a.ow, &a.pl, &a.pr))
        return sigmix_ox_node_fail(c, n, SIGMIX_EMODEL, "input %lldx%lld is too small for the window",
                         (long long)a.w, (long long)a.h);
    if (phase == 0) {
        y->s = (ox_shape){ 4, { s->d[0], pool ? s->d[1] : n->cout, a.oh, a.ow } };
        c->scratch = pool ? 0 : tr ? sigmix_ox_convt_scratch(&a, c->threads)
                                   : sigmix_ox_conv_scratch(&a, c->threads);
        return 0;
    }
    int64_t cin = s->d[1], cout = y->s.d[1];
    for (int64_t b = 0; b < s->d[0]; b++) {
        a.x = x->data + b * cin * a.h * a.w;
        a.y = y->buf + b * cout * a.oh * a.ow;
        if (pool)
            sigmix_ox_pool2d(c->pool, &a, cin, n->op == OP_MAXPOOL);
        else if (tr)
            sigmix_ox_convt(c->pool, &a);
        else
            sigmix_ox_conv(c->pool, &a);
    }
    return 0;
}

static int conv_compile(ox_cc *c, const ox_rawnode *r, ox_node *n)
{
    return compile_conv(c, r, n, 0);
}

static int convt_compile(ox_cc *c, const ox_rawnode *r, ox_node *n)
{
    return compile_conv(c, r, n, 1);
}

static int window_shape(run_ctx *c, const ox_node *n, const rt_tensor **in, rt_tensor *y)
{
    return conv_like(c, n, in[0], y, 0);
}

static int window_exec(run_ctx *c, const ox_node *n, const rt_tensor **in, rt_tensor *y)
{
    return conv_like(c, n, in[0], y, 1);
}

const ox_opdef sigmix_ox_op_conv = { "Conv", OP_CONV, 2, 3, conv_compile, window_shape,
                                     window_exec };
const ox_opdef sigmix_ox_op_conv_transpose = { "ConvTranspose", OP_CONVT, 2, 3, convt_compile,
                                               window_shape, window_exec };
const ox_opdef sigmix_ox_op_max_pool = { "MaxPool", OP_MAXPOOL, 1, 1, compile_pool, window_shape,
                                         window_exec };
const ox_opdef sigmix_ox_op_average_pool = { "AveragePool", OP_AVGPOOL, 1, 1, compile_pool,
                                             window_shape, window_exec };
