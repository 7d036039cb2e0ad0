/* decode.h — turn a stopped syscall into an event (fields per docs/events.md). */
#ifndef VIGIL_DECODE_H
#define VIGIL_DECODE_H

#include <stdbool.h>
#include "vigil/event.h"
#include "supervisor/proctable.h"

/* The supervisor's own pseudo-process: root of every ancestor chain. */
void decode_set_root(struct proc *root);

/* Fill proc.* / user.* / thread.* for task t (refreshing stale caches). */
void decode_proc(struct vigil_event *ev, struct task *t);

/*
 * Fill evt.type, evt.arg.*, fd.* for the syscall in t->pending. When
 * `has_res`, `res` is its return value (exit stop); otherwise the event is
 * entry-only. Returns false if the syscall is not an event by itself.
 */
bool decode_syscall(struct vigil_event *ev, struct task *t, bool has_res, long res);

/* A path argument, resolved against dirfd, as evt.arg.KEY (and fd.name). */
bool decode_path_arg(struct vigil_event *ev, struct task *t, const char *key, long dirfd,
		     uint64_t addr, bool set_fd_name);
/* An fd argument: evt.arg.KEY, fd.num, and fd.name from /proc/PID/fd. */
void decode_fd_arg(struct vigil_event *ev, struct task *t, const char *key, long fd);

/* mount and the new mount API (decode_mount.c); false if `id` is not one. */
bool decode_mount_ops(struct vigil_event *ev, struct task *t, int id, const uint64_t *a);

/* proc.stdin.* / proc.stdout.* of pid, stopped at its exec (decode_stdio.c). */
void decode_exec_stdio(struct vigil_event *ev, pid_t pid);

/* Socket address helpers (decode_net.c). */
void decode_sockaddr(struct vigil_event *ev, const void *sa, size_t len, bool is_peer);
/* The same for a sockaddr in tracee memory (len bounded here). */
void decode_sockaddr_at(struct vigil_event *ev, struct task *t, uint64_t addr, uint64_t len,
			bool is_peer);
/* sendto/sendmsg/sendmmsg: the destination, as connect has it (fd.dip/dport). */
void decode_send(struct vigil_event *ev, struct task *t, int id, const uint64_t *a);
const char *decode_af_name(int family);
const char *decode_socktype_name(int type);

/* Absolute, lexically normalized path of `path` relative to dirfd. */
void decode_resolve_path(struct task *t, long dirfd, const char *path, char *out, size_t size);

#endif
