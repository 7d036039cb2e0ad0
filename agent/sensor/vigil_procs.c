/* vigil_procs.c — which pids, threads and process groups are vigil's own. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sensor/vigil_procs.h"

/* tid is a thread of process tgid (its /proc/TGID/task/TID exists). */
static bool is_thread_of(pid_t tgid, long tid)
{
	char path[64];
	if (tgid <= 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/task/%ld", (int)tgid, tid);
	return access(path, F_OK) == 0;
}

bool vigil_owns_pid(long pid, pid_t analyzer)
{
	if (pid <= 0 || pid > INT_MAX)
		return false;
	pid_t self = getpid();
	return pid == self || pid == analyzer || is_thread_of(self, pid) ||
	       is_thread_of(analyzer, pid);
}

bool vigil_owns_pgrp(long pgid, pid_t analyzer)
{
	if (pgid <= 0 || pgid > INT_MAX)
		return false;
	return pgid == getpgrp() || (analyzer > 0 && pgid == getpgid(analyzer));
}

/* "/proc/N" or "/proc/N/task/M" as a whole path: the pid (or tid), else -1. */
static long proc_dir_pid(const char *p)
{
	char *end;
	if (strncmp(p, "/proc/", 6) != 0 || p[6] < '1' || p[6] > '9')
		return -1;
	long pid = strtol(p + 6, &end, 10);
	if (*end == '\0')
		return pid;
	if (strncmp(end, "/task/", 6) == 0 && end[6] >= '1' && end[6] <= '9') {
		long tid = strtol(end + 6, &end, 10);
		return *end == '\0' ? tid : -1;
	}
	return -1;
}

long vigil_fd_target_pid(pid_t tid, int fd)
{
	char path[64], line[128];
	if (fd < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)tid, fd);
	FILE *f = fopen(path, "re");
	long pid = -1;
	if (f) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "Pid: %ld", &pid) == 1)
				break;
		fclose(f);
	}
	if (pid > 0)
		return pid;
	/* pidfd_send_signal also takes an fd of a /proc/PID directory. */
	char target[128];
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)tid, fd);
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return -1;
	target[n] = '\0';
	return proc_dir_pid(target);
}

/* A path of fewer than 4096 bytes has at most 2048 components. */
#define MAX_COMPONENTS 2048

/*
 * Split an absolute path into components, dropping "" and "." and
 * applying ".." lexically (/proc/PID has no symlinked directories on the
 * way to these files). Returns the count, or -1 when it is too long.
 */
static int components(const char *path, char *buf, size_t cap, char **comp)
{
	size_t len = strlen(path);
	if (len >= cap)
		return -1;
	memcpy(buf, path, len + 1);
	int n = 0;
	for (char *save = NULL, *c = strtok_r(buf, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (strcmp(c, ".") == 0)
			continue;
		if (strcmp(c, "..") == 0) {
			n -= n > 0;
			continue;
		}
		comp[n++] = c;
	}
	return n;
}

static bool is_pid_component(const char *c)
{
	if (c[0] < '1' || c[0] > '9') /* procfs takes no leading zero */
		return false;
	for (const char *p = c; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

/* What these files give away: memory, the environment, descriptors. */
static bool is_secret_entry(const char *c)
{
	static const char *const names[] = {"mem",     "environ", "fd",	    "map_files",
					    "pagemap", "stack",	  "syscall"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(c, names[i]) == 0)
			return true;
	return false;
}

bool vigil_owns_proc_path(const char *path, pid_t other)
{
	char buf[4096], *comp[MAX_COMPONENTS];
	if (!path || strncmp(path, "/proc/", 6) != 0)
		return false;
	int n = components(path, buf, sizeof(buf), comp);
	/* /proc/X/root/proc/... is the same /proc again: look past it. */
	int at = 0;
	while (n - at >= 3 && strcmp(comp[at], "proc") == 0 && strcmp(comp[at + 2], "root") == 0)
		at += 3;
	if (n - at < 3 || strcmp(comp[at], "proc") != 0 || !is_pid_component(comp[at + 1]))
		return false;
	long pid = strtol(comp[at + 1], NULL, 10);
	int entry = at + 2;
	if (strcmp(comp[entry], "task") == 0) {
		if (n - entry < 3 || !is_pid_component(comp[entry + 1]))
			return false;
		pid = strtol(comp[entry + 1], NULL, 10);
		entry += 2;
	}
	return is_secret_entry(comp[entry]) && vigil_owns_pid(pid, other);
}
