/*
 * decode_mount.c — mount(2) and the new mount API into the mount fields.
 *
 * open_tree + move_mount bind a file over another name exactly as
 * `mount --bind` does, and fsopen/fsmount/fspick/mount_setattr mount or
 * remount without ever calling mount(2). So every one of them fills the
 * fields rules already read for mount: evt.arg.dev (what is mounted: the
 * source tree or file), evt.arg.dir (where: the mount point), evt.arg.type
 * (the filesystem type), evt.arg.flags (the call's flags, as a number).
 * Paths are resolved against their dirfd like every other path argument;
 * fd.name is the mount point when the call names one (a directory, or a
 * file for a bind over a file: fd.type is left unset).
 */
#include <fcntl.h>
#include <stdio.h>

#include "vigil/syscalls.h"
#include "supervisor/decode.h"
#include "supervisor/tracee_mem.h"

static void mount_strings(struct vigil_event *ev, struct task *t, const uint64_t *a)
{
	char buf[VIGIL_PATH_MAX];
	static const char *const keys[] = {"dev", "dir", "type"};
	for (int i = 0; i < 3; i++)
		if (a[i] && tracee_read_str(t->tid, a[i], buf, sizeof(buf)) >= 0)
			vigil_event_arg_cstr(ev, keys[i], buf);
}

/* fsopen's filesystem name: short by nature, bounded here. */
static void fs_name(struct vigil_event *ev, struct task *t, uint64_t addr)
{
	char buf[256];
	if (addr && tracee_read_str(t->tid, addr, buf, sizeof(buf)) >= 0)
		vigil_event_arg_cstr(ev, "type", buf);
}

bool decode_mount_ops(struct vigil_event *ev, struct task *t, int id, const uint64_t *a)
{
	switch (id) {
	case VIGIL_SC_MOUNT: /* (dev, dir, type, flags, data) */
		mount_strings(ev, t, a);
		vigil_event_arg_int(ev, "flags", (long long)a[3]);
		break;
	case VIGIL_SC_OPEN_TREE: /* (dfd, path, flags): the tree to clone */
		decode_path_arg(ev, t, "dev", (long)a[0], a[1], false);
		vigil_event_arg_int(ev, "flags", (long long)(uint32_t)a[2]);
		break;
	case VIGIL_SC_MOVE_MOUNT: /* (from_dfd, from_path, to_dfd, to_path, flags) */
		decode_path_arg(ev, t, "dev", (long)a[0], a[1], false);
		decode_path_arg(ev, t, "dir", (long)a[2], a[3], true);
		vigil_event_arg_int(ev, "flags", (long long)(uint32_t)a[4]);
		break;
	case VIGIL_SC_FSOPEN: /* (fsname, flags) */
		fs_name(ev, t, a[0]);
		vigil_event_arg_int(ev, "flags", (long long)(uint32_t)a[1]);
		break;
	case VIGIL_SC_FSMOUNT: /* (fs_fd, flags, attr_flags) */
		decode_fd_arg(ev, t, "fd", (long)a[0]);
		vigil_event_arg_int(ev, "flags", (long long)(uint32_t)a[1]);
		break;
	case VIGIL_SC_FSPICK: /* (dfd, path, flags): reconfigure a mounted filesystem */
	case VIGIL_SC_MOUNT_SETATTR: /* (dfd, path, flags, attr, size) */
		decode_path_arg(ev, t, "dir", (long)a[0], a[1], true);
		vigil_event_arg_int(ev, "flags", (long long)(uint32_t)a[2]);
		break;
	default: return false;
	}
	return true;
}
