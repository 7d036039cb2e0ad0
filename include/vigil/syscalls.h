/*
 * syscalls.h — the syscalls vigil knows by name, independent of ABI.
 *
 * The rule compiler speaks in these ids (evt.type values); the supervisor
 * turns a set of them into a seccomp filter for every ABI the CPU can run.
 */
#ifndef VIGIL_SYSCALLS_H
#define VIGIL_SYSCALLS_H

#include <stdbool.h>
#include <stdint.h>

/* X(id, name, flags) */
/* A dense table laid out by hand: */
/* clang-format off */
#define VIGIL_SYSCALL_LIST(X)                                    \
	X(EXECVE, "execve", VIGIL_SC_TREE | VIGIL_SC_RESULT)                       \
	X(EXECVEAT, "execveat", VIGIL_SC_TREE | VIGIL_SC_RESULT)                   \
	X(CLONE, "clone", 0)                         \
	X(CLONE3, "clone3", 0) /* answered ENOSYS by the filter */ \
	X(FORK, "fork", 0)                                       \
	X(EXIT, "exit", VIGIL_SC_QUIET)                          \
	X(VFORK, "vfork", 0)                                     \
	X(CHDIR, "chdir", VIGIL_SC_TREE | VIGIL_SC_QUIET)        \
	X(FCHDIR, "fchdir", VIGIL_SC_TREE | VIGIL_SC_QUIET)      \
	X(SETSID, "setsid", VIGIL_SC_TREE | VIGIL_SC_QUIET)      \
	X(SETPGID, "setpgid", VIGIL_SC_TREE | VIGIL_SC_QUIET)    \
	X(OPEN, "open", VIGIL_SC_OPENS)                          \
	X(OPENAT, "openat", VIGIL_SC_OPENS)                      \
	X(OPENAT2, "openat2", VIGIL_SC_OPENS)                    \
	X(CREAT, "creat", VIGIL_SC_OPENS)                        \
	X(CONNECT, "connect", 0)                                 \
	X(ACCEPT, "accept", VIGIL_SC_RESULT)                     \
	X(ACCEPT4, "accept4", VIGIL_SC_RESULT)                   \
	X(BIND, "bind", 0)                                       \
	X(LISTEN, "listen", 0)                                   \
	X(SOCKET, "socket", VIGIL_SC_RESULT)                                   \
	X(UNLINK, "unlink", 0)                                   \
	X(UNLINKAT, "unlinkat", 0)                               \
	X(RENAME, "rename", 0)                                   \
	X(RENAMEAT, "renameat", 0)                               \
	X(RENAMEAT2, "renameat2", 0)                             \
	X(MKDIR, "mkdir", 0)                                     \
	X(MKDIRAT, "mkdirat", 0)                                 \
	X(RMDIR, "rmdir", 0)                                     \
	X(LINK, "link", 0)                                       \
	X(LINKAT, "linkat", 0)                                   \
	X(SYMLINK, "symlink", 0)                                 \
	X(SYMLINKAT, "symlinkat", 0)                             \
	X(CHMOD, "chmod", 0)                                     \
	X(FCHMOD, "fchmod", 0)                                   \
	X(FCHMODAT, "fchmodat", 0)                               \
	X(FCHMODAT2, "fchmodat2", 0)                             \
	X(CHOWN, "chown", 0)                                     \
	X(FCHOWN, "fchown", 0)                                   \
	X(LCHOWN, "lchown", 0)                                   \
	X(FCHOWNAT, "fchownat", 0)                               \
	X(SETUID, "setuid", VIGIL_SC_CREDS)                      \
	X(SETGID, "setgid", VIGIL_SC_CREDS)                      \
	X(SETREUID, "setreuid", VIGIL_SC_CREDS)                  \
	X(SETREGID, "setregid", VIGIL_SC_CREDS)                  \
	X(SETRESUID, "setresuid", VIGIL_SC_CREDS)                \
	X(SETRESGID, "setresgid", VIGIL_SC_CREDS)                \
	X(PTRACE, "ptrace", VIGIL_SC_TAMPER)                     \
	X(MEMFD_CREATE, "memfd_create", 0)                       \
	X(MOUNT, "mount", 0)                                     \
	X(UMOUNT2, "umount2", 0)                                 \
	X(INIT_MODULE, "init_module", 0)                         \
	X(FINIT_MODULE, "finit_module", 0)                       \
	X(BPF, "bpf", 0)                                         \
	X(DUP, "dup", VIGIL_SC_RESULT)                           \
	X(DUP2, "dup2", 0)                                       \
	X(DUP3, "dup3", 0)                                       \
	X(IO_URING_SETUP, "io_uring_setup", VIGIL_SC_TAMPER)     \
	X(KILL, "kill", VIGIL_SC_TAMPER | VIGIL_SC_QUIET)        \
	X(TKILL, "tkill", VIGIL_SC_TAMPER | VIGIL_SC_QUIET)      \
	X(TGKILL, "tgkill", VIGIL_SC_TAMPER | VIGIL_SC_QUIET)    \
	X(PIDFD_SEND_SIGNAL, "pidfd_send_signal", VIGIL_SC_TAMPER | VIGIL_SC_QUIET) \
	X(PROCESS_VM_WRITEV, "process_vm_writev", VIGIL_SC_TAMPER | VIGIL_SC_QUIET) \
	X(SOCKETCALL, "socketcall", VIGIL_SC_QUIET)                                 \
	X(PROCESS_VM_READV, "process_vm_readv", VIGIL_SC_TAMPER | VIGIL_SC_QUIET)   \
	X(PIDFD_OPEN, "pidfd_open", VIGIL_SC_TAMPER | VIGIL_SC_QUIET)               \
	X(PIDFD_GETFD, "pidfd_getfd", VIGIL_SC_TAMPER | VIGIL_SC_QUIET)             \
	X(KCMP, "kcmp", VIGIL_SC_TAMPER | VIGIL_SC_QUIET)                           \
	X(RT_SIGQUEUEINFO, "rt_sigqueueinfo", VIGIL_SC_TAMPER | VIGIL_SC_QUIET)     \
	X(RT_TGSIGQUEUEINFO, "rt_tgsigqueueinfo", VIGIL_SC_TAMPER | VIGIL_SC_QUIET) \
	X(SECCOMP, "seccomp", VIGIL_SC_TAMPER | VIGIL_SC_QUIET)                     \
	X(PRCTL, "prctl", VIGIL_SC_QUIET | VIGIL_SC_ARGCOND)                        \
	X(OPEN_TREE, "open_tree", 0)                                                \
	X(MOVE_MOUNT, "move_mount", 0)                                              \
	X(FSOPEN, "fsopen", 0)                                                      \
	X(FSMOUNT, "fsmount", 0)                                                    \
	X(FSPICK, "fspick", 0)                                                      \
	X(MOUNT_SETATTR, "mount_setattr", 0)                                        \
	X(SENDTO, "sendto", VIGIL_SC_ARGCOND)                                       \
	X(SENDMSG, "sendmsg", VIGIL_SC_ARGCOND)                                     \
	X(SENDMMSG, "sendmmsg", VIGIL_SC_ARGCOND)                                   \
	X(OPEN_BY_HANDLE_AT, "open_by_handle_at", VIGIL_SC_RESULT | VIGIL_SC_OPENS) \
	X(CHROOT, "chroot", VIGIL_SC_TREE | VIGIL_SC_QUIET)                         \
	X(PIVOT_ROOT, "pivot_root", VIGIL_SC_TREE | VIGIL_SC_QUIET)                 \
	X(SETNS, "setns", VIGIL_SC_TREE | VIGIL_SC_QUIET)                           \
	X(UNSHARE, "unshare", VIGIL_SC_TREE | VIGIL_SC_QUIET)
