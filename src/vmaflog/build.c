/*
 * The log builder: frame entries in file order, one dense array per
 * metric plus a presence array, since logs may omit a metric on some
 * frames. Memory is bounded by the input size so a tiny file naming
 * thousands of metrics on thousands of frames cannot ask for gigabytes.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmaflog/internal.h"

int vl_init(vl_builder *b, size_t input_len)
{
    memset(b, 0, sizeof *b);
    b->log = calloc(1, sizeof *b->log);
    if (!b->log)
        return SIGMIX_ENOMEM;
    b->log->fps = NAN;
    /* A value costs at least 2 input bytes; dense cells are 9 bytes. */
    b->max_cells = ((size_t)1 << 20) + input_len * 4;
    return 0;
}

void vl_discard(vl_builder *b)
{
    sigmix_vmaflog_free(&b->log);
}

static int grow_frames(vl_builder *b)
{
    sigmix_vmaflog *L = b->log;
    size_t cap = b->cap_frames ? b->cap_frames * 2 : 64;
    if (L->nmetrics && cap > b->max_cells / L->nmetrics) {
        cap = b->max_cells / L->nmetrics;
        if (cap <= b->cap_frames) {
            snprintf(b->why, sizeof b->why, "more frames x metrics than the input can hold");
            return SIGMIX_EFORMAT;
        }
    }
    int64_t *fn = realloc(L->frame_num, cap * sizeof *fn);
    if (!fn)
        goto oom;
    L->frame_num = fn;
    for (size_t m = 0; m < L->nmetrics; m++) {
        double *v = realloc(L->metrics[m].values, cap * sizeof *v);
        if (!v)
            goto oom;
        L->metrics[m].values = v;
        uint8_t *p = realloc(L->metrics[m].present, cap);
        if (!p)
            goto oom;
        memset(p + b->cap_frames, 0, cap - b->cap_frames);
        L->metrics[m].present = p;
    }
    b->cap_frames = cap;
    return 0;
oom:
    snprintf(b->why, sizeof b->why, "out of memory");
    return SIGMIX_ENOMEM;
}

int vl_frame(vl_builder *b, int64_t frame_num)
{
    sigmix_vmaflog *L = b->log;
    if (L->nframes == b->cap_frames) {
        int r = grow_frames(b);
        if (r)
            return r;
    }
    L->frame_num[L->nframes++] = frame_num;
    b->in_frame = 1;
    b->hint = 0;
    return 0;
}

void vl_frame_num(vl_builder *b, int64_t frame_num)
{
    if (b->log->nframes)
        b->log->frame_num[b->log->nframes - 1] = frame_num;
}

static int add_metric(vl_builder *b, const char *name, size_t len, size_t *index)
{
    sigmix_vmaflog *L = b->log;
    if (b->cap_frames && L->nmetrics + 1 > b->max_cells / b->cap_frames) {
        snprintf(b->why, sizeof b->why, "more frames x metrics than the input can hold");
        return SIGMIX_EFORMAT;
    }
    if (L->nmetrics == b->cap_metrics) {
        size_t cap = b->cap_metrics ? b->cap_metrics * 2 : 16;
        sigmix_vmaflog_metric *m = realloc(L->metrics, cap * sizeof *m);
        if (!m)
            goto oom;
        L->metrics = m;
        b->cap_metrics = cap;
    }
    sigmix_vmaflog_metric *m = &L->metrics[L->nmetrics];
    memset(m, 0, sizeof *m);
    char *s = malloc(len + 1);
    size_t cap = b->cap_frames ? b->cap_frames : 1;
    m->values = malloc(cap * sizeof *m->values);
    m->present = calloc(cap, 1);
    if (!s || !m->values || !m->present) {
        free(s);
        free(m->values);
        free(m->present);
        goto oom;
    }
    memcpy(s, name, len);
    s[len] = '\0';
    m->source = s;
    m->name = s;
    *index = L->nmetrics++;
    return 0;
oom:
    snprintf(b->why, sizeof b->why, "out of memory");
    return SIGMIX_ENOMEM;
}

