/*
 * resolve.h — the object a tracee's path argument names, as the kernel
 * will resolve it, by asking the kernel.
 *
 * A path is resolved in the supervisor from an anchor that is the
 * tracee's own: its root, its cwd or its fd, opened through
 * /proc/TGID/task/TID (per thread: unshare(CLONE_FS), unshare(CLONE_FILES)
 * and a zombie leader make threads differ). The name returned is the one
 * the kernel gives that object (what /proc/PID/fd shows), relative to
 * vigil's own root: after chroot("/etc"), open("/shadow") is /etc/shadow;
 * /proc/self/root/etc/shadow, a symlinked directory, /dev/fd/N/... all end
 * at the object they reach. See docs/architecture.md ("Path fields").
 */
#ifndef VIGIL_SENSOR_RESOLVE_H
#define VIGIL_SENSOR_RESOLVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Per thread (embedded in sensor_task; zeroed = nothing known). */
struct resolve_task {
	uint32_t root_gen;  /* resolver generation root_state was learnt in */
	uint8_t root_state; /* 0 unknown, RESOLVE_ROOT_SAME, RESOLVE_ROOT_OTHER */
	bool root_changing; /* stopped at the entry of a syscall that may move roots */
};

#define RESOLVE_ROOT_SAME 1
#define RESOLVE_ROOT_OTHER 2

/*
 * One per supervisor. Whether a thread's root is vigil's is cached per
 * thread; any chroot, pivot_root, setns or unshare anywhere (they reach
 * other threads: CLONE_FS sharers, every process of a namespace) drops
 * every cache, and while one of them may still be running nothing is
 * cached at all.
 */
struct resolver {
	uint32_t gen;
	uint32_t changing;		       /* threads with root_changing set */
	bool ready;			       /* the fields below are filled (first use) */
	bool broken;			       /* they could not be: resolve nothing (lexical) */
	int self_fd_dir;		       /* O_PATH of /proc/self/fd: our fds' names */
	uint64_t root_mnt, root_dev, root_ino; /* vigil's own root */
	char self_pid[16];		       /* getpid() as text */
	pid_t (*analyzer_pid)(void);	       /* vigil's other process, or NULL */
};

/* What the syscall does with the path (resolve_req.flags). */
#define RESOLVE_REQ_NOFOLLOW 0x1u /* a trailing symlink is not followed */
#define RESOLVE_REQ_IN_ROOT 0x2u  /* openat2 RESOLVE_IN_ROOT/BENEATH: dirfd is the root */

struct resolve_req {
	pid_t tgid, tid;
	int dirfd;	  /* AT_FDCWD or the tracee's fd */
	const char *path; /* as the tracee passed it */
	unsigned flags;
};

/* `analyzer_pid` (may be NULL): vigil's other process, whose magic links
 * in /proc are never followed (nor the supervisor's). */
void resolver_init(struct resolver *r, pid_t (*analyzer_pid)(void));
void resolver_fini(struct resolver *r);
/* Thread t entered chroot, pivot_root, setns or unshare. */
void resolver_root_changing(struct resolver *r, struct resolve_task *t);
/* Thread t stopped again or is gone: what it entered has finished. */
static inline void resolver_settled(struct resolver *r, struct resolve_task *t)
{
	if (t->root_changing) {
		t->root_changing = false;
		r->changing--;
		r->gen++;
	}
}

/*
 * The path q names, as the kernel will resolve it, into out: 0, or -1 when
 * the tracee's anchor cannot be opened (it is gone, /proc is missing): the
 * caller falls back to a lexical name. A path that does not resolve (a
 * missing directory on the way) is named lexically from the real anchor;
 * a missing last component (O_CREAT, mkdir, a rename target) is its
 * resolved parent plus the name. `t` may be NULL (no cache).
 */
int resolve_path(struct resolver *r, struct resolve_task *t, const struct resolve_req *q, char *out,
		 size_t size);

/* Lexically remove ".", ".." and duplicate slashes from an absolute path. */
void resolve_normalize(char *path);

#endif
