/*
 * newmount — bind /etc/shadow over an innocent file with the new mount API
 * (open_tree(OPEN_TREE_CLONE) + move_mount), never calling mount(2) for it.
 *
 * Runs in a private mount namespace (unshare(CLONE_NEWNS), then "/" made
 * private with mount_setattr, so nothing propagates to the host) and in a
 * scratch directory given as argv[1]. Reports
 * {"pid":P,"target":PATH,"open_tree":FD,"move_mount":RES,"same":0|1}
 * where same=1 when the innocent name now reads as /etc/shadow.
 * Exit 77 when the kernel refuses the namespace or the API.
 */
/* _GNU_SOURCE comes from CMakeLists.txt. */
#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <sys/stat.h>
#include "vt_common.h"

#ifndef SYS_open_tree
#define SYS_open_tree 428
#endif
#ifndef SYS_move_mount
#define SYS_move_mount 429
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif

static int same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_ino == sb.st_ino &&
           sa.st_dev == sb.st_dev;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return VT_EXIT_SETUP;
    if (unshare(CLONE_NEWNS) != 0)
        vt_skip("unshare(CLONE_NEWNS) refused");
    struct mount_attr attr = {.propagation = MS_PRIVATE};
    if (syscall(SYS_mount_setattr, AT_FDCWD, "/", AT_RECURSIVE, &attr, sizeof(attr)) != 0)
        vt_skip("mount_setattr(MS_PRIVATE) refused");
    char target[4096];
    snprintf(target, sizeof target, "%s/innocent.txt", argv[1]);
    int fd = open(target, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        vt_die("create target");
    close(fd);
    long tree = syscall(SYS_open_tree, AT_FDCWD, "/etc/shadow", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
    if (tree < 0)
        vt_skip("open_tree refused");
    long moved = syscall(SYS_move_mount, (int)tree, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH);
    vt_report("{\"pid\":%d,\"target\":%s,\"open_tree\":%ld,\"move_mount\":%ld,\"same\":%d}",
              (int)getpid(), vt_q(target), tree, vt_res(moved), same_file(target, "/etc/shadow"));
    return 0;
}
