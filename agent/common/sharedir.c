/* sharedir.c — data files beside the executable, the CA bundle (see sharedir.h). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vigil/sharedir.h"

const char *const vigil_ca_system_paths[] = {
	"/etc/ssl/certs/ca-certificates.crt", /* Debian, Ubuntu, Alpine, Arch */
	"/etc/pki/tls/certs/ca-bundle.crt",   /* RHEL, Fedora, Amazon Linux */
	"/etc/ssl/cert.pem",		      /* Alpine's alias, BSD-style images */
	NULL,
};

/* dir's length without its last component ("/a/b" -> 2, "/a" -> 0). */
static size_t parent_len(const char *dir, size_t len)
{
	while (len > 0 && dir[len - 1] != '/')
		len--;
	return len > 0 ? len - 1 : 0;
}

static bool put(char *out, const char *dir, size_t dirlen, const char *rel)
{
	int n = snprintf(out, VIGIL_SHARE_PATH_MAX, "%.*s/share/vigil/%s", (int)dirlen, dir, rel);
	return n > 0 && n < VIGIL_SHARE_PATH_MAX;
}

size_t vigil_share_candidates(const char *rel, char out[VIGIL_SHARE_MAX][VIGIL_SHARE_PATH_MAX])
{
	char bin[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", bin, sizeof(bin) - 1);
	if (n <= 0)
		return 0;
	bin[n] = '\0';
	char *slash = strrchr(bin, '/');
	if (!slash)
		return 0;
	*slash = '\0'; /* bin: the executable's directory ("" for /) */
	size_t len = strlen(bin), up = parent_len(bin, len);
	size_t k = 0;
	/* PREFIX/libexec/vigil/: the analyzer's private directory */
	if (strcmp(bin + up, "/vigil") == 0 && !put(out[k++], bin, parent_len(bin, up), rel))
		return 0;
	if (!put(out[k++], bin, up, rel) || !put(out[k++], bin, len, rel))
		return 0;
	return k;
}

int vigil_share_find(const char *rel, int mode, char *out, size_t cap)
{
	char c[VIGIL_SHARE_MAX][VIGIL_SHARE_PATH_MAX];
	size_t n = vigil_share_candidates(rel, c);
	for (size_t i = 0; i < n; i++)
		if (access(c[i], mode) == 0 && strlen(c[i]) < cap) {
			memcpy(out, c[i], strlen(c[i]) + 1);
			return 0;
		}
	return -1;
}

int vigil_ca_default(char *out, size_t cap)
{
	for (const char *const *p = vigil_ca_system_paths; *p; p++)
		if (access(*p, R_OK) == 0 && strlen(*p) < cap) {
			memcpy(out, *p, strlen(*p) + 1);
			return 0;
		}
	return vigil_share_find("ca-certificates.crt", R_OK, out, cap);
}
