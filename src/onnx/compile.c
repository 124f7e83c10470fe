/*
 * Graph-level compilation: name resolution, Constant nodes, operator
 * checks (ops.c), BatchNormalization and Relu folded into the preceding
 * Conv, dead-node removal, topological order, last use of every value
 * (so run.c frees each activation as soon as possible) and the padding
 * multiple (product of the strides down to the deepest up-sampled value).
 */
#include <stdlib.h>
#include <string.h>

#include "onnx/attrs.h"

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

int sigmix_ox_value_find(const ox_cc *c, const char *name)
{
    for (size_t i = hash_str(name) & (c->cap - 1);; i = (i + 1) & (c->cap - 1)) {
        if (!c->keys[i])
            return -1;
        if (!strcmp(c->keys[i], name))
            return c->ids[i];
    }
}

/* Add a new value; returns 1 (and its id) if the name already exists. */
int sigmix_ox_value_add(ox_cc *c, const char *name, int *id)
{
    size_t i = hash_str(name) & (c->cap - 1);
    for (; c->keys[i]; i = (i + 1) & (c->cap - 1))
        if (!strcmp(c->keys[i], name)) {
            *id = c->ids[i];
            return 1;
        }
    sigmix_onnx_model *m = c->m;
    c->keys[i] = name;
    c->ids[i] = *id = m->nvalues;
    memset(&m->values[m->nvalues], 0, sizeof *m->values);
    m->values[m->nvalues].name = name;
    m->values[m->nvalues].last_use = -1;
    m->nvalues++;
    return 0;
}

static int compile_constant(ox_cc *c, const ox_rawnode *r)
{
    static const char *const known[] = { "value", "value_float", "value_floats", "value_int",
                                         "value_ints", NULL };
    if (sigmix_ox_check_attrs(c, r, known))
        return -1;
    if (r->nattr != 1 || r->nout != 1 || !r->out[0][0] || r->nin)
        return sigmix_ox_refuse(c, r, SIGMIX_EFORMAT, "needs exactly one value attribute");
    const ox_attr *a = &r->attrs[0];
    ox_tensor *t = a->t;
    if (!strcmp(a->name, "value")) {
        if (a->type != ATTR_TENSOR || !t)
            return sigmix_ox_refuse(c, r, SIGMIX_EFORMAT, "attribute 'value' is not a tensor");
    } else {
        if (!(t = sigmix_arena_alloc(&c->m->arena, sizeof *t)))
            return sigmix_ox_refuse(c, r, SIGMIX_ENOMEM, "out of memory");
        memset(t, 0, sizeof *t);
        int is_f = !strcmp(a->name, "value_float") || !strcmp(a->name, "value_floats");
        int list = !strcmp(a->name, "value_floats") || !strcmp(a->name, "value_ints");
        int want = is_f ? (list ? ATTR_FLOATS : ATTR_FLOAT) : (list ? ATTR_INTS : ATTR_INT);
        if (a->type != want)
            return sigmix_ox_refuse(c, r, SIGMIX_EFORMAT, "attribute '%s' has the wrong type",
                                    a->name);
        t->dtype = is_f ? ONNX_FLOAT : ONNX_INT64;
        t->ndim = list;
        t->n = list ? (is_f ? a->nfloats : a->nints) : 1;
        t->dims[0] = (int64_t)t->n;
        t->f = is_f ? (list ? a->floats : (float *)&a->f) : NULL;
        t->i = is_f ? NULL : (list ? a->ints : (int64_t *)&a->i);
    }
    int id;
    if (sigmix_ox_value_add(c, r->out[0], &id))
        return sigmix_ox_refuse(c, r, SIGMIX_EFORMAT, "output '%.80s' is defined twice",
                                r->out[0]);
    c->m->values[id].konst = t;
    t->name = r->out[0];
    return 0;
}

static int find_input(ox_cc *c, const ox_rawnode *r, const char *name, int *id)
{
    *id = -1;
    if (!name[0])
        return 0;
    if ((*id = sigmix_ox_value_find(c, name)) < 0)
        return sigmix_ox_refuse(c, r, SIGMIX_EFORMAT,
                                "input '%.80s' is not produced by any node or initializer", name);
    return 0;
}

