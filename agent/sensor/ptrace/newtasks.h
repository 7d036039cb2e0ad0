/*
 * newtasks.h — registering tasks the kernel auto-attached (fork, clone).
 *
 * A new child's first stop and its creator's fork event arrive in either
 * order. When the child comes first it is parked (left stopped) until the
 * creator's event says who its parent is and whether it is a thread, which
 * costs nothing; only a child whose creator never reports (killed at that
 * moment) is identified from /proc after a short delay.
 */
#ifndef VIGIL_NEWTASKS_H
#define VIGIL_NEWTASKS_H

#include <stdbool.h>
#include <stdint.h>

struct ptrace_sensor;
struct task;

/* First stop of an unknown pid: park it. */
void newtasks_park(struct ptrace_sensor *ps, pid_t pid, uint64_t now_ns);
/* Forget a parked pid that went away. Returns true if it was parked. */
bool newtasks_forget(struct ptrace_sensor *ps, pid_t pid);
/* The creator's fork/vfork/clone event for `child`; returns its task. */
struct task *newtasks_from_event(struct ptrace_sensor *ps, struct task *creator, pid_t child,
				 int event);
/* Identify children parked too long from /proc, and start them. */
void newtasks_expire(struct ptrace_sensor *ps, uint64_t now_ns);
/* Nanoseconds until newtasks_expire has work, 0 if none. */
uint64_t newtasks_due(struct ptrace_sensor *ps, uint64_t now_ns);

#endif
