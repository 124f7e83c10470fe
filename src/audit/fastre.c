/*
 * A Thompson automaton over at most 64 states, simulated with bit sets:
 * the answer of a POSIX search (match or not) is the same for any
 * automaton of the same language, so no leftmost-longest bookkeeping is
 * needed. Plain literals (most family patterns) skip the automaton.
 */
#include <string.h>

#include "audit/fastre.h"

enum { N_LIT, N_CLASS, N_BOL, N_EOL, N_CAT, N_ALT, N_QUEST, N_STAR, N_PLUS };
enum { MAX_NODES = 256, MAX_KIDS = 256, MAX_DEPTH = 8 };

typedef struct node {
    int      type;
    uint64_t cls[2];          /* N_LIT / N_CLASS: accepted bytes (lower case) */
    int      first, count;    /* N_CAT / N_ALT: kids[first..first+count); others: kids[first] */
} node;

typedef struct parser {
    const char *p;
    node        nodes[MAX_NODES];
    int         nn;
    int         kids[MAX_KIDS];
    int         nk;
    int         ok, depth;
} parser;

static int fold(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

/* Bytes that stand for themselves outside brackets (others: regexec). */
static int plain(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("_-,:;/ =@#%&'\"<>!~`", c));
}

static int mknode(parser *ps, int type)
{
    if (ps->nn >= MAX_NODES) {
        ps->ok = 0;
        return 0;
    }
    node *n = &ps->nodes[ps->nn];
    memset(n, 0, sizeof *n);
    n->type = type;
    return ps->nn++;
}

static void setbit(uint64_t cls[2], int c)
{
    c = fold(c);
    cls[c >> 6] |= UINT64_C(1) << (c & 63);
}

static int parse_alt(parser *ps);

/* [...] of plain bytes and digit ranges; '-' literal first or last. */
static int parse_class(parser *ps)
{
    int id = mknode(ps, N_CLASS);
    const char *p = ps->p + 1;
    if (*p == '^' || *p == ']')
        return ps->ok = 0, id;
    int any = 0;
    while (*p && *p != ']') {
        int c = (unsigned char)*p;
        if (c == '-' && (any == 0 || p[1] == ']')) {
            setbit(ps->nodes[id].cls, c);
            p++;
            any = 1;
            continue;
        }
        if (!plain(c) || c == '-' || c == ':' || c == '=') /* no "[:" / "[=" readings */
            return ps->ok = 0, id;
        if (p[1] == '-' && p[2] && p[2] != ']') {
            int d = (unsigned char)p[2];
            if (!(c >= '0' && c <= '9' && d >= '0' && d <= '9' && c <= d))
                return ps->ok = 0, id;
            for (int x = c; x <= d; x++)
                setbit(ps->nodes[id].cls, x);
            p += 3;
        } else {
            setbit(ps->nodes[id].cls, c);
            p++;
        }
        any = 1;
    }
    if (*p != ']')
        return ps->ok = 0, id;
    ps->p = p + 1;
    return id;
}

static int parse_atom(parser *ps)
{
    int c = (unsigned char)*ps->p;
    if (c == '(') {
        if (++ps->depth > MAX_DEPTH) { /* bounds the recursion (and its stack) */
            ps->ok = 0;
            return 0;
        }
        ps->p++;
        int id = parse_alt(ps);
        ps->depth--;
        if (*ps->p != ')')
            ps->ok = 0;
        else
            ps->p++;
        return id;
    }
    if (c == '[')
        return parse_class(ps);
    if (c == '^' || c == '$') {
        ps->p++;
        return mknode(ps, c == '^' ? N_BOL : N_EOL);
    }
    if (!plain(c)) {
        ps->ok = 0;
        return 0;
    }
    ps->p++;
    int id = mknode(ps, N_LIT);
    setbit(ps->nodes[id].cls, c);
    return id;
}

static int is_quant(int c) { return c == '?' || c == '*' || c == '+'; }

static int parse_piece(parser *ps)
{
    int atom = parse_atom(ps);
    int q = (unsigned char)*ps->p;
    if (!ps->ok || !is_quant(q))
        return atom;
    ps->p++;
    int t = ps->nodes[atom].type;
    if (is_quant((unsigned char)*ps->p) || t == N_BOL || t == N_EOL || ps->nk >= MAX_KIDS) {
        ps->ok = 0; /* "a+?", "^*": regexec's own reading */
        return atom;
    }
    int id = mknode(ps, q == '?' ? N_QUEST : q == '*' ? N_STAR : N_PLUS);
    ps->nodes[id].first = ps->nk;
    ps->kids[ps->nk++] = atom;
    return id;
}

