/*
 * Pairwise-complete Pearson matrix as a few OpenBLAS products.
 *
 * Columns are centred on their own finite mean and zero-filled where not
 * finite (X). For a pair (i, j) restricted to rows valid in both:
 *   n_ij   = M'M            (M: 0/1 validity of columns with gaps)
 *   Sx_i|j = (X'M)_ij,  Sxx_i|j = (X2'M)_ij   (X2 = X squared)
 *   Sxy    = (X'X)_ij
 * Columns without gaps need no M column: their sums over "rows valid in a
 * complete column" are their own totals. Rows are streamed in blocks so
 * memory stays O(block * p + p^2).
 *
 * Sums of squares about a subset mean lose precision when that mean sits far
 * from the full-column mean, and the null rule (std <= 1e-12) is a sharp
 * threshold: such pairs are recomputed exactly with sigmix_pearson_ref.
 */
#include "util/blas.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sigmix/common.h"
#include "stats/stats.h"
#include "util/prefault.h"

enum { BLOCK_ROWS = 1024 };

/* Recompute when the subset's sum of squares is below Sxx / CANCEL_RATIO. */
#define CANCEL_RATIO 1e3
/* Recompute when the subset std is within this relative band of the threshold. */
#define FLAT_BAND 1e-6

typedef struct acc {
    size_t  p, k, n;
    long   *kidx;      /* column -> index among gap columns, or -1 */
    double *sum;       /* p: sum of centred finite values */
    double *cxx;       /* p x p, column-major upper: X'X */
    double *a;         /* 2p x k: [X X2]'M */
    double *nn;        /* k x k upper: M'M */
} acc;

/*
 * Work space of the fast path, made once for runs of up to `cap` columns
 * (the strips reuse it for every block: allocating ~20 MB per block cost
 * more in page faults than the products). Memory: cap^2 * 32 bytes
 * (X'X, [X X2]'M, M'M) + ld * cap * 24 bytes (row block of X, X2, M)
 * + 16 n bytes, with ld = min(n, 1024) rows per block.
 */
typedef struct fast_ws {
    size_t  cap, ld;
    acc     c;
    size_t *gaps;
    double *xx, *mb, *scratch;
} fast_ws;

/* Idempotent: the caller frees once whether or not ws_alloc succeeded. */
static void ws_free(fast_ws *w)
{
    free(w->c.kidx);
    free(w->c.sum);
    free(w->c.cxx);
    free(w->c.a);
    free(w->c.nn);
    free(w->gaps);
    free(w->xx);
    free(w->mb);
    free(w->scratch);
    memset(w, 0, sizeof *w);
}

static int ws_alloc(fast_ws *w, size_t cap, size_t n)
{
    memset(w, 0, sizeof *w);
    if (cap > (size_t)1 << 20 || cap * cap > SIZE_MAX / sizeof(double) / 2 ||
        n > SIZE_MAX / sizeof(double) / 2 - 1)
        return SIGMIX_ENOMEM;
    cap = cap ? cap : 1;
    w->cap = cap;
    w->ld = n < BLOCK_ROWS ? (n ? n : 1) : BLOCK_ROWS;
    w->c.kidx = malloc(cap * sizeof *w->c.kidx);
    w->c.sum = malloc(cap * sizeof *w->c.sum);
    w->c.cxx = malloc(cap * cap * sizeof *w->c.cxx);
    w->c.a = malloc(2 * cap * cap * sizeof *w->c.a);
    w->c.nn = malloc(cap * cap * sizeof *w->c.nn);
    w->gaps = malloc(cap * sizeof *w->gaps);
    w->xx = sigmix_huge_alloc(w->ld * 2 * cap * sizeof *w->xx);
    w->mb = sigmix_huge_alloc(w->ld * cap * sizeof *w->mb);
    w->scratch = sigmix_huge_alloc((2 * n + 1) * sizeof *w->scratch);
    if (!w->c.kidx || !w->c.sum || !w->c.cxx || !w->c.a || !w->c.nn || !w->gaps || !w->xx ||
        !w->mb || !w->scratch)
        return SIGMIX_ENOMEM; /* the caller's ws_free releases what was made */
    return 0;
}

