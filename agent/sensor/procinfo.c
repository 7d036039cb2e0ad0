/*
 * procinfo.c — facts about traced processes from /proc.
 *
 * Called at exec (image) and lazily when a chdir or set*id made the cached
 * values stale, so an event costs no /proc reads in the common case.
 * Everything read is bounded; a process that vanished yields an error.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vigil/event.h"
#include "sensor/procinfo.h"

/* Read at most size-1 bytes of a /proc file; returns length or -1. */
static ssize_t read_proc_file(pid_t pid, const char *what, char *buf, size_t size)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t len = 0;
	while (len + 1 < size) {
		ssize_t n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return (ssize_t)len;
}

static char *read_link(pid_t pid, const char *what)
{
	char path[64], target[VIGIL_PATH_MAX];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what);
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return NULL;
	target[n] = '\0';
	return strdup(target);
}

int procinfo_fd_path(pid_t pid, pid_t tid, int fd, char *buf, size_t size)
{
	char path[96];
	if (tid == pid) /* the leader's own table, cheaper to look up */
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
	else
		snprintf(path, sizeof(path), "/proc/%d/task/%d/fd/%d", (int)pid, (int)tid, fd);
	ssize_t n = readlink(path, buf, size - 1);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/* argv[0] and the rest joined by spaces, from the NUL-separated cmdline. */
static void split_cmdline(struct proc_image *img, char *buf, size_t len)
{
	size_t first = strnlen(buf, len);
	img->exe = strndup(buf, first);
	if (first + 1 >= len) {
		img->args = strdup("");
		return;
	}
	char *rest = buf + first + 1;
	size_t rest_len = len - first - 1;
	while (rest_len && rest[rest_len - 1] == '\0')
		rest_len--;
	for (size_t i = 0; i < rest_len; i++)
		if (rest[i] == '\0')
			rest[i] = ' ';
	img->args = strndup(rest, rest_len);
}

struct proc_image *procinfo_read_image(pid_t pid, const char *comm, struct exec_argv *argv)
{
	struct proc_image *img = image_new();
	if (!img)
		return NULL;
	char buf[VIGIL_ARGS_MAX + 256];
	img->name = comm && *comm ? strdup(comm) : NULL;
	if (!img->name) {
		ssize_t n = read_proc_file(pid, "comm", buf, 32);
		if (n > 0 && buf[n - 1] == '\n')
			buf[--n] = '\0';
		img->name = strdup(n >= 0 ? buf : "");
	}
	bool cut;
	char *args = buf;
	ssize_t n;
	if (argv) {
		args = argv->buf, n = (ssize_t)argv->len, cut = argv->truncated;
	} else {
		n = read_proc_file(pid, "cmdline", buf, sizeof(buf));
		cut = n == (ssize_t)sizeof(buf) - 1; /* filled: more may follow */
	}
	/* Rules cannot see past the bound; vigil.args_truncated lets them know
	 * (padding before a pattern must not hide it silently). */
	img->args_truncated = n > 0 && cut;
	if (n > 0)
		split_cmdline(img, args, (size_t)n);
	img->exepath = read_link(pid, "exe");
	if (img->name && img->args &&
	    asprintf(&img->cmdline, "%s%s%s", img->name, *img->args ? " " : "", img->args) < 0)
		img->cmdline = NULL;
	if (img->exepath && strncmp(img->exepath, "/memfd:", 7) == 0)
		img->from_memfd = true;
	return img;
}

/* Parse the 3 numbers after "Uid:" (real, effective, saved). */
static void parse_ids(const char *status, const char *key, uint32_t *real, uint32_t *eff)
{
	const char *p = strstr(status, key);
	if (!p)
		return;
	char *end;
	*real = (uint32_t)strtoul(p + strlen(key), &end, 10);
	*eff = (uint32_t)strtoul(end, NULL, 10);
}

/* "Name:\tCOMM\n" first in status; the kernel escapes '\n' and '\\' there. */
static void parse_comm(const char *status, char *comm, size_t size)
{
	size_t n = 0;
	const char *p = strncmp(status, "Name:\t", 6) == 0 ? status + 6 : "";
	for (; *p && *p != '\n' && n + 1 < size; p++) {
		if (*p == '\\' && (p[1] == 'n' || p[1] == '\\'))
			comm[n++] = *++p == 'n' ? '\n' : '\\';
		else
			comm[n++] = *p;
	}
	comm[n] = '\0';
}

int procinfo_read_ids(struct proc *p, pid_t tid, char *comm, size_t comm_size)
{
	char status[4096];
	if (read_proc_file(tid, "status", status, sizeof(status)) <= 0)
		return -1;
	if (comm && comm_size)
		parse_comm(status, comm, comm_size);
	parse_ids(status, "\nUid:", &p->uid, &p->euid);
	parse_ids(status, "\nGid:", &p->gid, &p->egid);
	const char *cap = strstr(status, "\nCapEff:");
	if (cap)
		p->cap_effective = strtoull(cap + 8, NULL, 16);
	if ((cap = strstr(status, "\nCapPrm:")))
		p->cap_permitted = strtoull(cap + 8, NULL, 16);
	if ((cap = strstr(status, "\nCapInh:")))
		p->cap_inheritable = strtoull(cap + 8, NULL, 16);
	p->ids_stale = false;
	return 0;
}

int procinfo_read_session(struct proc *p, pid_t tid)
{
	char stat[1024];
	if (read_proc_file(tid, "stat", stat, sizeof(stat)) > 0) {
		/* comm may hold spaces and parens: fields start after the last ')'. */
		const char *r = strrchr(stat, ')');
		int ppid, pgrp, session, tty;
		char state;
		if (r &&
		    sscanf(r + 1, " %c %d %d %d %d", &state, &ppid, &pgrp, &session, &tty) == 5) {
			p->pgid = pgrp;
			p->sid = session;
			p->tty = (uint32_t)tty;
		}
	}
	char lu[32];
	if (read_proc_file(tid, "loginuid", lu, sizeof(lu)) > 0) {
		unsigned long v = strtoul(lu, NULL, 10);
		p->loginuid = v == 4294967295UL ? -1 : (int64_t)v;
	}
	p->session_stale = false;
	return 0;
}

int procinfo_read_cwd(struct proc *p)
{
	char *cwd = read_link(p->pid, "cwd");
	if (!cwd)
		return -1;
	size_t len = strlen(cwd);
	if (len == 0 || cwd[len - 1] != '/') { /* "/" stays "/", "/tmp" becomes "/tmp/" */
		char *slashed = realloc(cwd, len + 2);
		if (!slashed) {
			free(cwd);
			return -1;
		}
		cwd = slashed;
		cwd[len] = '/';
		cwd[len + 1] = '\0';
	}
	free(p->cwd);
	p->cwd = cwd;
	p->cwd_stale = false;
	return 0;
}
