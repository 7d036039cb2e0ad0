/* Unit tests: the progress record a successor inherits is checked before use. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "analyzer/progress.h"
#include "vigil/heartbeat.h"

#define WORDS (VIGIL_PROGRESS_PAGE_SIZE / 8)

static uint64_t page[WORDS];
static char why[160];

static enum progress_state load(struct progress_rec *r)
{
	why[0] = '\0';
	return progress_load(page, r, why, sizeof(why));
}

static void test_round_trip(void **state)
{
	(void)state;
	memset(page, 0, sizeof(page));
	struct progress_rec r, want = {10, 2, 4096, 1, 5, 2, 1, 777};
	assert_int_equal(load(&r), PROGRESS_NONE);
	progress_store(page, &(struct progress_rec){5, 1, 2048, 0, 0, 0, 0, 0});
	progress_store(page, &want);
	assert_int_equal(load(&r), PROGRESS_OK);
	assert_memory_equal(&r, &want, sizeof(r));
}

/* Every word but the heartbeat's may change; the beat survives stores. */
static void test_store_keeps_heartbeat(void **state)
{
	(void)state;
	memset(page, 0, sizeof(page));
	page[VIGIL_HEARTBEAT_WORD] = 0x1234;
	for (uint64_t i = 1; i < 5; i++)
		progress_store(page, &(struct progress_rec){i, i, i, i, i, i, i, ~0ull});
	assert_int_equal(page[VIGIL_HEARTBEAT_WORD], 0x1234);
}

/* A forged slot: values changed without the checksum. */
static void test_forged_slot_rejected(void **state)
{
	(void)state;
	memset(page, 0, sizeof(page));
	progress_store(page, &(struct progress_rec){100, 7, 9000, 0, 0, 0, 0, 0});
	progress_store(page, &(struct progress_rec){120, 9, 9500, 0, 0, 0, 0, 0});
	for (size_t i = 1; i < WORDS; i++) /* the current slot holds 120, 9, 9500 */
		if (page[i] == 120 && page[i + 1] == 9 && page[i + 2] == 9500) {
			page[i + 1] = 0; /* "nothing was lost" */
			page[i + 2] = 10; /* "cut the file to 10 bytes" */
		}
	struct progress_rec r;
	assert_int_equal(load(&r), PROGRESS_REJECTED);
	assert_non_null(strstr(why, "checksum"));
	assert_int_equal(r.lost, 7);       /* the older slot's: a forgery cannot go below it */
	assert_int_equal(r.last_num, 120);
	assert_int_equal(r.out_size, 0);   /* never a place to cut at */
}

/* Sound checksums, but the current record went back from the other one. */
static void test_counters_going_down_rejected(void **state)
{
	(void)state;
	memset(page, 0, sizeof(page));
	progress_store(page, &(struct progress_rec){100, 7, 9000, 0, 0, 0, 0, 0});
	progress_store(page, &(struct progress_rec){120, 0, 9500, 0, 0, 0, 0, 0});
	struct progress_rec r;
	assert_int_equal(load(&r), PROGRESS_REJECTED);
	assert_non_null(strstr(why, "lost"));
	assert_int_equal(r.lost, 7);
	page[0] = 9; /* an index out of range */
	assert_int_equal(load(&r), PROGRESS_REJECTED);
}

static int temp_file(const char *content)
{
	char path[] = "/tmp/vigil-progress-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
	return fd;
}

static void test_cut_only_what_one_write_leaves(void **state)
{
	(void)state;
	int fd = temp_file("{\"a\":1}\n{\"b\":2}\n{\"c\"");
	assert_int_equal(progress_check_cut(fd, 16, 1024, why, sizeof(why)), 0); /* a half line */
	assert_int_equal(progress_check_cut(fd, 20, 1024, why, sizeof(why)), 1); /* nothing after */
	assert_int_equal(progress_check_cut(fd, 400, 1024, why, sizeof(why)), -1); /* beyond the end */
	assert_non_null(strstr(why, "before the recorded"));
	assert_int_equal(progress_check_cut(fd, 12, 1024, why, sizeof(why)), -1); /* mid-line */
	assert_non_null(strstr(why, "not the end of a line"));
	assert_int_equal(progress_check_cut(fd, 8, 4, why, sizeof(why)), -1); /* more than a write */
	assert_non_null(strstr(why, "more than one write"));
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_store_keeps_heartbeat),
		cmocka_unit_test(test_forged_slot_rejected),
		cmocka_unit_test(test_counters_going_down_rejected),
		cmocka_unit_test(test_cut_only_what_one_write_leaves),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