/* Values, graph input and output, compiled nodes (file order). */
static int build_nodes(ox_cc *c, int *nn)
{
    sigmix_onnx_model *m = c->m;
    const ox_raw *raw = &m->raw;
    int id;
    for (size_t k = 0; k < raw->ninits; k++) {
        if (sigmix_ox_value_add(c, raw->inits[k].name, &id))
            return sigmix_error_set(c->err, SIGMIX_EFORMAT, "initializer '%.80s' is defined twice",
                                    raw->inits[k].name);
        m->values[id].konst = &raw->inits[k];
    }
    m->input = -1;
    for (size_t k = 0; k < raw->ninputs; k++) {
        if (sigmix_ox_value_add(c, raw->inputs[k].name, &id))
            continue; /* IR < 4 lists initializers as inputs too */
        if (m->input >= 0)
            return sigmix_error_set(c->err, SIGMIX_EUNSUPPORTED,
                                    "the model has more than one input ('%.80s', '%.80s')",
                                    m->values[m->input].name, raw->inputs[k].name);
        m->input = id;
        m->input_info = (int)k;
        const ox_valueinfo *vi = &raw->inputs[k];
        if ((vi->elem_type && vi->elem_type != ONNX_FLOAT) || (vi->ndim >= 0 && vi->ndim != 4))
            return sigmix_error_set(c->err, SIGMIX_EUNSUPPORTED,
                                    "input '%.80s' must be a 4-D float32 tensor (NCHW)", vi->name);
    }
    if (m->input < 0)
        return sigmix_error_set(c->err, SIGMIX_EFORMAT, "the model has no input");
    for (size_t k = 0; k < raw->nnodes; k++)
        if (!strcmp(raw->nodes[k].op_type, "Constant") && !raw->nodes[k].domain[0] &&
            compile_constant(c, &raw->nodes[k]))
            return -1;
    for (size_t k = 0; k < raw->nnodes; k++) {
        const ox_rawnode *r = &raw->nodes[k];
        if (!strcmp(r->op_type, "Constant") && !r->domain[0])
            continue;
        for (int o = 0; o < r->nout; o++)
            if (r->out[o][0] && sigmix_ox_value_add(c, r->out[o], &id))
                return sigmix_ox_refuse(c, r, SIGMIX_EFORMAT, "output '%.80s' is defined twice",
                                        r->out[o]);
    }
    if (!raw->noutputs || (m->output = sigmix_ox_value_find(c, raw->outputs[0].name)) < 0)
        return sigmix_error_set(c->err, SIGMIX_EFORMAT, "the model output is not produced");
    m->output_info = 0;
    m->values[m->output].is_output = 1;
    *nn = 0;
    for (size_t k = 0; k < raw->nnodes; k++) {
        const ox_rawnode *r = &raw->nodes[k];
        if (!strcmp(r->op_type, "Constant") && !r->domain[0])
            continue;
        ox_node *n = &m->nodes[(*nn)++];
        memset(n, 0, sizeof *n);
        n->name = r->name;
        n->op_type = r->op_type;
        n->nin = r->nin;
        if (!(n->in = sigmix_arena_alloc(&m->arena, sizeof(int) * (size_t)(r->nin + 1))))
            return sigmix_error_set(c->err, SIGMIX_ENOMEM, "out of memory");
        for (int i = 0; i < r->nin; i++)
            if (find_input(c, r, r->in[i], &n->in[i]))
                return -1;
        n->out = r->nout > 0 && r->out[0][0] ? sigmix_ox_value_find(c, r->out[0]) : -1;
        if (sigmix_ox_compile_node(c, r, n))
            return -1;
        if (n->op == OP_CONV || n->op == OP_CONVT)
            n->nin = 1;
        for (int i = 0; i < n->nin; i++)
            if (n->in[i] < 0)
                return sigmix_ox_refuse(c, r, SIGMIX_EFORMAT, "input %d is empty", i + 1);
    }
    return 0;
}

/* Fold BatchNormalization and Relu into a Conv that only feeds them. */
static void fuse(sigmix_onnx_model *m, int nn, int *producer, int *consumers, char *dead)
{
    for (int pass = 0; pass < 2; pass++) {
        for (int j = 0; j < nn; j++) {
            ox_node *b = &m->nodes[j];
            if (dead[j] || b->op != (pass ? OP_RELU : OP_BN))
                continue;
            int v = b->in[0], p = producer[v];
            if (p < 0 || m->nodes[p].op != OP_CONV || consumers[v] != 1 ||
                m->values[v].is_output || m->nodes[p].act != ACT_NONE)
                continue;
            ox_node *cv = &m->nodes[p];
            if (pass == 0) {
                if (b->cout != cv->cout)
                    continue;
                size_t per = (size_t)(cv->cin / cv->group) * (size_t)cv->win.k[0] *
                             (size_t)cv->win.k[1];
                for (int o = 0; o < cv->cout; o++) {
                    for (size_t k = 0; k < per; k++)
                        cv->w[(size_t)o * per + k] *= b->w[o];
                    cv->b[o] = cv->b[o] * b->w[o] + b->b[o];
                }
            } else {
                cv->act = ACT_RELU;
            }
            cv->out = b->out;
            producer[b->out] = p;
            dead[j] = 1;
        }
    }
}

