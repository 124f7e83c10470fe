/*
 * SUB (MicroDVD subtitle) logs: one line per frame entry,
 *   {i}{i+1}frame: i|name: value|name: value|
 * The format is fixed and machine-written, so a strict line parser is all
 * it takes; anything else is reported with its line.
 */
#include <stdio.h>
#include <string.h>

#include "util/error.h"
#include "vmaflog/internal.h"

static int fail(sigmix_error *err, int code, const char *what, size_t line)
{
    return sigmix_error_set(err, code, "%s (line %zu)", what, line);
}

/* Parse "{digits}" at *p; advance. */
static int braced(const char **p, const char *end, int64_t *v)
{
    const char *s = *p;
    if (s >= end || *s != '{')
        return -1;
    const char *close = memchr(s, '}', (size_t)(end - s));
    if (!close || vl_int(s + 1, (size_t)(close - s - 1), v))
        return -1;
    *p = close + 1;
    return 0;
}

static int parse_line(const char *s, const char *end, vl_builder *b, sigmix_error *err,
                      size_t line)
{
    int64_t a, c, n;
    const char *p = s;
    if (braced(&p, end, &a) || braced(&p, end, &c))
        return fail(err, SIGMIX_EFORMAT, "line does not start with {frame}{frame+1}", line);
    if ((size_t)(end - p) < 7 || memcmp(p, "frame: ", 7))
        return fail(err, SIGMIX_EFORMAT, "missing 'frame: N|'", line);
    p += 7;
    const char *bar = memchr(p, '|', (size_t)(end - p));
    if (!bar || vl_int(p, (size_t)(bar - p), &n))
        return fail(err, SIGMIX_EFORMAT, "missing 'frame: N|'", line);
    int r = vl_frame(b, n);
    if (r)
        return fail(err, r, b->why, line);
    p = bar + 1;
    while (p < end) {
        bar = memchr(p, '|', (size_t)(end - p));
        if (!bar)
            return fail(err, SIGMIX_EFORMAT, "entry not closed by '|' (truncated?)", line);
        const char *colon = NULL;
        for (const char *q = bar; q - 1 > p; q--)
            if (q[-2] == ':' && q[-1] == ' ') {
                colon = q - 2;
                break;
            }
        /* The value is after the last ": " so names may contain colons. */
        if (!colon || colon == p)
            return fail(err, SIGMIX_EFORMAT, "entry is not 'name: value'", line);
        double d;
        if (vl_number(colon + 2, (size_t)(bar - colon - 2), &d))
            return fail(err, SIGMIX_EFORMAT, "value is not a number", line);
        if ((r = vl_value(b, p, (size_t)(colon - p), d)))
            return fail(err, r, b->why, line);
        p = bar + 1;
    }
    return 0;
}

int vl_read_sub(const char *buf, size_t len, vl_builder *b, sigmix_error *err)
{
    const char *p = buf, *end = buf + len;
    size_t line = 0;
    while (p < end) {
        line++;
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        const char *le = e;
        if (le > p && le[-1] == '\r')
            le--;
        if (le > p) {
            int r = parse_line(p, le, b, err, line);
            if (r)
                return r;
        }
        p = nl ? nl + 1 : end;
    }
    if (!b->log->nframes)
        return fail(err, SIGMIX_EFORMAT, "no frame lines", line ? line : 1);
    b->log->format = SIGMIX_VMAFLOG_SUB;
    return 0;
}
