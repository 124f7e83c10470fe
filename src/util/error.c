#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sigmix_config.h"
#include "util/error.h"

const char *sigmix_strerror(int code)
{
    switch (code) {
    case SIGMIX_OK:           return "success";
    case SIGMIX_EINVAL:       return "invalid argument";
    case SIGMIX_ENOMEM:       return "out of memory";
    case SIGMIX_EIO:          return "input/output error";
    case SIGMIX_EFORMAT:      return "malformed input";
    case SIGMIX_EUNSUPPORTED: return "unsupported feature";
    case SIGMIX_ENOTFOUND:    return "not found";
    case SIGMIX_EDECODE:      return "decoding failed";
    case SIGMIX_EMODEL:       return "model failed";
    default:                  return "unknown error";
    }
}

const char *sigmix_version(void)
{
    return SIGMIX_VERSION_STRING;
}

void sigmix_free(void *p)
{
    free(p);
}

unsigned sigmix_version_api(void)
{
    return SIGMIX_API_VERSION;
}

int sigmix_error_set(sigmix_error *err, int code, const char *fmt, ...)
{
    if (err && err->code == 0) {
        va_list ap;
        err->code = code;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return code;
}

void sigmix_error_clear(sigmix_error *err)
{
    if (err) {
        err->code = 0;
        err->message[0] = '\0';
    }
}

int sigmix_error_open(sigmix_error *err, int e)
{
    return sigmix_error_set(err, e == ENOENT || e == ENOTDIR ? SIGMIX_ENOTFOUND : SIGMIX_EIO,
                            "cannot open: %s", strerror(e));
}
