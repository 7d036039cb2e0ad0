/*
 * path.c — path and fd arguments, shared by the decoders.
 *
 * A relative path is resolved against the caller's cwd (the process
 * model's, refreshed here when stale) or its dirfd (/proc/PID/fd), then
 * normalized lexically.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "sensor/decode/decode.h"
#include "sensor/procinfo.h"

/* Lexically remove "." and ".." and duplicate slashes from an absolute path. */
static void normalize(char *path)
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

/* Bounded copy (always NUL-terminated), without printf's cost. */
static void copy_str(char *out, size_t size, const char *s)
{
	size_t n = strnlen(s, size - 1);
	memcpy(out, s, n);
	out[n] = '\0';
}

void decode_resolve_path(struct proc *p, long dirfd, const char *path, char *out, size_t size)
{
	if (path[0] == '/') {
		copy_str(out, size, path);
	} else {
		char base[VIGIL_PATH_MAX];
		if ((int)dirfd == AT_FDCWD) {
			if (p->cwd_stale)
				procinfo_read_cwd(p);
			snprintf(base, sizeof(base), "%s", p->cwd ? p->cwd : "");
		} else if (procinfo_fd_path(p->pid, (int)dirfd, base, sizeof(base)) != 0) {
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
	normalize(out);
}

bool decode_path_arg(struct vigil_event *ev, const struct decode_ctx *c, const char *key,
		     long dirfd, uint64_t addr, bool set_fd_name)
{
	char raw[VIGIL_PATH_MAX], abs[VIGIL_PATH_MAX];
	if (sensor_read_str(c->mem, c->rec->tid, addr, raw, sizeof(raw)) < 0)
		return false;
	decode_resolve_path(c->proc, dirfd, raw, abs, sizeof(abs));
	vigil_event_arg_cstr(ev, key, abs);
	if (set_fd_name)
		ev->fd.name = vigil_event_cstr(ev, abs);
	return true;
}

void decode_fd_arg(struct vigil_event *ev, const struct decode_ctx *c, const char *key, long fd)
{
	char path[VIGIL_PATH_MAX];
	vigil_event_arg_int(ev, key, (int)fd);
	ev->fd.num = (int)fd;
	if (procinfo_fd_path(c->proc->pid, (int)fd, path, sizeof(path)) == 0) {
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
