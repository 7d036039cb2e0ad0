/*
 * memfd_exec NAME - fileless exec: memfd_create(NAME, MFD_CLOEXEC), copy
 * /bin/true's bytes into it, then execveat(fd, "", argv, envp, AT_EMPTY_PATH).
 *
 * Reports {"pid":P,"name":NAME,"fd":F} before the exec.  Expected events: a
 * memfd_create with evt.arg.name NAME, and an execveat with evt.res 0,
 * proc.pid P and proc.is_exe_from_memfd true.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "vt_common.h"

#include <fcntl.h>
#include <sys/mman.h>

int main(int argc, char **argv)
{
    const char *name = argc > 1 ? argv[1] : "vigil-memfd";
    int src = open("/bin/true", O_RDONLY | O_CLOEXEC);
    if (src < 0)
        vt_die("open /bin/true");
    int fd = (int)syscall(SYS_memfd_create, name, MFD_CLOEXEC);
    if (fd < 0)
        vt_die("memfd_create");
    char buf[65536];
    for (;;) {
        ssize_t n = read(src, buf, sizeof buf);
        if (n < 0)
            vt_die("read /bin/true");
        if (n == 0)
            break;
        if (vt_write_all(fd, buf, (size_t)n) < 0)
            vt_die("write memfd");
    }
    close(src);
    vt_report("{\"pid\":%d,\"name\":%s,\"fd\":%d}", (int)getpid(), vt_q(name), fd);
    char *const args[] = {"memfd-true", NULL};
    char *const env[] = {NULL};
    syscall(SYS_execveat, fd, "", args, env, AT_EMPTY_PATH);
    vt_die("execveat memfd");
}
