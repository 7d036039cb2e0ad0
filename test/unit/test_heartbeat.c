/* Unit tests: the analyzer's beat lands in its word, and keeps coming. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "analyzer/evloop.h"
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
static void test_beat_at_init(void **state)
{
	(void)state;
	memset(page, 0, sizeof(page));
	uint64_t before = mono_ns();
	heartbeat_init(page);
	assert_true(beat() >= before && beat() <= mono_ns());
	for (size_t i = 0; i < sizeof(page) / 8; i++)
		if (i != VIGIL_HEARTBEAT_WORD)
			assert_int_equal(page[i], 0);
}

/* Wait, polling, until the beat moves past `after` (bounded by count, not time). */
static bool beat_moves(uint64_t after)
{
	struct timespec ms = {0, 1000000};
	for (int i = 0; i < 20 * VIGIL_HEARTBEAT_INTERVAL_MS && beat() == after; i++)
		nanosleep(&ms, NULL);
	return beat() != after;
}

/* The start-up thread beats while the main thread is busy, and stops. */
static void test_startup_thread_beats(void **state)
{
	(void)state;
	heartbeat_init(page);
	heartbeat_startup_begin();
	uint64_t first = beat();
	assert_true(beat_moves(first));
	heartbeat_startup_end();
}

/* The loop's timer beats with nothing else happening. */
static void test_loop_timer_beats(void **state)
{
	(void)state;
	heartbeat_init(page);
	struct evloop *l = evloop_new();
	assert_non_null(l);
	heartbeat_loop_start(l);
	uint64_t first = beat();
	int runs = 0;
	while (beat() == first && runs++ < 20)
		evloop_run_once(l, VIGIL_HEARTBEAT_INTERVAL_MS);
	assert_true(beat() > first);
	heartbeat_loop_stop(l);
	evloop_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_beat_at_init),
		cmocka_unit_test(test_startup_thread_beats),
		cmocka_unit_test(test_loop_timer_beats),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
