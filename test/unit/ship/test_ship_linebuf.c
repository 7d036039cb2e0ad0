/* test_ship_linebuf.c — alerts held in the file/stdout sink's 100 ms buffer
 * are visible in line_buffered (what an analyzer killed now would lose, so
 * its successor can count them in dropped_crash), and leave it once written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ship/ship.h"
#include "vigil/clock.h"
#include "vigil/evloop.h"

static int no_key(void *ctx, char *out, size_t cap)
{
	(void)ctx, (void)out, (void)cap;
	return 0;
}

static void run_for(struct evloop *l, uint64_t ms)
{
	uint64_t end = vigil_mono_ms() + ms;
	while (vigil_mono_ms() < end)
		evloop_run_once(l, 10);
}

static size_t lines_in(const char *path)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;
	for (int ch; f && (ch = fgetc(f)) != EOF;)
		n += ch == '\n';
	if (f)
		fclose(f);
	return n;
}

static void test_buffered_lines_are_counted_until_written(void **state)
{
	(void)state;
	char dir[] = "/tmp/vigil-test-linebuf-XXXXXX", out[64], sink[80], err[256];
	assert_non_null(mkdtemp(dir));
	snprintf(out, sizeof(out), "%s/alerts.json", dir);
	snprintf(sink, sizeof(sink), "file:%s", out);
	struct ship_config c;
	ship_config_defaults(&c);
	assert_int_equal(ship_add_output(&c, sink, err, sizeof(err)), VIGIL_OK);
	ship_config_set(&c, "health.interval_s", "0", err, sizeof(err));
	struct evloop *l = evloop_new();
	struct ship_key_source ks = {no_key, NULL, -1, NULL};
	struct ship_agent_info ag = {0};
	struct ship *s = ship_new(&c, l, &ks, &ag, err, sizeof(err));
	assert_non_null(s);
	for (int i = 0; i < 3; i++)
		ship_submit(s, "{\"rule\":\"r\"}", 12, 4);
	struct ship_counters cn;
	ship_stats(s, &cn);
	assert_int_equal(cn.line_buffered, 3);
	assert_int_equal(lines_in(out), 0); /* still only in memory */
	run_for(l, 250);                     /* past the 100 ms flush */
	ship_stats(s, &cn);
	assert_int_equal(cn.line_buffered, 0);
	assert_int_equal(cn.written, 3);
	assert_int_equal(lines_in(out), 3);
	ship_free(s);
	evloop_free(l);
	unlink(out);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buffered_lines_are_counted_until_written),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