/* Fill one block of X (and X2, M) and add its products into c. */
static void acc_block(acc *c, const double *const *cols, const sigmix_colstats *st,
                      const size_t *gaps, size_t r0, size_t bn, double *xx, double *mb,
                      size_t ld)
{
    const size_t p = c->p, k = c->k;
    for (size_t i = 0; i < p; i++) {
        const double *src = cols[i] + r0;
        double *x = xx + i * ld, *x2 = xx + (p + i) * ld;
        double m = st[i].mean, s = 0.0;
        for (size_t r = 0; r < bn; r++) {
            double v = src[r];
            double d = isfinite(v) ? v - m : 0.0;
            x[r] = d;
            s += d;
        }
        c->sum[i] += s;
        if (k)
            for (size_t r = 0; r < bn; r++)
                x2[r] = x[r] * x[r];
    }
    for (size_t g = 0; g < k; g++) {
        const double *src = cols[gaps[g]] + r0;
        double *mcol = mb + g * ld;
        for (size_t r = 0; r < bn; r++)
            mcol[r] = isfinite(src[r]) ? 1.0 : 0.0;
    }
    sigmix_blas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, (int)p, (int)bn, 1.0, xx,
                (int)ld, 1.0, c->cxx, (int)p);
    if (k) {
        sigmix_blas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, (int)(2 * p), (int)k,
                    (int)bn, 1.0, xx, (int)ld, mb, (int)ld, 1.0, c->a, (int)(2 * p));
        sigmix_blas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, (int)k, (int)bn, 1.0, mb,
                    (int)ld, 1.0, c->nn, (int)k);
    }
}

/* Subset sums of column i over rows valid in column j (see file comment). */
static void side(const acc *c, size_t i, size_t j, double *sx, double *sxx)
{
    long kj = c->kidx[j];
    if (kj < 0) {
        *sx = c->sum[i];
        *sxx = c->cxx[i + i * c->p];
    } else {
        *sx = c->a[i + (size_t)kj * 2 * c->p];
        *sxx = c->a[c->p + i + (size_t)kj * 2 * c->p];
    }
}

static double pair_count(const acc *c, size_t i, size_t j)
{
    long ki = c->kidx[i], kj = c->kidx[j];
    if (ki < 0 && kj < 0)
        return (double)c->n;
    if (ki < 0)
        return c->nn[kj + kj * c->k];
    if (kj < 0)
        return c->nn[ki + ki * c->k];
    size_t lo = (size_t)(ki < kj ? ki : kj), hi = (size_t)(ki < kj ? kj : ki);
    return c->nn[lo + hi * c->k];
}

/*
 * Whether the fast sums can be trusted for one side: not when cancellation
 * ate the precision, and not near or below the flat threshold, where the
 * verdict must come from numpy-order sums (a constant column's std is pure
 * rounding noise, and that noise decides).
 */
static int side_ok(double ss, double sxx, double nn)
{
    double flat = SIGMIX_FLAT_STD * SIGMIX_FLAT_STD * nn;
    return ss * CANCEL_RATIO >= sxx && ss > flat * (1.0 + FLAT_BAND);
}

/* r for pair i < j from the accumulators; NAN for null; *exact = 1 if unsure. */
static double fast_pair(const acc *c, const sigmix_colstats *st, size_t i, size_t j, int *exact)
{
    *exact = 0;
    double nn = pair_count(c, i, j);
    if (nn < 3.0)
        return NAN;
    if (c->kidx[i] < 0 && c->kidx[j] < 0 &&
        (!(st[i].std > SIGMIX_FLAT_STD) || !(st[j].std > SIGMIX_FLAT_STD)))
        return NAN; /* same rows as the column stats: their exact std decides */
    double sxi, sxxi, sxj, sxxj;
    side(c, i, j, &sxi, &sxxi);
    side(c, j, i, &sxj, &sxxj);
    double ssi = sxxi - sxi * (sxi / nn), ssj = sxxj - sxj * (sxj / nn);
    if (!side_ok(ssi, sxxi, nn) || !side_ok(ssj, sxxj, nn)) {
        *exact = 1;
        return NAN;
    }
    double cov = c->cxx[i + j * c->p] - sxi * (sxj / nn);
    return sigmix_corr_from_sums(cov, ssi, ssj);
}

