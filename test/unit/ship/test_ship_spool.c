/* test_ship_spool.c — records on disk: round trip, restart, corrupt records, the cap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ship/spool.h"
#include "ship/spool_dir.h"
#include "ship/spool_rec.h"

static char dir[256];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/vigil-test-spool-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

/* A batch of n alerts of about `size` bytes, priority prio(i). */
static struct sbatch *mk(uint64_t seq, int n, size_t size, int (*prio)(int))
{
	struct sbatch *b = sbatch_new(seq);
	char buf[4096];
	for (int i = 0; i < n; i++) {
		int k = snprintf(buf, sizeof(buf), "{\"seq\":%llu,\"i\":%d,\"pad\":\"",
				 (unsigned long long)seq, i);
		/* pseudo-random padding so deflate cannot shrink it to nothing */
		for (size_t j = 0; (size_t)k < size - 2 && j < size; j++)
			buf[k++] = (char)('a' + (seq * 7919 + (uint64_t)i * 104729 + j * 31) % 26);
		buf[k++] = '"';
		buf[k++] = '}';
		assert_int_equal(sbatch_add(b, buf, (size_t)k, prio(i)), 0);
	}
	return b;
}

static int prio_warning(int i)
{
	(void)i;
	return 4;
}

static int prio_mixed(int i)
{
	return i % 2 ? 6 : 2; /* odd alerts Informational, even Critical */
}

static void test_record_round_trip(void **state)
{
	(void)state;
	struct strbuf rec, tmp;
	strbuf_init(&rec, 64 << 20);
	strbuf_init(&tmp, 64 << 20);
	struct sbatch *b = mk(42, 100, 300, prio_mixed);
	assert_int_equal(spool_rec_encode(b, &rec, &tmp), VIGIL_OK);
	struct sbatch *c = spool_rec_decode(rec.data, rec.len, &tmp);
	assert_non_null(c);
	assert_int_equal(c->seq, 42);
	assert_string_equal(c->id, b->id);
	assert_int_equal(c->n, 100);
	assert_int_equal(c->data_len, b->data_len);
	assert_memory_equal(c->data, b->data, b->data_len);
	for (size_t i = 0; i < b->n; i++)
		assert_int_equal(c->a[i].prio, b->a[i].prio);
	/* any single flipped byte is caught by a CRC or a bound */
	for (size_t i = 0; i < rec.len; i += 7) {
		rec.data[i] ^= 0x20;
		struct sbatch *bad = spool_rec_decode(rec.data, rec.len, &tmp);
		assert_null(bad);
		rec.data[i] ^= 0x20;
	}
	/* truncated */
	assert_null(spool_rec_decode(rec.data, rec.len - 1, &tmp));
	sbatch_free(b);
	sbatch_free(c);
	strbuf_free(&rec);
	strbuf_free(&tmp);
}

static void test_put_take_remove_and_restart(void **state)
{
	(void)state;
	struct ship_counters c = {0};
	char err[256];
	struct spool *s = spool_open(dir, 1 << 30, &c, err, sizeof(err));
	assert_non_null(s);
	struct stat st;
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	for (uint64_t seq = 3; seq >= 1; seq--) { /* written newest first: read oldest first */
		struct sbatch *b = mk(seq, 10, 200, prio_warning);
		assert_int_equal(spool_put(s, b), VIGIL_OK);
		assert_true(b->spooled);
		sbatch_free(b);
	}
	assert_int_equal(c.spool_records, 3);
	assert_int_equal(c.spool_alerts, 30);
	assert_int_equal(c.spooled_batches, 3);
	/* a kill -9 between create and rename leaves a temp file: removed at open */
	char p[512];
	snprintf(p, sizeof(p), "%s/" SPOOL_TMP_PREFIX "deadbeef", dir);
	int fd = open(p, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	spool_close(s);

	memset(&c, 0, sizeof(c));
	s = spool_open(dir, 1 << 30, &c, err, sizeof(err));
	assert_non_null(s);
	assert_int_equal(access(p, F_OK), -1);
	assert_int_equal(spool_count(s), 3);
	assert_int_equal(spool_max_seq(s), 3);
	struct sbatch *b1 = spool_take_oldest(s), *b2 = spool_take_oldest(s);
	assert_int_equal(b1->seq, 1);
	assert_int_equal(b2->seq, 2);
	assert_int_equal(spool_ready(s), 1);
	spool_release(s, 2); /* send failed: it stays, and is taken again */
	spool_remove(s, 1);  /* delivered */
	sbatch_free(b1);
	sbatch_free(b2);
	b2 = spool_take_oldest(s);
	assert_int_equal(b2->seq, 2);
	sbatch_free(b2);
	assert_int_equal(c.spool_records, 2);
	assert_int_equal(c.spool_alerts, 20);
	spool_close(s);
}

/* Overwrite a byte of a record file in place. */
static void corrupt_file(uint64_t seq, long off)
{
	char name[32], p[512];
	spool_name(name, seq);
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "r+");
	assert_non_null(f);
	fseek(f, off, off < 0 ? SEEK_END : SEEK_SET);
	int ch = fgetc(f);
	fseek(f, -1, SEEK_CUR);
	fputc(ch ^ 0xff, f);
	fclose(f);
}

