/*
 * sigmix model-info / model-run: describe an ONNX
 * model, or run it on a raw little-endian float32 NCHW tensor.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sigmix/onnx.h"
#include "sigmix/output.h"
#include "cmd.h"

static int fail(const char *path, const sigmix_error *e)
{
    fprintf(stderr, "sigmix: %s: %s\n", path, e->message[0] ? e->message : sigmix_strerror(e->code));
    return 2;
}

static int usage_error(const char *cmd, const char *msg, const char *arg)
{
    return cmd_usage(cmd, "%s%s%s", msg, arg ? " " : "", arg ? arg : "");
}

static const char *type_name(int t)
{
    switch (t) {
    case 1: return "float32";
    case 6: return "int32";
    case 7: return "int64";
    case 0: return "unknown";
    default: return "other";
    }
}

static void print_io(const sigmix_onnx_io *io)
{
    printf("  %s  %s  ", io->name, type_name(io->elem_type));
    if (io->ndim < 0) {
        printf("[?]\n");
        return;
    }
    printf("[");
    for (int k = 0; k < io->ndim; k++) {
        if (k)
            printf(", ");
        if (io->dim_names[k])
            printf("%s", io->dim_names[k]);
        else if (io->dims[k] >= 0)
            printf("%lld", (long long)io->dims[k]);
        else
            printf("?");
    }
    printf("]\n");
}

static int parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* BYTES: a count with an optional binary suffix (K, M, G, T; "KiB" etc. also taken). */
static int parse_bytes(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    if (*s < '0' || *s > '9')
        return -1;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s)
        return -1;
    int shift = 0;
    switch (*end) {
    case 'K': case 'k': shift = 10; end++; break;
    case 'M': case 'm': shift = 20; end++; break;
    case 'G': case 'g': shift = 30; end++; break;
    case 'T': case 't': shift = 40; end++; break;
    default: break;
    }
    if (shift && !strcmp(end, "iB"))
        end += 2;
    else if (shift && *end == 'B')
        end++;
    if (*end || (shift && v > (UINT64_MAX >> shift)))
        return -1;
    *out = (uint64_t)v << shift;
    return 0;
}

static void print_bytes(uint64_t b)
{
    static const char *const unit[] = { "bytes", "KiB", "MiB", "GiB", "TiB" };
    double v = (double)b;
    int u = 0;
    while (v >= 1024.0 && u < 4) {
        v /= 1024.0;
        u++;
    }
    if (u)
        printf("%.1f %s", v, unit[u]);
    else
        printf("%llu bytes", (unsigned long long)b);
}

/* Planned peak memory per run at the common frame sizes (or the fixed one). */
static void print_memory(const sigmix_onnx_model *m, int threads)
{
    static const int64_t sizes[][2] = { { 640, 360 }, { 960, 540 }, { 1920, 1080 },
                                        { 3840, 2160 }, { 7680, 4320 } };
    sigmix_onnx_io io;
    int fixed = sigmix_onnx_io_info(m, 0, 0, &io) == 0 && io.ndim == 4 && io.dims[2] > 0 &&
                io.dims[3] > 0;
    if (threads > 0)
        printf("peak memory per run (%d thread%s):\n", threads, threads == 1 ? "" : "s");
    else
        printf("peak memory per run (one thread per core):\n");
    for (size_t k = 0; k < (fixed ? 1 : sizeof sizes / sizeof *sizes); k++) {
        int64_t w = fixed ? io.dims[3] : sizes[k][0], h = fixed ? io.dims[2] : sizes[k][1];
        sigmix_onnx_plan p;
        sigmix_error e = { 0, "" };
        printf("  %lldx%lld  ", (long long)w, (long long)h);
        if (sigmix_onnx_plan_memory(m, h, w, &p, &e)) {
            printf("cannot run: %s\n", e.message);
            continue;
        }
        print_bytes(p.peak_bytes);
        if (p.limit_bytes && p.peak_bytes > p.limit_bytes)
            printf("  (over --max-model-memory)");
        printf("\n");
    }
}

