/* fim_cli.h — `vigil fim baseline|check|accept`: one-shot integrity checks. */
#ifndef VIGIL_FIM_CLI_H
#define VIGIL_FIM_CLI_H

/* argv[0] is "fim". Returns the process exit code: 0 ok / no changes,
 * 1 changes found (check), 2 error. */
int fim_cli_main(int argc, char **argv);

#endif
