/*
 * sharedir.h — vigil's data files (share/vigil/...), found from the running
 * executable, and the CA bundle for TLS.
 *
 * Nothing of the source, build or install paths is compiled in: a tree is
 * found relative to /proc/self/exe (symbolic links resolved), so the
 * /opt/vigil bundle can be moved whole. BIN being the executable's
 * directory, share/vigil/REL is looked for, in order, at:
 *   BIN/../../share/vigil/REL  PREFIX/libexec/vigil/vigil-analyzer: only
 *                              when BIN's last component is "vigil", so
 *                              other trees never reach two levels up
 *   BIN/../share/vigil/REL     PREFIX/bin/vigil: an install, the bundle
 *   BIN/share/vigil/REL        a build directory: the build copies rules/
 *                              and the CA bundle there
 */
#ifndef VIGIL_SHAREDIR_H
#define VIGIL_SHAREDIR_H

#include <limits.h>
#include <stddef.h>

#define VIGIL_SHARE_MAX 3
#define VIGIL_SHARE_PATH_MAX (PATH_MAX + 64)

/* The candidate paths of share/vigil/REL for this executable, in order,
 * into out; returns how many (0 if /proc/self/exe cannot be read or a path
 * does not fit). */
size_t vigil_share_candidates(const char *rel, char out[VIGIL_SHARE_MAX][VIGIL_SHARE_PATH_MAX]);

/* The first candidate that access(2) allows with mode (R_OK, R_OK | X_OK,
 * ...), into out. 0, or -1 if none. */
int vigil_share_find(const char *rel, int mode, char *out, size_t cap);

/*
 * The CA bundle to verify TLS peers with when none is configured: the
 * image's own, so its updates and private CAs count, at the common system
 * paths (Debian/Ubuntu/Alpine, RHEL/Fedora/Amazon Linux, macOS-style
 * /etc/ssl/cert.pem), else the bundle's share/vigil/ca-certificates.crt
 * for images that have none (scratch, distroless-static). Into out; 0, or
 * -1 if none is readable.
 */
int vigil_ca_default(char *out, size_t cap);
/* The system paths vigil_ca_default tries, NULL-terminated (for messages). */
extern const char *const vigil_ca_system_paths[];

#endif
