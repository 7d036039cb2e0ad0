/*
 * sync.c — when to ask for the same-CPU hand-off (notify_int.h).
 *
 * SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP wakes the supervisor on the notifying
 * task's CPU and the task, when answered, on the supervisor's: measured, a
 * third of the cost per notification for one process making calls
 * (test/bench/overhead, (b)), but a parallel build loses a CPU's worth of
 * parallelism to it (the notify floor compiles in 1.35x native with it,
 * 1.23x without), and so does vigil on a spawn loop (its analyzer runs
 * beside it: 1000 fork+exec 964 ms with it, 892 ms without). So it is on
 * while one process makes the calls: a window of 64 notifications with
 * two changes of caller or more turns it off, a window with at most one
 * (the window's edge) turns it back on. The flag can be changed on a live
 * listener; a switch costs one ioctl.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vigil/log.h"
#include "sensor/notify/notify_int.h"

#define WINDOW 64
#define CHANGES 2

static void set_sync(struct notify_sensor *ns, bool on)
{
	uint64_t flags = on ? SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP : 0;
	if (ioctl(ns->listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS, flags) != 0) {
		LOG_DEBUG("switching the synchronous wake-up %s: %s", on ? "on" : "off",
			  strerror(errno));
		return;
	}
	ns->sync.on = on;
	LOG_DEBUG("synchronous wake-up %s: calls from %s", on ? "on" : "off",
		  on ? "one process" : "several processes");
}

void notify_sync_observe(struct notify_sensor *ns, pid_t pid)
{
	if (!ns->sync_active)
		return; /* the kernel has none, or it was switched off (VIGIL_NOTIFY_SYNC=0) */
	if (pid != ns->sync.last) {
		ns->sync.last = pid;
		ns->sync.changes++;
	}
	if (++ns->sync.seen < WINDOW)
		return;
	if (ns->sync.on && ns->sync.changes >= CHANGES)
		set_sync(ns, false);
	else if (!ns->sync.on && ns->sync.changes < CHANGES)
		set_sync(ns, true);
	ns->sync.seen = ns->sync.changes = 0;
}
