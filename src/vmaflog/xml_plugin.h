/*
 * The XML log reader as a plugin: libxml2 and ICU are about a third of
 * libsigmix.so's load time, and only XML logs need them (docs/library.md,
 * "Layout"). `version` and `size` must match the library's build.
 */
#ifndef SIGMIX_VMAFLOG_XML_PLUGIN_H
#define SIGMIX_VMAFLOG_XML_PLUGIN_H

#include <stddef.h>

#include "vmaflog/internal.h"

#define SIGMIX_XML_ENTRY "sigmix_xml_plugin_v1"

typedef struct sigmix_xml_vtbl {
    const char *version;
    size_t      size;
    int (*read_xml)(const char *buf, size_t len, vl_builder *b, sigmix_error *err);
} sigmix_xml_vtbl;

#endif
