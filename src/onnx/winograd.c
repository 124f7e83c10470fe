/*
 * 3x3 stride-1 convolution by Winograd F(2x2, 3x3): each 2x2 output tile
 * needs 16 products per (in, out) channel pair instead of 36, done as 16
 * GEMM calls (gemm.c) [cout x cin] x [cin x tiles]. Input/output transforms are a
 * few additions per tile. Used for the saliency students' 3x3 layers,
 * where im2col + sgemm spent most of its time copying columns.
 */
#include <math.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "onnx/internal.h"

int sigmix_ox_wino_ok(const ox_node *n)
{
    const ox_win *w = &n->win;
    return n->op == OP_CONV && n->group == 1 && w->k[0] == 3 && w->k[1] == 3 && w->s[0] == 1 &&
           w->s[1] == 1 && w->d[0] == 1 && w->d[1] == 1 && n->cin >= 8;
}

/* U = G g G^T for every (o, c), stored as [16][cout][cin]. */
void sigmix_ox_wino_pack(const ox_node *n, float *u)
{
    size_t oc = (size_t)n->cout * (size_t)n->cin;
    for (int o = 0; o < n->cout; o++)
        for (int c = 0; c < n->cin; c++) {
            const float *g = n->w + ((size_t)o * n->cin + c) * 9;
            float t[4][3], r[4][4];
            for (int j = 0; j < 3; j++) { /* G g */
                t[0][j] = g[j];
                t[1][j] = 0.5f * (g[j] + g[3 + j] + g[6 + j]);
                t[2][j] = 0.5f * (g[j] - g[3 + j] + g[6 + j]);
                t[3][j] = g[6 + j];
            }
            for (int i = 0; i < 4; i++) { /* (G g) G^T */
                r[i][0] = t[i][0];
                r[i][1] = 0.5f * (t[i][0] + t[i][1] + t[i][2]);
                r[i][2] = 0.5f * (t[i][0] - t[i][1] + t[i][2]);
                r[i][3] = t[i][2];
            }
            for (int k = 0; k < 16; k++)
                u[(size_t)k * oc + (size_t)o * n->cin + c] = r[k / 4][k % 4];
        }
}

typedef struct wino_job {
    const ox_conv_args *a;
    ox_pool            *pool;
    int64_t             tw, th, rows; /* tiles per row, tile rows, tile rows per task */
} wino_job;

/* One B^T column: the four transformed values of input column j (0 outside). */
static void bt_col(const float *const pr[4], int64_t j, int64_t xn, float out[4])
{
    if (j < 0 || j >= xn) {
        out[0] = out[1] = out[2] = out[3] = 0.0f;
        return;
    }
    out[0] = pr[0][j] - pr[2][j];
    out[1] = pr[1][j] + pr[2][j];
    out[2] = pr[2][j] - pr[1][j];
    out[3] = pr[1][j] - pr[3][j];
}

/*
 * B^T along rows, straight from the input rows and written de-interleaved:
 * padded column 2k to e[.][k], 2k+1 to o[.][k], so the column stage makes
 * only unit-stride passes. Padded column j is input column j - xs (zero
 * outside [0, xn)). The restrict pointers let the compiler vectorise.
 */
