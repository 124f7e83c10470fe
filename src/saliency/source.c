/* Source resolution with root confinement (realpath, so symlinks count). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "saliency/internal.h"

static int inside(const char *p, const char *root)
{
    size_t n = strlen(root);
    if (n == 1 && root[0] == '/')
        return p[0] == '/';
    return !strncmp(p, root, n) && (p[n] == '/' || p[n] == '\0');
}

char *sigmix_sal_resolve(const char *path, size_t len, const char *root_real,
                         int allow_outside)
{
    if (!path || len == 0 || memchr(path, '\0', len))
        return NULL;
    size_t rl = root_real ? strlen(root_real) : 0;
    char *full = malloc(rl + len + 2);
    if (!full)
        return NULL;
    if (root_real && path[0] != '/') {
        memcpy(full, root_real, rl);
        full[rl] = '/';
        memcpy(full + rl + 1, path, len);
        full[rl + 1 + len] = '\0';
    } else {
        memcpy(full, path, len);
        full[len] = '\0';
    }
    char *real = realpath(full, NULL);
    free(full);
    struct stat st;
    if (!real || stat(real, &st) || !S_ISREG(st.st_mode)
        || (root_real && !allow_outside && !inside(real, root_real))) {
        free(real);
        return NULL;
    }
    return real;
}
