/*
 * tamper.c — refusing and reporting attempts to escape or attack vigil.
 *
 * Refused syscalls do not run: the tracer skips them and sets their
 * result (EPERM), and an event with vigil.tamper says who tried what.
 * The application is never killed for it.
 */
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
#include "supervisor/seccomp_vet.h"
#include "supervisor/signal_all.h"
#include "supervisor/tamper.h"
#include "supervisor/tracee_mem.h"
#include "supervisor/vigil_procs.h"

static bool io_uring_allowed;

void tamper_allow_io_uring(bool allow)
{
	io_uring_allowed = allow;
}

/* Make the stopped syscall return `result` without running it. */
static bool skip_syscall(struct task *t, long result)
{
#if defined(__x86_64__)
	struct user_regs_struct regs;
	if (ptrace(PTRACE_GETREGS, t->tid, NULL, &regs) != 0)
		return false;
	regs.orig_rax = (unsigned long long)-1; /* skip the syscall */
	regs.rax = (unsigned long long)result;
	return ptrace(PTRACE_SETREGS, t->tid, NULL, &regs) == 0;
#else
	/* No register rewrite here yet: kill rather than let it through. */
	(void)result;
	kill(t->tid, SIGKILL);
	return true;
#endif
}

static bool refuse(struct task *t, int err)
{
	return skip_syscall(t, -err);
}

/* kill(pid, sig): pid > 0 one process, 0 the caller's group, < -1 a group. */
static bool kill_aims_at_vigil(const struct task *t, int pid)
{
	if (pid > 0)
		return vigil_owns_pid(pid);
	if (pid == 0)
		return vigil_owns_pgrp(getpgid(t->tid));
	return pid < -1 && vigil_owns_pgrp(-(long)pid);
}

/* The syscall (in the tamper family) reaches a vigil process. */
static bool aims_at_vigil(const struct task *t)
{
	const uint64_t *a = t->pending.args;
	switch (t->pending.id) {
	case VIGIL_SC_KILL: return a[1] != 0 && kill_aims_at_vigil(t, (int)a[0]);
	case VIGIL_SC_TKILL: return a[1] != 0 && vigil_owns_pid((int)a[0]);
	case VIGIL_SC_TGKILL:
		return a[2] != 0 && (vigil_owns_pid((int)a[0]) || vigil_owns_pid((int)a[1]));
	case VIGIL_SC_RT_SIGQUEUEINFO: return a[1] != 0 && vigil_owns_pid((int)a[0]);
	case VIGIL_SC_RT_TGSIGQUEUEINFO:
		return a[2] != 0 && (vigil_owns_pid((int)a[0]) || vigil_owns_pid((int)a[1]));
	case VIGIL_SC_PIDFD_SEND_SIGNAL:
		return a[1] != 0 && vigil_owns_pid(vigil_fd_target_pid(t->tid, (int)a[0]));
	case VIGIL_SC_PIDFD_GETFD: return vigil_owns_pid(vigil_fd_target_pid(t->tid, (int)a[0]));
	case VIGIL_SC_PTRACE: return vigil_owns_pid((int)a[1]);
	case VIGIL_SC_PROCESS_VM_READV:
	case VIGIL_SC_PROCESS_VM_WRITEV:
	case VIGIL_SC_PIDFD_OPEN: return vigil_owns_pid((int)a[0]);
	case VIGIL_SC_KCMP: return vigil_owns_pid((int)a[0]) || vigil_owns_pid((int)a[1]);
	default: return false;
	}
}

