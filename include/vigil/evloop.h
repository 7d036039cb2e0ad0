/*
 * evloop.h — one event loop: file descriptors and timers.
 *
 * In the analyzer, the channel from the supervisor, inotify, the key
 * provider's eventfd and libcurl's sockets all wait here, so no part blocks
 * another. It lives in common/ so that any part (an fd-based sensor in the
 * supervisor too) can use it without reaching into the analyzer. Single
 * threaded: callbacks run on the loop's thread and may add or remove fds
 * and timers (including their own) from inside a callback.
 *
 * The readiness flags are the loop's own, so callers do not depend on the
 * mechanism behind it (epoll today: common/evloop_epoll.c).
 */
#ifndef VIGIL_EVLOOP_H
#define VIGIL_EVLOOP_H

#include <stdbool.h>
#include <stdint.h>

/* `events` asks for READ and/or WRITE; `revents` may add ERROR and HANGUP. */
#define VIGIL_EV_READ 0x1u
#define VIGIL_EV_WRITE 0x2u
#define VIGIL_EV_ERROR 0x4u
#define VIGIL_EV_HANGUP 0x8u

struct evloop;

typedef void (*evloop_fd_fn)(int fd, uint32_t revents, void *arg);
typedef void (*evloop_timer_fn)(void *arg);

struct evloop *evloop_new(void);
void evloop_free(struct evloop *l);

/* One callback per fd. add fails if the fd is already registered. */
int evloop_add_fd(struct evloop *l, int fd, uint32_t events, evloop_fd_fn fn, void *arg);
int evloop_mod_fd(struct evloop *l, int fd, uint32_t events);
int evloop_del_fd(struct evloop *l, int fd);

/*
 * A one-shot timer after `ms` milliseconds on the monotonic clock
 * (vigil_mono_ms, vigil/clock.h). Returns an id > 0, or 0 when out of
 * memory. Cancelling an id that fired is harmless.
 */
uint64_t evloop_add_timer(struct evloop *l, uint64_t ms, evloop_timer_fn fn, void *arg);
void evloop_cancel_timer(struct evloop *l, uint64_t id);

/*
 * Wait for at most `max_wait_ms` (-1: until something happens), run what is
 * ready. Returns the number of callbacks run, or -1 when the wait failed.
 */
int evloop_run_once(struct evloop *l, int max_wait_ms);

/* Run until evloop_stop() is called from a callback. */
int evloop_run(struct evloop *l);
void evloop_stop(struct evloop *l);

#endif
