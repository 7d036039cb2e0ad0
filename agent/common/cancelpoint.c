/* cancelpoint.c — see cancelpoint.h. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <ucontext.h>

#include "vigil/cancelpoint.h"

atomic_int cancelpoint_pending = 1;

#if defined(__x86_64__)
/*
 * long vigil_cp_syscall3(atomic_int *flag, long nr, long a1, long a2, long a3)
 * [vigil_cp_begin, vigil_cp_end) is the range in which a signal cancels the
 * call: the flag test and the syscall instruction itself (where the kernel
 * also leaves a restarted call). vigil_cp_end is the instruction after the
 * syscall: a thread there has its result.
 */
__asm__(".text\n"
	".globl vigil_cp_syscall3\n"
	".hidden vigil_cp_syscall3\n"
	".type vigil_cp_syscall3,@function\n"
	"vigil_cp_syscall3:\n"
	".globl vigil_cp_begin\n"
	".hidden vigil_cp_begin\n"
	"vigil_cp_begin:\n"
	"	movl (%rdi),%eax\n"
	"	testl %eax,%eax\n"
	"	jnz vigil_cp_cancel\n"
	"	movq %rsi,%rax\n"
	"	movq %rdx,%rdi\n"
	"	movq %rcx,%rsi\n"
	"	movq %r8,%rdx\n"
	"	syscall\n"
	".globl vigil_cp_end\n"
	".hidden vigil_cp_end\n"
	"vigil_cp_end:\n"
	"	ret\n"
	".globl vigil_cp_cancel\n"
	".hidden vigil_cp_cancel\n"
	"vigil_cp_cancel:\n"
	"	movq $-4,%rax\n" /* -EINTR */
	"	ret\n"
	".size vigil_cp_syscall3,.-vigil_cp_syscall3\n");

long vigil_cp_syscall3(atomic_int *flag, long nr, long a1, long a2, long a3);
extern const char vigil_cp_begin[], vigil_cp_end[], vigil_cp_cancel[];

_Static_assert(EINTR == 4, "the routine returns -4 for -EINTR");

bool cancelpoint_supported(void)
{
	return true;
}

long cancelpoint_syscall3(long nr, long a1, long a2, long a3)
{
	return vigil_cp_syscall3(&cancelpoint_pending, nr, a1, a2, a3);
}

void cancelpoint_interrupt(void *ucontext)
{
	atomic_store(&cancelpoint_pending, 1);
	ucontext_t *uc = ucontext;
	uintptr_t pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
	if (pc >= (uintptr_t)vigil_cp_begin && pc < (uintptr_t)vigil_cp_end)
		uc->uc_mcontext.gregs[REG_RIP] = (greg_t)(uintptr_t)vigil_cp_cancel;
}

#else /* no routine: callers wait with ppoll instead */

bool cancelpoint_supported(void)
{
	return false;
}

long cancelpoint_syscall3(long nr, long a1, long a2, long a3)
{
	(void)nr, (void)a1, (void)a2, (void)a3;
	return -ENOSYS;
}

void cancelpoint_interrupt(void *ucontext)
{
	(void)ucontext;
	atomic_store(&cancelpoint_pending, 1);
}

#endif
