/*
 * deny_trace MODE PROGRAM [ARGS...] - run PROGRAM (vigil) where tracing is
 * refused for real, as in a container without SYS_PTRACE or with a strict
 * seccomp profile: install a seccomp filter answering EPERM, then exec.
 *
 *   ptrace    ptrace(2) fails EPERM (no SYS_PTRACE: PTRACE_SEIZE refused)
 *   seccomp   seccomp(SECCOMP_SET_MODE_FILTER) and prctl(PR_SET_SECCOMP)
 *             fail EPERM (a profile that forbids filters); probes still work
 *   listener  only a filter with SECCOMP_FILTER_FLAG_NEW_LISTENER fails EPERM
 *   all       ptrace and seccomp both
 *
 * The filter is inherited by everything PROGRAM starts. Exit 99 when the
 * filter cannot be installed (setup failure), 2 on usage errors.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define ARCH AUDIT_ARCH_AARCH64
#else
#error "x86_64 and aarch64 only"
#endif

#define NR offsetof(struct seccomp_data, nr)
#define ARG(n) offsetof(struct seccomp_data, args[n])
#define DENY (SECCOMP_RET_ERRNO | EPERM)
#define LD(off) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define JEQ(k, t, f) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (t), (f))
#define JSET(k, t, f) BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, (k), (t), (f))
#define RET(k) BPF_STMT(BPF_RET | BPF_K, (k))

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: deny_trace ptrace|seccomp|listener|all PROGRAM [ARGS...]\n");
		return 2;
	}
	const char *m = argv[1];
	int ptr = !strcmp(m, "ptrace") || !strcmp(m, "all");
	int sec = !strcmp(m, "seccomp") || !strcmp(m, "all");
	int lis = !strcmp(m, "listener");
	if (!ptr && !sec && !lis) {
		fprintf(stderr, "deny_trace: unknown mode '%s'\n", m);
		return 2;
	}
	/* Built in order; each check falls through to the next when it does
	 * not apply, and the end allows. */
	struct sock_filter f[32];
	unsigned short n = 0;
	f[n++] = (struct sock_filter)LD(offsetof(struct seccomp_data, arch));
	f[n++] = (struct sock_filter)JEQ(ARCH, 1, 0);
	f[n++] = (struct sock_filter)RET(SECCOMP_RET_ALLOW);
	if (ptr) {
		f[n++] = (struct sock_filter)LD(NR);
		f[n++] = (struct sock_filter)JEQ(SYS_ptrace, 0, 1);
		f[n++] = (struct sock_filter)RET(DENY);
	}
	if (sec || lis) { /* seccomp(SECCOMP_SET_MODE_FILTER, flags, ...) */
		f[n++] = (struct sock_filter)LD(NR);
		f[n++] = (struct sock_filter)JEQ(SYS_seccomp, 0, lis ? 5 : 3);
		f[n++] = (struct sock_filter)LD(ARG(0));
		f[n++] = (struct sock_filter)JEQ(SECCOMP_SET_MODE_FILTER, 0, lis ? 3 : 1);
		if (lis) {
			f[n++] = (struct sock_filter)LD(ARG(1));
			f[n++] = (struct sock_filter)JSET(SECCOMP_FILTER_FLAG_NEW_LISTENER, 0, 1);
		}
		f[n++] = (struct sock_filter)RET(DENY);
	}
	if (sec) { /* prctl(PR_SET_SECCOMP, ...) */
		f[n++] = (struct sock_filter)LD(NR);
		f[n++] = (struct sock_filter)JEQ(SYS_prctl, 0, 3);
		f[n++] = (struct sock_filter)LD(ARG(0));
		f[n++] = (struct sock_filter)JEQ(PR_SET_SECCOMP, 0, 1);
		f[n++] = (struct sock_filter)RET(DENY);
	}
	f[n++] = (struct sock_filter)RET(SECCOMP_RET_ALLOW);
	struct sock_fprog prog = {n, f};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) {
		perror("deny_trace: installing the filter");
		return 99;
	}
	execvp(argv[2], argv + 2);
	perror("deny_trace: exec");
	return 127;
}
