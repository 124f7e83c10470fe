/* libFuzzer target: the jsonl reader over arbitrary bytes (in memory),
 * and its two-thread path against the serial one: with the part boundary
 * at a point the input picks, the same table or the same error message. */
#include <string.h>

#include "fuzz_text.h"

static int same_tables(const sigmix_table *a, const sigmix_table *b)
{
    if (sigmix_table_rows(a) != sigmix_table_rows(b) || sigmix_table_cols(a) != sigmix_table_cols(b))
        return 0;
    for (size_t c = 0; c < sigmix_table_cols(a); c++) {
        const sigmix_column *x = sigmix_table_col(a, c), *y = sigmix_table_col(b, c);
        if (strcmp(x->name, y->name) || x->kind != y->kind)
            return 0;
        for (size_t r = 0; r < sigmix_table_rows(a); r++) {
            if (!x->valid[r] != !y->valid[r])
                return 0;
            if (!x->valid[r])
                continue;
            if (sigmix_kind_is_numeric(x->kind) && memcmp(&x->f64[r], &y->f64[r], sizeof(double)))
                return 0;
            if (x->kind == SIGMIX_KIND_INT64 && x->i64[r] != y->i64[r])
                return 0;
            if ((x->kind == SIGMIX_KIND_STRING || x->kind == SIGMIX_KIND_JSON) &&
                (x->str[r].len != y->str[r].len || memcmp(x->str[r].ptr, y->str[r].ptr, x->str[r].len)))
                return 0;
        }
    }
    return 1;
}

static void split_vs_serial(const uint8_t *data, size_t size)
{
    sigmix_read_options o1, o2;
    sigmix_table *a = NULL, *b = NULL;
    sigmix_error ea = { 0 }, eb = { 0 };
    sigmix_read_options_default(&o1);
    o1.threads = 1;
    o2 = o1;
    o2.threads = 2;
    size_t split = size ? 1 + (size_t)data[size - 1] * size / 256 : 1;
    int ra = sigmix_jsonl_read_mem(data, size, &o1, &a, &ea);
    int rb = sigmix_jsonl_read_mem_split(data, size, &o2, split, &b, &eb);
    /* allocation-failure runs may fail one read and not the other */
    if (ra != SIGMIX_ENOMEM && rb != SIGMIX_ENOMEM &&
        (ra != rb || strcmp(ea.message, eb.message) || (!ra && !same_tables(a, b))))
        abort();
    sigmix_table_free(&a);
    sigmix_table_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    split_vs_serial(data, size);
    return fuzz_text_reader(sigmix_jsonl_read_mem, data, size);
}
