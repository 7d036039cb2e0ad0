/*
 * decode_args.c — per-syscall argument decoding (evt.arg.*, fd.*).
 *
 * One case per syscall; arguments are taken from the stop's registers
 * (t->pending.args) and tracee memory, with the sizes bounded here.
 */
#include <fcntl.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/socket.h>

#include "vigil/syscalls.h"
#include "supervisor/decode.h"
#include "supervisor/procinfo.h"
#include "supervisor/tracee_mem.h"

/* Read a path argument and store it resolved under `key` (and fd.name). */
bool decode_path_arg(struct vigil_event *ev, struct task *t, const char *key, long dirfd,
		     uint64_t addr, bool set_fd_name)
{
	char raw[VIGIL_PATH_MAX], abs[VIGIL_PATH_MAX];
	if (tracee_read_str(t->tid, addr, raw, sizeof(raw)) < 0)
		return false;
	decode_resolve_path(t, dirfd, raw, abs, sizeof(abs));
	vigil_event_arg_cstr(ev, key, abs);
	if (set_fd_name)
		ev->fd.name = vigil_event_cstr(ev, abs);
	return true;
}

static void mode_arg(struct vigil_event *ev, const char *key, uint64_t mode)
{
	char buf[16];
	int n = snprintf(buf, sizeof(buf), "0%o", (unsigned)(mode & 07777));
	vigil_event_arg(ev, key, buf, (size_t)n);
}

/* glibc defines O_LARGEFILE as 0 on 64-bit; 32-bit callers pass the kernel's bit. */
#define KERNEL_O_LARGEFILE 0100000

/* Open flags the way Falco prints them: O_RDONLY|O_CREAT|... */
static void open_flags_arg(struct vigil_event *ev, uint64_t flags, uint64_t mode)
{
	static const struct { uint64_t bit; const char *name; } names[] = {
		{O_CREAT, "O_CREAT"}, {O_EXCL, "O_EXCL"}, {O_NOCTTY, "O_NOCTTY"},
		{O_TRUNC, "O_TRUNC"}, {O_APPEND, "O_APPEND"}, {O_NONBLOCK, "O_NONBLOCK"},
		{O_DSYNC, "O_DSYNC"}, {O_DIRECT, "O_DIRECT"},
		{KERNEL_O_LARGEFILE, "O_LARGEFILE"},
		{O_DIRECTORY, "O_DIRECTORY"}, {O_NOFOLLOW, "O_NOFOLLOW"}, {O_NOATIME, "O_NOATIME"},
		{O_CLOEXEC, "O_CLOEXEC"}, {O_PATH, "O_PATH"}, {__O_TMPFILE, "O_TMPFILE"},
	};
	char buf[256]; /* all names together fit: ~190 bytes */
	unsigned acc = (unsigned)(flags & O_ACCMODE);
	const char *accname = acc == O_RDONLY ? "O_RDONLY" : acc == O_WRONLY ? "O_WRONLY" : "O_RDWR";
	size_t n = strlen(accname);
	memcpy(buf, accname, n);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if ((flags & names[i].bit) == names[i].bit) {
			size_t l = strlen(names[i].name);
			buf[n++] = '|';
			memcpy(buf + n, names[i].name, l);
			n += l;
		}
	}
	vigil_event_arg(ev, "flags", buf, n);
	if (flags & O_PATH)
		ev->open_flags = 0;
	else
		ev->open_flags = (uint8_t)((acc == O_RDONLY || acc == O_RDWR ? VIGIL_OPEN_READ : 0) |
					   (acc == O_WRONLY || acc == O_RDWR ? VIGIL_OPEN_WRITE : 0));
	if ((flags & O_CREAT) && (mode & 0111))
		ev->open_flags |= VIGIL_OPEN_EXEC;
	if ((flags & O_CREAT) || (flags & __O_TMPFILE) == __O_TMPFILE)
		mode_arg(ev, "mode", mode);
}

static void decode_open(struct vigil_event *ev, struct task *t, long dirfd, uint64_t path,
			uint64_t flags, uint64_t mode)
{
	char raw[VIGIL_PATH_MAX], abs[VIGIL_PATH_MAX];
	if ((int)dirfd != AT_FDCWD)
		vigil_event_arg_int(ev, "dirfd", (int)dirfd);
	if (tracee_read_str(t->tid, path, raw, sizeof(raw)) >= 0) {
		vigil_event_arg_cstr(ev, "name", raw);
		decode_resolve_path(t, dirfd, raw, abs, sizeof(abs));
		ev->fd.name = vigil_event_cstr(ev, abs);
	}
	open_flags_arg(ev, flags, mode);
	ev->fd.type = (flags & O_DIRECTORY) ? VIGIL_FD_DIRECTORY : VIGIL_FD_FILE;
}

