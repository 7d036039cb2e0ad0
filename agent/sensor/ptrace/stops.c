/*
 * stops.c — dispatch of ptrace stops (strace's dispatch_event, small).
 *
 * A stop is read into the thread's record and handed to the core; every
 * stop ends with exactly one restart of the task: PTRACE_CONT, or
 * PTRACE_SYSCALL when the core wants the syscall's result, or PTRACE_LISTEN
 * for a group-stop so job control behaves as without a tracer.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#include "vigil/clock.h"
#include "vigil/log.h"
#include "vigil/syscalls.h"
#include "sensor/ptrace/exec_args.h"
#include "sensor/ptrace/ptrace_int.h"
#include "sensor/seccomp/filter.h"

/*
 * The stop is one vigil's filter asked for: the filter puts the vigil id in
 * the data of every syscall it traces (0 for the ABIs it traces whole). A
 * filter of the program's returning SECCOMP_RET_TRACE puts its own data
 * there, which is why the syscall is always identified by architecture
 * and number, never by the data.
 */
static bool stop_is_ours(const struct sensor_core *c, const struct sensor_record *r)
{
	if (r->arch == VIGIL_ARCH_X32 || r->arch == VIGIL_ARCH_UNKNOWN)
		return r->filter_data == 0;
	return r->id != VIGIL_SC_UNKNOWN && r->filter_data == (unsigned)r->id &&
	       core_traced(c, r->id);
}

/* A trace stop vigil did not ask for: some other filter returned TRACE. */
static void on_foreign_trace(struct sensor_core *c, struct task *t)
{
	if (t->st.proc->foreign_trace_reported)
		return; /* once per process: a filter can ask for every syscall */
	t->st.proc->foreign_trace_reported = true;
	LOG_WARN("process %d: a seccomp filter that is not vigil's stopped %s (nr %ld): reported",
		 (int)t->st.tid, vigil_syscall_name(t->st.rec.id), t->st.rec.nr);
	core_emit_tamper(c, &t->st, VIGIL_TAMPER_FOREIGN_TRACE);
}

/* Read the stop into t->st.rec; false when it is not a seccomp stop. */
static bool read_seccomp_stop(struct task *t)
{
	struct __ptrace_syscall_info info;
	if (ptrace(PTRACE_GET_SYSCALL_INFO, t->st.tid, (void *)sizeof(info), &info) <= 0 ||
	    info.op != PTRACE_SYSCALL_INFO_SECCOMP)
		return false;
	struct sensor_record *r = &t->st.rec;
	r->arch = seccomp_arch_of(info.arch, info.seccomp.nr);
	r->nr = (long)info.seccomp.nr;
	memcpy(r->args, info.seccomp.args, sizeof(r->args));
	r->tid = t->st.tid;
	r->exec_done = false;
	r->id = vigil_syscall_from_nr(r->arch, r->nr);
	r->filter_data = info.seccomp.ret_data;
	return true;
}

static void on_seccomp(struct ptrace_sensor *ps, struct task *t)
{
	struct sensor_core *c = ps->base.core;
	if (!read_seccomp_stop(t)) {
		ptrace_resume(t, 0);
		return;
	}
	if (!stop_is_ours(c, &t->st.rec)) {
		on_foreign_trace(c, t);
		if (!core_traced(c, t->st.rec.id)) { /* not ours to decode: untouched */
			ptrace_resume(t, 0);
			return;
		}
	}
	if (core_syscall_entry(c, &t->st) == CORE_WANT_RESULT)
		t->wait = TASK_IN_SYSCALL;
	ptrace_resume(t, 0);
}

/* A syscall stop (entry or exit: only the notify sensor's result path asks for entries). */
static void on_syscall_stop(struct ptrace_sensor *ps, struct task *t)
{
	struct __ptrace_syscall_info info;
	long got = ptrace(PTRACE_GET_SYSCALL_INFO, t->st.tid, (void *)sizeof(info), &info);
	if (got > 0 && info.op == PTRACE_SYSCALL_INFO_ENTRY && t->wait == TASK_RESULT_ENTRY) {
		/* The interrupted call again, or (a signal handler ran) another one. */
		bool same = (long)info.entry.nr == t->st.rec.nr;
		t->wait = same ? TASK_RESULT_NOTIFY : TASK_RUNNING;
		if (!same)
			core_syscall_unfinished(ps->base.core, &t->st);
		ptrace_resume(t, 0);
		return;
	}
	if (t->wait != TASK_IN_SYSCALL && t->wait != TASK_RESULT_NOTIFY) {
		ptrace_resume(t, 0);
		return;
	}
	t->wait = TASK_RUNNING;
	long res = got > 0 && info.op == PTRACE_SYSCALL_INFO_EXIT ? (long)info.exit.rval : 0;
	core_syscall_exit(ps->base.core, &t->st, res);
	ptrace_resume(t, 0);
}

