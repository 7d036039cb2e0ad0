/*
 * result.c — a syscall's result under the notify sensor.
 *
 * A notification shows a call at its entry only. When a rule needs the
 * result (an open's fd, accept's peer, an open by handle's file), the
 * notified call is interrupted (PTRACE_INTERRUPT withdraws the
 * notification and the kernel restarts the call after the stop), restarted
 * under PTRACE_SYSCALL, notified a second time (answered "continue") and
 * taken at its exit stop like the ptrace sensor's. Three ptrace stops:
 * only for the calls whose result is wanted, which the open prefilter and
 * the rules keep rare. The stops themselves are agent/sensor/ptrace/stops.c's.
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
