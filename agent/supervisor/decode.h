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

/* Socket address helpers (decode_net.c). */
void decode_sockaddr(struct vigil_event *ev, const void *sa, size_t len, bool is_peer);
const char *decode_af_name(int family);
const char *decode_socktype_name(int type);

/* Absolute, lexically normalized path of `path` relative to dirfd. */
void decode_resolve_path(struct task *t, long dirfd, const char *path, char *out, size_t size);

#endif
