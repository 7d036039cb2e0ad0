/*
 * sensor.h — the seam between the supervisor and a sensing mechanism.
 *
 * As the sinks sit behind sink_ops (ship/ship.h) and redis's event loop
 * behind one table per OS, each mechanism (ptrace; seccomp user
 * notification) is a `struct sensor` with a table of operations. The
 * mechanism-neutral work (state refresh, tamper checks, "is the result
 * wanted", decode, emit) lives once, in the core (core.h), which reaches a
 * tracee only through these operations and the memory reader.
 */
#ifndef VIGIL_SENSOR_H
#define VIGIL_SENSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sensor/record.h"
#include "sensor/resolve.h"

struct proc;
struct sensor_core;

/*
 * Tracee memory. read_upto reads up to `len` bytes at `addr` of thread
 * `tid`, stopping at the first unreadable page: the bytes read, or -1 when
 * not even the first could be. Tests back it with a local buffer.
 */
struct sensor_mem {
	ssize_t (*read_upto)(struct sensor_mem *m, pid_t tid, uint64_t addr, void *buf, size_t len);
	uint64_t errors; /* reads that failed (vigil.read_errors) */
};

/* Exactly `len` bytes; 0, or -1 (counted in m->errors). */
int sensor_read(struct sensor_mem *m, pid_t tid, uint64_t addr, void *buf, size_t len);
/*
 * A NUL-terminated string into buf (size >= 1): its length (< size, buf
 * NUL-terminated), or -1 when unreadable or without a NUL within size bytes
 * (the kernel fails such a call: never a truncation).
 */
ssize_t sensor_read_str(struct sensor_mem *m, pid_t tid, uint64_t addr, char *buf, size_t size);

/* What the core knows of one thread; a mechanism embeds it in its own. */
struct sensor_task {
	pid_t tid;
	struct proc *proc;
	struct sensor_record rec;    /* the syscall in progress */
	char *exec_filename;	     /* evt.arg.filename of an exec in progress */
	struct resolve_task resolve; /* is its root vigil's (path resolution) */
	/* An open whose exit is checked (race.h): its fd.name and its path as
	 * read at entry (NULL: unreadable). */
	bool open_pending;
	char *open_name, *open_arg;
};

struct sensor;

struct sensor_ops {
	const char *name;
	/* The seccomp action for traced syscalls (SECCOMP_RET_TRACE, ...). */
	uint32_t filter_action;
	/* After fork, before the child installs the filter: watch `child`.
	 * 0, or -1 (errno) when it cannot be watched (it then runs untraced). */
	int (*attach)(struct sensor *s, pid_t child);
	/* One waitpid() report; true when it was the sensor's (consumed). */
	bool (*dispatch)(struct sensor *s, pid_t pid, int status);
	/* Nanoseconds (monotonic) until `tick` has work, 0 = none; and the tick. */
	uint64_t (*due)(struct sensor *s, uint64_t now);
	void (*tick)(struct sensor *s, uint64_t now);
	/* Make the syscall `t` is in return `result` without running it. */
	bool (*refuse)(struct sensor *s, struct sensor_task *t, long result);
	/* Every watched thread (fn may not remove it), and how many there are. */
	void (*foreach_task)(struct sensor *s, void (*fn)(struct sensor_task *t, void *ctx),
			     void *ctx);
	size_t (*task_count)(struct sensor *s);
	/*
	 * Seccomp user notification (NULL/false for ptrace): the child installs
	 * the filter with a listener and hands it over; the loop then polls
	 * `poll_fd` beside SIGCHLD instead of blocking in waitpid(), and calls
	 * `on_readable` when it is readable.
	 */
	bool wants_listener;
	int (*adopt_listener)(struct sensor *s, int fd, bool wait_killable);
	int (*poll_fd)(struct sensor *s);
	void (*on_readable)(struct sensor *s);
	/*
	 * Block until one notification is taken and answered (1), or a signal
	 * cancelled the wait (0: see vigil/cancelpoint.h); -1 when the
	 * listener is unusable. The loop uses it where the architecture has
	 * the cancellable wait (cancelpoint_supported), and polls elsewhere.
	 */
	int (*wait_one)(struct sensor *s);
};

struct sensor {
	const struct sensor_ops *ops;
	struct sensor_mem *mem;
	struct sensor_core *core;
};

#endif
