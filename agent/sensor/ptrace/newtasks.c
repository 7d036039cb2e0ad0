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

/* Is `child` a thread of creator's process? clone3 told us its flags. */
static bool is_thread(struct task *creator, pid_t child, int event)
{
	if (event != PTRACE_EVENT_CLONE)
		return false;
	/* Inside a clone3 we stopped at, its flags were read at entry. */
	const struct sensor_record *r = &creator->st.rec;
	if (creator->wait == TASK_IN_SYSCALL && r->id == VIGIL_SC_CLONE3 && r->clone3_flags_known)
		return r->clone3_flags & CLONE_THREAD;
	char path[64];
	struct stat st;
	snprintf(path, sizeof(path), "/proc/%d/task/%d", (int)creator->st.proc->pid, (int)child);
	return stat(path, &st) == 0;
}

struct task *newtasks_from_event(struct ptrace_sensor *ps, struct task *creator, pid_t child,
				 int event)
{
	struct task_table *tt = &ps->tasks;
	struct task *t = task_find(tt, child);
	if (t)
		return t;
	t = is_thread(creator, child, event) ? task_add(tt, child, creator->st.proc, NULL)
					     : task_add(tt, child, NULL, creator->st.proc);
	if (!t)
		return NULL;
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
