/*
 * clone_flags.c — the flags of the fork, vfork or clone a creator is in.
 *
 * At its fork/vfork/clone event the creator is stopped inside the syscall:
 * its registers still hold the arguments the kernel took the flags from,
 * and nothing but the tracer can change them now. One PTRACE_GETREGS says
 * whether the child is a thread (CLONE_THREAD) and whether it shares the
 * creator's memory (CLONE_VM, CLONE_VFORK); the event's type cannot (a
 * clone with SIGCHLD is reported as a fork whatever its flags).
 */
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>

#include "sensor/ptrace/ptrace_int.h"

#if defined(__x86_64__)
#define X32_BIT 0x40000000ull

bool ptrace_clone_flags(pid_t tid, uint64_t *flags)
{
	struct user_regs_struct regs;
	if (ptrace(PTRACE_GETREGS, tid, NULL, &regs) != 0)
		return false;
	/* Only clone-family calls make these events, and no number of one ABI
	 * that does is a clone-family number of the other. */
	switch (regs.orig_rax & ~X32_BIT) {
	case 56: *flags = regs.rdi; return true;			  /* x86_64, x32 clone */
	case 120: *flags = (uint32_t)regs.rbx; return true;		  /* i386 clone */
	case 57:							  /* x86_64 fork */
	case 2: *flags = SIGCHLD; return true;				  /* i386 fork */
	case 58:							  /* x86_64 vfork */
	case 190: *flags = CLONE_VM | CLONE_VFORK | SIGCHLD; return true; /* i386 vfork */
	default: return false;
	}
}
#elif defined(__aarch64__)
#include <elf.h>

bool ptrace_clone_flags(pid_t tid, uint64_t *flags)
{
	struct user_regs_struct regs; /* x0..x30, sp, pc, pstate */
	struct iovec iov = {&regs, sizeof(regs)};
	if (ptrace(PTRACE_GETREGSET, tid, (void *)NT_PRSTATUS, &iov) != 0 ||
	    iov.iov_len != sizeof(regs))
		return false;	 /* a 32-bit task: its registers are laid out otherwise */
	if (regs.regs[8] != 220) /* clone; x0 holds its flags until it returns */
		return false;
	*flags = regs.regs[0];
	return true;
}
#else
bool ptrace_clone_flags(pid_t tid, uint64_t *flags)
{
	(void)tid, (void)flags;
	return false;
}
#endif
