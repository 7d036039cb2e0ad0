/* test_fim_compare.c — the compare merge: added, removed, changed, roots. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fim/compare.h"

static struct fim_entry *add(struct fim_set *s, const char *path, uint32_t mode, uint64_t size)
{
	struct fim_entry *e = fim_set_add(s, path);
	e->mode = mode;
	e->size = size;
	e->nlink = 1;
	return e;
}

static void test_diff_attrs(void **state)
{
	struct fim_entry a = {.path = "/x", .mode = 0100644, .flags = FIM_F_HASHED}, b = a;
	assert_int_equal(fim_entry_diff(&a, &b), 0);
	b.mode = 0100600;
	assert_int_equal(fim_entry_diff(&a, &b), FIM_A_MODE);
	b.mode = 0120777;
	assert_int_equal(fim_entry_diff(&a, &b), FIM_A_TYPE | FIM_A_MODE);
	b.flags = 0; /* no longer hashed: a content change */
	assert_int_equal(fim_entry_diff(&a, &b), FIM_A_TYPE | FIM_A_MODE | FIM_A_SHA256);
	b = a;
	b.sha256[3] = 1;
	b.uid = 5;
	b.ino = 9;
	assert_int_equal(fim_entry_diff(&a, &b), FIM_A_SHA256 | FIM_A_UID | FIM_A_INODE);
	b = a;
	a.target = "t1";
	b.target = "t2";
	b.xattr_hash[0] = 1;
	b.mtime_ns = 1;
	b.nlink = 2;
	assert_int_equal(fim_entry_diff(&a, &b), FIM_A_TARGET | FIM_A_XATTRS | FIM_A_MTIME | FIM_A_NLINK);
}

static void test_merge(void **state)
{
	struct fim_set before = {0}, after = {0};
	add(&before, "/r", 040755, 0);
	add(&before, "/r/a", 0100644, 1);
	add(&before, "/r/b", 0100644, 1);
	add(&before, "/other/z", 0100644, 1); /* not under the checked root */
	add(&before, "/rx", 0100644, 1);      /* prefix, but not under /r */
	add(&after, "/r", 040755, 0);
	add(&after, "/r/b", 0100644, 2);
	add(&after, "/r/c", 0100644, 1);
	fim_set_sort(&before);
	fim_set_sort(&after);
	const char *roots[] = {"/r"};
	struct fim_changes c;
	assert_int_equal(fim_compare(&before, &after, roots, 1, &c), VIGIL_OK);
	assert_int_equal(c.n, 3);
	assert_int_equal(c.v[0].action, FIM_REMOVED);
	assert_string_equal(c.v[0].before->path, "/r/a");
	assert_int_equal(c.v[1].action, FIM_CHANGED);
	assert_int_equal(c.v[1].attrs, FIM_A_SIZE);
	assert_int_equal(c.v[2].action, FIM_ADDED);
	assert_string_equal(c.v[2].after->path, "/r/c");
	assert_int_equal(c.added, 1);
	assert_int_equal(c.removed, 1);
	assert_int_equal(c.changed, 1);
	fim_changes_free(&c);
	fim_set_free(&before);
	fim_set_free(&after);
}

static void test_path_under(void **state)
{
	assert_true(fim_path_under("/a/b", "/a"));
	assert_true(fim_path_under("/a", "/a"));
	assert_false(fim_path_under("/ab", "/a"));
	assert_true(fim_path_under("/x", "/"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diff_attrs),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_path_under),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
