/* aws_cli.h — `vigil aws check`: is the API key reachable, and how. */
#ifndef VIGIL_AWS_CLI_H
#define VIGIL_AWS_CLI_H

/* argv[0] is "aws". Exit code: 0 key obtained, 1 not, 2 usage. */
int aws_cli_main(int argc, char **argv);

#endif
