/* execsh.c — see execsh.h. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "supervisor/execsh.h"

/* The file execvpe ran for NAME: NAME itself if it has a '/', else the first
 * executable regular file NAME in $PATH (musl's default when PATH is unset).
 * Fills out (PATH_MAX); false if none. */
static bool find_file(const char *name, char *out)
{
	size_t nlen = strlen(name);
	if (strchr(name, '/')) {
		if (nlen >= PATH_MAX)
			return false;
		memcpy(out, name, nlen + 1);
		return true;
	}
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/local/bin:/bin:/usr/bin";
	for (const char *p = path;; p++) {
		const char *end = strchrnul(p, ':');
		size_t dlen = (size_t)(end - p);
		if (dlen + 1 + nlen < PATH_MAX) {
			memcpy(out, p, dlen);
			size_t at = dlen;
			if (dlen)
				out[at++] = '/';
			memcpy(out + at, name, nlen + 1);
			struct stat sb;
			if (stat(out, &sb) == 0 && S_ISREG(sb.st_mode) && access(out, X_OK) == 0)
				return true;
		}
		if (!*end)
			return false;
		p = end;
	}
}

void exec_program(char *const argv[], char *const env[])
{
	execvpe(argv[0], argv, env);
	if (errno != ENOEXEC)
		return;
	char file[PATH_MAX];
	if (!find_file(argv[0], file)) {
		errno = ENOEXEC;
		return;
	}
	size_t n = 0;
	while (argv[n])
		n++;
	/* sh FILE ARGV[1..]: n + 2 pointers, from mmap (no malloc after fork). */
	size_t size = (n + 2) * sizeof(char *);
	char **sh_argv =
		mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (sh_argv == MAP_FAILED) {
		errno = ENOEXEC;
		return;
	}
	sh_argv[0] = "sh";
	sh_argv[1] = file;
	for (size_t i = 1; i < n; i++)
		sh_argv[i + 1] = argv[i];
	sh_argv[n + 1] = NULL;
	execve("/bin/sh", sh_argv, env);
	int err = errno;
	munmap(sh_argv, size);
	errno = err == ENOENT ? ENOEXEC : err; /* no /bin/sh: the file's own error */
}