/* clang-format on */

/* Always traced: the process tree, cwd and root cannot be followed without
 * them (chroot, pivot_root, setns, unshare move roots: sensor/resolve.h). */
#define VIGIL_SC_TREE 0x01u
/* The exit stop is taken by default: the result is the point (new fd, pid). */
#define VIGIL_SC_RESULT 0x02u
/* Changes credentials: the process's uid/gid/caps are re-read afterwards. */
#define VIGIL_SC_CREDS 0x04u
/* Traced always, to catch attacks on vigil itself (tamper events). */
#define VIGIL_SC_TAMPER 0x08u
/* Not an event by itself (only when it is a tamper attempt, or decoded). */
#define VIGIL_SC_QUIET 0x10u
/*
 * Traced only when an argument says so, checked by the filter in registers
 * (race-free): prctl(PR_SET_SECCOMP), and sendto/sendmsg/sendmmsg with
 * MSG_FASTOPEN (an outbound connection) when connect is traced. A rule that
 * names one of them traces it whole. See agent/sensor/seccomp/filter.c.
 */
#define VIGIL_SC_ARGCOND 0x20u
/* Opens a file, by path or by handle (evt.is_open_read/write/exec, fd.name
 * looked at before it runs: tamper checks, the open prefilter). */
#define VIGIL_SC_OPENS 0x40u

