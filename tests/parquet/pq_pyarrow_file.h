/*
 * A Parquet file in pandas/pyarrow's layout (see test_pq_pyarrow.c for
 * what it holds), shared by the pyarrow-layout and allocation-failure
 * tests. Test code only.
 */
#ifndef SIGMIX_PQ_PYARROW_FILE_H
#define SIGMIX_PQ_PYARROW_FILE_H

#include "pq_build_multi.h"

enum { N = 600 };

static const char *const PANDAS =
    "{\"index_columns\": [\"__index_level_0__\"], \"column_indexes\": [], "
    "\"columns\": [{\"name\": \"f\", \"pandas_type\": \"float32\"}], "
    "\"creator\": {\"library\": \"pyarrow\", \"version\": \"25.0.0\"}}";

/* Page body: rep levels, def levels (v1, RLE with length) then values. */
static pb_page page(tw *body, const uint32_t *rep, int rbw, const uint32_t *def, int dbw,
                    size_t nv, const tw *vals, int enc)
{
    if (rep)
        pm_levels(body, rep, nv, rbw);
    if (def)
        pm_levels(body, def, nv, dbw);
    tw_bytes(body, vals->p, vals->n);
    return (pb_page){ .encoding = enc, .num_values = (int)nv, .data = body->p, .len = body->n };
}

static int list_len(size_t r) { return r % 5 == 0 ? -1 : (int)(r % 5) - 1; } /* -1 null */
static int elem_null(size_t r, int j) { return (r + (size_t)j) % 7 == 0; }
static double elem(size_t r, int j) { return (double)r + 0.25 * j + 0.125; }

static uint64_t uval(size_t r)
{
    return r == 3 ? 18446744073709551615ull : r == 4 ? 9223372036854775808ull : r;
}

static tw bodies[16], vals[16];
static pb_page pages[16];

