/*
 * tracee_path.h — a path as a traced thread would resolve it.
 *
 * vigil resolves paths in its own context; a traced thread has its own
 * root, cwd and descriptors (chroot, unshare(CLONE_FS/CLONE_FILES)), and
 * "/proc/self" names vigil to vigil. Rewriting the path through
 * /proc/PID/task/TID/{root,cwd,fd/N} makes the kernel walk it from the
 * thread's starting point. Symlinks inside that point at "/proc/self"
 * still resolve to vigil: close enough to compare objects, never to open
 * what the program opened.
 */
#ifndef VIGIL_SENSOR_TRACEE_PATH_H
#define VIGIL_SENSOR_TRACEE_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/* "/proc/PID" for the leader, "/proc/PID/task/TID" for another thread.
 * 0, or -1 when it does not fit. */
int tracee_task_dir(pid_t pid, pid_t tid, char *out, size_t size);
/*
 * `path` (relative to `dirfd`, AT_FDCWD: the cwd; "" names dirfd itself)
 * as thread tid of process pid sees it, into out. 0, or -1 when it does
 * not fit.
 */
int tracee_path(pid_t pid, pid_t tid, int dirfd, const char *path, char *out, size_t size);
/* stat(2) of that path (following symlinks, as open and exec do). */
int tracee_stat(pid_t pid, pid_t tid, int dirfd, const char *path, struct stat *st);
/* Two stat results are the same file. */
bool tracee_same_file(const struct stat *a, const struct stat *b);

#endif
