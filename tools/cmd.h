/* Subcommands of the sigmix program. Each returns the process exit status. */
#ifndef SIGMIX_TOOLS_CMD_H
#define SIGMIX_TOOLS_CMD_H

int cmd_audit(int argc, char **argv);
int cmd_cat(int argc, char **argv);
int cmd_saliency(int argc, char **argv);
int cmd_model_info(int argc, char **argv);
int cmd_model_run(int argc, char **argv);
int cmd_second_opinion(int argc, char **argv);
int cmd_mos_labels(int argc, char **argv);

#endif
