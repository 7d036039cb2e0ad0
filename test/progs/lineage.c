/*
 * lineage a HOW PATH_B - a double fork whose middle process dies at once.
 *
 * A (this process, usually exec'd as a symlink named lin_a) forks B, which
 * execs PATH_B (a symlink named lin_b) as [PATH_B, "b", HOW, FD]. B forks C
 * and dies at once, as HOW says: "exit" (_exit(0)), "kill" (SIGKILL to
 * itself) or "segv" (a write to address 0, no core). C waits until it has
 * been reparented (B is gone), writes its pid on the pipe FD it shares with
 * A, and execs /bin/sh -c 'exit 0', which a rule catches (a shell spawned by
 * the application). A reads the pipe to its end (the shell has exited).
 *
 * Reports {"a":A,"b":B,"c":C,"b_status":S} with S the wait status code of B
 * (128+signal when killed).
 *
 * Expected under vigil: C's shell exec has proc.pname lin_b and
 * proc.aname[2] lin_a, the creators, never vigil.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "vt_common.h"

#include <signal.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/wait.h>

#define REPARENT_POLLS 10000 /* 1 ms each: C gives up (setup failure) after 10 s */

__attribute__((noreturn)) static void die_as(const char *how)
{
    if (strcmp(how, "kill") == 0) {
        kill(getpid(), SIGKILL);
    } else if (strcmp(how, "segv") == 0) {
        struct rlimit none = {0, 0};
        setrlimit(RLIMIT_CORE, &none);
        *(volatile int *)(uintptr_t)0 = 1;
    }
    _exit(0);
}

/* C: wait for B to be gone, tell A who we are, exec a shell. */
__attribute__((noreturn)) static void stage_c(pid_t b, int fd)
{
    for (int i = 0; getppid() == b; i++) {
        if (i == REPARENT_POLLS)
            _exit(VT_EXIT_SETUP);
        usleep(1000);
    }
    char line[32];
    int n = snprintf(line, sizeof(line), "%d\n", (int)getpid());
    if (vt_write_all(fd, line, (size_t)n) != 0)
        _exit(VT_EXIT_SETUP);
    char *const args[] = {"sh", "-c", "exit 0", NULL};
    execv("/bin/sh", args);
    _exit(127);
}

static int stage_b(const char *how, int fd)
{
    pid_t me = getpid();
    pid_t c = fork();
    if (c < 0)
        vt_die("fork");
    if (c == 0)
        stage_c(me, fd);
    die_as(how);
}

static int stage_a(const char *how, const char *path_b)
{
    int p[2];
    if (pipe(p) != 0)
        vt_die("pipe");
    char fdarg[16];
    snprintf(fdarg, sizeof(fdarg), "%d", p[1]);
    fflush(NULL);
    pid_t b = fork();
    if (b < 0)
        vt_die("fork");
    if (b == 0) {
        close(p[0]);
        char *const args[] = {(char *)path_b, "b", (char *)how, fdarg, NULL};
        execv(path_b, args);
        _exit(127);
    }
    close(p[1]);
    int status = 0;
    if (waitpid(b, &status, 0) < 0)
        vt_die("waitpid");
    char buf[64] = {0};
    size_t len = 0;
    for (;;) { /* to EOF: the shell, last holder of the write end, has exited */
        ssize_t n = read(p[0], buf + len, sizeof(buf) - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
        if (len == sizeof(buf) - 1)
            break;
    }
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    vt_report("{\"a\":%d,\"b\":%d,\"c\":%ld,\"b_status\":%d}", (int)getpid(), (int)b,
              strtol(buf, NULL, 10), code);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: lineage a exit|kill|segv PATH_B\n");
        return VT_EXIT_SETUP;
    }
    if (strcmp(argv[1], "a") == 0)
        return stage_a(argv[2], argv[3]);
    return stage_b(argv[2], (int)strtol(argv[3], NULL, 10));
}
