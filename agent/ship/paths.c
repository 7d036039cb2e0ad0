/* paths.c — default locations: the spool directory and the CA bundle. */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ship/internal.h"

void ship_default_spool_dir(char *out, size_t cap)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	/* XDG_RUNTIME_DIR is private to the user by definition; /tmp is not, so the
	 * name carries the uid and spool_dir_open refuses a directory someone else made. */
	if (xdg && xdg[0] == '/' && strlen(xdg) + 16 < cap)
		snprintf(out, cap, "%s/vigil/spool", xdg);
	else
		snprintf(out, cap, "/tmp/vigil-spool-%u", (unsigned)geteuid());
}

/* <dir of /proc/self/exe>/../share/vigil/ca-certificates.crt */
static int bundled_ca(char *out, size_t cap)
{
	char exe[SHIP_PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return -1;
	exe[n] = '\0';
	int m = snprintf(out, cap, "%s/../share/vigil/ca-certificates.crt", dirname(exe));
	return m > 0 && (size_t)m < cap ? 0 : -1;
}

vigil_rc ship_resolve_ca_file(const char *configured, char *out, size_t cap, char *err,
			      size_t errlen)
{
	if (configured && configured[0]) {
		if (access(configured, R_OK) != 0) {
			snprintf(err, errlen, "http.ca_file: %s: %s", configured, strerror(errno));
			return VIGIL_ERR_IO;
		}
		snprintf(out, cap, "%s", configured);
		return VIGIL_OK;
	}
	if (bundled_ca(out, cap) == 0 && access(out, R_OK) == 0)
		return VIGIL_OK;
	if (access("/etc/ssl/certs/ca-certificates.crt", R_OK) == 0) {
		snprintf(out, cap, "/etc/ssl/certs/ca-certificates.crt");
		return VIGIL_OK;
	}
	snprintf(err, errlen,
		 "http.ca_file: no CA bundle found (share/vigil/ca-certificates.crt next to the "
		 "binary, /etc/ssl/certs/ca-certificates.crt); set http.ca_file or --ca-file");
	return VIGIL_ERR_NOT_FOUND;
}
