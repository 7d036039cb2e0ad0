/*
 * tamper.h — escapes and attacks on the tracer, refused and reported.
 *
 * clone/clone3 with CLONE_UNTRACED would start a process the tracer never
 * sees; ptrace, process_vm_readv/writev, pidfds, kcmp, /proc/PID/mem and
 * signals aimed at vigil's own processes would blind, rob or kill it; the
 * program's own seccomp filters could hide syscalls; io_uring can open
 * files and connect without syscalls a tracer sees. See the threat model
 * in docs/architecture.md.
 */
#ifndef VIGIL_TAMPER_H
#define VIGIL_TAMPER_H

#include <stdbool.h>
#include "vigil/event.h"
#include "supervisor/proctable.h"

/* At the seccomp stop. Returns true if the syscall was refused (EPERM)
 * or answered by vigil (kill(-1)): it does not run. */
bool tamper_check_entry(struct task *t);
/* An open whose decoded path (ev->fd.name) is vigil's own /proc files:
 * refused, and ev marked as a tamper event (true). */
bool tamper_check_open(struct task *t, struct vigil_event *ev);
/* --allow-io-uring: io_uring_setup runs (an ordinary event) instead of EPERM. */
void tamper_allow_io_uring(bool allow);
/* At clone3's exit stop: a child that no fork event announced is killed. */
void tamper_check_clone3_exit(struct task *t, long res);
/* i386 socketcall(call, args*): rewrite t->pending as the real syscall. */
bool tamper_unpack_socketcall(struct task *t);
/* stops.c: emit a tamper event for t->pending, or a plain event. */
void stops_emit_tamper(struct task *t, enum vigil_tamper why);
void stops_emit_plain(struct task *t);

#endif
