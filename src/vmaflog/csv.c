/*
 * CSV logs through libcsv. libvmaf writes "Frame,name1,...,nameK," and
 * rows "i,v1,...,vj," with a trailing comma; a feature not computed on a
 * frame is skipped without a placeholder, so a row can be shorter and its
 * values are positional: value n belongs to header name n.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/codecs.h"
#include "util/error.h"
#include "vmaflog/internal.h"

typedef struct csv_ctx {
    vl_builder   *b;
    sigmix_error *err;
    char        **names;   /* header names 1..K */
    size_t        nnames, cap;
    size_t        field;   /* index in the current row */
    size_t        row;     /* 0 = header */
    size_t        line;    /* 1-based line of the current row */
    int           empty_last; /* the row's last field was empty */
    int           failed;
} csv_ctx;

static void fail(csv_ctx *c, int code, const char *what)
{
    if (!c->failed)
        sigmix_error_set(c->err, code, "%s (line %zu)", what, c->line);
    c->failed = 1;
}

static void on_field(void *s, size_t len, void *arg)
{
    csv_ctx *c = arg;
    if (c->failed)
        return;
    const char *p = s;
    size_t i = c->field++;
    if (c->empty_last) {
        /* An empty field followed by another: only the last may be empty. */
        fail(c, SIGMIX_EFORMAT, "empty field");
        return;
    }
    if (len == 0) {
        c->empty_last = 1;
        return;
    }
    if (c->row == 0) {
        if (i == 0) {
            if (len != 5 || memcmp(p, "Frame", 5))
                fail(c, SIGMIX_EFORMAT, "header does not start with Frame");
            return;
        }
        if (c->nnames == c->cap) {
            size_t cap = c->cap ? c->cap * 2 : 32;
            char **n = realloc(c->names, cap * sizeof *n);
            if (!n) {
                fail(c, SIGMIX_ENOMEM, "out of memory");
                return;
            }
            c->names = n;
            c->cap = cap;
        }
        char *name = malloc(len + 1);
        if (!name) {
            fail(c, SIGMIX_ENOMEM, "out of memory");
            return;
        }
        memcpy(name, p, len);
        name[len] = '\0';
        c->names[c->nnames++] = name;
        return;
    }
    int r;
    if (i == 0) {
        int64_t n;
        if (vl_int(p, len, &n)) {
            fail(c, SIGMIX_EFORMAT, "frame number is not a non-negative integer");
            return;
        }
        if ((r = vl_frame(c->b, n)))
            fail(c, r, c->b->why);
        return;
    }
    if (i > c->nnames) {
        fail(c, SIGMIX_EFORMAT, "more values than header names");
        return;
    }
    double d;
    if (vl_number(p, len, &d)) {
        fail(c, SIGMIX_EFORMAT, "value is not a number");
        return;
    }
    const char *name = c->names[i - 1];
    if ((r = vl_value(c->b, name, strlen(name), d)))
        fail(c, r, c->b->why);
}

static void on_row(int ch, void *arg)
{
    csv_ctx *c = arg;
    (void)ch;
    if (c->failed)
        return;
    if (c->field == 0 || (c->field == 1 && c->empty_last)) {
        c->line++; /* blank line */
        c->field = 0;
        c->empty_last = 0;
        return;
    }
    if (c->row == 0 && c->nnames == 0)
        fail(c, SIGMIX_EFORMAT, "header names no metric");
    c->row++;
    c->line++;
    c->field = 0;
    c->empty_last = 0;
}

int vl_read_csv(const char *buf, size_t len, vl_builder *b, sigmix_error *err)
{
    const sigmix_csv_api *cv = sigmix_csv(err);
    if (!cv)
        return SIGMIX_EUNSUPPORTED;
    struct csv_parser p;
    if (cv->csv_init(&p, CSV_STRICT | CSV_REPALL_NL) != 0)
        return sigmix_error_set(err, SIGMIX_ENOMEM, "cannot start the CSV parser");
    csv_ctx c = { .b = b, .err = err, .line = 1 };
    size_t done = cv->csv_parse(&p, buf, len, on_field, on_row, &c);
    if (!c.failed && done != len) {
        c.failed = 1;
        sigmix_error_set(err, SIGMIX_EFORMAT, "bad CSV: %s (line %zu)",
                         cv->csv_strerror(cv->csv_error(&p)), c.line);
    }
    if (!c.failed && cv->csv_fini(&p, on_field, on_row, &c) != 0 && !c.failed) {
        c.failed = 1;
        sigmix_error_set(err, SIGMIX_EFORMAT, "bad CSV: %s (line %zu)",
                         cv->csv_strerror(cv->csv_error(&p)), c.line);
    }
    cv->csv_free(&p);
    if (!c.failed && c.row == 0)
        sigmix_error_set(err, SIGMIX_EFORMAT, "no CSV header (line 1)"), c.failed = 1;
    for (size_t i = 0; i < c.nnames; i++)
        free(c.names[i]);
    free(c.names);
    if (c.failed)
        return err && err->code ? err->code : SIGMIX_EFORMAT;
    b->log->format = SIGMIX_VMAFLOG_CSV;
    return 0;
}
