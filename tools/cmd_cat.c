/* Placeholder: implemented by the cat work. */
#include <stdio.h>
#include "cmd.h"

int cmd_cat(int argc, char **argv)
{
    (void)argc; (void)argv;
    fprintf(stderr, "sigmix: cat: not implemented yet\n");
    return 2;
}
