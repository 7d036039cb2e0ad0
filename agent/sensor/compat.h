/*
 * compat.h — kernel interfaces glibc's headers declare and musl 1.2.3's
 * (the static build, packaging/static/) do not: statx(2) (musl has it from
 * 1.2.5), the new mount API's flags, the O_TMPFILE bit alone. With glibc
 * this header adds nothing.
 */
#ifndef VIGIL_SENSOR_COMPAT_H
#define VIGIL_SENSOR_COMPAT_H

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>

#ifndef STATX_INO /* no statx in the C library: the kernel's struct, a raw call */
#include <linux/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static inline int statx(int dirfd, const char *path, int flags, unsigned mask, struct statx *buf)
{
	return (int)syscall(SYS_statx, dirfd, path, flags, mask, buf);
}
#endif

/* <linux/mount.h> (its MS_* clash with <sys/mount.h>): the flags decoded. */
#ifndef MOVE_MOUNT_F_SYMLINKS
#define MOVE_MOUNT_F_SYMLINKS 0x00000001
#endif
#ifndef MOVE_MOUNT_T_SYMLINKS
#define MOVE_MOUNT_T_SYMLINKS 0x00000010
#endif
#ifndef FSPICK_SYMLINK_NOFOLLOW
#define FSPICK_SYMLINK_NOFOLLOW 0x00000002
#endif

/* O_TMPFILE is __O_TMPFILE | O_DIRECTORY; glibc names the bit, musl not. */
#ifndef __O_TMPFILE
#define __O_TMPFILE (O_TMPFILE & ~O_DIRECTORY)
#endif

#endif
