/*
 * stdio.c — proc.stdin.* and proc.stdout.* at a successful exec.
 *
 * A reverse shell is a shell whose stdin or stdout is a socket. How the
 * socket got there (dup2, dup3, dup + close, fcntl(F_DUPFD*), a socket
 * inherited on fd 0, a child of inetd) does not matter at exec, so vigil
 * looks at the fds the new image starts with instead of tracing the hot
 * fd-shuffling syscalls. The common case costs two readlinks of
 * /proc/PID/fd/{0,1}; only a socket costs more: a copy of it (pidfd_getfd,
 * allowed to the tracer) to ask its family and its two ends.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sensor/decode/decode.h"
#include "sensor/procinfo.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

/* "ip:port" of one end, Falco's notation ([v6]:port for IPv6). */
static size_t end_text(const struct sockaddr_storage *ss, char *out, size_t size)
{
	char addr[INET6_ADDRSTRLEN];
	const void *ip;
	unsigned port;
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)ss;
		ip = &in->sin_addr, port = ntohs(in->sin_port);
	} else {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;
		ip = &in6->sin6_addr, port = ntohs(in6->sin6_port);
	}
	if (!inet_ntop(ss->ss_family, ip, addr, sizeof(addr)))
		return 0;
	int n = snprintf(out, size, ss->ss_family == AF_INET6 ? "[%s]:%u" : "%s:%u", addr, port);
	return n > 0 && (size_t)n < size ? (size_t)n : 0;
}

/*
 * The socket's type (ipv4, ipv6, unix, ...) and, for IP, Falco's fd.name
 * "local->remote", from a copy of the tracee's fd. Returns the type, or
 * NULL when the copy cannot be made (then it stays a plain "socket").
 */
static const char *socket_facts(int pidfd, int fd, char *name, size_t size)
{
	int s = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	if (s < 0)
		return NULL;
	int family = -1;
	socklen_t len = sizeof(family);
	const char *type = "socket";
	if (getsockopt(s, SOL_SOCKET, SO_DOMAIN, &family, &len) == 0) {
		type = family == AF_INET      ? "ipv4"
		       : family == AF_INET6   ? "ipv6"
		       : family == AF_UNIX    ? "unix"
		       : family == AF_NETLINK ? "netlink"
					      : "socket";
	}
	struct sockaddr_storage l, r;
	socklen_t ll = sizeof(l), rl = sizeof(r);
	if ((family == AF_INET || family == AF_INET6) &&
	    getsockname(s, (struct sockaddr *)&l, &ll) == 0 &&
	    getpeername(s, (struct sockaddr *)&r, &rl) == 0) {
		size_t n = end_text(&l, name, size);
		if (n && n + 2 < size) {
			memcpy(name + n, "->", 2);
			if (!end_text(&r, name + n + 2, size - n - 2))
				name[n] = '\0';
		}
	}
	close(s);
	return type;
}

/* What fd `fd` of pid is: its type and name; false when it is not open. */
static bool stdio_facts(pid_t pid, int *pidfd, int fd, const char **type, char *name, size_t size)
{
	if (procinfo_fd_path(pid, pid, fd, name, size) != 0)
		return false;
	if (name[0] == '/') {
		*type = "file";
	} else if (strncmp(name, "pipe:", 5) == 0) {
		*type = "pipe";
	} else if (strncmp(name, "socket:", 7) == 0) {
		if (*pidfd < 0)
			*pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
		const char *st = *pidfd >= 0 ? socket_facts(*pidfd, fd, name, size) : NULL;
		*type = st ? st : "socket";
	} else {
		*type = "unknown";
	}
	return true;
}

void decode_exec_stdio(struct vigil_event *ev, pid_t pid)
{
	char name[VIGIL_PATH_MAX];
	const char *type;
	int pidfd = -1;
	struct vigil_proc *vp = &ev->proc;
	if (stdio_facts(pid, &pidfd, 0, &type, name, sizeof(name))) {
		vp->stdin_type = vigil_event_cstr(ev, type);
		vp->stdin_name = vigil_event_cstr(ev, name);
	}
	if (stdio_facts(pid, &pidfd, 1, &type, name, sizeof(name))) {
		vp->stdout_type = vigil_event_cstr(ev, type);
		vp->stdout_name = vigil_event_cstr(ev, name);
	}
	if (pidfd >= 0)
		close(pidfd);
}
