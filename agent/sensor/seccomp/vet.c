/*
 * seccomp_vet.c — vet a filter the program installs (see seccomp_vet.h).
 *
 * The listener flag is in a register, so refusing it cannot be raced, and
 * without a listener SECCOMP_RET_USER_NOTIF only fails the syscall with
 * ENOSYS. The program's instructions are read from its memory, which a
 * second thread could change after the check; the one thing such a swap
 * can smuggle in is a SECCOMP_RET_TRACE, and the ptrace sensor identifies every stop
 * by architecture and number and reports a stop it did not ask for
 * (vigil.tamper = foreign_trace), so the race is seen, never hidden.
 */
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>

#include "vigil/event.h"
#include "vigil/syscalls.h"
#include "sensor/seccomp/vet.h"

/* A constant return the kernel would act on without ever consulting vigil. */
static bool harmless_action(uint32_t k)
{
	switch (k & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_KILL_PROCESS:
	case SECCOMP_RET_KILL_THREAD:
	case SECCOMP_RET_TRAP:
	case SECCOMP_RET_ERRNO:
	case SECCOMP_RET_LOG:
	case SECCOMP_RET_ALLOW: return true;
	default: /* TRACE, USER_NOTIF, or an action this kernel may add later */ return false;
	}
}

/* Every return of the program is a constant harmless action. A return of
 * A or X could be anything at run time: not provably harmless. */
bool seccomp_program_harmless(const struct sock_filter *insns, unsigned len)
{
	for (unsigned i = 0; i < len; i++) {
		if (BPF_CLASS(insns[i].code) != BPF_RET)
			continue;
		if (BPF_RVAL(insns[i].code) != BPF_K || !harmless_action(insns[i].k))
			return false;
	}
	return true;
}

/* Read struct sock_fprog (its layout follows the caller's ABI). */
static int read_fprog(const struct sensor_record *r, struct sensor_mem *m, uint64_t addr,
		      unsigned *len, uint64_t *filter)
{
	if (r->arch == VIGIL_ARCH_I386) {
		struct {
			uint16_t len;
			uint16_t pad;
			uint32_t filter;
		} p32;
		if (sensor_read(m, r->tid, addr, &p32, sizeof(p32)) != 0)
			return -1;
		*len = p32.len;
		*filter = p32.filter;
		return 0;
	}
	struct {
		uint16_t len;
		uint16_t pad[3];
		uint64_t filter;
	} p64;
	if (sensor_read(m, r->tid, addr, &p64, sizeof(p64)) != 0)
		return -1;
	*len = p64.len;
	*filter = p64.filter;
	return 0;
}

/* listener: the caller asked for SECCOMP_FILTER_FLAG_NEW_LISTENER. The
 * program is read first, so that libseccomp's probes (a NULL program,
 * expecting EFAULT) get the kernel's answer and no tamper report. */
static enum seccomp_verdict vet_program(const struct sensor_record *r, struct sensor_mem *m,
					uint64_t fprog_addr, bool listener)
{
	static struct sock_filter insns[BPF_MAXINSNS];
	unsigned len;
	uint64_t filter;
	if (read_fprog(r, m, fprog_addr, &len, &filter) != 0)
		return SECCOMP_VET_EFAULT;
	if (len == 0 || len > BPF_MAXINSNS)
		return SECCOMP_VET_EINVAL;
	if (sensor_read(m, r->tid, filter, insns, len * sizeof(insns[0])) != 0)
		return SECCOMP_VET_EFAULT;
	if (listener)
		return SECCOMP_VET_HOSTILE;
	return seccomp_program_harmless(insns, len) ? SECCOMP_VET_ALLOW : SECCOMP_VET_HOSTILE;
}

enum seccomp_verdict seccomp_vet(const struct sensor_record *r, struct sensor_mem *m)
{
	const uint64_t *a = r->args;
	if (r->id == VIGIL_SC_SECCOMP) {
		if ((uint32_t)a[0] != SECCOMP_SET_MODE_FILTER)
			return SECCOMP_VET_ALLOW; /* strict mode, queries: nothing to hide behind */
		return vet_program(r, m, a[2], a[1] & SECCOMP_FILTER_FLAG_NEW_LISTENER);
	}
	if (r->id == VIGIL_SC_PRCTL && (uint32_t)a[0] == PR_SET_SECCOMP &&
	    (uint32_t)a[1] == SECCOMP_MODE_FILTER)
		return vet_program(r, m, a[2], false);
	return SECCOMP_VET_ALLOW;
}
