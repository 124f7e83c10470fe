/*
 * f32cmp A.f32 B.f32 TOL: compare two raw little-endian float32 files
 * element by element. Prints the count and max |A-B|; exits 0 when both
 * hold the same number of values and every difference is <= TOL (and
 * neither holds NaN), 1 otherwise, 2 on usage or I/O errors.
 * f32cmp --stats A.f32 MEAN VAR TOL: the values clipped to [0,1] must have
 * this mean and population variance (computed in double) within TOL.
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

static int stats(const char *path, double want_mean, double want_var, double tol)
{
    size_t n;
    float *a = load(path, &n);
    if (!a || !n) {
        fprintf(stderr, "f32cmp: cannot read %s\n", path);
        return 2;
    }
    double s = 0.0, s2 = 0.0;
    for (size_t k = 0; k < n; k++) {
        double v = a[k] < 0.0f ? 0.0 : a[k] > 1.0f ? 1.0 : a[k];
        s += v;
    }
    double mean = s / (double)n;
    for (size_t k = 0; k < n; k++) {
        double v = (a[k] < 0.0f ? 0.0 : a[k] > 1.0f ? 1.0 : a[k]) - mean;
        s2 += v * v;
    }
    double var = s2 / (double)n;
    free(a);
    printf("mean %.10f (want %.10f) var %.10f (want %.10f)\n", mean, want_mean, var, want_var);
    return fabs(mean - want_mean) <= tol && fabs(var - want_var) <= tol ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc == 6 && !strcmp(argv[1], "--stats"))
        return stats(argv[2], atof(argv[3]), atof(argv[4]), atof(argv[5]));
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
