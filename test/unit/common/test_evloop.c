/* test_evloop.c — the common event loop: fds, readiness flags, timers, removal inside callbacks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <unistd.h>

#include "vigil/clock.h"
#include "vigil/evloop.h"

struct seen {
	int reads, timers, order[4], norder;
	struct evloop *l;
	int other_fd;
};

static void on_read(int fd, uint32_t revents, void *arg)
{
	struct seen *s = arg;
	char c;
	assert_true(revents & VIGIL_EV_READ);
	assert_int_equal(read(fd, &c, 1), 1);
	s->reads++;
}

static void test_fd_ready_runs_callback(void **state)
{
	(void)state;
	struct evloop *l = evloop_new();
	int p[2];
	assert_int_equal(pipe(p), 0);
	struct seen s = {0};
	assert_int_equal(evloop_add_fd(l, p[0], VIGIL_EV_READ, on_read, &s), 0);
	assert_int_equal(evloop_add_fd(l, p[0], VIGIL_EV_READ, on_read, &s), -1); /* one per fd */
	assert_int_equal(evloop_run_once(l, 0), 0);
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(evloop_run_once(l, 1000), 1);
	assert_int_equal(s.reads, 1);
	assert_int_equal(evloop_del_fd(l, p[0]), 0);
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(evloop_run_once(l, 0), 0);
	close(p[0]);
	close(p[1]);
	evloop_free(l);
}

struct tctx {
	int fired[3];
	int n;
};

static struct tctx tc;
static void t0(void *arg) { (void)arg; tc.fired[tc.n++] = 0; }
static void t1(void *arg) { (void)arg; tc.fired[tc.n++] = 1; }
static void t2(void *arg) { (void)arg; tc.fired[tc.n++] = 2; }

static void test_timer_order(void **state)
{
	(void)state;
	struct evloop *l = evloop_new();
	tc.n = 0;
	uint64_t start = vigil_mono_ms(); /* before the timers: t2 is due 30 ms after its add */
	evloop_add_timer(l, 30, t2, NULL);
	uint64_t id = evloop_add_timer(l, 10, t1, NULL);
	evloop_add_timer(l, 0, t0, NULL);
	evloop_cancel_timer(l, id);
	while (tc.n < 2 && vigil_mono_ms() - start < 5000)
		evloop_run_once(l, -1);
	assert_int_equal(tc.n, 2);
	assert_int_equal(tc.fired[0], 0);
	assert_int_equal(tc.fired[1], 2);
	assert_true(vigil_mono_ms() - start >= 30);
	evloop_free(l);
}

/* A callback that removes another ready fd: that fd's event is skipped. */
static void on_read_remove_other(int fd, uint32_t revents, void *arg)
{
	struct seen *s = arg;
	on_read(fd, revents, arg);
	evloop_del_fd(s->l, s->other_fd);
}

static void test_removal_inside_callback(void **state)
{
	(void)state;
	struct evloop *l = evloop_new();
	int a[2], b[2];
	assert_int_equal(pipe(a), 0);
	assert_int_equal(pipe(b), 0);
	struct seen sa = {.l = l, .other_fd = b[0]}, sb = {.l = l, .other_fd = a[0]};
	assert_int_equal(evloop_add_fd(l, a[0], VIGIL_EV_READ, on_read_remove_other, &sa), 0);
	assert_int_equal(evloop_add_fd(l, b[0], VIGIL_EV_READ, on_read_remove_other, &sb), 0);
	assert_int_equal(write(a[1], "x", 1), 1);
	assert_int_equal(write(b[1], "x", 1), 1);
	assert_int_equal(evloop_run_once(l, 1000), 1); /* the second was removed by the first */
	assert_int_equal(sa.reads + sb.reads, 1);
	close(a[0]); close(a[1]); close(b[0]); close(b[1]);
	evloop_free(l);
}

static void on_flags(int fd, uint32_t revents, void *arg)
{
	(void)fd;
	*(uint32_t *)arg = revents;
}

/* The loop's own flags come back, not the backend's: WRITE on a writable
 * pipe, HANGUP once the write end of a pipe is closed. */
static void test_write_and_hangup_flags(void **state)
{
	(void)state;
	struct evloop *l = evloop_new();
	int p[2];
	assert_int_equal(pipe(p), 0);
	uint32_t wr = 0, rd = 0;
	assert_int_equal(evloop_add_fd(l, p[1], VIGIL_EV_WRITE, on_flags, &wr), 0);
	assert_int_equal(evloop_run_once(l, 1000), 1);
	assert_int_equal(wr, VIGIL_EV_WRITE);
	assert_int_equal(evloop_del_fd(l, p[1]), 0);
	close(p[1]);
	assert_int_equal(evloop_add_fd(l, p[0], VIGIL_EV_READ, on_flags, &rd), 0);
	assert_int_equal(evloop_run_once(l, 1000), 1);
	assert_true(rd & VIGIL_EV_HANGUP);
	close(p[0]);
	evloop_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fd_ready_runs_callback),
		cmocka_unit_test(test_timer_order),
		cmocka_unit_test(test_removal_inside_callback),
		cmocka_unit_test(test_write_and_hangup_flags),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
