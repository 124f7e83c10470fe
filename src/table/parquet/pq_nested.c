/* Nested columns as JSON text (see pq_nested.h). */
#include <stdlib.h>
#include <string.h>

#include "table/parquet/pq_nested.h"
#include "table/parquet/pq_schema.h"
#include "util/error.h"
#include "util/jsonw.h"

/* ---- plan -------------------------------------------------------------- */

static int is_repeated(const pq_schema_el *e)
{
    return e->repetition == PQ_REPEATED;
}

static long build(pq_nfield *f, const pq_file_meta *m, size_t *i, int def, int rep,
                  size_t first_leaf, size_t *nk)
{
    const pq_schema_el *e = &m->schema[*i];
    size_t me = f->nnodes++;
    pq_nnode *n = &f->nodes[me];
    n->el = e;
    n->def = def + (e->repetition == PQ_OPTIONAL || e->repetition == PQ_REPEATED);
    n->rep = rep + is_repeated(e);
    n->leaf0 = f->nleaves;
    n->kind = PQ_N_STRUCT;
    (*i)++;
    if (e->num_children == 0) {
        if (e->type >= 0) {
            pq_leaf *l = &f->leaves[f->nleaves];
            sigmix_kind kind;
            unsigned flags;
            if (sigmix_pq_leaf_setup(e, l, &kind, &flags))
                return -1;
            l->max_def = n->def;
            l->max_rep = n->rep;
            l->name = f->name;
            l->chunk = first_leaf + f->nleaves;
            f->nleaves++;
            n->kind = PQ_N_PRIM;
        }
        n->nleaves = f->nleaves - n->leaf0;
        return (long)me;
    }
    const pq_schema_el *c0 = &m->schema[*i];
    int list = e->converted == PQ_CT_LIST || e->logical == PQ_LT_LIST;
    int map = e->converted == PQ_CT_MAP || e->converted == PQ_CT_MAP_KV || e->logical == PQ_LT_MAP;
    if (e->num_children == 1 && is_repeated(c0) && (list || (map && c0->num_children > 0)))
        n->kind = list ? PQ_N_LIST : PQ_N_MAP;
    n->kid0 = *nk;
    n->nkids = (size_t)e->num_children;
    *nk += n->nkids;
    for (size_t c = 0; c < n->nkids; c++) {
        long k = build(f, m, i, n->def, n->rep, first_leaf, nk);
        if (k < 0)
            return -1;
        f->kids[n->kid0 + c] = (size_t)k;
    }
    n->nleaves = f->nleaves - n->leaf0;
    return (long)me;
}

int sigmix_pq_nfield_init(pq_nfield *f, const pq_file_meta *m, size_t index, size_t first_leaf)
{
    size_t cap = m->nschema - index, i = index, nk = 0;
    memset(f, 0, sizeof *f);
    f->name = m->schema[index].name;
    f->nodes = calloc(cap, sizeof *f->nodes);
    f->kids = calloc(cap, sizeof *f->kids);
    f->leaves = calloc(cap, sizeof *f->leaves);
    if (!f->nodes || !f->kids || !f->leaves || build(f, m, &i, 0, 0, first_leaf, &nk) < 0 ||
        f->nleaves == 0) {
        sigmix_pq_nfield_free(f);
        return -1;
    }
    return 0;
}

void sigmix_pq_nfield_free(pq_nfield *f)
{
    free(f->nodes);
    free(f->kids);
    free(f->leaves);
    memset(f, 0, sizeof *f);
}

/* ---- decoding into sinks --------------------------------------------- */

int sigmix_pq_sink_page(pq_worker *w, const pq_job *j, const uint32_t *reps,
                        const uint32_t *defs, size_t nv, const void *vals, size_t nn,
                        sigmix_error *err)
{
    pq_nsink *s = j->sink;
    /* Levels accumulate over the chunk's pages: grow, keeping them. */
    if (sigmix_pq_buf_grow(&s->rep, s->n + nv + 1) ||
        sigmix_pq_buf_grow(&s->def, s->n + nv + 1))
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory (column '%s')", j->leaf->name);
    for (size_t i = 0; i < nv; i++) {
        s->rep.p[s->n + i] = (uint8_t)(reps ? reps[i] : 0);
        s->def.p[s->n + i] = (uint8_t)(defs ? defs[i] : (uint32_t)j->leaf->max_def);
    }
    s->n += nv;
    if (sigmix_pq_json_values(j->leaf, vals, nn, &s->text, &s->tlen, &s->spans, &s->nvals,
                              &w->text))
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory (column '%s')", j->leaf->name);
    return 0;
}

/* ---- record assembly --------------------------------------------------- */

