/* newtasks.c — new tasks from fork/clone events, in either arrival order. */
#include <linux/sched.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vigil/syscalls.h"
#include "sensor/ptrace/ptrace_int.h"

#define PARK_TIMEOUT_NS 100000000ull /* then ask /proc */

/* Who is this task, when no fork event told us: /proc/PID/status. */
/* "Key:\t123" of /proc/PID/status, or `dflt`. */
static pid_t status_field(const char *text, const char *key, pid_t dflt)
{
	const char *at = strstr(text, key);
	return at ? (pid_t)strtol(at + strlen(key), NULL, 10) : dflt;
}

struct task *newtasks_adopt(struct ptrace_sensor *ps, pid_t tid)
{
	/* Tgid and PPid are in the first lines: one read, no stdio (the notify
	 * sensor meets every thread this way). */
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	pid_t tgid = status_field(buf, "\nTgid:", tid), ppid = status_field(buf, "\nPPid:", 0);
	struct task_table *tt = &ps->tasks;
	struct task *leader = tgid != tid ? task_find(tt, tgid) : NULL;
	if (!leader && tgid != tid && tgid > 0) /* a thread of a process never met either */
		leader = newtasks_adopt(ps, tgid);
	if (leader)
		return task_add(tt, tid, leader->st.proc, NULL);
	struct task *parent = ppid > 0 ? task_find(tt, ppid) : NULL;
	struct task *t = task_add(tt, tid, NULL, parent ? parent->st.proc : ps->base.core->root);
	if (t && !parent)
		t->st.proc->parent_guessed = true; /* not vigil's child: see decode_proc */
	if (t)
		t->st.proc->vm_shared = true; /* its clone flags are unknown (proc.h) */
	return t;
}

static void start(struct task *t)
{
	t->wait = TASK_RUNNING;
	ptrace(PTRACE_CONT, t->st.tid, NULL, NULL);
}

void newtasks_park(struct ptrace_sensor *ps, pid_t pid, uint64_t now)
{
	if (ps->n_parked == PARK_MAX) { /* no room: identify it the slow way now */
		struct task *t = newtasks_adopt(ps, pid);
		if (t)
			start(t);
		return;
	}
	ps->parked[ps->n_parked++] = (struct parked){pid, now};
}

bool newtasks_forget(struct ptrace_sensor *ps, pid_t pid)
{
	for (int i = 0; i < ps->n_parked; i++) {
		if (ps->parked[i].pid == pid) {
			ps->parked[i] = ps->parked[--ps->n_parked];
			return true;
		}
	}
	return false;
}

/* Is `child` a thread of creator's process? Without its flags: /proc says. */
static bool in_creators_group(struct task *creator, pid_t child)
{
	char path[64];
	struct stat st;
	snprintf(path, sizeof(path), "/proc/%d/task/%d", (int)creator->st.proc->pid, (int)child);
	return stat(path, &st) == 0;
}

/*
 * Who can write the new task's memory, and the creator's (proc.h): a
 * thread is counted by the task table; a process made with CLONE_VM
 * shares its creator's memory, and unless it is a vfork child (its
 * creator waits until it execs or exits) the creator's too. Unknown flags
 * count as shared: an open's exit stop too many, never a race missed.
 */
static void note_vm(struct proc *creator, struct proc *child, bool known, uint64_t flags)
{
	if (known && !(flags & CLONE_VM))
		return;
	child->vm_shared = true;
	if (known && (flags & CLONE_VFORK))
		child->vfork_child = true;
	else
		creator->vm_shared = true;
}

/* A vfork child's thread lives on in the parent's memory if the child
 * itself exits: from then on the parent can be raced. */
static void note_thread(struct proc *p)
{
	if (p->vfork_child && p->parent)
		p->parent->vm_shared = true;
}

struct task *newtasks_from_event(struct ptrace_sensor *ps, struct task *creator, pid_t child,
				 int event)
{
	struct task_table *tt = &ps->tasks;
	struct task *t = task_find(tt, child);
	if (t)
		return t;
	uint64_t flags = 0;
	bool known = ptrace_clone_flags(creator->st.tid, &flags);
	bool thread = known ? (flags & CLONE_THREAD) != 0
			    : event == PTRACE_EVENT_CLONE && in_creators_group(creator, child);
	struct proc *cp = creator->st.proc;
	t = thread ? task_add(tt, child, cp, NULL) : task_add(tt, child, NULL, cp);
	if (!t)
		return NULL;
	if (thread)
		note_thread(cp);
	else
		note_vm(cp, t->st.proc, known, flags);
	if (newtasks_forget(ps, child))
		start(t); /* its first stop came first and is waiting for us */
	else
		t->wait = TASK_STARTUP;
	return t;
}

void newtasks_expire(struct ptrace_sensor *ps, uint64_t now)
{
	for (int i = 0; i < ps->n_parked;) {
		if (now - ps->parked[i].since < PARK_TIMEOUT_NS) {
			i++;
			continue;
		}
		pid_t pid = ps->parked[i].pid;
		ps->parked[i] = ps->parked[--ps->n_parked];
		struct task *t = newtasks_adopt(ps, pid);
		if (t)
			start(t);
	}
}

uint64_t newtasks_due(struct ptrace_sensor *ps, uint64_t now)
{
	uint64_t due = 0;
	for (int i = 0; i < ps->n_parked; i++) {
		uint64_t at = ps->parked[i].since + PARK_TIMEOUT_NS;
		uint64_t d = at > now ? at - now : 1;
		if (!due || d < due)
			due = d;
	}
	return due;
}
