/*
 * fields.c — the field table and extraction (see fields.h).
 *
 * One switch per field kind; values point into the event's arena where
 * they can, and are built in field_value.buf otherwise. Nothing here
 * allocates: the evaluator calls it for every candidate rule of every event.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/fields.h"
#include "rules/fields_ids.h"

/* Dense tables laid out by hand: */
/* clang-format off */
#define Y(n, t, a, id, d) {n, t, a, FS_YES, id, d}
#define N(n, t, a, d) {n, t, a, FS_NO, F_UNSUPPORTED, d}

static const struct field_def table[] = {
	Y("evt.type", FT_STR, FA_NONE, F_EVT_TYPE, "syscall name (execve, openat, ...)"),
	Y("evt.dir", FT_STR, FA_NONE, F_EVT_DIR, "'<' when the result is known, '>' at entry"),
	Y("evt.num", FT_INT, FA_NONE, F_EVT_NUM, "event number"),
	Y("evt.time", FT_STR, FA_NONE, F_EVT_TIME, "time, RFC 3339 UTC with nanoseconds"),
	Y("evt.rawtime", FT_INT, FA_NONE, F_EVT_RAWTIME, "nanoseconds since the epoch"),
	Y("evt.res", FT_STR, FA_NONE, F_EVT_RES, "SUCCESS, or the error name (ENOENT)"),
	Y("evt.rawres", FT_INT, FA_NONE, F_EVT_RAWRES, "return value as a number"),
	Y("evt.args", FT_STR, FA_NONE, F_EVT_ARGS, "all arguments as name=value text"),
	Y("evt.arg", FT_STR, FA_NAME, F_EVT_ARG, "one argument, by name (evt.arg.flags) or position"),
	Y("evt.is_open_read", FT_BOOL, FA_NONE, F_EVT_IS_OPEN_READ, "open for reading"),
	Y("evt.is_open_write", FT_BOOL, FA_NONE, F_EVT_IS_OPEN_WRITE, "open for writing"),
	Y("evt.is_open_exec", FT_BOOL, FA_NONE, F_EVT_IS_OPEN_EXEC, "open creating an executable file"),
	Y("evt.source", FT_STR, FA_NONE, F_EVT_SOURCE, "syscall, fim or vigil"),
	Y("evt.hostname", FT_STR, FA_NONE, F_EVT_HOSTNAME, "host name"),
	Y("proc.pid", FT_INT, FA_NONE, F_PROC_PID, "process id"),
	Y("proc.vpid", FT_INT, FA_NONE, F_PROC_VPID, "process id (vigil runs in the container's pid namespace)"),
	Y("proc.ppid", FT_INT, FA_NONE, F_PROC_PPID, "parent process id"),
	Y("proc.name", FT_STR, FA_NONE, F_PROC_NAME, "comm"),
	Y("proc.exe", FT_STR, FA_NONE, F_PROC_EXE, "argv[0]"),
	Y("proc.exepath", FT_STR, FA_NONE, F_PROC_EXEPATH, "executable path"),
	Y("proc.cmdline", FT_STR, FA_NONE, F_PROC_CMDLINE, "name and arguments"),
	Y("proc.args", FT_STR, FA_NONE, F_PROC_ARGS, "arguments"),
	Y("proc.pname", FT_STR, FA_NONE, F_PROC_PNAME, "parent's name"),
	Y("proc.pcmdline", FT_STR, FA_NONE, F_PROC_PCMDLINE, "parent's command line"),
	Y("proc.pexepath", FT_STR, FA_NONE, F_PROC_PEXEPATH, "parent's executable path"),
	Y("proc.pexe", FT_STR, FA_NONE, F_PROC_PEXE, "parent's argv[0]"),
	Y("proc.aname", FT_STR, FA_INDEX, F_PROC_ANAME, "ancestor's name ([0] self, [1] parent, ...)"),
	Y("proc.apid", FT_INT, FA_INDEX, F_PROC_APID, "ancestor's pid"),
	Y("proc.cwd", FT_STR, FA_NONE, F_PROC_CWD, "working directory"),
	Y("proc.tty", FT_INT, FA_NONE, F_PROC_TTY, "controlling terminal (0: none)"),
	Y("proc.sid", FT_INT, FA_NONE, F_PROC_SID, "session id"),
	Y("proc.vpgid", FT_INT, FA_NONE, F_PROC_VPGID, "process group id"),
	Y("proc.is_vpgid_leader", FT_BOOL, FA_NONE, F_PROC_IS_VPGID_LEADER, "leads its process group"),
	Y("proc.is_exe_from_memfd", FT_BOOL, FA_NONE, F_PROC_IS_EXE_FROM_MEMFD, "executable is a memfd"),
	Y("proc.duration", FT_INT, FA_NONE, F_PROC_DURATION, "nanoseconds since the process was created"),
	Y("proc.is_exe_upper_layer", FT_BOOL, FA_NONE, F_PROC_IS_EXE_UPPER_LAYER,
	  "executable created or written after vigil started (a dropped binary)"),
	Y("proc.stdin.type", FT_STR, FA_NONE, F_PROC_STDIN_TYPE,
	  "type of fd 0 at exec: file, pipe, ipv4, ipv6, unix, socket, unknown"),
	Y("proc.stdin.name", FT_STR, FA_NONE, F_PROC_STDIN_NAME, "name of fd 0 at exec (path, or ip:port->ip:port)"),
	Y("proc.stdout.type", FT_STR, FA_NONE, F_PROC_STDOUT_TYPE, "type of fd 1 at exec"),
	Y("proc.stdout.name", FT_STR, FA_NONE, F_PROC_STDOUT_NAME, "name of fd 1 at exec"),
	Y("vigil.is_entrypoint", FT_BOOL, FA_NONE, F_VIGIL_IS_ENTRYPOINT,
	  "the process's parent is vigil's supervisor (by pid, not by name)"),
	Y("vigil.args_truncated", FT_BOOL, FA_NONE, F_VIGIL_ARGS_TRUNCATED,
	  "argv was longer than proc.args keeps"),
	Y("thread.tid", FT_INT, FA_NONE, F_THREAD_TID, "thread id"),
	Y("thread.cap_effective", FT_STR, FA_NONE, F_THREAD_CAP_EFFECTIVE, "effective capabilities"),
	Y("thread.cap_permitted", FT_STR, FA_NONE, F_THREAD_CAP_PERMITTED, "permitted capabilities"),
	Y("thread.cap_inheritable", FT_STR, FA_NONE, F_THREAD_CAP_INHERITABLE, "inheritable capabilities"),
	Y("user.uid", FT_INT, FA_NONE, F_USER_UID, "user id"),
	Y("user.name", FT_STR, FA_NONE, F_USER_NAME, "user name (container's /etc/passwd)"),
	Y("user.loginuid", FT_INT, FA_NONE, F_USER_LOGINUID, "audit login uid (-1: none)"),
	Y("user.loginname", FT_STR, FA_NONE, F_USER_LOGINNAME, "name of the login uid"),
	Y("group.gid", FT_INT, FA_NONE, F_GROUP_GID, "group id"),
	Y("group.name", FT_STR, FA_NONE, F_GROUP_NAME, "group name"),
	Y("fd.num", FT_INT, FA_NONE, F_FD_NUM, "file descriptor number"),
	Y("fd.name", FT_STR, FA_NONE, F_FD_NAME, "path, or ip:port"),
	Y("fd.nameraw", FT_STR, FA_NONE, F_FD_NAMERAW, "fd.name (vigil normalizes lexically)"),
	Y("fd.type", FT_STR, FA_NONE, F_FD_TYPE, "file, directory, ipv4, ipv6, unix, ..."),
	Y("fd.typechar", FT_STR, FA_NONE, F_FD_TYPECHAR, "f, d, 4, 6, u, ..."),
	Y("fd.directory", FT_STR, FA_NONE, F_FD_DIRECTORY, "directory of fd.name"),
	Y("fd.filename", FT_STR, FA_NONE, F_FD_FILENAME, "last component of fd.name"),
	Y("fd.sockfamily", FT_STR, FA_NONE, F_FD_SOCKFAMILY, "ip or unix"),
	Y("fd.l4proto", FT_STR, FA_NONE, F_FD_L4PROTO, "tcp, udp, icmp or raw (sockets vigil saw created)"),
	Y("fd.sip", FT_IP, FA_NONE, F_FD_SIP, "server address"),
	Y("fd.cip", FT_IP, FA_NONE, F_FD_CIP, "client address"),
	Y("fd.lip", FT_IP, FA_NONE, F_FD_LIP, "local address"),
	Y("fd.rip", FT_IP, FA_NONE, F_FD_RIP, "remote address"),
	Y("fd.sport", FT_INT, FA_NONE, F_FD_SPORT, "server port"),
	Y("fd.cport", FT_INT, FA_NONE, F_FD_CPORT, "client port"),
	Y("fd.lport", FT_INT, FA_NONE, F_FD_LPORT, "local port"),
	Y("fd.rport", FT_INT, FA_NONE, F_FD_RPORT, "remote port"),
	Y("fd.ip", FT_IP, FA_NONE, F_FD_IP, "client or server address (either matches)"),
	Y("fd.port", FT_INT, FA_NONE, F_FD_PORT, "client or server port (either matches)"),
	Y("fd.net", FT_NET, FA_NONE, F_FD_NET, "client or server address in a network (either)"),
	Y("fd.snet", FT_NET, FA_NONE, F_FD_SNET, "server address in a network"),
	Y("fd.cnet", FT_NET, FA_NONE, F_FD_CNET, "client address in a network"),
	Y("fd.connected", FT_BOOL, FA_NONE, F_FD_CONNECTED, "connect succeeded, or the accepted socket"),
	Y("fd.name_changed", FT_BOOL, FA_NONE, F_FD_NAME_CHANGED,
	  "the event gave the socket its tuple (a connect done or in progress)"),
	Y("fd.lnet", FT_NET, FA_NONE, F_FD_LNET, "local address in a network"),
	Y("fd.rnet", FT_NET, FA_NONE, F_FD_RNET, "remote address in a network"),
	Y("container.id", FT_STR, FA_NONE, F_CONTAINER_ID, "container id (never 'host' inside a task)"),
	Y("container.name", FT_STR, FA_NONE, F_CONTAINER_NAME, "container name"),
	Y("container.image", FT_STR, FA_NONE, F_CONTAINER_IMAGE, "image"),
	Y("container.image.repository", FT_STR, FA_NONE, F_CONTAINER_IMAGE_REPOSITORY, "image repository"),
	Y("container.image.tag", FT_STR, FA_NONE, F_CONTAINER_IMAGE_TAG, "image tag"),
	Y("container.privileged", FT_BOOL, FA_NONE, F_CONTAINER_PRIVILEGED, "privileged container"),
	/* FIM changes (source: fim); prev_* is the recorded state (docs/fim.md). */
	Y("fim.path", FT_STR, FA_NONE, F_FIM_PATH, "path of the changed file"),
	Y("fim.directory", FT_STR, FA_NONE, F_FIM_DIRECTORY, "directory of fim.path"),
	Y("fim.filename", FT_STR, FA_NONE, F_FIM_FILENAME, "last component of fim.path"),
	Y("fim.action", FT_STR, FA_NONE, F_FIM_ACTION, "created, deleted, modified or metadata"),
	Y("fim.type", FT_STR, FA_NONE, F_FIM_TYPE, "file, dir, symlink, fifo, socket, chardev, blockdev"),
	Y("fim.changed", FT_STR, FA_NONE, F_FIM_CHANGED, "attributes that changed: sha256,size,mode,..."),
	Y("fim.tags", FT_STR, FA_NONE, F_FIM_TAGS, "tags of the watched path (pci-dss-11.5,...)"),
	Y("fim.detected_by", FT_STR, FA_NONE, F_FIM_DETECTED_BY, "inotify, scan or rescan"),
	Y("fim.attributed", FT_BOOL, FA_NONE, F_FIM_ATTRIBUTED, "proc.* name the process that made it"),
	Y("fim.sha256", FT_STR, FA_NONE, F_FIM_SHA256, "content hash now"),
	Y("fim.prev_sha256", FT_STR, FA_NONE, F_FIM_PREV_SHA256, "content hash recorded"),
	Y("fim.mode", FT_STR, FA_NONE, F_FIM_MODE, "permission bits now, octal (0644)"),
	Y("fim.prev_mode", FT_STR, FA_NONE, F_FIM_PREV_MODE, "permission bits recorded"),
	Y("fim.uid", FT_INT, FA_NONE, F_FIM_UID, "owner now"),
	Y("fim.prev_uid", FT_INT, FA_NONE, F_FIM_PREV_UID, "owner recorded"),
	Y("fim.gid", FT_INT, FA_NONE, F_FIM_GID, "group now"),
	Y("fim.prev_gid", FT_INT, FA_NONE, F_FIM_PREV_GID, "group recorded"),
	Y("fim.size", FT_INT, FA_NONE, F_FIM_SIZE, "size now"),
	Y("fim.prev_size", FT_INT, FA_NONE, F_FIM_PREV_SIZE, "size recorded"),
	Y("fim.inode", FT_INT, FA_NONE, F_FIM_INODE, "inode now"),
	Y("fim.prev_inode", FT_INT, FA_NONE, F_FIM_PREV_INODE, "inode recorded"),
	Y("fim.mtime", FT_STR, FA_NONE, F_FIM_MTIME, "modification time now, RFC 3339"),
	Y("fim.prev_mtime", FT_STR, FA_NONE, F_FIM_PREV_MTIME, "modification time recorded"),
	Y("fim.target", FT_STR, FA_NONE, F_FIM_TARGET, "symlink target now"),
	Y("fim.prev_target", FT_STR, FA_NONE, F_FIM_PREV_TARGET, "symlink target recorded"),
	/* vigil's own state (evt.source = vigil, and vigil.tamper on syscalls; docs/events.md). */
	Y("vigil.tamper", FT_STR, FA_NONE, F_VIGIL_TAMPER, "attempt to escape or attack vigil (ptrace_vigil, ...)"),
	Y("vigil.events_dropped", FT_INT, FA_NONE, F_VIGIL_DROPPED, "events dropped so far (queue full)"),
	Y("vigil.events_lost", FT_INT, FA_NONE, F_VIGIL_LOST, "events lost so far with a killed analyzer"),
	Y("vigil.analyzer_restarts", FT_INT, FA_NONE, F_VIGIL_RESTARTS, "analyzer restarts so far"),
	Y("vigil.read_errors", FT_INT, FA_NONE, F_VIGIL_READ_ERRORS, "tracee memory reads that failed"),
	Y("vigil.tracees", FT_INT, FA_NONE, F_VIGIL_TRACEES, "processes traced now"),
	Y("vigil.events_dropped_new", FT_INT, FA_NONE, F_VIGIL_DROPPED_NEW,
	  "loss report: events dropped since the previous report (0: no report due)"),
	Y("vigil.events_lost_new", FT_INT, FA_NONE, F_VIGIL_LOST_NEW, "loss report: events lost since the previous one"),
	Y("vigil.analyzer_restarts_new", FT_INT, FA_NONE, F_VIGIL_RESTARTS_NEW,
	  "loss report: analyzer restarts since the previous one"),
	Y("vigil.fim_degraded", FT_BOOL, FA_NONE, F_VIGIL_FIM_DEGRADED,
	  "FIM is not real-time everywhere: the watch limit left trees to periodic scans"),
	Y("vigil.fim_unwatched", FT_INT, FA_NONE, F_VIGIL_FIM_UNWATCHED, "trees scanned periodically, not watched"),
	Y("vigil.fim_overflows", FT_INT, FA_NONE, F_VIGIL_FIM_OVERFLOWS, "inotify queue overflows (rescanned)"),
	Y("vigil.sensor", FT_STR, FA_NONE, F_VIGIL_SENSOR, "ptrace, notify or notify-sync (how syscalls reach vigil)"),
	/* Falco fields vigil does not produce (yet): rules using them load disabled. */

	N("fd.proto", FT_STR, FA_NONE, "protocol"),
	N("fd.types", FT_STR, FA_INDEX, "types of all fds"),
	N("fd.sip.name", FT_STR, FA_NONE, "server host name"),
	N("fd.cip.name", FT_STR, FA_NONE, "client host name"),
	N("fd.rip.name", FT_STR, FA_NONE, "remote host name"),
	N("fd.lip.name", FT_STR, FA_NONE, "local host name"),
	N("fd.dev", FT_INT, FA_NONE, "device"),
	N("fd.ino", FT_INT, FA_NONE, "inode"),
	N("proc.aexe", FT_STR, FA_INDEX, "ancestor's argv[0]"),
	N("proc.aexepath", FT_STR, FA_INDEX, "ancestor's executable path"),
	N("proc.sname", FT_STR, FA_NONE, "session leader's name"),
	N("proc.exe_ino", FT_INT, FA_NONE, "executable inode"),
	N("proc.exe_ino.ctime", FT_INT, FA_NONE, "executable ctime"),
	N("proc.exe_ino.mtime", FT_INT, FA_NONE, "executable mtime"),
	N("proc.exe_ino.ctime_duration_proc_start", FT_INT, FA_NONE, ""),

	N("proc.is_exe_writable", FT_BOOL, FA_NONE, "executable writable by the user"),
	N("proc.is_sid_leader", FT_BOOL, FA_NONE, "session leader"),
	N("proc.is_container_healthcheck", FT_BOOL, FA_NONE, ""),
	N("proc.is_container_liveness_probe", FT_BOOL, FA_NONE, ""),
	N("proc.is_container_readiness_probe", FT_BOOL, FA_NONE, ""),
	N("proc.env", FT_STR, FA_NAME, "environment (never read by vigil)"),
	N("proc.stderr.type", FT_STR, FA_NONE, ""), N("proc.stderr.name", FT_STR, FA_NONE, ""),
	N("proc.fdopencount", FT_INT, FA_NONE, ""), N("proc.vmsize", FT_INT, FA_NONE, ""),
	N("user.shell", FT_STR, FA_NONE, ""), N("user.homedir", FT_STR, FA_NONE, ""),
	N("evt.category", FT_STR, FA_NONE, ""), N("evt.is_io", FT_BOOL, FA_NONE, ""),
	N("evt.buffer", FT_STR, FA_NONE, ""), N("evt.rawarg", FT_STR, FA_NAME, ""),
	N("evt.deltatime", FT_INT, FA_NONE, ""), N("evt.latency", FT_INT, FA_NONE, ""),
	N("container.start_ts", FT_INT, FA_NONE, ""), N("container.image.digest", FT_STR, FA_NONE, ""),
	N("container.image.id", FT_STR, FA_NONE, ""), N("container.mounts", FT_STR, FA_NONE, ""),
	N("container.mount", FT_STR, FA_NAME, ""), N("container.mount.dest", FT_STR, FA_NAME, ""),
	N("container.type", FT_STR, FA_NONE, ""), N("container.healthcheck", FT_STR, FA_NONE, ""),
};

