/*
 * mount.c — mount(2) and the new mount API into the mount fields.
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
#include <sys/mount.h>

#include "sensor/compat.h"
#include "vigil/syscalls.h"
#include "sensor/decode/decode.h"

/* mount(dev, dir, type, flags, data) */
void decode_mount(struct vigil_event *ev, const struct decode_ctx *c)
{
	static const char *const keys[] = {"dev", "dir", "type"};
	const uint64_t *a = c->rec->args;
	for (int i = 0; i < 3; i++)
		decode_str_arg(ev, c, keys[i], a[i], VIGIL_PATH_MAX);
	vigil_event_arg_int(ev, "flags", (long long)a[3]);
}

/* open_tree(dfd, path, flags): the tree to clone. */
void decode_open_tree(struct vigil_event *ev, const struct decode_ctx *c)
{
	const uint64_t *a = c->rec->args;
	decode_path_arg(ev, c, "dev", (long)a[0], a[1],
			(a[2] & AT_SYMLINK_NOFOLLOW) ? DECODE_PATH_NOFOLLOW : 0);
	vigil_event_arg_int(ev, "flags", (long long)(uint32_t)a[2]);
}

/* move_mount(from_dfd, from_path, to_dfd, to_path, flags) */
void decode_move_mount(struct vigil_event *ev, const struct decode_ctx *c)
{
	const uint64_t *a = c->rec->args;
	unsigned from = (a[4] & MOVE_MOUNT_F_SYMLINKS) ? 0 : DECODE_PATH_NOFOLLOW;
	unsigned to = (a[4] & MOVE_MOUNT_T_SYMLINKS) ? 0 : DECODE_PATH_NOFOLLOW;
	decode_path_arg(ev, c, "dev", (long)a[0], a[1], from);
	decode_path_arg(ev, c, "dir", (long)a[2], a[3], DECODE_PATH_FD_NAME | to);
	vigil_event_arg_int(ev, "flags", (long long)(uint32_t)a[4]);
}

/* fsopen(fsname, flags): the filesystem's name, short by nature. */
void decode_fsopen(struct vigil_event *ev, const struct decode_ctx *c)
{
	decode_str_arg(ev, c, "type", c->rec->args[0], 256);
	vigil_event_arg_int(ev, "flags", (long long)(uint32_t)c->rec->args[1]);
}

/* fsmount(fs_fd, flags, attr_flags) */
void decode_fsmount(struct vigil_event *ev, const struct decode_ctx *c)
{
	decode_fd_arg(ev, c, "fd", (long)c->rec->args[0]);
	vigil_event_arg_int(ev, "flags", (long long)(uint32_t)c->rec->args[1]);
}

/* fspick(dfd, path, flags) reconfigures a mounted filesystem;
 * mount_setattr(dfd, path, flags, attr, size) changes a mount's attributes. */
void decode_fspick(struct vigil_event *ev, const struct decode_ctx *c)
{
	const uint64_t *a = c->rec->args;
	unsigned nofollow =
		c->rec->id == VIGIL_SC_FSPICK ? FSPICK_SYMLINK_NOFOLLOW : AT_SYMLINK_NOFOLLOW;
	decode_path_arg(ev, c, "dir", (long)a[0], a[1],
			DECODE_PATH_FD_NAME | ((a[2] & nofollow) ? DECODE_PATH_NOFOLLOW : 0));
	vigil_event_arg_int(ev, "flags", (long long)(uint32_t)a[2]);
}
