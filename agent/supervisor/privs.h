/*
 * privs.h — what the program does not inherit from vigil.
 *
 * CAP_SYS_PTRACE (the one capability a Fargate task adds for vigil) would
 * let the program read and trace vigil's own processes, and makes
 * unprivileged userfaultfd available for winning argument races. The
 * program starts without it in every set (effective, permitted,
 * inheritable, ambient, and bounding where vigil may drop it) unless
 * `--keep-cap SYS_PTRACE` asks otherwise (debuggers need it).
 */
#ifndef VIGIL_PRIVS_H
#define VIGIL_PRIVS_H

/*
 * In the program's child, before exec. Returns 0, or -1 when the
 * capability could not be removed from a set (errno). When the bounding
 * set keeps it (no CAP_SETPCAP), no_new_privs is set so that no exec can
 * give it back.
 */
int privs_drop_ptrace(void);

#endif