/* Post-order DFS from the output: a topological order of the needed nodes. */
static int order_nodes(ox_cc *c, int nn, const int *producer, const char *dead, int *order,
                       int *count)
{
    sigmix_onnx_model *m = c->m;
    char *state = calloc((size_t)nn + 1, 1);
    int *stack = malloc(sizeof(int) * 2 * ((size_t)nn + 1));
    int rc = 0, sp = 0;
    *count = 0;
    if (!state || !stack) {
        rc = sigmix_error_set(c->err, SIGMIX_ENOMEM, "out of memory");
        goto done;
    }
    int root = producer[m->output];
    if (root < 0) {
        if (m->output != m->input)
            rc = sigmix_error_set(c->err, SIGMIX_EUNSUPPORTED, "the output is a constant");
        goto done;
    }
    stack[sp++] = root;
    stack[sp++] = 0;
    state[root] = 1;
    while (sp) {
        int j = stack[sp - 2], k = stack[sp - 1];
        const ox_node *n = &m->nodes[j];
        if (k < n->nin) {
            stack[sp - 1]++;
            int p = producer[n->in[k]];
            if (p < 0 || state[p] == 2)
                continue;
            if (state[p] == 1) {
                rc = sigmix_error_set(c->err, SIGMIX_EFORMAT, "the graph has a cycle (at node "
                                      "'%.80s')", m->nodes[p].name);
                goto done;
            }
            state[p] = 1;
            stack[sp++] = p;
            stack[sp++] = 0;
        } else {
            state[j] = 2;
            order[(*count)++] = j;
            sp -= 2;
        }
    }
    (void)dead;
done:
    free(state);
    free(stack);
    return rc;
}