/* The screening matrix of p <= w->cap columns (see stats.h). */
static void fast_run(fast_ws *w, const double *const *cols, size_t p, size_t n,
                     const sigmix_colstats *stats, double *out)
{
    for (size_t i = 0; i < p * p; i++)
        out[i] = NAN;
    if (p < 2 || n < 3)
        return;
    acc *c = &w->c;
    size_t k = 0;
    for (size_t i = 0; i < p; i++) {
        c->kidx[i] = stats[i].n_finite < n ? (long)k : -1;
        if (stats[i].n_finite < n)
            w->gaps[k++] = i;
    }
    c->p = p;
    c->k = k;
    c->n = n;
    memset(c->sum, 0, p * sizeof *c->sum);
    memset(c->cxx, 0, p * p * sizeof *c->cxx);
    memset(c->a, 0, 2 * p * (k ? k : 1) * sizeof *c->a);
    memset(c->nn, 0, (k ? k : 1) * (k ? k : 1) * sizeof *c->nn);
    for (size_t r0 = 0; r0 < n; r0 += w->ld) {
        size_t bn = n - r0 < w->ld ? n - r0 : w->ld;
        acc_block(c, cols, stats, w->gaps, r0, bn, w->xx, w->mb, w->ld);
    }
    for (size_t i = 0; i < p; i++) {
        for (size_t j = i + 1; j < p; j++) {
            int exact;
            double r = fast_pair(c, stats, i, j, &exact);
            out[i * p + j] = exact ? sigmix_pearson_ref(cols[i], cols[j], n, w->scratch) : r;
        }
    }
}

int sigmix_pearson_matrix_fast(const double *const *cols, size_t p, size_t n,
                               const sigmix_colstats *stats, double *out)
{
    fast_ws w;
    sigmix_colstats *own = NULL;
    int rc = ws_alloc(&w, p, n);
    if (!rc && !stats) {
        own = malloc((p ? p : 1) * sizeof *own);
        if (!own)
            rc = SIGMIX_ENOMEM;
        for (size_t i = 0; own && i < p; i++)
            sigmix_column_stats(cols[i], n, w.scratch, &own[i]);
        stats = own;
    }
    if (!rc)
        fast_run(&w, cols, p, n, stats, out);
    ws_free(&w);
    free(own);
    return rc;
}

/*
 * Small tables take the exact path for the screen (sigmix_pearson_pair,
 * the reference's bits in one pass per complete pair): it costs little
 * there and needs no BLAS work buffers.
 */
#define SMALL_WORK 4e6

static void screen_exact(const double *const *cols, const sigmix_colstats *st, size_t p,
                         size_t n, double *scratch, double *out)
{
    for (size_t i = 0; i < p * p; i++)
        out[i] = NAN;
    for (size_t i = 0; i < p; i++)
        for (size_t j = i + 1; j < p; j++)
            out[i * p + j] = sigmix_pearson_pair(cols[i], &st[i], cols[j], &st[j], n, scratch);
}

size_t sigmix_pearson_strip_rows(size_t p)
{
    size_t b = p ? SIGMIX_STRIP_BYTES / (p * sizeof(double)) : 1;
    return b < 1 ? 1 : b > SIGMIX_BLOCK_COLS ? SIGMIX_BLOCK_COLS : b;
}

/* The whole screen of p columns into out (p x p): one strip, one block. */
static int screen_all(const double *const *cols, size_t p, size_t n,
                      const sigmix_colstats *stats, int small, double *out)
{
    fast_ws w;
    int rc = ws_alloc(&w, small ? 1 : p, n);
    if (!rc && small)
        screen_exact(cols, stats, p, n, w.scratch, out);
    else if (!rc)
        fast_run(&w, cols, p, n, stats, out);
    ws_free(&w);
    return rc;
}

static int is_small(size_t p, size_t n)
{
    return (double)n * (double)p * (double)p <= SMALL_WORK;
}

int sigmix_pearson_screen(const double *const *cols, size_t p, size_t n,
                          const sigmix_colstats *stats, double *out)
{
    if (p > sigmix_pearson_strip_rows(p))
        return SIGMIX_EINVAL;
    return screen_all(cols, p, n, stats, is_small(p, n), out);
}

