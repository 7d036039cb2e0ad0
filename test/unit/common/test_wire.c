/* Unit tests: building, sealing and validating events (the channel format). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vigil/event.h"

static struct vigil_event ev;

static void test_strings_round_trip(void **state)
{
	(void)state;
	vigil_event_init(&ev, VIGIL_EV_SYSCALL);
	ev.proc.name = vigil_event_cstr(&ev, "bash");
	vigil_event_arg_cstr(&ev, "name", "/etc/shadow");
	uint32_t size = vigil_event_seal(&ev);
	assert_int_equal(size, VIGIL_EVENT_HDR_SIZE + 4 + 4 + 11);
	assert_int_equal(vigil_event_validate(&ev, size), 0);
	assert_memory_equal(vigil_str_ptr(&ev, ev.proc.name), "bash", 4);
	assert_int_equal(ev.n_evargs, 1);
	assert_memory_equal(vigil_str_ptr(&ev, ev.evargs[0].val), "/etc/shadow", 11);
	assert_false(vigil_str_present(ev.proc.exe));
}

static void test_arena_truncates_never_overflows(void **state)
{
	(void)state;
	char *big = malloc(VIGIL_EVENT_STRS_MAX * 2);
	memset(big, 'x', VIGIL_EVENT_STRS_MAX * 2);
	vigil_event_init(&ev, VIGIL_EV_SYSCALL);
	vigil_str a = vigil_event_str(&ev, big, VIGIL_EVENT_STRS_MAX - 10);
	vigil_str b = vigil_event_str(&ev, big, 100);
	vigil_str c = vigil_event_str(&ev, big, 100);
	assert_int_equal(a.len, VIGIL_EVENT_STRS_MAX - 10);
	assert_int_equal(b.len, 10);
	assert_int_equal(c.len, 0);
	ev.proc.args = c;
	assert_int_equal(vigil_event_validate(&ev, vigil_event_seal(&ev)), 0);
	free(big);
}

static void test_validate_rejects_bad_handles(void **state)
{
	(void)state;
	vigil_event_init(&ev, VIGIL_EV_SYSCALL);
	ev.proc.name = vigil_event_cstr(&ev, "sh");
	uint32_t size = vigil_event_seal(&ev);
	ev.proc.name.len = 50; /* points past the used arena */
	assert_int_not_equal(vigil_event_validate(&ev, size), 0);
	ev.proc.name.len = 2;
	assert_int_equal(vigil_event_validate(&ev, size), 0);
	assert_int_not_equal(vigil_event_validate(&ev, size - 1), 0); /* short message */
	ev.magic = 0;
	assert_int_not_equal(vigil_event_validate(&ev, size), 0);
	ev.magic = VIGIL_EVENT_MAGIC;
	ev.n_evargs = VIGIL_MAX_EVARGS + 1;
	assert_int_not_equal(vigil_event_validate(&ev, size), 0);
}

static void test_evargs_capped(void **state)
{
	(void)state;
	vigil_event_init(&ev, VIGIL_EV_SYSCALL);
	for (int i = 0; i < VIGIL_MAX_EVARGS + 3; i++)
		vigil_event_arg_int(&ev, "n", i);
	assert_int_equal(ev.n_evargs, VIGIL_MAX_EVARGS);
	assert_int_equal(vigil_event_validate(&ev, vigil_event_seal(&ev)), 0);
}

/* Framing: the sealed size when a sound header is there, else 0. */
static void test_framed_size(void **state)
{
	(void)state;
	vigil_event_init(&ev, VIGIL_EV_SYSCALL);
	ev.proc.name = vigil_event_cstr(&ev, "cat");
	uint32_t size = vigil_event_seal(&ev);
	const char *wire = (const char *)&ev;
	assert_int_equal(vigil_event_framed_size(wire, size), size);
	assert_int_equal(vigil_event_framed_size(wire, size + 100), size);
	assert_int_equal(vigil_event_framed_size(wire, size - 1), 0);  /* cut short */
	assert_int_equal(vigil_event_framed_size(wire, VIGIL_EVENT_HDR_SIZE - 1), 0);
	ev.magic ^= 1;
	assert_int_equal(vigil_event_framed_size(wire, size), 0);
	ev.magic ^= 1;
	ev.wire_size = (uint32_t)sizeof(ev) + 8; /* claims more than an event can be */
	assert_int_equal(vigil_event_framed_size(wire, sizeof(ev) + 64), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strings_round_trip),
		cmocka_unit_test(test_arena_truncates_never_overflows),
		cmocka_unit_test(test_validate_rejects_bad_handles),
		cmocka_unit_test(test_evargs_capped),
		cmocka_unit_test(test_framed_size),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
