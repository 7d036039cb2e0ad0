/*
 * tracee_mem.c — reading strings and structs out of a tracee.
 *
 * process_vm_readv does one copy without stopping anything; it fails as a
 * whole if any byte of a range is unmapped, so strings are read page by
 * page: a path that ends just before an unmapped page is still read. When
 * process_vm_readv is unavailable (ENOSYS, or EPERM under some LSMs) the
 * PTRACE_PEEKDATA path does the same word by word.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>

#include "supervisor/tracee_mem.h"

#define PAGE 4096u

uint64_t tracee_read_errors;
static bool vm_readv_broken;

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
static ssize_t read_chunk(pid_t pid, uint64_t addr, char *buf, size_t len)
{
	if (!vm_readv_broken) {
		struct iovec local = {buf, len};
		struct iovec remote = {(void *)(uintptr_t)addr, len};
		ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
		if (n >= 0)
			return n;
		if (errno != ENOSYS && errno != EPERM)
			return -1;
		vm_readv_broken = true;
	}
	return peek_read(pid, addr, buf, len);
}

ssize_t tracee_read_str(pid_t pid, uint64_t addr, char *buf, size_t size)
{
	size_t len = 0;
	if (addr == 0 || size == 0) {
		tracee_read_errors += addr == 0 ? 0 : 1;
		return -1;
	}
	while (len + 1 < size) {
		uint64_t at = addr + len;
		if (at < addr) /* wrapped around the address space */
			break;
		size_t chunk = PAGE - (size_t)(at % PAGE);
		if (chunk > size - 1 - len)
			chunk = size - 1 - len;
		ssize_t n = read_chunk(pid, at, buf + len, chunk);
		if (n <= 0)
			break;
		char *nul = memchr(buf + len, '\0', (size_t)n);
		if (nul)
			return (ssize_t)(nul - buf);
		len += (size_t)n;
		if ((size_t)n < chunk)
			break;
	}
	/* No NUL before unmapped memory or before the bound: the kernel fails
	 * such a call (EFAULT, ENAMETOOLONG), so report nothing rather than a
	 * string it never used. */
	tracee_read_errors++;
	buf[0] = '\0';
	return -1;
}

ssize_t tracee_read_upto(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	size_t done = 0;
	while (done < len) {
		size_t chunk = PAGE - (size_t)((addr + done) % PAGE);
		if (chunk > len - done)
			chunk = len - done;
		ssize_t n = read_chunk(pid, addr + done, (char *)buf + done, chunk);
		if (n <= 0)
			break;
		done += (size_t)n;
		if ((size_t)n < chunk)
			break;
	}
	return done ? (ssize_t)done : -1;
}

int tracee_read(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	if (len && tracee_read_upto(pid, addr, buf, len) != (ssize_t)len) {
		tracee_read_errors++;
		return -1;
	}
	return 0;
}
