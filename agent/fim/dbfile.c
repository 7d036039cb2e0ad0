/* dbfile.c — reading the database file, and replacing it crash-safely. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fim/db.h"
#include "vigil/strbuf.h"

vigil_rc fim_db_load(const char *path, struct fim_db *db)
{
	memset(db, 0, sizeof(*db));
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return VIGIL_ERR_IO;
	struct stat st;
	if (fstat(fd, &st) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return VIGIL_ERR_IO;
	}
	size_t len = (size_t)st.st_size;
	uint8_t *buf = malloc(len ? len : 1);
	if (!buf) {
		close(fd);
		return VIGIL_ERR_NOMEM;
	}
	size_t got = 0;
	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			free(buf);
			close(fd);
			errno = e;
			return VIGIL_ERR_IO;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	vigil_rc rc = fim_db_decode(buf, got, db);
	free(buf);
	return rc;
}

#define STALE_TEMP_SECONDS 600 /* older temp files are left over from a killed writer */

/* Remove ".BASE.tmp.*" files a killed writer left in dir (not recent ones:
 * a concurrent writer may still be using its own). */
static void remove_stale_temps(const char *dir, const char *base)
{
	char prefix[NAME_MAX + 8];
	int plen = snprintf(prefix, sizeof(prefix), ".%s.tmp.", base);
	DIR *d = opendir(dir);
	if (!d || plen <= 0 || (size_t)plen >= sizeof(prefix)) {
		if (d)
			closedir(d);
		return;
	}
	time_t now = time(NULL);
	struct dirent *e;
	while ((e = readdir(d))) {
		struct stat st;
		if (strncmp(e->d_name, prefix, (size_t)plen) != 0 ||
		    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(st.st_mode) || now - st.st_mtime < STALE_TEMP_SECONDS)
			continue;
		unlinkat(dirfd(d), e->d_name, 0);
	}
	closedir(d);
}

/* Splits path into its directory (for the temp file and the final fsync). */
static void dir_of(const char *path, char *dir, size_t cap)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		snprintf(dir, cap, ".");
	else if (slash == path)
		snprintf(dir, cap, "/");
	else
		snprintf(dir, cap, "%.*s", (int)(slash - path), path);
}

vigil_rc fim_db_save(const char *path, const struct fim_db *db, const char **what)
{
	char dir[PATH_MAX], tmp[PATH_MAX + 32];
	size_t len = 0;
	uint8_t *img = fim_db_encode(db, &len);
	if (!img) {
		*what = "encode";
		errno = ENOMEM;
		return VIGIL_ERR_NOMEM;
	}
	dir_of(path, dir, sizeof(dir));
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp.XXXXXX", dir, base);
	int fd = mkstemp(tmp); /* mode 0600 */
	if (fd < 0) {
		*what = "create temporary file for";
		free(img);
		return VIGIL_ERR_IO;
	}
	int rc = -1;
	if (vigil_write_all(fd, img, len) != 0)
		*what = "write";
	else if (fsync(fd) != 0)
		*what = "fsync";
	else
		rc = 0;
	int e = errno;
	if (close(fd) != 0 && rc == 0) {
		*what = "close";
		e = errno;
		rc = -1;
	}
	free(img);
	if (rc == 0 && rename(tmp, path) != 0) {
		*what = "rename";
		e = errno;
		rc = -1;
	}
	if (rc != 0) {
		unlink(tmp);
		errno = e;
		return VIGIL_ERR_IO;
	}
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fsync(dfd) != 0) {
		*what = "fsync directory of";
		e = errno;
		if (dfd >= 0)
			close(dfd);
		errno = e;
		return VIGIL_ERR_IO;
	}
	close(dfd);
	remove_stale_temps(dir, base);
	return VIGIL_OK;
}
