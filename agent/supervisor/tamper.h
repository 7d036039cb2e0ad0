/*
 * tamper.h — escapes and attacks on the tracer, refused and reported.
 *
 * clone/clone3 with CLONE_UNTRACED would start a process the tracer never
 * sees; ptrace, process_vm_writev and signals aimed at vigil's own
 * processes would blind or kill it; io_uring can open files and connect
 * without syscalls a tracer sees. See docs/architecture.md.
 */
#ifndef VIGIL_TAMPER_H
#define VIGIL_TAMPER_H

#include <stdbool.h>
#include "vigil/event.h"
#include "supervisor/proctable.h"

/* At the seccomp stop. Returns true if the syscall was refused (EPERM). */
bool tamper_check_entry(struct task *t);
/* At clone3's exit stop: a child that no fork event announced is killed. */
void tamper_check_clone3_exit(struct task *t, long res);
/* i386 socketcall(call, args*): rewrite t->pending as the real syscall. */
bool tamper_unpack_socketcall(struct task *t);
/* stops.c: emit a tamper event for t->pending. */
void stops_emit_tamper(struct task *t, enum vigil_tamper why);

#endif
