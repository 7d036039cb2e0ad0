/* notify_int.h — the notify sensor's state; only agent/sensor/notify/ sees it. */
#ifndef VIGIL_SENSOR_NOTIFY_INT_H
#define VIGIL_SENSOR_NOTIFY_INT_H

#include <linux/seccomp.h>
#include <stdbool.h>
#include <stdint.h>

#include "sensor/ptrace/ptrace_int.h"

/* Linux 6.6 uapi, absent from older headers. */
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

struct notify_sensor {
	struct ptrace_sensor ps; /* first: the process tree is ptrace's */
	int listener;		 /* -1 until the child hands it over, or after it hung up */
	bool want_sync, sync_active;
	/* The same-CPU hand-off packs the tasks it wakes onto the supervisor's
	 * CPU: a gain while one process makes the calls, a loss when several
	 * do (a build, a spawn loop). sync.c switches it by what the last
	 * notifications show. */
	struct {
		bool on;		/* as set on the listener now */
		pid_t last;		/* the process of the last notification */
		unsigned seen, changes; /* in the current window */
	} sync;
	/* A result costs one stop (interrupt queued, then "continue"), not
	 * three: the listener's tasks wait killable (result.c). */
	bool result_after;
	/* The notification being answered, and whether it was (refused). */
	uint64_t current_id;
	bool responded;
};

/* sensor.c: PTRACE_SEIZE with the notify sensor's options; 0 or -1. */
int notify_seize(pid_t tid);
/* notif.c: take every queued notification (bounded), answer each. */
void notify_drain(struct notify_sensor *ns);
/* sync.c: one notification from process `pid`: switch the hand-off if due. */
void notify_sync_observe(struct notify_sensor *ns, pid_t pid);
/* notif.c: block for one notification and answer it (sensor_ops.wait_one). */
int notify_wait_one(struct notify_sensor *ns);
/* result.c: take the current call to its exit stop; false if impossible.
 * The caller answers the notification afterwards (it may be withdrawn). */
bool notify_result_start(struct notify_sensor *ns, struct task *t);
/* result.c: t's notification after a restart: answered here (true), or a new call. */
bool notify_result_renotified(struct notify_sensor *ns, struct task *t, long nr);
/* notif.c: answer the current notification. */
void notify_respond(struct notify_sensor *ns, int64_t val, int32_t error, uint32_t flags);

#endif