typedef struct asm_ctx {
    const pq_nfield *f;
    pq_nsink        *sinks;
    size_t          *pos, *vpos;  /* per leaf: next level entry, next value */
    pq_buf           out;
    size_t           olen;
    int              bad;
} asm_ctx;

static void put(asm_ctx *a, const void *p, size_t n)
{
    if (a->bad || n > PQ_MAX_PAGE_BYTES - a->olen ||
        sigmix_pq_buf_grow(&a->out, a->olen + n + 1)) {
        a->bad = 1;
        return;
    }
    memcpy(a->out.p + a->olen, p, n);
    a->olen += n;
}

#define PUTS(a, s) put(a, s, sizeof s - 1)

/* Definition level of the next entry of node n's first leaf. */
static int cur_def(asm_ctx *a, const pq_nnode *n)
{
    size_t L = n->leaf0;
    if (a->pos[L] >= a->sinks[L].n) {
        a->bad = 1;
        return 0;
    }
    return a->sinks[L].def.p[a->pos[L]];
}

/* A null or empty instance of n: one level entry in each leaf under it. */
static void skip(asm_ctx *a, const pq_nnode *n)
{
    for (size_t L = n->leaf0; L < n->leaf0 + n->nleaves; L++)
        if (a->pos[L]++ >= a->sinks[L].n)
            a->bad = 1;
}

static void value(asm_ctx *a, const pq_nnode *n)
{
    size_t L = n->leaf0;
    const pq_nsink *s = &a->sinks[L];
    if (a->vpos[L] >= s->nvals || a->pos[L] >= s->n) {
        a->bad = 1;
        return;
    }
    const pq_span *sp = &((const pq_span *)(const void *)s->spans.p)[a->vpos[L]++];
    a->pos[L]++;
    put(a, s->text.p + sp->off, sp->len);
}

static void render(asm_ctx *a, const pq_nnode *n);
static void field(asm_ctx *a, const pq_nnode *n);
static void list(asm_ctx *a, const pq_nnode *r, int mode, const pq_nnode *parent);

static const pq_nnode *kid(asm_ctx *a, const pq_nnode *n, size_t i)
{
    return &a->f->nodes[a->f->kids[n->kid0 + i]];
}

static void object(asm_ctx *a, const pq_nnode *n)
{
    PUTS(a, "{");
    for (size_t i = 0; i < n->nkids && !a->bad; i++) {
        const pq_nnode *c = kid(a, n, i);
        size_t q = sigmix_json_quote(c->el->name, strlen(c->el->name), NULL);
        if (i)
            PUTS(a, ",");
        if (q > PQ_MAX_PAGE_BYTES - a->olen || sigmix_pq_buf_grow(&a->out, a->olen + q + 2)) {
            a->bad = 1;
            return;
        }
        sigmix_json_quote(c->el->name, strlen(c->el->name), (char *)a->out.p + a->olen);
        a->olen += q;
        PUTS(a, ":");
        field(a, c);
    }
    PUTS(a, "}");
}

enum { M_PLAIN, M_LIST, M_MAP };

/* One present element of repeated node r. */
static void element(asm_ctx *a, const pq_nnode *r, int mode, const pq_nnode *parent)
{
    if (r->kind == PQ_N_PRIM) {
        value(a, r);
    } else if (mode == M_MAP) {
        PUTS(a, "{\"key\":");
        if (r->nkids > 0)
            field(a, kid(a, r, 0));
        if (r->nkids > 1) {
            PUTS(a, ",\"value\":");
            field(a, kid(a, r, 1));
        }
        PUTS(a, "}");
    } else if (mode == M_LIST && r->nkids == 1 && strcmp(r->el->name, "array") &&
               !(parent && strlen(r->el->name) == strlen(parent->el->name) + 6 &&
                 !strncmp(r->el->name, parent->el->name, strlen(parent->el->name)) &&
                 !strcmp(r->el->name + strlen(parent->el->name), "_tuple"))) {
        field(a, kid(a, r, 0)); /* three-level list: the element is the only child */
    } else if (r->kind == PQ_N_LIST || r->kind == PQ_N_MAP) {
        list(a, kid(a, r, 0), r->kind == PQ_N_LIST ? M_LIST : M_MAP, r); /* e.g. legacy "array" lists of lists */
    } else {
        object(a, r); /* legacy two-level list of structs, or a repeated group */
    }
}