enum vigil_syscall {
	VIGIL_SC_UNKNOWN = 0,
#define VIGIL_SC_ENUM(id, name, flags) VIGIL_SC_##id,
	VIGIL_SYSCALL_LIST(VIGIL_SC_ENUM)
#undef VIGIL_SC_ENUM
		VIGIL_SC_PROCEXIT,
	VIGIL_SC_HEALTH,
	VIGIL_SC_FIM, /* pseudo: a FIM change (evt.type = fim) */
	/* pseudo: an open of a watched file no event accounted for (the open
	 * backstop, analyzer/backstop.h; evt.type = vigil_unseen_open) */
	VIGIL_SC_UNSEEN_OPEN,
	VIGIL_SC_COVERAGE, /* pseudo: whether the program is monitored (evt.type = vigil_coverage) */
	VIGIL_SC_COUNT
};

/* A set of vigil syscall ids (bitmap). */
typedef struct {
	uint64_t bits[(VIGIL_SC_COUNT + 63) / 64];
} vigil_sc_set;

static inline void vigil_sc_set_add(vigil_sc_set *s, int id)
{
	s->bits[id / 64] |= 1ull << (id % 64);
}

static inline void vigil_sc_set_del(vigil_sc_set *s, int id)
{
	s->bits[id / 64] &= ~(1ull << (id % 64));
}

static inline bool vigil_sc_set_has(const vigil_sc_set *s, int id)
{
	return (s->bits[id / 64] >> (id % 64)) & 1u;
}

const char *vigil_syscall_name(int id);
int vigil_syscall_by_name(const char *name); /* VIGIL_SC_UNKNOWN if none */
unsigned vigil_syscall_flags(int id);

/* Syscalls that open a file by path or handle (VIGIL_SC_OPENS). */
static inline bool vigil_sc_opens_file(int id)
{
	return vigil_syscall_flags(id) & VIGIL_SC_OPENS;
}

/* The default event set (issue: everything the tracer can decode). */
void vigil_sc_set_default(vigil_sc_set *s);
/* Add the ids that open a file (VIGIL_SC_OPENS). */
void vigil_sc_set_add_opens(vigil_sc_set *s);
/* Add every syscall whose result is its point (VIGIL_SC_RESULT). */
void vigil_sc_set_add_results(vigil_sc_set *s);
/* Add the ids that are always traced (VIGIL_SC_TREE | VIGIL_SC_TAMPER). */
void vigil_sc_set_add_mandatory(vigil_sc_set *s);
/* Parse "a,b,c" into a set; returns -1 and names the bad entry in *bad. */
int vigil_sc_set_parse(vigil_sc_set *s, const char *list, const char **bad, int *bad_len);

/*
 * ABI numbers. The same vigil id may map to several numbers of one ABI
 * (i386 has setuid and setuid32). Returns the count written to nrs[].
 */
enum vigil_arch;
int vigil_syscall_numbers(int arch, int id, int nrs[], int max);
/* Map an ABI syscall number back to a vigil id (VIGIL_SC_UNKNOWN if none). */
int vigil_syscall_from_nr(int arch, long nr);

#endif
