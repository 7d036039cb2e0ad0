/* test_ship_keyfd.c — the key source's fd wakes the HTTP sink at once (no 1 s poll). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "ship/ship.h"
#include "vigil/clock.h"
#include "vigil/evloop.h"

struct key {
	int calls;
	bool known;
};

static int get(void *ctx, char *out, size_t cap)
{
	struct key *k = ctx;
	k->calls++;
	if (!k->known)
		return 0;
	snprintf(out, cap, "k");
	return 1;
}

static void run_for(struct evloop *l, uint64_t ms)
{
	uint64_t end = vigil_mono_ms() + ms;
	while (vigil_mono_ms() < end)
		evloop_run_once(l, 10);
}

static void test_key_fd_wakes_the_sender(void **state)
{
	(void)state;
	char dir[] = "/tmp/vigil-test-keyfd-XXXXXX", err[256];
	assert_non_null(mkdtemp(dir));
	struct ship_config c;
	ship_config_defaults(&c);
	assert_int_equal(ship_add_output(&c, "http://127.0.0.1:1/", err, sizeof(err)), VIGIL_OK);
	ship_config_set(&c, "http.batch_max_age_ms", "10", err, sizeof(err));
	ship_config_set(&c, "spool.dir", dir, err, sizeof(err));
	ship_config_set(&c, "health.interval_s", "0", err, sizeof(err));
	struct evloop *l = evloop_new();
	struct key k = {0};
	int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	struct ship_key_source ks = {get, NULL, efd, &k};
	struct ship_agent_info ag = {0};
	struct ship *s = ship_new(&c, l, &ks, &ag, err, sizeof(err));
	assert_non_null(s);
	ship_submit(s, "{\"rule\":\"r\"}", 12, 4);
	run_for(l, 100);
	int before = k.calls;
	assert_true(before >= 1); /* asked, told "not yet" */
	struct ship_counters cn;
	ship_stats(s, &cn);
	assert_int_equal(cn.spool_alerts, 1); /* buffered on disk, not dropped */
	k.known = true;
	uint64_t one = 1;
	assert_int_equal(write(efd, &one, sizeof(one)), (ssize_t)sizeof(one));
	run_for(l, 100); /* well under the 1 s poll */
	assert_true(k.calls > before);
	ship_stats(s, &cn);
	assert_true(cn.requests >= 1); /* sent (to a closed port: it stays spooled) */
	uint64_t v;
	assert_int_equal(read(efd, &v, sizeof(v)), -1); /* ship consumed the wake-up */
	ship_free(s);
	evloop_free(l);
	close(efd);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_fd_wakes_the_sender),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