static void list(asm_ctx *a, const pq_nnode *r, int mode, const pq_nnode *parent)
{
    PUTS(a, "[");
    if (!r->nleaves) {
        PUTS(a, "]");
        return;
    }
    if (cur_def(a, r) < r->def) {
        skip(a, r); /* empty list */
    } else {
        const pq_nsink *s = &a->sinks[r->leaf0];
        for (int first = 1; !a->bad; first = 0) {
            if (!first)
                PUTS(a, ",");
            element(a, r, mode, parent);
            size_t p = a->pos[r->leaf0];
            if (p >= s->n || s->rep.p[p] != r->rep)
                break;
        }
    }
    PUTS(a, "]");
}

static void render(asm_ctx *a, const pq_nnode *n)
{
    if (!n->nleaves) {
        PUTS(a, "null");
        return;
    }
    if (cur_def(a, n) < n->def) {
        skip(a, n);
        PUTS(a, "null");
        return;
    }
    switch (n->kind) {
    case PQ_N_PRIM: value(a, n); break;
    case PQ_N_LIST: list(a, kid(a, n, 0), M_LIST, n); break;
    case PQ_N_MAP: list(a, kid(a, n, 0), M_MAP, n); break;
    default: object(a, n);
    }
}

static void field(asm_ctx *a, const pq_nnode *n)
{
    if (is_repeated(n->el))
        list(a, n, M_PLAIN, NULL);
    else
        render(a, n);
}

/* Assemble rows; store each into the table column (null when absent). */
static int assemble(asm_ctx *a, const pq_job *j, size_t rows, sigmix_error *err)
{
    const pq_nfield *f = a->f;
    pq_buf offs = { 0 };
    int r = 0;
    if (sigmix_pq_buf_reserve(&offs, (rows + 1) * 2 * sizeof(size_t)))
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory (column '%s')", f->name);
    size_t *o = (size_t *)(void *)offs.p;
    const pq_nnode *top = &f->nodes[0];
    for (size_t row = 0; row < rows && !a->bad; row++) {
        o[2 * row] = a->olen;
        if (!is_repeated(top->el) && cur_def(a, top) < top->def) {
            skip(a, top);
            o[2 * row + 1] = SIZE_MAX; /* null */
        } else {
            field(a, top);
            o[2 * row + 1] = a->olen - o[2 * row];
        }
        PUTS(a, "\0");
        /* The next entry of every leaf must start a new record. */
        for (size_t L = 0; L < f->nleaves && !a->bad; L++)
            if (a->pos[L] < a->sinks[L].n && a->sinks[L].rep.p[a->pos[L]] != 0)
                a->bad = 1;
    }
    for (size_t L = 0; L < f->nleaves && !a->bad; L++)
        if (a->pos[L] != a->sinks[L].n)
            a->bad = 1;
    if (a->bad) {
        r = sigmix_error_set(err, SIGMIX_EFORMAT,
                             "nested levels do not match the schema (column '%s', row group %zu)",
                             f->name, j->rg);
    } else {
        pthread_mutex_lock(j->intern_lock);
        const char *base = sigmix_table_intern(j->table, (const char *)a->out.p, a->olen);
        pthread_mutex_unlock(j->intern_lock);
        if (!base)
            r = sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory (column '%s')", f->name);
        for (size_t row = 0; base && row < rows; row++) {
            if (o[2 * row + 1] == SIZE_MAX)
                continue;
            j->col->valid[j->row0 + row] = 1;
            j->col->str[j->row0 + row] = (sigmix_strref){ base + o[2 * row], o[2 * row + 1] };
        }
    }
    free(offs.p);
    return r;
}

int sigmix_pq_read_nested(pq_worker *w, const pq_job *j, pq_nfield *f, sigmix_error *err)
{
    size_t rows = (size_t)j->file->meta.rgs[j->rg].num_rows;
    asm_ctx a;
    memset(&a, 0, sizeof a);
    a.f = f;
    a.sinks = calloc(f->nleaves, sizeof *a.sinks);
    a.pos = calloc(f->nleaves, sizeof *a.pos);
    a.vpos = calloc(f->nleaves, sizeof *a.vpos);
    int r = 0;
    if (!a.sinks || !a.pos || !a.vpos)
        r = sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory (column '%s')", f->name);
    for (size_t k = 0; !r && k < f->nleaves; k++) {
        pq_job sub = *j;
        sub.leaf = &f->leaves[k];
        sub.sink = &a.sinks[k];
        r = sigmix_pq_read_chunk(w, &sub, err);
    }
    if (!r && rows)
        r = assemble(&a, j, rows, err);
    for (size_t k = 0; a.sinks && k < f->nleaves; k++) {
        free(a.sinks[k].rep.p);
        free(a.sinks[k].def.p);
        free(a.sinks[k].text.p);
        free(a.sinks[k].spans.p);
    }
    free(a.sinks);
    free(a.pos);
    free(a.vpos);
    free(a.out.p);
    return r;
}
