/*
 * envsecret DIR - run with SECRET_TOKEN in the environment and make traced
 * syscalls whose memory sits next to the environment: openat, execve of
 * /bin/sh -c true with the full environment (so envp is passed to the
 * kernel), and a forked child that execs /bin/true with the environment.
 *
 * Reports {"pid":P,"has_secret":B}.  The secret must not appear in vigil's
 * event stream.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "vt_common.h"

#include <fcntl.h>
#include <sys/wait.h>

extern char **environ;

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: envsecret DIR\n");
        return VT_EXIT_SETUP;
    }
    const char *secret = getenv("SECRET_TOKEN");
    vt_report("{\"pid\":%d,\"has_secret\":%s}", (int)getpid(), secret ? "true" : "false");
    char path[4096];
    snprintf(path, sizeof path, "%s/envsecret-marker", argv[1]);
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd >= 0)
        close(fd);
    pid_t c = fork();
    if (c == 0) {
        char *const args[] = {"/bin/true", NULL};
        execve("/bin/true", args, environ);
        _exit(127);
    }
    if (c > 0)
        waitpid(c, NULL, 0);
    char *const args[] = {"/bin/sh", "-c", "true", NULL};
    execve("/bin/sh", args, environ);
    vt_die("execve /bin/sh");
}
