/* Unit tests: errno_names (evt.res names, the same with glibc and musl). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "rules/errno_names.h"

/* The names Falco rules compare evt.res with, by the C library's numbers. */
static void test_common_names(void **state)
{
	(void)state;
	assert_string_equal(errno_name(EPERM), "EPERM");
	assert_string_equal(errno_name(ENOENT), "ENOENT");
	assert_string_equal(errno_name(EACCES), "EACCES");
	assert_string_equal(errno_name(EAGAIN), "EAGAIN"); /* not EWOULDBLOCK */
	assert_string_equal(errno_name(EDEADLK), "EDEADLK");
	assert_string_equal(errno_name(EOPNOTSUPP), "EOPNOTSUPP"); /* not ENOTSUP */
	assert_string_equal(errno_name(EINPROGRESS), "EINPROGRESS");
	assert_string_equal(errno_name(ECONNREFUSED), "ECONNREFUSED");
	assert_string_equal(errno_name(EHWPOISON), "EHWPOISON");
}

/* No name: not an errno, a hole in the kernel's numbering, past its end. */
static void test_no_name(void **state)
{
	(void)state;
	assert_null(errno_name(0));
	assert_null(errno_name(-2));
	assert_null(errno_name(41));
	assert_null(errno_name(58));
	assert_null(errno_name(EHWPOISON + 1));
	assert_null(errno_name(512)); /* the kernel's internal ERESTARTSYS */
	assert_null(errno_name(4095));
}

#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 32)
/* With glibc, the table agrees with strerrorname_np for every number. */
static void test_same_as_glibc(void **state)
{
	(void)state;
	for (int e = 1; e < 4096; e++) {
		const char *want = strerrorname_np(e), *got = errno_name(e);
		if (!want || !got)
			assert_ptr_equal(want, got);
		else
			assert_string_equal(want, got);
	}
}
#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_common_names),
		cmocka_unit_test(test_no_name),
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 32)
		cmocka_unit_test(test_same_as_glibc),
#endif
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
