/* test_fim_db.c — database round trip and corruption detection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fim/db.h"

static void make_db(struct fim_db *db)
{
	memset(db, 0, sizeof(*db));
	static char *ex[] = {"*.log", "/tmp/x/*"}, *tags[] = {"pci-dss"};
	db->excludes = ex;
	db->n_excludes = 2;
	db->tags = tags;
	db->n_tags = 1;
	struct fim_entry *e = fim_set_add(&db->entries, "/etc/passwd");
	e->mode = 0100644;
	e->size = 1234;
	e->ino = 42;
	e->nlink = 1;
	e->mtime_ns = 1700000000123456789;
	e->ctime_ns = -5;
	e->flags = FIM_F_HASHED;
	memset(e->sha256, 0xab, FIM_HASH_LEN);
	memset(e->xattr_hash, 0x11, FIM_HASH_LEN);
	e = fim_set_add(&db->entries, "/etc/link");
	e->mode = 0120777;
	e->target = strdup("passwd");
	e->uid = 7;
	e->gid = 8;
	fim_set_sort(&db->entries);
	assert_int_equal(fim_db_add_approval(db, "/etc/passwd", FIM_CHANGED, FIM_A_SHA256, "deploy", 99, 1000), VIGIL_OK);
}

static void free_made(struct fim_db *db)
{
	db->excludes = db->tags = NULL;
	db->n_excludes = db->n_tags = 0;
	fim_db_free(db);
}

static void test_round_trip(void **state)
{
	struct fim_db db, back;
	make_db(&db);
	size_t len = 0;
	uint8_t *img = fim_db_encode(&db, &len);
	assert_non_null(img);
	assert_int_equal(fim_db_decode(img, len, &back), VIGIL_OK);
	assert_int_equal(back.entries.n, 2);
	assert_int_equal(back.n_excludes, 2);
	assert_string_equal(back.excludes[1], "/tmp/x/*");
	assert_string_equal(back.tags[0], "pci-dss");
	const struct fim_entry *p = fim_set_find(&back.entries, "/etc/passwd");
	const struct fim_entry *l = fim_set_find(&back.entries, "/etc/link");
	assert_non_null(p);
	assert_non_null(l);
	assert_int_equal(p->mode, 0100644);
	assert_int_equal(p->size, 1234);
	assert_true(p->mtime_ns == 1700000000123456789);
	assert_true(p->ctime_ns == -5);
	assert_null(p->target);
	assert_memory_equal(p->sha256, db.entries.v[1].sha256, FIM_HASH_LEN);
	assert_string_equal(l->target, "passwd");
	assert_int_equal(l->uid, 7);
	assert_int_equal(back.n_appr, 1);
	assert_string_equal(back.appr[0].reason, "deploy");
	assert_int_equal(back.appr[0].uid, 1000);
	assert_int_equal(back.appr[0].attrs, FIM_A_SHA256);
	free(img);
	fim_db_free(&back);
	free_made(&db);
}

/* Every single-byte flip and every truncation is detected. */
static void test_corruption(void **state)
{
	struct fim_db db, back;
	make_db(&db);
	size_t len = 0;
	uint8_t *img = fim_db_encode(&db, &len);
	for (size_t i = 0; i < len; i++) {
		img[i] ^= 0x5a;
		if (i < 12 || i >= 16) /* bytes 12..15 are reserved */
			assert_int_equal(fim_db_decode(img, len, &back), VIGIL_ERR_INPUT);
		img[i] ^= 0x5a;
	}
	for (size_t n = 0; n < len; n++)
		assert_int_equal(fim_db_decode(img, n, &back), VIGIL_ERR_INPUT);
	free(img);
	free_made(&db);
}

static void test_file_save_load(void **state)
{
	char dir[] = "/tmp/vigil-fim-test.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[256];
	snprintf(path, sizeof(path), "%s/db", dir);
	struct fim_db db, back;
	make_db(&db);
	const char *what = NULL;
	assert_int_equal(fim_db_save(path, &db, &what), VIGIL_OK);
	assert_int_equal(fim_db_save(path, &db, &what), VIGIL_OK); /* replaces */
	assert_int_equal(fim_db_load(path, &back), VIGIL_OK);
	assert_int_equal(back.entries.n, 2);
	fim_db_free(&back);
	assert_int_equal(truncate(path, 70), 0);
	assert_int_equal(fim_db_load(path, &back), VIGIL_ERR_INPUT);
	unlink(path);
	assert_int_equal(fim_db_load(path, &back), VIGIL_ERR_IO);
	rmdir(dir);
	free_made(&db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_corruption),
		cmocka_unit_test(test_file_save_load),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
