/*
 * sensor.c — the notify sensor's operations table (see notify.h).
 *
 * It is the ptrace sensor's process tree (fork, vfork and exec events, exit
 * statuses, parked children: agent/sensor/ptrace/) with the syscalls
 * themselves moved from ptrace stops to the notification listener.
 */
#include <errno.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <stdio.h>
#include <unistd.h>

#include "vigil/log.h"
#include "sensor/notify/notify.h"
#include "sensor/notify/notify_int.h"

/* No TRACECLONE: threads start without a stop (notif.c meets them at their
 * first notification); no TRACESECCOMP: the filter notifies, it never traps. */
#ifndef NOTIFY_FORK_OPTS
#define NOTIFY_FORK_OPTS (PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK)
#endif
#define NOTIFY_SEIZE_OPTIONS \
	(PTRACE_O_TRACEEXEC | NOTIFY_FORK_OPTS | PTRACE_O_EXITKILL | PTRACE_O_TRACESYSGOOD)

static struct notify_sensor *of(struct sensor *s)
{
	return (struct notify_sensor *)(void *)s; /* ps.base is the first member */
}

static bool kernel_at_least(int major, int minor)
{
	struct utsname u;
	int ma = 0, mi = 0;
	if (uname(&u) != 0 || sscanf(u.release, "%d.%d", &ma, &mi) != 2)
		return false;
	return ma > major || (ma == major && mi >= minor);
}

struct notify_support notify_probe(void)
{
	struct notify_support s = {false, false};
	uint32_t action = SECCOMP_RET_USER_NOTIF;
	/* FLAG_CONTINUE (5.5) has no probe of its own: the version says it. */
	s.available = syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0 &&
		      kernel_at_least(5, 5);
	s.sync_wakeup = s.available && kernel_at_least(6, 6);
	return s;
}

int notify_seize(pid_t tid)
{
	return ptrace(PTRACE_SEIZE, tid, NULL, (void *)(long)NOTIFY_SEIZE_OPTIONS) == 0 ? 0 : -1;
}

static int attach(struct sensor *s, pid_t child)
{
	if (notify_seize(child) != 0)
		return -1;
	return task_add(&of(s)->ps.tasks, child, NULL, s->core->root) ? 0 : -1;
}

static int adopt_listener(struct sensor *s, int fd, bool wait_killable)
{
	struct notify_sensor *ns = of(s);
	ns->listener = fd;
	ns->result_after = wait_killable && ptrace_syscall_result_supported();
	if (ns->want_sync) {
		uint64_t flags = SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP;
		ns->sync_active = ioctl(fd, SECCOMP_IOCTL_NOTIF_SET_FLAGS, flags) == 0;
		ns->sync.on = ns->sync_active;
		if (!ns->sync_active)
			LOG_INFO("this kernel has no synchronous wake-up for seccomp notifications "
				 "(%s): each one costs a cross-CPU wake-up",
				 strerror(errno));
	}
	return 0;
}

static int poll_fd(struct sensor *s)
{
	return of(s)->listener;
}

static void on_readable(struct sensor *s)
{
	notify_drain(of(s));
}

static int wait_one(struct sensor *s)
{
	return notify_wait_one(of(s));
}

static bool refuse(struct sensor *s, struct sensor_task *t, long result)
{
	(void)t; /* the current notification is t's: the core refuses at entry */
	struct notify_sensor *ns = of(s);
	if (result < 0)
		notify_respond(ns, 0, (int32_t)result, 0);
	else
		notify_respond(ns, result, 0, 0);
	return true;
}

struct gone_ctx {
	struct ptrace_sensor *ps;
	struct proc *proc;
	pid_t survivor;
};

static void drop_if_gone(struct sensor_task *st, void *arg)
{
	struct gone_ctx *g = arg;
	struct task *t = (struct task *)(void *)st;
	if (st->proc == g->proc && st->tid != g->survivor && !t->attached)
		task_remove(&g->ps->tasks, t);
}

/* Unattached threads never report their end: a process's exit or exec does. */
static void proc_gone(struct ptrace_sensor *ps, struct proc *p, pid_t survivor)
{
	struct gone_ctx g = {ps, p, survivor};
	tasks_foreach(&ps->tasks, drop_if_gone, &g);
}

static const struct sensor_ops notify_ops = {
	.name = "notify",
	.filter_action = SECCOMP_RET_USER_NOTIF,
	.attach = attach,
	.dispatch = ptrace_dispatch,
	.due = ptrace_due,
	.tick = ptrace_tick,
	.refuse = refuse,
	.foreach_task = ptrace_foreach_task,
	.task_count = ptrace_task_count,
	.wants_listener = true,
	.adopt_listener = adopt_listener,
	.poll_fd = poll_fd,
	.on_readable = on_readable,
	.wait_one = wait_one,
};

struct sensor *notify_sensor_new(struct sensor_core *core, bool sync_wakeup)
{
	struct notify_sensor *ns = calloc(1, sizeof(*ns));
	if (!ns || ptrace_sensor_init(&ns->ps, &notify_ops, core) != 0) {
		free(ns);
		return NULL;
	}
	ns->listener = -1;
	ns->want_sync = sync_wakeup;
	ns->ps.proc_gone = proc_gone;
	return &ns->ps.base;
}

bool notify_sync_active(const struct sensor *s)
{
	return s->ops == &notify_ops &&
	       ((const struct notify_sensor *)(const void *)s)->sync_active;
}
