/*
 * recvwait.h — the loop's wait for the notify sensor where a cancellable
 * syscall exists (vigil/cancelpoint.h): block in the listener itself, so
 * each notification comes with the kernel's same-CPU hand-off, and let
 * SIGCHLD (ptrace stops, exits) and the signal thread's timer signal
 * cancel the wait. Measured against ppoll on the listener (pollwait.c):
 * 8 µs instead of 19 µs per notification (docs/performance.md).
 */
#ifndef VIGIL_RECVWAIT_H
#define VIGIL_RECVWAIT_H

#include <stdbool.h>
#include <sys/types.h>

struct sensor;

struct recvwait {
	bool listener_broken; /* then block in waitpid(), as the ptrace loop does */
};

/* A SIGCHLD handler that cancels the wait, and SIGCHLD unblocked in the
 * calling (tracer) thread only; 0 or -1. */
int recvwait_init(struct recvwait *w);
/*
 * Take every child report (passed to `reaped`) announced since the last
 * call, then, with `block`, wait for one notification (answered) or a
 * signal; without, take the notifications already queued.
 */
void recvwait_run(struct recvwait *w, struct sensor *sensor, bool block,
		  void (*reaped)(void *ctx, pid_t pid, int status), void *ctx);

#endif
