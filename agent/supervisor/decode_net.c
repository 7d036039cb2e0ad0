/* decode_net.c — socket addresses into fd.sip/dip/sport/dport/name. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "supervisor/decode.h"

const char *decode_af_name(int family)
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

const char *decode_socktype_name(int type)
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

void decode_sockaddr(struct vigil_event *ev, const void *sa, size_t len, bool is_peer)
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
				      ? len - offsetof(struct sockaddr_un, sun_path) : 0;
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