/* Whole families vigil has no source for. */
#define FAMILY(p) {p "*", FT_STR, FA_NAME, FS_NO, F_UNSUPPORTED, "not produced by vigil"}
static const struct field_def families[] = {
	FAMILY("k8s."), FAMILY("ka."), FAMILY("mesos."), FAMILY("marathon."), FAMILY("span."),
	FAMILY("gvisor."), FAMILY("container.label"), FAMILY("container.host"),
};
/* clang-format on */

static const struct field_def *evt_arg_def(void)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i].id == F_EVT_ARG)
			return &table[i];
	return NULL;
}

static int parse_index(const char *arg, int *out)
{
	char *end;
	long v = strtol(arg, &end, 10);
	if (*arg == '\0' || *end || v < 0 || v > 64)
		return -1;
	*out = (int)v;
	return 0;
}

int field_resolve(const char *name, const char *arg, struct field_ref *ref, char *err,
		  size_t errlen)
{
	memset(ref, 0, sizeof(*ref));
	ref->index = -1;
	ref->argpos = -1;
	if (strncmp(name, "evt.arg.", 8) == 0 && !arg) { /* evt.arg.flags */
		if (strlen(name + 8) >= sizeof(ref->argname) || !name[8]) {
			snprintf(err, errlen, "bad argument name in '%s'", name);
			return -1;
		}
		ref->def = evt_arg_def();
		snprintf(ref->argname, sizeof(ref->argname), "%s", name + 8);
		return 0;
	}
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		if (strcmp(table[i].name, name) != 0)
			continue;
		ref->def = &table[i];
		if (!arg)
			return table[i].arg == FA_NAME && table[i].support == FS_YES
				       ? (snprintf(err, errlen, "field '%s' needs an argument",
						   name),
					  -1)
				       : 0;
		if (table[i].arg == FA_NONE) {
			snprintf(err, errlen, "field '%s' takes no argument", name);
			return -1;
		}
		if (table[i].arg == FA_INDEX && parse_index(arg, &ref->index) != 0 && *arg) {
			snprintf(err, errlen, "bad index '%s' for field '%s'", arg, name);
			return -1;
		}
		if (table[i].arg == FA_NAME && parse_index(arg, &ref->argpos) != 0) {
			snprintf(ref->argname, sizeof(ref->argname), "%.31s", arg);
			ref->argpos = -1;
		}
		return 0;
	}
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		size_t plen = strlen(families[i].name) - 1; /* without the '*' */
		if (strncmp(name, families[i].name, plen) == 0) {
			ref->def = &families[i];
			return 0;
		}
	}
	snprintf(err, errlen, "unknown field '%s'", name);
	return -1;
}
