/*
 * Entry points: sniff the layout from the bytes, run its reader, then give
 * the metrics canonical names. Readers never trust the file extension:
 * FFmpeg users name their logs .txt or .log freely.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/error.h"
#include "util/sha256.h"
#include "vmaflog/internal.h"

struct sigmix_vmaflog_reader {
    vl_json *json;
    char    *buf;  /* file bytes + padding */
    size_t   cap;
};

const char *sigmix_vmaflog_format_name(sigmix_vmaflog_format f)
{
    switch (f) {
    case SIGMIX_VMAFLOG_JSON:        return "json";
    case SIGMIX_VMAFLOG_JSON_V1:     return "json-v1";
    case SIGMIX_VMAFLOG_JSON_PYTHON: return "json-python";
    case SIGMIX_VMAFLOG_XML:         return "xml";
    case SIGMIX_VMAFLOG_CSV:         return "csv";
    case SIGMIX_VMAFLOG_SUB:         return "sub";
    default:                         return "unknown";
    }
}

int sigmix_vmaflog_reader_new(sigmix_vmaflog_reader **out)
{
    *out = NULL;
    sigmix_vmaflog_reader *r = calloc(1, sizeof *r);
    if (!r)
        return SIGMIX_ENOMEM;
    r->json = vl_json_new();
    if (!r->json) {
        free(r);
        return SIGMIX_ENOMEM;
    }
    *out = r;
    return 0;
}

void sigmix_vmaflog_reader_free(sigmix_vmaflog_reader **r)
{
    if (!r || !*r)
        return;
    vl_json_free((*r)->json);
    free((*r)->buf);
    free(*r);
    *r = NULL;
}

void sigmix_vmaflog_free(sigmix_vmaflog **log)
{
    if (!log || !*log)
        return;
    sigmix_vmaflog *L = *log;
    for (size_t i = 0; i < L->nmetrics; i++) {
        if (L->metrics[i].name != L->metrics[i].source)
            free((char *)L->metrics[i].name);
        free((char *)L->metrics[i].source);
        free(L->metrics[i].values);
        free(L->metrics[i].present);
    }
    free(L->metrics);
    free(L->frame_num);
    free((char *)L->version);
    free(L);
    *log = NULL;
}

sigmix_vmaflog_format sigmix_vmaflog_sniff(const char *buf, size_t len)
{
    size_t i = 0;
    if (len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3))
        i = 3;
    while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n'))
        i++;
    if (i >= len)
        return SIGMIX_VMAFLOG_UNKNOWN;
    if (buf[i] == '{') {
        size_t j = i + 1;
        while (j < len && buf[j] >= '0' && buf[j] <= '9')
            j++;
        if (j > i + 1 && j < len && buf[j] == '}')
            return SIGMIX_VMAFLOG_SUB;
        return SIGMIX_VMAFLOG_JSON;
    }
    if (buf[i] == '<')
        return SIGMIX_VMAFLOG_XML;
    if (len - i >= 6 && !memcmp(buf + i, "Frame,", 6))
        return SIGMIX_VMAFLOG_CSV;
    return SIGMIX_VMAFLOG_UNKNOWN;
}

/* Rename to canonical names; two sources landing on one name is an error
 * naming both, since pooling them together would mix implementations. */
static int canonicalize(sigmix_vmaflog *L, sigmix_error *err)
{
    char tmp[256];
    for (size_t i = 0; i < L->nmetrics; i++) {
        sigmix_vmaflog_metric *m = &L->metrics[i];
        const char *c = sigmix_vmaflog_canonical(m->source, tmp, sizeof tmp);
        if (strcmp(c, m->source)) {
            char *n = strdup(c);
            if (!n)
                return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
            m->name = n;
        }
    }
    for (size_t i = 0; i < L->nmetrics; i++)
        for (size_t j = i + 1; j < L->nmetrics; j++)
            if (!strcmp(L->metrics[i].name, L->metrics[j].name))
                return sigmix_error_set(err, SIGMIX_EFORMAT,
                                        "metrics '%s' and '%s' both map to '%s'"
                                        " (use --keep-names to keep both)",
                                        L->metrics[i].source, L->metrics[j].source,
                                        L->metrics[i].name);
    return 0;
}

int sigmix_vmaflog_parse(sigmix_vmaflog_reader *rd, const char *buf, size_t len,
                         const sigmix_vmaflog_options *o, sigmix_vmaflog **out,
                         sigmix_error *err)
{
    sigmix_error_clear(err); /* contract: common.h */
    *out = NULL;
    sigmix_vmaflog_format f = sigmix_vmaflog_sniff(buf, len);
    if (f == SIGMIX_VMAFLOG_UNKNOWN)
        return sigmix_error_set(err, SIGMIX_EFORMAT,
                                len ? "not a libvmaf log: JSON, XML, CSV or SUB expected (line 1)"
                                    : "empty file (byte 0)");
    vl_builder b;
    if (vl_init(&b, len))
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    int r;
    switch (f) {
    case SIGMIX_VMAFLOG_JSON: r = vl_read_json(rd->json, buf, len, &b, err); break;
    case SIGMIX_VMAFLOG_XML:  r = vl_read_xml(buf, len, &b, err); break;
    case SIGMIX_VMAFLOG_CSV:  r = vl_read_csv(buf, len, &b, err); break;
    default:                  r = vl_read_sub(buf, len, &b, err); break;
    }
    if (!r && !(o && o->keep_names))
        r = canonicalize(b.log, err);
    if (r) {
        vl_discard(&b);
        return r;
    }
    *out = b.log;
    return 0;
}

int sigmix_vmaflog_read_file(sigmix_vmaflog_reader *rd, const char *path,
                             const sigmix_vmaflog_options *o, sigmix_vmaflog **out,
                             sigmix_error *err)
{
    sigmix_error_clear(err); /* contract: common.h */
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return sigmix_error_set(err, SIGMIX_EIO, "cannot open: %s", strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode)) {
        fclose(f);
        return sigmix_error_set(err, SIGMIX_EIO, "not a regular file");
    }
    size_t size = (size_t)st.st_size;
    if (size + SIGMIX_VMAFLOG_PADDING + 1 > rd->cap) {
        size_t cap = size + SIGMIX_VMAFLOG_PADDING + 1;
        char *nb = realloc(rd->buf, cap);
        if (!nb) {
            fclose(f);
            return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory for %zu bytes", size);
        }
        rd->buf = nb;
        rd->cap = cap;
    }
    size_t got = fread(rd->buf, 1, size, f);
    int bad = ferror(f);
    fclose(f);
    if (bad || got != size)
        return sigmix_error_set(err, SIGMIX_EIO, "read error");
    memset(rd->buf + got, 0, SIGMIX_VMAFLOG_PADDING);
    if (o && o->digest) {
        sigmix_sha256_buf(rd->buf, got, o->digest->sha256);
        o->digest->bytes = got;
    }
    return sigmix_vmaflog_parse(rd, rd->buf, got, o, out, err);
}
