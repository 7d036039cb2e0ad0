/*
 * sensor.c — the ptrace sensor's operations table and its register work.
 *
 * The program is seized before it installs the filter (a SECCOMP_RET_TRACE
 * with no tracer fails the call with ENOSYS); from then on the kernel
 * auto-attaches every child, and a refused syscall is skipped by rewriting
 * the stopped thread's registers.
 */
#include <errno.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>

#include "vigil/log.h"
#include "sensor/ptrace/ptrace.h"
#include "sensor/ptrace/ptrace_int.h"

#define SEIZE_OPTIONS                                                                            \
	(PTRACE_O_TRACESECCOMP | PTRACE_O_TRACEEXEC | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | \
	 PTRACE_O_TRACECLONE | PTRACE_O_EXITKILL | PTRACE_O_TRACESYSGOOD)

static struct ptrace_sensor *of(struct sensor *s)
{
	return (struct ptrace_sensor *)(void *)s; /* base is the first member */
}

void ptrace_resume(struct task *t, int sig)
{
	int req = task_wants_syscall_stops(t) ? PTRACE_SYSCALL : PTRACE_CONT;
	if (ptrace(req, t->st.tid, NULL, (void *)(long)sig) != 0 && errno != ESRCH)
		LOG_WARN("ptrace restart of %d: %s", (int)t->st.tid, strerror(errno));
}

static bool ptrace_skip_syscall(pid_t tid, long result)
{
#if defined(__x86_64__)
	struct user_regs_struct regs;
	if (ptrace(PTRACE_GETREGS, tid, NULL, &regs) != 0)
		return false;
	regs.orig_rax = (unsigned long long)-1; /* skip the syscall */
	regs.rax = (unsigned long long)result;
	return ptrace(PTRACE_SETREGS, tid, NULL, &regs) == 0;
#else
	/* No register rewrite here yet: kill rather than let it through. */
	(void)result;
	kill(tid, SIGKILL);
	return true;
#endif
}

static bool refuse(struct sensor *s, struct sensor_task *t, long result)
{
	(void)s;
	return ptrace_skip_syscall(t->tid, result);
}

static int attach(struct sensor *s, pid_t child)
{
	if (ptrace(PTRACE_SEIZE, child, NULL, (void *)(long)SEIZE_OPTIONS) != 0)
		return -1;
	/* Seized before exec: its first stop is the filter's, not a startup one. */
	return task_add(&of(s)->tasks, child, NULL, s->core->root) ? 0 : -1;
}

uint64_t ptrace_due(struct sensor *s, uint64_t now)
{
	return newtasks_due(of(s), now);
}

void ptrace_tick(struct sensor *s, uint64_t now)
{
	newtasks_expire(of(s), now);
}

void ptrace_foreach_task(struct sensor *s, void (*fn)(struct sensor_task *t, void *ctx), void *ctx)
{
	tasks_foreach(&of(s)->tasks, fn, ctx);
}

size_t ptrace_task_count(struct sensor *s)
{
	return of(s)->tasks.n_tasks;
}

static const struct sensor_ops ptrace_ops = {
	.name = "ptrace",
	.filter_action = SECCOMP_RET_TRACE,
	.attach = attach,
	.dispatch = ptrace_dispatch,
	.due = ptrace_due,
	.tick = ptrace_tick,
	.refuse = refuse,
	.foreach_task = ptrace_foreach_task,
	.task_count = ptrace_task_count,
};

int ptrace_sensor_init(struct ptrace_sensor *ps, const struct sensor_ops *ops,
		       struct sensor_core *core)
{
	if (tasks_init(&ps->tasks) != 0)
		return -1;
	ptrace_mem_init(&ps->mem);
	ps->base = (struct sensor){ops, &ps->mem.base, core};
	core->sensor = &ps->base;
	return 0;
}

struct sensor *ptrace_sensor_new(struct sensor_core *core)
{
	struct ptrace_sensor *ps = calloc(1, sizeof(*ps));
	if (!ps || ptrace_sensor_init(ps, &ptrace_ops, core) != 0) {
		free(ps);
		return NULL;
	}
	return &ps->base;
}