static void test_corrupt_records_are_skipped_and_counted(void **state)
{
	(void)state;
	struct ship_counters c = {0};
	char err[256];
	struct spool *s = spool_open(dir, 1 << 30, &c, err, sizeof(err));
	for (uint64_t seq = 1; seq <= 4; seq++) {
		struct sbatch *b = mk(seq, 10, 200, prio_warning);
		assert_int_equal(spool_put(s, b), VIGIL_OK);
		sbatch_free(b);
	}
	spool_close(s);
	corrupt_file(1, -3);  /* payload: found when read, its header's count is lost */
	corrupt_file(3, 20);  /* header: found at open */
	memset(&c, 0, sizeof(c));
	s = spool_open(dir, 1 << 30, &c, err, sizeof(err));
	assert_int_equal(c.spool_corrupt, 1);
	assert_int_equal(spool_count(s), 3);
	struct sbatch *b = spool_take_oldest(s); /* 1 is corrupt: 2 comes out */
	assert_non_null(b);
	assert_int_equal(b->seq, 2);
	assert_int_equal(c.spool_corrupt, 2);
	assert_int_equal(c.spool_corrupt_alerts, 10);
	sbatch_free(b);
	b = spool_take_oldest(s);
	assert_int_equal(b->seq, 4);
	sbatch_free(b);
	assert_null(spool_take_oldest(s));
	assert_int_equal(c.spool_records, 2);
	spool_close(s);
}

static void test_cap_evicts_least_severe_oldest_first(void **state)
{
	(void)state;
	struct ship_counters c = {0};
	char err[256];
	struct strbuf rec, tmp;
	strbuf_init(&rec, 64 << 20);
	strbuf_init(&tmp, 64 << 20);
	struct sbatch *probe = mk(99, 20, 500, prio_mixed);
	assert_int_equal(spool_rec_encode(probe, &rec, &tmp), VIGIL_OK);
	size_t one = rec.len;
	sbatch_free(probe);
	/* room for about three records */
	struct spool *s = spool_open(dir, one * 3 + one * 3 / 4, &c, err, sizeof(err));
	for (uint64_t seq = 1; seq <= 3; seq++) {
		struct sbatch *b = mk(seq, 20, 500, prio_mixed);
		assert_int_equal(spool_put(s, b), VIGIL_OK);
		sbatch_free(b);
	}
	assert_int_equal(c.dropped_spool_full, 0);
	/* the fourth needs room: the oldest record's Informational alerts go first */
	struct sbatch *b = mk(4, 20, 500, prio_mixed);
	assert_int_equal(spool_put(s, b), VIGIL_OK);
	sbatch_free(b);
	assert_int_equal(c.dropped_spool_full, 10);
	struct sbatch *first = spool_take_oldest(s);
	assert_int_equal(first->seq, 1);
	assert_int_equal(first->n, 10);
	for (size_t i = 0; i < first->n; i++)
		assert_int_equal(first->a[i].prio, 2); /* only the Critical ones are left */
	spool_release(s, 1);
	sbatch_free(first);
	assert_true(c.spool_bytes <= one * 3 + one * 3 / 4);
	/* Critical-only records cannot make room for less severe ones: those go themselves */
	uint64_t before = c.dropped_spool_full;
	for (uint64_t seq = 5; seq <= 12; seq++) {
		struct sbatch *x = mk(seq, 20, 500, prio_mixed);
		spool_put(s, x);
		sbatch_free(x);
	}
	assert_true(c.dropped_spool_full > before);
	assert_true(c.spool_bytes <= one * 3 + one * 3 / 4);
	/* every alert is on disk or counted */
	assert_int_equal(c.spool_alerts + c.dropped_spool_full, 12 * 20);
	spool_close(s);
	strbuf_free(&rec);
	strbuf_free(&tmp);
}

static void test_refuses_a_directory_others_can_use(void **state)
{
	(void)state;
	char p[300], err[256];
	snprintf(p, sizeof(p), "%s/open", dir);
	assert_int_equal(mkdir(p, 0755), 0);
	chmod(p, 0755);
	assert_int_equal(spool_dir_open(p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "mode 0700"));
	char link[320];
	snprintf(link, sizeof(link), "%s/link", dir);
	assert_int_equal(symlink(p, link), 0);
	assert_int_equal(spool_dir_open(link, err, sizeof(err)), -1); /* O_NOFOLLOW */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_round_trip),
		cmocka_unit_test_setup_teardown(test_put_take_remove_and_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_records_are_skipped_and_counted, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_cap_evicts_least_severe_oldest_first, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_refuses_a_directory_others_can_use, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
