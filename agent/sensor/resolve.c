/*
 * resolve.c — a tracee's path as the kernel will resolve it (resolve.h).
 *
 * Cheapest exact route first. openat2(anchor, path, RESOLVE_NO_SYMLINKS)
 * proves that the walk meets no symlink: then the anchor's name joined
 * lexically with the path is the kernel's name, and a missing component
 * (O_CREAT, mkdir) is named the same way. That costs one openat2 for an
 * absolute path of a thread whose root is vigil's (cached), plus the anchor
 * (open of /proc/TGID/task/TID/cwd and its name) for a relative one.
 * Symlinks on the way: openat2 with RESOLVE_NO_MAGICLINKS, and the name
 * the kernel gives the result. A magic link (/proc/PID/fd/N, .../root),
 * a result inside /proc ("self" would have been vigil), a dangling symlink
 * to be created through, or ".." above a cwd when the thread's root is not
 * vigil's: the component walk (resolve_walk.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "sensor/compat.h"
#include "vigil/event.h"
#include "sensor/resolve_int.h"

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

/* The fd a request starts from. */
struct anchor {
	int fd;	      /* AT_FDCWD: vigil's own root (an absolute path, same root) */
	bool is_root; /* ".." stops here and "/" starts here (RESOLVE_IN_ROOT) */
	int named;    /* 0 not asked yet, 1 name holds it, -1 no usable name */
	char name[VIGIL_PATH_MAX];
};

int resolve_openat2(int dirfd, const char *path, uint64_t flags, uint64_t resolve)
{
	struct open_how how = {.flags = flags | O_PATH | O_CLOEXEC, .resolve = resolve};
	return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
}

int resolve_open_task(const struct resolve_req *q, const char *what)
{
	char p[96];
	snprintf(p, sizeof(p), "/proc/%d/task/%d/%s", (int)q->tgid, (int)q->tid, what);
	return open(p, O_PATH | O_CLOEXEC);
}

int resolve_fd_name(const struct resolver *r, int fd, char *out, size_t size)
{
	char n[16];
	snprintf(n, sizeof(n), "%d", fd);
	ssize_t len = readlinkat(r->self_fd_dir, n, out, size - 1);
	if (len <= 0 || (size_t)len >= size - 1) /* filled: it may have been cut */
		return -1;
	out[len] = '\0';
	return 0;
}

