/* execsh.h — exec the program as glibc's execvpe does, with any C library. */
#ifndef VIGIL_SUPERVISOR_EXECSH_H
#define VIGIL_SUPERVISOR_EXECSH_H

/* execvpe(argv[0], argv, env), and when the kernel will not run the file
 * (ENOEXEC: a script without "#!"), /bin/sh FILE ARGS..., as glibc's
 * execvpe, tini and every shell do; musl's execvpe stops at ENOEXEC.
 * Returns only on failure, with errno of the exec that failed. Safe in a
 * forked child of a threaded process: no malloc. */
void exec_program(char *const argv[], char *const env[]);

#endif
