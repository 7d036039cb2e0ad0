/*
 * evloop.h — the analyzer's one event loop: file descriptors and timers.
 *
 * The channel from the supervisor, inotify, the key provider's eventfd and
 * libcurl's sockets all wait here, so no part blocks another. Single
 * threaded: callbacks run on the loop's thread and may add or remove fds
 * and timers (including their own) from inside a callback.
 */
#ifndef VIGIL_EVLOOP_H
#define VIGIL_EVLOOP_H

#include <stdbool.h>
#include <stdint.h>

struct evloop;

/* `events` and `revents` are EPOLLIN/EPOLLOUT/EPOLLERR/EPOLLHUP bits. */
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
 * ready. Returns the number of callbacks run, or -1 on an epoll error.
 */
int evloop_run_once(struct evloop *l, int max_wait_ms);

/* Run until evloop_stop() is called from a callback. */
int evloop_run(struct evloop *l);
void evloop_stop(struct evloop *l);
bool evloop_stopped(const struct evloop *l);

#endif
