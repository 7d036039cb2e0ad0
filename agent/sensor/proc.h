/*
 * proc.h — the process model: what vigil knows about each traced process,
 * whichever sensor watches it.
 *
 * A proc is a thread group (pid); the threads belong to the sensor
 * (sensor_task). A proc keeps a
 * reference to its parent proc, so the ancestor chain (proc.aname[N]) stays
 * readable after ancestors exit, for exactly as long as a descendant lives.
 * Fork shares the parent's image (name, exe, args) until the child execs.
 */
#ifndef VIGIL_SENSOR_PROC_H
#define VIGIL_SENSOR_PROC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* What exec sets: shared by a parent and its forked children until exec. */
struct proc_image {
	int refs;
	char *name;    /* comm */
	char *exe;     /* argv[0] */
	char *exepath; /* /proc/PID/exe */
	char *args;    /* argv[1..] joined by spaces, bounded */
	char *cmdline; /* "name args", built once for proc.pcmdline */
	bool from_memfd;
	bool args_truncated; /* argv was longer than `args` keeps (vigil.args_truncated) */
};

struct proc {
	pid_t pid;
	int refs; /* live tasks + child procs that point here */
	bool exited;
	uint64_t start_ns;  /* creation time, wall clock ns (a date) */
	bool ids_stale;	    /* uid/gid/caps need a re-read (exec, set*id) */
	bool session_stale; /* sid/pgid/tty/loginuid need a re-read (setsid, setpgid) */
	bool cwd_stale;
	bool foreign_trace_reported; /* a stop no filter of vigil's asked for was reported */
	bool parent_guessed;	     /* the creator was never seen: `parent` is a fallback */
	/*
	 * Who else can write this process's memory while one of its threads is
	 * in a syscall (race.h): its other threads (the sensor keeps `threads`,
	 * the live ones it watches), and `vm_shared`: another process shares
	 * its memory (clone(CLONE_VM) without CLONE_THREAD, vfork) or wrote it
	 * (process_vm_writev). Set by the sensor, cleared by exec (a new mm).
	 */
	uint32_t threads;
	bool vm_shared;
	bool vfork_child;   /* runs in its parent's memory (vfork) until it execs */
	bool race_reported; /* a path race was logged (events keep coming) */
	struct proc *parent;
	struct proc_image *image;
	char *cwd; /* with a trailing '/', as proc.cwd shows it */
	uint32_t uid, gid, euid, egid;
	int64_t loginuid;
	uint64_t cap_effective, cap_permitted, cap_inheritable;
	int32_t sid, pgid;
	uint32_t tty;
};

struct proc *proc_new(pid_t pid, struct proc *parent);
void proc_ref(struct proc *p);
void proc_unref(struct proc *p);
void proc_set_image(struct proc *p, struct proc_image *img);

struct proc_image *image_new(void);
void image_unref(struct proc_image *img);

#endif
