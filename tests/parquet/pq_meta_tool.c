/*
 * Test helper for the pass-through tests:
 *   pq_meta_tool set IN OUT KEY VALUE FLOATCOL  - add footer key KEY=VALUE and
 *       give FLOATCOL the source type FLOAT (as a pyarrow float32 column)
 *   pq_meta_tool show IN  - print "meta KEY=VALUE" and "col NAME physical=N"
 */
#include <stdio.h>
#include <string.h>

#include "sigmix/table.h"

int main(int argc, char **argv)
{
    sigmix_table *t;
    sigmix_error err = { 0, "" };
    if (argc < 3 || sigmix_table_read(argv[2], NULL, &t, &err)) {
        fprintf(stderr, "pq_meta_tool: %s\n", err.message);
        return 2;
    }
    int r = 0;
    if (!strcmp(argv[1], "set") && argc == 7) {
        long c = sigmix_table_find(t, argv[6]);
        if (c < 0 || sigmix_table_set_meta(t, argv[4], argv[5]))
            r = 2;
        else
            sigmix_table_col_mut(t, (size_t)c)->pq = (sigmix_pq_type){ .present = 1, .physical = 4,
                                                                      .converted = -1 };
        if (!r && sigmix_table_write(t, argv[3], NULL, &err))
            r = 2;
    } else {
        for (size_t i = 0; i < sigmix_table_meta_count(t); i++) {
            const char *k, *v;
            sigmix_table_meta_at(t, i, &k, &v);
            printf("meta %s=%s\n", k, v ? v : "");
        }
        for (size_t i = 0; i < sigmix_table_cols(t); i++)
            printf("col %s physical=%d\n", sigmix_table_col(t, i)->name,
                   sigmix_table_col(t, i)->pq.physical);
    }
    sigmix_table_free(&t);
    return r;
}
