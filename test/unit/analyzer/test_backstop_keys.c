/*
 * Unit tests: the open backstop's matching. An open the kernel reported
 * meets a credit in either order; what is left is judged only after the
 * grace and once the stream caught up (or after the longest wait); credits
 * without an open expire, and are never kept past the moment their IN_OPEN
 * was read (inotify merges identical unread events); bursts are counted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "analyzer/backstop_internal.h"

static bool stream_caught_up;

static bool caught_up(void *arg, uint64_t wall_ns)
{
	(void)arg, (void)wall_ns;
	return stream_caught_up;
}

static uint32_t judge(struct bs_key *k, uint64_t now, bool force)
{
	struct bs_now n = {now, 0}; /* nothing read from the queue yet */
	return bs_key_judge(k, &n, force, caught_up, NULL);
}

/* A credit for an open made by `due` (wall), nothing read from the queue yet. */
static void credit(struct bs_key *k, uint64_t ms)
{
	bs_key_credit(k, ms, UINT64_MAX, 0);
}

static void test_either_order_matches(void **state)
{
	(void)state;
	struct bs_key k = {0};
	stream_caught_up = true;
	bs_key_open(&k, 1000, 1);
	credit(&k, 1010); /* the event came after the open */
	credit(&k, 2000);
	bs_key_open(&k, 2005, 2); /* the event came first */
	assert_true(bs_key_idle(&k));
	assert_int_equal(judge(&k, 100000, true), 0);
}

static void test_unmatched_after_grace_and_caught_up(void **state)
{
	(void)state;
	struct bs_key k = {0};
	bs_key_open(&k, 1000, 1);
	stream_caught_up = true;
	assert_int_equal(judge(&k, 1000 + BS_GRACE_MS - 1, false), 0); /* still in grace */
	stream_caught_up = false;
	assert_int_equal(judge(&k, 1000 + BS_GRACE_MS, false), 0); /* the stream is behind */
	credit(&k, 1000 + BS_GRACE_MS + 100);		    /* and brought its event */
	assert_true(bs_key_idle(&k));
	bs_key_open(&k, 5000, 2);
	assert_int_equal(judge(&k, 5000 + BS_MAX_WAIT_MS, false), 1); /* behind for too long */
	bs_key_open(&k, 90000, 3);
	stream_caught_up = true;
	assert_int_equal(judge(&k, 90000 + BS_GRACE_MS, false), 1);
	assert_true(bs_key_idle(&k));
}

static void test_credits_expire(void **state)
{
	(void)state;
	struct bs_key k = {0};
	stream_caught_up = true;
	credit(&k, 1000); /* a failed open seen at entry: no IN_OPEN comes */
	assert_int_equal(judge(&k, 1000 + BS_GRACE_MS, false), 0);
	assert_true(bs_key_idle(&k));
	bs_key_open(&k, 1000 + BS_GRACE_MS + 1, 1); /* not absorbed by the expired one */
	assert_int_equal(judge(&k, 1000 + 2 * BS_GRACE_MS + 1, false), 1);
}

/* Ten thousand opens in runs, bursts spread wider than the ring: counted exactly. */
static void test_bursts_are_counted(void **state)
{
	(void)state;
	struct bs_key k = {0};
	stream_caught_up = true;
	for (uint64_t i = 0; i < 10000; i++)
		bs_key_open(&k, 1000 + i, i);
	assert_true(k.opens.count <= BS_RUNS);
	for (uint64_t i = 0; i < 9990; i++)
		credit(&k, 20000);
	assert_int_equal(judge(&k, 1000 + 10000 + BS_GRACE_MS, false), 10);
	assert_true(bs_key_idle(&k));
}

/* A merged run takes the newest arrival's time: judged later, never sooner. */
static void test_merged_run_is_judged_late(void **state)
{
	(void)state;
	struct bs_key k = {0};
	stream_caught_up = true;
	for (uint64_t i = 0; i < BS_RUNS; i++)
		bs_key_open(&k, 1000 + i * 1000, i);
	bs_key_open(&k, 20000, 9); /* the ring is full: joins the newest run */
	assert_int_equal(judge(&k, 20000 + BS_GRACE_MS - 1, false), BS_RUNS - 1);
	assert_int_equal(judge(&k, 20000 + BS_GRACE_MS, false), 2);
}

/* Two opens merged into one IN_OPEN: the second credit is surplus, and is
 * dropped once the queue was read past its open, not kept for a later one. */
static void test_surplus_credits_are_not_kept(void **state)
{
	(void)state;
	struct bs_key k = {0};
	stream_caught_up = true;
	bs_key_open(&k, 1000, 500);	     /* one event for two opens */
	bs_key_credit(&k, 1010, 400, 500);   /* the first credit matches it */
	bs_key_credit(&k, 1010, 450, 500);   /* read past already: dropped at once */
	assert_true(bs_key_idle(&k));
	bs_key_credit(&k, 1020, 900, 500);   /* its IN_OPEN may still be queued: kept */
	struct bs_now n = {1100, 900};	     /* the queue was read empty from 900 on */
	assert_int_equal(bs_key_judge(&k, &n, false, caught_up, NULL), 0);
	assert_true(bs_key_idle(&k));
	bs_key_open(&k, 1200, 1000); /* a later open finds no credit to hide behind */
	assert_int_equal(judge(&k, 1200 + BS_GRACE_MS, false), 1);
}

static void test_dir_keys(void **state)
{
	(void)state;
	static struct backstop b; /* zeroed: every entry key free */
	struct bs_key *a = bs_dirkey(&b, 3, "id_rsa", 6, true);
	assert_non_null(a);
	assert_ptr_equal(bs_dirkey(&b, 3, "id_rsa", 6, false), a);
	assert_null(bs_dirkey(&b, 4, "id_rsa", 6, false)); /* another directory */
	assert_null(bs_dirkey(&b, 3, "", 0, true));
	for (size_t i = 1; i < BS_MAX_DIR_KEYS; i++) {
		char name[16];
		int n = snprintf(name, sizeof(name), "f%zu", i);
		assert_non_null(bs_dirkey(&b, 3, name, (size_t)n, true));
	}
	assert_null(bs_dirkey(&b, 3, "one_too_many", 12, true)); /* bounded */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_either_order_matches),
		cmocka_unit_test(test_unmatched_after_grace_and_caught_up),
		cmocka_unit_test(test_credits_expire),
		cmocka_unit_test(test_bursts_are_counted),
		cmocka_unit_test(test_merged_run_is_judged_late),
		cmocka_unit_test(test_surplus_credits_are_not_kept),
		cmocka_unit_test(test_dir_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