/* Returns 0 when written. */
static int pyarrow_file(const char *path)
{
    static const pm_el schema[] = {
        { "__index_level_0__", 2, 0, 0, -1, 0, 0, 0 },
        { "scores", -1, 1, 1, 3, PM_LT_LIST, 0, 0 },
        { "list", -1, 2, 1, -1, 0, 0, 0 },
        { "element", 5, 1, 0, -1, 0, 0, 0 },
        { "meta", -1, 1, 2, -1, 0, 0, 0 },
        { "a", 2, 1, 0, -1, 0, 0, 0 },
        { "b", 6, 1, 0, 0, PM_LT_STRING, 0, 0 },
        { "u", 2, 1, 0, 14, PM_LT_INTEGER, 64, 0 },
        { "f", 4, 1, 0, -1, 0, 0, 0 },
        { "i8", 1, 1, 0, 15, PM_LT_INTEGER, 8, 1 },
        { "d", 1, 1, 0, 6, PM_LT_DATE, 0, 0 },
        { "ts", 2, 1, 0, 10, PM_LT_TIMESTAMP, 1, 2 },
        { "s", 6, 1, 0, 0, PM_LT_STRING, 0, 0 },
    };
    static const char *const paths[] = { "__index_level_0__", "scores.list.element", "meta.a",
                                         "meta.b", "u", "f", "i8", "d", "ts", "s" };
    static const int64_t rows[] = { N };
    const char *kv[] = { "pandas", PANDAS, "ARROW:schema", "/////base64", NULL, NULL };
    static uint32_t rep[2][N * 4], def[2][N * 4], d1[N], d2[N];
    pm_chunk ch[10];
    memset(ch, 0, sizeof ch);
    memset(bodies, 0, sizeof bodies);
    memset(vals, 0, sizeof vals);
    int np = 0;
    /* index: required INT64 */
    for (size_t r = 0; r < N; r++) {
        int64_t v = (int64_t)r * 2;
        tw_bytes(&vals[np], &v, 8);
    }
    pages[np] = page(&bodies[np], NULL, 0, NULL, 0, N, &vals[np], 0);
    ch[0] = (pm_chunk){ &pages[np], 1, N, 0, 0, 0, 0 };
    np++;
    /* scores: list<double>, two pages of 300 rows */
    for (int pg = 0; pg < 2; pg++) {
        size_t nv = 0;
        for (size_t r = (size_t)pg * 300; r < (size_t)pg * 300 + 300; r++) {
            int k = list_len(r);
            if (k <= 0) {
                rep[pg][nv] = 0;
                def[pg][nv++] = k < 0 ? 0 : 1;
                continue;
            }
            for (int j = 0; j < k; j++) {
                rep[pg][nv] = j ? 1 : 0;
                def[pg][nv++] = elem_null(r, j) ? 2 : 3;
                if (!elem_null(r, j)) {
                    double v = elem(r, j);
                    tw_bytes(&vals[np], &v, 8);
                }
            }
        }
        pages[np] = page(&bodies[np], rep[pg], 1, def[pg], 2, nv, &vals[np], 0);
        np++;
    }
    ch[1] = (pm_chunk){ &pages[np - 2], 2, 0, 0, 0, 0, 0 };
    /* meta.a, meta.b */
    for (size_t r = 0; r < N; r++) {
        d1[r] = r % 6 == 0 ? 0 : r % 6 == 1 ? 1 : 2;
        d2[r] = r % 6 == 0 ? 0 : 2;
        if (d1[r] == 2) {
            int64_t a = (int64_t)r * 10;
            tw_bytes(&vals[np], &a, 8);
        }
        if (d2[r] == 2) {
            char b[16];
            uint32_t n = (uint32_t)snprintf(b, sizeof b, "n%zu", r);
            tw_bytes(&vals[np + 1], &n, 4);
            tw_bytes(&vals[np + 1], b, n);
        }
    }
    pages[np] = page(&bodies[np], NULL, 0, d1, 2, N, &vals[np], 0);
    pages[np + 1] = page(&bodies[np + 1], NULL, 0, d2, 2, N, &vals[np + 1], 0);
    ch[2] = (pm_chunk){ &pages[np], 1, N, 0, 0, 0, 0 };
    ch[3] = (pm_chunk){ &pages[np + 1], 1, N, 0, 0, 0, 0 };
    np += 2;
    /* u (nulls at r % 50 == 7), f (nulls at r % 9 == 0), i8, d, ts */
    static uint32_t du[N], df[N], dall[N];
    for (size_t r = 0; r < N; r++) {
        du[r] = r % 50 != 7;
        df[r] = r % 9 != 0;
        dall[r] = 1;
        uint64_t u = uval(r);
        float f = (float)r * 0.5f + 0.1f;
        int32_t i8 = (int32_t)(r % 200) - 100, d = (int32_t)r - 300;
        int64_t ts = (int64_t)r * 1000001 + 1700000000000000;
        if (du[r])
            tw_bytes(&vals[np], &u, 8);
        if (df[r])
            tw_bytes(&vals[np + 1], &f, 4);
        tw_bytes(&vals[np + 2], &i8, 4);
        tw_bytes(&vals[np + 3], &d, 4);
        tw_bytes(&vals[np + 4], &ts, 8);
    }
    pages[np] = page(&bodies[np], NULL, 0, du, 1, N, &vals[np], 0);
    pages[np + 1] = page(&bodies[np + 1], NULL, 0, df, 1, N, &vals[np + 1], 0);
    for (int k = 2; k < 5; k++)
        pages[np + k] = page(&bodies[np + k], NULL, 0, dall, 1, N, &vals[np + k], 0);
    for (int k = 0; k < 5; k++)
        ch[4 + k] = (pm_chunk){ &pages[np + k], 1, N, 0, 0, 0, 0 };
    np += 5;
    /* s: dictionary page + RLE_DICTIONARY data page (bit width 2) */
    static const char *const words[] = { "alpha", "beta", "gamma" };
    for (int k = 0; k < 3; k++) {
        uint32_t n = (uint32_t)strlen(words[k]);
        tw_bytes(&vals[np], &n, 4);
        tw_bytes(&vals[np], words[k], n);
    }
    pages[np] = (pb_page){ .dict = 1, .num_values = 3, .data = vals[np].p, .len = vals[np].n };
    static uint32_t idx[N];
    for (size_t r = 0; r < N; r++)
        idx[r] = (uint32_t)(r % 3);
    tw_byte(&vals[np + 1], 2);
    for (size_t r = 0; r < N; r++) { /* one RLE run per value */
        tw_varint(&vals[np + 1], 2);
        tw_byte(&vals[np + 1], (uint8_t)idx[r]);
    }
    pages[np + 1] = page(&bodies[np + 1], NULL, 0, dall, 1, N, &vals[np + 1], 8);
    ch[9] = (pm_chunk){ &pages[np], 2, N, 0, 0, 0, 0 };
    np += 2;
    pm_spec s = { schema, 13, 9, 10, 1, rows, ch, kv, paths };
    uint8_t *p;
    size_t n = pm_build(&s, &p);
    int r = pb_write(path, p, n);
    free(p);
    for (int k = 0; k < np; k++) {
        free(bodies[k].p);
        free(vals[k].p);
    }
    return r;
}

#endif
