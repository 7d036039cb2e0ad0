/*
 * byhandle PATH — open PATH without naming it to open(2): take its handle
 * with name_to_handle_at, then open it with open_by_handle_at (needs
 * CAP_DAC_READ_SEARCH). Reports {"pid":P,"fd":FD,"read":N}: the fd the
 * handle opened (or -errno) and the bytes read from it.
 * Exit 77 when the filesystem or the kernel has no handles.
 */
/* _GNU_SOURCE comes from CMakeLists.txt. */
#include <fcntl.h>
#include "vt_common.h"

int main(int argc, char **argv)
{
    if (argc < 2)
        return VT_EXIT_SETUP;
    struct { struct file_handle fh; unsigned char room[MAX_HANDLE_SZ]; } h;
    h.fh.handle_bytes = MAX_HANDLE_SZ;
    int mount_id;
    if (name_to_handle_at(AT_FDCWD, argv[1], &h.fh, &mount_id, 0) != 0)
        vt_skip("name_to_handle_at refused (no handles on this filesystem)");
    /* Any fd on the same filesystem names the mount: the file's directory. */
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", argv[1]);
    char *slash = strrchr(dir, '/');
    if (!slash)
        return VT_EXIT_SETUP;
    slash[slash == dir] = '\0';
    int mount_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC); /* not O_PATH: EBADF */
    if (mount_fd < 0)
        vt_die("open the file's directory");
    int fd = open_by_handle_at(mount_fd, &h.fh, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && (errno == EPERM || errno == ENOSYS))
        vt_skip("open_by_handle_at refused (CAP_DAC_READ_SEARCH?)");
    char buf[64];
    long n = fd >= 0 ? (long)read(fd, buf, sizeof buf) : -1;
    vt_report("{\"pid\":%d,\"fd\":%ld,\"read\":%ld}", (int)getpid(), vt_res(fd), n);
    return 0;
}
