/*
 * clone_raw MODE DIR - create a child with a raw clone-family syscall.
 *
 * MODE is one of
 *   clone3           syscall(SYS_clone3, {exit_signal=SIGCHLD})
 *   clone3_untraced  syscall(SYS_clone3, {flags=CLONE_UNTRACED, exit_signal=SIGCHLD})
 *   clone_untraced   syscall(SYS_clone, CLONE_UNTRACED|SIGCHLD, 0, 0, 0, 0)
 *
 * The child reports {"role":"child","pid","ppid","tracer"} (tracer = the
 * TracerPid line of /proc/self/status), opens DIR/marker-MODE and execs
 * /bin/true.  The parent reports {"role":"parent","pid","res"} where res is
 * the child pid or -errno, then {"role":"wait","status":S} (exit status).
 *
 * Expected: the child is never unseen — either the call fails, or the
 * child's openat of the marker and its execve appear with proc.pid = child.
 * Under vigil both clone3 modes fail with ENOSYS (the filter's answer).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "vt_common.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/wait.h>

/* struct clone_args, version 0 (64 bytes), spelled out to avoid header clashes. */
struct vt_clone_args {
    uint64_t flags;
    uint64_t pidfd;
    uint64_t child_tid;
    uint64_t parent_tid;
    uint64_t exit_signal;
    uint64_t stack;
    uint64_t stack_size;
    uint64_t tls;
};

#ifndef CLONE_UNTRACED
#define CLONE_UNTRACED 0x00800000
#endif

/* Return the TracerPid of the calling process, or -1 if it cannot be read. */
static long tracer_pid(void)
{
    char buf[4096];
    int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    const char *p = strstr(buf, "TracerPid:");
    if (!p)
        return -1;
    return strtol(p + strlen("TracerPid:"), NULL, 10);
}

/* Child side: report, open the marker, exec /bin/true. Never returns. */
__attribute__((noreturn))
static void child(const char *dir, const char *mode)
{
    char path[4096];
    vt_report("{\"role\":\"child\",\"pid\":%d,\"ppid\":%d,\"tracer\":%ld}",
              (int)getpid(), (int)getppid(), tracer_pid());
    snprintf(path, sizeof path, "%s/marker-%s", dir, mode);
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd >= 0)
        close(fd);
    char *const args[] = {"/bin/true", NULL};
    char *const env[] = {NULL};
    execve("/bin/true", args, env);
    _exit(127);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: clone_raw clone3|clone3_untraced|clone_untraced DIR\n");
        return VT_EXIT_SETUP;
    }
    const char *mode = argv[1], *dir = argv[2];
    long r;
    fflush(NULL);
    if (strcmp(mode, "clone3") == 0 || strcmp(mode, "clone3_untraced") == 0) {
        struct vt_clone_args ca;
        memset(&ca, 0, sizeof ca);
        ca.exit_signal = SIGCHLD;
        if (strcmp(mode, "clone3_untraced") == 0)
            ca.flags = CLONE_UNTRACED;
        r = syscall(SYS_clone3, &ca, sizeof ca);
    } else if (strcmp(mode, "clone_untraced") == 0) {
        r = syscall(SYS_clone, (unsigned long)(CLONE_UNTRACED | SIGCHLD), 0UL, 0UL, 0UL, 0UL);
    } else {
        fprintf(stderr, "unknown mode %s\n", mode);
        return VT_EXIT_SETUP;
    }
    if (r == 0)
        child(dir, mode);
    vt_report("{\"role\":\"parent\",\"pid\":%d,\"mode\":%s,\"res\":%ld}",
              (int)getpid(), vt_q(mode), vt_res(r));
    if (r > 0) {
        int status = 0;
        if (waitpid((pid_t)r, &status, 0) < 0)
            vt_die("waitpid");
        vt_report("{\"role\":\"wait\",\"status\":%d}",
                  WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    }
    return 0;
}