int cmd_model_info(int argc, char **argv)
{
    const char *path = NULL;
    sigmix_onnx_settings s;
    sigmix_onnx_default_settings(&s);
    s.threads = 1;
    for (int i = 1; i < argc; i++) {
        long v;
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            printf("Usage: sigmix model-info MODEL.onnx [--threads T] [--max-model-memory BYTES]\n\n"
                   "Print the model's inputs, outputs, operators (with counts), weight count,\n"
                   "the padding multiple (H and W are padded up to it by model-run and\n"
                   "saliency) and the planned peak memory of one run at 640x360, 960x540,\n"
                   "1920x1080, 3840x2160 and 7680x4320 (or at the model's fixed size).\n"
                   "Fails, naming the node, if the model uses anything sigmix cannot run.\n\n"
                   "  --threads T               worker threads the memory figures assume\n"
                   "                            (default 1; 0 = all cores)\n"
                   "  --max-model-memory BYTES  limit per run (default 4G; suffixes K, M, G,\n"
                   "                            T; 0 = none); sizes above it are marked\n");
            return 0;
        }
        if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
            if (parse_long(argv[++i], 0, 64, &v))
                return usage_error("model-info", "bad --threads value", argv[i]);
            s.threads = (int)v;
        } else if (!strcmp(argv[i], "--max-model-memory") && i + 1 < argc) {
            if (parse_bytes(argv[++i], &s.max_model_memory))
                return usage_error("model-info", "bad --max-model-memory value", argv[i]);
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return usage_error("model-info", "unknown option", argv[i]);
        } else if (path) {
            return usage_error("model-info", "more than one model given", NULL);
        } else {
            path = argv[i];
        }
    }
    if (!path)
        return usage_error("model-info", "missing MODEL.onnx", NULL);
    sigmix_onnx_model *m;
    sigmix_error e = { 0, "" };
    if (sigmix_onnx_load(path, &s, &m, &e))
        return fail(path, &e);
    int64_t ir;
    int opset = sigmix_onnx_opset(m, &ir);
    printf("model: %s\nir_version: %lld\nopset: %d\ninputs:\n", path, (long long)ir, opset);
    sigmix_onnx_io io;
    for (int k = 0; sigmix_onnx_io_info(m, 0, k, &io) == 0; k++)
        print_io(&io);
    printf("outputs:\n");
    for (int k = 0; sigmix_onnx_io_info(m, 1, k, &io) == 0; k++)
        print_io(&io);
    printf("operators:\n");
    const char *op;
    int count;
    for (int k = 0; sigmix_onnx_op_info(m, k, &op, &count) == 0; k++)
        printf("  %s  %d\n", op, count);
    printf("weights: %zu\npad multiple: %d\n", sigmix_onnx_weight_count(m),
           sigmix_onnx_pad_multiple(m));
    print_memory(m, s.threads);
    sigmix_onnx_free(&m);
    return 0;
}

/* ---- model-run ---- */

typedef struct run_opts {
    const char *model, *input, *output, *shape;
    long        repeat;
    int         threads, pad;
    uint64_t    max_memory;
    int         profile;
} run_opts;

static int parse_shape(const char *s, int64_t shape[4])
{
    for (int k = 0; k < 4; k++) {
        char *end;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (errno || end == s || v < 1 || v > (1 << 24) || *end != (k < 3 ? 'x' : '\0'))
            return -1;
        shape[k] = v;
        s = end + 1;
    }
    return 0;
}

