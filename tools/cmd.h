/* Subcommands of the sigmix program. Each returns the process exit status. */
#ifndef SIGMIX_TOOLS_CMD_H
#define SIGMIX_TOOLS_CMD_H

int cmd_audit(int argc, char **argv);
int cmd_cat(int argc, char **argv);
int cmd_saliency(int argc, char **argv);
int cmd_model_info(int argc, char **argv);
int cmd_model_run(int argc, char **argv);
int cmd_vmaf_logs(int argc, char **argv);

#include <stddef.h>
#include <stdio.h>

/* A usage error, in the one format every command uses:
 * "sigmix: CMD: MESSAGE (try 'sigmix help CMD')". Returns the exit status 2.
 * tools/usage.c. */
int cmd_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * Remove this process's temporary files for these outputs if SIGINT,
 * SIGTERM, SIGHUP or SIGPIPE ends it (signals left at their default only;
 * then the process dies of the same signal). Call once the outputs are
 * checked, before the work. tools/outguard.c.
 */
void cmd_guard_outputs(const char *const *paths, size_t n);

/* Check outputs before any work (sigmix_outputs_check), print the one-line
 * error, and guard them as above. Returns 0 or the exit status 2. */
int cmd_check_outputs(const char *const *paths, size_t n);

/* Join commands' --manifest mode (tools/join_cli.c): the usage problem of
 * mixing batch and per-table options, or NULL; then the run, printing the
 * error or the summary line and returning the exit status. */
struct sigmix_batch_options;
const char *cmd_join_batch_misuse(const struct sigmix_batch_options *b, int single);
int cmd_join_batch_run(struct sigmix_batch_options *b, int kind, int argc, char **argv,
                       int threads_given);
/* Options both join commands take (threads and the batch mode): their
 * getopt_long rows, to splice into each command's table, and their cases.
 * cmd_join_option returns -1 when it consumed option c, else the exit
 * status to return now (help, usage error, or c not one of them). */
enum { CMD_JOIN_O_MAN = 512, CMD_JOIN_O_BASE, CMD_JOIN_O_FF, CMD_JOIN_O_RJ, CMD_JOIN_O_RM };
#define CMD_JOIN_LONGOPTS                                                      \
    { "threads", required_argument, NULL, 'j' },                               \
    { "manifest", required_argument, NULL, CMD_JOIN_O_MAN },                   \
    { "base-dir", required_argument, NULL, CMD_JOIN_O_BASE },                  \
    { "fail-fast", no_argument, NULL, CMD_JOIN_O_FF },                         \
    { "report-json", required_argument, NULL, CMD_JOIN_O_RJ },                 \
    { "report-md", required_argument, NULL, CMD_JOIN_O_RM },                   \
    { "help", no_argument, NULL, 'h' }
typedef struct cmd_join_common {
    int threads, threads_given, batch;
} cmd_join_common;
int cmd_join_option(const char *cmd, int c, char **argv, struct sigmix_batch_options *b,
                    cmd_join_common *jc, void (*help)(FILE *));
int cmd_second_opinion(int argc, char **argv);
int cmd_mos_labels(int argc, char **argv);

#endif
