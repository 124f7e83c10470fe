/*
 * XML logs through libxml2's streaming reader: <VMAF version>, <fyi fps>
 * (1.x: execFps), <frames><frame frameNum=".." name="value" .../></frames>.
 * Pooled and aggregate elements are ignored (values come from frames).
 * Values are %.6f text, so nan, -nan and inf occur.
 */
#include <limits.h>
#include <pthread.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <libxml/xmlreader.h>

#include "util/error.h"
#include "vmaflog/internal.h"

typedef struct xml_ctx {
    char msg[160];
    int  line;
    int  have;
} xml_ctx;

/* Keep libxml2's first error for our message instead of its stderr print. */
static void on_error(void *arg, xmlErrorPtr e)
{
    xml_ctx *c = arg;
    if (c->have || !e)
        return;
    c->have = 1;
    c->line = e->line;
    snprintf(c->msg, sizeof c->msg, "%s", e->message ? e->message : "invalid XML");
    size_t n = strlen(c->msg);
    while (n && (c->msg[n - 1] == '\n' || c->msg[n - 1] == ' '))
        c->msg[--n] = '\0';
}

static int fail_at(sigmix_error *err, xmlTextReaderPtr rd, const char *what)
{
    return sigmix_error_set(err, SIGMIX_EFORMAT, "%s (line %d)", what,
                            xmlTextReaderGetParserLineNumber(rd));
}

static int read_frame(xmlTextReaderPtr rd, vl_builder *b, sigmix_error *err)
{
    int r = vl_frame(b, 0), have_num = 0;
    if (r)
        return r == SIGMIX_ENOMEM ? sigmix_error_set(err, r, "%s", b->why) : fail_at(err, rd, b->why);
    while (xmlTextReaderMoveToNextAttribute(rd) == 1) {
        const char *name = (const char *)xmlTextReaderConstName(rd);
        const char *val = (const char *)xmlTextReaderConstValue(rd);
        if (!name || !val)
            return fail_at(err, rd, "unreadable attribute");
        if (!strcmp(name, "frameNum")) {
            int64_t n;
            if (vl_int(val, strlen(val), &n))
                return fail_at(err, rd, "frameNum is not a non-negative integer");
            vl_frame_num(b, n);
            have_num = 1;
            continue;
        }
        double d;
        if (vl_number(val, strlen(val), &d)) {
            char m[160];
            snprintf(m, sizeof m, "value of '%.64s' is not a number", name);
            return fail_at(err, rd, m);
        }
        if ((r = vl_value(b, name, strlen(name), d)))
            return r == SIGMIX_ENOMEM ? sigmix_error_set(err, r, "%s", b->why)
                                      : fail_at(err, rd, b->why);
    }
    if (!have_num)
        return fail_at(err, rd, "frame without frameNum");
    return 0;
}

/* libxml2's one-time setup, before any reader and never concurrently
 * (it is not thread-safe before libxml2 2.11). */
static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

int vl_read_xml(const char *buf, size_t len, vl_builder *b, sigmix_error *err)
{
    pthread_once(&xml_once, xmlInitParser);
    if (len > INT_MAX)
        return sigmix_error_set(err, SIGMIX_EFORMAT, "XML log larger than 2 GiB");
    xml_ctx c = { .have = 0 };
    /* NONET: never fetch anything; no DTD loading or entity substitution. */
    xmlTextReaderPtr rd = xmlReaderForMemory(buf, (int)len, NULL, NULL,
                                             XML_PARSE_NONET | XML_PARSE_NOERROR
                                             | XML_PARSE_NOWARNING);
    if (!rd)
        return sigmix_error_set(err, SIGMIX_ENOMEM, "cannot start the XML reader");
    xmlTextReaderSetStructuredErrorHandler(rd, on_error, &c);
    int ret, r = 0, saw_root = 0, in_frames = 0, have_frames = 0;
    while ((ret = xmlTextReaderRead(rd)) == 1) {
        int type = xmlTextReaderNodeType(rd);
        if (type == XML_READER_TYPE_END_ELEMENT) {
            const char *name = (const char *)xmlTextReaderConstName(rd);
            if (name && !strcmp(name, "frames"))
                in_frames = 0;
            continue;
        }
        if (type != XML_READER_TYPE_ELEMENT)
            continue;
        const char *name = (const char *)xmlTextReaderConstName(rd);
        int depth = xmlTextReaderDepth(rd);
        if (!name)
            continue;
        if (depth == 0) {
            if (strcmp(name, "VMAF")) {
                r = fail_at(err, rd, "root element is not <VMAF>");
                break;
            }
            saw_root = 1;
            xmlChar *v = xmlTextReaderGetAttribute(rd, (const xmlChar *)"version");
            if (v) {
                r = vl_version(b, (const char *)v, strlen((const char *)v));
                xmlFree(v);
                if (r) {
                    r = sigmix_error_set(err, r, "%s", b->why);
                    break;
                }
            }
        } else if (depth == 1 && !strcmp(name, "fyi")) {
            xmlChar *v = xmlTextReaderGetAttribute(rd, (const xmlChar *)"fps");
            if (!v)
                v = xmlTextReaderGetAttribute(rd, (const xmlChar *)"execFps");
            double d;
            if (v && !vl_number((const char *)v, strlen((const char *)v), &d))
                b->log->fps = isfinite(d) ? d : NAN;
            xmlFree(v);
        } else if (depth == 1 && !strcmp(name, "frames")) {
            if (have_frames) {
                r = fail_at(err, rd, "<frames> given twice");
                break;
            }
            have_frames = 1;
            in_frames = !xmlTextReaderIsEmptyElement(rd);
        } else if (depth == 2 && in_frames && !strcmp(name, "frame")) {
            if ((r = read_frame(rd, b, err)))
                break;
        }
    }
    if (!r && ret < 0) {
        int line = c.have && c.line > 0 ? c.line : xmlTextReaderGetParserLineNumber(rd);
        r = sigmix_error_set(err, SIGMIX_EFORMAT, "invalid XML: %s (line %d)",
                             c.have ? c.msg : "parse error", line);
    }
    if (!r && !saw_root)
        r = sigmix_error_set(err, SIGMIX_EFORMAT, "no <VMAF> element (line 1)");
    if (!r && !have_frames)
        r = fail_at(err, rd, "no <frames> element");
    xmlFreeTextReader(rd);
    if (!r)
        b->log->format = SIGMIX_VMAFLOG_XML;
    return r;
}
