/* Placeholder: implemented by the saliency work. */
#include <stdio.h>
#include "cmd.h"

int cmd_saliency(int argc, char **argv)
{
    (void)argc; (void)argv;
    fprintf(stderr, "sigmix: saliency: not implemented yet\n");
    return 2;
}
