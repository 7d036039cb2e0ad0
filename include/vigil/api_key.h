/*
 * api_key.h — the API key of VIGIL_API_KEY, kept out of every environment.
 *
 * The supervisor takes it out of its environment at start (and wipes the
 * bytes /proc/1/environ shows), so neither the program nor the analyzer
 * inherits it; each analyzer start gets it on a pipe (--key-fd). Both
 * processes are non-dumpable, so their memory is closed to the program.
 */
#ifndef VIGIL_API_KEY_H
#define VIGIL_API_KEY_H

#include <stddef.h>

/* Largest key accepted (an SSM advanced parameter holds 8 KB). */
#define VIGIL_API_KEY_MAX 8192

/* The key handed to this process, else $VIGIL_API_KEY (standalone commands); NULL if none. */
const char *vigil_api_key(void);
/* Supervisor: take VIGIL_API_KEY out of the environment. 0, or -1 when too long (logged). */
int vigil_api_key_take_env(void);
/* Supervisor: a pipe read end holding the key for one analyzer start; -1 when there is no key. */
int vigil_api_key_pipe(void);
/* Analyzer: read the key from fd (closed afterwards). 0, or -1 (logged). */
int vigil_api_key_read_fd(int fd);

#endif
