/*
 * cancelpoint.h — a blocking syscall that a signal handler can cancel
 * with no lost wake-up.
 *
 * The supervisor under the notify sensor sleeps in
 * SECCOMP_IOCTL_NOTIF_RECV, the only wait that gets the kernel's same-CPU
 * hand-off (ppoll or epoll on the listener cost 2-3x per notification).
 * It must still wake for SIGCHLD (ptrace stops, exits) and for its timers
 * (a signal from the signal thread). A handler that only sets a flag
 * loses the wake-up when the signal lands between the flag check and the
 * syscall's sleep; so, as musl's pthread cancellation points do, the check
 * and the syscall instruction sit in one small assembly routine, and the
 * handler moves a thread interrupted inside that range to a "return
 * -EINTR" exit. Interrupted before the syscall: it never sleeps; during
 * the sleep: the kernel returns -EINTR; after it returned: its result
 * stands (a notification taken is never dropped).
 */
#ifndef VIGIL_CANCELPOINT_H
#define VIGIL_CANCELPOINT_H

#include <stdatomic.h>
#include <stdbool.h>

/* Set by cancelpoint_interrupt; the caller clears it (atomic_exchange)
 * before it looks at what the signals announced. Starts set. */
extern atomic_int cancelpoint_pending;

/* Whether this architecture has the routine (x86_64); else callers poll. */
bool cancelpoint_supported(void);
/* syscall(nr, a1, a2, a3), or -EINTR without entering the kernel when
 * cancelpoint_pending is set; returns the kernel's value (-errno on error). */
long cancelpoint_syscall3(long nr, long a1, long a2, long a3);
/* From a signal handler (SA_SIGINFO, third argument): set the flag and
 * cancel a cancelpoint_syscall3 that has not entered its syscall yet. */
void cancelpoint_interrupt(void *ucontext);

#endif
