/* Placeholder: implemented by the audit work. */
#include <stdio.h>
#include "cmd.h"

int cmd_audit(int argc, char **argv)
{
    (void)argc; (void)argv;
    fprintf(stderr, "sigmix: audit: not implemented yet\n");
    return 2;
}