/*
 * open_by_handle_at(mount_fd, handle, flags) opens a file by its handle,
 * with no path to read at entry: the name is the kernel's, read from
 * /proc/PID/fd/N of the new fd at the exit stop (VIGIL_SC_RESULT).
 */
static void decode_open_by_handle(struct vigil_event *ev, struct task *t, const uint64_t *a,
				  bool has_res, long res)
{
	char path[VIGIL_PATH_MAX];
	vigil_event_arg_int(ev, "mountfd", (int)a[0]);
	open_flags_arg(ev, a[2], 0);
	ev->fd.type = VIGIL_FD_FILE;
	if (!has_res || res < 0)
		return;
	ev->fd.num = res;
	if (procinfo_fd_path(t->proc->pid, (int)res, path, sizeof(path)) == 0) {
		ev->fd.name = vigil_event_cstr(ev, path);
		if (path[0] != '/')
			ev->fd.type = VIGIL_FD_OTHER;
	}
}

void decode_fd_arg(struct vigil_event *ev, struct task *t, const char *key, long fd)
{
	char path[VIGIL_PATH_MAX];
	vigil_event_arg_int(ev, key, (int)fd);
	ev->fd.num = (int)fd;
	if (procinfo_fd_path(t->proc->pid, (int)fd, path, sizeof(path)) == 0) {
		ev->fd.name = vigil_event_cstr(ev, path);
		ev->fd.type = path[0] == '/' ? VIGIL_FD_FILE : VIGIL_FD_OTHER;
	}
}

static void id_args(struct vigil_event *ev, const char *const keys[], const uint64_t *a, int n)
{
	for (int i = 0; i < n; i++)
		vigil_event_arg_int(ev, keys[i], (int32_t)a[i]);
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
	case PTRACE_SETREGS: return "PTRACE_SETREGS";
	case PTRACE_GETREGS: return "PTRACE_GETREGS";
	default: return NULL;
	}
}

static void decode_rename(struct vigil_event *ev, struct task *t, long olddir, uint64_t oldp,
			  long newdir, uint64_t newp)
{
	decode_path_arg(ev, t, "oldpath", olddir, oldp, false);
	decode_path_arg(ev, t, "newpath", newdir, newp, true);
}

static void decode_symlink(struct vigil_event *ev, struct task *t, uint64_t target, long dir,
			   uint64_t linkp)
{
	char raw[VIGIL_PATH_MAX];
	if (tracee_read_str(t->tid, target, raw, sizeof(raw)) >= 0)
		vigil_event_arg_cstr(ev, "target", raw);
	decode_path_arg(ev, t, "linkpath", dir, linkp, true);
}

static void decode_socket(struct vigil_event *ev, const uint64_t *a)
{
	const char *af = decode_af_name((int)a[0]);
	const char *ty = decode_socktype_name((int)a[1] & 0xf);
	if (af)
		vigil_event_arg_cstr(ev, "domain", af);
	else
		vigil_event_arg_int(ev, "domain", (int)a[0]);
	if (ty)
		vigil_event_arg_cstr(ev, "type", ty);
	else
		vigil_event_arg_int(ev, "type", (int)a[1]);
	vigil_event_arg_int(ev, "proto", (int)a[2]);
	ev->fd.family = (uint16_t)a[0];
}

static void decode_module(struct vigil_event *ev, struct task *t, uint64_t uargs)
{
	char buf[256];
	if (uargs && tracee_read_str(t->tid, uargs, buf, sizeof(buf)) >= 0)
		vigil_event_arg_cstr(ev, "uargs", buf);
}

