/*
 * gen_audit_table ROWS PATH [POOLED]: write the benchmark feature table (see
 * gen_common.h), keeping only the first POOLED pooled columns (default all
 * 96) so that one generator makes tables of several widths. .jsonl and .csv are streamed directly; any other extension
 * (e.g. .parquet) builds the table in memory and goes through
 * sigmix_table_write, so new writers are picked up without changes here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_common.h"
#include "sigmix/table.h"

static int ends_with(const char *s, const char *ext)
{
    size_t n = strlen(s), e = strlen(ext);
    return n >= e && !strcmp(s + n - e, ext);
}

static void num_text(FILE *f, double v, const char *null)
{
    if (isnan(v))
        fputs(null, f);
    else if (v == (double)(long long)v && fabs(v) < 1e15)
        fprintf(f, "%lld", (long long)v);
    else
        fprintf(f, "%.17g", v);
}

static size_t keep_pooled = GEN_NBASE * GEN_NPOOL;

/* Numeric column k is written unless it is a pooled column past keep_pooled. */
static int kept(size_t k)
{
    return k < keep_pooled || k >= GEN_NBASE * GEN_NPOOL;
}

static int write_text(size_t rows, const char *path, int csv)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return 1;
    static char buf[1 << 20];
    setvbuf(f, buf, _IOFBF, sizeof buf);
    char names[GEN_NNUM][48], str[GEN_NSTR][64];
    double num[GEN_NNUM];
    for (size_t k = 0; k < GEN_NNUM; k++)
        gen_name(k, names[k], sizeof names[k]);
    if (csv) {
        for (size_t s = 0; s < GEN_NSTR; s++)
            fprintf(f, "%s,", gen_strings[s]);
        for (size_t k = 0; k < GEN_NNUM; k++)
            if (kept(k))
                fprintf(f, "%s%c", names[k], k + 1 < GEN_NNUM ? ',' : '\n');
    }
    for (size_t r = 0; r < rows; r++) {
        gen_row(r, num, str);
        if (csv) {
            for (size_t s = 0; s < GEN_NSTR; s++)
                fprintf(f, "%s,", str[s]);
            for (size_t k = 0; k < GEN_NNUM; k++) {
                if (!kept(k))
                    continue;
                num_text(f, num[k], "");
                fputc(k + 1 < GEN_NNUM ? ',' : '\n', f);
            }
        } else {
            fputc('{', f);
            for (size_t s = 0; s < GEN_NSTR; s++)
                fprintf(f, "\"%s\": \"%s\", ", gen_strings[s], str[s]);
            for (size_t k = 0; k < GEN_NNUM; k++) {
                if (!kept(k))
                    continue;
                fprintf(f, "\"%s\": ", names[k]);
                num_text(f, num[k], "null");
                fputs(k + 1 < GEN_NNUM ? ", " : "}\n", f);
            }
        }
    }
    int bad = ferror(f);
    return fclose(f) || bad;
}

static int write_table(size_t rows, const char *path)
{
    sigmix_table *t;
    sigmix_error err = { 0, "" };
    char name[48], str[GEN_NSTR][64];
    double num[GEN_NNUM];
    if (sigmix_table_create(&t) || sigmix_table_resize(t, rows))
        return 1;
    for (size_t s = 0; s < GEN_NSTR; s++)
        sigmix_table_add_column(t, gen_strings[s], SIGMIX_KIND_STRING, NULL);
    size_t col[GEN_NNUM], ncol = GEN_NSTR;
    for (size_t k = 0; k < GEN_NNUM; k++) {
        if (!kept(k))
            continue;
        gen_name(k, name, sizeof name);
        sigmix_table_add_column(t, name, SIGMIX_KIND_DOUBLE, NULL);
        col[k] = ncol++;
    }
    for (size_t r = 0; r < rows; r++) {
        gen_row(r, num, str);
        for (size_t s = 0; s < GEN_NSTR; s++)
            if (sigmix_table_set_string(t, s, r, str[s], strlen(str[s])))
                return 1;
        for (size_t k = 0; k < GEN_NNUM; k++)
            if (kept(k) && !isnan(num[k]))
                sigmix_table_set_double(t, col[k], r, num[k]);
    }
    int rc = sigmix_table_write(t, path, NULL, &err);
    if (rc)
        fprintf(stderr, "gen_audit_table: %s: %s\n", path, err.message);
    sigmix_table_free(&t);
    return rc != 0;
}

int main(int argc, char **argv)
{
    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: gen_audit_table ROWS PATH(.jsonl|.csv|other table format) [POOLED]\n");
        return 2;
    }
    if (argc == 4 && strtoull(argv[3], NULL, 10) < keep_pooled)
        keep_pooled = strtoull(argv[3], NULL, 10);
    size_t rows = strtoull(argv[1], NULL, 10);
    const char *path = argv[2];
    int rc = ends_with(path, ".jsonl") ? write_text(rows, path, 0)
           : ends_with(path, ".csv")   ? write_text(rows, path, 1)
                                       : write_table(rows, path);
    if (rc)
        fprintf(stderr, "gen_audit_table: cannot write %s\n", path);
    return rc ? 1 : 0;
}
