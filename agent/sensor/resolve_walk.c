/*
 * resolve_walk.c — a path walked one component at a time, for the paths
 * the kernel cannot resolve for vigil as it would for the tracee: those
 * through /proc, where "self" and "thread-self" name the reader (they are
 * translated to the tracee's TGID and TGID/task/TID), magic links
 * (/proc/PID/fd/N, cwd, root, exe: opened by the kernel, which follows
 * them to the tracee's object; never those of vigil's own processes,
 * which the tracee may not follow and the tamper checks must see), a dangling symlink the syscall creates
 * through, and ".." or absolute symlinks of a thread whose root is not
 * vigil's. Ordinary symlinks are read and spliced in front of what is left,
 * as the kernel does, at most 40 of them (ELOOP); a walk of more than
 * MAX_STEPS components gives up (the name stays lexical).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "sensor/compat.h"
#include "vigil/event.h"
#include "sensor/resolve_int.h"
#include "sensor/vigil_procs.h"

#define MAX_LINKS 40 /* the kernel's MAXSYMLINKS */
/* Components walked at most (each costs the supervisor a few syscalls
 * while every tracee waits): 40 links of 4 KiB could make 80000. */
#define MAX_STEPS 4096
#define PROC_ROOT_INO 1 /* the inode of a procfs root directory */

struct walk {
	const struct resolver *r;
	const struct resolve_req *q;
	int root, cur; /* cur: an fd of ours, the directory reached so far */
	int links, steps;
	char rest[2 * VIGIL_PATH_MAX]; /* what is left to walk */
};

/* Make `fd` (ours) the current directory. */
static void move_to(struct walk *w, int fd)
{
	close(w->cur);
	w->cur = fd;
}

/* Put `front` before `tail` (which may point into w->rest). -1: too long. */
static int splice_front(struct walk *w, const char *front, size_t flen, const char *tail)
{
	char buf[sizeof(w->rest)];
	size_t tlen = strlen(tail);
	if (flen + 1 + tlen >= sizeof(buf))
		return -1;
	memcpy(buf, front, flen);
	buf[flen] = '/';
	memcpy(buf + flen + 1, tail, tlen + 1);
	memcpy(w->rest, buf, flen + 1 + tlen + 1);
	return 0;
}

static bool same_dir(int a, int b)
{
	struct statx x, y;
	unsigned mask = STATX_INO | STATX_MNT_ID;
	return statx(a, "", AT_EMPTY_PATH, mask, &x) == 0 &&
	       statx(b, "", AT_EMPTY_PATH, mask, &y) == 0 && x.stx_ino == y.stx_ino &&
	       x.stx_mnt_id == y.stx_mnt_id && x.stx_dev_major == y.stx_dev_major &&
	       x.stx_dev_minor == y.stx_dev_minor;
}

