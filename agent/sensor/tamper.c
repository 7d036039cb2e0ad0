/*
 * tamper.c — refusing and reporting attempts to escape or attack vigil.
 *
 * Refused syscalls do not run: the sensor skips them and sets their
 * result (EPERM), and an event with vigil.tamper says who tried what.
 * The application is never killed for it.
 */
#include <errno.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vigil/log.h"
#include "vigil/syscalls.h"
#include "sensor/seccomp/vet.h"
#include "sensor/signal_all.h"
#include "sensor/race.h"
#include "sensor/tamper.h"
#include "sensor/vigil_procs.h"

static bool refuse(struct sensor_core *c, struct sensor_task *t, int err)
{
	return core_refuse(c, t, -err);
}

/* kill(pid, sig): pid > 0 one process, 0 the caller's group, < -1 a group. */
static bool kill_aims_at_vigil(const struct sensor_task *t, pid_t other, int pid)
{
	if (pid > 0)
		return vigil_owns_pid(pid, other);
	if (pid == 0)
		return vigil_owns_pgrp(getpgid(t->tid), other);
	return pid < -1 && vigil_owns_pgrp(-(long)pid, other);
}

/* The syscall (in the tamper family) reaches a vigil process. */
static bool aims_at_vigil(const struct sensor_core *c, const struct sensor_task *t)
{
	const uint64_t *a = t->rec.args;
	pid_t o = c->cfg.analyzer_pid ? c->cfg.analyzer_pid() : -1;
	switch (t->rec.id) {
	case VIGIL_SC_KILL: return a[1] != 0 && kill_aims_at_vigil(t, o, (int)a[0]);
	case VIGIL_SC_TKILL: return a[1] != 0 && vigil_owns_pid((int)a[0], o);
	case VIGIL_SC_TGKILL:
		return a[2] != 0 && (vigil_owns_pid((int)a[0], o) || vigil_owns_pid((int)a[1], o));
	case VIGIL_SC_RT_SIGQUEUEINFO: return a[1] != 0 && vigil_owns_pid((int)a[0], o);
	case VIGIL_SC_RT_TGSIGQUEUEINFO:
		return a[2] != 0 && (vigil_owns_pid((int)a[0], o) || vigil_owns_pid((int)a[1], o));
	case VIGIL_SC_PIDFD_SEND_SIGNAL:
		return a[1] != 0 && vigil_owns_pid(vigil_fd_target_pid(t->tid, (int)a[0]), o);
	case VIGIL_SC_PIDFD_GETFD: return vigil_owns_pid(vigil_fd_target_pid(t->tid, (int)a[0]), o);
	case VIGIL_SC_PTRACE: return vigil_owns_pid((int)a[1], o);
	case VIGIL_SC_PROCESS_VM_READV:
	case VIGIL_SC_PROCESS_VM_WRITEV:
	case VIGIL_SC_PIDFD_OPEN: return vigil_owns_pid((int)a[0], o);
	case VIGIL_SC_KCMP: return vigil_owns_pid((int)a[0], o) || vigil_owns_pid((int)a[1], o);
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

/* seccomp(2) / prctl(PR_SET_SECCOMP): a filter that could hide syscalls is refused. */
static bool check_seccomp(struct sensor_core *c, struct sensor_task *t)
{
	switch (seccomp_vet(&t->rec, c->sensor->mem)) {
	case SECCOMP_VET_ALLOW: return false;
	case SECCOMP_VET_EINVAL: return refuse(c, t, EINVAL);
	case SECCOMP_VET_EFAULT: return refuse(c, t, EFAULT);
	case SECCOMP_VET_HOSTILE: break;
	}
	LOG_WARN("process %d tried to install a seccomp filter that could hide syscalls from "
		 "vigil (SECCOMP_RET_TRACE, SECCOMP_RET_USER_NOTIF or a computed return): refused",
		 (int)t->tid);
	core_emit_tamper(c, t, VIGIL_TAMPER_SECCOMP_FILTER);
	return refuse(c, t, EPERM);
}

/* kill(-1, sig): delivered to the program's processes only (signal_all.h). */
static bool check_kill_all(struct sensor_core *c, struct sensor_task *t)
{
	if (t->rec.id != VIGIL_SC_KILL || (int)t->rec.args[0] != -1)
		return false;
	return core_refuse(c, t, signal_all_traced(c->sensor, t, (int)t->rec.args[1]));
}

static bool check_io_uring(struct sensor_core *c, struct sensor_task *t)
{
	if (c->cfg.allow_io_uring) {
		core_emit_tamper(c, t, VIGIL_TAMPER_NONE);
		return false;
	}
	LOG_WARN("process %d called io_uring_setup: refused (io_uring opens files and connects "
		 "without syscalls vigil sees; --allow-io-uring permits it)",
		 (int)t->tid);
	core_emit_tamper(c, t, VIGIL_TAMPER_IO_URING);
	return refuse(c, t, EPERM);
}

bool tamper_check_entry(struct sensor_core *c, struct sensor_task *t)
{
	int id = t->rec.id;
	if (id == VIGIL_SC_IO_URING_SETUP)
		return check_io_uring(c, t);
	if (id == VIGIL_SC_SECCOMP || id == VIGIL_SC_PRCTL)
		return check_seccomp(c, t);
	/* The filter answers clone3 ENOSYS; only an x32 one (traced whole) gets here. */
	if (id == VIGIL_SC_CLONE3)
		return refuse(c, t, ENOSYS);
	/* The filter stops clone only with CLONE_UNTRACED: a register, no race. */
	if (id == VIGIL_SC_CLONE && (t->rec.args[0] & CLONE_UNTRACED)) {
		LOG_WARN("process %d tried clone with CLONE_UNTRACED: refused", (int)t->tid);
		core_emit_tamper(c, t, VIGIL_TAMPER_CLONE_UNTRACED);
		return refuse(c, t, EPERM);
	}
	if (!(vigil_syscall_flags(id) & VIGIL_SC_TAMPER))
		return false;
	if (check_kill_all(c, t))
		return true;
	if (aims_at_vigil(c, t)) {
		LOG_WARN("process %d aimed %s at vigil: refused", (int)t->tid,
			 vigil_syscall_name(id));
		core_emit_tamper(c, t, tamper_kind(id));
		return refuse(c, t, EPERM);
	}
	/* A traced process cannot trace: every tracee already has its tracer,
	 * and vigil's own processes are refused above. The kernel would say
	 * EPERM too; saying it here makes it hold for every request. */
	if (id == VIGIL_SC_PTRACE) {
		core_emit_tamper(c, t, VIGIL_TAMPER_NONE);
		return refuse(c, t, EPERM);
	}
	if (id == VIGIL_SC_PROCESS_VM_WRITEV) /* it may rewrite a path mid-syscall */
		race_note_vm_write(c, (pid_t)t->rec.args[0]);
	return false;
}

bool tamper_check_open(struct sensor_core *c, struct sensor_task *t, struct vigil_event *ev)
{
	const char *name = vigil_str_ptr(ev, ev->fd.name);
	char path[VIGIL_PATH_MAX];
	/* Arena strings are not NUL-terminated: copy before looking. */
	if (!name || ev->fd.name.len >= sizeof(path) || ev->fd.name.len < 6 ||
	    memcmp(name, "/proc/", 6) != 0)
		return false;
	memcpy(path, name, ev->fd.name.len);
	path[ev->fd.name.len] = '\0';
	if (!vigil_owns_proc_path(path, c->cfg.analyzer_pid ? c->cfg.analyzer_pid() : -1))
		return false;
	LOG_WARN("process %d opened %s (vigil's own memory, environment or descriptors): refused",
		 (int)t->tid, path);
	ev->tamper = VIGIL_TAMPER_PROC_VIGIL;
	return refuse(c, t, EPERM);
}

bool tamper_unpack_socketcall(struct sensor_core *c, struct sensor_task *t)
{
	/* call -> syscall, argument count, and for sends the flags' index:
	 * only a send with MSG_FASTOPEN (it connects) is an event. */
	static const struct {
		int id, nargs, flags_at;
	} calls[] = {
		[1] = {VIGIL_SC_SOCKET, 3, -1},	  [2] = {VIGIL_SC_BIND, 3, -1},
		[3] = {VIGIL_SC_CONNECT, 3, -1},  [4] = {VIGIL_SC_LISTEN, 2, -1},
		[5] = {VIGIL_SC_ACCEPT, 3, -1},	  [11] = {VIGIL_SC_SENDTO, 6, 3},
		[16] = {VIGIL_SC_SENDMSG, 3, 2},  [18] = {VIGIL_SC_ACCEPT4, 4, -1},
		[20] = {VIGIL_SC_SENDMMSG, 4, 3},
	};
	struct sensor_record *r = &t->rec;
	uint64_t call = r->args[0];
	if (call >= sizeof(calls) / sizeof(calls[0]) || calls[call].id == 0)
		return false;
	uint32_t args[6] = {0};
	int n = calls[call].nargs;
	if (sensor_read(c->sensor->mem, t->tid, r->args[1], args, (size_t)n * sizeof(args[0])) != 0)
		return false;
	if (calls[call].flags_at >= 0 && !(args[calls[call].flags_at] & MSG_FASTOPEN))
		return false;
	r->id = calls[call].id;
	for (int i = 0; i < 6; i++)
		r->args[i] = args[i];
	return true;
}
