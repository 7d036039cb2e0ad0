/*
 * syscall_result.c — a syscall's result read at the stop that follows it.
 *
 * The notify sensor queues a PTRACE_INTERRUPT before answering a
 * notification "continue" (notify/result.c): the thread runs the syscall
 * and stops on its way back to user space, before any signal handling or
 * restart has touched its registers. The result register holds the
 * syscall's return value, or an ERESTART* code when a signal (the
 * interrupt itself) cut a sleep short and the kernel will run it again.
 */
#include <sys/ptrace.h>
#include <sys/user.h>

#include "sensor/ptrace/ptrace_int.h"

/* include/linux/errno.h: never seen by user space. */
static bool restarting(long res)
{
	return res == -512 || res == -513 || res == -514 || res == -516;
}

#if defined(__x86_64__)
bool ptrace_syscall_result_supported(void)
{
	return true;
}

enum syscall_result ptrace_syscall_result(pid_t tid, long nr, long *res)
{
	struct user_regs_struct regs;
	if (ptrace(PTRACE_GETREGS, tid, NULL, &regs) != 0 || (long)regs.orig_rax != nr)
		return RESULT_UNKNOWN;
	*res = (long)regs.rax;
	return restarting(*res) ? RESULT_RESTART : RESULT_DONE;
}
#else /* elsewhere the three-stop way (notify/result.c) */
bool ptrace_syscall_result_supported(void)
{
	return false;
}

enum syscall_result ptrace_syscall_result(pid_t tid, long nr, long *res)
{
	(void)tid, (void)nr, (void)res, (void)restarting;
	return RESULT_UNKNOWN;
}
#endif
