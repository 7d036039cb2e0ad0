/*
 * result.c — a syscall's result under the notify sensor.
 *
 * A notification shows a call at its entry only. When a rule needs the
 * result (an open's fd, accept's peer, an open by handle's file; every
 * open of a process another task can race, race.h), the thread is
 * interrupted. Where notified tasks wait killable once their notification
 * is read (SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, Linux 5.19), the
 * interrupt does not end that wait: it stays queued while the answer
 * ("continue") lets the call run, and the thread stops on its way back to
 * user space with the result in its registers — one ptrace stop
 * (ptrace/syscall_result.c). A call the interrupt cuts short inside (a
 * FIFO's open) is restarted by the kernel and notified again.
 *
 * Without that flag, PTRACE_INTERRUPT withdraws the notification (the
 * kernel restarts the call after the stop), the call is restarted under
 * PTRACE_SYSCALL, notified a second time (answered "continue") and taken
 * at its exit stop like the ptrace sensor's: three stops. The stops
 * themselves are agent/sensor/ptrace/stops.c's.
 */
#include <errno.h>
#include <string.h>
#include <sys/ptrace.h>

#include "vigil/log.h"
#include "sensor/notify/notify_int.h"

bool notify_result_start(struct notify_sensor *ns, struct task *t)
{
	if (!t->attached) {
		if (notify_seize(t->st.tid) != 0)
			return false;
		t->attached = true; /* from now on its end is reported like any tracee's */
	}
	if (ptrace(PTRACE_INTERRUPT, t->st.tid, NULL, NULL) != 0)
		return false;
	if (ns->result_after) { /* it waits killable: the answer still reaches it */
		t->wait = TASK_RESULT_AFTER;
		return true;
	}
	t->wait = TASK_RESULT_INTERRUPTED;
	ns->responded = true; /* withdrawn by the interrupt: no answer is owed */
	return true;
}

bool notify_result_renotified(struct notify_sensor *ns, struct task *t, long nr)
{
	if (t->wait != TASK_RESULT_NOTIFY)
		return false;
	if (nr != t->st.rec.nr) { /* a different call: the interrupted one was abandoned */
		t->wait = TASK_RUNNING;
		core_syscall_unfinished(ns->ps.base.core, &t->st);
		return false;
	}
	t->wait = TASK_IN_SYSCALL; /* its exit stop brings the result */
	notify_respond(ns, 0, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
	return true;
}
