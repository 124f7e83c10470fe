/* sigmix: the command-line front end. Dispatches to one subcommand. */
#include <stdio.h>
#include <string.h>

#include "sigmix/sigmix.h"
#include "cmd.h"

typedef struct command {
    const char *name;
    int       (*run)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    { "audit",      cmd_audit,      "audit which quality signal families a feature table covers" },
    { "saliency",   cmd_saliency,   "compute saliency features for each row's clip and append them" },
    { "cat",        cmd_cat,        "show or convert a table (Parquet, JSONL, JSON, CSV)" },
    { "model-info", cmd_model_info, "describe an ONNX saliency model" },
    { "model-run",  cmd_model_run,  "run an ONNX model on a raw float32 tensor" },
    { "vmaf-logs",  cmd_vmaf_logs,  "turn libvmaf log files into a per-clip or per-frame feature table" },
    { "second-opinion", cmd_second_opinion, "join external NR/MOS scorer outputs as columns" },
    { "mos-labels", cmd_mos_labels, "join subjective MOS labels onto a feature table" },
};

static void usage(FILE *f)
{
    /* The name column fits the longest command name. */
    int w = 0;
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if ((int)strlen(commands[i].name) > w)
            w = (int)strlen(commands[i].name);
    fprintf(f, "Usage: sigmix COMMAND [OPTIONS]\n\n"
               "Feature tables for video-quality models.\n\nCommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        fprintf(f, "  %-*s  %s\n", w, commands[i].name, commands[i].summary);
    fprintf(f, "\nOptions:\n"
               "  -h, --help     show this help and exit\n"
               "  -V, --version  show the version and exit\n\n"
               "Run 'sigmix COMMAND --help' or 'sigmix help COMMAND' for a command's options.\n"
               "Exit status: 0 success, 1 some rows failed (saliency), 2 usage or input error.\n");
}

static const command *find_command(const char *name)
{
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (!strcmp(name, commands[i].name))
            return &commands[i];
    return NULL;
}

int main(int argc, char **argv)
{
    /* dav1d-style check: headers of one API major, library of another
     * (a stale libsigmix.so on the library path) would misread structs. */
    if (sigmix_version_api() >> 16 != SIGMIX_API_VERSION_MAJOR) {
        fprintf(stderr, "sigmix: built for libsigmix API %d, but the loaded library is %s "
                        "(API %u)\n", SIGMIX_API_VERSION_MAJOR, sigmix_version(),
                sigmix_version_api() >> 16);
        return 2;
    }
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "help") && argc > 2) {
        /* "sigmix help CMD" is "sigmix CMD --help". */
        const command *c = find_command(argv[2]);
        if (!c) {
            fprintf(stderr, "sigmix: unknown command '%s' (try 'sigmix --help')\n", argv[2]);
            return 2;
        }
        char *hargv[] = { argv[2], "--help", NULL };
        return c->run(2, hargv);
    }
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
        printf("sigmix %s\n", sigmix_version());
        return 0;
    }
    const command *c = find_command(argv[1]);
    if (c)
        return c->run(argc - 1, argv + 1);
    fprintf(stderr, "sigmix: unknown command '%s' (try 'sigmix --help')\n", argv[1]);
    return 2;
}
