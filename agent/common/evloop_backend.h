/*
 * evloop_backend.h — what evloop.c needs from the OS mechanism that waits
 * for fds (as redis's ae.c has ae_epoll.c). Private to common/: one backend
 * is linked, evloop_epoll.c on Linux.
 *
 * Each registration carries an opaque 64-bit tag that comes back with its
 * readiness, so the loop can tell a stale report (fd removed, perhaps
 * reused, earlier in the same round) from a live one.
 */
#ifndef VIGIL_EVLOOP_BACKEND_H
#define VIGIL_EVLOOP_BACKEND_H

#include <stdint.h>

struct evloop_backend;

struct evloop_fired {
	uint64_t tag;
	uint32_t revents; /* VIGIL_EV_* */
};

struct evloop_backend *evb_new(void);
void evb_free(struct evloop_backend *b);
/* events are VIGIL_EV_READ/WRITE; 0 or -1 with errno. */
int evb_add(struct evloop_backend *b, int fd, uint32_t events, uint64_t tag);
int evb_mod(struct evloop_backend *b, int fd, uint32_t events, uint64_t tag);
/* Forget fd; it may already be closed, which is not an error. */
void evb_del(struct evloop_backend *b, int fd);
/* Wait up to timeout_ms (-1: forever); the number filled in, or -1 with errno. */
int evb_wait(struct evloop_backend *b, struct evloop_fired *out, int max, int timeout_ms);

#endif
