/*
 * decode.h — a syscall record into Falco-named event fields (docs/events.md).
 *
 * Decoders see a record, the process model and tracee memory through the
 * sensor's reader, never a mechanism: the same table serves every sensor,
 * and tests run it over a reader backed by a local buffer. One small
 * decoder per syscall family (strace's way), chosen by a table indexed by
 * syscall id (table.c). Anything that cannot be read is left absent, never
 * guessed.
 */
#ifndef VIGIL_SENSOR_DECODE_H
#define VIGIL_SENSOR_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vigil/event.h"
#include "sensor/proc.h"
#include "sensor/resolve.h"
#include "sensor/sensor.h"

struct decode_ctx {
	const struct sensor_record *rec;
	struct sensor_mem *mem;
	struct proc *proc; /* cwd for relative paths, pid for /proc/PID/fd */
	bool has_res;	   /* at the exit: res is the result */
	long res;
	struct resolver *rs;	 /* paths as the kernel resolves them; NULL: lexically */
	struct resolve_task *rt; /* the thread's cache (may be NULL) */
};

typedef void (*decode_fn)(struct vigil_event *ev, const struct decode_ctx *c);

/*
 * Fill evt.type, evt.arg.*, fd.* for c->rec. Returns false if the syscall
 * is not an event by itself (no decoder).
 */
bool decode_syscall(struct vigil_event *ev, const struct decode_ctx *c);

/* proc.* / user.* / thread.* of p (thread tid); `root` ends every ancestor chain.
 * Stale caches are the caller's to refresh first. */
void decode_proc(struct vigil_event *ev, const struct proc *p, pid_t tid, const struct proc *root);

/* proc.stdin.* / proc.stdout.* of pid, stopped at its exec (stdio.c). */
void decode_exec_stdio(struct vigil_event *ev, pid_t pid);

/* Shared by the decoders (path.c). */
#define DECODE_PATH_FD_NAME 0x1u  /* the path is fd.name too */
#define DECODE_PATH_NOFOLLOW 0x2u /* the syscall does not follow a trailing symlink */
#define DECODE_PATH_IN_ROOT 0x4u  /* openat2 RESOLVE_IN_ROOT/BENEATH: dirfd is the root */
/* A path argument, resolved against dirfd, as evt.arg.KEY (flags: DECODE_PATH_*). */
bool decode_path_arg(struct vigil_event *ev, const struct decode_ctx *c, const char *key,
		     long dirfd, uint64_t addr, unsigned flags);
/* An fd argument: evt.arg.KEY, fd.num, and fd.name from /proc/TGID/task/TID/fd. */
void decode_fd_arg(struct vigil_event *ev, const struct decode_ctx *c, const char *key, long fd);
/* The path the kernel will use for `path` relative to dirfd (resolve.h),
 * relative to vigil's root; lexical when the kernel cannot be asked. */
void decode_resolve_path(const struct decode_ctx *c, long dirfd, const char *path, unsigned flags,
			 char *out, size_t size);
/* evt.arg.KEY as an octal mode (0755). */
void decode_mode_arg(struct vigil_event *ev, const char *key, uint64_t mode);
/* A string argument (bounded by size) as evt.arg.KEY, when readable. */
void decode_str_arg(struct vigil_event *ev, const struct decode_ctx *c, const char *key,
		    uint64_t addr, size_t size);

#define DECODER(name) void decode_##name(struct vigil_event *ev, const struct decode_ctx *c)
/* The decoders of the table (table.c), one per syscall or shape of arguments. */
/* open.c */
DECODER(open);
DECODER(creat);
DECODER(openat);
DECODER(openat2);
DECODER(open_by_handle_at);
/* files.c */
DECODER(unlink);
DECODER(rmdir);
DECODER(unlinkat);
DECODER(rename);
DECODER(renameat);
DECODER(symlink);
DECODER(symlinkat);
DECODER(mkdir);
DECODER(mkdirat);
DECODER(chmod);
DECODER(fchmodat);
DECODER(fchmod);
DECODER(chown);
DECODER(fchownat);
DECODER(fchown);
/* net.c */
DECODER(connect);
DECODER(accept);
DECODER(listen);
DECODER(send);
DECODER(socket);
/* mount.c */
DECODER(mount);
DECODER(open_tree);
DECODER(move_mount);
DECODER(fsopen);
DECODER(fsmount);
DECODER(fspick);
/* misc.c */
DECODER(ids);
DECODER(ptrace);
DECODER(memfd_create);
DECODER(umount2);
DECODER(init_module);
DECODER(finit_module);
DECODER(bpf);
DECODER(dup);
DECODER(dup2);
DECODER(io_uring_setup);
DECODER(no_args);
#undef DECODER

#endif
