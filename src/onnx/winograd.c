/*
 * 3x3 stride-1 convolution by Winograd F(2x2, 3x3): each 2x2 output tile
 * needs 16 products per (in, out) channel pair instead of 36, done as 16
 * sgemm calls [cout x cin] x [cin x tiles]. Input/output transforms are a
 * few additions per tile. Used for the saliency students' 3x3 layers,
 * where im2col + sgemm spent most of its time copying columns.
 */
#include <cblas.h>
#include <string.h>

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

/* B^T along rows: the restrict pointers let the compiler vectorise. */
static void row_transform(float *const pr[4], float *const sr[4], int64_t wp)
{
    const float *restrict p0 = pr[0], *restrict p1 = pr[1], *restrict p2 = pr[2],
                *restrict p3 = pr[3];
    float *restrict s0 = sr[0], *restrict s1 = sr[1], *restrict s2 = sr[2], *restrict s3 = sr[3];
    for (int64_t k = 0; k < wp; k++) {
        s0[k] = p0[k] - p2[k];
        s1[k] = p1[k] + p2[k];
        s2[k] = p2[k] - p1[k];
        s3[k] = p1[k] - p3[k];
    }
}

/* ... then B along tiles: four outputs per tile, each a contiguous stream. */
static void col_transform(const float *restrict r, float *restrict v0, size_t step, int64_t tw)
{
    float *restrict v1 = v0 + step, *restrict v2 = v1 + step, *restrict v3 = v2 + step;
    for (int64_t t = 0; t < tw; t++) {
        float a = r[2 * t], b = r[2 * t + 1], c = r[2 * t + 2], d = r[2 * t + 3];
        v0[t] = a - c;
        v1[t] = b + c;
        v2[t] = c - b;
        v3[t] = b - d;
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
    int64_t tw = j->tw, wp = 2 * tw + 2, nt = nty * tw;
    float *pr[4], *sr[4];
    for (int i = 0; i < 4; i++) {
        pr[i] = rows + i * wp;
        sr[i] = rows + (4 + i) * wp;
    }
    int64_t xs = a->pl, xn = a->w; /* input columns land at [pl, pl + w) of a padded row */
    if (xs + xn > wp)
        xn = wp - xs > 0 ? wp - xs : 0;
    for (int c = 0; c < cin; c++) {
        const float *x = a->x + (int64_t)c * a->h * a->w;
        for (int64_t ty = ty0; ty < ty0 + nty; ty++) {
            for (int i = 0; i < 4; i++) {
                int64_t yy = 2 * ty - a->pt + i;
                memset(pr[i], 0, sizeof(float) * (size_t)wp);
                if (yy >= 0 && yy < a->h && xn > 0)
                    memcpy(pr[i] + xs, x + yy * a->w, sizeof(float) * (size_t)xn);
            }
            row_transform(pr, sr, wp);
            float *vt = v + (size_t)c * nt + (ty - ty0) * tw;
            size_t step = (size_t)cin * nt;
            for (int i = 0; i < 4; i++)
                col_transform(sr[i], vt + (4 * i) * step, step, tw);
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

/* Output row 0 is s0 + s1 + s2, row 1 is s1 - s2 - s3: here a + sign * (b + c). */
static void out_rows(const float *restrict a, const float *restrict b, const float *restrict c,
                     float sign, float bias, int relu, float *restrict d, int64_t cnt)
{
    for (int64_t t = 0; t < cnt; t++) {
        float v = a[t] + sign * (b[t] + c[t]) + bias;
        d[2 * t] = relu && v < 0.0f ? 0.0f : v;
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
                for (int k = 0; k < 2; k++) /* tiles whose column k exists */
                    out_rows(r[i][k], r[i + 1][k], i ? r[3][k] : r[2][k], i ? -1.0f : 1.0f, b,
                             n->act == ACT_RELU, d + k, (a->ow - k + 1) / 2);
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
    size_t rn = 8 * (size_t)(2 * j->tw + 2);
    float *v = sigmix_ox_scratch(j->pool, thread, vn + mn + rn);
    if (!v)
        return;
    float *m = v + vn, *rows = m + mn;
    input_transform(j, ty0, nty, v, rows);
    size_t oc = (size_t)n->cout * (size_t)n->cin;
    for (int k = 0; k < 16; k++)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n->cout, (int)nt, n->cin, 1.0f,
                    n->wino + k * oc, n->cin, v + (size_t)k * n->cin * nt, (int)nt, 0.0f,
                    m + (size_t)k * n->cout * nt, (int)nt);
    output_transform(j, ty0, nty, m, rows);
}

void sigmix_ox_conv_wino(ox_pool *p, const ox_conv_args *a)
{
    const ox_node *n = a->n;
    wino_job j = { a, p, (a->ow + 1) / 2, (a->oh + 1) / 2, 1 };
    int64_t target = 16384 / (n->cin + n->cout); /* tiles per task: ~1 MiB of V and M */
    j.rows = target / j.tw > 1 ? target / j.tw : 1;
    int threads = sigmix_ox_pool_threads(p);
    if (threads > 1 && j.th / j.rows < 4 * threads)
        j.rows = j.th / (4 * threads) > 1 ? j.th / (4 * threads) : 1;
    if (j.rows > j.th)
        j.rows = j.th;
    sigmix_ox_parallel(p, wino_task, &j, (int)((j.th + j.rows - 1) / j.rows));
}
