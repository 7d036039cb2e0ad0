/*
 * stops.c — dispatch of ptrace stops (strace's dispatch_event, small).
 *
 * Every stop ends with exactly one restart of the task: PTRACE_CONT, or
 * PTRACE_SYSCALL when the syscall's result is wanted, or PTRACE_LISTEN for
 * a group-stop so job control behaves as without a tracer.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vigil/clock.h"
#include "vigil/log.h"
#include "vigil/syscalls.h"
#include "supervisor/analyzer_ctl.h"
#include "supervisor/channel.h"
#include "supervisor/decode.h"
#include "supervisor/newtasks.h"
#include "supervisor/procinfo.h"
#include "supervisor/seccomp_filter.h"
#include "supervisor/stops.h"
#include "supervisor/tamper.h"
#include "supervisor/tracee_mem.h"
#include "vigil/prefilter.h"

#if defined(__x86_64__)
#define NATIVE_ARCH VIGIL_ARCH_X86_64
#else
#define NATIVE_ARCH VIGIL_ARCH_AARCH64
#endif

static struct stops_config cfg;
static struct proc *root_proc;
static struct vigil_event ev; /* one at a time; too large for the stack */

void stops_init(const struct stops_config *c, struct proc *root)
{
	cfg = *c;
	root_proc = root;
	decode_set_root(root);
	newtasks_init(root);
}

static void resume(struct task *t, int sig)
{
	int req = t->wait == TASK_IN_SYSCALL ? PTRACE_SYSCALL : PTRACE_CONT;
	if (ptrace(req, t->tid, NULL, (void *)(long)sig) != 0 && errno != ESRCH)
		LOG_WARN("ptrace restart of %d: %s", (int)t->tid, strerror(errno));
}

static void emit(struct vigil_event *e)
{
	channel_push(e);
}

void stops_emit_tamper(struct task *t, enum vigil_tamper why)
{
	vigil_event_init(&ev, VIGIL_EV_SYSCALL);
	ev.ts_ns = vigil_wall_ns();
	decode_proc(&ev, t);
	decode_syscall(&ev, t, false, 0);
	ev.tamper = (uint8_t)why;
	emit(&ev);
}

void stops_emit_plain(struct task *t)
{
	stops_emit_tamper(t, VIGIL_TAMPER_NONE);
}

struct task *stops_add_initial(pid_t pid)
{
	struct task *t = task_add(pid, NULL, root_proc);
	if (t)
		t->wait = TASK_RUNNING;
	return t;
}

static int audit_to_arch(uint32_t audit_arch, uint64_t nr)
{
	switch (audit_arch) {
	case AUDIT_ARCH_X86_64: return (nr & 0x40000000u) ? VIGIL_ARCH_X32 : VIGIL_ARCH_X86_64;
	case AUDIT_ARCH_I386: return VIGIL_ARCH_I386;
	case AUDIT_ARCH_AARCH64: return VIGIL_ARCH_AARCH64;
	default: return VIGIL_ARCH_UNKNOWN;
	}
}

/* Emit the event for t->pending (entry-only or with its result). */
static void emit_syscall(struct task *t, bool has_res, long res)
{
	vigil_event_init(&ev, VIGIL_EV_SYSCALL);
	ev.ts_ns = vigil_wall_ns();
	if (!decode_syscall(&ev, t, has_res, res))
		return;
	decode_proc(&ev, t);
	emit(&ev);
}

static bool is_open(int id)
{
	return id == VIGIL_SC_OPEN || id == VIGIL_SC_OPENAT || id == VIGIL_SC_OPENAT2 ||
	       id == VIGIL_SC_CREAT;
}

/* Decode the entry of t->pending into `ev` (to look at an open's path). */
static bool decode_entry(struct task *t)
{
	vigil_event_init(&ev, VIGIL_EV_SYSCALL);
	ev.ts_ns = vigil_wall_ns();
	return decode_syscall(&ev, t, false, 0);
}

/*
 * Partial evaluation for opens: the rules that read an open's result all
 * constrain its path; if this path matches none of their predicates, the
 * result cannot change an alert, so no exit stop is taken. The entry is
 * already decoded into `ev` (decode_entry).
 */
