/*
 * libsigmix.so's XML reader: a forwarder to sigmix-xml.so (xml_plugin.h),
 * loaded by the first XML log and kept for the process.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <string.h>

#include "sigmix_config.h"
#include "util/dynload.h"
#include "util/error.h"
#include "vmaflog/internal.h"
#include "vmaflog/xml_plugin.h"

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;
static const sigmix_xml_vtbl *xml_vt;
static sigmix_error xml_err; /* why loading failed; written once */

static void xml_load(void)
{
    void *h = sigmix_dl_plugin(&xml_err, "sigmix-xml.so", &xml_err);
    if (!h)
        return;
    const sigmix_xml_vtbl *(*entry)(void);
    *(void **)&entry = dlsym(h, SIGMIX_XML_ENTRY);
    const sigmix_xml_vtbl *v = entry ? entry() : NULL;
    if (!v || v->size != sizeof *v || strcmp(v->version, SIGMIX_VERSION_STRING)) {
        sigmix_error_set(&xml_err, SIGMIX_EUNSUPPORTED,
                         "sigmix-xml.so does not match libsigmix %s", SIGMIX_VERSION_STRING);
        dlclose(h);
        return;
    }
    xml_vt = v;
}

int vl_read_xml(const char *buf, size_t len, vl_builder *b, sigmix_error *err)
{
    pthread_once(&xml_once, xml_load);
    if (!xml_vt) {
        if (err)
            *err = xml_err;
        return xml_err.code;
    }
    return xml_vt->read_xml(buf, len, b, err);
}
