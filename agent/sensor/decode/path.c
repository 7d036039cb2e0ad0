/*
 * path.c — path and fd arguments, shared by the decoders.
 *
 * A path names the object the kernel will use, relative to vigil's root
 * (resolve.h: the kernel asked from the thread's own root, cwd or dirfd).
 * Only when that cannot be asked (the thread is gone) is it today's
 * lexical join of the cached cwd or the fd's name with the path. An fd is
 * named by /proc/TGID/task/TID/fd/N: the thread's own fd table.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "sensor/decode/decode.h"
#include "sensor/procinfo.h"
#include "sensor/resolve.h"

/* Bounded copy (always NUL-terminated), without printf's cost. */
static void copy_str(char *out, size_t size, const char *s)
{
	size_t n = strnlen(s, size - 1);
	memcpy(out, s, n);
	out[n] = '\0';
}

/* Today's name when the kernel cannot be asked (the thread is gone, unit
 * tests): the cached cwd or the fd's name, joined and normalized. */
static void lexical(const struct decode_ctx *c, long dirfd, const char *path, char *out,
		    size_t size)
{
	struct proc *p = c->proc;
	if (path[0] == '/') {
		copy_str(out, size, path);
	} else {
		char base[VIGIL_PATH_MAX];
		if ((int)dirfd == AT_FDCWD) {
			if (p->cwd_stale)
				procinfo_read_cwd(p);
			snprintf(base, sizeof(base), "%s", p->cwd ? p->cwd : "");
		} else if (procinfo_fd_path(p->pid, c->rec->tid, (int)dirfd, base, sizeof(base)) !=
			   0) {
			base[0] = '\0';
		}
		if (base[0] != '/') { /* unknown base: keep the path as given */
			copy_str(out, size, path);
			return;
		}
		if (path[0])
			snprintf(out, size, "%s/%s", base, path);
		else
			snprintf(out, size, "%s", base);
	}
	resolve_normalize(out);
}

void decode_resolve_path(const struct decode_ctx *c, long dirfd, const char *path, unsigned flags,
			 char *out, size_t size)
{
	struct resolve_req q = {
		.tgid = c->proc->pid,
		.tid = c->rec->tid,
		.dirfd = (int)dirfd,
		.path = path,
		.flags = ((flags & DECODE_PATH_NOFOLLOW) ? RESOLVE_REQ_NOFOLLOW : 0) |
			 ((flags & DECODE_PATH_IN_ROOT) ? RESOLVE_REQ_IN_ROOT : 0),
	};
	if (!c->rs || resolve_path(c->rs, c->rt, &q, out, size) != 0)
		lexical(c, dirfd, path, out, size);
}

bool decode_path_arg(struct vigil_event *ev, const struct decode_ctx *c, const char *key,
		     long dirfd, uint64_t addr, unsigned flags)
{
	char raw[VIGIL_PATH_MAX], abs[VIGIL_PATH_MAX];
	if (sensor_read_str(c->mem, c->rec->tid, addr, raw, sizeof(raw)) < 0)
		return false;
	decode_resolve_path(c, dirfd, raw, flags, abs, sizeof(abs));
	vigil_event_arg_cstr(ev, key, abs);
	if (flags & DECODE_PATH_FD_NAME)
		ev->fd.name = vigil_event_cstr(ev, abs);
	return true;
}

void decode_fd_arg(struct vigil_event *ev, const struct decode_ctx *c, const char *key, long fd)
{
	char path[VIGIL_PATH_MAX];
	vigil_event_arg_int(ev, key, (int)fd);
	ev->fd.num = (int)fd;
	if (procinfo_fd_path(c->proc->pid, c->rec->tid, (int)fd, path, sizeof(path)) == 0) {
		ev->fd.name = vigil_event_cstr(ev, path);
		ev->fd.type = path[0] == '/' ? VIGIL_FD_FILE : VIGIL_FD_OTHER;
	}
}

void decode_mode_arg(struct vigil_event *ev, const char *key, uint64_t mode)
{
	char buf[16];
	int n = snprintf(buf, sizeof(buf), "0%o", (unsigned)(mode & 07777));
	vigil_event_arg(ev, key, buf, (size_t)n);
}

void decode_str_arg(struct vigil_event *ev, const struct decode_ctx *c, const char *key,
		    uint64_t addr, size_t size)
{
	char buf[VIGIL_PATH_MAX];
	if (size > sizeof(buf))
		size = sizeof(buf);
	if (addr && sensor_read_str(c->mem, c->rec->tid, addr, buf, size) >= 0)
		vigil_event_arg_cstr(ev, key, buf);
}