static int64_t gcd64(int64_t a, int64_t b)
{
    while (b) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static int64_t lcm_capped(int64_t a, int64_t b)
{
    int64_t l = a / gcd64(a, b) * b;
    return l > 4096 ? a : l;
}

/*
 * Cumulative down-sampling factor per value. Sizes only matter where a
 * down-sampled value is up-sampled again (U-Net decoders meet their skip
 * connections), so the multiple is the lcm of the factors entering an
 * up-sampling node; a plain encoder (or a single strided op) needs none.
 */
static void pad_multiple(sigmix_onnx_model *m, int64_t *fac)
{
    int64_t mult = 1;
    for (int v = 0; v < m->nvalues; v++)
        fac[2 * v] = fac[2 * v + 1] = 1;
    for (int i = 0; i < m->nnodes; i++) {
        const ox_node *n = &m->nodes[i];
        int64_t f[2] = { 1, 1 };
        for (int k = 0; k < n->nin; k++)
            for (int a = 0; a < 2; a++)
                f[a] = lcm_capped(f[a], fac[2 * n->in[k] + a]);
        for (int a = 0; a < 2; a++) {
            int s = n->win.s[a];
            float sc = n->rs_scales[2 + a];
            int up = (n->op == OP_CONVT && s > 1) ||
                     (n->op == OP_RESIZE && (n->rs_has_sizes || sc > 1.0f));
            if (up)
                mult = lcm_capped(mult, f[a]);
            switch (n->op) {
            case OP_CONV: case OP_MAXPOOL: case OP_AVGPOOL:
                f[a] = f[a] * s <= 4096 ? f[a] * s : f[a];
                break;
            case OP_CONVT:
                f[a] = f[a] % s ? 1 : f[a] / s;
                break;
            case OP_RESIZE:
                if (n->rs_has_sizes)
                    break;
                if (sc >= 1.0f && sc == (float)(int64_t)sc)
                    f[a] = f[a] % (int64_t)sc ? 1 : f[a] / (int64_t)sc;
                else if (sc < 1.0f && 1.0f / sc == (float)(int64_t)(1.0f / sc))
                    f[a] = lcm_capped(f[a], f[a] * (int64_t)(1.0f / sc));
                break;
            case OP_GAP: case OP_RESHAPE: case OP_FLATTEN: case OP_TRANSPOSE:
            case OP_SQUEEZE: case OP_UNSQUEEZE:
                f[a] = 1;
                break;
            default:
                break;
            }
            fac[2 * n->out + a] = f[a];
        }
    }
    m->pad_multiple = (int)mult;
}

static void count_ops(sigmix_onnx_model *m)
{
    const ox_raw *raw = &m->raw;
    m->nops = 0;
    for (size_t k = 0; k < raw->nnodes; k++) {
        int j = 0;
        while (j < m->nops && strcmp(m->op_names[j], raw->nodes[k].op_type))
            j++;
        if (j == m->nops) {
            m->op_names[j] = raw->nodes[k].op_type;
            m->op_counts[j] = 0;
            m->nops++;
        }
        m->op_counts[j]++;
    }
    m->weight_count = 0;
    for (size_t k = 0; k < raw->ninits; k++)
        m->weight_count += raw->inits[k].n;
    for (int i = 0; i < m->nnodes; i++) {
        int j = 0;
        while (j < m->nops - 1 && strcmp(m->op_names[j], m->nodes[i].op_type))
            j++;
        m->nodes[i].op_index = j;
    }
}

static int finish(ox_cc *c, int nn, int *producer, int *consumers, char *dead, int *order)
{
    sigmix_onnx_model *m = c->m;
    for (int j = 0; j < nn; j++)
        if (m->nodes[j].out >= 0)
            producer[m->nodes[j].out] = j;
    for (int j = 0; j < nn; j++)
        for (int k = 0; k < m->nodes[j].nin; k++)
            consumers[m->nodes[j].in[k]]++;
    fuse(m, nn, producer, consumers, dead);
    for (int j = 0; j < nn; j++) { /* after folding: transform the final weights */
        ox_node *n = &m->nodes[j];
        if (!dead[j] && sigmix_ox_direct_pick(n)) {
            n->wd = sigmix_arena_alloc(&m->arena, sizeof(float) * sigmix_ox_direct_size(n));
            if (!n->wd)
                return sigmix_error_set(c->err, SIGMIX_ENOMEM, "out of memory");
            sigmix_ox_direct_pack(n, n->wd);
            continue;
        }
        if (dead[j] || !sigmix_ox_wino_ok(n))
            continue;
        n->wino = sigmix_arena_alloc(&m->arena, sizeof(float) * 16 * (size_t)n->cout *
                                                    (size_t)n->cin);
        if (!n->wino)
            return sigmix_error_set(c->err, SIGMIX_ENOMEM, "out of memory");
        sigmix_ox_wino_pack(n, n->wino);
    }
    int count;
    if (order_nodes(c, nn, producer, dead, order, &count))
        return -1;
    ox_node *sorted = sigmix_arena_alloc(&m->arena, sizeof(ox_node) * ((size_t)count + 1));
    int64_t *fac = malloc(sizeof(int64_t) * 2 * (size_t)m->nvalues);
    if (!sorted || !fac) {
        free(fac);
        return sigmix_error_set(c->err, SIGMIX_ENOMEM, "out of memory");
    }
    for (int i = 0; i < count; i++)
        sorted[i] = m->nodes[order[i]];
    m->nodes = sorted;
    m->nnodes = count;
    for (int i = 0; i < count; i++)
        for (int k = 0; k < sorted[i].nin; k++)
            m->values[sorted[i].in[k]].last_use = i;
    pad_multiple(m, fac);
    free(fac);
    count_ops(m);
    return 0;
}

int sigmix_ox_compile(sigmix_onnx_model *m, sigmix_error *err)
{
    const ox_raw *raw = &m->raw;
    ox_cc c = { m, err, NULL, NULL, 0 };
    size_t total = raw->ninits + raw->ninputs + 1;
    for (size_t k = 0; k < raw->nnodes; k++)
        total += (size_t)raw->nodes[k].nout;
    c.cap = 16;
    while (c.cap < 2 * total)
        c.cap *= 2;
    size_t nn0 = raw->nnodes + 1;
    m->values = sigmix_arena_alloc(&m->arena, sizeof(ox_value) * total);
    m->nodes = sigmix_arena_alloc(&m->arena, sizeof(ox_node) * nn0);
    m->op_names = sigmix_arena_alloc(&m->arena, sizeof(char *) * nn0);
    m->op_counts = sigmix_arena_alloc(&m->arena, sizeof(int) * nn0);
    c.keys = calloc(c.cap, sizeof *c.keys);
    c.ids = calloc(c.cap, sizeof *c.ids);
    int *producer = malloc(sizeof(int) * total), *consumers = calloc(total, sizeof(int));
    int *order = malloc(sizeof(int) * nn0);
    char *dead = calloc(nn0, 1);
    int rc, nn = 0;
    if (!m->values || !m->nodes || !m->op_names || !m->op_counts || !c.keys || !c.ids ||
        !producer || !consumers || !order || !dead) {
        rc = sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    } else {
        rc = build_nodes(&c, &nn);
        for (size_t v = 0; v < total; v++)
            producer[v] = -1;
        if (!rc)
            rc = finish(&c, nn, producer, consumers, dead, order);
    }
    free(c.keys);
    free(c.ids);
    free(producer);
    free(consumers);
    free(order);
    free(dead);
    return rc ? (err && err->code ? err->code : rc) : 0;
}
