#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sigmix/common.h"
#include "util/provenance.h"

void sigmix_utc_iso(time_t t, char buf[32])
{
    struct tm tm;
    if (!gmtime_r(&t, &tm) || !strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(buf, 32, "1970-01-01T00:00:00Z");
}

void sigmix_prov_tool(sigmix_jsonw *w, const char *tool, int argc, const char *const *argv)
{
    sigmix_jw_key(w, "tool");
    sigmix_jw_str(w, tool);
    sigmix_jw_key(w, "version");
    sigmix_jw_str(w, sigmix_version());
    sigmix_jw_key(w, "argv");
    sigmix_jw_arr_begin(w);
    for (int i = 0; i < argc; i++)
        sigmix_jw_str(w, argv[i]);
    sigmix_jw_arr_end(w);
}

void sigmix_prov_host(sigmix_jsonw *w)
{
    char host[256];
    if (gethostname(host, sizeof host))
        strcpy(host, "unknown");
    host[sizeof host - 1] = '\0';
    sigmix_jw_key(w, "host");
    sigmix_jw_str(w, host);
}
