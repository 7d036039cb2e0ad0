/* Unit tests: bounded buffer and JSON string escaping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vigil/strbuf.h"

static void check_json(const char *in, size_t len, const char *want)
{
	struct strbuf sb;
	strbuf_init(&sb, 4096);
	strbuf_add_json_str(&sb, in, len);
	assert_string_equal(sb.data, want);
	strbuf_free(&sb);
}

static void test_json_escapes(void **state)
{
	(void)state;
	check_json("plain", 5, "\"plain\"");
	check_json("a\"b\\c", 5, "\"a\\\"b\\\\c\"");
	check_json("l1\nl2\t", 6, "\"l1\\nl2\\t\"");
	check_json("nul\0x", 5, "\"nul\\u0000x\"");
	check_json("\x01\x1f", 2, "\"\\u0001\\u001f\"");
	check_json("caf\xc3\xa9", 5, "\"caf\xc3\xa9\"");        /* valid UTF-8 kept */
	check_json("bad\xff\xc3", 5, "\"bad\xef\xbf\xbd\xef\xbf\xbd\""); /* invalid -> U+FFFD */
	check_json("\xed\xa0\x80", 3, "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""); /* surrogate */
}

static void test_ceiling(void **state)
{
	(void)state;
	struct strbuf sb;
	strbuf_init(&sb, 8);
	strbuf_adds(&sb, "1234567");
	assert_false(sb.truncated);
	strbuf_adds(&sb, "8");
	assert_true(sb.truncated);
	assert_int_equal(sb.len, 7);
	strbuf_free(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_escapes),
		cmocka_unit_test(test_ceiling),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
