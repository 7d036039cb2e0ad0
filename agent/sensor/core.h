/*
 * core.h — what every sensor does with a syscall, whatever stopped it.
 *
 * A mechanism fills t->rec and asks the core; the core refreshes the
 * process model, runs the tamper checks (refusing through the sensor's
 * `refuse`), decides whether the result is wanted (the open prefilter
 * included), decodes and emits. It never calls ptrace or reads a tracee
 * but through the sensor's memory reader.
 */
#ifndef VIGIL_SENSOR_CORE_H
#define VIGIL_SENSOR_CORE_H

#include <stdbool.h>
#include <sys/types.h>

#include "vigil/event.h"
#include "vigil/syscalls.h"
#include "sensor/procinfo.h"
#include "sensor/resolve.h"
#include "sensor/sensor.h"

struct prefilter;

struct core_config {
	bool results_all; /* --all-results: the result of every traced syscall */
	/* An exit costs the mechanism extra stops (notify): the syscalls whose
	 * result is the point (VIGIL_SC_RESULT) are taken only when in `results`. */
	bool exits_on_demand;
	bool allow_io_uring;  /* --allow-io-uring: io_uring_setup runs instead of EPERM */
	vigil_sc_set traced;  /* what the filter traces (seccomp_build's set) */
	vigil_sc_set results; /* syscalls whose result a rule reads */
	const struct prefilter *open_paths;   /* for opens in results: only these paths */
	void (*emit)(struct vigil_event *ev); /* where events go (the channel) */
	pid_t (*analyzer_pid)(void);	      /* vigil's other process (tamper checks) */
};

/* All of the core's state: one per supervisor. */
struct sensor_core {
	struct core_config cfg;
	struct proc *root;	  /* the supervisor's own entry: root of every ancestor chain */
	struct sensor *sensor;	  /* the mechanism, set by its constructor */
	struct vigil_event ev;	  /* one event at a time; too large for the stack */
	struct resolver resolver; /* path arguments as the kernel resolves them */
	/* No seccomp filter took (refused, --start-policy availability): the
	 * mechanism still reports forks and execs, never a syscall's entry, so
	 * an exec without its entry is no race. */
	bool entries_unseen;
};

enum core_verdict {
	CORE_CONTINUE = 0, /* let it run (or it was refused: it returns what refuse set) */
	CORE_WANT_RESULT,  /* report its exit to core_syscall_exit */
};

void core_init(struct sensor_core *c, const struct core_config *cfg, struct proc *root);
/* The filter stops `id` (whole, or when its argument says so). */
bool core_traced(const struct sensor_core *c, int id);
/*
 * Is the result of `id` wanted? `entry` is the decoded entry of an open
 * (else NULL): an open whose path matches no predicate of the rules that
 * read an open's result cannot change an alert, so its exit is not taken.
 */
bool core_result_wanted(const struct core_config *cfg, int id, const struct vigil_event *entry);

/* At the syscall's entry (t->rec filled by the mechanism). */
enum core_verdict core_syscall_entry(struct sensor_core *c, struct sensor_task *t);
/* At its exit, when core_syscall_entry wanted the result. */
void core_syscall_exit(struct sensor_core *c, struct sensor_task *t, long res);
/* The mechanism cannot see the exit it was asked for (seccomp notification):
 * the event as its entry tells it, without a result. */
void core_syscall_unfinished(struct sensor_core *c, struct sensor_task *t);
/* A successful exec: the new image (argv as the mechanism read it, or NULL). */
void core_exec_done(struct sensor_core *c, struct sensor_task *t, struct exec_argv *argv);
/* A child of t (fork/vfork/clone/clone3 by `syscall_id`). */
void core_emit_fork(struct sensor_core *c, struct sensor_task *t, int syscall_id, pid_t child);
/* Thread t is gone with wait status `status` (an event when it led its process). */
void core_emit_exit(struct sensor_core *c, struct sensor_task *t, int status);
/* An event for t->rec marked as tamper `why` (VIGIL_TAMPER_NONE: a plain one). */
void core_emit_tamper(struct sensor_core *c, struct sensor_task *t, enum vigil_tamper why);
/* Skip the syscall with `result` (the sensor's refuse). */
bool core_refuse(struct sensor_core *c, struct sensor_task *t, long result);

#endif
