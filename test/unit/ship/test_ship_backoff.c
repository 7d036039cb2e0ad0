/* test_ship_backoff.c — full-jitter bounds and Retry-After in both forms. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <time.h>

#include "ship/backoff.h"

static void test_ceiling_doubles_then_caps(void **state)
{
	(void)state;
	assert_int_equal(backoff_ceiling_ms(500, 30000, 0), 500);
	assert_int_equal(backoff_ceiling_ms(500, 30000, 1), 1000);
	assert_int_equal(backoff_ceiling_ms(500, 30000, 5), 16000);
	assert_int_equal(backoff_ceiling_ms(500, 30000, 6), 30000);
	assert_int_equal(backoff_ceiling_ms(500, 30000, 1000), 30000); /* no overflow */
	assert_int_equal(backoff_ceiling_ms(1, 5, 0), BACKOFF_FLOOR_MS);
}

static void test_delay_within_bounds(void **state)
{
	(void)state;
	for (unsigned attempt = 0; attempt < 70; attempt++) {
		uint64_t ceil = backoff_ceiling_ms(500, 30000, attempt), lo = UINT64_MAX, hi = 0;
		for (int i = 0; i < 2000; i++) {
			uint64_t d = backoff_delay_ms(500, 30000, attempt, ship_random64());
			assert_true(d >= BACKOFF_FLOOR_MS && d <= ceil);
			lo = d < lo ? d : lo;
			hi = d > hi ? d : hi;
		}
		/* full jitter: the whole range is used, not just the top */
		assert_true(lo < BACKOFF_FLOOR_MS + ceil / 10);
		assert_true(hi > ceil - ceil / 10);
	}
	assert_int_equal(backoff_delay_ms(500, 30000, 3, 0), BACKOFF_FLOOR_MS);
	assert_int_equal(backoff_delay_ms(500, 30000, 3, 4000 - BACKOFF_FLOOR_MS), 4000);
}

static void test_retry_after_seconds(void **state)
{
	(void)state;
	assert_int_equal(retry_after_ms("2", 1, 0), 2000);
	assert_int_equal(retry_after_ms(" 120\r\n", 6, 0), 120000);
	assert_int_equal(retry_after_ms("0", 1, 0), 0);
	assert_int_equal(retry_after_ms("99999999999999999999", 20, 0), RETRY_AFTER_MAX_MS);
	assert_int_equal(retry_after_ms("1.5", 3, 0), -1);
	assert_int_equal(retry_after_ms("-1", 2, 0), -1);
	assert_int_equal(retry_after_ms("", 0, 0), -1);
	assert_int_equal(retry_after_ms("soon", 4, 0), -1);
}

static void test_retry_after_http_date(void **state)
{
	(void)state;
	/* Sun, 06 Nov 1994 08:49:37 GMT = 784111777 (RFC 9110's example), three forms */
	const char *imf = "Sun, 06 Nov 1994 08:49:37 GMT";
	const char *rfc850 = "Sunday, 06-Nov-94 08:49:37 GMT";
	const char *asc = "Sun Nov  6 08:49:37 1994";
	assert_int_equal(retry_after_ms(imf, strlen(imf), 784111777 - 30), 30000);
	assert_int_equal(retry_after_ms(rfc850, strlen(rfc850), 784111777 - 5), 5000);
	assert_int_equal(retry_after_ms(asc, strlen(asc), 784111777 - 1), 1000);
	assert_int_equal(retry_after_ms(imf, strlen(imf), 784111777 + 100), 0); /* past: now */
	assert_int_equal(retry_after_ms(imf, strlen(imf), 0), RETRY_AFTER_MAX_MS); /* capped */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ceiling_doubles_then_caps),
		cmocka_unit_test(test_delay_within_bounds),
		cmocka_unit_test(test_retry_after_seconds),
		cmocka_unit_test(test_retry_after_http_date),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
