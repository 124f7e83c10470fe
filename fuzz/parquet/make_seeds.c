/*
 * Writes the seed corpus of fuzz_parquet (small files made with the
 * test-side builder, one per feature: plain, dictionary, nulls in v1 and
 * v2 pages, booleans, strings, delta encodings, INT96, codecs, CRCs), and
 * a file in pandas/pyarrow's layout (3-level LIST with `element` over two
 * pages, optional struct fields, UINT_64 past 2^63, FLOAT, INT8, DATE,
 * TIMESTAMP, a dictionary string, the pandas footer key).
 * Usage: make_seeds DIR. Run by hand; the seeds are committed.
 */
#include <stdio.h>

#include "../../tests/parquet/pq_build.h"
#include "../../tests/parquet/pq_pyarrow_file.h"

static void emit(const char *dir, const char *name, const pb_spec *s)
{
    char path[512];
    uint8_t *p;
    size_t n = pb_build(s, &p);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (pb_write(path, p, n))
        fprintf(stderr, "cannot write %s\n", path);
    free(p);
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    const char *d = argv[1];
    char pa[512];
    snprintf(pa, sizeof pa, "%s/pyarrow_layout.parquet", d);
    if (pyarrow_file(pa))
        fprintf(stderr, "cannot write %s\n", pa);
    int32_t ints[5] = { 7, -3, 2147483647, 0, -5 };
    pb_page plain = { .encoding = 0, .num_values = 5, .data = (const uint8_t *)ints,
                      .len = sizeof ints, .crc = 1 };
    pb_spec s = { .type = 1, .converted = -1, .num_rows = 5, .pages = &plain, .npages = 1 };
    emit(d, "plain_int32.parquet", &s);
    for (int c = 0; c < 3; c++) {
        static const int codecs[] = { 1, 2, 6 };
        static const char *names[] = { "snappy.parquet", "gzip.parquet", "zstd.parquet" };
        s.codec = codecs[c];
        emit(d, names[c], &s);
    }
    s.codec = 0;
    int32_t dict[3] = { 10, 20, 30 };
    uint8_t idx[] = { 2, 0x03, 0x92, 0x00 };
    pb_page dp[2] = {
        { .dict = 1, .num_values = 3, .data = (const uint8_t *)dict, .len = sizeof dict },
        { .encoding = 8, .num_values = 4, .data = idx, .len = sizeof idx },
    };
    pb_spec sd = { .type = 1, .converted = -1, .num_rows = 4, .pages = dp, .npages = 2, .codec = 1 };
    emit(d, "dict_snappy.parquet", &sd);
    uint8_t opt[22] = { 2, 0, 0, 0, 0x03, 0x09 };
    double dv[2] = { 1.5, -0.0 };
    memcpy(opt + 6, dv, sizeof dv);
    pb_page op = { .encoding = 0, .num_values = 4, .data = opt, .len = 22 };
    pb_spec so = { .type = 5, .optional = 1, .converted = -1, .num_rows = 4, .pages = &op, .npages = 1 };
    emit(d, "optional_double_v1.parquet", &so);
    pb_page op2 = { .v2 = 1, .def_len = 2, .num_nulls = 2, .encoding = 0, .num_values = 4,
                    .data = opt + 4, .len = 18 };
    so.pages = &op2;
    emit(d, "optional_double_v2.parquet", &so);
    uint8_t bools[] = { 4, 0, 0, 0, 3 << 1, 1, 0x03, 0x05 };
    pb_page bp = { .encoding = 3, .num_values = 11, .data = bools, .len = sizeof bools };
    pb_spec sb = { .type = 0, .converted = -1, .num_rows = 11, .pages = &bp, .npages = 1 };
    emit(d, "bool_rle.parquet", &sb);
    uint8_t strs[] = { 1, 0, 0, 0, 'a', 3, 0, 0, 0, 'x', 'y', 'z', 0, 0, 0, 0 };
    pb_page sp = { .encoding = 0, .num_values = 3, .data = strs, .len = sizeof strs };
    pb_spec ss = { .type = 6, .converted = 0, .num_rows = 3, .pages = &sp, .npages = 1 };
    emit(d, "utf8_plain.parquet", &ss);
    ss.converted = -1;
    emit(d, "binary_plain.parquet", &ss);
    /* DELTA_BINARY_PACKED: block 128, 4 miniblocks, 3 values from 5, min delta 1, widths 0 */
    uint8_t delta[] = { 0x80, 0x01, 4, 3, 10, 2, 0, 0, 0, 0 };
    pb_page dl = { .encoding = 5, .num_values = 3, .data = delta, .len = sizeof delta };
    pb_spec sdl = { .type = 2, .converted = -1, .num_rows = 3, .pages = &dl, .npages = 1 };
    emit(d, "delta_int64.parquet", &sdl);
    /* DELTA_LENGTH_BYTE_ARRAY: lengths 1,2 then "abc" */
    uint8_t dlba[] = { 0x80, 0x01, 4, 2, 2, 2, 0, 0, 0, 0, 'a', 'b', 'c' };
    pb_page dlb = { .encoding = 6, .num_values = 2, .data = dlba, .len = sizeof dlba };
    pb_spec sdlb = { .type = 6, .converted = 0, .num_rows = 2, .pages = &dlb, .npages = 1 };
    emit(d, "delta_length.parquet", &sdlb);
    uint8_t i96[24] = { 0 };
    i96[8] = 0x8c, i96[9] = 0x3d, i96[10] = 0x25; /* Julian day 2440588 */
    i96[20] = 0x8c, i96[21] = 0x3d, i96[22] = 0x25;
    i96[12] = 0x10;
    pb_page ip = { .encoding = 0, .num_values = 2, .data = i96, .len = sizeof i96 };
    pb_spec si = { .type = 3, .converted = -1, .num_rows = 2, .pages = &ip, .npages = 1 };
    emit(d, "int96.parquet", &si);
    /* Top-level repeated INT32 (a list): rows [1,2], [], [3]. */
    uint8_t rep[] = { 2, 0, 0, 0, 0x03, 0x02, 2, 0, 0, 0, 0x03, 0x0b, 1, 0, 0, 0, 2, 0, 0, 0,
                      3, 0, 0, 0 };
    pb_page rp = { .encoding = 0, .num_values = 4, .data = rep, .len = sizeof rep };
    pb_spec sr = { .type = 1, .optional = 2, .converted = -1, .num_rows = 3, .pages = &rp,
                   .npages = 1 };
    emit(d, "repeated_int32.parquet", &sr);
    return 0;
}
