/*
 * chain s1 MODE PATH2 PATH3 - a three-generation fork/vfork + exec chain.
 *
 * MODE is fork or vfork.  Stage 1 (this process) creates a child with MODE
 * that execs PATH2 as [PATH2, "s2", MODE, PATH3]; stage 2 creates a child
 * with MODE that execs PATH3 as [PATH3, "s3", MODE, "hello world"].  PATH2
 * and PATH3 are usually symlinks to this program with distinct names, so
 * every generation has its own comm.
 *
 * Each stage reports {"stage":N,"pid":P,"ppid":PP,"tid":T}; each parent also
 * reports {"stage":N,"child":C,"status":S} after waiting.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "vt_common.h"

#include <sys/wait.h>

/* Start a child with fork or vfork that execs argv[0]; wait; return its status. */
static int spawn(const char *mode, char *const *args, int stage)
{
    pid_t pid;
    if (strcmp(mode, "vfork") == 0) {
        pid = vfork();
        if (pid == 0) {
            execv(args[0], args);
            _exit(127);
        }
    } else {
        pid = fork();
        if (pid == 0) {
            execv(args[0], args);
            _exit(127);
        }
    }
    if (pid < 0)
        vt_die("fork");
    int status = 0;
    if (waitpid(pid, &status, 0) < 0)
        vt_die("waitpid");
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    vt_report("{\"stage\":%d,\"child\":%d,\"status\":%d}", stage, (int)pid, code);
    return code;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: chain s1 fork|vfork PATH2 PATH3\n");
        return VT_EXIT_SETUP;
    }
    const char *stage = argv[1], *mode = argv[2];
    int n = strcmp(stage, "s1") == 0 ? 1 : strcmp(stage, "s2") == 0 ? 2 : 3;
    vt_report("{\"stage\":%d,\"pid\":%d,\"ppid\":%d,\"tid\":%ld}",
              n, (int)getpid(), (int)getppid(), vt_gettid());
    if (n == 1) {
        if (argc < 5)
            return VT_EXIT_SETUP;
        char *const args[] = {argv[3], "s2", argv[2], argv[3], argv[4], NULL};
        return spawn(mode, args, 1);
    }
    if (n == 2) {
        char *const args[] = {argv[4], "s3", argv[2], "hello world", NULL};
        return spawn(mode, args, 2);
    }
    return 0;
}
