/* evloop_epoll.c — the event loop's backend on Linux: epoll (see evloop_backend.h). */
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "common/evloop_backend.h"
#include "vigil/evloop.h"

#define MAX_EVENTS 32

struct evloop_backend {
	int epfd;
};

struct evloop_backend *evb_new(void)
{
	struct evloop_backend *b = malloc(sizeof(*b));
	if (!b)
		return NULL;
	b->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (b->epfd < 0) {
		free(b);
		return NULL;
	}
	return b;
}

void evb_free(struct evloop_backend *b)
{
	if (!b)
		return;
	close(b->epfd);
	free(b);
}

static uint32_t to_epoll(uint32_t events)
{
	return (events & VIGIL_EV_READ ? EPOLLIN : 0u) | (events & VIGIL_EV_WRITE ? EPOLLOUT : 0u);
}

static uint32_t from_epoll(uint32_t ev)
{
	return (ev & EPOLLIN ? VIGIL_EV_READ : 0u) | (ev & EPOLLOUT ? VIGIL_EV_WRITE : 0u) |
	       (ev & EPOLLERR ? VIGIL_EV_ERROR : 0u) | (ev & EPOLLHUP ? VIGIL_EV_HANGUP : 0u);
}

int evb_add(struct evloop_backend *b, int fd, uint32_t events, uint64_t tag)
{
	struct epoll_event ev = {.events = to_epoll(events), .data.u64 = tag};
	return epoll_ctl(b->epfd, EPOLL_CTL_ADD, fd, &ev);
}

int evb_mod(struct evloop_backend *b, int fd, uint32_t events, uint64_t tag)
{
	struct epoll_event ev = {.events = to_epoll(events), .data.u64 = tag};
	return epoll_ctl(b->epfd, EPOLL_CTL_MOD, fd, &ev);
}

void evb_del(struct evloop_backend *b, int fd)
{
	/* The fd may already be closed (curl closes before telling us): ignore. */
	(void)epoll_ctl(b->epfd, EPOLL_CTL_DEL, fd, NULL);
}

int evb_wait(struct evloop_backend *b, struct evloop_fired *out, int max, int timeout_ms)
{
	struct epoll_event evs[MAX_EVENTS];
	int n = epoll_wait(b->epfd, evs, max < MAX_EVENTS ? max : MAX_EVENTS, timeout_ms);
	for (int i = 0; i < n; i++)
		out[i] = (struct evloop_fired){evs[i].data.u64, from_epoll(evs[i].events)};
	return n;
}
