/* paths.c — default locations: the spool directory and the CA bundle. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ship/internal.h"
#include "vigil/sharedir.h"

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
	if (vigil_ca_default(out, cap) == 0) /* the image's own, else the bundle's */
		return VIGIL_OK;
	snprintf(err, errlen,
		 "http.ca_file: no CA bundle found (%s, %s, %s, or share/vigil/ca-certificates.crt "
		 "of the vigil tree); set http.ca_file or --ca-file",
		 vigil_ca_system_paths[0], vigil_ca_system_paths[1], vigil_ca_system_paths[2]);
	return VIGIL_ERR_NOT_FOUND;
}