/* Kids are collected on a local list first: nested groups append their own. */
static int parse_seq(parser *ps, int type)
{
    int local[64], n = 0;
    for (;;) {
        int c = (unsigned char)*ps->p;
        if (type == N_CAT && (!c || c == '|' || c == ')'))
            break;
        int k = type == N_CAT ? parse_piece(ps) : parse_seq(ps, N_CAT);
        if (!ps->ok || n >= 64)
            return ps->ok = 0, 0;
        local[n++] = k;
        if (type == N_ALT) {
            if (*ps->p != '|')
                break;
            ps->p++;
        }
    }
    if (n == 0 || ps->nk + n > MAX_KIDS) /* empty branch or group: regexec's reading */
        return ps->ok = 0, 0;
    if (n == 1)
        return local[0];
    int id = mknode(ps, type);
    ps->nodes[id].first = ps->nk;
    ps->nodes[id].count = n;
    memcpy(ps->kids + ps->nk, local, (size_t)n * sizeof *local);
    ps->nk += n;
    return id;
}

static int parse_alt(parser *ps) { return parse_seq(ps, N_ALT); }

/* ---- automaton ---------------------------------------------------------- */

enum { OP_CHAR, OP_SPLIT, OP_JMP, OP_BOL, OP_EOL, OP_MATCH };

typedef struct prog {
    int      n, ok;
    int      op[SIGMIX_FASTRE_MAX_STATES], x[SIGMIX_FASTRE_MAX_STATES],
             y[SIGMIX_FASTRE_MAX_STATES];
    uint64_t cls[SIGMIX_FASTRE_MAX_STATES][2];
} prog;

static int emit(prog *g, int op)
{
    if (g->n >= SIGMIX_FASTRE_MAX_STATES) {
        g->ok = 0;
        return 0;
    }
    g->op[g->n] = op;
    g->x[g->n] = g->y[g->n] = 0;
    g->cls[g->n][0] = g->cls[g->n][1] = 0;
    return g->n++;
}

static void gen(prog *g, const parser *ps, int id)
{
    const node *nd = &ps->nodes[id];
    int a, b;
    if (!g->ok)
        return;
    switch (nd->type) {
    case N_LIT:
    case N_CLASS:
        a = emit(g, OP_CHAR);
        g->cls[a][0] = nd->cls[0];
        g->cls[a][1] = nd->cls[1];
        break;
    case N_BOL: emit(g, OP_BOL); break;
    case N_EOL: emit(g, OP_EOL); break;
    case N_CAT:
        for (int i = 0; i < nd->count; i++)
            gen(g, ps, ps->kids[nd->first + i]);
        break;
    case N_ALT: {
        int jumps[MAX_KIDS], nj = 0;
        for (int i = 0; i < nd->count; i++) {
            int split = -1;
            if (i + 1 < nd->count)
                split = emit(g, OP_SPLIT);
            if (split >= 0)
                g->x[split] = g->n;
            gen(g, ps, ps->kids[nd->first + i]);
            if (i + 1 < nd->count) {
                jumps[nj++] = emit(g, OP_JMP);
                if (split >= 0)
                    g->y[split] = g->n;
            }
        }
        for (int i = 0; i < nj; i++)
            g->x[jumps[i]] = g->n;
        break;
    }
    case N_QUEST:
        a = emit(g, OP_SPLIT);
        g->x[a] = g->n;
        gen(g, ps, ps->kids[nd->first]);
        g->y[a] = g->n;
        break;
    case N_STAR:
        a = emit(g, OP_SPLIT);
        g->x[a] = g->n;
        gen(g, ps, ps->kids[nd->first]);
        b = emit(g, OP_JMP);
        g->x[b] = a;
        g->y[a] = g->n;
        break;
    case N_PLUS:
        a = g->n;
        gen(g, ps, ps->kids[nd->first]);
        b = emit(g, OP_SPLIT);
        g->x[b] = a;
        g->y[b] = g->n;
        break;
    }
}

/* States reachable from s without consuming a byte, in context ctx. */
static uint64_t closure(const prog *g, int s, int ctx)
{
    uint64_t seen = 0;
    int stack[SIGMIX_FASTRE_MAX_STATES * 2 + 2], sp = 0;
    stack[sp++] = s;
    while (sp) {
        int t = stack[--sp];
        if (t >= g->n || (seen >> t & 1))
            continue;
        seen |= UINT64_C(1) << t;
        switch (g->op[t]) {
        case OP_SPLIT: stack[sp++] = g->x[t]; stack[sp++] = g->y[t]; break;
        case OP_JMP: stack[sp++] = g->x[t]; break;
        case OP_BOL: if (ctx & 1) stack[sp++] = t + 1; break;
        case OP_EOL: if (ctx & 2) stack[sp++] = t + 1; break;
        default: break;
        }
    }
    return seen;
}

