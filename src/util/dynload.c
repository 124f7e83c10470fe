/* Plugin lookup next to the library itself (see dynload.h). */
/* dladdr and Dl_info are GNU extensions. */
#define _GNU_SOURCE
#include "util/dynload.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/error.h"

void *sigmix_dl_plugin(const void *anchor, const char *name, sigmix_error *err)
{
    Dl_info info;
    /* dladdr takes a data pointer; a function's address converts on every
     * platform dlopen exists on. */
    if (!dladdr(anchor, &info) || !info.dli_fname) {
        sigmix_error_set(err, SIGMIX_EUNSUPPORTED, "cannot locate libsigmix to find %s", name);
        return NULL;
    }
    char dir[PATH_MAX];
    const char *slash = strrchr(info.dli_fname, '/');
    size_t n = slash ? (size_t)(slash - info.dli_fname) : 0;
    if (n >= sizeof dir) {
        sigmix_error_set(err, SIGMIX_EUNSUPPORTED, "library path too long to find %s", name);
        return NULL;
    }
    if (slash)
        memcpy(dir, info.dli_fname, n);
    else
        dir[n++] = '.';
    dir[n] = '\0';

    char path[PATH_MAX];
    /* Installed layout first; the build tree has the plugin beside the library. */
    static const char *const forms[] = { "%s/sigmix/%s", "%s/%s" };
    for (size_t i = 0; i < sizeof forms / sizeof *forms; i++) {
        int w = snprintf(path, sizeof path, forms[i], dir, name);
        if (w < 0 || (size_t)w >= sizeof path)
            continue;
        if (access(path, F_OK))
            continue;
        void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
        if (h)
            return h;
        const char *why = dlerror();
        sigmix_error_set(err, SIGMIX_EUNSUPPORTED, "cannot load plugin %s: %s", path,
                         why ? why : "unknown error");
        return NULL;
    }
    sigmix_error_set(err, SIGMIX_EUNSUPPORTED, "plugin %s not found in %s/sigmix or %s",
                     name, dir, dir);
    return NULL;
}
