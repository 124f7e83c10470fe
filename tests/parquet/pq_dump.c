/*
 * Debug helper (not a test): print a table read by sigmix as JSON lines,
 * one object per row, with the column kinds on stderr. Until `sigmix cat`
 * lands this is how to look inside a file: pq_dump FILE [COLUMNS...].
 */
#include <stdio.h>

#include "sigmix/table.h"
#include "util/jsonw.h"

static void warn(void *cookie, const char *msg)
{
    (void)cookie;
    fprintf(stderr, "warning: %s\n", msg);
}

int main(int argc, char **argv)
{
    sigmix_read_options o;
    sigmix_table *t = NULL;
    sigmix_error err = { 0, "" };
    if (argc < 2)
        return 2;
    sigmix_read_options_default(&o);
    o.warn = warn;
    if (argc > 2) {
        o.columns = (const char *const *)(argv + 2);
        o.ncolumns = (size_t)(argc - 2);
    }
    if (sigmix_table_read(argv[1], &o, &t, &err)) {
        fprintf(stderr, "pq_dump: %s: %s\n", argv[1], err.message);
        return 2;
    }
    for (size_t c = 0; c < sigmix_table_cols(t); c++)
        fprintf(stderr, "column %s kind %d flags %u\n", sigmix_table_col(t, c)->name,
                (int)sigmix_table_col(t, c)->kind, sigmix_table_col(t, c)->flags);
    sigmix_jsonw w;
    sigmix_jw_init(&w, stdout, 0);
    for (size_t r = 0; r < sigmix_table_rows(t); r++) {
        sigmix_jw_obj_begin(&w);
        for (size_t c = 0; c < sigmix_table_cols(t); c++) {
            const sigmix_column *col = sigmix_table_col(t, c);
            sigmix_jw_key(&w, col->name);
            if (!col->valid[r])
                sigmix_jw_null(&w);
            else if (col->kind == SIGMIX_KIND_INT64)
                sigmix_jw_int(&w, col->i64[r]);
            else if (col->kind == SIGMIX_KIND_BOOL)
                sigmix_jw_bool(&w, col->f64[r] != 0);
            else if (col->kind == SIGMIX_KIND_DOUBLE)
                sigmix_jw_double(&w, col->f64[r]);
            else
                sigmix_jw_strn(&w, col->str[r].ptr, col->str[r].len);
        }
        sigmix_jw_obj_end(&w);
        fputc('\n', stdout);
        sigmix_jw_init(&w, stdout, 0);
    }
    sigmix_table_free(&t);
    return 0;
}
