/*
 * event.h — the one contract between the tracer, the rules, FIM and delivery.
 *
 * An event is a fixed header of numbers plus a string arena: every string
 * field is a (offset, length) pair into `strs`. The wire form sent from the
 * supervisor to the analyzer is the struct up to the end of the used arena,
 * so a typical event costs a few hundred bytes, and decoding it is a bounds
 * check, not a parse. Field names in comments are the Falco names they feed.
 */
#ifndef VIGIL_EVENT_H
#define VIGIL_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VIGIL_EVENT_MAGIC 0x56474c31u /* "VGL1" */
#define VIGIL_EVENT_STRS_MAX 24576    /* arena bytes; bounds one event */
#define VIGIL_MAX_ANCESTORS 8	      /* proc.aname[1..8] */
#define VIGIL_MAX_EVARGS 8	      /* evt.arg.* entries */
#define VIGIL_ARGS_MAX 4096	      /* proc.args bytes kept */
#define VIGIL_PATH_MAX 4096

/* A string in the event arena; len == 0 && off == VIGIL_STR_NONE is absent. */
typedef struct {
	uint16_t off;
	uint16_t len;
} vigil_str;
#define VIGIL_STR_NONE 0xffffu

enum vigil_event_kind {
	VIGIL_EV_SYSCALL = 1,  /* a traced syscall (evt.source = syscall) */
	VIGIL_EV_PROCEXIT = 2, /* a traced process exited */
	VIGIL_EV_HEALTH = 3,   /* vigil's own counters (evt.source = vigil) */
	VIGIL_EV_END = 4,      /* the supervisor is done: the analyzer may exit */
	VIGIL_EV_FIM = 5,      /* a file change FIM saw (evt.source = fim); analyzer only */
	/* An open inotify saw of a file the rules name, which no event of the
	 * sensor (nor vigil's own reads) accounted for (evt.source = vigil):
	 * vigil.tamper and fd.name, no process fields; analyzer only. */
	VIGIL_EV_UNSEEN_OPEN = 6,
	/* Once per start, from the supervisor: whether the program is monitored
	 * and why not (evt.source = vigil; evt.arg.*, docs/events.md). */
	VIGIL_EV_COVERAGE = 7,
};

/* fim.action */
enum vigil_fim_action {
	VIGIL_FIM_CREATED = 1,
	VIGIL_FIM_DELETED,
	VIGIL_FIM_MODIFIED, /* content: sha256 or size changed (or the file was replaced) */
	VIGIL_FIM_METADATA, /* only attributes: mode, owner, times, links, xattrs */
};

/* fim.detected_by */
enum vigil_fim_detector {
	VIGIL_FIM_BY_INOTIFY = 1, /* real time */
	VIGIL_FIM_BY_SCAN,	  /* start-up or periodic reconciliation */
	VIGIL_FIM_BY_RESCAN,	  /* rescan after an inotify queue overflow */
};

enum vigil_arch {
	VIGIL_ARCH_UNKNOWN = 0,
	VIGIL_ARCH_X86_64,
	VIGIL_ARCH_I386,
	VIGIL_ARCH_X32,
	VIGIL_ARCH_AARCH64,
};

enum vigil_fd_type {
	VIGIL_FD_NONE = 0,
	VIGIL_FD_FILE,
	VIGIL_FD_DIRECTORY,
	VIGIL_FD_IPV4,
	VIGIL_FD_IPV6,
	VIGIL_FD_UNIX,
	VIGIL_FD_NETLINK,
	VIGIL_FD_PACKET,
	VIGIL_FD_MEMFD,
	VIGIL_FD_OTHER,
};

/* Tamper reasons (vigil.tamper). */
enum vigil_tamper {
	VIGIL_TAMPER_NONE = 0,
	VIGIL_TAMPER_CLONE_UNTRACED,
	VIGIL_TAMPER_FOREIGN_ARCH,
	VIGIL_TAMPER_PTRACE_VIGIL,
	VIGIL_TAMPER_SIGNAL_VIGIL,
	VIGIL_TAMPER_IO_URING,
	VIGIL_TAMPER_UNTRACED_CHILD, /* retired (clone3 is answered ENOSYS); recorded events keep it */
	VIGIL_TAMPER_VM_WRITE_VIGIL,
	VIGIL_TAMPER_VM_READ_VIGIL,  /* process_vm_readv of a vigil process */
	VIGIL_TAMPER_PIDFD_VIGIL,    /* pidfd_open / pidfd_getfd of a vigil process */
	VIGIL_TAMPER_KCMP_VIGIL,     /* kcmp against a vigil process */
	VIGIL_TAMPER_PROC_VIGIL,     /* open of /proc/<vigil>/{mem,environ,fd,map_files,...} */
	VIGIL_TAMPER_SECCOMP_FILTER, /* an own seccomp filter that could hide syscalls */
	VIGIL_TAMPER_FOREIGN_TRACE,  /* a trace stop vigil's filter did not ask for */
	VIGIL_TAMPER_EXEC_RACE,	     /* the exec path vigil read is not the image that ran */
	VIGIL_TAMPER_PATH_RACE,	  /* the open path vigil read is not the file the kernel opened */
	VIGIL_TAMPER_UNSEEN_OPEN, /* a watched file opened, and no event says by whom */
	VIGIL_TAMPER_OPEN_WATCH_LOST, /* the open backstop's inotify queue overflowed */
	VIGIL_TAMPER_COUNT
};

