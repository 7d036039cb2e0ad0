/*
 * core.c — the mechanism-neutral path of a syscall (see core.h).
 *
 * Runs on the hot path: an event costs its decode and one copy into the
 * channel; /proc is read only when a cache of the process model is stale.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "vigil/clock.h"
#include "vigil/prefilter.h"
#include "sensor/core.h"
#include "sensor/decode/decode.h"
#include "sensor/race.h"
#include "sensor/seccomp/filter.h"
#include "sensor/tamper.h"

#if defined(__x86_64__)
#define NATIVE_ARCH VIGIL_ARCH_X86_64
#else
#define NATIVE_ARCH VIGIL_ARCH_AARCH64
#endif

void core_init(struct sensor_core *c, const struct core_config *cfg, struct proc *root)
{
	c->cfg = *cfg;
	c->root = root;
	c->sensor = NULL;
	resolver_init(&c->resolver, cfg->analyzer_pid);
}

bool core_traced(const struct sensor_core *c, int id)
{
	return id != VIGIL_SC_UNKNOWN &&
	       (vigil_sc_set_has(&c->cfg.traced, id) || seccomp_arg_traced(&c->cfg.traced, id));
}

bool core_refuse(struct sensor_core *c, struct sensor_task *t, long result)
{
	return c->sensor->ops->refuse(c->sensor, t, result);
}

/* The process model's stale caches, refreshed before an event reads them. */
static void refresh(struct proc *p, pid_t tid)
{
	if (p->ids_stale)
		procinfo_read_ids(p, tid, NULL, 0);
	if (p->session_stale)
		procinfo_read_session(p, tid);
	if (p->cwd_stale)
		procinfo_read_cwd(p);
}

/* proc.* of t into c->ev, and out it goes. */
static void emit(struct sensor_core *c, struct sensor_task *t)
{
	refresh(t->proc, t->tid);
	decode_proc(&c->ev, t->proc, t->tid, c->root);
	c->cfg.emit(&c->ev);
}

static void begin(struct sensor_core *c, enum vigil_event_kind kind)
{
	vigil_event_init(&c->ev, kind);
	c->ev.ts_ns = vigil_wall_ns();
}

/* Decode t->rec into c->ev (entry-only, or with its result). */
static bool decode(struct sensor_core *c, struct sensor_task *t, bool has_res, long res)
{
	begin(c, VIGIL_EV_SYSCALL);
	struct decode_ctx dc = {
		.rec = &t->rec,
		.mem = c->sensor->mem,
		.proc = t->proc,
		.has_res = has_res,
		.res = res,
		.rs = &c->resolver,
		.rt = &t->resolve,
	};
	return decode_syscall(&c->ev, &dc);
}

void core_emit_tamper(struct sensor_core *c, struct sensor_task *t, enum vigil_tamper why)
{
	decode(c, t, false, 0);
	c->ev.tamper = (uint8_t)why;
	emit(c, t);
}

bool core_result_wanted(const struct core_config *cfg, int id, const struct vigil_event *entry)
{
	if (cfg->results_all ||
	    ((vigil_syscall_flags(id) & VIGIL_SC_RESULT) && !cfg->exits_on_demand))
		return true;
	if (!vigil_sc_set_has(&cfg->results, id))
		return false;
	if (!entry || !vigil_sc_opens_file(id) || !cfg->open_paths || !cfg->open_paths->active)
		return true;
	const char *path = vigil_str_ptr(entry, entry->fd.name);
	return !path || prefilter_match(cfg->open_paths, path, entry->fd.name.len);
}

/* Process-tree bookkeeping at entry: a verdict, or -1 when id is not one. */
static int tree_syscall(struct sensor_core *c, struct sensor_task *t)
{
	struct sensor_record *r = &t->rec;
	switch (r->id) {
	case VIGIL_SC_SETSID:
	case VIGIL_SC_SETPGID: t->proc->session_stale = true; return CORE_CONTINUE;
	case VIGIL_SC_EXECVE:
	case VIGIL_SC_EXECVEAT: {
		char path[VIGIL_PATH_MAX];
		uint64_t addr = r->id == VIGIL_SC_EXECVE ? r->args[0] : r->args[1];
		free(t->exec_filename);
		t->exec_filename =
			sensor_read_str(c->sensor->mem, t->tid, addr, path, sizeof(path)) >= 0
				? strdup(path)
				: NULL;
		return CORE_WANT_RESULT; /* the exit tells a failed exec */
	}
	case VIGIL_SC_CHDIR:
	case VIGIL_SC_FCHDIR: t->proc->cwd_stale = true; return CORE_CONTINUE;
	case VIGIL_SC_CHROOT:
	case VIGIL_SC_PIVOT_ROOT:
	case VIGIL_SC_SETNS:
	case VIGIL_SC_UNSHARE:
		/* Roots (and cwds) may move, of other threads too: no cached root
		 * until this thread is seen again (resolver_settled). */
		resolver_root_changing(&c->resolver, &t->resolve);
		t->proc->cwd_stale = true;
		return CORE_CONTINUE;
	default: return -1;
	}
}

