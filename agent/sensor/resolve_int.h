/* resolve_int.h — what resolve.c and resolve_walk.c share (nothing else may). */
#ifndef VIGIL_SENSOR_RESOLVE_INT_H
#define VIGIL_SENSOR_RESOLVE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "sensor/resolve.h"

/* openat2(dirfd, path, flags | O_PATH | O_CLOEXEC, resolve): an fd or -1 (errno). */
int resolve_openat2(int dirfd, const char *path, uint64_t flags, uint64_t resolve);
/* Open /proc/TGID/task/TID/WHAT (root, cwd, fd/N): the kernel follows the link. */
int resolve_open_task(const struct resolve_req *q, const char *what);
/* The kernel's name of our fd (readlink /proc/self/fd/FD): 0, or -1. */
int resolve_fd_name(const struct resolver *r, int fd, char *out, size_t size);
/* fd is on a procfs (where "self" means the reader, and magic links live). */
bool resolve_on_procfs(int fd);

/*
 * Walk q->path one component at a time from `start`, with `root` as the
 * tracee's root (absolute symlinks start there, ".." stops there), doing
 * what the kernel does for the tracee: /proc's self and thread-self are
 * the tracee's, magic links are followed by the kernel. 0 with the name in
 * out, or -1 (the caller falls back to a lexical name).
 */
int resolve_walk(const struct resolver *r, const struct resolve_req *q, int root, int start,
		 char *out, size_t size);

#endif