/* vigil.tamper as text ("ptrace_vigil"); NULL for NONE or unknown. The
 * inverse returns VIGIL_TAMPER_NONE for an unknown name. */
const char *vigil_tamper_name(unsigned t);
unsigned vigil_tamper_by_name(const char *s, size_t len);

/* evt.arch as text ("x86_64"); "unknown" for VIGIL_ARCH_UNKNOWN or a value
 * out of range. The inverse returns -1 for a name not in the table. */
const char *vigil_arch_name(unsigned a);
int vigil_arch_by_name(const char *s, size_t len);
/* fd.type ("ipv4") and fd.typechar ("4"); NULL for VIGIL_FD_NONE or a value
 * out of range. The inverse returns -1 for a name not in the table. */
const char *vigil_fd_type_name(unsigned t);
const char *vigil_fd_type_char(unsigned t);
int vigil_fd_type_by_name(const char *s, size_t len);

/* One ancestor (proc.apid[N], proc.aname[N]); [0] of the array is the parent. */
struct vigil_ancestor {
	int32_t pid;
	vigil_str name;
};

/* The process fields of an event (proc.*, user.*, group.*, thread.*). */
struct vigil_proc {
	int32_t pid, tid, ppid, sid, vpgid;
	uint32_t uid, gid, euid, egid;
	int64_t loginuid; /* -1 when unset */
	uint32_t tty;
	uint64_t cap_effective, cap_permitted, cap_inheritable;
	uint64_t start_ns; /* when the process was created (proc.duration); 0 unknown */
	uint8_t is_exe_from_memfd;
	uint8_t n_ancestors;
	uint8_t vflags; /* VIGIL_PROC_* (vigil.entrypoint, vigil.args_truncated) */
	uint8_t pad[1];
	vigil_str name, exe, exepath, args, cwd;
	vigil_str pname, pexepath, pcmdline, pexe;
	/* proc.stdin.* / proc.stdout.*: read at a successful exec only (the
	 * fds the new image starts with); absent on every other event. */
	vigil_str stdin_type, stdin_name, stdout_type, stdout_name;
	struct vigil_ancestor ancestors[VIGIL_MAX_ANCESTORS];
};

/* vigil_proc.vflags */
#define VIGIL_PROC_PARENT_VIGIL 0x01u	/* the parent is vigil's supervisor, by pid */
#define VIGIL_PROC_ARGS_TRUNCATED 0x02u /* argv was longer than proc.args keeps */

/* The file descriptor an event is about (fd.*). */
struct vigil_fd {
	int64_t num;	 /* -1 when none */
	uint8_t type;	 /* enum vigil_fd_type */
	uint8_t l4proto; /* IPPROTO_TCP/UDP, 0 unknown */
	uint16_t family; /* AF_* */
	uint16_t sport, dport;
	uint8_t sip[16], dip[16]; /* IPv4 in the first 4 bytes */
	vigil_str name;
};

struct vigil_evarg {
	vigil_str key; /* without the "evt.arg." prefix */
	vigil_str val;
};

struct vigil_health {
	uint64_t events_dropped; /* supervisor queue full */
	uint64_t events_lost;	 /* in flight when an analyzer died */
	uint64_t analyzer_restarts;
	uint64_t read_errors;  /* tracee memory that could not be read */
	uint64_t tracee_count; /* processes currently traced */
	/* Filled in by the analyzer (the supervisor sends 0). The *_new counts
	 * are a loss report: what changed since the previous report, non-zero
	 * only on the event that carries the report (docs/events.md). */
	uint64_t dropped_new, lost_new, restarts_new;
	uint64_t fim_unwatched; /* trees the inotify watch limit left to periodic scans */
	uint64_t fim_overflows; /* inotify queue overflows in this analyzer's life */
	uint64_t sensor;	/* enum vigil_sensor_kind: how syscalls reach vigil */
};

/* vigil.sensor: the mechanism chosen at start (docs/architecture.md, "Sensors"). */
enum vigil_sensor_kind {
	VIGIL_SENSOR_NONE = 0, /* --no-trace, or the program could not be traced */
	VIGIL_SENSOR_PTRACE,
	VIGIL_SENSOR_NOTIFY,	  /* seccomp user notification */
	VIGIL_SENSOR_NOTIFY_SYNC, /* the same, with the synchronous wake-up (Linux 6.6) */
	VIGIL_SENSOR_COUNT
};
/* As text ("notify-sync"); "none" for NONE or unknown. The inverse returns
 * VIGIL_SENSOR_COUNT for an unknown name. */
