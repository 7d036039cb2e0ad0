/*
 * fileops DIR - one call each of the file, credential, fd, socket, ptrace
 * and mount syscalls vigil documents, all made with raw syscall(2) so the
 * syscall a tracer sees is exactly the one named.
 *
 * Each call reports {"op":NAME,"type":SYSCALL,"res":R,...extra} where R is the
 * return value or -errno.  Extra keys carry what the test cannot know in
 * advance (fds, the TCP port, the child pid).  Relative names are resolved
 * against DIR through dirfd.  DIR must exist and be empty.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "vt_common.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#endif

static char dir[2048];

/* Build DIR/name into buf. */
static const char *at(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/%s", dir, name);
    return buf;
}

/* Report one operation's result. */
static void rep(const char *op, const char *type, long r)
{
    vt_report("{\"op\":%s,\"type\":%s,\"res\":%ld}", vt_q(op), vt_q(type), vt_res(r));
}

/* Find a free loopback TCP port (bind to 0, read it back, close). */
static int free_port(void)
{
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) < 0 ||
        getsockname(s, (struct sockaddr *)&a, &len) < 0)
        vt_die("free_port");
    close(s);
    return ntohs(a.sin_port);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: fileops DIR\n");
        return VT_EXIT_SETUP;
    }
    snprintf(dir, sizeof dir, "%s", argv[1]);
    char p1[4096], p2[4096];
    long r;
    int dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0)
        vt_die("open DIR");
    int uid = (int)getuid(), gid = (int)getgid();
    vt_report("{\"pid\":%d,\"tid\":%ld,\"uid\":%d,\"gid\":%d,\"dirfd\":%d}",
              (int)getpid(), vt_gettid(), uid, gid, dirfd);

    long fdw = syscall(SYS_openat, dirfd, "file", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    rep("openat_w", "openat", fdw);
    long fdr = syscall(SYS_openat, AT_FDCWD, at(p1, sizeof p1, "file"), O_RDONLY | O_CLOEXEC);
    rep("openat_r", "openat", fdr);
    if (fdw < 0 || fdr < 0)
        vt_die("openat");

    rep("mkdir", "mkdir", syscall(SYS_mkdir, at(p1, sizeof p1, "sub"), 0750));
    rep("rmdir", "rmdir", syscall(SYS_rmdir, at(p1, sizeof p1, "sub")));
    rep("link", "link", syscall(SYS_link, at(p1, sizeof p1, "file"), at(p2, sizeof p2, "hard")));
    rep("symlink", "symlink", syscall(SYS_symlink, "target-text", at(p1, sizeof p1, "sym")));
    rep("rename", "rename", syscall(SYS_rename, at(p1, sizeof p1, "file"), at(p2, sizeof p2, "renamed")));
    rep("renameat2", "renameat2",
        syscall(SYS_renameat2, dirfd, "renamed", dirfd, "renamed2", RENAME_NOREPLACE));
    rep("unlink", "unlink", syscall(SYS_unlink, at(p1, sizeof p1, "hard")));
    rep("unlinkat", "unlinkat", syscall(SYS_unlinkat, dirfd, "sym", 0));
    rep("chmod", "chmod", syscall(SYS_chmod, at(p1, sizeof p1, "renamed2"), 0600));
    rep("fchmodat", "fchmodat", syscall(SYS_fchmodat, dirfd, "renamed2", 0640, 0));
    rep("chown", "chown", syscall(SYS_chown, at(p1, sizeof p1, "renamed2"), uid, gid));
    rep("fchownat", "fchownat", syscall(SYS_fchownat, dirfd, "renamed2", uid, gid, 0));
    rep("setuid", "setuid", syscall(SYS_setuid, uid));

    long d1 = syscall(SYS_dup, fdr);
    vt_report("{\"op\":\"dup\",\"type\":\"dup\",\"res\":%ld,\"fd\":%ld}", vt_res(d1), fdr);
    long d2 = syscall(SYS_dup2, fdr, 100);
    vt_report("{\"op\":\"dup2\",\"type\":\"dup2\",\"res\":%ld,\"fd\":%ld,\"newfd\":100}", vt_res(d2), fdr);
    long d3 = syscall(SYS_dup3, fdr, 101, O_CLOEXEC);
    vt_report("{\"op\":\"dup3\",\"type\":\"dup3\",\"res\":%ld,\"fd\":%ld,\"newfd\":101}", vt_res(d3), fdr);

    /* TCP on loopback: socket, bind, listen, connect, accept. */
    int port = free_port();
    long ls = syscall(SYS_socket, AF_INET, SOCK_STREAM, 0);
    rep("socket_inet", "socket", ls);
    if (ls < 0)
        vt_die("socket");
    int one = 1;
    setsockopt((int)ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    r = syscall(SYS_bind, ls, &sin, (long)sizeof sin);
    vt_report("{\"op\":\"bind_inet\",\"type\":\"bind\",\"res\":%ld,\"fd\":%ld,\"port\":%d}",
              vt_res(r), ls, port);
    r = syscall(SYS_listen, ls, 8L);
    vt_report("{\"op\":\"listen_inet\",\"type\":\"listen\",\"res\":%ld,\"fd\":%ld}", vt_res(r), ls);
    long cs = syscall(SYS_socket, AF_INET, SOCK_STREAM, 0);
    if (cs < 0)
        vt_die("socket");
    r = syscall(SYS_connect, cs, &sin, (long)sizeof sin);
    vt_report("{\"op\":\"connect_inet\",\"type\":\"connect\",\"res\":%ld,\"fd\":%ld,\"port\":%d}",
              vt_res(r), cs, port);
    long as = syscall(SYS_accept, ls, 0L, 0L);
    vt_report("{\"op\":\"accept_inet\",\"type\":\"accept\",\"res\":%ld,\"fd\":%ld}", vt_res(as), ls);

    /* Unix stream socket at DIR/sock: bind, listen, connect. */
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    at(p1, sizeof p1, "sock");
    if (strlen(p1) >= sizeof sun.sun_path) {
        errno = ENAMETOOLONG;
        vt_die("unix socket path");
    }
    memcpy(sun.sun_path, p1, strlen(p1) + 1);
    long us = syscall(SYS_socket, AF_UNIX, SOCK_STREAM, 0);
    if (us < 0)
        vt_die("socket unix");
    r = syscall(SYS_bind, us, &sun, (long)sizeof sun);
    vt_report("{\"op\":\"bind_unix\",\"type\":\"bind\",\"res\":%ld,\"fd\":%ld,\"path\":%s}",
              vt_res(r), us, vt_q(sun.sun_path));
    listen((int)us, 8);
    long uc = syscall(SYS_socket, AF_UNIX, SOCK_STREAM, 0);
    if (uc < 0)
        vt_die("socket unix");
    r = syscall(SYS_connect, uc, &sun, (long)sizeof sun);
    vt_report("{\"op\":\"connect_unix\",\"type\":\"connect\",\"res\":%ld,\"fd\":%ld,\"path\":%s}",
              vt_res(r), uc, vt_q(sun.sun_path));

    /* ptrace(PTRACE_ATTACH) on our own child. */
    pid_t child = fork();
    if (child < 0)
        vt_die("fork");
    if (child == 0) {
        for (;;)
            pause();
    }
    r = syscall(SYS_ptrace, (long)PTRACE_ATTACH, (long)child, 0L, 0L);
    vt_report("{\"op\":\"ptrace\",\"type\":\"ptrace\",\"res\":%ld,\"pid\":%d}", vt_res(r), (int)child);
    if (r == 0) {
        int st;
        waitpid(child, &st, __WALL);
        ptrace(PTRACE_DETACH, child, 0, 0);
    }
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);

    /* mount of a file system type that does not exist: EPERM or ENODEV. */
    mkdir(at(p1, sizeof p1, "mnt"), 0755);
    r = syscall(SYS_mount, "none", at(p1, sizeof p1, "mnt"), "vigil-bogus-fs", (long)MS_NOSUID, 0L);
    rep("mount", "mount", r);
    if (r == 0)
        umount(p1);

    close((int)fdw);
    close((int)fdr);
    unlink(at(p1, sizeof p1, "sock"));
    return 0;
}
