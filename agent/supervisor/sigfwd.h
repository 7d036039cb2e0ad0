/*
 * sigfwd.h — the supervisor's signal thread.
 *
 * The tracer thread sleeps in a blocking waitpid() (the cheapest way to be
 * woken for each ptrace stop), so it cannot also wait for signals. A small
 * second thread does that, as tini's loop does: it takes every signal sent
 * to vigil with sigtimedwait and forwards it to the program, and it wakes
 * the tracer thread (with a private tgkill of SIGRTMAX) when the tracer
 * asked to be woken at a given time, for batch flushes and timers.
 */
#ifndef VIGIL_SIGFWD_H
#define VIGIL_SIGFWD_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Shared by the tracer thread and the signal thread. The plain fields are
 * written by sigfwd_start before the thread exists (pthread_create orders
 * them) and only read afterwards; what changes later is atomic.
 */
struct sigfwd {
	pid_t child_pid, tracer_tid;
	bool group_fwd;
	int child_pidfd;
	atomic_bool child_gone;	     /* tracer thread -> signal thread */
	_Atomic uint64_t wake_at_ns; /* tracer thread -> signal thread */
};

/* Start forwarding signals to `child` (its group with `group`); `f` must
 * outlive the process (the thread is detached and never stops). */
int sigfwd_start(struct sigfwd *f, pid_t child, bool group);
/* Ask to be woken (EINTR out of waitpid) at `at_ns` (CLOCK_MONOTONIC ns,
 * vigil_mono_ns) or soon after, again every 20 ms until the next call; 0 = never. */
void sigfwd_wake_at(struct sigfwd *f, uint64_t at_ns);
/* Forward a SIGRTMAX that came from outside and reached the tracer thread. */
void sigfwd_forward_pending(struct sigfwd *f);
/* The program is gone: stop forwarding (its pid may be reused). */
void sigfwd_child_done(struct sigfwd *f);

#endif
