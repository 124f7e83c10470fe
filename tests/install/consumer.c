/*
 * A program outside the tree, built with `pkg-config --cflags --libs sigmix`
 * against an installed libsigmix: reads a table and runs an audit.
 * Prints rows, columns and the audit's table count and first family status.
 */
#include <stdio.h>

#include <sigmix/sigmix.h>

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    if (sigmix_version_api() >> 16 != SIGMIX_API_VERSION_MAJOR)
        return 3;
    sigmix_table *t = NULL;
    sigmix_error err = { 0, "" };
    if (sigmix_table_read(argv[1], NULL, &t, &err)) {
        fprintf(stderr, "consumer: %s: %s\n", argv[1], err.message);
        return 1;
    }
    printf("rows=%zu cols=%zu\n", sigmix_table_rows(t), sigmix_table_cols(t));
    sigmix_audit *a = NULL;
    if (sigmix_audit_open(&a, NULL, &err) || sigmix_audit_add_table(a, "t", argv[1], t, &err)) {
        fprintf(stderr, "consumer: audit: %s\n", err.message);
        sigmix_table_free(&t);
        sigmix_audit_close(&a);
        return 1;
    }
    const sigmix_audit_result *r = sigmix_audit_result_at(a, 0);
    if (!r)
        return 1;
    /* The same words as the CLI's summary line, to compare with it. */
    printf("tables=%zu rows=%zu missing_families=%zu weak_families=%zu\n",
           sigmix_audit_count(a), r->rows, r->missing_families.n, r->weak_families.n);
    sigmix_audit_close(&a);
    sigmix_table_free(&t);
    return 0;
}
