/*
 * attack_self.c - a hostile application trying to blind, rob or stop vigil.
 *
 * Usage: attack_self ATTACK [ARGS]
 * Each attack reports what the kernel answered as a VIGILTEST line; the
 * pytest suite (test/integration/test_self_protection.py) checks that each
 * was refused (EPERM/EACCES) or alerted, and never went unseen.
 * The supervisor is the caller's parent (getppid()); the analyzer is found
 * by its name in /proc.
 */
#include <dirent.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "vt_common.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif
#ifndef SYS_io_uring_setup
#define SYS_io_uring_setup 425
#endif

#define KCMP_FILE 0

/* errno of a call that returned -1, or 0 when it succeeded. */
#define ERR_OF(call) ((call) < 0 ? errno : 0)

static pid_t find_analyzer(pid_t supervisor)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t found = -1;
	while (d && (e = readdir(d))) {
		char path[300], stat[512];
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		int fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		ssize_t n = read(fd, stat, sizeof(stat) - 1);
		close(fd);
		if (n <= 0)
			continue;
		stat[n] = '\0';
		int pid, ppid;
		char comm[64], state;
		if (sscanf(stat, "%d (%63[^)]) %c %d", &pid, comm, &state, &ppid) == 4 &&
		    ppid == supervisor && strncmp(comm, "vigil-analyzer", 14) == 0)
			found = pid;
	}
	if (d)
		closedir(d);
	return found;
}

/*
 * The analyzer, once it exists: without rules the program may start before
 * the analyzer has exec'd (until then it is a "vigil" child), and an
 * attack aimed at pid -1 would test kill(-1) instead. Up to 10 s.
 */
static pid_t wait_analyzer(pid_t supervisor)
{
	for (int i = 0; i < 1000; i++) {
		pid_t an = find_analyzer(supervisor);
		if (an > 0)
			return an;
		usleep(10000);
	}
	return -1;
}

/* The oldest thread of `pid` other than its leader (the lowest tid: a
 * long-lived one, not a worker that may be gone by the time it is aimed
 * at), or -1. */
static pid_t other_thread(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	DIR *d = opendir(path);
	struct dirent *e;
	pid_t tid = -1;
	while (d && (e = readdir(d))) {
		pid_t t = atoi(e->d_name);
		if (t > 0 && t != pid && (tid < 0 || t < tid))
			tid = t;
	}
	if (d)
		closedir(d);
	return tid;
}

/* errno of opening /proc/PID/WHAT (0 when it opened). */
static int open_err(int pid, const char *what)
{
	char path[128];
	snprintf(path, sizeof(path), "/proc/%d/%s", pid, what);
	if (strcmp(what, "task-mem") == 0) /* the same file by a detour */
		snprintf(path, sizeof(path), "/proc/./%d/task/../mem", pid);
	int fd = open(path, O_RDONLY);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	return errno;
}

static char state_of(pid_t pid)
{
	char path[64], stat[512];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return '?';
	ssize_t n = read(fd, stat, sizeof(stat) - 1);
	close(fd);
	if (n <= 0)
		return '?';
	stat[n] = '\0';
	char *r = strrchr(stat, ')');
	return r && r[1] == ' ' ? r[2] : '?';
}

/* Memory, environment, descriptors, ptrace and pidfds of vigil's processes. */
static int attack_memory(void)
{
	pid_t sup = getppid(), an = wait_analyzer(sup);
	char buf[64];
	struct iovec local = {buf, sizeof(buf)}, remote = {(void *)0x400000, sizeof(buf)};
	vt_report("{\"supervisor\":%d,\"analyzer\":%d}", (int)sup, (int)an);
	pid_t targets[2] = {sup, an};
	for (int i = 0; i < 2; i++) {
		pid_t p = targets[i];
		vt_report("{\"target\":%d,\"mem\":%d,\"environ\":%d,\"fd0\":%d,\"task_mem\":%d,"
			  "\"vm_readv\":%d,\"vm_writev\":%d,\"ptrace\":%d,\"pidfd_open\":%d,\"kcmp\":%d}",
			  (int)p, open_err(p, "mem"), open_err(p, "environ"), open_err(p, "fd/0"),
			  open_err(p, "task-mem"),
			  ERR_OF(process_vm_readv(p, &local, 1, &remote, 1, 0)),
			  ERR_OF(process_vm_writev(p, &local, 1, &remote, 1, 0)),
			  ERR_OF(ptrace(PTRACE_ATTACH, p, NULL, NULL)),
			  ERR_OF(syscall(SYS_pidfd_open, p, 0)),
			  ERR_OF(syscall(SYS_kcmp, getpid(), p, KCMP_FILE, 0, 0)));
	}
	return 0;
}

