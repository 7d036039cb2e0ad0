/*
 * notif.c — one seccomp notification: read, hand to the core, answer.
 *
 * The calling thread waits in the kernel until it is answered, so its
 * memory and /proc entries are read here exactly as at a ptrace stop.
 * Every notification gets exactly one answer: the core's refusal (an
 * errno or an emulated value) or "continue".
 */
#include <errno.h>
#include <linux/sched.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include "vigil/cancelpoint.h"
#include "vigil/log.h"
#include "vigil/syscalls.h"
#include "sensor/notify/notify_int.h"
#include "sensor/seccomp/filter.h"

/* Notifications taken per readiness before the loop looks at children and timers. */
#define DRAIN_MAX 64

void notify_respond(struct notify_sensor *ns, int64_t val, int32_t error, uint32_t flags)
{
	if (ns->responded)
		return;
	struct seccomp_notif_resp r = {
		.id = ns->current_id, .val = val, .error = error, .flags = flags};
	/* ENOENT: the caller died (or was interrupted) meanwhile; nothing waits. */
	if (ioctl(ns->listener, SECCOMP_IOCTL_NOTIF_SEND, &r) != 0 && errno != ENOENT)
		LOG_WARN("answering a seccomp notification: %s", strerror(errno));
	ns->responded = true;
}

/*
 * A thread or process the tree has not met: a thread (never attached,
 * its creation cost nothing) or a process created without a fork event
 * (clone without SIGCHLD). A process is seized now so its forks, execs
 * and exit are followed from here on.
 */
static struct task *meet(struct notify_sensor *ns, pid_t tid)
{
	struct task *t = newtasks_adopt(&ns->ps, tid);
	if (!t)
		return NULL;
	if (t->st.proc->pid == tid) {
		t->attached = notify_seize(tid) == 0;
		return t;
	}
	t->attached = false;
	/* Its leader may have been met just now too: seize it (EPERM if it
	 * already is, which changes nothing). */
	struct task *leader = task_find(&ns->ps.tasks, t->st.proc->pid);
	if (leader && notify_seize(leader->st.tid) == 0)
		leader->attached = true;
	return t;
}

static void fill_record(struct sensor_record *r, const struct seccomp_notif *n)
{
	r->arch = seccomp_arch_of(n->data.arch, (uint64_t)n->data.nr);
	r->nr = n->data.nr;
	memcpy(r->args, n->data.args, sizeof(r->args));
	r->tid = (pid_t)n->pid;
	r->filter_data = 0;
	r->cookie = n->id;
	r->exec_done = false;
	r->id = vigil_syscall_from_nr(r->arch, r->nr);
}

/*
 * An exec: its event comes with the new image at PTRACE_EVENT_EXEC, which
 * only an attached thread reports; a thread that is not is seized first.
 * A failed exec reports nothing (its errno is not seen here).
 */
static void exec_needs_attach(struct task *t)
{
	if (t->attached)
		return;
	if (notify_seize(t->st.tid) == 0)
		t->attached = true;
	else
		LOG_WARN("thread %d execs but cannot be attached (%s): its new image is not "
			 "reported",
			 (int)t->st.tid, strerror(errno));
}

static bool is_thread_exit(const struct seccomp_notif *n)
{
	int arch = seccomp_arch_of(n->data.arch, (uint64_t)n->data.nr);
	return vigil_syscall_from_nr(arch, n->data.nr) == VIGIL_SC_EXIT;
}

/* A clone notified for its CLONE_THREAD (filter.c), not for CLONE_UNTRACED
 * (which the core refuses). */
static bool announces_thread(const struct sensor_record *r)
{
	return (r->args[0] & CLONE_THREAD) && !(r->args[0] & CLONE_UNTRACED);
}

static void handle(struct notify_sensor *ns, const struct seccomp_notif *n)
{
	struct sensor_core *c = ns->ps.base.core;
	ns->current_id = n->id;
	ns->responded = false;
	struct task *t = task_find(&ns->ps.tasks, (pid_t)n->pid);
	if (!t && is_thread_exit(n)) { /* never met: nothing to forget */
		notify_respond(ns, 0, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
		return;
	}
	if (!t)
		t = meet(ns, (pid_t)n->pid);
	if (!t) {
		notify_respond(ns, 0, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
		return;
	}
	notify_sync_observe(ns, t->st.proc->pid);
	if (notify_result_renotified(ns, t, n->data.nr))
		return;
	free(t->st.exec_filename); /* an exec that left none of its event behind failed */
	t->st.exec_filename = NULL;
	fill_record(&t->st.rec, n);
	if (t->st.rec.id == VIGIL_SC_CLONE && announces_thread(&t->st.rec)) {
		/* From now on another thread can rewrite this one's paths (race.h):
		 * until an exec, opens are checked at their exit. Its flags are
		 * registers: the kernel's copy, beyond the threads' reach. */
		t->st.proc->vm_shared = true;
		notify_respond(ns, 0, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
		return;
	}
	if (t->st.rec.id == VIGIL_SC_EXIT) { /* a thread ends: its tid may be reused */
		notify_respond(ns, 0, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
		if (!t->attached && t->st.tid != t->st.proc->pid)
			task_remove(&ns->ps.tasks, t);
		return;
	}
	enum core_verdict v = core_syscall_entry(c, &t->st);
	int id = t->st.rec.id;
	if (v == CORE_WANT_RESULT && (id == VIGIL_SC_EXECVE || id == VIGIL_SC_EXECVEAT))
		exec_needs_attach(t);
	else if (v == CORE_WANT_RESULT && !notify_result_start(ns, t))
		core_syscall_unfinished(c, &t->st);
	notify_respond(ns, 0, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
}

static bool readable(int fd)
{
	struct pollfd p = {fd, POLLIN, 0};
	return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

void notify_drain(struct notify_sensor *ns)
{
	for (int i = 0; i < DRAIN_MAX && ns->listener >= 0; i++) {
		if (i > 0 && !readable(ns->listener))
			return;
		struct seccomp_notif n;
		memset(&n, 0, sizeof(n)); /* the kernel insists */
		if (ioctl(ns->listener, SECCOMP_IOCTL_NOTIF_RECV, &n) != 0) {
			/* ENOENT: the caller was gone before we took it. */
			if (errno != ENOENT && errno != EINTR)
				LOG_WARN("reading a seccomp notification: %s", strerror(errno));
			return;
		}
		handle(ns, &n);
	}
}

int notify_wait_one(struct notify_sensor *ns)
{
	if (ns->listener < 0)
		return -1;
	struct seccomp_notif n;
	memset(&n, 0, sizeof(n));
	long r = cancelpoint_syscall3(SYS_ioctl, ns->listener, (long)SECCOMP_IOCTL_NOTIF_RECV,
				      (long)&n);
	if (r == 0) {
		handle(ns, &n);
		return 1;
	}
	/* -EINTR: a signal (SIGCHLD, a timer); -ENOENT: the caller died first. */
	if (r == -EINTR || r == -ENOENT)
		return 0;
	LOG_WARN("waiting for a seccomp notification: %s", strerror((int)-r));
	return -1;
}
