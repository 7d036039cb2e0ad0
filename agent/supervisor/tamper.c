/* tamper.c — refusing and reporting attempts to escape or attack vigil. */
#include <errno.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/user.h>
#include <unistd.h>

#include "vigil/log.h"
#include "vigil/syscalls.h"
#include "supervisor/analyzer_ctl.h"
#include "supervisor/tamper.h"
#include "supervisor/tracee_mem.h"

/* Make the stopped syscall fail with -err without running it. */
static bool refuse(struct task *t, int err)
{
#if defined(__x86_64__)
	struct user_regs_struct regs;
	if (ptrace(PTRACE_GETREGS, t->tid, NULL, &regs) != 0)
		return false;
	regs.orig_rax = (unsigned long long)-1; /* skip the syscall */
	regs.rax = (unsigned long long)-err;
	return ptrace(PTRACE_SETREGS, t->tid, NULL, &regs) == 0;
#else
	/* No register rewrite here yet: kill rather than let it through. */
	(void)err;
	kill(t->tid, SIGKILL);
	return true;
#endif
}

static bool is_vigil_pid(long pid)
{
	return pid > 0 && (pid == getpid() || pid == analyzer_pid());
}

/* The pid behind a pidfd of the tracee, from /proc/PID/fdinfo. */
static long pidfd_target(struct task *t, int fd)
{
	char path[64], line[128];
	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)t->proc->pid, fd);
	FILE *f = fopen(path, "re");
	long pid = -1;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Pid: %ld", &pid) == 1)
			break;
	fclose(f);
	return pid;
}

/* Which vigil process, if any, a signal/ptrace/vm-write syscall aims at. */
static bool aims_at_vigil(struct task *t)
{
	const uint64_t *a = t->pending.args;
	switch (t->pending.id) {
	case VIGIL_SC_KILL:
	case VIGIL_SC_TKILL: return a[1] != 0 && is_vigil_pid((int)a[0]);
	case VIGIL_SC_TGKILL: return a[2] != 0 && is_vigil_pid((int)a[0]);
	case VIGIL_SC_PIDFD_SEND_SIGNAL: return a[1] != 0 && is_vigil_pid(pidfd_target(t, (int)a[0]));
	case VIGIL_SC_PTRACE: return is_vigil_pid((int)a[1]);
	case VIGIL_SC_PROCESS_VM_WRITEV: return is_vigil_pid((int)a[0]);
	default: return false;
	}
}

static enum vigil_tamper tamper_kind(int id)
{
	switch (id) {
	case VIGIL_SC_PTRACE: return VIGIL_TAMPER_PTRACE_VIGIL;
	case VIGIL_SC_PROCESS_VM_WRITEV: return VIGIL_TAMPER_VM_WRITE_VIGIL;
	default: return VIGIL_TAMPER_SIGNAL_VIGIL;
	}
}

static bool clone_untraced(struct task *t)
{
	if (t->pending.id == VIGIL_SC_CLONE)
		return t->pending.args[0] & CLONE_UNTRACED;
	if (t->pending.id == VIGIL_SC_CLONE3) {
		uint64_t flags = 0;
		if (tracee_read(t->tid, t->pending.args[0], &flags, sizeof(flags)) != 0)
			return false; /* the kernel will fail it with EFAULT too */
		t->pending.clone3_flags = flags;
		t->pending.id_clone3_flags_known = true;
		return flags & CLONE_UNTRACED;
	}
	return false;
}

bool tamper_check_entry(struct task *t)
{
	int id = t->pending.id;
	if (id == VIGIL_SC_IO_URING_SETUP) {
		stops_emit_tamper(t, VIGIL_TAMPER_IO_URING);
		return false;
	}
	if (clone_untraced(t)) {
		LOG_WARN("process %d tried clone with CLONE_UNTRACED: refused", (int)t->tid);
		stops_emit_tamper(t, VIGIL_TAMPER_CLONE_UNTRACED);
		return refuse(t, EPERM);
	}
	if ((vigil_syscall_flags(id) & VIGIL_SC_TAMPER) && aims_at_vigil(t)) {
		LOG_WARN("process %d aimed %s at vigil: refused", (int)t->tid, vigil_syscall_name(id));
		stops_emit_tamper(t, tamper_kind(id));
		return refuse(t, EPERM);
	}
	return false;
}

void tamper_check_clone3_exit(struct task *t, long res)
{
	if (res <= 0 || t->pending.forked)
		return;
	/* The child exists but no fork event announced it: it is untraced. */
	LOG_WARN("process %d started %ld outside the tracer: killed", (int)t->tid, res);
	kill((pid_t)res, SIGKILL);
	stops_emit_tamper(t, VIGIL_TAMPER_UNTRACED_CHILD);
}

bool tamper_unpack_socketcall(struct task *t)
{
	/* call -> syscall, argument count, and for sends the flags' index:
	 * only a send with MSG_FASTOPEN (it connects) is an event. */
	static const struct { int id, nargs, flags_at; } calls[] = {
		[1] = {VIGIL_SC_SOCKET, 3, -1}, [2] = {VIGIL_SC_BIND, 3, -1},
		[3] = {VIGIL_SC_CONNECT, 3, -1}, [4] = {VIGIL_SC_LISTEN, 2, -1},
		[5] = {VIGIL_SC_ACCEPT, 3, -1}, [11] = {VIGIL_SC_SENDTO, 6, 3},
		[16] = {VIGIL_SC_SENDMSG, 3, 2}, [18] = {VIGIL_SC_ACCEPT4, 4, -1},
		[20] = {VIGIL_SC_SENDMMSG, 4, 3},
	};
	uint64_t call = t->pending.args[0];
	if (call >= sizeof(calls) / sizeof(calls[0]) || calls[call].id == 0)
		return false;
	uint32_t args[6] = {0};
	int n = calls[call].nargs;
	if (tracee_read(t->tid, t->pending.args[1], args, (size_t)n * sizeof(args[0])) != 0)
		return false;
	if (calls[call].flags_at >= 0 && !(args[calls[call].flags_at] & MSG_FASTOPEN))
		return false;
	t->pending.id = calls[call].id;
	for (int i = 0; i < 6; i++)
		t->pending.args[i] = args[i];
	return true;
}
