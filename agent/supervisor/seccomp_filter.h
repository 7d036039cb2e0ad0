/* seccomp_filter.h — the BPF program that decides which syscalls stop. */
#ifndef VIGIL_SECCOMP_FILTER_H
#define VIGIL_SECCOMP_FILTER_H

#include <linux/filter.h>
#include <stdbool.h>
#include "vigil/syscalls.h"

struct seccomp_prog {
	struct sock_filter insns[1024];
	unsigned short len;
};

/*
 * Build the filter for `set`: SECCOMP_RET_TRACE (with the vigil syscall id
 * in the data bits) for every syscall in the set on every x86/arm ABI,
 * SECCOMP_RET_ALLOW for the rest. Unknown ABIs and the x32 range are traced
 * whole: nothing foreign is ever allowed unseen. Returns 0 or -1 (too big).
 */
int seccomp_build(const vigil_sc_set *set, struct seccomp_prog *prog);
/* True when the filter traces `id` when its argument check says so. */
bool seccomp_arg_traced(const vigil_sc_set *set, int id);
/* True when installing needs no_new_privs (no CAP_SYS_ADMIN). */
bool seccomp_needs_no_new_privs(void);
/* Install it in the calling process (sets no_new_privs when it must). */
int seccomp_install(const struct seccomp_prog *prog);

#endif
