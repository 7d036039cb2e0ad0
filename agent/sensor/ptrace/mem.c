/*
 * mem.c — the ptrace sensor's memory reader (sensor_mem).
 *
 * process_vm_readv does one copy without stopping anything. When it is
 * unavailable (ENOSYS, or EPERM under some LSMs) PTRACE_PEEKDATA does the
 * same word by word: the tracee is stopped, so that is allowed.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>

#include "sensor/ptrace/ptrace_int.h"

#define PAGE 4096u

static ssize_t peek_read(pid_t pid, uint64_t addr, char *buf, size_t len)
{
	size_t done = 0;
	while (done < len) {
		uint64_t word_addr = (addr + done) & ~(uint64_t)7;
		size_t skip = (size_t)((addr + done) - word_addr);
		errno = 0;
		long word = ptrace(PTRACE_PEEKDATA, pid, (void *)(uintptr_t)word_addr, NULL);
		if (errno)
			break;
		size_t take = sizeof(word) - skip;
		if (take > len - done)
			take = len - done;
		memcpy(buf + done, (char *)&word + skip, take);
		done += take;
	}
	return done ? (ssize_t)done : -1;
}

/* Read up to len bytes that lie within one page; returns bytes read or -1. */
static ssize_t read_chunk(struct ptrace_mem *pm, pid_t pid, uint64_t addr, char *buf, size_t len)
{
	if (!pm->vm_readv_broken) {
		struct iovec local = {buf, len};
		struct iovec remote = {(void *)(uintptr_t)addr, len};
		ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
		if (n >= 0)
			return n;
		if (errno != ENOSYS && errno != EPERM)
			return -1;
		pm->vm_readv_broken = true;
	}
	return peek_read(pid, addr, buf, len);
}

static ssize_t read_upto(struct sensor_mem *m, pid_t pid, uint64_t addr, void *buf, size_t len)
{
	struct ptrace_mem *pm = (struct ptrace_mem *)(void *)m; /* base is the first member */
	size_t done = 0;
	while (done < len) {
		size_t chunk = PAGE - (size_t)((addr + done) % PAGE);
		if (chunk > len - done)
			chunk = len - done;
		ssize_t n = read_chunk(pm, pid, addr + done, (char *)buf + done, chunk);
		if (n <= 0)
			break;
		done += (size_t)n;
		if ((size_t)n < chunk)
			break;
	}
	return done ? (ssize_t)done : -1;
}

void ptrace_mem_init(struct ptrace_mem *pm)
{
	*pm = (struct ptrace_mem){.base = {.read_upto = read_upto}};
}
