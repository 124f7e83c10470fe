/*
 * ../shared/parquet-writers: every file (DuckDB with each codec, row
 * group size and page version; one pandas/pyarrow file) reads back equal
 * to its ground-truth JSONL, value by value. Also reads a partitioned
 * folder built from two of them (key=value folders -> string columns),
 * column selection, and thread counts 1 and 2 giving the same table.
 * Exit 77 when ../shared is absent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "pq_testlib.h"

static int failures;

#define FAIL(...) do { printf("FAIL %s: ", name); printf(__VA_ARGS__); printf("\n"); failures++; } while (0)

typedef struct rows {
    jv    *v;
    size_t n;
} rows;

static int load_jsonl(const char *path, rows *out)
{
    char *text = slurp(path, NULL);
    size_t cap = 0;
    out->v = NULL;
    out->n = 0;
    if (!text)
        return -1;
    for (char *line = text, *next; *line; line = next) {
        next = strchr(line, '\n');
        next = next ? next + 1 : line + strlen(line);
        if (*line == '\n')
            continue;
        if (out->n == cap)
            out->v = realloc(out->v, (cap = cap ? cap * 2 : 1024) * sizeof *out->v);
        if (!jv_parse(line, &out->v[out->n++]))
            return -1;
    }
    free(text);
    return 0;
}

static void free_rows(rows *r)
{
    for (size_t i = 0; i < r->n; i++)
        jv_free(&r->v[i]);
    free(r->v);
}

/* Rows [row0, row0 + exp->n) of t equal the expected rows, every key. */
static void compare(const char *name, const sigmix_table *t, const rows *exp, size_t row0)
{
    size_t bad = 0;
    if (exp->n && sigmix_table_cols(t) < exp->v[0].n)
        FAIL("%zu columns, expected %zu", sigmix_table_cols(t), exp->v[0].n);
    for (size_t r = 0; r < exp->n && row0 + r < sigmix_table_rows(t); r++) {
        const jv *o = &exp->v[r];
        for (size_t k = 0; k < o->n; k++) {
            long at = sigmix_table_find(t, o->keys[k]);
            char why[256];
            if (at < 0) {
                if (bad++ < 5)
                    FAIL("column '%s' missing", o->keys[k]);
                continue;
            }
            if (pq_value_cmp(&o->items[k], sigmix_table_col(t, (size_t)at), row0 + r, why,
                             sizeof why) && bad++ < 5)
                FAIL("row %zu column '%s': %s", r, o->keys[k], why);
        }
    }
}

static sigmix_table *read_table(const char *path, int threads, const char *const *cols,
                                size_t ncols, sigmix_error *err)
{
    sigmix_read_options o;
    sigmix_table *t = NULL;
    sigmix_read_options_default(&o);
    o.threads = threads;
    o.columns = cols;
    o.ncolumns = ncols;
    memset(err, 0, sizeof *err);
    sigmix_table_read(path, &o, &t, err);
    return t;
}

static int same_tables(const sigmix_table *a, const sigmix_table *b)
{
    if (sigmix_table_rows(a) != sigmix_table_rows(b) || sigmix_table_cols(a) != sigmix_table_cols(b))
        return 0;
    for (size_t c = 0; c < sigmix_table_cols(a); c++) {
        const sigmix_column *x = sigmix_table_col(a, c), *y = sigmix_table_col(b, c);
        if (x->kind != y->kind || strcmp(x->name, y->name))
            return 0;
        for (size_t r = 0; r < sigmix_table_rows(a); r++) {
            if (x->valid[r] != y->valid[r])
                return 0;
            if (x->f64 && memcmp(&x->f64[r], &y->f64[r], 8))
                return 0;
            if (x->str && x->valid[r] &&
                (x->str[r].len != y->str[r].len || memcmp(x->str[r].ptr, y->str[r].ptr, x->str[r].len)))
                return 0;
        }
    }
    return 1;
}