/* A concatenation of single bytes with '^' first and/or '$' last. */
static int as_literal(const parser *ps, int root, sigmix_fastre *re, sigmix_arena *arena)
{
    const node *r = &ps->nodes[root];
    const int *k = r->type == N_CAT ? ps->kids + r->first : &root;
    int n = r->type == N_CAT ? r->count : 1;
    int from = 0, to = n;
    if (n && ps->nodes[k[0]].type == N_BOL)
        from = 1;
    if (to > from && ps->nodes[k[to - 1]].type == N_EOL)
        to--;
    if (to <= from)
        return 0;
    for (int i = from; i < to; i++)
        if (ps->nodes[k[i]].type != N_LIT)
            return 0;
    char *lit = sigmix_arena_alloc(arena, (size_t)(to - from) + 1);
    if (!lit)
        return -1;
    for (int i = from; i < to; i++) {
        const uint64_t *c = ps->nodes[k[i]].cls;
        int b = c[0] ? __builtin_ctzll(c[0]) : 64 + __builtin_ctzll(c[1]);
        lit[i - from] = (char)b;
    }
    lit[to - from] = '\0';
    re->literal = 1;
    re->bol = from == 1;
    re->eol = to < n;
    re->lit = lit;
    re->nlit = (size_t)(to - from);
    return 1;
}

/* Whether an anchor sits under a '?', '*' or '+': glibc answers some of
 * those ("(^a)+b", "(a$)*") otherwise than the automaton, so regexec keeps them. */
static int anchor_repeated(const parser *ps, int id, int repeated)
{
    const node *nd = &ps->nodes[id];
    switch (nd->type) {
    case N_BOL:
    case N_EOL: return repeated;
    case N_CAT:
    case N_ALT:
        for (int i = 0; i < nd->count; i++)
            if (anchor_repeated(ps, ps->kids[nd->first + i], repeated))
                return 1;
        return 0;
    case N_QUEST:
    case N_STAR:
    case N_PLUS: return anchor_repeated(ps, ps->kids[nd->first], 1);
    default: return 0;
    }
}

int sigmix_fastre_compile(sigmix_fastre *re, const char *pattern, sigmix_arena *arena)
{
    memset(re, 0, sizeof *re);
    parser pst, *ps = &pst;
    ps->p = pattern;
    ps->nn = ps->nk = ps->depth = 0;
    ps->ok = 1;
    int root = parse_alt(ps);
    if (!ps->ok || *ps->p || anchor_repeated(ps, root, 0))
        return 0;
    int lit = as_literal(ps, root, re, arena);
    if (lit)
        return lit;
    prog g;
    g.n = 0;
    g.ok = 1;
    gen(&g, ps, root);
    int m = emit(&g, OP_MATCH);
    if (!g.ok)
        return 0;
    re->n = g.n;
    re->match = UINT64_C(1) << m;
    re->cls = sigmix_arena_alloc(arena, (size_t)g.n * 2 * sizeof *re->cls);
    re->close = sigmix_arena_alloc(arena, (size_t)g.n * 4 * sizeof *re->close);
    if (!re->cls || !re->close)
        return -1;
    for (int s = 0; s < g.n; s++) {
        if (g.op[s] == OP_CHAR)
            re->chars |= UINT64_C(1) << s;
        re->cls[2 * s] = g.cls[s][0];
        re->cls[2 * s + 1] = g.cls[s][1];
        for (int ctx = 0; ctx < 4; ctx++)
            re->close[ctx * g.n + s] = closure(&g, s, ctx);
    }
    return 1;
}

static int eq_fold(const char *s, const char *lit, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (fold((unsigned char)s[i]) != (unsigned char)lit[i])
            return 0;
    return 1;
}

int sigmix_fastre_search(const sigmix_fastre *re, const char *s, size_t n)
{
    if (re->literal) {
        size_t m = re->nlit;
        if (m > n)
            return 0;
        if (re->bol && re->eol)
            return m == n && eq_fold(s, re->lit, m);
        if (re->bol)
            return eq_fold(s, re->lit, m);
        if (re->eol)
            return eq_fold(s + n - m, re->lit, m);
        int first = (unsigned char)re->lit[0];
        for (size_t i = 0; i + m <= n; i++)
            if (fold((unsigned char)s[i]) == first && eq_fold(s + i + 1, re->lit + 1, m - 1))
                return 1;
        return 0;
    }
    int ns = re->n;
    const uint64_t *close = re->close;
    uint64_t cur = close[(1 | (n == 0 ? 2 : 0)) * ns];
    for (size_t i = 0; i < n; i++) {
        if (cur & re->match)
            return 1;
        unsigned c = (unsigned)fold((unsigned char)s[i]);
        int ctx = i + 1 == n ? 2 : 0;
        const uint64_t *cl = close + ctx * ns;
        uint64_t next = cl[0], live = cur & re->chars;
        while (live) {
            int t = __builtin_ctzll(live);
            live &= live - 1;
            if (c < 128 && (re->cls[2 * t + (c >> 6)] >> (c & 63) & 1))
                next |= cl[t + 1];
        }
        cur = next;
    }
    return (cur & re->match) != 0;
}
