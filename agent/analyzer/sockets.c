/* sockets.c — (pid, fd) -> layer-4 protocol, open addressing with FIFO eviction. */
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "analyzer/sockets.h"
#include "vigil/syscalls.h"

enum proto { P_NONE, P_TCP, P_UDP, P_ICMP, P_RAW };
#define P_MASK 0x07
#define P_IPV6 0x10 /* the socket is AF_INET6 (else AF_INET) */

struct slot {
	uint64_t key; /* pid << 32 | fd; 0 = empty */
	uint8_t proto;
};

struct sockets {
	struct slot *slots;
	size_t n_slots, capacity, count, head;
	uint64_t *fifo;
};

static uint64_t key_of(int32_t pid, int64_t fd)
{
	return ((uint64_t)(uint32_t)pid << 32 | (uint32_t)fd) + 1; /* never 0 */
}

struct sockets *sockets_new(size_t capacity)
{
	struct sockets *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->capacity = capacity;
	s->n_slots = 16;
	while (s->n_slots < capacity * 2)
		s->n_slots *= 2;
	s->slots = calloc(s->n_slots, sizeof(*s->slots));
	s->fifo = calloc(capacity, sizeof(*s->fifo));
	if (!s->slots || !s->fifo) {
		sockets_free(s);
		return NULL;
	}
	return s;
}

void sockets_free(struct sockets *s)
{
	if (!s)
		return;
	free(s->slots);
	free(s->fifo);
	free(s);
}

static size_t find(const struct sockets *s, uint64_t key)
{
	size_t i = (key * 0x9e3779b97f4a7c15ull) & (s->n_slots - 1);
	while (s->slots[i].key && s->slots[i].key != key)
		i = (i + 1) & (s->n_slots - 1);
	return i;
}

static void erase(struct sockets *s, uint64_t key)
{
	size_t i = find(s, key);
	if (!s->slots[i].key)
		return;
	s->slots[i].key = 0;
	for (size_t j = (i + 1) & (s->n_slots - 1); s->slots[j].key;
	     j = (j + 1) & (s->n_slots - 1)) {
		struct slot moved = s->slots[j];
		s->slots[j].key = 0;
		s->slots[find(s, moved.key)] = moved;
	}
}

static void put(struct sockets *s, int32_t pid, int64_t fd, uint8_t proto)
{
	if (!s || fd < 0 || proto == P_NONE)
		return;
	uint64_t key = key_of(pid, fd);
	size_t i = find(s, key);
	if (s->slots[i].key) { /* fd reused: the new socket replaces the old */
		s->slots[i].proto = proto;
		return;
	}
	if (s->count == s->capacity) {
		erase(s, s->fifo[s->head]);
		s->head = (s->head + 1) % s->capacity;
		s->count--;
		i = find(s, key);
	}
	s->slots[i] = (struct slot){key, proto};
	s->fifo[(s->head + s->count) % s->capacity] = key;
	s->count++;
}

static uint8_t get(const struct sockets *s, int32_t pid, int64_t fd)
{
	if (!s || fd < 0)
		return P_NONE;
	size_t i = find(s, key_of(pid, fd));
	return s->slots[i].key ? s->slots[i].proto : P_NONE;
}

static const char *arg(const struct vigil_event *ev, const char *key, size_t *len)
{
	for (int i = 0; i < ev->n_evargs; i++) {
		vigil_str k = ev->evargs[i].key;
		if (k.len == strlen(key) && memcmp(vigil_str_ptr(ev, k), key, k.len) == 0) {
			*len = ev->evargs[i].val.len;
			return vigil_str_ptr(ev, ev->evargs[i].val);
		}
	}
	return NULL;
}

static bool arg_is(const struct vigil_event *ev, const char *key, const char *want)
{
	size_t len;
	const char *v = arg(ev, key, &len);
	return v && len == strlen(want) && memcmp(v, want, len) == 0;
}

static int64_t arg_int(const struct vigil_event *ev, const char *key)
{
	size_t len;
	const char *v = arg(ev, key, &len);
	char buf[24];
	if (!v || len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, v, len);
	buf[len] = '\0';
	return strtoll(buf, NULL, 10);
}

/* What socket(domain, type, proto) creates, for IP sockets. */
static uint8_t proto_of_socket(const struct vigil_event *ev)
{
	if (!arg_is(ev, "domain", "AF_INET") && !arg_is(ev, "domain", "AF_INET6"))
		return P_NONE;
	int64_t p = arg_int(ev, "proto");
	uint8_t v6 = arg_is(ev, "domain", "AF_INET6") ? P_IPV6 : 0;
	if (p == IPPROTO_ICMP || p == IPPROTO_ICMPV6)
		return P_ICMP | v6;
	if (arg_is(ev, "type", "SOCK_STREAM"))
		return P_TCP | v6;
	if (arg_is(ev, "type", "SOCK_DGRAM"))
		return P_UDP | v6;
	return arg_is(ev, "type", "SOCK_RAW") ? (P_RAW | v6) : P_NONE;
}

/* A dup of a socket the tracer only knows as "socket:[inode]": give it its family. */
static void type_dup(struct sockets *s, struct vigil_event *ev, int64_t oldfd)
{
	uint8_t p = get(s, ev->proc.pid, oldfd);
	if (p != P_NONE && (ev->fd.type == VIGIL_FD_NONE || ev->fd.type == VIGIL_FD_OTHER))
		ev->fd.type = (p & P_IPV6) ? VIGIL_FD_IPV6 : VIGIL_FD_IPV4;
}

void sockets_observe(struct sockets *s, struct vigil_event *ev)
{
	if (ev->type == VIGIL_SC_DUP)
		type_dup(s, ev, arg_int(ev, "fd"));
	else if (ev->type == VIGIL_SC_DUP2 || ev->type == VIGIL_SC_DUP3)
		type_dup(s, ev, arg_int(ev, "oldfd"));
	if (!ev->has_res || ev->res < 0)
		return;
	int32_t pid = ev->proc.pid;
	switch (ev->type) {
	case VIGIL_SC_SOCKET: put(s, pid, ev->res, proto_of_socket(ev)); break;
	case VIGIL_SC_ACCEPT:
	case VIGIL_SC_ACCEPT4: put(s, pid, ev->res, get(s, pid, arg_int(ev, "fd"))); break;
	case VIGIL_SC_DUP: put(s, pid, ev->res, get(s, pid, arg_int(ev, "fd"))); break;
	case VIGIL_SC_DUP2:
	case VIGIL_SC_DUP3: put(s, pid, ev->res, get(s, pid, arg_int(ev, "oldfd"))); break;
	default: break;
	}
}

const char *sockets_l4proto(const void *state, int32_t pid, int64_t fd)
{
	static const char *const names[] = {NULL, "tcp", "udp", "icmp", "raw", NULL, NULL, NULL};
	return names[get(state, pid, fd) & P_MASK];
}
