/*
 * f32cmp A.f32 B.f32 TOL: compare two raw little-endian float32 files
 * element by element. Prints the count and max |A-B|; exits 0 when both
 * hold the same number of values and every difference is <= TOL (and
 * neither holds NaN), 1 otherwise, 2 on usage or I/O errors.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static float *load(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc(sz > 0 ? (size_t)sz : 1);
    if (!b || fread(b, 1, (size_t)sz, f) != (size_t)sz || sz % 4) {
        free(b);
        fclose(f);
        return NULL;
    }
    fclose(f);
    *n = (size_t)sz / 4;
    float *v = malloc(*n * sizeof(float) + 1);
    for (size_t k = 0; v && k < *n; k++) {
        uint32_t u = (uint32_t)b[4 * k] | (uint32_t)b[4 * k + 1] << 8 |
                     (uint32_t)b[4 * k + 2] << 16 | (uint32_t)b[4 * k + 3] << 24;
        memcpy(&v[k], &u, 4);
    }
    free(b);
    return v;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: f32cmp A.f32 B.f32 TOL\n");
        return 2;
    }
    size_t na, nb;
    float *a = load(argv[1], &na), *b = load(argv[2], &nb);
    if (!a || !b) {
        fprintf(stderr, "f32cmp: cannot read %s\n", a ? argv[2] : argv[1]);
        return 2;
    }
    double tol = atof(argv[3]), worst = 0.0;
    int nan = 0;
    for (size_t k = 0; k < na && k < nb; k++) {
        double d = fabs((double)a[k] - (double)b[k]);
        if (isnan(d))
            nan = 1;
        else if (d > worst)
            worst = d;
    }
    printf("values %zu/%zu max_abs %.3g\n", na, nb, worst);
    free(a);
    free(b);
    return na == nb && !nan && worst <= tol ? 0 : 1;
}
