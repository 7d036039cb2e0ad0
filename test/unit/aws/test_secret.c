/* test_secret.c — secret memory is marked MADV_DONTDUMP (the "dd" flag of
 * /proc/self/smaps), zeroed on allocation, and the secret thread's stack is
 * never dumped either. */
#include <pthread.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aws/secret.h"

/* The VmFlags line of the mapping holding addr, or "" if not found. */
static void vmflags_of(const void *addr, char *out, size_t cap)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	bool in = false;
	uintptr_t a = (uintptr_t)addr;
	out[0] = '\0';
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' '))
			in = a >= lo && a < hi;
		else if (in && strncmp(line, "VmFlags:", 8) == 0) {
			snprintf(out, cap, "%s", line);
			break;
		}
	}
	fclose(f);
}

static void test_dontdump(void **state)
{
	char flags[512];
	unsigned char *p = secret_alloc(10000);
	assert_non_null(p);
	for (size_t i = 0; i < 10000; i++)
		assert_int_equal(p[i], 0);
	vmflags_of(p + 9999, flags, sizeof(flags));
	assert_non_null(strstr(flags, " dd"));
	memcpy(p, "hunter2", 7);
	secret_wipe(p, 7);
	assert_int_equal(p[0], 0);
	secret_free(p, 10000);
	secret_free(NULL, 0);
}

static void *where_is_my_stack(void *arg)
{
	char local[64];
	char *flags = arg;
	memset(local, 1, sizeof(local));
	vmflags_of(local, flags, 512);
	return NULL;
}

static void test_thread_stack(void **state)
{
	char flags[512] = "";
	struct secret_thread t = {0};
	assert_int_equal(secret_thread_start(&t, where_is_my_stack, flags), 0);
	secret_thread_join(&t);
	assert_non_null(strstr(flags, " dd"));
	assert_null(t.stack);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dontdump),
		cmocka_unit_test(test_thread_stack),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
