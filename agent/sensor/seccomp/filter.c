/*
 * filter.c — hand-written BPF for the traced syscall set.
 *
 * Layout: check the architecture first (a 64-bit process can issue i386
 * syscalls through int 0x80 and x32 syscalls with bit 30 set, and each ABI
 * has its own numbers), then one compare per traced syscall. The verdict
 * for an untraced syscall never depends on its arguments, so the kernel's
 * seccomp action cache makes them free. A few syscalls are traced only
 * when an argument says so (arg_conds below): clone with CLONE_UNTRACED,
 * prctl(PR_SET_SECCOMP), sends with MSG_FASTOPEN. clone3 is never run: it
 * is answered ENOSYS (emit_clone3_enosys).
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vigil/event.h"
#include "vigil/log.h"
#include "sensor/seccomp/filter.h"

#define X32_BIT 0x40000000u
#define NR_OFF offsetof(struct seccomp_data, nr)
#define ARCH_OFF offsetof(struct seccomp_data, arch)

struct builder {
	struct seccomp_prog *prog;
	uint32_t action; /* for traced syscalls */
	int overflow;
};

static void emit(struct builder *b, unsigned short code, unsigned k, unsigned char jt,
		 unsigned char jf)
{
	if (b->prog->len >= sizeof(b->prog->insns) / sizeof(b->prog->insns[0])) {
		b->overflow = 1;
		return;
	}
	b->prog->insns[b->prog->len++] = (struct sock_filter){code, jt, jf, k};
}

static void ret(struct builder *b, unsigned action)
{
	emit(b, BPF_RET | BPF_K, action, 0, 0);
}

/* The return for a traced syscall: TRACE carries the vigil id in its data
 * (the tracer checks that a stop is its own by it); other actions are
 * returned as given (USER_NOTIF has no data, ERRNO's is the errno). */
static void ret_traced(struct builder *b, int id)
{
	ret(b, b->action == SECCOMP_RET_TRACE ? SECCOMP_RET_TRACE | (unsigned)id : b->action);
}

/*
 * Syscalls traced only when one argument says so (the low 32 bits of
 * args[arg], which is the whole value on i386): the check runs in the
 * kernel on registers, so it cannot be raced. `when` is the syscall whose
 * presence in the set switches the check on (0: always).
 */
struct arg_cond {
	int id;
	int arg;
	unsigned short op; /* BPF_JSET (any bit of k) or BPF_JEQ */
	unsigned k;
	int when;
};

static const struct arg_cond arg_conds[] = {
	/* CLONE_UNTRACED would defeat PTRACE_O_TRACECLONE: refused at the stop. */
	{VIGIL_SC_CLONE, 0, BPF_JSET, CLONE_UNTRACED, 0},
	/* A new thread, where threads are not attached (the notify sensor, the
	 * one that traces thread exits): a second thread can rewrite the
	 * paths of the first, which must then be checked at their exits. */
	{VIGIL_SC_CLONE, 0, BPF_JSET, CLONE_THREAD, VIGIL_SC_EXIT},
	/* A filter of the program's own is checked before the kernel has it. */
	{VIGIL_SC_PRCTL, 0, BPF_JEQ, PR_SET_SECCOMP, 0},
	/* TCP Fast Open connects inside sendto/sendmsg/sendmmsg. */
	{VIGIL_SC_SENDTO, 3, BPF_JSET, MSG_FASTOPEN, VIGIL_SC_CONNECT},
	{VIGIL_SC_SENDMSG, 2, BPF_JSET, MSG_FASTOPEN, VIGIL_SC_CONNECT},
	{VIGIL_SC_SENDMMSG, 3, BPF_JSET, MSG_FASTOPEN, VIGIL_SC_CONNECT},
};

/* "jeq nr, 0, 3; ld args[arg]; j<op> k, 0, 1; ret TRACE|id" (nr is in A). */
static void emit_arg_cond(struct builder *b, int nr, const struct arg_cond *c)
{
	emit(b, BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nr, 0, 3);
	emit(b, BPF_LD | BPF_W | BPF_ABS,
	     (unsigned)(offsetof(struct seccomp_data, args) + 8 * (unsigned)c->arg), 0, 0);
	emit(b, BPF_JMP | c->op | BPF_K, c->k, 0, 1);
	ret_traced(b, c->id);
	/* A was overwritten by the argument: reload nr for what follows. */
	emit(b, BPF_LD | BPF_W | BPF_ABS, NR_OFF, 0, 0);
}

bool seccomp_arg_traced(const vigil_sc_set *set, int id)
{
	for (size_t i = 0; i < sizeof(arg_conds) / sizeof(arg_conds[0]); i++)
		if (arg_conds[i].id == id)
			return !arg_conds[i].when || vigil_sc_set_has(set, arg_conds[i].when);
	return false;
}

/*
 * clone3 takes its flags from memory, where a second thread can set
 * CLONE_UNTRACED after a tracer read them. As container runtimes' default
 * profiles do, the filter answers it ENOSYS in the kernel (no stop): libc
 * falls back to clone, whose flags are registers the filter checks.
 * ERRNO outranks TRACE, so no filter of the program's can undo this.
 */
static void emit_clone3_enosys(struct builder *b, int arch)
{
	int nrs[4];
	int n = vigil_syscall_numbers(arch, VIGIL_SC_CLONE3, nrs, 4);
	for (int i = 0; i < n; i++) {
		emit(b, BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nrs[i], 0, 1);
		ret(b, SECCOMP_RET_ERRNO | ENOSYS);
	}
}

