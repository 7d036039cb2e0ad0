/*
 * ptrace_int.h — the ptrace sensor's own state: per-thread wait state,
 * the task table, parked new tasks. Only agent/sensor/ptrace/ sees it.
 */
#ifndef VIGIL_SENSOR_PTRACE_INT_H
#define VIGIL_SENSOR_PTRACE_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "sensor/core.h"
#include "sensor/ptrace/newtasks.h"
#include "sensor/proc.h"
#include "sensor/sensor.h"

enum task_wait {
	TASK_RUNNING = 0,
	TASK_STARTUP,	 /* auto-attached, its first PTRACE_EVENT_STOP not seen yet */
	TASK_IN_SYSCALL, /* exit stop requested for st.rec */
	/*
	 * The notify sensor's way to a syscall's result (notify/result.c): the
	 * notified call is interrupted (PTRACE_INTERRUPT), restarted under
	 * PTRACE_SYSCALL, notified again and let run to its exit stop.
	 */
	TASK_RESULT_INTERRUPTED, /* its PTRACE_EVENT_STOP not seen yet */
	TASK_RESULT_ENTRY,	 /* restarted: its syscall-entry stop not seen yet */
	TASK_RESULT_NOTIFY,	 /* its second notification not seen yet */
	/* The other way, where notified tasks wait killable: the interrupt is
	 * queued before the answer, so the thread stops right at the syscall's
	 * return with the result in its registers. */
	TASK_RESULT_AFTER, /* its PTRACE_EVENT_STOP at the return not seen yet */
};

struct task {
	struct sensor_task st; /* first: what the core sees */
	enum task_wait wait;
	bool attached;	   /* ptrace-attached (the notify sensor leaves threads unattached) */
	struct task *next; /* hash chain */
};

/* tasks.c: tasks by tid (chained hash). */
struct task_table {
	struct task **buckets;
	size_t n_buckets, n_tasks;
};

int tasks_init(struct task_table *tt);
struct task *task_find(struct task_table *tt, pid_t tid);
/* Create a task (and, if `proc` is NULL, a fresh proc with `parent`). */
struct task *task_add(struct task_table *tt, pid_t tid, struct proc *proc, struct proc *parent);
void task_remove(struct task_table *tt, struct task *t);
/* Move a task to a new tid (exec from a non-leader thread). */
struct task *task_rekey(struct task_table *tt, struct task *t, pid_t new_tid);
void tasks_foreach(struct task_table *tt, void (*fn)(struct sensor_task *t, void *ctx), void *ctx);

/* mem.c: process_vm_readv, PTRACE_PEEKDATA where that is refused. */
struct ptrace_mem {
	struct sensor_mem base; /* first */
	bool vm_readv_broken;
};
void ptrace_mem_init(struct ptrace_mem *pm);

#define PARK_MAX 128

struct parked {
	pid_t pid;
	uint64_t since; /* monotonic ns */
};

struct ptrace_sensor {
	struct sensor base; /* first */
	struct ptrace_mem mem;
	struct task_table tasks;
	struct parked parked[PARK_MAX]; /* new children whose creator's event is pending */
	int n_parked;
	/* A process exited (survivor 0) or exec'd (survivor: the exec'ing tid):
	 * its other tasks are gone. NULL when every task reports its own end
	 * (all attached, as under the ptrace sensor). */
	void (*proc_gone)(struct ptrace_sensor *ps, struct proc *p, pid_t survivor);
};

/* syscall_result.c: at a stop on the way back to user space, the result of
 * the syscall `tid` just made (RESULT_DONE), or that it will be restarted
 * (RESULT_RESTART: ERESTART*), or that the registers say neither. */
enum syscall_result { RESULT_DONE, RESULT_RESTART, RESULT_UNKNOWN };
enum syscall_result ptrace_syscall_result(pid_t tid, long nr, long *res);
bool ptrace_syscall_result_supported(void);
/* clone_flags.c: the flags of the clone-family call `tid` is stopped in at
 * its fork/vfork/clone event; false when they cannot be read. */
bool ptrace_clone_flags(pid_t tid, uint64_t *flags);
/* sensor.c: the shared set-up of a ptrace-based sensor (ptrace, notify). */
int ptrace_sensor_init(struct ptrace_sensor *ps, const struct sensor_ops *ops,
		       struct sensor_core *core);
/* sensor.c: the operations a sensor built on this one shares (its struct
 * begins with a struct ptrace_sensor): parked children's timers, the task table. */
uint64_t ptrace_due(struct sensor *s, uint64_t now);
void ptrace_tick(struct sensor *s, uint64_t now);
void ptrace_foreach_task(struct sensor *s, void (*fn)(struct sensor_task *t, void *ctx), void *ctx);
size_t ptrace_task_count(struct sensor *s);
/* stops.c: one waitpid() report. */
bool ptrace_dispatch(struct sensor *s, pid_t pid, int status);
/* newtasks.c: a task nobody announced, identified from /proc/TID/status. */
struct task *newtasks_adopt(struct ptrace_sensor *ps, pid_t tid);

/* sensor.c: restart, skip a syscall with a result. */
void ptrace_resume(struct task *t, int sig);
/* The restart must stop at syscall boundaries (PTRACE_SYSCALL). */
static inline bool task_wants_syscall_stops(const struct task *t)
{
	return t->wait == TASK_IN_SYSCALL || t->wait == TASK_RESULT_ENTRY ||
	       t->wait == TASK_RESULT_NOTIFY;
}

#endif