/*
 * Strip [i0, i0 + bi) against every column block [j0, j0 + bj), j0 >= i0:
 * the screen runs on the union of the two blocks (at most 2 * BLOCK_COLS
 * columns), so its buffers never depend on p. Computing the union's own
 * diagonal blocks again wastes at most half the products; the simplicity
 * keeps one code path for every block. A table that is one strip (the
 * common case) is screened straight into the strip.
 */
int sigmix_pearson_strips(const double *const *cols, size_t p, size_t n,
                          const sigmix_colstats *stats, sigmix_strip_fn fn, void *cookie)
{
    const size_t b = sigmix_pearson_strip_rows(p), bc = SIGMIX_BLOCK_COLS;
    const int small = is_small(p, n);
    if (p < 2)
        return 0;
    if (b >= p) {
        double *strip = malloc(p * p * sizeof *strip);
        int rc = strip ? screen_all(cols, p, n, stats, small, strip) : SIGMIX_ENOMEM;
        if (!rc)
            rc = fn(cookie, 0, p, strip);
        free(strip);
        return rc;
    }
    const size_t cap = 2 * bc < p ? 2 * bc : p;
    fast_ws w;
    int rc = ws_alloc(&w, small ? 1 : cap, n);
    double *strip = malloc(b * p * sizeof *strip);
    double *sub = malloc(cap * cap * sizeof *sub);
    const double **sc = malloc(cap * sizeof *sc);
    sigmix_colstats *ss = malloc(cap * sizeof *ss);
    if (!strip || !sub || !sc || !ss)
        rc = SIGMIX_ENOMEM;
    for (size_t i0 = 0; !rc && i0 < p; i0 += b) {
        size_t bi = p - i0 < b ? p - i0 : b;
        for (size_t k = 0; k < bi * p; k++)
            strip[k] = NAN;
        for (size_t j0 = i0; !rc && j0 < p; j0 += bc) {
            /* The strip's rows come first in the union; a block that overlaps
             * them contributes only its columns past the strip. */
            size_t jb = j0 < i0 + bi ? i0 + bi : j0, je = j0 + bc < p ? j0 + bc : p;
            if (jb >= je && j0 != i0)
                continue;
            size_t m = 0;
            for (size_t k = 0; k < bi; k++, m++) {
                sc[m] = cols[i0 + k];
                ss[m] = stats[i0 + k];
            }
            for (size_t j = jb; j < je; j++, m++) {
                sc[m] = cols[j];
                ss[m] = stats[j];
            }
            if (small)
                screen_exact(sc, ss, m, n, w.scratch, sub);
            else
                fast_run(&w, sc, m, n, ss, sub);
            for (size_t a = 0; a < bi; a++) {
                for (size_t c = j0 == i0 ? a + 1 : bi; c < m; c++) {
                    size_t j = c < bi ? i0 + c : jb + (c - bi);
                    strip[a * p + j] = sub[a * m + c];
                }
            }
        }
        if (!rc)
            rc = fn(cookie, i0, bi, strip);
    }
    ws_free(&w);
    free(strip);
    free(sub);
    free(sc);
    free(ss);
    return rc;
}

int sigmix_pearson_matrix_ref(const double *const *cols, size_t p, size_t n, double *out)
{
    double *scratch = malloc((2 * n + 1) * sizeof *scratch);
    if (!scratch)
        return SIGMIX_ENOMEM;
    for (size_t i = 0; i < p * p; i++)
        out[i] = NAN;
    for (size_t i = 0; i < p; i++)
        for (size_t j = i + 1; j < p; j++)
            out[i * p + j] = sigmix_pearson_ref(cols[i], cols[j], n, scratch);
    free(scratch);
    return 0;
}

int sigmix_pearson_matrix(const double *const *cols, size_t p, size_t n,
                          const sigmix_colstats *stats, double *out)
{
    double *scratch = malloc((2 * n + 1) * sizeof *scratch);
    if (!scratch)
        return SIGMIX_ENOMEM;
    for (size_t i = 0; i < p * p; i++)
        out[i] = NAN;
    for (size_t i = 0; i < p; i++)
        for (size_t j = i + 1; j < p; j++)
            out[i * p + j] = sigmix_pearson_pair(cols[i], &stats[i], cols[j], &stats[j], n, scratch);
    free(scratch);
    return 0;
}
