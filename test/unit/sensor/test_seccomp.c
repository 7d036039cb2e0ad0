/*
 * test_seccomp.c — the filter builder, run on a small classic-BPF
 * interpreter (what the kernel would return for a syscall), and the vetting
 * of a program's own filters on real BPF programs read through a memory
 * reader backed by a local buffer.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <cmocka.h>

#include "vigil/syscalls.h"
#include "sensor/seccomp/filter.h"
#include "sensor/seccomp/vet.h"
#include "fixture.h"

#define X32_BIT 0x40000000u

/* The subset of classic BPF seccomp_build emits. */
static uint32_t run_bpf(const struct seccomp_prog *p, const struct seccomp_data *d)
{
	uint32_t a = 0;
	for (unsigned pc = 0; pc < p->len; pc++) {
		const struct sock_filter *i = &p->insns[pc];
		switch (i->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			memcpy(&a, (const char *)d + i->k, 4);
			break;
		case BPF_JMP | BPF_JA: pc += i->k; break;
		case BPF_JMP | BPF_JEQ | BPF_K: pc += a == i->k ? i->jt : i->jf; break;
		case BPF_JMP | BPF_JGE | BPF_K: pc += a >= i->k ? i->jt : i->jf; break;
		case BPF_JMP | BPF_JSET | BPF_K: pc += (a & i->k) ? i->jt : i->jf; break;
		case BPF_RET | BPF_K: return i->k;
		default: fail_msg("unexpected BPF instruction %#x at %u", i->code, pc);
		}
	}
	fail_msg("the program fell off its end");
	return 0;
}

static uint32_t verdict(const struct seccomp_prog *p, uint32_t arch, int nr, uint64_t arg0)
{
	struct seccomp_data d = {.nr = nr, .arch = arch, .args = {arg0}};
	return run_bpf(p, &d);
}

static void execve_openat_set(vigil_sc_set *set)
{
	memset(set, 0, sizeof(*set));
	vigil_sc_set_add(set, VIGIL_SC_EXECVE);
	vigil_sc_set_add(set, VIGIL_SC_OPENAT);
	vigil_sc_set_add(set, VIGIL_SC_OPEN);
}

