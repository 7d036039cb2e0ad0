/*
 * fastopen sendto|sendmsg|sendmmsg PORT — an outbound TCP connection made
 * by a send with MSG_FASTOPEN, never calling connect(2).
 *
 * Runs in a private network namespace (unshare(CLONE_NEWNET), lo up,
 * net.ipv4.tcp_fastopen = 3 there), so the host's settings are untouched.
 * A listener on 127.0.0.1:PORT accepts the connection. Reports
 * {"pid":P,"fd":FD,"sent":N,"accepted":0|1}.
 * Exit 77 when the namespace cannot be made.
 */
/* _GNU_SOURCE comes from CMakeLists.txt. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include "vt_common.h"

static void lo_up(void)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct ifreq ifr = {0};
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
    if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) != 0)
        vt_die("lo flags");
    ifr.ifr_flags |= IFF_UP;
    if (ioctl(s, SIOCSIFFLAGS, &ifr) != 0)
        vt_die("lo up");
    close(s);
}

static void fastopen_on(void)
{
    int fd = open("/proc/sys/net/ipv4/tcp_fastopen", O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, "3", 1) != 1)
        vt_skip("net.ipv4.tcp_fastopen cannot be set in the namespace");
    close(fd);
}

static long send_fastopen(const char *how, int c, struct sockaddr_in *to)
{
    static char msg[] = "hello";
    struct iovec iov = {msg, sizeof msg - 1};
    struct msghdr mh = {.msg_name = to, .msg_namelen = sizeof *to, .msg_iov = &iov, .msg_iovlen = 1};
    if (strcmp(how, "sendto") == 0)
        return sendto(c, msg, sizeof msg - 1, MSG_FASTOPEN, (struct sockaddr *)to, sizeof *to);
    if (strcmp(how, "sendmsg") == 0)
        return sendmsg(c, &mh, MSG_FASTOPEN);
    struct mmsghdr mm = {.msg_hdr = mh};
    return sendmmsg(c, &mm, 1, MSG_FASTOPEN);
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return VT_EXIT_SETUP;
    if (unshare(CLONE_NEWNET) != 0)
        vt_skip("unshare(CLONE_NEWNET) refused");
    lo_up();
    fastopen_on();
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2]))};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), qlen = 5, one = 1;
    if (l < 0 || setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        setsockopt(l, IPPROTO_TCP, TCP_FASTOPEN, &qlen, sizeof qlen) != 0 ||
        bind(l, (struct sockaddr *)&a, sizeof a) != 0 || listen(l, 5) != 0)
        vt_die("listener");
    int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (c < 0)
        vt_die("socket");
    long sent = send_fastopen(argv[1], c, &a);
    int acc = accept4(l, NULL, NULL, SOCK_CLOEXEC);
    vt_report("{\"pid\":%d,\"fd\":%d,\"sent\":%ld,\"accepted\":%d}", (int)getpid(), c,
              vt_res(sent), acc >= 0);
    return 0;
}
