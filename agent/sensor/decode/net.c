/* net.c — socket syscalls; addresses into fd.sip/dip/sport/dport/name. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "vigil/syscalls.h"
#include "sensor/decode/decode.h"

static const char *decode_af_name(int family)
{
	switch (family) {
	case AF_UNIX: return "AF_UNIX";
	case AF_INET: return "AF_INET";
	case AF_INET6: return "AF_INET6";
	case AF_NETLINK: return "AF_NETLINK";
	case AF_PACKET: return "AF_PACKET";
	default: return NULL;
	}
}

static const char *decode_socktype_name(int type)
{
	switch (type) {
	case SOCK_STREAM: return "SOCK_STREAM";
	case SOCK_DGRAM: return "SOCK_DGRAM";
	case SOCK_RAW: return "SOCK_RAW";
	case SOCK_SEQPACKET: return "SOCK_SEQPACKET";
	default: return NULL;
	}
}

static void set_name_ipport(struct vigil_event *ev, int family, const void *ip, uint16_t port)
{
	char addr[INET6_ADDRSTRLEN], name[INET6_ADDRSTRLEN + 16];
	if (!inet_ntop(family, ip, addr, sizeof(addr)))
		return;
	int n = snprintf(name, sizeof(name), family == AF_INET6 ? "[%s]:%u" : "%s:%u", addr, port);
	if (n > 0)
		ev->fd.name = vigil_event_str(ev, name, (size_t)n);
}

static void decode_sockaddr(struct vigil_event *ev, const void *sa, size_t len, bool is_peer)
{
	sa_family_t family;
	memcpy(&family, sa, sizeof(family));
	ev->fd.family = family;
	if (family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		struct sockaddr_in in;
		memcpy(&in, sa, sizeof(in));
		ev->fd.type = VIGIL_FD_IPV4;
		memcpy(is_peer ? ev->fd.dip : ev->fd.sip, &in.sin_addr, 4);
		*(is_peer ? &ev->fd.dport : &ev->fd.sport) = ntohs(in.sin_port);
		set_name_ipport(ev, AF_INET, &in.sin_addr, ntohs(in.sin_port));
	} else if (family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		struct sockaddr_in6 in6;
		memcpy(&in6, sa, sizeof(in6));
		ev->fd.type = VIGIL_FD_IPV6;
		memcpy(is_peer ? ev->fd.dip : ev->fd.sip, &in6.sin6_addr, 16);
		*(is_peer ? &ev->fd.dport : &ev->fd.sport) = ntohs(in6.sin6_port);
		set_name_ipport(ev, AF_INET6, &in6.sin6_addr, ntohs(in6.sin6_port));
	} else if (family == AF_UNIX) {
		const char *path = (const char *)sa + offsetof(struct sockaddr_un, sun_path);
		size_t plen = len > offsetof(struct sockaddr_un, sun_path)
				      ? len - offsetof(struct sockaddr_un, sun_path)
				      : 0;
		ev->fd.type = VIGIL_FD_UNIX;
		if (plen > 0 && path[0] == '\0') { /* abstract namespace: shown as @name */
			char name[110] = "@";
			size_t n = plen - 1 < sizeof(name) - 2 ? plen - 1 : sizeof(name) - 2;
			memcpy(name + 1, path + 1, n);
			ev->fd.name = vigil_event_str(ev, name, n + 1);
		} else if (plen > 0) {
			ev->fd.name = vigil_event_str(ev, path, strnlen(path, plen));
		}
	} else if (family == AF_NETLINK) {
		ev->fd.type = VIGIL_FD_NETLINK;
	} else if (family == AF_PACKET) {
		ev->fd.type = VIGIL_FD_PACKET;
	}
}

/* The same for a sockaddr in tracee memory (len bounded here). */
static void sockaddr_at(struct vigil_event *ev, const struct decode_ctx *c, uint64_t addr,
			uint64_t len, bool is_peer)
{
	unsigned char sa[128];
	if (len > sizeof(sa))
		len = sizeof(sa);
	if (addr && len >= 2 && sensor_read(c->mem, c->rec->tid, addr, sa, len) == 0)
		decode_sockaddr(ev, sa, len, is_peer);
}

