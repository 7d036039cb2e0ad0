/* privscan.h — find programs that no_new_privs silently weakens. */
#ifndef VIGIL_PRIVSCAN_H
#define VIGIL_PRIVSCAN_H

/*
 * Scan the usual program directories for setuid/setgid files and files
 * with capabilities (security.capability xattr), and warn once on stderr
 * that they run without those privileges under vigil. Runs in the
 * analyzer, in the background: it never delays the application.
 * Returns how many were found.
 */
int privscan_warn(void);

#endif