static bool open_ruled_out(struct task *t)
{
	if (!is_open(t->pending.id) || !cfg.open_paths || !cfg.open_paths->active)
		return false;
	const char *path = vigil_str_ptr(&ev, ev.fd.name);
	return path && !prefilter_match(cfg.open_paths, path, ev.fd.name.len);
}

/* The filter stops this syscall (whole, or when its argument says so). */
static bool traced_by_filter(int id)
{
	return id != VIGIL_SC_UNKNOWN &&
	       (vigil_sc_set_has(&cfg.traced, id) || seccomp_arg_traced(&cfg.traced, id));
}

/*
 * The stop is one vigil's filter asked for: the filter puts the vigil id in
 * the data of every syscall it traces (0 for the ABIs it traces whole). A
 * filter of the program's returning SECCOMP_RET_TRACE puts its own data
 * there, which is why the syscall is always identified by architecture
 * and number, never by the data.
 */
static bool stop_is_ours(const struct pending_syscall *ps, unsigned data)
{
	if (ps->arch == VIGIL_ARCH_X32 || ps->arch == VIGIL_ARCH_UNKNOWN)
		return data == 0;
	return ps->id != VIGIL_SC_UNKNOWN && data == (unsigned)ps->id && traced_by_filter(ps->id);
}

/* A trace stop vigil did not ask for: some other filter returned TRACE. */
static void on_foreign_trace(struct task *t)
{
	if (t->proc->foreign_trace_reported)
		return; /* once per process: a filter can ask for every syscall */
	t->proc->foreign_trace_reported = true;
	LOG_WARN("process %d: a seccomp filter that is not vigil's stopped %s (nr %ld): reported",
		 (int)t->tid, vigil_syscall_name(t->pending.id), t->pending.nr);
	stops_emit_tamper(t, VIGIL_TAMPER_FOREIGN_TRACE);
}

/* Read the stop into t->pending; false when it is not a seccomp stop. */
static bool read_seccomp_stop(struct task *t, unsigned *data)
{
	struct __ptrace_syscall_info info;
	if (ptrace(PTRACE_GET_SYSCALL_INFO, t->tid, (void *)sizeof(info), &info) <= 0 ||
	    info.op != PTRACE_SYSCALL_INFO_SECCOMP)
		return false;
	struct pending_syscall *ps = &t->pending;
	ps->arch = audit_to_arch(info.arch, info.seccomp.nr);
	ps->nr = (long)info.seccomp.nr;
	memcpy(ps->args, info.seccomp.args, sizeof(ps->args));
	ps->forked = false;
	ps->exec_done = false;
	ps->id_clone3_flags_known = false;
	ps->id = vigil_syscall_from_nr(ps->arch, ps->nr);
	*data = info.seccomp.ret_data;
	return true;
}

/* Process-tree bookkeeping at entry; true when the stop is fully handled. */
static bool on_tree_syscall(struct task *t)
{
	struct pending_syscall *ps = &t->pending;
	switch (ps->id) {
	case VIGIL_SC_SETSID:
	case VIGIL_SC_SETPGID:
		t->proc->session_stale = true;
		return true;
	case VIGIL_SC_EXECVE:
	case VIGIL_SC_EXECVEAT: {
		char path[VIGIL_PATH_MAX];
		uint64_t addr = ps->id == VIGIL_SC_EXECVE ? ps->args[0] : ps->args[1];
		free(t->exec_filename);
		t->exec_filename = tracee_read_str(t->tid, addr, path, sizeof(path)) >= 0 ? strdup(path)
											  : NULL;
		t->wait = TASK_IN_SYSCALL; /* the exit stop tells a failed exec */
		return true;
	}
	case VIGIL_SC_CHDIR:
	case VIGIL_SC_FCHDIR:
		t->proc->cwd_stale = true;
		return true;
	default:
		return false;
	}
}

