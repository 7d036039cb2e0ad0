/* Unit tests: loss reports come at most once a minute and never go missing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "analyzer/loss.h"

static struct vigil_health counters(uint64_t dropped, uint64_t lost, uint64_t restarts)
{
	return (struct vigil_health){.events_dropped = dropped, .events_lost = lost,
				     .analyzer_restarts = restarts};
}

static void test_first_change_reported_at_once(void **state)
{
	(void)state;
	struct loss l = {0};
	struct vigil_health h = counters(0, 0, 0);
	assert_false(loss_update(&l, &h, 1000, false)); /* nothing to say */
	assert_false(loss_pending(&l));
	h = counters(5, 0, 0);
	assert_true(loss_update(&l, &h, 2000, false));
	assert_int_equal(h.dropped_new, 5);
	assert_false(loss_pending(&l));
}

/* Within the minute: added up, due when it ends, with the sum. */
static void test_later_changes_add_up(void **state)
{
	(void)state;
	struct loss l = {0};
	struct vigil_health h = counters(5, 0, 0);
	assert_true(loss_update(&l, &h, 1000, false));
	h = counters(50, 2, 0);
	assert_false(loss_update(&l, &h, 2000, false));
	assert_int_equal(h.dropped_new, 0);
	h = counters(80, 3, 1); /* the health events between were dropped: totals still arrive */
	assert_false(loss_update(&l, &h, 30000, false));
	assert_true(loss_pending(&l));
	assert_int_equal(loss_due_ms(&l, 30000), 1000 + LOSS_REPORT_EVERY_MS - 30000);
	h = l.seen; /* the report the timer makes when the minute is over */
	assert_true(loss_update(&l, &h, 1000 + LOSS_REPORT_EVERY_MS, false));
	assert_int_equal(h.dropped_new, 75);
	assert_int_equal(h.lost_new, 3);
	assert_int_equal(h.restarts_new, 1);
}

/* At exit what is owed goes out, minute or not. */
static void test_forced_at_exit(void **state)
{
	(void)state;
	struct loss l = {0};
	struct vigil_health h = counters(1, 0, 0);
	assert_true(loss_update(&l, &h, 1000, false));
	h = counters(9, 0, 0);
	assert_false(loss_update(&l, &h, 1500, false));
	h = l.seen;
	assert_true(loss_update(&l, &h, 1600, true));
	assert_int_equal(h.dropped_new, 8);
	assert_false(loss_pending(&l));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_change_reported_at_once),
		cmocka_unit_test(test_later_changes_add_up),
		cmocka_unit_test(test_forced_at_exit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
