/* fdpass.h — one byte and, optionally, one descriptor over a unix socket (SCM_RIGHTS). */
#ifndef VIGIL_FDPASS_H
#define VIGIL_FDPASS_H

/* Send `byte` with `fd` (or none if fd < 0). Async-signal-safe. 0 or -1. */
int fdpass_send(int sock, char byte, int fd);
/* Receive one byte into *byte and the descriptor that came with it (-1 if
 * none); returns 1, 0 at end of file, -1 on error. */
int fdpass_recv(int sock, char *byte, int *fd);

#endif
