/*
 * mem.c — exact reads and strings on top of a sensor's memory reader.
 *
 * A string is read page by page: a read fails as a whole if any byte of
 * its range is unmapped, so a path that ends just before an unmapped page
 * is still read.
 */
#include <string.h>

#include "sensor/sensor.h"

#define PAGE 4096u

int sensor_read(struct sensor_mem *m, pid_t tid, uint64_t addr, void *buf, size_t len)
{
	if (len && m->read_upto(m, tid, addr, buf, len) != (ssize_t)len) {
		m->errors++;
		return -1;
	}
	return 0;
}

ssize_t sensor_read_str(struct sensor_mem *m, pid_t tid, uint64_t addr, char *buf, size_t size)
{
	size_t len = 0;
	if (addr == 0 || size == 0) {
		m->errors += addr == 0 ? 0 : 1;
		return -1;
	}
	while (len + 1 < size) {
		uint64_t at = addr + len;
		if (at < addr) /* wrapped around the address space */
			break;
		size_t chunk = PAGE - (size_t)(at % PAGE);
		if (chunk > size - 1 - len)
			chunk = size - 1 - len;
		ssize_t n = m->read_upto(m, tid, at, buf + len, chunk);
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
	m->errors++;
	buf[0] = '\0';
	return -1;
}