const char *vigil_sensor_name(unsigned k);
unsigned vigil_sensor_by_name(const char *s, size_t len);

/*
 * A file change (kind == VIGIL_EV_FIM). prev_* describe the recorded state,
 * the others the current one; a created file has no prev_*, a deleted one
 * only prev_*. proc.* are those of the traced process that made the change
 * when vigil could attribute it (attributed = 1), else absent.
 */
struct vigil_fim {
	uint8_t action;	     /* enum vigil_fim_action */
	uint8_t detected_by; /* enum vigil_fim_detector */
	uint8_t attributed;
	uint8_t has_prev, has_cur;
	uint8_t pad[3];
	uint32_t mode, prev_mode, uid, prev_uid, gid, prev_gid;
	uint64_t size, prev_size, ino, prev_ino;
	int64_t mtime_ns, prev_mtime_ns;
	vigil_str path, type, changed, tags, sha256, prev_sha256, target, prev_target;
};

struct vigil_event {
	uint32_t magic;
	uint32_t wire_size; /* bytes of this struct that are meaningful */
	uint64_t num;	    /* evt.num */
	uint64_t ts_ns;	    /* evt.rawtime */
	uint16_t kind;	    /* enum vigil_event_kind */
	uint16_t type;	    /* enum vigil_syscall (vigil/syscalls.h) */
	uint8_t arch;	    /* enum vigil_arch */
	uint8_t has_res;    /* evt.dir '<' */
	uint8_t tamper;	    /* enum vigil_tamper */
	uint8_t n_evargs;
	uint8_t open_flags; /* VIGIL_OPEN_READ/WRITE/EXEC */
	uint8_t exit_kind;  /* procexit: 1 exited (res = status), 2 killed (res = signal) */
	uint8_t pad[2];
	int64_t res; /* evt.res */
	struct vigil_proc proc;
	struct vigil_fd fd;
	struct vigil_evarg evargs[VIGIL_MAX_EVARGS];
	struct vigil_health health; /* kind == VIGIL_EV_HEALTH */
	struct vigil_fim fim;	    /* kind == VIGIL_EV_FIM */
	uint32_t strs_used;
	char strs[VIGIL_EVENT_STRS_MAX];
};

#define VIGIL_OPEN_READ 1u
#define VIGIL_OPEN_WRITE 2u
#define VIGIL_OPEN_EXEC 4u

#define VIGIL_EVENT_HDR_SIZE offsetof(struct vigil_event, strs)

/* fim.action and fim.detected_by as text ("modified", "inotify"); NULL for
 * 0 or an unknown value. The _by_name inverses return 0 when unknown. */
const char *vigil_fim_action_name(unsigned action);
const char *vigil_fim_detector_name(unsigned detector);
unsigned vigil_fim_action_by_name(const char *s, size_t len);
unsigned vigil_fim_detector_by_name(const char *s, size_t len);

/* Start an event of `kind` (clears every field to absent). */
void vigil_event_init(struct vigil_event *ev, enum vigil_event_kind kind);

/*
 * Copy `len` bytes into the arena and return their handle. Strings longer
 * than the room left are truncated (never overflow); NUL bytes are kept
 * as they are, the JSON writer escapes them.
 */
vigil_str vigil_event_str(struct vigil_event *ev, const char *s, size_t len);
vigil_str vigil_event_cstr(struct vigil_event *ev, const char *s);

/* Add evt.arg.KEY = VAL; silently ignored past VIGIL_MAX_EVARGS. */
void vigil_event_arg(struct vigil_event *ev, const char *key, const char *val, size_t val_len);
void vigil_event_arg_cstr(struct vigil_event *ev, const char *key, const char *val);
void vigil_event_arg_int(struct vigil_event *ev, const char *key, long long val);

/* Pointer to a string's bytes (not NUL-terminated) or NULL when absent. */
static inline const char *vigil_str_ptr(const struct vigil_event *ev, vigil_str s)
{
	return s.off == VIGIL_STR_NONE ? NULL : ev->strs + s.off;
}

static inline bool vigil_str_present(vigil_str s)
{
	return s.off != VIGIL_STR_NONE;
}

/* Finish: fix wire_size. Returns it. */
uint32_t vigil_event_seal(struct vigil_event *ev);

/*
 * Framing of a batch (sealed events, each padded to 8 bytes): the sealed
 * size of the event starting at msg, of which avail bytes are there; 0 when
 * no sound event header is there, and the rest of the batch cannot be framed.
 */
uint32_t vigil_event_framed_size(const char *msg, size_t avail);

/*
 * Check an event received from the wire: magic, sizes, every string handle
 * inside the used arena. Returns 0 if sound. The analyzer trusts nothing.
 */
int vigil_event_validate(const struct vigil_event *ev, size_t received);

#endif