static void test_trace_filter(void **state)
{
	(void)state;
	static struct seccomp_prog p;
	vigil_sc_set set;
	execve_openat_set(&set);
	assert_int_equal(seccomp_build(&set, SECCOMP_RET_TRACE, &p), 0);
#if defined(__x86_64__)
	assert_int_equal(verdict(&p, AUDIT_ARCH_X86_64, SYS_openat, 0), SECCOMP_RET_TRACE | VIGIL_SC_OPENAT);
	assert_int_equal(verdict(&p, AUDIT_ARCH_X86_64, SYS_execve, 0), SECCOMP_RET_TRACE | VIGIL_SC_EXECVE);
	assert_int_equal(verdict(&p, AUDIT_ARCH_X86_64, SYS_read, 0), SECCOMP_RET_ALLOW);
	/* clone is traced only with CLONE_UNTRACED (checked in registers). */
	assert_int_equal(verdict(&p, AUDIT_ARCH_X86_64, SYS_clone, CLONE_UNTRACED),
			 SECCOMP_RET_TRACE | VIGIL_SC_CLONE);
	assert_int_equal(verdict(&p, AUDIT_ARCH_X86_64, SYS_clone, CLONE_VM), SECCOMP_RET_ALLOW);
	/* clone3's flags are in memory: never traced, answered ENOSYS (i386's too). */
	assert_int_equal(verdict(&p, AUDIT_ARCH_X86_64, 435, 0), SECCOMP_RET_ERRNO | ENOSYS);
	assert_int_equal(verdict(&p, AUDIT_ARCH_I386, 435, 0), SECCOMP_RET_ERRNO | ENOSYS);
	vigil_sc_set_add(&set, VIGIL_SC_CLONE3); /* even when a rule names it */
	assert_int_equal(seccomp_build(&set, SECCOMP_RET_TRACE, &p), 0);
	assert_int_equal(verdict(&p, AUDIT_ARCH_X86_64, 435, 0), SECCOMP_RET_ERRNO | ENOSYS);
	/* i386 has its own numbers (open is 5); x32 and unknown ABIs are traced whole. */
	assert_int_equal(verdict(&p, AUDIT_ARCH_I386, 5, 0), SECCOMP_RET_TRACE | VIGIL_SC_OPEN);
	assert_int_equal(verdict(&p, AUDIT_ARCH_I386, 3, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(verdict(&p, AUDIT_ARCH_X86_64, (int)(X32_BIT | 0), 0), SECCOMP_RET_TRACE);
#endif
	assert_int_equal(verdict(&p, 0x12345678, 0, 0), SECCOMP_RET_TRACE);
}

static void test_action_is_the_sensors(void **state)
{
	(void)state;
	static struct seccomp_prog p;
	vigil_sc_set set;
	execve_openat_set(&set);
	assert_int_equal(seccomp_build(&set, SECCOMP_RET_USER_NOTIF, &p), 0);
#if defined(__x86_64__)
	assert_int_equal(verdict(&p, AUDIT_ARCH_X86_64, SYS_openat, 0), SECCOMP_RET_USER_NOTIF);
	assert_int_equal(verdict(&p, AUDIT_ARCH_X86_64, SYS_read, 0), SECCOMP_RET_ALLOW);
#endif
	assert_int_equal(verdict(&p, 0x12345678, 0, 0), SECCOMP_RET_USER_NOTIF);
	assert_int_equal(seccomp_build(&set, SECCOMP_RET_ERRNO | ENOSYS, &p), 0);
#if defined(__x86_64__)
	assert_int_equal(verdict(&p, AUDIT_ARCH_X86_64, SYS_execve, 0), SECCOMP_RET_ERRNO | ENOSYS);
#endif
}

static void test_program_harmless(void **state)
{
	(void)state;
	static struct seccomp_prog p;
	vigil_sc_set set;
	execve_openat_set(&set);
	/* Built programs are real ones: an ERRNO filter hides nothing, a TRACE one does. */
	assert_int_equal(seccomp_build(&set, SECCOMP_RET_ERRNO | 1, &p), 0);
	assert_true(seccomp_program_harmless(p.insns, p.len));
	assert_int_equal(seccomp_build(&set, SECCOMP_RET_TRACE, &p), 0);
	assert_false(seccomp_program_harmless(p.insns, p.len));
	assert_int_equal(seccomp_build(&set, SECCOMP_RET_USER_NOTIF, &p), 0);
	assert_false(seccomp_program_harmless(p.insns, p.len));
	/* A computed return could be anything at run time. */
	struct sock_filter ret_a[] = {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0), BPF_STMT(BPF_RET | BPF_A, 0)};
	assert_false(seccomp_program_harmless(ret_a, 2));
}

static struct buf_mem mem;

/* seccomp(SET_MODE_FILTER, flags, &fprog) with the program in tracee memory. */
static enum seccomp_verdict vet(const struct sock_filter *insns, unsigned short len, uint64_t flags)
{
	struct { uint16_t len; uint16_t pad[3]; uint64_t filter; } fprog = {len, {0}, 0};
	fprog.filter = put(&mem, insns, len * sizeof(*insns));
	struct sensor_record r = {.id = VIGIL_SC_SECCOMP, .arch = VIGIL_ARCH_X86_64, .tid = 1};
	r.args[0] = SECCOMP_SET_MODE_FILTER;
	r.args[1] = flags;
	r.args[2] = put(&mem, &fprog, sizeof(fprog));
	return seccomp_vet(&r, &mem.base);
}

static void test_vet(void **state)
{
	(void)state;
	memset(&mem, 0, sizeof(mem));
	mem.base.read_upto = buf_read_upto;
	struct sock_filter allow[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
	struct sock_filter trace[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE)};
	assert_int_equal(vet(allow, 1, 0), SECCOMP_VET_ALLOW);
	assert_int_equal(vet(trace, 1, 0), SECCOMP_VET_HOSTILE);
	assert_int_equal(vet(allow, 1, SECCOMP_FILTER_FLAG_NEW_LISTENER), SECCOMP_VET_HOSTILE);
	assert_int_equal(vet(allow, 0, 0), SECCOMP_VET_EINVAL);
	struct sensor_record r = {.id = VIGIL_SC_SECCOMP, .tid = 1,
				  .args = {SECCOMP_SET_MODE_FILTER, 0, 0xdead0000}};
	assert_int_equal(seccomp_vet(&r, &mem.base), SECCOMP_VET_EFAULT);
	r.args[0] = SECCOMP_SET_MODE_STRICT;
	assert_int_equal(seccomp_vet(&r, &mem.base), SECCOMP_VET_ALLOW);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trace_filter),
		cmocka_unit_test(test_action_is_the_sensors),
		cmocka_unit_test(test_program_harmless),
		cmocka_unit_test(test_vet),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
