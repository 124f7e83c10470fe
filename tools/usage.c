/* The one usage-error format every command prints. */
#include <stdarg.h>
#include <stdio.h>

#include "cmd.h"

int cmd_usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "sigmix: %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (try 'sigmix help %s')\n", cmd);
    va_end(ap);
    return 2;
}
