/* filter.h — the BPF program that decides which syscalls reach the sensor. */
#ifndef VIGIL_SENSOR_SECCOMP_FILTER_H
#define VIGIL_SENSOR_SECCOMP_FILTER_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stdint.h>
#include "vigil/syscalls.h"

struct seccomp_prog {
	struct sock_filter insns[1024];
	unsigned short len;
};

/*
 * Build the filter for `set`: `action` for every syscall in the set on
 * every x86/arm ABI, SECCOMP_RET_ALLOW for the rest. Unknown ABIs and the
 * x32 range get `action` whole: nothing foreign is ever allowed unseen.
 * The sensor chooses the action: SECCOMP_RET_TRACE (the vigil syscall id
 * goes in its data bits), SECCOMP_RET_USER_NOTIF, or SECCOMP_RET_ERRNO|e
 * to refuse the set. Returns 0 or -1 (too big).
 */
int seccomp_build(const vigil_sc_set *set, uint32_t action, struct seccomp_prog *prog);
/* True when the filter traces `id` when its argument check says so. */
bool seccomp_arg_traced(const vigil_sc_set *set, int id);
/* True when installing needs no_new_privs (no CAP_SYS_ADMIN). */
bool seccomp_needs_no_new_privs(void);
/* Install it in the calling process (sets no_new_privs when it must). */
int seccomp_install(const struct seccomp_prog *prog);
/* The same with a user-notification listener: its descriptor, or -1.
 * *wait_killable: a notified task, once its notification is read, waits
 * for the answer killable only (Linux >= 5.19), so a ptrace interrupt
 * queued before the answer stops it at the syscall's return (notify/result.c). */
int seccomp_install_listener(const struct seccomp_prog *prog, bool *wait_killable);
/* The vigil ABI (enum vigil_arch) of a seccomp_data arch (AUDIT_ARCH_*) and nr. */
int seccomp_arch_of(uint32_t audit_arch, uint64_t nr);

#endif
