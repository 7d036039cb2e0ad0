/* tracee_mem.h — bounded, fault-tolerant reads of a traced process's memory. */
#ifndef VIGIL_TRACEE_MEM_H
#define VIGIL_TRACEE_MEM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Read a NUL-terminated string at `addr` into buf (size >= 1). Returns its
 * length (< size, buf NUL-terminated), or -1 if it cannot be read, or has
 * no NUL before unmapped memory or within size bytes (never a truncation).
 */
ssize_t tracee_read_str(pid_t pid, uint64_t addr, char *buf, size_t size);
/* Read up to `len` bytes, stopping at the first unreadable page; returns
 * the bytes read, or -1 when not even the first could be. */
ssize_t tracee_read_upto(pid_t pid, uint64_t addr, void *buf, size_t len);
/* Read exactly `len` bytes; 0 on success, -1 otherwise. */
int tracee_read(pid_t pid, uint64_t addr, void *buf, size_t len);
/* Count of reads that failed (for the health counters). */
extern uint64_t tracee_read_errors;

#endif
