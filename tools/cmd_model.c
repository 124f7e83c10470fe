/* Placeholder: implemented by the ONNX work. */
#include <stdio.h>
#include "cmd.h"

int cmd_model_info(int argc, char **argv)
{
    (void)argc; (void)argv;
    fprintf(stderr, "sigmix: model-info: not implemented yet\n");
    return 2;
}

int cmd_model_run(int argc, char **argv)
{
    (void)argc; (void)argv;
    fprintf(stderr, "sigmix: model-run: not implemented yet\n");
    return 2;
}
