/* open.c — the open family: open, creat, openat, openat2, open_by_handle_at. */
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>

#include "sensor/compat.h"
#include "sensor/decode/decode.h"
#include "sensor/procinfo.h"

/* glibc defines O_LARGEFILE as 0 on 64-bit; 32-bit callers pass the kernel's bit. */
#define KERNEL_O_LARGEFILE 0100000

/* Open flags the way Falco prints them: O_RDONLY|O_CREAT|... */
static void open_flags_arg(struct vigil_event *ev, uint64_t flags, uint64_t mode)
{
	static const struct {
		uint64_t bit;
		const char *name;
	} names[] = {
		{O_CREAT, "O_CREAT"},
		{O_EXCL, "O_EXCL"},
		{O_NOCTTY, "O_NOCTTY"},
		{O_TRUNC, "O_TRUNC"},
		{O_APPEND, "O_APPEND"},
		{O_NONBLOCK, "O_NONBLOCK"},
		{O_DSYNC, "O_DSYNC"},
		{O_DIRECT, "O_DIRECT"},
		{KERNEL_O_LARGEFILE, "O_LARGEFILE"},
		{O_DIRECTORY, "O_DIRECTORY"},
		{O_NOFOLLOW, "O_NOFOLLOW"},
		{O_NOATIME, "O_NOATIME"},
		{O_CLOEXEC, "O_CLOEXEC"},
		{O_PATH, "O_PATH"},
		{__O_TMPFILE, "O_TMPFILE"},
	};
	char buf[256]; /* all names together fit: ~190 bytes */
	unsigned acc = (unsigned)(flags & O_ACCMODE);
	const char *accname = acc == O_RDONLY	? "O_RDONLY"
			      : acc == O_WRONLY ? "O_WRONLY"
						: "O_RDWR";
	size_t n = strlen(accname);
	memcpy(buf, accname, n);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if ((flags & names[i].bit) == names[i].bit) {
			size_t l = strlen(names[i].name);
			buf[n++] = '|';
			memcpy(buf + n, names[i].name, l);
			n += l;
		}
	}
	vigil_event_arg(ev, "flags", buf, n);
	if (flags & O_PATH)
		ev->open_flags = 0;
	else
		ev->open_flags =
			(uint8_t)((acc == O_RDONLY || acc == O_RDWR ? VIGIL_OPEN_READ : 0) |
				  (acc == O_WRONLY || acc == O_RDWR ? VIGIL_OPEN_WRITE : 0));
	if ((flags & O_CREAT) && (mode & 0111))
		ev->open_flags |= VIGIL_OPEN_EXEC;
	if ((flags & O_CREAT) || (flags & __O_TMPFILE) == __O_TMPFILE)
		decode_mode_arg(ev, "mode", mode);
}

/* What every open by path shares: name, the resolved fd.name, flags, the new fd. */
/* How the open walks its path: a trailing symlink is not followed with
 * O_NOFOLLOW, nor by O_CREAT|O_EXCL (it fails on one). */
static unsigned path_flags(uint64_t flags)
{
	bool excl = (flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL);
	return (flags & O_NOFOLLOW) || excl ? DECODE_PATH_NOFOLLOW : 0;
}

static void open_path(struct vigil_event *ev, const struct decode_ctx *c, long dirfd, uint64_t path,
		      uint64_t flags, uint64_t mode, unsigned pflags)
{
	char raw[VIGIL_PATH_MAX], abs[VIGIL_PATH_MAX];
	if ((int)dirfd != AT_FDCWD)
		vigil_event_arg_int(ev, "dirfd", (int)dirfd);
	if (sensor_read_str(c->mem, c->rec->tid, path, raw, sizeof(raw)) >= 0) {
		vigil_event_arg_cstr(ev, "name", raw);
		decode_resolve_path(c, dirfd, raw, pflags | path_flags(flags), abs, sizeof(abs));
		ev->fd.name = vigil_event_cstr(ev, abs);
	}
	open_flags_arg(ev, flags, mode);
	ev->fd.type = (flags & O_DIRECTORY) ? VIGIL_FD_DIRECTORY : VIGIL_FD_FILE;
	if (c->has_res)
		ev->fd.num = c->res >= 0 ? c->res : -1;
}

void decode_open(struct vigil_event *ev, const struct decode_ctx *c)
{
	const uint64_t *a = c->rec->args;
	open_path(ev, c, AT_FDCWD, a[0], a[1], a[2], 0);
}

void decode_creat(struct vigil_event *ev, const struct decode_ctx *c)
{
	const uint64_t *a = c->rec->args;
	open_path(ev, c, AT_FDCWD, a[0], O_CREAT | O_WRONLY | O_TRUNC, a[1], 0);
}

void decode_openat(struct vigil_event *ev, const struct decode_ctx *c)
{
	const uint64_t *a = c->rec->args;
	open_path(ev, c, (long)a[0], a[1], a[2], a[3], 0);
}

/* openat2(dirfd, path, how, size): flags and mode in struct open_how; with
 * RESOLVE_IN_ROOT (or RESOLVE_BENEATH, which fails where it differs) the
 * path is walked as if dirfd were the root. */
void decode_openat2(struct vigil_event *ev, const struct decode_ctx *c)
{
	const uint64_t *a = c->rec->args;
	struct open_how how = {0};
	size_t sz = a[3] < sizeof(how) ? (size_t)a[3] : sizeof(how);
	if (a[2] && sz >= 8 && sensor_read(c->mem, c->rec->tid, a[2], &how, sz) != 0)
		memset(&how, 0, sizeof(how));
	unsigned in_root =
		(how.resolve & (RESOLVE_IN_ROOT | RESOLVE_BENEATH)) ? DECODE_PATH_IN_ROOT : 0;
	open_path(ev, c, (long)a[0], a[1], how.flags, how.mode, in_root);
}

/*
 * open_by_handle_at(mount_fd, handle, flags) opens a file by its handle,
 * with no path to read at entry: the name is the kernel's, read from
 * /proc/PID/task/TID/fd/N of the new fd at the exit (VIGIL_SC_RESULT).
 */
void decode_open_by_handle_at(struct vigil_event *ev, const struct decode_ctx *c)
{
	const uint64_t *a = c->rec->args;
	char path[VIGIL_PATH_MAX];
	vigil_event_arg_int(ev, "mountfd", (int)a[0]);
	open_flags_arg(ev, a[2], 0);
	ev->fd.type = VIGIL_FD_FILE;
	if (!c->has_res || c->res < 0)
		return;
	ev->fd.num = c->res;
	if (procinfo_fd_path(c->proc->pid, c->rec->tid, (int)c->res, path, sizeof(path)) == 0) {
		ev->fd.name = vigil_event_cstr(ev, path);
		if (path[0] != '/')
			ev->fd.type = VIGIL_FD_OTHER;
	}
}
