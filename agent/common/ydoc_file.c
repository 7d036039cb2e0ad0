/* ydoc_file.c — reading a whole YAML file, bounded, errors as diagnostics (see ydoc.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vigil/ydoc.h"

/* Reports msg; frees buf and closes fd. */
static char *read_fail(struct vigil_dctx *dc, char *buf, int fd, const char *msg)
{
	vigil_dctx_add(dc, VIGIL_DIAG_ERROR, 0, 0, NULL, "%s", msg);
	free(buf);
	if (fd >= 0)
		close(fd);
	return NULL;
}

char *ydoc_read_file(const char *path, const char *what, size_t max, size_t *len_out,
		     struct vigil_dctx *dc)
{
	char msg[512];
	char *buf = NULL;
#define FAIL(...) (snprintf(msg, sizeof(msg), __VA_ARGS__), read_fail(dc, buf, fd, msg))
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return FAIL("cannot open %s: %s", what, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) != 0)
		return FAIL("cannot stat %s: %s", what, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return FAIL("cannot read %s: not a regular file", what);
	if ((uint64_t)st.st_size > max)
		return FAIL("%s larger than %zu bytes", what, max);
	size_t cap = (size_t)st.st_size + 1, len = 0;
	buf = malloc(cap);
	if (!buf)
		return FAIL("out of memory");
	for (;;) { /* the file may change size under us: read to EOF, bounded */
		if (len == cap) {
			if (cap > max)
				return FAIL("%s larger than %zu bytes", what, max);
			char *nb = realloc(buf, cap * 2);
			if (!nb)
				return FAIL("out of memory");
			buf = nb;
			cap *= 2;
		}
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return FAIL("cannot read %s: %s", what, strerror(errno));
		if (n == 0)
			break;
		len += (size_t)n;
	}
#undef FAIL
	close(fd);
	*len_out = len;
	return buf;
}