static void on_seccomp(struct task *t)
{
	unsigned data;
	if (!read_seccomp_stop(t, &data)) {
		resume(t, 0);
		return;
	}
	struct pending_syscall *ps = &t->pending;
	if (!stop_is_ours(ps, data)) {
		on_foreign_trace(t);
		if (!traced_by_filter(ps->id)) { /* not ours to decode: untouched */
			resume(t, 0);
			return;
		}
	}
	/* After the check: the filter's data names socketcall, not the call inside. */
	if (ps->id == VIGIL_SC_SOCKETCALL && !tamper_unpack_socketcall(t))
		ps->id = VIGIL_SC_UNKNOWN;
	unsigned flags = vigil_syscall_flags(ps->id);
	if (ps->id == VIGIL_SC_UNKNOWN) { /* x32 or foreign ABI we do not decode */
		resume(t, 0);
		return;
	}
	if (flags & VIGIL_SC_CREDS)
		t->proc->ids_stale = true;
	if (on_tree_syscall(t) || tamper_check_entry(t) || (flags & VIGIL_SC_QUIET)) {
		resume(t, 0); /* refused ones do not run */
		return;
	}
	bool decoded = is_open(ps->id) && decode_entry(t);
	if (decoded && tamper_check_open(t, &ev)) {
		decode_proc(&ev, t);
		emit(&ev);
		resume(t, 0);
		return;
	}
	bool ruled_out = false;
	if ((flags & VIGIL_SC_RESULT) || cfg.results_all ||
	    (vigil_sc_set_has(&cfg.results, ps->id) && !(ruled_out = open_ruled_out(t)))) {
		t->wait = TASK_IN_SYSCALL;
		resume(t, 0);
		return;
	}
	if (decoded) { /* the entry is already in ev */
		decode_proc(&ev, t);
		emit(&ev);
	} else {
		emit_syscall(t, false, 0);
	}
	resume(t, 0);
}

static void on_exec_result(struct task *t, long res);

static void on_syscall_exit(struct task *t)
{
	if (t->wait != TASK_IN_SYSCALL) {
		resume(t, 0);
		return;
	}
	t->wait = TASK_RUNNING;
	struct __ptrace_syscall_info info;
	long res = 0;
	if (ptrace(PTRACE_GET_SYSCALL_INFO, t->tid, (void *)sizeof(info), &info) > 0 &&
	    info.op == PTRACE_SYSCALL_INFO_EXIT)
		res = (long)info.exit.rval;
	if (t->pending.id == VIGIL_SC_CLONE3)
		tamper_check_clone3_exit(t, res);
	else if (t->pending.id == VIGIL_SC_EXECVE || t->pending.id == VIGIL_SC_EXECVEAT)
		on_exec_result(t, res);
	else if (!(vigil_syscall_flags(t->pending.id) & VIGIL_SC_QUIET))
		emit_syscall(t, true, res);
	resume(t, 0);
}

/* The exec event: after success (new image) or failure (the caller). */
static void emit_exec(struct task *t, long res)
{
	vigil_event_init(&ev, VIGIL_EV_SYSCALL);
	ev.ts_ns = vigil_wall_ns();
	ev.type = t->pending.id == VIGIL_SC_EXECVEAT ? VIGIL_SC_EXECVEAT : VIGIL_SC_EXECVE;
	ev.arch = (uint8_t)t->pending.arch;
	ev.has_res = 1;
	ev.res = res;
	vigil_event_arg_cstr(&ev, "filename", t->exec_filename); /* absent if unreadable */
	decode_proc(&ev, t);
	emit(&ev);
	free(t->exec_filename);
	t->exec_filename = NULL;
}

static void on_exec_result(struct task *t, long res)
{
	if (!t->pending.exec_done && res != 0)
		emit_exec(t, res);
}