/* Syscalls whose arguments are files named by path. */
static bool decode_path_ops(struct vigil_event *ev, struct task *t, int id, const uint64_t *a)
{
	long cwd = AT_FDCWD;
	switch (id) {
	case VIGIL_SC_UNLINK: decode_path_arg(ev, t, "path", cwd, a[0], true); break;
	case VIGIL_SC_RMDIR:
		decode_path_arg(ev, t, "path", cwd, a[0], true);
		ev->fd.type = VIGIL_FD_DIRECTORY;
		break;
	case VIGIL_SC_UNLINKAT:
		decode_path_arg(ev, t, "name", (long)a[0], a[1], true);
		vigil_event_arg_int(ev, "flags", (int)a[2]);
		break;
	case VIGIL_SC_RENAME:
	case VIGIL_SC_LINK: decode_rename(ev, t, cwd, a[0], cwd, a[1]); break;
	case VIGIL_SC_RENAMEAT:
	case VIGIL_SC_RENAMEAT2:
	case VIGIL_SC_LINKAT: decode_rename(ev, t, (long)a[0], a[1], (long)a[2], a[3]); break;
	case VIGIL_SC_SYMLINK: decode_symlink(ev, t, a[0], cwd, a[1]); break;
	case VIGIL_SC_SYMLINKAT: decode_symlink(ev, t, a[0], (long)a[1], a[2]); break;
	case VIGIL_SC_MKDIR:
		decode_path_arg(ev, t, "path", cwd, a[0], true), mode_arg(ev, "mode", a[1]);
		ev->fd.type = VIGIL_FD_DIRECTORY;
		break;
	case VIGIL_SC_MKDIRAT:
		decode_path_arg(ev, t, "path", (long)a[0], a[1], true), mode_arg(ev, "mode", a[2]);
		ev->fd.type = VIGIL_FD_DIRECTORY;
		break;
	case VIGIL_SC_CHMOD: decode_path_arg(ev, t, "filename", cwd, a[0], true), mode_arg(ev, "mode", a[1]); break;
	case VIGIL_SC_FCHMODAT:
	case VIGIL_SC_FCHMODAT2:
		decode_path_arg(ev, t, "filename", (long)a[0], a[1], true), mode_arg(ev, "mode", a[2]);
		break;
	case VIGIL_SC_FCHMOD: decode_fd_arg(ev, t, "fd", (long)a[0]), mode_arg(ev, "mode", a[1]); break;
	case VIGIL_SC_CHOWN:
	case VIGIL_SC_LCHOWN:
		decode_path_arg(ev, t, "path", cwd, a[0], true);
		id_args(ev, (const char *const[]){"uid", "gid"}, a + 1, 2);
		break;
	case VIGIL_SC_FCHOWNAT:
		decode_path_arg(ev, t, "path", (long)a[0], a[1], true);
		id_args(ev, (const char *const[]){"uid", "gid"}, a + 2, 2);
		break;
	case VIGIL_SC_FCHOWN:
		decode_fd_arg(ev, t, "fd", (long)a[0]);
		id_args(ev, (const char *const[]){"uid", "gid"}, a + 1, 2);
		break;
	default: return false;
	}
	if (ev->fd.type == VIGIL_FD_NONE && vigil_str_present(ev->fd.name))
		ev->fd.type = VIGIL_FD_FILE;
	return true;
}

/* Network syscalls. */
static bool decode_net_ops(struct vigil_event *ev, struct task *t, int id, const uint64_t *a,
			   bool has_res, long res)
{
	switch (id) {
	case VIGIL_SC_CONNECT:
	case VIGIL_SC_BIND:
		vigil_event_arg_int(ev, "fd", (int)a[0]);
		ev->fd.num = (int)a[0];
		decode_sockaddr_at(ev, t, a[1], a[2], id == VIGIL_SC_CONNECT);
		break;
	case VIGIL_SC_ACCEPT:
	case VIGIL_SC_ACCEPT4:
		vigil_event_arg_int(ev, "fd", (int)a[0]);
		if (has_res && res >= 0) {
			uint32_t len = 0;
			ev->fd.num = res;
			if (a[1] && a[2] && tracee_read(t->tid, a[2], &len, sizeof(len)) == 0)
				decode_sockaddr_at(ev, t, a[1], len, true); /* the peer: remote */
		}
		break;
	case VIGIL_SC_LISTEN:
		decode_fd_arg(ev, t, "fd", (long)a[0]);
		vigil_event_arg_int(ev, "backlog", (int)a[1]);
		ev->fd.type = VIGIL_FD_OTHER;
		break;
	case VIGIL_SC_SENDTO:
	case VIGIL_SC_SENDMSG:
	case VIGIL_SC_SENDMMSG: decode_send(ev, t, id, a); break;
	case VIGIL_SC_SOCKET:
		decode_socket(ev, a);
		if (has_res && res >= 0)
			ev->fd.num = res;
		break;
	default: return false;
	}
	return true;
}