static void row_transform(const float *const pr[4], float *const e[4], float *const o[4],
                          int64_t n2, int64_t xs, int64_t xn)
{
    const float *restrict p0 = pr[0], *restrict p1 = pr[1], *restrict p2 = pr[2],
                *restrict p3 = pr[3];
    float *restrict e0 = e[0], *restrict e1 = e[1], *restrict e2 = e[2], *restrict e3 = e[3];
    float *restrict o0 = o[0], *restrict o1 = o[1], *restrict o2 = o[2], *restrict o3 = o[3];
    int64_t lo = (xs + 1) / 2, hi = (xn + xs) / 2; /* both columns of pair k inside */
    lo = lo < n2 ? lo : n2;
    hi = hi < n2 ? hi : n2;
    hi = hi > lo ? hi : lo;
    int64_t k0 = lo;
#ifdef __SSE2__
    /* four column pairs at a time: transform 8 columns, then split even/odd */
    for (; k0 + 4 <= hi; k0 += 4) {
        int64_t a = 2 * k0 - xs;
        __m128 a0 = _mm_loadu_ps(p0 + a), b0 = _mm_loadu_ps(p0 + a + 4);
        __m128 a1 = _mm_loadu_ps(p1 + a), b1 = _mm_loadu_ps(p1 + a + 4);
        __m128 a2 = _mm_loadu_ps(p2 + a), b2 = _mm_loadu_ps(p2 + a + 4);
        __m128 a3 = _mm_loadu_ps(p3 + a), b3 = _mm_loadu_ps(p3 + a + 4);
        __m128 ta[4] = { _mm_sub_ps(a0, a2), _mm_add_ps(a1, a2), _mm_sub_ps(a2, a1),
                         _mm_sub_ps(a1, a3) };
        __m128 tb[4] = { _mm_sub_ps(b0, b2), _mm_add_ps(b1, b2), _mm_sub_ps(b2, b1),
                         _mm_sub_ps(b1, b3) };
        for (int i = 0; i < 4; i++) {
            _mm_storeu_ps(e[i] + k0, _mm_shuffle_ps(ta[i], tb[i], _MM_SHUFFLE(2, 0, 2, 0)));
            _mm_storeu_ps(o[i] + k0, _mm_shuffle_ps(ta[i], tb[i], _MM_SHUFFLE(3, 1, 3, 1)));
        }
    }
#endif
    for (int64_t k = k0; k < hi; k++) {
        int64_t a = 2 * k - xs;
        e0[k] = p0[a] - p2[a];
        e1[k] = p1[a] + p2[a];
        e2[k] = p2[a] - p1[a];
        e3[k] = p1[a] - p3[a];
        o0[k] = p0[a + 1] - p2[a + 1];
        o1[k] = p1[a + 1] + p2[a + 1];
        o2[k] = p2[a + 1] - p1[a + 1];
        o3[k] = p1[a + 1] - p3[a + 1];
    }
    for (int64_t k = 0; k < n2; k++) { /* the few pairs touching the padding */
        if (k == lo)
            k = hi;
        if (k >= n2)
            break;
        float ve[4], vo[4];
        bt_col(pr, 2 * k - xs, xn, ve);
        bt_col(pr, 2 * k + 1 - xs, xn, vo);
        for (int i = 0; i < 4; i++) {
            e[i][k] = ve[i];
            o[i][k] = vo[i];
        }
    }
}

/* ... then B along tiles (tile t covers columns 2t..2t+3): four unit-stride streams. */
static void col_transform(const float *restrict e, const float *restrict o, float *restrict v0,
                          size_t step, int64_t tw)
{
    float *restrict v1 = v0 + step, *restrict v2 = v1 + step, *restrict v3 = v2 + step;
    for (int64_t t = 0; t < tw; t++) {
        v0[t] = e[t] - e[t + 1];
        v1[t] = o[t] + e[t + 1];
        v2[t] = e[t + 1] - o[t];
        v3[t] = o[t] - o[t + 1];
    }
}

/*
 * V[k][c][t] = B^T d B for every tile of tile rows [ty0, ty0 + nty). The row
 * transform runs along whole (zero-padded) input rows and the column
 * transform along tiles, so both inner loops are plain vectorisable sweeps.
 */
