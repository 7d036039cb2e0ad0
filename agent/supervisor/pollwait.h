/*
 * pollwait.h — the loop's wait for a sensor with a descriptor (seccomp
 * notifications): ppoll on it and on SIGCHLD (a signalfd) until a
 * deadline, instead of blocking in waitpid(). ptrace stops and exits
 * still come through waitpid, reaped here after each SIGCHLD.
 */
#ifndef VIGIL_POLLWAIT_H
#define VIGIL_POLLWAIT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct sensor;

struct pollwait {
	int sigchld_fd;	   /* signalfd of SIGCHLD (blocked in every thread) */
	bool listener_hup; /* every filtered task is gone: stop polling it */
};

int pollwait_init(struct pollwait *w);
/*
 * Wait until `deadline` (CLOCK_MONOTONIC ns; 0 = do not block), then take
 * what is ready: every child report (passed to `reaped`) and the sensor's
 * notifications.
 */
void pollwait_run(struct pollwait *w, struct sensor *sensor, uint64_t deadline,
		  void (*reaped)(void *ctx, pid_t pid, int status), void *ctx);
/* Every child report already queued (waitpid WNOHANG), passed to `reaped`;
 * also recvwait.c's, after a SIGCHLD. */
void pollwait_reap_queued(void (*reaped)(void *ctx, pid_t pid, int status), void *ctx);

#endif