/* Folder: part=a/x.parquet, part=b%2Fc/nested/y.parquet, _SUCCESS. */
static void check_folder(const char *dir, const rows *feat)
{
    const char *name = "partitioned folder";
    char tmpl[] = "/tmp/sigmix-pqdir-XXXXXX";
    char *root = mkdtemp(tmpl);
    if (!root) {
        FAIL("mkdtemp");
        return;
    }
    char *a = path_join(root, "part=a"), *b = path_join(root, "part=b%2Fc");
    char *bn = path_join(b, "nested"), *fa = path_join(a, "x.parquet");
    char *fb = path_join(bn, "y.parquet"), *succ = path_join(root, "_SUCCESS");
    char *src1 = path_join(dir, "duckdb_snappy.parquet"), *src2 = path_join(dir, "duckdb_v2_zstd.parquet");
    mkdir(a, 0700);
    mkdir(b, 0700);
    mkdir(bn, 0700);
    if (symlink(src1, fa) || symlink(src2, fb)) {
        FAIL("symlink");
    } else {
        FILE *f = fopen(succ, "w");
        if (f)
            fclose(f);
        sigmix_error err;
        sigmix_table *t = read_table(root, 2, NULL, 0, &err);
        if (!t) {
            FAIL("read failed: %s", err.message);
        } else {
            if (sigmix_table_rows(t) != 2 * feat->n)
                FAIL("%zu rows, expected %zu", sigmix_table_rows(t), 2 * feat->n);
            compare(name, t, feat, 0);
            compare(name, t, feat, feat->n);
            long p = sigmix_table_find(t, "part");
            const sigmix_column *c = p >= 0 ? sigmix_table_col(t, (size_t)p) : NULL;
            if (!c || c->kind != SIGMIX_KIND_STRING || strcmp(c->str[0].ptr, "a") ||
                strcmp(c->str[feat->n].ptr, "b/c"))
                FAIL("partition column 'part' wrong");
            sigmix_table_free(&t);
        }
        /* Selecting a file column and the partition key. */
        const char *cols[] = { "mos", "part" };
        t = read_table(root, 1, cols, 2, &err);
        if (!t || sigmix_table_cols(t) != 2 || sigmix_table_find(t, "mos") != 0)
            FAIL("column selection in a folder: %s", t ? "wrong columns" : err.message);
        sigmix_table_free(&t);
    }
    unlink(fa);
    unlink(fb);
    unlink(succ);
    rmdir(bn);
    rmdir(a);
    rmdir(b);
    rmdir(root);
    free(a); free(b); free(bn); free(fa); free(fb); free(succ); free(src1); free(src2);
}

int main(void)
{
    const char *shared = getenv("SIGMIX_SHARED");
    if (!shared) {
        printf("SKIP: SIGMIX_SHARED not set\n");
        return 77;
    }
    char *dir = path_join(shared, "parquet-writers");
    char *mpath = path_join(dir, "manifest.json");
    char *mtext = slurp(mpath, NULL);
    if (!mtext) {
        printf("SKIP: %s absent\n", mpath);
        return 77;
    }
    jv m;
    jv_parse(mtext, &m);
    const jv *files = jv_get(&m, "files");
    rows feat, pya;
    char *fp = path_join(dir, "feat.jsonl"), *pp = path_join(dir, "pyarrow_features.jsonl");
    if (!files || load_jsonl(fp, &feat) || load_jsonl(pp, &pya)) {
        printf("FAIL: cannot load the ground truth\n");
        return 1;
    }
    for (size_t i = 0; i < files->n; i++) {
        const char *name = jv_get(&files->items[i], "file")->s;
        char *path = path_join(dir, name);
        int is_pya = strstr(name, "pyarrow") != NULL;
        const rows *exp = is_pya ? &pya : &feat;
        sigmix_error err;
        sigmix_table *t1 = read_table(path, 1, NULL, 0, &err);
        sigmix_table *t2 = read_table(path, 2, NULL, 0, &err);
        if (!t1 || !t2) {
            FAIL("read failed: %s", err.message);
        } else {
            if (sigmix_table_rows(t1) != exp->n)
                FAIL("%zu rows, expected %zu", sigmix_table_rows(t1), exp->n);
            compare(name, t1, exp, 0);
            if (!same_tables(t1, t2))
                FAIL("1 and 2 threads disagree");
            printf("ok   %s: %zu rows x %zu columns\n", name, sigmix_table_rows(t1),
                   sigmix_table_cols(t1));
        }
        sigmix_table_free(&t1);
        sigmix_table_free(&t2);
        /* Column selection reads only the named columns, in file order. */
        if (!is_pya) {
            const char *cols[] = { "mos", "src", "no_such_column" };
            sigmix_table *t = read_table(path, 0, cols, 3, &err);
            if (!t || sigmix_table_cols(t) != 2 || sigmix_table_find(t, "src") != 0 ||
                sigmix_table_find(t, "mos") != 1)
                FAIL("column selection: %s", t ? "wrong columns" : err.message);
            else
                for (size_t r = 0; r < exp->n; r++) {
                    char why[256];
                    if (pq_value_cmp(jv_get(&exp->v[r], "mos"), sigmix_table_col(t, 1), r, why,
                                     sizeof why)) {
                        FAIL("selected column 'mos' row %zu: %s", r, why);
                        break;
                    }
                }
            sigmix_table_free(&t);
        }
        free(path);
    }
    check_folder(dir, &feat);
    free_rows(&feat);
    free_rows(&pya);
    jv_free(&m);
    free(mtext);
    free(mpath);
    free(dir);
    free(fp);
    free(pp);
    printf("%d failures\n", failures);
    return failures ? 1 : 0;
}
