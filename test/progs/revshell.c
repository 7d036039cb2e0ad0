/*
 * revshell dup2|fcntl|dup|inherit — a reverse shell's last step: a shell
 * started with a TCP socket as its stdin/stdout.
 *
 *   dup2     the socket is put on 0 and 1 with dup2
 *   fcntl    close(0) + fcntl(s, F_DUPFD, 0), then the same for 1
 *   dup      close(0) + dup(s), then the same for 1
 *   inherit  nothing is moved: fd 0 already is a socket (given by the
 *            test), the program just starts the shell
 *
 * A listener on 127.0.0.1 (any port), held by the parent, takes the connection. The shell is
 * started in a child (the application spawning it): /bin/sh -c true.
 * Reports {"pid":P,"child":C,"status":S}; only the child's stdio moves.
 */
/* _GNU_SOURCE comes from CMakeLists.txt. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include "vt_common.h"

/* A listener on 127.0.0.1: the parent keeps it open, so the connection
 * stays up while the shell starts (a closed listener resets it). */
static int listener(struct sockaddr_in *a)
{
    a->sin_family = AF_INET;
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof *a;
    int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (l < 0 || bind(l, (struct sockaddr *)a, sizeof *a) != 0 || listen(l, 1) != 0 ||
        getsockname(l, (struct sockaddr *)a, &al) != 0)
        vt_die("listener");
    return l;
}

static int connected_socket(const struct sockaddr_in *a)
{
    int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (c < 0 || connect(c, (const struct sockaddr *)a, sizeof *a) != 0)
        vt_die("connect");
    return c;
}

/* Put socket s on fds 0 and 1 the way `how` says. */
static void move_to_stdio(const char *how, int s)
{
    for (int fd = 0; fd <= 1; fd++) {
        int got;
        if (strcmp(how, "dup2") == 0) {
            got = dup2(s, fd);
        } else {
            close(fd);
            got = strcmp(how, "fcntl") == 0 ? fcntl(s, F_DUPFD, fd) : dup(s);
        }
        if (got != fd)
            vt_die("moving the socket to stdio");
    }
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return VT_EXIT_SETUP;
    struct sockaddr_in a = {0};
    int l = listener(&a);
    pid_t child = fork();
    if (child < 0)
        vt_die("fork");
    if (child == 0) {
        if (strcmp(argv[1], "inherit") != 0)
            move_to_stdio(argv[1], connected_socket(&a));
        execl("/bin/sh", "sh", "-c", "true", (char *)NULL);
        _exit(127);
    }
    int status = 0;
    waitpid(child, &status, 0);
    close(l);
    vt_report("{\"pid\":%d,\"child\":%d,\"status\":%d}", (int)getpid(), (int)child, status);
    return 0;
}