enum core_verdict core_syscall_entry(struct sensor_core *c, struct sensor_task *t)
{
	struct sensor_record *r = &t->rec;
	resolver_settled(&c->resolver, &t->resolve);
	if (t->open_pending) /* an open whose exit never came (its thread was killed) */
		race_open_forget(t);
	/* The filter's data names socketcall, not the call inside. */
	if (r->id == VIGIL_SC_SOCKETCALL && !tamper_unpack_socketcall(c, t))
		r->id = VIGIL_SC_UNKNOWN;
	if (r->id == VIGIL_SC_UNKNOWN) /* x32 or foreign ABI we do not decode */
		return CORE_CONTINUE;
	unsigned flags = vigil_syscall_flags(r->id);
	if (flags & VIGIL_SC_CREDS)
		t->proc->ids_stale = true;
	int tree = tree_syscall(c, t);
	if (tree >= 0)
		return (enum core_verdict)tree;
	if (tamper_check_entry(c, t) || (flags & VIGIL_SC_QUIET))
		return CORE_CONTINUE; /* refused ones do not run */
	/* An open's path is looked at before it runs: tamper, prefilter. */
	bool decoded = (flags & VIGIL_SC_OPENS) && decode(c, t, false, 0);
	if (decoded && tamper_check_open(c, t, &c->ev)) {
		emit(c, t);
		return CORE_CONTINUE;
	}
	/* The exit names the file from the kernel (race.h): taken when a rule
	 * reads the result, and whenever another task could change the path.
	 * Under a notification sensor that exit costs a ptrace stop (three
	 * before Linux 5.19: notify/result.c), paid only by processes that can
	 * be raced. */
	bool race_check = decoded && race_possible(t->proc);
	if (core_result_wanted(&c->cfg, r->id, decoded ? &c->ev : NULL) || race_check) {
		if (decoded)
			race_open_entry(t, &c->ev);
		return CORE_WANT_RESULT;
	}
	if (decoded || decode(c, t, false, 0))
		emit(c, t);
	return CORE_CONTINUE;
}

/* The exec event: after success (new image) or failure (the caller). */
static void emit_exec(struct sensor_core *c, struct sensor_task *t, long res, enum vigil_tamper why)
{
	begin(c, VIGIL_EV_SYSCALL);
	c->ev.tamper = (uint8_t)why;
	c->ev.type = t->rec.id == VIGIL_SC_EXECVEAT ? VIGIL_SC_EXECVEAT : VIGIL_SC_EXECVE;
	c->ev.arch = (uint8_t)t->rec.arch;
	c->ev.has_res = 1;
	c->ev.res = res;
	vigil_event_arg_cstr(&c->ev, "filename", t->exec_filename); /* absent if unreadable */
	emit(c, t);
	free(t->exec_filename);
	t->exec_filename = NULL;
}

void core_syscall_exit(struct sensor_core *c, struct sensor_task *t, long res)
{
	int id = t->rec.id;
	resolver_settled(&c->resolver, &t->resolve);
	if (id == VIGIL_SC_EXECVE || id == VIGIL_SC_EXECVEAT) {
		if (!t->rec.exec_done && res != 0) /* a success was reported at its exec */
			emit_exec(c, t, res, VIGIL_TAMPER_NONE);
	} else if (!(vigil_syscall_flags(id) & VIGIL_SC_QUIET) && decode(c, t, true, res)) {
		c->ev.tamper = (uint8_t)race_open_exit(t, &c->ev, res);
		emit(c, t);
	}
	race_open_forget(t);
}

void core_syscall_unfinished(struct sensor_core *c, struct sensor_task *t)
{
	int id = t->rec.id;
	race_open_forget(t);
	if (id == VIGIL_SC_EXECVE || id == VIGIL_SC_EXECVEAT || id == VIGIL_SC_CLONE3)
		return; /* their events come from the tree (exec, fork events) */
	if (!(vigil_syscall_flags(id) & VIGIL_SC_QUIET) && decode(c, t, false, 0))
		emit(c, t);
}

/*
 * A successful exec. Everything about the new image is the kernel's: comm
 * from /proc/PID/status (read anyway: setuid bits and file capabilities
 * apply at exec), the exe link, argv from the new stack. The path read at
 * the entry only names the event's filename, and is checked (race.h).
 */
void core_exec_done(struct sensor_core *c, struct sensor_task *t, struct exec_argv *argv)
{
	resolver_settled(&c->resolver, &t->resolve);
	struct proc *p = t->proc;
	char comm[64] = "";
	if (procinfo_read_ids(p, t->tid, comm, sizeof(comm)) != 0)
		p->ids_stale = true;
	p->vm_shared = p->vfork_child = false; /* a new address space, its own */
	enum vigil_tamper why = VIGIL_TAMPER_NONE;
	struct proc_image *img = procinfo_read_image(t->tid, comm, argv);
	if (img && !t->exec_filename && c->entries_unseen) {
		t->exec_filename = img->exepath ? strdup(img->exepath) : NULL;
		proc_set_image(p, img);
		image_unref(img);
	} else if (img) {
		why = race_exec_check(t, img);
		proc_set_image(p, img);
		image_unref(img);
	}
	emit_exec(c, t, 0, why);
	t->rec.exec_done = true;
}

void core_emit_fork(struct sensor_core *c, struct sensor_task *t, int syscall_id, pid_t child)
{
	resolver_settled(&c->resolver, &t->resolve);
	begin(c, VIGIL_EV_SYSCALL);
	c->ev.type = (uint16_t)syscall_id;
	c->ev.arch = NATIVE_ARCH;
	c->ev.has_res = 1;
	c->ev.res = (long)child;
	emit(c, t);
}

void core_emit_exit(struct sensor_core *c, struct sensor_task *t, int status)
{
	resolver_settled(&c->resolver, &t->resolve); /* it may have died inside one */
	if (t->tid != t->proc->pid)
		return;
	t->proc->exited = true;
	begin(c, VIGIL_EV_PROCEXIT);
	c->ev.type = VIGIL_SC_PROCEXIT;
	c->ev.arch = NATIVE_ARCH;
	c->ev.has_res = 1;
	c->ev.exit_kind = WIFSIGNALED(status) ? 2 : 1;
	c->ev.res = WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status);
	emit(c, t);
}
