/* The export of sigmix-xml.so: the libxml2 reader (xml_stub.c). */
#include "sigmix_config.h"
#include "vmaflog/internal.h"
#include "vmaflog/xml_plugin.h"

/* Exported by the plugin's version script (xml.map), nothing else is. */
__attribute__((visibility("default"))) const sigmix_xml_vtbl *sigmix_xml_plugin_v1(void);

const sigmix_xml_vtbl *sigmix_xml_plugin_v1(void)
{
    static const sigmix_xml_vtbl v = {
        .version = SIGMIX_VERSION_STRING,
        .size = sizeof(sigmix_xml_vtbl),
        .read_xml = vl_read_xml,
    };
    return &v;
}
