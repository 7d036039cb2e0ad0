/* tracee_path.c — a path as a traced thread would resolve it (tracee_path.h). */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "vigil/event.h"
#include "sensor/tracee_path.h"

/* path starts with the directory `dir` (whole components). */
static const char *under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	if (strncmp(path, dir, n) != 0 || (path[n] != '/' && path[n] != '\0'))
		return NULL;
	return path + n;
}

/* The names that mean "the caller itself" to the kernel, as the thread's. */
static int self_paths(pid_t pid, pid_t tid, const char *path, char *out, size_t size)
{
	static const char *const std[] = {"/dev/stdin", "/dev/stdout", "/dev/stderr"};
	const char *rest;
	int n = -1;
	for (int i = 0; i < 3; i++)
		if (strcmp(path, std[i]) == 0)
			n = snprintf(out, size, "/proc/%d/fd/%d", (int)pid, i);
	if ((rest = under(path, "/proc/self")))
		n = snprintf(out, size, "/proc/%d%s", (int)pid, rest);
	else if ((rest = under(path, "/proc/thread-self")))
		n = snprintf(out, size, "/proc/%d/task/%d%s", (int)pid, (int)tid, rest);
	else if ((rest = under(path, "/dev/fd")))
		n = snprintf(out, size, "/proc/%d/fd%s", (int)pid, rest);
	if (n < 0)
		return 0; /* none of them: the path stays */
	return (size_t)n < size ? 1 : -1;
}

int tracee_task_dir(pid_t pid, pid_t tid, char *out, size_t size)
{
	/* The leader's /proc/PID/{root,cwd,fd} are its own, and cheaper to
	 * look up than a task/TID directory built for the occasion. */
	int n = tid == pid ? snprintf(out, size, "/proc/%d", (int)pid)
			   : snprintf(out, size, "/proc/%d/task/%d", (int)pid, (int)tid);
	return n >= 0 && (size_t)n < size ? 0 : -1;
}

int tracee_path(pid_t pid, pid_t tid, int dirfd, const char *path, char *out, size_t size)
{
	char self[VIGIL_PATH_MAX + 64], dir[64];
	int s = path[0] == '/' ? self_paths(pid, tid, path, self, sizeof(self)) : 0;
	if (s < 0 || tracee_task_dir(pid, tid, dir, sizeof(dir)) != 0)
		return -1;
	if (s > 0)
		path = self;
	int n;
	if (path[0] == '/')
		n = snprintf(out, size, "%s/root%s", dir, path);
	else if (dirfd == AT_FDCWD)
		n = snprintf(out, size, "%s/cwd/%s", dir, path);
	else
		n = snprintf(out, size, "%s/fd/%d%s%s", dir, dirfd, *path ? "/" : "", path);
	return n >= 0 && (size_t)n < size ? 0 : -1;
}

int tracee_stat(pid_t pid, pid_t tid, int dirfd, const char *path, struct stat *st)
{
	char p[VIGIL_PATH_MAX + 128];
	if (tracee_path(pid, tid, dirfd, path, p, sizeof(p)) != 0)
		return -1;
	return stat(p, st);
}

bool tracee_same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}
