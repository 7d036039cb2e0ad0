/*
 * evloop.c — the fd table and a binary heap for timers, above a backend
 * that waits (evloop_backend.h; epoll in evloop_epoll.c).
 *
 * Both tables are small (a handful of fds, a few dozen timers), so fds are
 * found by a linear scan and a cancelled timer is just marked dead in the
 * heap. Each registration carries a generation number in its backend tag,
 * so an event reported for an fd removed (and perhaps reused) by an
 * earlier callback in the same round is recognised and skipped.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/evloop_backend.h"
#include "vigil/clock.h"
#include "vigil/evloop.h"

#define MAX_EVENTS 32

struct fd_entry {
	int fd;
	uint32_t gen;
	evloop_fd_fn fn;
	void *arg;
};

struct timer {
	uint64_t due, id;
	evloop_timer_fn fn; /* NULL once cancelled */
	void *arg;
};

struct evloop {
	struct evloop_backend *be;
	bool stop;
	uint32_t next_gen;
	uint64_t next_timer_id;
	struct fd_entry *fds;
	size_t nfds, fds_cap;
	struct timer *heap;
	size_t nheap, heap_cap;
};

struct evloop *evloop_new(void)
{
	struct evloop *l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->be = evb_new();
	if (!l->be) {
		free(l);
		return NULL;
	}
	l->next_timer_id = 1;
	return l;
}

void evloop_free(struct evloop *l)
{
	if (!l)
		return;
	evb_free(l->be);
	free(l->fds);
	free(l->heap);
	free(l);
}

/* The backend tag of a registration: its generation above the fd. */
static uint64_t tag(int fd, uint32_t gen)
{
	return ((uint64_t)gen << 32) | (uint32_t)fd;
}

static struct fd_entry *find_fd(struct evloop *l, int fd)
{
	for (size_t i = 0; i < l->nfds; i++)
		if (l->fds[i].fd == fd)
			return &l->fds[i];
	return NULL;
}

int evloop_add_fd(struct evloop *l, int fd, uint32_t events, evloop_fd_fn fn, void *arg)
{
	if (find_fd(l, fd)) {
		errno = EEXIST;
		return -1;
	}
	if (l->nfds == l->fds_cap) {
		size_t cap = l->fds_cap ? l->fds_cap * 2 : 8;
		struct fd_entry *n = realloc(l->fds, cap * sizeof(*n));
		if (!n)
			return -1;
		l->fds = n;
		l->fds_cap = cap;
	}
	uint32_t gen = ++l->next_gen;
	if (evb_add(l->be, fd, events, tag(fd, gen)) != 0)
		return -1;
	l->fds[l->nfds++] = (struct fd_entry){fd, gen, fn, arg};
	return 0;
}

int evloop_mod_fd(struct evloop *l, int fd, uint32_t events)
{
	struct fd_entry *e = find_fd(l, fd);
	if (!e) {
		errno = ENOENT;
		return -1;
	}
	return evb_mod(l->be, fd, events, tag(fd, e->gen));
}

int evloop_del_fd(struct evloop *l, int fd)
{
	struct fd_entry *e = find_fd(l, fd);
	if (!e) {
		errno = ENOENT;
		return -1;
	}
	evb_del(l->be, fd);
	*e = l->fds[--l->nfds];
	return 0;
}

static void heap_swap(struct timer *h, size_t a, size_t b)
{
	struct timer t = h[a];
	h[a] = h[b];
	h[b] = t;
}

static void heap_up(struct timer *h, size_t i)
{
	while (i > 0 && h[(i - 1) / 2].due > h[i].due) {
		heap_swap(h, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void heap_down(struct timer *h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < n && h[l].due < h[m].due)
			m = l;
		if (r < n && h[r].due < h[m].due)
			m = r;
		if (m == i)
			return;
		heap_swap(h, i, m);
		i = m;
	}
}

uint64_t evloop_add_timer(struct evloop *l, uint64_t ms, evloop_timer_fn fn, void *arg)
{
	if (l->nheap == l->heap_cap) {
		size_t cap = l->heap_cap ? l->heap_cap * 2 : 16;
		struct timer *n = realloc(l->heap, cap * sizeof(*n));
		if (!n)
			return 0;
		l->heap = n;
		l->heap_cap = cap;
	}
	uint64_t id = l->next_timer_id++;
	l->heap[l->nheap] = (struct timer){vigil_mono_ms() + ms, id, fn, arg};
	heap_up(l->heap, l->nheap++);
	return id;
}

void evloop_cancel_timer(struct evloop *l, uint64_t id)
{
	for (size_t i = 0; i < l->nheap; i++)
		if (l->heap[i].id == id)
			l->heap[i].fn = NULL;
}

/* Run the timers that are due; returns how many ran. */
static int run_timers(struct evloop *l)
{
	int ran = 0;
	uint64_t now = vigil_mono_ms();
	while (l->nheap && l->heap[0].due <= now) {
		struct timer t = l->heap[0];
		l->heap[0] = l->heap[--l->nheap];
		heap_down(l->heap, l->nheap, 0);
		if (t.fn) {
			t.fn(t.arg); /* may add timers: the heap is consistent here */
			ran++;
		}
	}
	return ran;
}

static int wait_ms(const struct evloop *l, int max_wait_ms)
{
	if (!l->nheap)
		return max_wait_ms;
	uint64_t now = vigil_mono_ms(), due = l->heap[0].due;
	uint64_t left = due > now ? due - now : 0;
	if (max_wait_ms >= 0 && left > (uint64_t)max_wait_ms)
		return max_wait_ms;
	return left > 60000 ? 60000 : (int)left;
}

int evloop_run_once(struct evloop *l, int max_wait_ms)
{
	struct evloop_fired evs[MAX_EVENTS];
	int n = evb_wait(l->be, evs, MAX_EVENTS, wait_ms(l, max_wait_ms));
	if (n < 0)
		return errno == EINTR ? 0 : -1;
	int ran = 0;
	for (int i = 0; i < n; i++) {
		int fd = (int)(uint32_t)evs[i].tag;
		uint32_t gen = (uint32_t)(evs[i].tag >> 32);
		struct fd_entry *e = find_fd(l, fd);
		if (!e || e->gen != gen)
			continue; /* removed by an earlier callback this round */
		e->fn(fd, evs[i].revents, e->arg);
		ran++;
	}
	return ran + run_timers(l);
}

int evloop_run(struct evloop *l)
{
	while (!l->stop)
		if (evloop_run_once(l, -1) < 0)
			return -1;
	return 0;
}

void evloop_stop(struct evloop *l)
{
	l->stop = true;
}
