/* sigmix: the command-line front end. Dispatches to one subcommand. */
#include <stdio.h>
#include <string.h>

#include "sigmix/sigmix.h"
#include "cmd.h"

typedef struct command {
    const char *name;
    int       (*run)(int argc, char **argv);
    const char *needs;   /* optional library part (sigmix_has_feature), or NULL */
    const char *summary;
} command;

#define CMD(name, fn, needs, summary) { name, fn, needs, summary }
static const command commands[] = {
    CMD("audit",      cmd_audit,      NULL, "audit which quality signal families a feature table covers"),
    CMD("saliency",   cmd_saliency,   "saliency", "compute saliency features for each row's clip and append them"),
    CMD("cat",        cmd_cat,        NULL, "show or convert a table (Parquet, JSONL, JSON, CSV)"),
    CMD("model-info", cmd_model_info, "onnx", "describe an ONNX saliency model"),
    CMD("model-run",  cmd_model_run,  "onnx", "run an ONNX model on a raw float32 tensor"),
    CMD("vmaf-logs",  cmd_vmaf_logs,  NULL, "turn libvmaf log files into a per-clip or per-frame feature table"),
    CMD("second-opinion", cmd_second_opinion, NULL, "join external NR/MOS scorer outputs as columns"),
    CMD("mos-labels", cmd_mos_labels, NULL, "join subjective MOS labels onto a feature table"),
};

/* The first optional part c needs that this libsigmix lacks, by the name
 * its message uses, or NULL. */
static const char *missing_part(const command *c)
{
    static const char *const parts[][2] = {
        { "ffmpeg", "FFmpeg" }, { "onnx", "ONNX" }, { "fftw", "FFTW" },
    };
    if (!c->needs)
        return NULL;
    for (size_t i = 0; i < sizeof parts / sizeof *parts; i++)
        if ((!strcmp(c->needs, "saliency") || !strcmp(c->needs, parts[i][0]))
            && !sigmix_has_feature(parts[i][0]))
            return parts[i][1];
    return NULL;
}

static int run(const command *c, int argc, char **argv)
{
    const char *missing = missing_part(c);
    if (missing) {
        fprintf(stderr, "sigmix: %s: built without %s support\n", c->name, missing);
        return 2;
    }
    return c->run(argc, argv);
}

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
        return run(c, 2, hargv);
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
        return run(c, argc - 1, argv + 1);
    fprintf(stderr, "sigmix: unknown command '%s' (try 'sigmix --help')\n", argv[1]);
    return 2;
}