static int parse_run_args(int argc, char **argv, run_opts *o)
{
    *o = (run_opts){ NULL, NULL, NULL, NULL, 0, 0, 1, SIGMIX_ONNX_DEFAULT_MAX_MEMORY, 0 };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        long v;
        int has_val = i + 1 < argc;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            printf("Usage: sigmix model-run MODEL.onnx --input IN.f32 --shape 1x3xHxW "
                   "--output OUT.f32\n"
                   "                        [--repeat N] [--threads T] [--no-pad]\n"
                   "                        [--max-model-memory BYTES] [--profile]\n\n"
                   "Run the model on a raw little-endian float32 NCHW tensor and write the\n"
                   "raw float32 output (atomically; a symlink is written through, a device\n"
                   "or FIFO in place, missing folders are created).\n\n"
                   "  --repeat N    run N times and print 'median X.XX ms per run'\n"
                   "  --threads T   worker threads (0 = all cores, the default)\n"
                   "  --no-pad      fail on sizes that are not a multiple of the model's\n"
                   "                down-sampling instead of padding and cropping\n"
                   "  --max-model-memory BYTES  refuse a run whose planned memory is larger,\n"
                   "                naming the node (default 4G; suffixes K, M, G, T; 0 = none)\n"
                   "  --profile     print the time per operator type (nodes run, ms per run,\n"
                   "                share of the total, CPU time, critical path, parallel\n"
                   "                efficiency), averaged over the --repeat runs\n");
            return 1;
        }
        if (!strcmp(a, "--no-pad")) {
            o->pad = 0;
        } else if (!strcmp(a, "--profile")) {
            o->profile = 1;
        } else if (!strcmp(a, "--input") && has_val) {
            o->input = argv[++i];
        } else if (!strcmp(a, "--output") && has_val) {
            o->output = argv[++i];
        } else if (!strcmp(a, "--shape") && has_val) {
            o->shape = argv[++i];
        } else if (!strcmp(a, "--repeat") && has_val) {
            if (parse_long(argv[++i], 1, 100000, &v))
                return usage_error("model-run", "bad --repeat value", argv[i]);
            o->repeat = v;
        } else if (!strcmp(a, "--threads") && has_val) {
            if (parse_long(argv[++i], 0, 64, &v))
                return usage_error("model-run", "bad --threads value", argv[i]);
            o->threads = (int)v;
        } else if (!strcmp(a, "--max-model-memory") && has_val) {
            if (parse_bytes(argv[++i], &o->max_memory))
                return usage_error("model-run", "bad --max-model-memory value", argv[i]);
        } else if (a[0] == '-' && a[1]) {
            return usage_error("model-run", has_val || !strncmp(a, "--", 2) ?
                               "unknown option or missing value:" : "unknown option", a);
        } else if (o->model) {
            return usage_error("model-run", "more than one model given", NULL);
        } else {
            o->model = a;
        }
    }
    if (!o->model || !o->input || !o->output || !o->shape)
        return usage_error("model-run", "needs MODEL.onnx, --input, --shape and --output", NULL);
    return 0;
}

static float *read_tensor(const char *path, size_t count, sigmix_error *e)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(e->message, sizeof e->message, "cannot open input (%s)", strerror(errno));
        return NULL;
    }
    float *buf = malloc(count * sizeof(float) + 1);
    unsigned char tmp[4096];
    size_t have = 0, n;
    while (buf && (n = fread(tmp, 1, sizeof tmp, f)) > 0) {
        if (have + n > count * 4) {
            snprintf(e->message, sizeof e->message,
                     "input holds more than the %zu float32 values its shape needs", count);
            free(buf);
            fclose(f);
            return NULL;
        }
        memcpy((unsigned char *)buf + have, tmp, n);
        have += n;
    }
    fclose(f);
    if (!buf) {
        snprintf(e->message, sizeof e->message, "out of memory");
        return NULL;
    }
    if (have != count * 4) {
        snprintf(e->message, sizeof e->message,
                 "input holds %zu bytes, its shape needs %zu float32 values (%zu bytes)", have,
                 count, count * 4);
        free(buf);
        return NULL;
    }
    for (size_t k = 0; k < count; k++) { /* little-endian on any host */
        const unsigned char *p = (const unsigned char *)&buf[k];
        uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                     (uint32_t)p[3] << 24;
        memcpy(&buf[k], &u, 4);
    }
    return buf;
}

