/* procinfo.h — read a process's facts from /proc (never its environment). */
#ifndef VIGIL_SENSOR_PROCINFO_H
#define VIGIL_SENSOR_PROCINFO_H

#include <stdbool.h>
#include <sys/types.h>

#include "sensor/proc.h"

/* argv of a new image as a sensor read it at the exec (NUL-separated, as
 * /proc/PID/cmdline has them; split in place). */
struct exec_argv {
	char *buf;
	size_t len;
	bool truncated; /* arguments were left out for want of room */
};

/* Build a fresh image for `pid` after exec: comm, argv, /proc/PID/exe.
 * `comm` is the kernel's (procinfo_read_ids read it at the exec), or NULL:
 * /proc/PID/comm. Never derived from the path vigil read at the exec's
 * entry: a second thread can change that before the kernel reads it.
 * `argv`: the arguments when the sensor could read them (ptrace: from the
 * new stack at the exec event), else NULL: /proc/PID/cmdline. */
struct proc_image *procinfo_read_image(pid_t pid, const char *comm, struct exec_argv *argv);
/* Refresh uid/gid/caps (/proc/PID/status): they change at exec and set*id.
 * `comm` (or NULL): the status's Name, the kernel's comm, is stored there. */
int procinfo_read_ids(struct proc *p, pid_t tid, char *comm, size_t comm_size);
/* Refresh sid/pgid/tty/loginuid: they change at setsid/setpgid, never at exec. */
int procinfo_read_session(struct proc *p, pid_t tid);
/* Refresh the cwd (readlink /proc/PID/cwd). */
int procinfo_read_cwd(struct proc *p);
/* readlink /proc/PID/task/TID/fd/FD (thread TID's own fd table: it may have
 * unshared it) into buf (NUL-terminated); -1 if it cannot. */
int procinfo_fd_path(pid_t pid, pid_t tid, int fd, char *buf, size_t size);

#endif
