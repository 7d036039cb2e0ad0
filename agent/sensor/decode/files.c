/*
 * files.c — syscalls on files named by path or fd: unlink, rename, link,
 * symlink, mkdir, chmod, chown and their *at forms. fd.name is the object
 * changed (the new name for rename and link). Whether a trailing symlink
 * is followed is the syscall's: unlink, rename, link, symlink, mkdir and
 * lchown act on the link itself; chmod and chown on its target unless
 * told not to (AT_SYMLINK_NOFOLLOW); linkat follows with AT_SYMLINK_FOLLOW.
 */
#include <fcntl.h>

#include "vigil/syscalls.h"
#include "sensor/decode/decode.h"

#define CWD ((long)AT_FDCWD)
#define NOFOLLOW DECODE_PATH_NOFOLLOW

/* DECODE_PATH_NOFOLLOW when an *at flag word says AT_SYMLINK_NOFOLLOW. */
static unsigned at_nofollow(uint64_t flags)
{
	return (flags & AT_SYMLINK_NOFOLLOW) ? NOFOLLOW : 0;
}

/* fd.type of a path event: a file unless the decoder said otherwise. */
static void file_type(struct vigil_event *ev)
{
	if (ev->fd.type == VIGIL_FD_NONE && vigil_str_present(ev->fd.name))
		ev->fd.type = VIGIL_FD_FILE;
}

static void path_arg(struct vigil_event *ev, const struct decode_ctx *c, const char *key,
		     long dirfd, uint64_t addr, unsigned how)
{
	decode_path_arg(ev, c, key, dirfd, addr, DECODE_PATH_FD_NAME | how);
	file_type(ev);
}

static void id_pair(struct vigil_event *ev, const uint64_t *a)
{
	vigil_event_arg_int(ev, "uid", (int32_t)a[0]);
	vigil_event_arg_int(ev, "gid", (int32_t)a[1]);
}

void decode_unlink(struct vigil_event *ev, const struct decode_ctx *c)
{
	path_arg(ev, c, "path", CWD, c->rec->args[0], NOFOLLOW);
}

void decode_rmdir(struct vigil_event *ev, const struct decode_ctx *c)
{
	decode_path_arg(ev, c, "path", CWD, c->rec->args[0], DECODE_PATH_FD_NAME | NOFOLLOW);
	ev->fd.type = VIGIL_FD_DIRECTORY;
}

void decode_unlinkat(struct vigil_event *ev, const struct decode_ctx *c)
{
	const uint64_t *a = c->rec->args;
	path_arg(ev, c, "name", (long)a[0], a[1], NOFOLLOW);
	vigil_event_arg_int(ev, "flags", (int)a[2]);
}

static void two_paths(struct vigil_event *ev, const struct decode_ctx *c, long olddir,
		      uint64_t oldp, long newdir, uint64_t newp, unsigned old_how)
{
	decode_path_arg(ev, c, "oldpath", olddir, oldp, old_how);
	path_arg(ev, c, "newpath", newdir, newp, NOFOLLOW);
}

/* rename and link (oldpath, newpath). */
void decode_rename(struct vigil_event *ev, const struct decode_ctx *c)
{
	two_paths(ev, c, CWD, c->rec->args[0], CWD, c->rec->args[1], NOFOLLOW);
}

/* renameat, renameat2 and linkat (olddirfd, oldpath, newdirfd, newpath). */
void decode_renameat(struct vigil_event *ev, const struct decode_ctx *c)
{
	const uint64_t *a = c->rec->args;
	bool follow = c->rec->id == VIGIL_SC_LINKAT && (a[4] & AT_SYMLINK_FOLLOW);
	two_paths(ev, c, (long)a[0], a[1], (long)a[2], a[3], follow ? 0 : NOFOLLOW);
}

static void symlink_args(struct vigil_event *ev, const struct decode_ctx *c, uint64_t target,
			 long dir, uint64_t linkp)
{
	decode_str_arg(ev, c, "target", target, VIGIL_PATH_MAX);
	path_arg(ev, c, "linkpath", dir, linkp, NOFOLLOW);
}

void decode_symlink(struct vigil_event *ev, const struct decode_ctx *c)
{
	symlink_args(ev, c, c->rec->args[0], CWD, c->rec->args[1]);
}

void decode_symlinkat(struct vigil_event *ev, const struct decode_ctx *c)
{
	const uint64_t *a = c->rec->args;
	symlink_args(ev, c, a[0], (long)a[1], a[2]);
}

void decode_mkdir(struct vigil_event *ev, const struct decode_ctx *c)
{
	decode_path_arg(ev, c, "path", CWD, c->rec->args[0], DECODE_PATH_FD_NAME | NOFOLLOW);
	decode_mode_arg(ev, "mode", c->rec->args[1]);
	ev->fd.type = VIGIL_FD_DIRECTORY;
}

void decode_mkdirat(struct vigil_event *ev, const struct decode_ctx *c)
{
	const uint64_t *a = c->rec->args;
	decode_path_arg(ev, c, "path", (long)a[0], a[1], DECODE_PATH_FD_NAME | NOFOLLOW);
	decode_mode_arg(ev, "mode", a[2]);
	ev->fd.type = VIGIL_FD_DIRECTORY;
}

void decode_chmod(struct vigil_event *ev, const struct decode_ctx *c)
{
	path_arg(ev, c, "filename", CWD, c->rec->args[0], 0);
	decode_mode_arg(ev, "mode", c->rec->args[1]);
}

/* fchmodat and fchmodat2 (only the latter has flags). */
void decode_fchmodat(struct vigil_event *ev, const struct decode_ctx *c)
{
	const uint64_t *a = c->rec->args;
	path_arg(ev, c, "filename", (long)a[0], a[1],
		 c->rec->id == VIGIL_SC_FCHMODAT2 ? at_nofollow(a[3]) : 0);
	decode_mode_arg(ev, "mode", a[2]);
}

void decode_fchmod(struct vigil_event *ev, const struct decode_ctx *c)
{
	decode_fd_arg(ev, c, "fd", (long)c->rec->args[0]);
	decode_mode_arg(ev, "mode", c->rec->args[1]);
	file_type(ev);
}

/* chown and lchown. */
void decode_chown(struct vigil_event *ev, const struct decode_ctx *c)
{
	path_arg(ev, c, "path", CWD, c->rec->args[0], c->rec->id == VIGIL_SC_LCHOWN ? NOFOLLOW : 0);
	id_pair(ev, c->rec->args + 1);
}

void decode_fchownat(struct vigil_event *ev, const struct decode_ctx *c)
{
	const uint64_t *a = c->rec->args;
	path_arg(ev, c, "path", (long)a[0], a[1], at_nofollow(a[4]));
	id_pair(ev, a + 2);
}

void decode_fchown(struct vigil_event *ev, const struct decode_ctx *c)
{
	decode_fd_arg(ev, c, "fd", (long)c->rec->args[0]);
	id_pair(ev, c->rec->args + 1);
	file_type(ev);
}