static int same(const char *a, const char *name, size_t len)
{
    return strncmp(a, name, len) == 0 && a[len] == '\0';
}

int vl_value(vl_builder *b, const char *name, size_t len, double v)
{
    sigmix_vmaflog *L = b->log;
    if (!b->in_frame || !L->nframes) {
        snprintf(b->why, sizeof b->why, "value outside a frame");
        return SIGMIX_EFORMAT;
    }
    if (len == 0 || memchr(name, '\0', len)) {
        snprintf(b->why, sizeof b->why, "empty or invalid metric name");
        return SIGMIX_EFORMAT;
    }
    size_t i = b->hint;
    if (i >= L->nmetrics || !same(L->metrics[i].source, name, len)) {
        for (i = 0; i < L->nmetrics; i++)
            if (same(L->metrics[i].source, name, len))
                break;
        if (i == L->nmetrics) {
            int r = add_metric(b, name, len, &i);
            if (r)
                return r;
        }
    }
    b->hint = i + 1;
    size_t row = L->nframes - 1;
    sigmix_vmaflog_metric *m = &L->metrics[i];
    if (m->present[row]) {
        snprintf(b->why, sizeof b->why, "metric '%.*s' twice in frame %lld",
                 (int)(len > 64 ? 64 : len), name, (long long)L->frame_num[row]);
        return SIGMIX_EFORMAT;
    }
    m->values[row] = v;
    m->present[row] = 1;
    return 0;
}

const char *vl_next_name(const vl_builder *b)
{
    return b->in_frame && b->hint < b->log->nmetrics ? b->log->metrics[b->hint].source : NULL;
}

int vl_value_next(vl_builder *b, double v)
{
    sigmix_vmaflog *L = b->log;
    size_t row = L->nframes - 1, i = b->hint++;
    sigmix_vmaflog_metric *m = &L->metrics[i];
    if (m->present[row]) {
        snprintf(b->why, sizeof b->why, "metric '%.64s' twice in frame %lld", m->source,
                 (long long)L->frame_num[row]);
        return SIGMIX_EFORMAT;
    }
    m->values[row] = v;
    m->present[row] = 1;
    return 0;
}

int vl_version(vl_builder *b, const char *s, size_t len)
{
    if (b->log->version) {
        snprintf(b->why, sizeof b->why, "version given twice");
        return SIGMIX_EFORMAT;
    }
    char *v = malloc(len + 1);
    if (!v) {
        snprintf(b->why, sizeof b->why, "out of memory");
        return SIGMIX_ENOMEM;
    }
    memcpy(v, s, len);
    v[len] = '\0';
    b->log->version = v;
    return 0;
}

int vl_number(const char *s, size_t len, double *v)
{
    char tmp[64];
    /* libvmaf prints %.6f or %.16f; anything longer is not a log value. */
    if (len == 0 || len >= sizeof tmp)
        return -1;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    const char *p = tmp;
    int neg = 0;
    if (*p == '-' || *p == '+') {
        neg = *p == '-';
        p++;
    }
    if (!strcmp(p, "nan") || !strcmp(p, "NaN")) {
        *v = NAN;
        return 0;
    }
    if (!strcmp(p, "inf") || !strcmp(p, "Infinity")) {
        *v = neg ? -INFINITY : INFINITY;
        return 0;
    }
    if (!((*p >= '0' && *p <= '9') || *p == '.'))
        return -1;
    char *end;
    errno = 0;
    double d = strtod(tmp, &end);
    if (*end)
        return -1;
    *v = d;
    return 0;
}

int vl_int(const char *s, size_t len, int64_t *v)
{
    if (len == 0 || len > 18)
        return -1;
    int64_t x = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        x = x * 10 + (s[i] - '0');
    }
    *v = x;
    return 0;
}

size_t vl_line_of(const char *buf, size_t len, size_t off)
{
    size_t line = 1;
    if (off > len)
        off = len;
    for (const char *p = buf; (p = memchr(p, '\n', (size_t)(buf + off - p))); p++)
        line++;
    return line;
}
