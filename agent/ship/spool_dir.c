/* spool_dir.c — a private spool directory and crash-safe record files in it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ship/backoff.h"
#include "ship/spool.h"
#include "ship/spool_dir.h"

/* mkdir -p with 0700 for the parts that are missing. */
static int mkdir_parents(const char *path)
{
	char tmp[SHIP_PATH_MAX];
	size_t n = strlen(path);
	if (n == 0 || n >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(tmp, path, n + 1);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

int spool_dir_open(const char *path, char *err, size_t errlen)
{
	if (mkdir_parents(path) != 0) {
		snprintf(err, errlen, "spool.dir: creating %s: %s", path, strerror(errno));
		return -1;
	}
	/* O_NOFOLLOW: a symlink planted at a predictable path is refused. */
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "spool.dir: opening %s: %s", path, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 077)) {
		snprintf(err, errlen,
			 "spool.dir: %s must be a directory owned by uid %u with mode 0700 "
			 "(it is uid %u, mode %04o)",
			 path, (unsigned)geteuid(), (unsigned)st.st_uid,
			 (unsigned)(st.st_mode & 07777));
		close(fd);
		return -1;
	}
	return fd;
}

void spool_name(char out[32], uint64_t seq)
{
	snprintf(out, 32, "%016llx.rec", (unsigned long long)seq);
}

int spool_parse_name(const char *name, uint64_t *seq)
{
	uint64_t v = 0;
	for (int i = 0; i < 16; i++) {
		char c = name[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
		if (d < 0)
			return -1;
		v = v << 4 | (uint64_t)d;
	}
	if (strcmp(name + 16, ".rec") != 0)
		return -1;
	*seq = v;
	return 0;
}

/* Create a temp file with an unpredictable name; returns the fd, name in out. */
static int open_temp(int dirfd, char out[48])
{
	for (int tries = 0; tries < 16; tries++) {
		snprintf(out, 48, SPOOL_TMP_PREFIX "%016llx", (unsigned long long)ship_random64());
		int fd = openat(dirfd, out, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
				0600);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	return -1;
}

vigil_rc spool_write_file(int dirfd, const char *name, const void *p, size_t len)
{
	char tmp[48];
	int fd = open_temp(dirfd, tmp);
	if (fd < 0)
		return VIGIL_ERR_IO;
	if (vigil_write_all(fd, p, len) != 0 || fsync(fd) != 0) {
		int e = errno;
		close(fd);
		unlinkat(dirfd, tmp, 0);
		errno = e;
		return VIGIL_ERR_IO;
	}
	if (close(fd) != 0 || renameat(dirfd, tmp, dirfd, name) != 0) {
		int e = errno;
		unlinkat(dirfd, tmp, 0);
		errno = e;
		return VIGIL_ERR_IO;
	}
	/* The rename is durable only once the directory is. */
	return fsync(dirfd) == 0 ? VIGIL_OK : VIGIL_ERR_IO;
}

int spool_read_file(int dirfd, const char *name, size_t max, struct strbuf *out)
{
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > max) {
		close(fd);
		errno = EFBIG;
		return -1;
	}
	strbuf_reset(out);
	char buf[65536];
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			return n < 0 || out->truncated || out->oom ? -1 : 0;
		}
		strbuf_add(out, buf, (size_t)n);
		if (out->len > max) {
			close(fd);
			return -1;
		}
	}
}
