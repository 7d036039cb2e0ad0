/*
 * seccomp_vet.h — the program's own seccomp filters, checked before the
 * kernel installs them.
 *
 * A filter of the program's could hide syscalls from vigil: one returning
 * SECCOMP_RET_USER_NOTIF with a listener outranks vigil's SECCOMP_RET_TRACE
 * (the program's own thread answers, vigil never stops), and one returning
 * SECCOMP_RET_TRACE puts its own data in vigil's stops. Plain filters
 * (ALLOW, ERRNO, KILL, TRAP, LOG: browsers, systemd services, language
 * runtimes) are let through.
 */
#ifndef VIGIL_SENSOR_SECCOMP_VET_H
#define VIGIL_SENSOR_SECCOMP_VET_H

#include <linux/filter.h>
#include <stdbool.h>

#include "sensor/sensor.h"

enum seccomp_verdict {
	SECCOMP_VET_ALLOW = 0, /* not a filter, or one that cannot hide anything */
	SECCOMP_VET_HOSTILE,   /* a listener, or a return that is or may be TRACE/USER_NOTIF */
	SECCOMP_VET_EINVAL,    /* malformed: the kernel would refuse it too */
	SECCOMP_VET_EFAULT,    /* unreadable: the kernel would refuse it too */
};

/* At the entry of seccomp(2) or prctl(PR_SET_SECCOMP) (r), reading its program through m. */
enum seccomp_verdict seccomp_vet(const struct sensor_record *r, struct sensor_mem *m);
/* Every return of the program is a constant action that cannot hide a syscall. */
bool seccomp_program_harmless(const struct sock_filter *insns, unsigned len);

#endif
