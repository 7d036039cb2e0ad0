/*
 * notify.h — the seccomp user-notification sensor.
 *
 * Traced syscalls stop in the kernel's notification queue instead of a
 * ptrace stop: the supervisor reads the call from the listener descriptor
 * and answers "continue" (or refuses it with an errno), with no context
 * switch through ptrace and, since Linux 6.6, with a same-CPU hand-off
 * (SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP). ptrace remains for what only it
 * tells exactly: who forked whom, the image an exec really loaded, and
 * exit statuses — the program is seized with fork, vfork and exec events,
 * but threads run unattached (their creation costs no stop).
 */
#ifndef VIGIL_SENSOR_NOTIFY_H
#define VIGIL_SENSOR_NOTIFY_H

#include <stdbool.h>

#include "sensor/sensor.h"

/* What this kernel offers (cheap probes, no child process). */
struct notify_support {
	bool available;	  /* SECCOMP_RET_USER_NOTIF with FLAG_CONTINUE (Linux >= 5.5) */
	bool sync_wakeup; /* SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (Linux >= 6.6) */
};
struct notify_support notify_probe(void);

/*
 * The notify sensor, bound to `core`; `sync_wakeup` asks for the same-CPU
 * hand-off (refused quietly by kernels without it: see notify_sync_active).
 */
struct sensor *notify_sensor_new(struct sensor_core *core, bool sync_wakeup);
/* Whether the listener runs with the synchronous wake-up. */
bool notify_sync_active(const struct sensor *s);

#endif
