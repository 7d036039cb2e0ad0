/*
 * proctable.h — what the supervisor knows about each traced task.
 *
 * A task is a thread (tid); a proc is a thread group (pid). A proc keeps a
 * reference to its parent proc, so the ancestor chain (proc.aname[N]) stays
 * readable after ancestors exit, for exactly as long as a descendant lives.
 * Fork shares the parent's image (name, exe, args) until the child execs.
 */
#ifndef VIGIL_PROCTABLE_H
#define VIGIL_PROCTABLE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* What exec sets: shared by a parent and its forked children until exec. */
struct proc_image {
	int refs;
	char *name;     /* comm */
	char *exe;      /* argv[0] */
	char *exepath;  /* /proc/PID/exe */
	char *args;     /* argv[1..] joined by spaces, bounded */
	char *cmdline;  /* "name args", built once for proc.pcmdline */
	bool from_memfd;
	bool args_truncated; /* argv was longer than `args` keeps (vigil.args_truncated) */
};

struct proc {
	pid_t pid;
	int refs;       /* live tasks + child procs that point here */
	bool exited;
	uint64_t start_ns;   /* creation time, CLOCK_REALTIME ns */
	bool ids_stale;      /* uid/gid/caps need a re-read (exec, set*id) */
	bool session_stale;  /* sid/pgid/tty/loginuid need a re-read (setsid, setpgid) */
	bool cwd_stale;
	bool foreign_trace_reported; /* a stop no filter of vigil's asked for was reported */
	bool parent_guessed; /* the creator was never seen: `parent` is a fallback */
	struct proc *parent;
	struct proc_image *image;
	char *cwd;      /* with a trailing '/', as proc.cwd shows it */
	uint32_t uid, gid, euid, egid;
	int64_t loginuid;
	uint64_t cap_effective, cap_permitted, cap_inheritable;
	int32_t sid, pgid;
	uint32_t tty;
};

/* Per-task tracer state. */
enum task_wait {
	TASK_RUNNING = 0,
	TASK_STARTUP,       /* auto-attached, its first PTRACE_EVENT_STOP not seen yet */
	TASK_IN_SYSCALL,    /* exit stop requested for `pending` */
};

struct pending_syscall {
	int id;           /* enum vigil_syscall */
	int arch;         /* enum vigil_arch */
	long nr;
	uint64_t args[6];
	bool forked;      /* a fork/clone event was seen during it */
	bool exec_done;   /* the exec succeeded (its event is already out) */
	bool id_clone3_flags_known;
	uint64_t clone3_flags; /* read at clone3's entry (CLONE_THREAD, CLONE_UNTRACED) */
};

struct task {
	pid_t tid;
	enum task_wait wait;
	bool group_stopped;
	struct proc *proc;
	struct pending_syscall pending;
	char *exec_filename;  /* evt.arg.filename of an exec in progress */
};

int proctable_init(void);
struct task *task_find(pid_t tid);
/* Create a task (and, if `proc` is NULL, a fresh proc with `parent`). */
struct task *task_add(pid_t tid, struct proc *proc, struct proc *parent);
void task_remove(struct task *t);
/* Move a task to a new tid (exec from a non-leader thread). */
struct task *task_rekey(struct task *t, pid_t new_tid);
size_t task_count(void);
/* Visit every task (e.g. to detach or kill at exit). */
void task_foreach(void (*fn)(struct task *t, void *ctx), void *ctx);

struct proc *proc_new(pid_t pid, struct proc *parent);
void proc_ref(struct proc *p);
void proc_unref(struct proc *p);
void proc_set_image(struct proc *p, struct proc_image *img);

struct proc_image *image_new(void);
void image_unref(struct proc_image *img);

#endif
