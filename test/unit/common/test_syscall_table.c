/* Unit tests: syscall names, ABI numbers, and set parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <cmocka.h>

#include "vigil/event.h"
#include "vigil/syscalls.h"

static void test_names_round_trip(void **state)
{
	(void)state;
	for (int id = 1; id < VIGIL_SC_COUNT; id++)
		assert_int_equal(vigil_syscall_by_name(vigil_syscall_name(id)), id);
	assert_int_equal(vigil_syscall_by_name("nosuchcall"), VIGIL_SC_UNKNOWN);
}

#if defined(__x86_64__)
#define NATIVE VIGIL_ARCH_X86_64
#else
#define NATIVE VIGIL_ARCH_AARCH64
#endif

static void test_native_numbers(void **state)
{
	(void)state;
	assert_int_equal(vigil_syscall_from_nr(NATIVE, SYS_openat), VIGIL_SC_OPENAT);
	assert_int_equal(vigil_syscall_from_nr(NATIVE, SYS_execve), VIGIL_SC_EXECVE);
	assert_int_equal(vigil_syscall_from_nr(NATIVE, SYS_getpid), VIGIL_SC_UNKNOWN);
}

#if defined(__x86_64__) /* the foreign ABIs an x86_64 kernel runs */
static void test_foreign_abis(void **state)
{
	(void)state;
	/* i386: open is 5, execve 11, setuid32 213 -> setuid. */
	assert_int_equal(vigil_syscall_from_nr(VIGIL_ARCH_I386, 5), VIGIL_SC_OPEN);
	assert_int_equal(vigil_syscall_from_nr(VIGIL_ARCH_I386, 11), VIGIL_SC_EXECVE);
	assert_int_equal(vigil_syscall_from_nr(VIGIL_ARCH_I386, 213), VIGIL_SC_SETUID);
	int nrs[4];
	assert_int_equal(vigil_syscall_numbers(VIGIL_ARCH_I386, VIGIL_SC_SETUID, nrs, 4), 2);
	/* x32: execve has its own number, openat shares x86_64's. */
	assert_int_equal(vigil_syscall_from_nr(VIGIL_ARCH_X32, 0x40000000L + 520), VIGIL_SC_EXECVE);
	assert_int_equal(vigil_syscall_from_nr(VIGIL_ARCH_X32, 0x40000000L + 257), VIGIL_SC_OPENAT);
}
#endif

static void test_set_parse(void **state)
{
	(void)state;
	vigil_sc_set s;
	const char *bad = NULL;
	int bad_len = 0;
	assert_int_equal(vigil_sc_set_parse(&s, "openat,connect", &bad, &bad_len), 0);
	assert_true(vigil_sc_set_has(&s, VIGIL_SC_OPENAT));
	assert_true(vigil_sc_set_has(&s, VIGIL_SC_EXECVE));     /* mandatory */
	assert_true(vigil_sc_set_has(&s, VIGIL_SC_SOCKETCALL)); /* i386 route to connect */
	assert_false(vigil_sc_set_has(&s, VIGIL_SC_UNLINK));
	assert_int_equal(vigil_sc_set_parse(&s, "openat,bogus,connect", &bad, &bad_len), -1);
	assert_int_equal(bad_len, 5);
	assert_memory_equal(bad, "bogus", 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_round_trip),
		cmocka_unit_test(test_native_numbers),
#if defined(__x86_64__)
		cmocka_unit_test(test_foreign_abis),
#endif
		cmocka_unit_test(test_set_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
