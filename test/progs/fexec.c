/*
 * fexec opath|dirfd - exec /bin/true through a file descriptor.
 *
 *   opath  fd = open("/bin/true", O_PATH); execveat(fd, "", AT_EMPTY_PATH)
 *   dirfd  dfd = open(dirname(realpath(/bin/true)), O_PATH|O_DIRECTORY);
 *          execveat(dfd, "true", 0)
 *
 * argv[0] of the new image is "fexec-true".  Reports {"pid":P,"fd":F,
 * "exe":REALPATH,"filename":F} before the exec (filename = the path argument
 * passed to execveat).  Expected: an execveat event with evt.res 0,
 * proc.pid P, proc.exepath REALPATH, proc.exe "fexec-true".
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "vt_common.h"

#include <fcntl.h>
#include <libgen.h>
#include <limits.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: fexec opath|dirfd\n");
        return VT_EXIT_SETUP;
    }
    char real[PATH_MAX], dir[PATH_MAX];
    if (!realpath("/bin/true", real))
        vt_die("realpath /bin/true");
    snprintf(dir, sizeof dir, "%s", real);
    char *const args[] = {"fexec-true", NULL};
    char *const env[] = {NULL};
    int fd;
    const char *filename;
    int flags;
    if (strcmp(argv[1], "opath") == 0) {
        fd = open(real, O_PATH | O_CLOEXEC);
        filename = "";
        flags = AT_EMPTY_PATH;
    } else if (strcmp(argv[1], "dirfd") == 0) {
        fd = open(dirname(dir), O_PATH | O_DIRECTORY | O_CLOEXEC);
        filename = "true";
        flags = 0;
    } else {
        fprintf(stderr, "unknown mode %s\n", argv[1]);
        return VT_EXIT_SETUP;
    }
    if (fd < 0)
        vt_die("open");
    vt_report("{\"pid\":%d,\"fd\":%d,\"exe\":%s,\"filename\":%s}", (int)getpid(), fd,
              vt_q(real), vt_q(filename));
    syscall(SYS_execveat, fd, filename, args, env, flags);
    vt_die("execveat");
}