/* Signals of every kind at the analyzer and at a thread of vigil's (the
 * supervisor's signal thread when the analyzer has none); then kill(-1)
 * from a process with a child of its own. */
static int attack_signals(bool kill_all)
{
	pid_t sup = getppid(), an = wait_analyzer(sup), tid = other_thread(an);
	pid_t tgid = an;
	if (tid <= 0) {
		tid = other_thread(sup);
		tgid = sup;
	}
	siginfo_t si = {.si_code = SI_QUEUE, .si_signo = SIGSTOP};
	si.si_pid = getpid();
	vt_report("{\"analyzer\":%d,\"thread\":%d,\"kill\":%d,\"tkill\":%d,\"tgkill\":%d,"
		  "\"sigqueue\":%d,\"tgsigqueue\":%d,\"kill_group\":%d,\"kill_sup\":%d}",
		  (int)an, (int)tid, ERR_OF(kill(an, SIGSTOP)),
		  tid > 0 ? ERR_OF(syscall(SYS_tkill, tid, SIGSTOP)) : -1,
		  tid > 0 ? ERR_OF(syscall(SYS_tgkill, tgid, tid, SIGSTOP)) : -1,
		  ERR_OF(syscall(SYS_rt_sigqueueinfo, an, SIGSTOP, &si)),
		  tid > 0 ? ERR_OF(syscall(SYS_rt_tgsigqueueinfo, tgid, tid, SIGSTOP, &si)) : -1,
		  getpgid(sup) > 1 ? ERR_OF(kill(-getpgid(sup), SIGSTOP)) : -1, /* 0: outside our pid ns */
		  ERR_OF(kill(sup, SIGSTOP)));
	if (!kill_all) /* kill(-1) reaches every process of the user: only in a pid namespace */
		return 0;
	pid_t child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	usleep(100000);
	int rc = ERR_OF(kill(-1, SIGSTOP));
	usleep(100000);
	char child_state = state_of(child);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	vt_report("{\"kill_all\":%d,\"child_state\":\"%c\",\"analyzer_state\":\"%c\","
		  "\"supervisor_state\":\"%c\"}",
		  rc, child_state, state_of(an), state_of(sup));
	return 0;
}

static int install(bool use_prctl, unsigned flags, struct sock_filter *insns, unsigned short len)
{
	struct sock_fprog prog = {len, insns};
	if (use_prctl)
		return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
}

#define LD_NR BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr))

