/*
 * exec_args.c — the argument strings of a task stopped at its exec event,
 * read from its new stack rather than from /proc/PID/cmdline.
 *
 * At PTRACE_EVENT_EXEC the new image has not run one instruction: the
 * stack pointer points at argc, then the argv pointers, and the kernel has
 * copied the strings one after another from argv[0] on (the very bytes
 * /proc/PID/cmdline would show). Reading them with process_vm_readv spares
 * opening a /proc file of a pid that usually appeared microseconds ago,
 * whose /proc entries are built on that first lookup: ~15 µs less per exec
 * (median of 30 interleaved runs of 1000 fork+execs; the spread is larger).
 * Anything unexpected (a 32-bit image, an unreadable stack) answers -1 and
 * the caller reads /proc instead.
 */
#include <elf.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>

#include "sensor/ptrace/exec_args.h"

#define ARGC_MAX (1u << 20) /* far above what ARG_MAX lets execve pass */

/* The native stack pointer, or 0 when the task is not a native 64-bit one. */
static uint64_t stack_pointer(pid_t tid)
{
	struct user_regs_struct regs; /* glibc's and musl's <sys/user.h>, both arches */
	struct iovec iov = {&regs, sizeof(regs)};
	if (ptrace(PTRACE_GETREGSET, tid, (void *)NT_PRSTATUS, &iov) != 0 ||
	    iov.iov_len != sizeof(regs))
		return 0; /* a compat (32-bit) task has a smaller register set */
#if defined(__x86_64__)
	return regs.rsp;
#elif defined(__aarch64__)
	return regs.sp;
#endif
}

ssize_t exec_read_args(struct sensor_mem *m, pid_t tid, char *buf, size_t size, bool *truncated)
{
	uint64_t head[2]; /* argc, argv[0] */
	uint64_t sp = stack_pointer(tid);
	if (sp == 0 || size < 2 || sensor_read(m, tid, sp, head, sizeof(head)) != 0 ||
	    head[0] == 0 || head[0] > ARGC_MAX || head[1] == 0)
		return -1;
	ssize_t got = m->read_upto(m, tid, head[1], buf, size - 1);
	if (got <= 0)
		return -1;
	/* The strings end at the argc-th NUL (or at the bound, as /proc's read). */
	size_t len = 0, nuls = 0;
	while (len < (size_t)got && nuls < head[0]) {
		const char *nul = memchr(buf + len, '\0', (size_t)got - len);
		if (!nul) {
			len = (size_t)got;
			break;
		}
		len = (size_t)(nul - buf) + 1;
		nuls++;
	}
	buf[len] = '\0';
	*truncated = nuls < head[0]; /* the bound came before the last argument's end */
	return (ssize_t)len;
}
