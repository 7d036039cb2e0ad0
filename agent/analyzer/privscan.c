/* privscan.c — list setuid/setgid/file-capability programs (see privscan.h). */
#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "analyzer/privscan.h"
#include "vigil/log.h"
#include "vigil/strbuf.h"

#define NAMES_SHOWN 12

static const char *const dirs[] = {"/bin",	   "/sbin",	      "/usr/bin",
				   "/usr/sbin",	   "/usr/local/bin",  "/usr/local/sbin",
				   "/usr/libexec", "/usr/lib/openssh"};

static int scan_dir(const char *dir, struct strbuf *names, int found)
{
	DIR *d = opendir(dir);
	if (!d)
		return found;
	struct dirent *e;
	while ((e = readdir(d))) {
		struct stat st;
		if (e->d_name[0] == '.' ||
		    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		char path[4096];
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= (int)sizeof(path))
			continue;
		bool priv = (st.st_mode & (S_ISUID | S_ISGID)) && (st.st_mode & 0111);
		if (!priv && lgetxattr(path, "security.capability", NULL, 0) > 0)
			priv = true;
		if (!priv)
			continue;
		if (found < NAMES_SHOWN) {
			if (found)
				strbuf_add(names, ", ", 2);
			strbuf_adds(names, path);
		}
		found++;
	}
	closedir(d);
	return found;
}

int privscan_warn(void)
{
	struct strbuf names;
	strbuf_init(&names, 8192);
	int found = 0;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char real[4096];
		/* /bin -> usr/bin on merged-/usr systems: scan each directory once. */
		if (realpath(dirs[i], real) && strcmp(real, dirs[i]) != 0)
			continue;
		found = scan_dir(dirs[i], &names, found);
	}
	if (found)
		LOG_WARN("no_new_privs is set (vigil runs without CAP_SYS_ADMIN), so %d setuid, "
			 "setgid "
			 "or file-capability program(s) run without their extra privileges: %s%s",
			 found, names.data, found > NAMES_SHOWN ? ", ..." : "");
	strbuf_free(&names);
	return found;
}