/* Filters that could hide syscalls: refused. A plain one: works. */
static int attack_seccomp(void)
{
	struct sock_filter trace[] = {
		LD_NR, BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE | 1), /* relabel openat as id 1 */
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
	struct sock_filter notif[] = {
		LD_NR, BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
	struct sock_filter allow[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
	struct sock_filter ret_a[] = {BPF_STMT(BPF_LD | BPF_IMM, SECCOMP_RET_TRACE | 2),
				      BPF_STMT(BPF_RET | BPF_A, 0)};
	struct sock_filter plain[] = {
		LD_NR, BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mkdirat, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EROFS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
	vt_report("{\"trace\":%d,\"trace_prctl\":%d,\"notif\":%d,\"listener\":%d,\"ret_a\":%d}",
		  ERR_OF(install(false, 0, trace, 4)), ERR_OF(install(true, 0, trace, 4)),
		  ERR_OF(install(false, 0, notif, 4)),
		  ERR_OF(install(false, SECCOMP_FILTER_FLAG_NEW_LISTENER, allow, 1)),
		  ERR_OF(install(false, 0, ret_a, 2)));
	int plain_rc = ERR_OF(install(false, 0, plain, 4));
	int prctl_rc = ERR_OF(install(true, 0, allow, 1));
	int mkdir_rc = ERR_OF(mkdirat(AT_FDCWD, "/nonexistent-dir-for-filter-test", 0700));
	int fd = open("/etc/shadow", O_RDONLY);
	vt_report("{\"plain\":%d,\"plain_prctl\":%d,\"mkdir_with_filter\":%d,\"shadow_fd\":%d}",
		  plain_rc, prctl_rc, mkdir_rc, fd);
	return 0;
}

/* The race: a second thread flips the filter's return between ALLOW and a
 * relabelling TRACE while the first installs it again and again; after
 * each install that succeeds, a probe open of a numbered path. */
static struct sock_filter race_prog[4];
static volatile int race_done;

static void *flipper(void *arg)
{
	(void)arg;
	while (!race_done) {
		/* Atomic stores: plain ones would be merged into the last. */
		__atomic_store_n(&race_prog[2].k, SECCOMP_RET_TRACE | 1, __ATOMIC_RELAXED);
		__atomic_store_n(&race_prog[2].k, SECCOMP_RET_ALLOW, __ATOMIC_RELAXED);
	}
	return NULL;
}

static int attack_seccomp_race(const char *dir, int tries)
{
	struct sock_filter init[] = {LD_NR, BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat, 0, 1),
				     BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
				     BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
	memcpy(race_prog, init, sizeof(init));
	pthread_t th;
	if (pthread_create(&th, NULL, flipper, NULL) != 0)
		return VT_EXIT_SETUP;
	int installed = 0, refused = 0, made = 0;
	/* Up to `tries`, and at least 400, until both outcomes were seen 20
	 * times; yield now and then so that on a loaded machine the flipper
	 * runs between installs even with one CPU to share. */
	for (; made < tries && (made < 400 || installed < 20 || refused < 20); made++) {
		if (made % 16 == 15)
			sched_yield();
		if (install(false, 0, race_prog, 4) != 0) {
			refused++;
			continue;
		}
		installed++;
		char path[512];
		snprintf(path, sizeof(path), "%s/probe-%d", dir, installed);
		int fd = open(path, O_RDONLY);
		if (fd >= 0)
			close(fd);
	}
	race_done = 1;
	pthread_join(th, NULL);
	vt_report("{\"tries\":%d,\"installed\":%d,\"refused\":%d}", made, installed, refused);
	return 0;
}

static int report_caps(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long long v;
		char name[16];
		if (sscanf(line, "Cap%15[A-Za-z]: %llx", name, &v) == 2)
			vt_report("{\"cap\":\"%s\",\"ptrace\":%s}", name, (v >> 19) & 1 ? "true" : "false");
		else if (strncmp(line, "NoNewPrivs:", 11) == 0)
			vt_report("{\"no_new_privs\":%d}", atoi(line + 11));
	}
	if (f)
		fclose(f);
	vt_report("{\"userfaultfd\":%d}", ERR_OF(syscall(SYS_userfaultfd, 0)));
	return 0;
}

static int attack_io_uring(void)
{
	char params[120] = {0};
	long fd = syscall(SYS_io_uring_setup, 4, params);
	vt_report("{\"io_uring\":%d}", fd < 0 ? errno : 0);
	return 0;
}

/* Alive after the test froze the analyzer from outside: then a sensitive read. */
static int sleep_then_read(int seconds)
{
	sleep((unsigned)seconds);
	int fd = open("/etc/shadow", O_RDONLY);
	vt_report("{\"shadow_fd\":%d}", fd);
	sleep(1);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	const char *a = argc > 1 ? argv[1] : "";
	if (strcmp(a, "memory") == 0)
		return attack_memory();
	if (strcmp(a, "signals") == 0)
		return attack_signals(argc > 2 && strcmp(argv[2], "all") == 0);
	if (strcmp(a, "seccomp") == 0)
		return attack_seccomp();
	if (strcmp(a, "seccomp-race") == 0 && argc > 3)
		return attack_seccomp_race(argv[2], atoi(argv[3]));
	if (strcmp(a, "caps") == 0)
		return report_caps();
	if (strcmp(a, "io_uring") == 0)
		return attack_io_uring();
	if (strcmp(a, "sleep-read") == 0 && argc > 2)
		return sleep_then_read(atoi(argv[2]));
	fprintf(stderr, "usage: attack_self memory|signals [all]|seccomp|seccomp-race DIR N|caps|io_uring|sleep-read S\n");
	return VT_EXIT_SETUP;
}