/* Credentials, processes, kernel surfaces. */
static bool decode_misc_ops(struct vigil_event *ev, struct task *t, int id, const uint64_t *a)
{
	char buf[256];
	switch (id) {
	case VIGIL_SC_SETUID: id_args(ev, (const char *const[]){"uid"}, a, 1); break;
	case VIGIL_SC_SETGID: id_args(ev, (const char *const[]){"gid"}, a, 1); break;
	case VIGIL_SC_SETREUID: id_args(ev, (const char *const[]){"ruid", "euid"}, a, 2); break;
	case VIGIL_SC_SETREGID: id_args(ev, (const char *const[]){"rgid", "egid"}, a, 2); break;
	case VIGIL_SC_SETRESUID: id_args(ev, (const char *const[]){"ruid", "euid", "suid"}, a, 3); break;
	case VIGIL_SC_SETRESGID: id_args(ev, (const char *const[]){"rgid", "egid", "sgid"}, a, 3); break;
	case VIGIL_SC_PTRACE: {
		const char *req = ptrace_request_name((long)a[0]);
		if (req)
			vigil_event_arg_cstr(ev, "request", req);
		else
			vigil_event_arg_int(ev, "request", (long long)a[0]);
		vigil_event_arg_int(ev, "pid", (int)a[1]);
		break;
	}
	case VIGIL_SC_MEMFD_CREATE:
		if (tracee_read_str(t->tid, a[0], buf, sizeof(buf)) >= 0)
			vigil_event_arg_cstr(ev, "name", buf);
		vigil_event_arg_int(ev, "flags", (int)a[1]);
		break;
	case VIGIL_SC_UMOUNT2:
		decode_path_arg(ev, t, "name", AT_FDCWD, a[0], false);
		vigil_event_arg_int(ev, "flags", (int)a[1]);
		break;
	case VIGIL_SC_INIT_MODULE: decode_module(ev, t, a[2]); break;
	case VIGIL_SC_FINIT_MODULE: decode_fd_arg(ev, t, "fd", (long)a[0]), decode_module(ev, t, a[1]); break;
	case VIGIL_SC_BPF: vigil_event_arg_int(ev, "cmd", (int)a[0]); break;
	case VIGIL_SC_DUP: decode_fd_arg(ev, t, "fd", (long)a[0]), ev->fd.num = -1; break;
	case VIGIL_SC_DUP2:
	case VIGIL_SC_DUP3:
		vigil_event_arg_int(ev, "newfd", (int)a[1]);
		decode_fd_arg(ev, t, "oldfd", (long)a[0]);
		ev->fd.num = (int)a[1];
		break;
	case VIGIL_SC_IO_URING_SETUP: vigil_event_arg_int(ev, "entries", (int)a[0]); break;
	case VIGIL_SC_CLONE:
	case VIGIL_SC_CLONE3: break;
	default: return false;
	}
	return true;
}

bool decode_syscall(struct vigil_event *ev, struct task *t, bool has_res, long res)
{
	const struct pending_syscall *ps = &t->pending;
	const uint64_t *a = ps->args;
	ev->type = (uint16_t)ps->id;
	ev->arch = (uint8_t)ps->arch;
	if (has_res) {
		ev->has_res = 1;
		ev->res = res;
	}
	switch (ps->id) {
	case VIGIL_SC_OPEN: decode_open(ev, t, AT_FDCWD, a[0], a[1], a[2]); break;
	case VIGIL_SC_CREAT: decode_open(ev, t, AT_FDCWD, a[0], O_CREAT | O_WRONLY | O_TRUNC, a[1]); break;
	case VIGIL_SC_OPENAT: decode_open(ev, t, (long)a[0], a[1], a[2], a[3]); break;
	case VIGIL_SC_OPENAT2: {
		struct open_how how = {0};
		size_t sz = a[3] < sizeof(how) ? (size_t)a[3] : sizeof(how);
		if (a[2] && sz >= 8 && tracee_read(t->tid, a[2], &how, sz) != 0)
			memset(&how, 0, sizeof(how));
		decode_open(ev, t, (long)a[0], a[1], how.flags, how.mode);
		break;
	}
	case VIGIL_SC_OPEN_BY_HANDLE_AT: decode_open_by_handle(ev, t, a, has_res, res); break;
	default:
		if (!decode_path_ops(ev, t, ps->id, a) && !decode_net_ops(ev, t, ps->id, a, has_res, res) &&
		    !decode_mount_ops(ev, t, ps->id, a) && !decode_misc_ops(ev, t, ps->id, a))
			return false;
	}
	bool opens = ps->id == VIGIL_SC_OPEN || ps->id == VIGIL_SC_OPENAT ||
		     ps->id == VIGIL_SC_OPENAT2 || ps->id == VIGIL_SC_CREAT;
	if (opens && has_res)
		ev->fd.num = res >= 0 ? res : -1;
	if (ps->id == VIGIL_SC_DUP && has_res && res >= 0)
		ev->fd.num = res;
	return true;
}
