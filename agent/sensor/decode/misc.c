/* misc.c — credentials, ptrace, memfd, modules, bpf, dup, io_uring, clone. */
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/ptrace.h>

#include "vigil/syscalls.h"
#include "sensor/decode/decode.h"

/* set*uid / set*gid: the ids by their Falco names. */
void decode_ids(struct vigil_event *ev, const struct decode_ctx *c)
{
	static const struct {
		int id;
		const char *keys[3];
	} names[] = {
		{VIGIL_SC_SETUID, {"uid"}},
		{VIGIL_SC_SETGID, {"gid"}},
		{VIGIL_SC_SETREUID, {"ruid", "euid"}},
		{VIGIL_SC_SETREGID, {"rgid", "egid"}},
		{VIGIL_SC_SETRESUID, {"ruid", "euid", "suid"}},
		{VIGIL_SC_SETRESGID, {"rgid", "egid", "sgid"}},
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (names[i].id != c->rec->id)
			continue;
		for (int k = 0; k < 3 && names[i].keys[k]; k++)
			vigil_event_arg_int(ev, names[i].keys[k], (int32_t)c->rec->args[k]);
	}
}

static const char *ptrace_request_name(long req)
{
	switch (req) {
	case PTRACE_TRACEME: return "PTRACE_TRACEME";
	case PTRACE_PEEKTEXT: return "PTRACE_PEEKTEXT";
	case PTRACE_PEEKDATA: return "PTRACE_PEEKDATA";
	case PTRACE_POKETEXT: return "PTRACE_POKETEXT";
	case PTRACE_POKEDATA: return "PTRACE_POKEDATA";
	case PTRACE_CONT: return "PTRACE_CONT";
	case PTRACE_KILL: return "PTRACE_KILL";
	case PTRACE_ATTACH: return "PTRACE_ATTACH";
	case PTRACE_DETACH: return "PTRACE_DETACH";
	case PTRACE_SEIZE: return "PTRACE_SEIZE";
#if defined(__x86_64__) /* requests 12 and 13 exist on x86 only */
	case PTRACE_SETREGS: return "PTRACE_SETREGS";
	case PTRACE_GETREGS: return "PTRACE_GETREGS";
#endif
	default: return NULL;
	}
}

void decode_ptrace(struct vigil_event *ev, const struct decode_ctx *c)
{
	const uint64_t *a = c->rec->args;
	const char *req = ptrace_request_name((long)a[0]);
	if (req)
		vigil_event_arg_cstr(ev, "request", req);
	else
		vigil_event_arg_int(ev, "request", (long long)a[0]);
	vigil_event_arg_int(ev, "pid", (int)a[1]);
}

void decode_memfd_create(struct vigil_event *ev, const struct decode_ctx *c)
{
	decode_str_arg(ev, c, "name", c->rec->args[0], 256);
	vigil_event_arg_int(ev, "flags", (int)c->rec->args[1]);
}

void decode_umount2(struct vigil_event *ev, const struct decode_ctx *c)
{
	decode_path_arg(ev, c, "name", AT_FDCWD, c->rec->args[0],
			(c->rec->args[1] & UMOUNT_NOFOLLOW) ? DECODE_PATH_NOFOLLOW : 0);
	vigil_event_arg_int(ev, "flags", (int)c->rec->args[1]);
}

/* init_module(image, len, uargs) */
void decode_init_module(struct vigil_event *ev, const struct decode_ctx *c)
{
	decode_str_arg(ev, c, "uargs", c->rec->args[2], 256);
}

/* finit_module(fd, uargs, flags) */
void decode_finit_module(struct vigil_event *ev, const struct decode_ctx *c)
{
	decode_fd_arg(ev, c, "fd", (long)c->rec->args[0]);
	decode_str_arg(ev, c, "uargs", c->rec->args[1], 256);
}

void decode_bpf(struct vigil_event *ev, const struct decode_ctx *c)
{
	vigil_event_arg_int(ev, "cmd", (int)c->rec->args[0]);
}

/* dup(fd): fd.num is the new fd, known at the exit. */
void decode_dup(struct vigil_event *ev, const struct decode_ctx *c)
{
	decode_fd_arg(ev, c, "fd", (long)c->rec->args[0]);
	ev->fd.num = c->has_res && c->res >= 0 ? c->res : -1;
}

/* dup2 and dup3 (oldfd, newfd): fd.name is oldfd's, fd.num the new one. */
void decode_dup2(struct vigil_event *ev, const struct decode_ctx *c)
{
	vigil_event_arg_int(ev, "newfd", (int)c->rec->args[1]);
	decode_fd_arg(ev, c, "oldfd", (long)c->rec->args[0]);
	ev->fd.num = (int)c->rec->args[1];
}

void decode_io_uring_setup(struct vigil_event *ev, const struct decode_ctx *c)
{
	vigil_event_arg_int(ev, "entries", (int)c->rec->args[0]);
}

/* clone, clone3: an event with no arguments (the child's pid is the fork event's). */
void decode_no_args(struct vigil_event *ev, const struct decode_ctx *c)
{
	(void)ev, (void)c;
}
