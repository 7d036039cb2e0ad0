/* rules_cli.h — `vigil rules validate|list` and `vigil replay`. */
#ifndef VIGIL_RULES_CLI_H
#define VIGIL_RULES_CLI_H

/* argv[0] is "rules" or "replay". Returns the process exit code. */
int rules_cli_main(int argc, char **argv);

#endif
