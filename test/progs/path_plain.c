/*
 * path_plain.c - ordinary relative paths, from SCRATCH as cwd.
 *
 *   path_plain SCRATCH
 *
 * New files (O_CREAT), "..", rename, a symlink and unlink of it, mkdir
 * with a trailing slash, a dirfd, creating through a dangling symlink,
 * O_CREAT|O_EXCL on a symlink, O_CREAT inside a symlinked directory: the
 * names vigil records must stay (or become) the objects the kernel used.
 * Raw syscall(2) so the syscall seen is the one named. One report per op:
 *
 *   {"op": NAME, "res": result or -errno}
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vt_common.h"

static long checked(const char *op, long res)
{
    vt_report("{\"op\":\"%s\",\"res\":%ld}", op, res < 0 ? -(long)errno : res);
    return res;
}

int main(int argc, char **argv)
{
    if (argc != 2 || chdir(argv[1]) != 0) {
        fprintf(stderr, "usage: path_plain SCRATCH (an empty directory)\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IONBF, 0);
    const long cwd = AT_FDCWD;
    checked("create", syscall(SYS_openat, cwd, "new.txt", O_CREAT | O_WRONLY, 0644));
    checked("mkdir_slash", syscall(SYS_mkdirat, cwd, "sub/", 0755));
    checked("open_dotdot", syscall(SYS_openat, cwd, "sub/../new.txt", O_RDONLY));
    checked("rename", syscall(SYS_renameat2, cwd, "new.txt", cwd, "sub/renamed.txt", 0));
    checked("symlink", syscall(SYS_symlinkat, "renamed.txt", cwd, "sub/lnk"));
    checked("open_link", syscall(SYS_openat, cwd, "sub/lnk", O_RDONLY));
    checked("unlink_link", syscall(SYS_unlinkat, cwd, "sub/lnk", 0));
    checked("symlink_dangling", syscall(SYS_symlinkat, "created.txt", cwd, "dangling"));
    checked("create_through", syscall(SYS_openat, cwd, "dangling", O_CREAT | O_WRONLY, 0644));
    checked("symlink_excl", syscall(SYS_symlinkat, "nothere.txt", cwd, "excl"));
    checked("create_excl", syscall(SYS_openat, cwd, "excl", O_CREAT | O_EXCL | O_WRONLY, 0644));
    long dfd = checked("open_sub", syscall(SYS_openat, cwd, "sub", O_RDONLY | O_DIRECTORY));
    checked("create_at", syscall(SYS_openat, dfd, "fresh.txt", O_CREAT | O_WRONLY, 0644));
    checked("chmod_at", syscall(SYS_fchmodat, cwd, "sub/fresh.txt", 0600));
    checked("unlink_at", syscall(SYS_unlinkat, dfd, "fresh.txt", 0));
    checked("unlink_renamed", syscall(SYS_unlinkat, cwd, "sub/renamed.txt", 0));
    checked("rmdir", syscall(SYS_unlinkat, cwd, "sub", AT_REMOVEDIR));
    checked("mkdir_real", syscall(SYS_mkdirat, cwd, "real", 0755));
    checked("symlink_dir", syscall(SYS_symlinkat, "real", cwd, "ld"));
    checked("create_in_linked_dir", syscall(SYS_openat, cwd, "ld/n.txt", O_CREAT | O_WRONLY, 0644));
    return 0;
}