static void on_exec(struct task *t)
{
	unsigned long former = 0;
	ptrace(PTRACE_GETEVENTMSG, t->tid, NULL, &former);
	if ((pid_t)former != t->tid && former > 0) {
		/* A non-leader thread exec'd: it takes over the leader's tid. */
		struct task *f = task_find((pid_t)former);
		if (f) {
			pid_t tid = t->tid;
			task_remove(t);
			t = task_rekey(f, tid);
		}
	}
	struct proc_image *img = procinfo_read_image(t->tid, t->exec_filename, true);
	if (img) {
		proc_set_image(t->proc, img);
		image_unref(img);
	}
	t->proc->ids_stale = true; /* setuid bits and file caps apply at exec */
	emit_exec(t, 0);
	t->pending.exec_done = true;
	/* Success is known: restarting with PTRACE_CONT cancels the exit stop
	 * that was requested to catch a failed exec. */
	t->wait = TASK_RUNNING;
	resume(t, 0);
}

static void on_exit_report(struct task *t, int status)
{
	if (t->tid == t->proc->pid) {
		t->proc->exited = true;
		vigil_event_init(&ev, VIGIL_EV_PROCEXIT);
		ev.ts_ns = vigil_wall_ns();
		ev.type = VIGIL_SC_PROCEXIT;
		ev.arch = NATIVE_ARCH;
		ev.has_res = 1;
		ev.exit_kind = WIFSIGNALED(status) ? 2 : 1;
		ev.res = WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status);
		decode_proc(&ev, t);
		emit(&ev);
	}
	task_remove(t);
}

static bool is_job_control_stop(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

/* Which syscall made a child: clone3 when we stopped at its entry, else by event. */
static int fork_syscall(struct task *t, int event)
{
	if (t->wait == TASK_IN_SYSCALL && t->pending.id == VIGIL_SC_CLONE3)
		return VIGIL_SC_CLONE3;
	return event == PTRACE_EVENT_VFORK ? VIGIL_SC_VFORK : VIGIL_SC_CLONE;
}

static void on_new_child(struct task *t, int event)
{
	unsigned long child = 0;
	if (ptrace(PTRACE_GETEVENTMSG, t->tid, NULL, &child) == 0 && child > 0) {
		newtasks_from_event(t, (pid_t)child, event);
		vigil_event_init(&ev, VIGIL_EV_SYSCALL);
		ev.ts_ns = vigil_wall_ns();
		ev.type = (uint16_t)fork_syscall(t, event);
		ev.arch = NATIVE_ARCH;
		ev.has_res = 1;
		ev.res = (long)child;
		decode_proc(&ev, t);
		emit(&ev);
	}
	t->pending.forked = true;
	/* A clone3 that reported its child cannot have escaped: cancel the
	 * exit stop taken for the escape check. */
	if (t->wait == TASK_IN_SYSCALL && t->pending.id == VIGIL_SC_CLONE3)
		t->wait = TASK_RUNNING;
	resume(t, 0);
}

bool stops_handle(pid_t pid, int status)
{
	struct task *t = task_find(pid);
	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		if (t)
			on_exit_report(t, status);
		return newtasks_forget(pid) || t != NULL;
	}
	if (!WIFSTOPPED(status))
		return t != NULL;
	if (!t) { /* a new child whose creator's fork event has not come yet */
		newtasks_park(pid, vigil_mono_ns());
		return true;
	}
	int sig = WSTOPSIG(status), event = (unsigned)status >> 16;
	switch (event) {
	case PTRACE_EVENT_SECCOMP: on_seccomp(t); break;
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
	case PTRACE_EVENT_CLONE: on_new_child(t, event); break;
	case PTRACE_EVENT_EXEC: on_exec(t); break;
	case PTRACE_EVENT_EXIT: resume(t, 0); break;
	case PTRACE_EVENT_STOP:
		if (t->wait == TASK_STARTUP) {
			t->wait = TASK_RUNNING;
			resume(t, 0);
		} else if (is_job_control_stop(sig)) {
			/* Group-stop: stay stopped until SIGCONT, as without a tracer. */
			if (ptrace(PTRACE_LISTEN, t->tid, NULL, NULL) != 0 && errno != ESRCH)
				LOG_WARN("PTRACE_LISTEN %d: %s", (int)t->tid, strerror(errno));
		} else {
			resume(t, 0);
		}
		break;
	default:
		if (sig == (SIGTRAP | 0x80))
			on_syscall_exit(t);
		else
			resume(t, sig); /* signal-delivery stop: deliver it unchanged */
	}
	return true;
}