static int write_tensor(const char *path, const float *y, size_t count, sigmix_error *e)
{
    sigmix_atomic a;
    if (sigmix_atomic_open(&a, path, 1, e))
        return -1;
    unsigned char tmp[4096];
    size_t fill = 0;
    for (size_t k = 0; k < count; k++) {
        uint32_t u;
        memcpy(&u, &y[k], 4);
        for (int b = 0; b < 4; b++)
            tmp[fill++] = (unsigned char)(u >> (8 * b));
        if (fill == sizeof tmp || k + 1 == count) {
            if (fwrite(tmp, 1, fill, a.f) != fill) {
                sigmix_atomic_abort(&a);
                snprintf(e->message, sizeof e->message, "cannot write output");
                return -1;
            }
            fill = 0;
        }
    }
    return sigmix_atomic_commit(&a, e);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Per operator type, most expensive first: nodes per run, wall ms per run, share,
 * then the work's CPU ms, its critical path (span) and the parallel efficiency
 * cpu / (threads * span), both from thread CPU clocks, so a loaded machine does
 * not hide a serial or unbalanced operator. */
static void print_profile(const sigmix_onnx_model *m, const sigmix_onnx_op_time *t, int n,
                          long runs, int threads)
{
    double total = 0, cpu = 0, span = 0;
    for (int k = 0; k < n; k++) {
        total += t[k].ms;
        cpu += t[k].cpu_ms;
        span += t[k].span_ms;
    }
    printf("profile (per run, mean of %ld; %d thread%s):\n  %-22s %6s %11s %7s %11s %11s %6s\n",
           runs, threads, threads == 1 ? "" : "s", "operator", "nodes", "ms", "share", "cpu-ms",
           "span-ms", "eff");
    char *done = calloc((size_t)n + 1, 1);
    for (int shown = 0; done && shown < n; shown++) {
        int best = -1;
        for (int k = 0; k < n; k++)
            if (!done[k] && (best < 0 || t[k].ms > t[best].ms))
                best = k;
        done[best] = 1;
        if (!t[best].count)
            continue; /* folded into a Conv */
        const char *op;
        sigmix_onnx_op_info(m, best, &op, NULL);
        const sigmix_onnx_op_time *b = &t[best];
        printf("  %-22s %6lld %11.3f %6.1f%% %11.3f %11.3f %5.0f%%\n", op,
               (long long)(b->count / runs), b->ms / (double)runs,
               total > 0 ? 100.0 * b->ms / total : 0.0, b->cpu_ms / (double)runs,
               b->span_ms / (double)runs,
               b->span_ms > 0 ? 100.0 * b->cpu_ms / (threads * b->span_ms) : 100.0);
    }
    free(done);
    printf("  %-22s %6s %11.3f %6.1f%% %11.3f %11.3f %5.0f%%\n", "total", "",
           total / (double)runs, 100.0, cpu / (double)runs, span / (double)runs,
           span > 0 ? 100.0 * cpu / (threads * span) : 100.0);
}

int cmd_model_run(int argc, char **argv)
{
    run_opts o;
    int rc = parse_run_args(argc, argv, &o);
    if (rc)
        return rc == 1 ? 0 : rc;
    int64_t shape[4], oshape[4];
    if (parse_shape(o.shape, shape))
        return usage_error("model-run", "bad --shape (want NxCxHxW, e.g. 1x3x176x320):", o.shape);
    int64_t total = 1;
    for (int k = 0; k < 4; k++) {
        if (total > ((int64_t)1 << 30) / shape[k])
            return usage_error("model-run", "--shape too large:", o.shape);
        total *= shape[k];
    }
    size_t count = (size_t)total;
    sigmix_error e = { 0, "" };
    const char *outs[1] = { o.output };
    if (sigmix_outputs_check(outs, 1, NULL, &e)) /* before loading or running anything */
        return fail(o.output, &e);
    cmd_guard_outputs(outs, 1);
    sigmix_onnx_settings s;
    sigmix_onnx_default_settings(&s);
    s.threads = o.threads;
    s.pad = o.pad;
    s.max_model_memory = o.max_memory;
    sigmix_onnx_model *m;
    if (sigmix_onnx_load(o.model, &s, &m, &e))
        return fail(o.model, &e);
    float *x = read_tensor(o.input, count, &e), *y = NULL;
    if (!x) {
        sigmix_onnx_free(&m);
        return fail(o.input, &e);
    }
    long runs = o.repeat > 0 ? o.repeat : 1;
    double *ms = malloc(sizeof(double) * (size_t)runs);
    int nops = 0;
    while (sigmix_onnx_op_info(m, nops, NULL, NULL) == 0)
        nops++;
    sigmix_onnx_op_time *times = calloc((size_t)nops + 1, sizeof *times);
    rc = ms && times ? 0 : -1;
    if (rc)
        snprintf(e.message, sizeof e.message, "out of memory");
    for (long r = 0; r < runs && !rc; r++) {
        free(y);
        y = NULL;
        double t0 = now_ms();
        rc = sigmix_onnx_run_profiled(m, x, shape, &y, oshape, o.profile ? times : NULL, &e);
        ms[r] = now_ms() - t0;
    }
    if (rc) {
        rc = fail(o.model, &e);
    } else {
        size_t n = (size_t)(oshape[0] * oshape[1] * oshape[2] * oshape[3]);
        if (write_tensor(o.output, y, n, &e)) {
            rc = fail(o.output, &e);
        } else if (o.repeat > 0) {
            qsort(ms, (size_t)runs, sizeof *ms, cmp_double);
            double med = runs % 2 ? ms[runs / 2] : (ms[runs / 2 - 1] + ms[runs / 2]) / 2;
            printf("median %.2f ms per run\n", med);
        }
        sigmix_onnx_plan plan; /* for the threads the runs used */
        if (!rc && o.profile && !sigmix_onnx_plan_memory(m, shape[2], shape[3], &plan, NULL))
            print_profile(m, times, nops, runs, plan.threads);
    }
    free(times);
    free(ms);
    free(x);
    free(y);
    sigmix_onnx_free(&m);
    return rc;
}