static void input_transform(const wino_job *j, int64_t ty0, int64_t nty, float *v, float *rows)
{
    const ox_conv_args *a = j->a;
    int cin = a->n->cin;
    int64_t tw = j->tw, half = tw + 1, nt = nty * tw;
    /* scratch: 4 even and 4 odd transformed half-rows, then a zero row for the
     * rows above and below the input */
    float *e[4], *o[4], *zero = rows + 8 * half;
    for (int i = 0; i < 4; i++) {
        e[i] = rows + i * half;
        o[i] = rows + (4 + i) * half;
    }
    memset(zero, 0, sizeof(float) * (size_t)a->w);
    int64_t xs = a->pl, xn = a->w;
    for (int c = 0; c < cin; c++) {
        const float *x = a->x + (int64_t)c * a->h * a->w;
        for (int64_t ty = ty0; ty < ty0 + nty; ty++) {
            const float *pr[4];
            for (int i = 0; i < 4; i++) {
                int64_t yy = 2 * ty - a->pt + i;
                pr[i] = yy >= 0 && yy < a->h ? x + yy * a->w : zero;
            }
            row_transform(pr, e, o, half, xs, xn);
            float *vt = v + (size_t)c * nt + (ty - ty0) * tw;
            size_t step = (size_t)cin * nt;
            for (int i = 0; i < 4; i++)
                col_transform(e[i], o[i], vt + (4 * i) * step, step, tw);
        }
    }
}

static void out_cols(const float *restrict q0, size_t step, float *restrict r0,
                     float *restrict r1, int64_t tw)
{
    const float *restrict q1 = q0 + step, *restrict q2 = q1 + step, *restrict q3 = q2 + step;
    for (int64_t t = 0; t < tw; t++) {
        r0[t] = q0[t] + q1[t] + q2[t];
        r1[t] = q1[t] - q2[t] - q3[t];
    }
}

/*
 * Output row 0 is s0 + s1 + s2, row 1 is s1 - s2 - s3: here a + sign * (b + c),
 * for tile column 0 (a0, b0, c0) and 1 (a1, ...), written interleaved to d.
 * n1 tiles have both columns, n0 >= n1 have column 0.
 */
static void out_rows(const float *const r[4][2], int i, float bias, int relu, float *restrict d,
                     int64_t n0, int64_t n1)
{
    const float *restrict a0 = r[i][0], *restrict b0 = r[i + 1][0], *restrict c0 = r[i ? 3 : 2][0];
    const float *restrict a1 = r[i][1], *restrict b1 = r[i + 1][1], *restrict c1 = r[i ? 3 : 2][1];
    float sign = i ? -1.0f : 1.0f, lo = relu ? 0.0f : -INFINITY;
    int64_t t = 0;
#ifdef __SSE2__
    __m128 vs = _mm_set1_ps(sign), vb = _mm_set1_ps(bias), vl = _mm_set1_ps(lo);
    for (; t + 4 <= n1; t += 4) {
        __m128 y0 = _mm_add_ps(_mm_add_ps(_mm_loadu_ps(a0 + t),
                                          _mm_mul_ps(vs, _mm_add_ps(_mm_loadu_ps(b0 + t),
                                                                    _mm_loadu_ps(c0 + t)))), vb);
        __m128 y1 = _mm_add_ps(_mm_add_ps(_mm_loadu_ps(a1 + t),
                                          _mm_mul_ps(vs, _mm_add_ps(_mm_loadu_ps(b1 + t),
                                                                    _mm_loadu_ps(c1 + t)))), vb);
        if (relu) { /* without Relu, NaN must stay NaN: no max at all */
            y0 = _mm_max_ps(y0, vl);
            y1 = _mm_max_ps(y1, vl);
        }
        _mm_storeu_ps(d + 2 * t, _mm_unpacklo_ps(y0, y1));
        _mm_storeu_ps(d + 2 * t + 4, _mm_unpackhi_ps(y0, y1));
    }
#endif
    for (; t < n0; t++) {
        float v = a0[t] + sign * (b0[t] + c0[t]) + bias;
        d[2 * t] = v < lo ? lo : v;
        if (t < n1) {
            v = a1[t] + sign * (b1[t] + c1[t]) + bias;
            d[2 * t + 1] = v < lo ? lo : v;
        }
    }
}

