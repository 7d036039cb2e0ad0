/*
 * tamper.h — escapes and attacks on the tracer, refused and reported.
 *
 * clone with CLONE_UNTRACED would start a process the tracer never sees
 * (clone3 never runs: the filter answers it ENOSYS); ptrace, process_vm_readv/writev, pidfds, kcmp, /proc/PID/mem and
 * signals aimed at vigil's own processes would blind, rob or kill it; the
 * program's own seccomp filters could hide syscalls; io_uring can open
 * files and connect without syscalls a tracer sees. See the threat model
 * in docs/architecture.md. Part of the core: refusals go through the
 * sensor's `refuse`, whatever the mechanism.
 */
#ifndef VIGIL_TAMPER_H
#define VIGIL_TAMPER_H

#include <stdbool.h>
#include "vigil/event.h"
#include "sensor/core.h"

/* At the syscall's entry. Returns true if the syscall was refused (EPERM)
 * or answered by vigil (kill(-1)): it does not run. */
bool tamper_check_entry(struct sensor_core *c, struct sensor_task *t);
/* An open whose decoded path (ev->fd.name) is vigil's own /proc files:
 * refused, and ev marked as a tamper event (true). */
bool tamper_check_open(struct sensor_core *c, struct sensor_task *t, struct vigil_event *ev);
/* i386 socketcall(call, args*): rewrite t->rec as the real syscall. */
bool tamper_unpack_socketcall(struct sensor_core *c, struct sensor_task *t);

#endif