/*
 * One ABI's block: [nr] is loaded by the caller. clone3's ENOSYS, then for
 * each traced syscall: "jeq nr, 0, 1; ret TRACE|id". Then the argument
 * checks and the final ALLOW.
 */
static void emit_abi_block(struct builder *b, int arch, const vigil_sc_set *set)
{
	int nrs[4];
	emit_clone3_enosys(b, arch);
	for (int id = 1; id < VIGIL_SC_PROCEXIT; id++) {
		if (!vigil_sc_set_has(set, id) || id == VIGIL_SC_CLONE3)
			continue;
		int n = vigil_syscall_numbers(arch, id, nrs, 4);
		for (int i = 0; i < n; i++) {
			emit(b, BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nrs[i], 0, 1);
			ret_traced(b, id);
		}
	}
	for (size_t c = 0; c < sizeof(arg_conds) / sizeof(arg_conds[0]); c++) {
		const struct arg_cond *ac = &arg_conds[c];
		if (vigil_sc_set_has(set, ac->id) || !seccomp_arg_traced(set, ac->id))
			continue; /* traced whole above, or not wanted */
		int n = vigil_syscall_numbers(arch, ac->id, nrs, 4);
		for (int i = 0; i < n; i++)
			emit_arg_cond(b, nrs[i], ac);
	}
	ret(b, SECCOMP_RET_ALLOW);
}

/*
 * Open an ABI block: "if arch != audit_arch, jump past the block". The
 * jump is a BPF_JA (32-bit offset) patched when the block is closed, so a
 * block may be longer than a conditional jump's 255 instructions.
 */
static unsigned short open_arch_check(struct builder *b, unsigned audit_arch)
{
	emit(b, BPF_LD | BPF_W | BPF_ABS, ARCH_OFF, 0, 0);
	emit(b, BPF_JMP | BPF_JEQ | BPF_K, audit_arch, 1, 0);
	emit(b, BPF_JMP | BPF_JA, 0, 0, 0);
	return (unsigned short)(b->prog->len - 1);
}

static int close_arch_check(struct builder *b, unsigned short at)
{
	b->prog->insns[at].k = (unsigned)(b->prog->len - at - 1);
	return 0;
}

int seccomp_build(const vigil_sc_set *set, uint32_t action, struct seccomp_prog *prog)
{
	struct builder b = {prog, action, 0};
	prog->len = 0;
	int rc = 0;
#if defined(__x86_64__)
	unsigned short at = open_arch_check(&b, AUDIT_ARCH_X86_64);
	emit(&b, BPF_LD | BPF_W | BPF_ABS, NR_OFF, 0, 0);
	emit(&b, BPF_JMP | BPF_JGE | BPF_K, X32_BIT, 0, 1);
	ret_traced(&b, 0); /* x32: traced whole, id resolved by the sensor */
	emit_abi_block(&b, VIGIL_ARCH_X86_64, set);
	rc |= close_arch_check(&b, at);

	at = open_arch_check(&b, AUDIT_ARCH_I386);
	emit(&b, BPF_LD | BPF_W | BPF_ABS, NR_OFF, 0, 0);
	emit_abi_block(&b, VIGIL_ARCH_I386, set);
	rc |= close_arch_check(&b, at);
#elif defined(__aarch64__)
	unsigned short at = open_arch_check(&b, AUDIT_ARCH_AARCH64);
	emit(&b, BPF_LD | BPF_W | BPF_ABS, NR_OFF, 0, 0);
	emit_abi_block(&b, VIGIL_ARCH_AARCH64, set);
	rc |= close_arch_check(&b, at);
#else
#error "vigil supports x86_64 and aarch64"
#endif
	ret_traced(&b, 0); /* any other ABI: traced whole */
	return b.overflow || rc ? -1 : 0;
}

/* CAP_SYS_ADMIN in the effective set lets us skip no_new_privs. */
static int have_cap_sys_admin(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	if (!f)
		return 0;
	char line[256];
	unsigned long long eff = 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	fclose(f);
	return (eff >> 21) & 1; /* CAP_SYS_ADMIN */
}

bool seccomp_needs_no_new_privs(void)
{
	return !have_cap_sys_admin();
}

static long install(const struct seccomp_prog *prog, unsigned flags)
{
	struct sock_fprog fprog = {prog->len, (struct sock_filter *)prog->insns};
	if (!have_cap_sys_admin() && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return -1;
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &fprog);
}

int seccomp_install(const struct seccomp_prog *prog)
{
	return install(prog, 0) == 0 ? 0 : -1;
}

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5) /* Linux 5.19 */
#endif

int seccomp_install_listener(const struct seccomp_prog *prog, bool *wait_killable)
{
	long fd = install(prog, SECCOMP_FILTER_FLAG_NEW_LISTENER |
					SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV);
	*wait_killable = fd >= 0;
	if (fd < 0 && errno == EINVAL) /* before 5.19 */
		fd = install(prog, SECCOMP_FILTER_FLAG_NEW_LISTENER);
	return fd >= 0 ? (int)fd : -1;
}

int seccomp_arch_of(uint32_t audit_arch, uint64_t nr)
{
	switch (audit_arch) {
	case AUDIT_ARCH_X86_64: return (nr & 0x40000000u) ? VIGIL_ARCH_X32 : VIGIL_ARCH_X86_64;
	case AUDIT_ARCH_I386: return VIGIL_ARCH_I386;
	case AUDIT_ARCH_AARCH64: return VIGIL_ARCH_AARCH64;
	default: return VIGIL_ARCH_UNKNOWN;
	}
}