static enum vigil_tamper tamper_kind(int id)
{
	switch (id) {
	case VIGIL_SC_PTRACE: return VIGIL_TAMPER_PTRACE_VIGIL;
	case VIGIL_SC_PROCESS_VM_WRITEV: return VIGIL_TAMPER_VM_WRITE_VIGIL;
	case VIGIL_SC_PROCESS_VM_READV: return VIGIL_TAMPER_VM_READ_VIGIL;
	case VIGIL_SC_PIDFD_OPEN:
	case VIGIL_SC_PIDFD_GETFD: return VIGIL_TAMPER_PIDFD_VIGIL;
	case VIGIL_SC_KCMP: return VIGIL_TAMPER_KCMP_VIGIL;
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

/* seccomp(2) / prctl(PR_SET_SECCOMP): a filter that could hide syscalls is refused. */
static bool check_seccomp(struct task *t)
{
	switch (seccomp_vet(t)) {
	case SECCOMP_VET_ALLOW: return false;
	case SECCOMP_VET_EINVAL: return refuse(t, EINVAL);
	case SECCOMP_VET_EFAULT: return refuse(t, EFAULT);
	case SECCOMP_VET_HOSTILE: break;
	}
	LOG_WARN("process %d tried to install a seccomp filter that could hide syscalls from "
		 "vigil (SECCOMP_RET_TRACE, SECCOMP_RET_USER_NOTIF or a computed return): refused",
		 (int)t->tid);
	stops_emit_tamper(t, VIGIL_TAMPER_SECCOMP_FILTER);
	return refuse(t, EPERM);
}

/* kill(-1, sig): delivered to the program's processes only (signal_all.h). */
static bool check_kill_all(struct task *t)
{
	if (t->pending.id != VIGIL_SC_KILL || (int)t->pending.args[0] != -1)
		return false;
	return skip_syscall(t, signal_all_traced(t, (int)t->pending.args[1]));
}

static bool check_io_uring(struct task *t)
{
	if (io_uring_allowed) {
		stops_emit_plain(t);
		return false;
	}
	LOG_WARN("process %d called io_uring_setup: refused (io_uring opens files and connects "
		 "without syscalls vigil sees; --allow-io-uring permits it)", (int)t->tid);
	stops_emit_tamper(t, VIGIL_TAMPER_IO_URING);
	return refuse(t, EPERM);
}

bool tamper_check_entry(struct task *t)
{
	int id = t->pending.id;
	if (id == VIGIL_SC_IO_URING_SETUP)
		return check_io_uring(t);
	if (id == VIGIL_SC_SECCOMP || id == VIGIL_SC_PRCTL)
		return check_seccomp(t);
	if (clone_untraced(t)) {
		LOG_WARN("process %d tried clone with CLONE_UNTRACED: refused", (int)t->tid);
		stops_emit_tamper(t, VIGIL_TAMPER_CLONE_UNTRACED);
		return refuse(t, EPERM);
	}
	if (!(vigil_syscall_flags(id) & VIGIL_SC_TAMPER))
		return false;
	if (check_kill_all(t))
		return true;
	if (aims_at_vigil(t)) {
		LOG_WARN("process %d aimed %s at vigil: refused", (int)t->tid, vigil_syscall_name(id));
		stops_emit_tamper(t, tamper_kind(id));
		return refuse(t, EPERM);
	}
	/* A traced process cannot trace: every tracee already has its tracer,
	 * and vigil's own processes are refused above. The kernel would say
	 * EPERM too; saying it here makes it hold for every request. */
	if (id == VIGIL_SC_PTRACE) {
		stops_emit_plain(t);
		return refuse(t, EPERM);
	}
	return false;
}

bool tamper_check_open(struct task *t, struct vigil_event *ev)
{
	const char *name = vigil_str_ptr(ev, ev->fd.name);
	char path[VIGIL_PATH_MAX];
	/* Arena strings are not NUL-terminated: copy before looking. */
	if (!name || ev->fd.name.len >= sizeof(path) || ev->fd.name.len < 6 ||
	    memcmp(name, "/proc/", 6) != 0)
		return false;
	memcpy(path, name, ev->fd.name.len);
	path[ev->fd.name.len] = '\0';
	if (!vigil_owns_proc_path(path))
		return false;
	LOG_WARN("process %d opened %s (vigil's own memory, environment or descriptors): refused",
		 (int)t->tid, path);
	ev->tamper = VIGIL_TAMPER_PROC_VIGIL;
	return refuse(t, EPERM);
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