/* Send flags the way Falco prints flag sets (MSG_FASTOPEN|MSG_NOSIGNAL). */
static void send_flags_arg(struct vigil_event *ev, uint64_t flags)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {
		{MSG_OOB, "MSG_OOB"},		{MSG_DONTROUTE, "MSG_DONTROUTE"},
		{MSG_DONTWAIT, "MSG_DONTWAIT"}, {MSG_EOR, "MSG_EOR"},
		{MSG_CONFIRM, "MSG_CONFIRM"},	{MSG_NOSIGNAL, "MSG_NOSIGNAL"},
		{MSG_MORE, "MSG_MORE"},		{MSG_ZEROCOPY, "MSG_ZEROCOPY"},
		{MSG_FASTOPEN, "MSG_FASTOPEN"},
	};
	char buf[160] = "0"; /* every name together: ~110 bytes */
	size_t n = 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!((uint32_t)flags & names[i].bit))
			continue;
		size_t l = strlen(names[i].name);
		if (n)
			buf[n++] = '|';
		memcpy(buf + n, names[i].name, l);
		n += l;
	}
	vigil_event_arg(ev, "flags", buf, n ? n : 1);
}

/*
 * msg_name and msg_namelen of the msghdr at addr (for sendmmsg, the first
 * mmsghdr starts with one): pointers are 4 bytes wide for i386 and x32
 * callers, whose kernel entry reads the compat layout.
 */
static bool msghdr_name(const struct decode_ctx *c, uint64_t addr, uint64_t *name, uint64_t *len)
{
	int arch = c->rec->arch;
	if (arch == VIGIL_ARCH_I386 || arch == VIGIL_ARCH_X32) {
		uint32_t head[2];
		if (sensor_read(c->mem, c->rec->tid, addr, head, sizeof(head)) != 0)
			return false;
		*name = head[0], *len = head[1];
		return true;
	}
	struct {
		uint64_t name;
		uint32_t namelen;
	} head;
	if (sensor_read(c->mem, c->rec->tid, addr, &head, sizeof(head)) != 0)
		return false;
	*name = head.name, *len = head.namelen;
	return true;
}

/*
 * A send with MSG_FASTOPEN connects inside the call (TCP Fast Open), so
 * the destination becomes fd.dip/fd.dport exactly as for connect; evt.type
 * stays sendto/sendmsg/sendmmsg, the rules' macro names them (rules.md).
 */
void decode_send(struct vigil_event *ev, const struct decode_ctx *c)
{
	const uint64_t *a = c->rec->args;
	int id = c->rec->id;
	uint64_t name = 0, len = 0;
	vigil_event_arg_int(ev, "fd", (int)a[0]);
	ev->fd.num = (int)a[0];
	if (id == VIGIL_SC_SENDTO) {
		name = a[4], len = a[5];
		send_flags_arg(ev, a[3]);
	} else {
		send_flags_arg(ev, id == VIGIL_SC_SENDMSG ? a[2] : a[3]);
		if (!a[1] || !msghdr_name(c, a[1], &name, &len))
			return;
	}
	sockaddr_at(ev, c, name, len, true);
}

/* connect and bind (fd, addr, len): the peer for connect, the local end for bind. */
void decode_connect(struct vigil_event *ev, const struct decode_ctx *c)
{
	const uint64_t *a = c->rec->args;
	vigil_event_arg_int(ev, "fd", (int)a[0]);
	ev->fd.num = (int)a[0];
	sockaddr_at(ev, c, a[1], a[2], c->rec->id == VIGIL_SC_CONNECT);
}

/* accept and accept4: at the exit, the new fd and the peer it connects to. */
void decode_accept(struct vigil_event *ev, const struct decode_ctx *c)
{
	const uint64_t *a = c->rec->args;
	vigil_event_arg_int(ev, "fd", (int)a[0]);
	if (!c->has_res || c->res < 0)
		return;
	uint32_t len = 0;
	ev->fd.num = c->res;
	if (a[1] && a[2] && sensor_read(c->mem, c->rec->tid, a[2], &len, sizeof(len)) == 0)
		sockaddr_at(ev, c, a[1], len, true); /* the peer: remote */
}

void decode_listen(struct vigil_event *ev, const struct decode_ctx *c)
{
	decode_fd_arg(ev, c, "fd", (long)c->rec->args[0]);
	vigil_event_arg_int(ev, "backlog", (int)c->rec->args[1]);
	ev->fd.type = VIGIL_FD_OTHER;
}

void decode_socket(struct vigil_event *ev, const struct decode_ctx *c)
{
	const uint64_t *a = c->rec->args;
	const char *af = decode_af_name((int)a[0]);
	const char *ty = decode_socktype_name((int)a[1] & 0xf);
	if (af)
		vigil_event_arg_cstr(ev, "domain", af);
	else
		vigil_event_arg_int(ev, "domain", (int)a[0]);
	if (ty)
		vigil_event_arg_cstr(ev, "type", ty);
	else
		vigil_event_arg_int(ev, "type", (int)a[1]);
	vigil_event_arg_int(ev, "proto", (int)a[2]);
	ev->fd.family = (uint16_t)a[0];
	if (c->has_res && c->res >= 0)
		ev->fd.num = c->res;
}
