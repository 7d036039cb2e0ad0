/* Unit tests: the analyzer's beat lands in its word, and keeps coming. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "analyzer/heartbeat.h"
#include "vigil/heartbeat.h"

static uint64_t page[VIGIL_PROGRESS_PAGE_SIZE / 8];

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t beat(void)
{
	return __atomic_load_n(&page[VIGIL_HEARTBEAT_WORD], __ATOMIC_ACQUIRE);
}

/* Only the heartbeat word is written, with the monotonic clock. */
static void test_beat_at_start(void **state)
{
	(void)state;
	memset(page, 0, sizeof(page));
	uint64_t before = mono_ns();
	heartbeat_start(page);
	assert_true(beat() >= before && beat() <= mono_ns());
	for (size_t i = 0; i < sizeof(page) / 8; i++)
		if (i != VIGIL_HEARTBEAT_WORD)
			assert_int_equal(page[i], 0);
	heartbeat_stop();
}

/* Wait, polling, until the beat moves past `after` (bounded by count, not time). */
static bool beat_moves(uint64_t after)
{
	struct timespec ms = {0, 1000000};
	for (int i = 0; i < 20 * VIGIL_HEARTBEAT_INTERVAL_MS && beat() == after; i++)
		nanosleep(&ms, NULL);
	return beat() != after;
}

/* The thread beats while the main thread does nothing, and stops when told. */
static void test_thread_beats_then_stops(void **state)
{
	(void)state;
	heartbeat_start(page);
	uint64_t first = beat();
	assert_true(beat_moves(first));
	assert_true(beat_moves(beat()));
	heartbeat_stop();
	uint64_t last = beat();
	struct timespec wait = {0, 2 * VIGIL_HEARTBEAT_INTERVAL_MS * 1000000L};
	nanosleep(&wait, NULL);
	assert_int_equal(beat(), last);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_beat_at_start),
		cmocka_unit_test(test_thread_beats_then_stops),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
