/* Unit tests: the written-paths set behind proc.is_exe_upper_layer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "analyzer/written.h"
#include "vigil/syscalls.h"

static struct vigil_event ev;

static void open_event(const char *path, unsigned flags)
{
	vigil_event_init(&ev, VIGIL_EV_SYSCALL);
	ev.type = VIGIL_SC_OPENAT;
	ev.open_flags = (uint8_t)flags;
	ev.fd.name = vigil_event_cstr(&ev, path);
}

static bool has(struct written *w, const char *p)
{
	return written_has(w, p, strlen(p));
}

static void test_learns_writes_not_reads(void **state)
{
	(void)state;
	struct written *w = written_new(8);
	open_event("/tmp/x", VIGIL_OPEN_WRITE);
	written_observe(w, &ev);
	open_event("/etc/passwd", VIGIL_OPEN_READ);
	written_observe(w, &ev);
	assert_true(has(w, "/tmp/x"));
	assert_false(has(w, "/etc/passwd"));
	vigil_event_init(&ev, VIGIL_EV_SYSCALL);
	ev.type = VIGIL_SC_RENAME;
	vigil_event_arg_cstr(&ev, "oldpath", "/tmp/x");
	vigil_event_arg_cstr(&ev, "newpath", "/usr/local/bin/tool");
	written_observe(w, &ev);
	assert_true(has(w, "/usr/local/bin/tool"));
	written_free(w);
}

static void test_bounded_oldest_forgotten(void **state)
{
	(void)state;
	struct written *w = written_new(100);
	char path[64];
	for (int i = 0; i < 1000; i++) {
		snprintf(path, sizeof(path), "/tmp/f%d", i);
		open_event(path, VIGIL_OPEN_WRITE);
		written_observe(w, &ev);
	}
	assert_int_equal(written_forgotten(w), 900);
	assert_false(has(w, "/tmp/f0"));
	assert_false(has(w, "/tmp/f899"));
	for (int i = 900; i < 1000; i++) {
		snprintf(path, sizeof(path), "/tmp/f%d", i);
		assert_true(has(w, path));
	}
	written_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_learns_writes_not_reads),
		cmocka_unit_test(test_bounded_oldest_forgotten),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
