/* Pieces of run provenance shared by the audit and saliency reports. */
#ifndef SIGMIX_UTIL_PROVENANCE_H
#define SIGMIX_UTIL_PROVENANCE_H

#include <time.h>

#include "util/jsonw.h"

/** t as ISO 8601 UTC ("2026-11-23T14:12:41Z") in buf. */
void sigmix_utc_iso(time_t t, char buf[32]);

/** Write the "tool", "version" and "argv" members into the open object. */
void sigmix_prov_tool(sigmix_jsonw *w, const char *tool, int argc, const char *const *argv);

/** Write the "host" member (the host name, "unknown" if it has none). */
void sigmix_prov_host(sigmix_jsonw *w);

#endif