bool resolve_on_procfs(int fd)
{
	struct statfs sf;
	return fstatfs(fd, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC;
}

void resolver_init(struct resolver *r, pid_t (*analyzer_pid)(void))
{
	memset(r, 0, sizeof(*r));
	r->self_fd_dir = -1;
	r->analyzer_pid = analyzer_pid;
}

void resolver_fini(struct resolver *r)
{
	if (r->self_fd_dir >= 0)
		close(r->self_fd_dir);
	resolver_init(r, r->analyzer_pid);
}

/* vigil's own root and fd directory, on first use (unit tests build cores
 * that never resolve anything). */
static bool ready(struct resolver *r)
{
	if (r->ready)
		return !r->broken;
	r->ready = true;
	struct statx sx;
	r->self_fd_dir = open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
	r->broken = r->self_fd_dir < 0 ||
		    statx(AT_FDCWD, "/", 0, STATX_INO | STATX_MNT_ID, &sx) != 0 ||
		    !(sx.stx_mask & STATX_MNT_ID);
	if (!r->broken) {
		r->root_mnt = sx.stx_mnt_id;
		r->root_dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
		r->root_ino = sx.stx_ino;
		snprintf(r->self_pid, sizeof(r->self_pid), "%d", (int)getpid());
	}
	return !r->broken;
}

void resolver_root_changing(struct resolver *r, struct resolve_task *t)
{
	if (!t->root_changing) {
		t->root_changing = true;
		r->changing++;
	}
	r->gen++;
}

/* Is the thread's root vigil's (same mount, same directory)? 0 if unknown. */
static int root_state(struct resolver *r, struct resolve_task *t, const struct resolve_req *q)
{
	if (t && !r->changing && t->root_gen == r->gen && t->root_state)
		return t->root_state;
	char p[64];
	struct statx sx;
	snprintf(p, sizeof(p), "/proc/%d/task/%d/root", (int)q->tgid, (int)q->tid);
	if (statx(AT_FDCWD, p, 0, STATX_INO | STATX_MNT_ID, &sx) != 0 ||
	    !(sx.stx_mask & STATX_MNT_ID))
		return 0;
	bool same = sx.stx_mnt_id == r->root_mnt && sx.stx_ino == r->root_ino &&
		    makedev(sx.stx_dev_major, sx.stx_dev_minor) == r->root_dev;
	int st = same ? RESOLVE_ROOT_SAME : RESOLVE_ROOT_OTHER;
	if (t) {
		t->root_gen = r->gen;
		t->root_state = (uint8_t)st;
	}
	return st;
}

/* The tracee's fd `dirfd`, or its cwd. */
static int open_dir_anchor(const struct resolve_req *q)
{
	char what[32];
	if (q->dirfd == AT_FDCWD)
		return resolve_open_task(q, "cwd");
	if (q->dirfd < 0)
		return -1;
	snprintf(what, sizeof(what), "fd/%d", q->dirfd);
	return resolve_open_task(q, what);
}

static int open_anchor(const struct resolve_req *q, int rs, struct anchor *a)
{
	a->named = 0;
	a->is_root = (q->flags & RESOLVE_REQ_IN_ROOT) || q->path[0] == '/';
	if (q->flags & RESOLVE_REQ_IN_ROOT)
		a->fd = open_dir_anchor(q);
	else if (q->path[0] == '/')
		a->fd = rs == RESOLVE_ROOT_SAME ? AT_FDCWD : resolve_open_task(q, "root");
	else
		a->fd = open_dir_anchor(q);
	return a->fd == AT_FDCWD || a->fd >= 0 ? 0 : -1;
}

/* The anchor's name ("" for vigil's root), or NULL when it has no usable one. */
static const char *anchor_name(const struct resolver *r, struct anchor *a)
{
	if (a->fd == AT_FDCWD)
		return "";
	if (a->named == 0) {
		static const char deleted[] = " (deleted)";
		a->named = resolve_fd_name(r, a->fd, a->name, sizeof(a->name)) == 0 ? 1 : -1;
		size_t n = a->named > 0 ? strlen(a->name) : 0;
		if (a->named > 0 && (a->name[0] != '/' ||
				     (n >= sizeof(deleted) - 1 &&
				      strcmp(a->name + n - (sizeof(deleted) - 1), deleted) == 0)))
			a->named = -1; /* not a path a lexical join can build on */
		else if (a->named > 0 && strcmp(a->name, "/") == 0)
			a->name[0] = '\0';
	}
	return a->named > 0 ? a->name : NULL;
}

/* The anchor's name joined with path, "." and ".." removed lexically (".."
 * stops at a root anchor). 0, or -1 when unnamed or too long. */
static int lexical(const struct resolver *r, struct anchor *a, const char *path, char *out,
		   size_t size)
{
	const char *base = anchor_name(r, a);
	if (!base)
		return -1;
	char buf[2 * VIGIL_PATH_MAX + 2];
	size_t blen = strlen(base), plen = strnlen(path, VIGIL_PATH_MAX);
	if (blen + plen + 2 > sizeof(buf))
		return -1;
	memcpy(buf, base, blen);
	char *tail = buf + blen;
	*tail = '/';
	memcpy(tail + 1, path, plen);
	tail[plen + 1] = '\0';
	if (a->is_root) { /* normalize below the anchor, then put it in front */
		resolve_normalize(tail);
		if (blen && strcmp(tail, "/") == 0)
			*tail = '\0';
	} else {
		resolve_normalize(buf);
	}
	size_t len = strlen(buf);
	if (len >= size)
		return -1;
	memcpy(out, buf, len + 1);
	return 0;
}

/* The component walk from the anchor, with the tracee's root. */
static int walk(const struct resolver *r, const struct resolve_req *q, struct anchor *a, int rs,
		char *out, size_t size)
{
	int root = -1, opened = -1;
	if ((q->flags & RESOLVE_REQ_IN_ROOT) && a->fd >= 0)
		root = a->fd;
	else if (rs == RESOLVE_ROOT_SAME)
		root = opened = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	else
		root = opened = resolve_open_task(q, "root");
	int ret = -1;
	if (root >= 0)
		ret = resolve_walk(r, q, root, a->fd >= 0 ? a->fd : root, out, size);
	if (opened >= 0)
		close(opened);
	return ret == 0 ? 0 : lexical(r, a, q->path, out, size);
}

/* Split path into its parent (dir) and last component (base). false when
 * the last component is not a name ("", ".", ".."). */
static bool split_last(const char *path, char *dir, char *base, size_t size)
{
	size_t n = strnlen(path, size - 1);
	memcpy(dir, path, n);
	dir[n] = '\0';
	while (n > 1 && dir[n - 1] == '/')
		dir[--n] = '\0';
	char *slash = strrchr(dir, '/');
	const char *b = slash ? slash + 1 : dir;
	if (!*b || strcmp(b, ".") == 0 || strcmp(b, "..") == 0)
		return false;
	memcpy(base, b, strlen(b) + 1);
	if (!slash)
		memcpy(dir, ".", 2); /* "name": its parent is the anchor */
	else
		slash[slash == dir] = '\0'; /* "/name": the parent is "/" */
	return true;
}

/*
 * The path does not resolve (after symlinks): if its parent does, and the
 * last component is not a dangling symlink the syscall would follow, the
 * object is the parent's name plus that component (it is about to be
 * created, or the syscall fails on it).
 */
static int via_parent(const struct resolver *r, const struct resolve_req *q, struct anchor *a,
		      int rs, char *out, size_t size)
{
	char dir[VIGIL_PATH_MAX], base[VIGIL_PATH_MAX], name[VIGIL_PATH_MAX];
	if (!split_last(q->path, dir, base, sizeof(dir)))
		return lexical(r, a, q->path, out, size);
	uint64_t in_root = a->is_root && a->fd >= 0 ? RESOLVE_IN_ROOT : 0;
	int pfd = resolve_openat2(a->fd, dir, O_DIRECTORY, RESOLVE_NO_MAGICLINKS | in_root);
	if (pfd < 0) /* ENOENT: perhaps through a "self" that was vigil's */
		return errno == ELOOP || errno == ENOENT ? walk(r, q, a, rs, out, size)
							 : lexical(r, a, q->path, out, size);
	struct stat st;
	bool follow = !(q->flags & RESOLVE_REQ_NOFOLLOW) || q->path[strlen(q->path) - 1] == '/';
	int ret = -1;
	if (resolve_on_procfs(pfd) ||
	    (follow && fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0)) {
		ret = walk(r, q, a, rs, out, size);
	} else if (resolve_fd_name(r, pfd, name, sizeof(name)) == 0 && name[0] == '/') {
		size_t dl = strcmp(name, "/") == 0 ? 0 : strlen(name);
		if (dl + 1 + strlen(base) < size) {
			snprintf(out, size, "%.*s/%s", (int)dl, name, base);
			ret = 0;
		}
	}
	close(pfd);
	return ret == 0 ? 0 : lexical(r, a, q->path, out, size);
}

/* Symlinks on the way: let the kernel follow them (not magic ones) and name the result. */
static int follow_links(const struct resolver *r, const struct resolve_req *q, struct anchor *a,
			int rs, char *out, size_t size)
{
	uint64_t in_root = a->is_root && a->fd >= 0 ? RESOLVE_IN_ROOT : 0;
	uint64_t nofollow = (q->flags & RESOLVE_REQ_NOFOLLOW) ? O_NOFOLLOW : 0;
	int fd = resolve_openat2(a->fd, q->path, nofollow, RESOLVE_NO_MAGICLINKS | in_root);
	if (fd < 0) {
		if (errno == ENOENT)
			return via_parent(r, q, a, rs, out, size);
		return errno == ELOOP ? walk(r, q, a, rs, out, size)
				      : lexical(r, a, q->path, out, size);
	}
	int ret;
	if (resolve_on_procfs(fd)) /* "self" on the way was vigil's */
		ret = walk(r, q, a, rs, out, size);
	else if ((ret = resolve_fd_name(r, fd, out, size)) != 0)
		ret = lexical(r, a, q->path, out, size);
	close(fd);
	return ret;
}

static int resolve_from(const struct resolver *r, const struct resolve_req *q, struct anchor *a,
			int rs, char *out, size_t size)
{
	if (!q->path[0]) /* AT_EMPTY_PATH: the anchor itself */
		return lexical(r, a, q->path, out, size);
	/* A cwd of a thread whose root is not vigil's: ".." must stop at that
	 * root, which only the walk knows; beneath the cwd it cannot matter. */
	bool other_cwd = !a->is_root && rs != RESOLVE_ROOT_SAME;
	uint64_t how = RESOLVE_NO_SYMLINKS | (a->is_root && a->fd >= 0 ? RESOLVE_IN_ROOT : 0) |
		       (other_cwd ? RESOLVE_BENEATH : 0);
	uint64_t nofollow = (q->flags & RESOLVE_REQ_NOFOLLOW) ? O_NOFOLLOW : 0;
	int fd = resolve_openat2(a->fd, q->path, nofollow, how);
	int err = fd < 0 ? errno : 0;
	if (fd >= 0)
		close(fd);
	/* No symlink met before the end or the first missing component: the
	 * lexical name is the kernel's (ENOENT/ENOTDIR: the syscall fails there
	 * or creates the last component). */
	if ((fd >= 0 || err == ENOENT || err == ENOTDIR) && lexical(r, a, q->path, out, size) == 0)
		return 0;
	if (other_cwd)
		return walk(r, q, a, rs, out, size);
	return follow_links(r, q, a, rs, out, size);
}

int resolve_path(struct resolver *r, struct resolve_task *t, const struct resolve_req *q, char *out,
		 size_t size)
{
	if (size < 2 || !ready(r))
		return -1;
	int rs = root_state(r, t, q);
	struct anchor a;
	if (!rs || open_anchor(q, rs, &a) != 0)
		return -1;
	int ret = resolve_from(r, q, &a, rs, out, size);
	if (a.fd >= 0)
		close(a.fd);
	return ret;
}

void resolve_normalize(char *path)
{
	char *out = path, *in = path;
	while (*in) {
		while (*in == '/')
			in++;
		char *seg = in;
		while (*in && *in != '/')
			in++;
		size_t len = (size_t)(in - seg);
		if (len == 0 || (len == 1 && seg[0] == '.'))
			continue;
		if (len == 2 && seg[0] == '.' && seg[1] == '.') {
			while (out > path && *--out != '/')
				;
			continue;
		}
		*out++ = '/';
		memmove(out, seg, len);
		out += len;
	}
	if (out == path)
		*out++ = '/';
	*out = '\0';
}