static void on_exec(struct ptrace_sensor *ps, struct task *t)
{
	unsigned long former = 0;
	ptrace(PTRACE_GETEVENTMSG, t->st.tid, NULL, &former);
	if ((pid_t)former != t->st.tid && former > 0) {
		/* A non-leader thread exec'd: it takes over the leader's tid. */
		struct task *f = task_find(&ps->tasks, (pid_t)former);
		if (f) {
			pid_t tid = t->st.tid;
			task_remove(&ps->tasks, t);
			t = task_rekey(&ps->tasks, f, tid);
		}
	}
	if (ps->proc_gone) /* the other threads died in the exec */
		ps->proc_gone(ps, t->st.proc, t->st.tid);
	/* argv from the new stack: cheaper than /proc/PID/cmdline of a new pid. */
	char buf[VIGIL_ARGS_MAX + 256];
	struct exec_argv argv = {buf, 0, false};
	ssize_t n = exec_read_args(ps->base.mem, t->st.tid, buf, sizeof(buf), &argv.truncated);
	argv.len = n > 0 ? (size_t)n : 0;
	core_exec_done(ps->base.core, &t->st, n >= 0 ? &argv : NULL);
	/* Success is known: restarting with PTRACE_CONT cancels the exit stop
	 * that was requested to catch a failed exec. */
	t->wait = TASK_RUNNING;
	ptrace_resume(t, 0);
}

static bool is_job_control_stop(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

/* Which syscall made a child, as events name it (clone3 never runs: ENOSYS). */
static int fork_syscall(int event)
{
	return event == PTRACE_EVENT_VFORK ? VIGIL_SC_VFORK : VIGIL_SC_CLONE;
}

static void on_new_child(struct ptrace_sensor *ps, struct task *t, int event)
{
	unsigned long child = 0;
	if (ptrace(PTRACE_GETEVENTMSG, t->st.tid, NULL, &child) == 0 && child > 0) {
		newtasks_from_event(ps, t, (pid_t)child, event);
		core_emit_fork(ps->base.core, &t->st, fork_syscall(event), (pid_t)child);
	}
	ptrace_resume(t, 0);
}

/* Stopped at the return of the syscall whose result is wanted (notify/result.c). */
static void take_result(struct ptrace_sensor *ps, struct task *t)
{
	long res = 0;
	t->wait = TASK_RUNNING;
	switch (ptrace_syscall_result(t->st.tid, t->st.rec.nr, &res)) {
	case RESULT_DONE: core_syscall_exit(ps->base.core, &t->st, res); break;
	case RESULT_RESTART:
		/* The interrupt cut a sleep short (a FIFO's open): the kernel runs
		 * the call again. Asking again the same way would cut it again, for
		 * as long as it waits; so the rerun is taken at its exit stop
		 * under PTRACE_SYSCALL, with no interrupt pending. */
		t->wait = TASK_RESULT_ENTRY;
		break;
	case RESULT_UNKNOWN: core_syscall_unfinished(ps->base.core, &t->st); break;
	}
}

static void on_event_stop(struct ptrace_sensor *ps, struct task *t, int sig)
{
	if (t->wait == TASK_RESULT_AFTER)
		take_result(ps, t); /* then a job-control stop still stops it, below */
	if (t->wait == TASK_RESULT_INTERRUPTED && !is_job_control_stop(sig)) {
		t->wait = TASK_RESULT_ENTRY; /* restart it, stopping at the syscall's entry */
		ptrace_resume(t, 0);
	} else if (t->wait == TASK_STARTUP) {
		t->wait = TASK_RUNNING;
		ptrace_resume(t, 0);
	} else if (is_job_control_stop(sig)) {
		/* Group-stop: stay stopped until SIGCONT, as without a tracer. */
		if (ptrace(PTRACE_LISTEN, t->st.tid, NULL, NULL) != 0 && errno != ESRCH)
			LOG_WARN("PTRACE_LISTEN %d: %s", (int)t->st.tid, strerror(errno));
	} else {
		ptrace_resume(t, 0);
	}
}

bool ptrace_dispatch(struct sensor *s, pid_t pid, int status)
{
	struct ptrace_sensor *ps = (struct ptrace_sensor *)(void *)s;
	struct task *t = task_find(&ps->tasks, pid);
	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		if (t) {
			core_emit_exit(s->core, &t->st, status);
			if (ps->proc_gone && t->st.tid == t->st.proc->pid)
				ps->proc_gone(ps, t->st.proc, t->st.tid);
			task_remove(&ps->tasks, t);
		}
		return newtasks_forget(ps, pid) || t != NULL;
	}
	if (!WIFSTOPPED(status))
		return t != NULL;
	if (!t) { /* a new child whose creator's fork event has not come yet */
		newtasks_park(ps, pid, vigil_mono_ns());
		return true;
	}
	int sig = WSTOPSIG(status), event = (unsigned)status >> 16;
	switch (event) {
	case PTRACE_EVENT_SECCOMP: on_seccomp(ps, t); break;
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
	case PTRACE_EVENT_CLONE: on_new_child(ps, t, event); break;
	case PTRACE_EVENT_EXEC: on_exec(ps, t); break;
	case PTRACE_EVENT_EXIT: ptrace_resume(t, 0); break;
	case PTRACE_EVENT_STOP: on_event_stop(ps, t, sig); break;
	default:
		if (sig == (SIGTRAP | 0x80))
			on_syscall_stop(ps, t);
		else
			ptrace_resume(t, sig); /* signal-delivery stop: deliver it unchanged */
	}
	return true;
}
