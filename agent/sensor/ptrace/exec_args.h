/* exec_args.h — argv of a task stopped at PTRACE_EVENT_EXEC, from its stack. */
#ifndef VIGIL_EXEC_ARGS_H
#define VIGIL_EXEC_ARGS_H

#include <stdbool.h>
#include <sys/types.h>

#include "sensor/sensor.h"

/*
 * Copy the NUL-separated argument strings (as /proc/PID/cmdline has them)
 * into buf, at most size-1 bytes, NUL-terminated. Returns the length, or
 * -1 when they cannot be read this way (the caller falls back to /proc).
 * *truncated tells whether arguments were left out for want of room.
 * Only valid while the task is stopped at its exec event.
 */
ssize_t exec_read_args(struct sensor_mem *m, pid_t tid, char *buf, size_t size, bool *truncated);

#endif
