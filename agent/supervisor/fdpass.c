/* fdpass.c — see fdpass.h. The seccomp listener crosses from the child this way. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "supervisor/fdpass.h"

union cmsg_space {
	struct cmsghdr align;
	char buf[CMSG_SPACE(sizeof(int))];
};

int fdpass_send(int sock, char byte, int fd)
{
	struct iovec io = {&byte, 1};
	union cmsg_space u;
	memset(&u, 0, sizeof(u));
	struct msghdr m = {.msg_iov = &io, .msg_iovlen = 1};
	if (fd >= 0) {
		m.msg_control = u.buf;
		m.msg_controllen = sizeof(u.buf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(fd));
	}
	ssize_t n;
	while ((n = sendmsg(sock, &m, MSG_NOSIGNAL)) < 0 && errno == EINTR)
		;
	return n == 1 ? 0 : -1;
}

int fdpass_recv(int sock, char *byte, int *fd)
{
	struct iovec io = {byte, 1};
	union cmsg_space u;
	struct msghdr m = {.msg_iov = &io,
			   .msg_iovlen = 1,
			   .msg_control = u.buf,
			   .msg_controllen = sizeof(u.buf)};
	*fd = -1;
	ssize_t n;
	while ((n = recvmsg(sock, &m, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
		;
	if (n <= 0)
		return n == 0 ? 0 : -1;
	/* Only a descriptor that came whole, as the one SCM_RIGHTS int we asked for. */
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
	    c->cmsg_len == CMSG_LEN(sizeof(int)) && !(m.msg_flags & MSG_CTRUNC))
		memcpy(fd, CMSG_DATA(c), sizeof(*fd));
	return 1;
}
