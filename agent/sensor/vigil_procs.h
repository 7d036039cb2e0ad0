/*
 * vigil_procs.h — which pids, threads and process groups are vigil's own.
 *
 * Tamper checks ask this about the target of a signal, ptrace, memory or
 * pidfd syscall. A thread id counts as well as a process id: tkill, a
 * non-leader's /proc/TID/mem and rt_tgsigqueueinfo all reach a process
 * through any of its threads.
 */
#ifndef VIGIL_SENSOR_VIGIL_PROCS_H
#define VIGIL_SENSOR_VIGIL_PROCS_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * vigil's processes are the caller (the supervisor) and `other` (the
 * analyzer's pid, or -1 when none runs), passed in so that this file needs
 * nothing from the supervisor.
 */
/* pid is one of vigil's process ids or one of their thread ids. */
bool vigil_owns_pid(long pid, pid_t other);
/* pgid is the process group of one of vigil's processes. */
bool vigil_owns_pgrp(long pgid, pid_t other);
/* The pid a pidfd (or an fd of a /proc/PID directory) of tracee `tid` refers to, or -1. */
long vigil_fd_target_pid(pid_t tid, int fd);
/*
 * The path (as the tracee's open resolved it, absolute) names one of the
 * per-process files of a vigil process that give away its memory,
 * environment or descriptors: /proc/PID[/task/TID]/{mem,environ,fd,...}.
 */
bool vigil_owns_proc_path(const char *path, pid_t other);

#endif