/* Y = A^T m A, plus bias and the fused Relu; odd edges clipped. */
static void output_transform(const wino_job *j, int64_t ty0, int64_t nty, const float *mm,
                             float *rows)
{
    const ox_conv_args *a = j->a;
    const ox_node *n = a->n;
    int64_t tw = j->tw, nt = nty * tw;
    size_t step = (size_t)n->cout * nt;
    float *r[4][2];
    for (int i = 0; i < 4; i++)
        for (int k = 0; k < 2; k++)
            r[i][k] = rows + (2 * i + k) * tw;
    for (int o = 0; o < n->cout; o++) {
        float *y = a->y + (int64_t)o * a->oh * a->ow, b = n->b[o];
        for (int64_t ty = ty0; ty < ty0 + nty; ty++) {
            const float *m = mm + (size_t)o * nt + (ty - ty0) * tw;
            for (int i = 0; i < 4; i++) /* columns: m A */
                out_cols(m + (4 * i) * step, step, r[i][0], r[i][1], tw);
            for (int i = 0; i < 2; i++) { /* rows: A^T (m A) */
                int64_t oy = 2 * ty + i;
                if (oy >= a->oh)
                    break;
                float *d = y + oy * a->ow;
                out_rows((const float *const(*)[2])r, i, b, n->act == ACT_RELU, d,
                         (a->ow + 1) / 2, a->ow / 2);
            }
        }
    }
}

static void wino_task(void *ctx, int task, int thread)
{
    const wino_job *j = ctx;
    const ox_node *n = j->a->n;
    int64_t ty0 = (int64_t)task * j->rows, nty = j->th - ty0 < j->rows ? j->th - ty0 : j->rows;
    int64_t nt = nty * j->tw;
    size_t vn = 16 * (size_t)n->cin * (size_t)nt, mn = 16 * (size_t)n->cout * (size_t)nt;
    size_t rn = 8 * (size_t)(j->tw + 1) + (size_t)j->a->w; /* half rows + a zero row */
    float *v = sigmix_ox_scratch(j->pool, thread, vn + mn + rn);
    if (!v)
        return;
    float *m = v + vn, *rows = m + mn;
    input_transform(j, ty0, nty, v, rows);
    size_t oc = (size_t)n->cout * (size_t)n->cin;
    ox_gemm_fn f = sigmix_ox_pool_gemm(j->pool);
    for (int k = 0; k < 16; k++)
        sigmix_ox_sgemm(f, n->cout, (int)nt, n->cin, n->wino + k * oc, n->cin,
                        v + (size_t)k * n->cin * nt, (size_t)nt, m + (size_t)k * n->cout * nt,
                        (size_t)nt, 0);
    output_transform(j, ty0, nty, m, rows);
}

static wino_job wino_setup(ox_pool *p, const ox_conv_args *a, int threads)
{
    const ox_node *n = a->n;
    wino_job j = { a, p, (a->ow + 1) / 2, (a->oh + 1) / 2, 1 };
    int64_t target = 8192 / (n->cin + n->cout); /* tiles per task: V + M near L2 size */
    j.rows = target / j.tw > 1 ? target / j.tw : 1;
    if (threads > 1 && j.th / j.rows < 4 * threads)
        j.rows = j.th / (4 * threads) > 1 ? j.th / (4 * threads) : 1;
    if (j.rows > j.th)
        j.rows = j.th;
    return j;
}

size_t sigmix_ox_wino_scratch(const ox_conv_args *a, int threads)
{
    wino_job j = wino_setup(NULL, a, threads);
    size_t nt = (size_t)j.rows * (size_t)j.tw;
    return 16 * (size_t)(a->n->cin + a->n->cout) * nt + 8 * (size_t)(j.tw + 1) + (size_t)a->w;
}

void sigmix_ox_conv_wino(ox_pool *p, const ox_conv_args *a)
{
    wino_job j = wino_setup(p, a, sigmix_ox_pool_threads(p));
    sigmix_ox_parallel(p, wino_task, &j, (int)((j.th + j.rows - 1) / j.rows));
}
