/* newtasks.c — new tasks from fork/clone events, in either arrival order. */
#include <linux/sched.h>
#include <stdio.h>
#include <sys/ptrace.h>
#include <sys/stat.h>

#include "vigil/syscalls.h"
#include "supervisor/newtasks.h"

#define PARK_MAX 128
#define PARK_TIMEOUT_NS 100000000ull /* then ask /proc */

struct parked {
	pid_t pid;
	uint64_t since;
};

static struct parked parked[PARK_MAX];
static int n_parked;
static struct proc *root_proc;

void newtasks_init(struct proc *root)
{
	root_proc = root;
}

/* Who is this task, when no fork event told us: /proc/PID/status. */
static struct task *adopt(pid_t tid)
{
	char path[64], buf[2048];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	FILE *f = fopen(path, "re");
	pid_t tgid = tid, ppid = 0;
	if (f) {
		while (fgets(buf, sizeof(buf), f)) {
			if (sscanf(buf, "Tgid: %d", &tgid) == 1)
				continue;
			if (sscanf(buf, "PPid: %d", &ppid) == 1)
				break;
		}
		fclose(f);
	}
	struct task *leader = tgid != tid ? task_find(tgid) : NULL;
	if (leader)
		return task_add(tid, leader->proc, NULL);
	struct task *parent = ppid > 0 ? task_find(ppid) : NULL;
	struct task *t = task_add(tid, NULL, parent ? parent->proc : root_proc);
	if (t && !parent)
		t->proc->parent_guessed = true; /* not vigil's child: see decode_proc */
	return t;
}

static void start(struct task *t)
{
	t->wait = TASK_RUNNING;
	ptrace(PTRACE_CONT, t->tid, NULL, NULL);
}

void newtasks_park(pid_t pid, uint64_t now)
{
	if (n_parked == PARK_MAX) { /* no room: identify it the slow way now */
		struct task *t = adopt(pid);
		if (t)
			start(t);
		return;
	}
	parked[n_parked++] = (struct parked){pid, now};
}

bool newtasks_forget(pid_t pid)
{
	for (int i = 0; i < n_parked; i++) {
		if (parked[i].pid == pid) {
			parked[i] = parked[--n_parked];
			return true;
		}
	}
	return false;
}

/* Is `child` a thread of creator's process? clone3 told us its flags. */
static bool is_thread(struct task *creator, pid_t child, int event)
{
	if (event != PTRACE_EVENT_CLONE)
		return false;
	/* Inside a clone3 we stopped at, its flags were read at entry. */
	if (creator->wait == TASK_IN_SYSCALL && creator->pending.id == VIGIL_SC_CLONE3 &&
	    creator->pending.id_clone3_flags_known)
		return creator->pending.clone3_flags & CLONE_THREAD;
	char path[64];
	struct stat st;
	snprintf(path, sizeof(path), "/proc/%d/task/%d", (int)creator->proc->pid, (int)child);
	return stat(path, &st) == 0;
}

struct task *newtasks_from_event(struct task *creator, pid_t child, int event)
{
	struct task *t = task_find(child);
	if (t)
		return t;
	t = is_thread(creator, child, event) ? task_add(child, creator->proc, NULL)
					     : task_add(child, NULL, creator->proc);
	if (!t)
		return NULL;
	if (newtasks_forget(child))
		start(t); /* its first stop came first and is waiting for us */
	else
		t->wait = TASK_STARTUP;
	return t;
}

void newtasks_expire(uint64_t now)
{
	for (int i = 0; i < n_parked;) {
		if (now - parked[i].since < PARK_TIMEOUT_NS) {
			i++;
			continue;
		}
		pid_t pid = parked[i].pid;
		parked[i] = parked[--n_parked];
		struct task *t = adopt(pid);
		if (t)
			start(t);
	}
}

uint64_t newtasks_due(uint64_t now)
{
	uint64_t due = 0;
	for (int i = 0; i < n_parked; i++) {
		uint64_t at = parked[i].since + PARK_TIMEOUT_NS;
		uint64_t d = at > now ? at - now : 1;
		if (!due || d < due)
			due = d;
	}
	return due;
}
