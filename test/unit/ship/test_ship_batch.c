/* test_ship_batch.c — batch limits, 413 halves, dropping by priority, ids. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "ship/batch.h"

static void add(struct sbatch *b, int i, int prio)
{
	char j[64];
	int n = snprintf(j, sizeof(j), "{\"n\":%d}", i);
	assert_int_equal(sbatch_add(b, j, (size_t)n, prio), 0);
}

static void test_limits_by_count_and_bytes(void **state)
{
	(void)state;
	struct sbatch *b = sbatch_new(1);
	assert_false(sbatch_full_with(b, 5000, 3, 100)); /* empty takes anything let through */
	add(b, 1, 4);
	add(b, 2, 4);
	add(b, 3, 4);
	assert_true(sbatch_full_with(b, 1, 3, 1 << 20)); /* a fourth breaks the count */
	assert_false(sbatch_full_with(b, 1, 4, 1 << 20));
	/* 3 alerts of 7 bytes + 2 commas = 23; one more of 7 needs 31 */
	assert_int_equal(sbatch_raw_bytes(b), 23);
	assert_false(sbatch_full_with(b, 7, 10, 31));
	assert_true(sbatch_full_with(b, 7, 10, 30));
	sbatch_free(b);
}

static void test_split_halves_keep_order_and_get_new_ids(void **state)
{
	(void)state;
	struct sbatch *b = sbatch_new(7), *lo, *hi;
	for (int i = 0; i < 5; i++)
		add(b, i, i % 8);
	assert_int_equal(sbatch_split(b, 8, 9, &lo, &hi), 0);
	assert_int_equal(lo->n, 2);
	assert_int_equal(hi->n, 3);
	assert_int_equal(lo->seq, 8);
	assert_int_equal(hi->seq, 9);
	assert_string_not_equal(lo->id, b->id);
	assert_string_not_equal(hi->id, b->id);
	assert_memory_equal(lo->data + lo->a[0].off, "{\"n\":0}", 7);
	assert_memory_equal(hi->data + hi->a[2].off, "{\"n\":4}", 7);
	assert_int_equal(hi->a[2].prio, 4);
	sbatch_free(lo);
	sbatch_free(hi);
	/* A single alert cannot be split: the caller drops and counts it. */
	struct sbatch *one = sbatch_new(1);
	add(one, 1, 1);
	assert_int_equal(sbatch_split(one, 2, 3, &lo, &hi), -1);
	sbatch_free(one);
	sbatch_free(b);
}

static void test_drop_oldest_of_a_priority(void **state)
{
	(void)state;
	struct sbatch *b = sbatch_new(1);
	add(b, 0, 6);
	add(b, 1, 2);
	add(b, 2, 6);
	add(b, 3, 6);
	assert_int_equal(sbatch_worst_prio(b), 6);
	assert_int_equal(sbatch_count_prio(b, 6), 3);
	/* enough bytes for one alert: only the oldest Informational goes */
	assert_int_equal(sbatch_drop_prio(b, 6, 1), 1);
	assert_int_equal(b->n, 3);
	assert_memory_equal(b->data + b->a[0].off, "{\"n\":1}", 7);
	assert_memory_equal(b->data + b->a[1].off, "{\"n\":2}", 7);
	/* 0: all of them */
	assert_int_equal(sbatch_drop_prio(b, 6, 0), 2);
	assert_int_equal(b->n, 1);
	assert_int_equal(sbatch_worst_prio(b), 2);
	assert_int_equal(b->data_len, 7);
	sbatch_free(b);
}

static void test_uuid_is_v4(void **state)
{
	(void)state;
	char a[SHIP_UUID_LEN + 1], b[SHIP_UUID_LEN + 1];
	ship_uuid(a);
	ship_uuid(b);
	assert_int_equal(strlen(a), 36);
	assert_string_not_equal(a, b);
	assert_int_equal(a[14], '4');
	assert_non_null(strchr("89ab", a[19]));
	assert_int_equal(a[8], '-');
	assert_int_equal(a[23], '-');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_limits_by_count_and_bytes),
		cmocka_unit_test(test_split_halves_keep_order_and_get_new_ids),
		cmocka_unit_test(test_drop_oldest_of_a_priority),
		cmocka_unit_test(test_uuid_is_v4),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