/* "..": up one, never above the tracee's root (the kernel's rule). */
static int step_up(struct walk *w)
{
	if (same_dir(w->cur, w->root))
		return 0;
	int fd = openat(w->cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	move_to(w, fd);
	return 0;
}

/*
 * cur is the root of a procfs of vigil's PID namespace (where vigil's own
 * "self" reads as getpid()): the TGID and TID vigil knows are the tracee's
 * there too. A procfs of another namespace numbers tasks otherwise: no
 * guess (the walk fails, the name stays lexical).
 */
static bool at_our_proc_root(const struct walk *w)
{
	struct stat st;
	char self[16];
	if (fstat(w->cur, &st) != 0 || st.st_ino != PROC_ROOT_INO || !resolve_on_procfs(w->cur))
		return false;
	ssize_t n = readlinkat(w->cur, "self", self, sizeof(self) - 1);
	if (n <= 0)
		return false;
	self[n] = '\0';
	return strcmp(self, w->r->self_pid) == 0;
}

/* /proc/self or /proc/thread-self met as a directory to walk through (or
 * followed at the end): the tracee's. 1 translated, 0 not one, -1 fail. */
static int proc_self(struct walk *w, const char *comp, const char *tail)
{
	bool self = strcmp(comp, "self") == 0, thread = strcmp(comp, "thread-self") == 0;
	if (!self && !thread)
		return 0;
	if (!at_our_proc_root(w))
		return -1;
	char to[48];
	int n = self ? snprintf(to, sizeof(to), "%d", (int)w->q->tgid)
		     : snprintf(to, sizeof(to), "%d/task/%d", (int)w->q->tgid, (int)w->q->tid);
	return splice_front(w, to, (size_t)n, tail) == 0 ? 1 : -1;
}

/* The pid (or tid) a magic link of /proc belongs to: the name of its
 * directory (cwd, root, exe) or of the one above (fd/N, map_files/X). */
static long link_owner(const char *name)
{
	const char *end = strrchr(name, '/'); /* drop the link's own name */
	for (int up = 0; end && end > name && up < 2; up++) {
		const char *c = end;
		while (c > name && c[-1] != '/')
			c--;
		char *stop;
		long pid = c[0] >= '1' && c[0] <= '9' ? strtol(c, &stop, 10) : -1;
		if (pid > 0 && stop == end)
			return pid;
		end = c - 1;
	}
	return -1;
}

/*
 * A magic link of one of vigil's own processes: the tracee may not follow
 * it (the kernel refuses: EACCES), and vigil must not for it. The name is
 * the link's, with what was left of the path, so the tamper checks see
 * /proc/<vigil>/fd/N for what it is.
 */
static int stop_at_link(struct walk *w, int nfd, const char *tail, char *out, size_t size)
{
	char name[2 * VIGIL_PATH_MAX + 2];
	if (resolve_fd_name(w->r, nfd, name, VIGIL_PATH_MAX) != 0)
		return -1;
	size_t n = strlen(name), t = strlen(tail);
	if (n + 1 + t >= sizeof(name))
		return -1;
	name[n] = '/';
	memcpy(name + n + 1, tail, t + 1);
	resolve_normalize(name);
	if (strlen(name) >= size)
		return -1;
	memcpy(out, name, strlen(name) + 1);
	return 0;
}

/* A magic link `comp` of cur (nfd: it): the kernel follows it, as it would
 * for the tracee. 1 followed, 0 stopped there (out filled), -1 fail. */
static int follow_magic(struct walk *w, const char *comp, int nfd, const char *tail, char *out,
			size_t size)
{
	char name[VIGIL_PATH_MAX];
	if (resolve_fd_name(w->r, nfd, name, sizeof(name)) != 0)
		return -1;
	pid_t other = w->r->analyzer_pid ? w->r->analyzer_pid() : -1;
	if (vigil_owns_pid(link_owner(name), other))
		return stop_at_link(w, nfd, tail, out, size);
	int fd = openat(w->cur, comp, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return -1;
	move_to(w, fd);
	return splice_front(w, "", 0, tail) == 0 ? 1 : -1;
}

/* A symlink `comp` of cur (nfd: it, opened O_NOFOLLOW) to follow:
 * 1 followed, 0 the end (out filled), -1 fail. */
static int follow(struct walk *w, const char *comp, int nfd, const char *tail, char *out,
		  size_t size)
{
	if (++w->links > MAX_LINKS)
		return -1;
	if (resolve_on_procfs(nfd)) {
		int probe = resolve_openat2(w->cur, comp, 0, RESOLVE_NO_MAGICLINKS);
		if (probe >= 0)
			close(probe); /* an ordinary link of /proc (mounts -> self/mounts) */
		else if (errno == ELOOP)
			return follow_magic(w, comp, nfd, tail, out, size);
		else
			return -1;
	}
	char target[VIGIL_PATH_MAX];
	ssize_t n = readlinkat(nfd, "", target, sizeof(target) - 1);
	if (n <= 0)
		return -1;
	if (target[0] == '/') { /* absolute: from the tracee's root */
		int fd = fcntl(w->root, F_DUPFD_CLOEXEC, 0);
		if (fd < 0)
			return -1;
		move_to(w, fd);
	}
	return splice_front(w, target, (size_t)n, tail) == 0 ? 1 : -1;
}

/* The name of cur, plus `comp` when it is to be created. */
static int name_of(const struct walk *w, const char *comp, char *out, size_t size)
{
	char dir[VIGIL_PATH_MAX];
	if (resolve_fd_name(w->r, w->cur, dir, sizeof(dir)) != 0)
		return -1;
	if (!comp) {
		if (strlen(dir) >= size)
			return -1;
		memcpy(out, dir, strlen(dir) + 1);
		return 0;
	}
	if (dir[0] != '/')
		return -1;
	size_t dl = strcmp(dir, "/") == 0 ? 0 : strlen(dir);
	if (dl + 1 + strlen(comp) >= size)
		return -1;
	snprintf(out, size, "%.*s/%s", (int)dl, dir, comp);
	return 0;
}

/* One component of w->rest at *pos: 1 walked, 0 the end (out filled), -1 fail. */
static int step(struct walk *w, size_t *pos, char *out, size_t size)
{
	const char *p = w->rest + *pos;
	while (*p == '/')
		p++;
	if (!*p)
		return name_of(w, NULL, out, size) == 0 ? 0 : -1;
	if (++w->steps > MAX_STEPS)
		return -1;
	const char *end = strchrnul(p, '/'), *after = end;
	while (*after == '/')
		after++;
	char comp[NAME_MAX + 1];
	size_t len = (size_t)(end - p);
	if (len > NAME_MAX)
		return -1;
	memcpy(comp, p, len);
	comp[len] = '\0';
	*pos = (size_t)(end - w->rest);
	bool last = !*after,
	     follows = !last || *end == '/' || !(w->q->flags & RESOLVE_REQ_NOFOLLOW);
	if (strcmp(comp, ".") == 0)
		return 1;
	if (strcmp(comp, "..") == 0)
		return step_up(w) == 0 ? 1 : -1;
	int tr = follows ? proc_self(w, comp, end) : 0;
	if (tr != 0) {
		*pos = 0;
		return tr;
	}
	int nfd = openat(w->cur, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (nfd < 0) /* a missing last component is what the syscall creates */
		return errno == ENOENT && last && name_of(w, comp, out, size) == 0 ? 0 : -1;
	struct stat st;
	if (fstat(nfd, &st) != 0 || !S_ISLNK(st.st_mode) || !follows) {
		move_to(w, nfd);
		return 1;
	}
	int ret = follow(w, comp, nfd, end, out, size);
	close(nfd);
	*pos = 0;
	return ret;
}

int resolve_walk(const struct resolver *r, const struct resolve_req *q, int root, int start,
		 char *out, size_t size)
{
	struct walk w = {.r = r, .q = q, .root = root};
	size_t plen = strnlen(q->path, VIGIL_PATH_MAX);
	if (plen >= sizeof(w.rest))
		return -1;
	memcpy(w.rest, q->path, plen + 1);
	w.cur = fcntl(q->path[0] == '/' ? root : start, F_DUPFD_CLOEXEC, 0);
	if (w.cur < 0)
		return -1;
	size_t pos = 0;
	int ret;
	while ((ret = step(&w, &pos, out, size)) == 1)
		;
	close(w.cur);
	return ret;
}
