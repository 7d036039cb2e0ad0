/*
 * test_core.c — the mechanism-neutral core behind a test sensor: the open
 * prefilter decision, tamper refusals (vigil's own /proc files, signals
 * aimed at vigil, kill(-1)) and vigil_owns_proc_path.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "vigil/prefilter.h"
#include "vigil/syscalls.h"
#include "sensor/vigil_procs.h"
#include "fixture.h"

static struct sensor_core core;
static struct test_sensor ts;

static void open_entry(struct vigil_event *ev, const char *path)
{
	vigil_event_init(ev, VIGIL_EV_SYSCALL);
	ev->type = VIGIL_SC_OPENAT;
	ev->fd.name = vigil_event_cstr(ev, path);
}

static void test_open_prefilter_decision(void **state)
{
	(void)state;
	static struct vigil_event ev;
	struct prefilter pf = {0};
	assert_int_equal(prefilter_add(&pf, PF_PREFIX, "/etc/", 5), 0);
	pf.active = true;
	struct core_config cfg = {.open_paths = &pf};
	vigil_sc_set_add(&cfg.results, VIGIL_SC_OPENAT);
	open_entry(&ev, "/tmp/scratch");
	assert_false(core_result_wanted(&cfg, VIGIL_SC_OPENAT, &ev)); /* no rule can match */
	open_entry(&ev, "/etc/shadow");
	assert_true(core_result_wanted(&cfg, VIGIL_SC_OPENAT, &ev));
	assert_true(core_result_wanted(&cfg, VIGIL_SC_OPENAT, NULL)); /* path unknown */
	assert_false(core_result_wanted(&cfg, VIGIL_SC_OPEN, &ev));   /* no rule reads it */
	assert_true(core_result_wanted(&cfg, VIGIL_SC_ACCEPT, NULL)); /* the result is the point */
	pf.active = false;
	open_entry(&ev, "/tmp/scratch");
	assert_true(core_result_wanted(&cfg, VIGIL_SC_OPENAT, &ev));
	pf.active = true;
	cfg.results_all = true;
	assert_true(core_result_wanted(&cfg, VIGIL_SC_OPENAT, &ev));
	prefilter_free(&pf);
}

static void test_owns_proc_path(void **state)
{
	(void)state;
	char p[128];
	int self = (int)getpid();
	snprintf(p, sizeof(p), "/proc/%d/mem", self);
	assert_true(vigil_owns_proc_path(p, -1));
	snprintf(p, sizeof(p), "/proc/%d/task/%d/environ", self, self);
	assert_true(vigil_owns_proc_path(p, -1));
	snprintf(p, sizeof(p), "/proc/1/root/proc/%d/fd/3", self);
	assert_true(vigil_owns_proc_path(p, -1));
	snprintf(p, sizeof(p), "/proc/%d/cwd/../mem", self);
	assert_true(vigil_owns_proc_path(p, -1));
	snprintf(p, sizeof(p), "/proc/%d/status", self);
	assert_false(vigil_owns_proc_path(p, -1)); /* not a secret */
	snprintf(p, sizeof(p), "/proc/0%d/mem", self);
	assert_false(vigil_owns_proc_path(p, -1)); /* procfs has no such name */
	pid_t other = fork();
	if (other == 0) {
		pause();
		_exit(0);
	}
	snprintf(p, sizeof(p), "/proc/%d/mem", (int)other);
	assert_false(vigil_owns_proc_path(p, -1));
	assert_true(vigil_owns_proc_path(p, other)); /* the analyzer's */
	kill(other, SIGKILL);
	waitpid(other, NULL, 0);
}

static struct sensor_task task_in(struct proc *p, int id)
{
	struct sensor_task t = {.tid = getpid(), .proc = p};
	t.rec = (struct sensor_record){.id = id, .arch = VIGIL_ARCH_X86_64, .tid = getpid()};
	return t;
}

static void test_open_of_vigil_memory_refused(void **state)
{
	(void)state;
	struct proc *root = test_proc(1, "/");
	struct proc *p = test_proc(getpid(), "/");
	test_sensor_init(&ts, &core, root);
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)getpid());
	struct sensor_task t = task_in(p, VIGIL_SC_OPENAT);
	t.rec.args[0] = (uint64_t)(long)AT_FDCWD;
	t.rec.args[1] = put_str(&ts.mem, path);
	t.rec.args[2] = O_RDONLY;
	assert_int_equal(core_syscall_entry(&core, &t), CORE_CONTINUE);
	assert_int_equal(ts.n_refused, 1);
	assert_int_equal(ts.refused_with, -EPERM);
	assert_int_equal(n_events, 1);
	assert_int_equal(last_event.tamper, VIGIL_TAMPER_PROC_VIGIL);
	/* An ordinary open is not refused, and is an event at once. */
	t.rec.args[1] = put_str(&ts.mem, "/etc/hostname");
	assert_int_equal(core_syscall_entry(&core, &t), CORE_CONTINUE);
	assert_int_equal(ts.n_refused, 1);
	assert_int_equal(n_events, 2);
	assert_int_equal(last_event.tamper, VIGIL_TAMPER_NONE);
	proc_unref(p);
	proc_unref(root);
}

static void test_signals_aimed_at_vigil(void **state)
{
	(void)state;
	struct proc *root = test_proc(1, "/");
	struct proc *p = test_proc(getpid(), "/");
	test_sensor_init(&ts, &core, root);
	struct sensor_task t = task_in(p, VIGIL_SC_KILL);
	t.rec.args[0] = (uint64_t)getpid();
	t.rec.args[1] = SIGKILL;
	assert_int_equal(core_syscall_entry(&core, &t), CORE_CONTINUE);
	assert_int_equal(ts.refused_with, -EPERM);
	assert_int_equal(last_event.tamper, VIGIL_TAMPER_SIGNAL_VIGIL);
	/* kill(-1): answered by vigil, here with no other watched process. */
	t.rec.args[0] = (uint64_t)-1;
	assert_int_equal(core_syscall_entry(&core, &t), CORE_CONTINUE);
	assert_int_equal(ts.n_refused, 2);
	assert_int_equal(ts.refused_with, -ESRCH);
	/* A null signal only probes: let through, no event. */
	int before = n_events;
	t.rec.args[0] = (uint64_t)getpid();
	t.rec.args[1] = 0;
	assert_int_equal(core_syscall_entry(&core, &t), CORE_CONTINUE);
	assert_int_equal(ts.n_refused, 2);
	assert_int_equal(n_events, before);
	proc_unref(p);
	proc_unref(root);
}

static void test_clone3_answered_enosys(void **state)
{
	(void)state;
	struct proc *root = test_proc(1, "/");
	struct proc *p = test_proc(getpid(), "/");
	test_sensor_init(&ts, &core, root);
	/* Only an x32 clone3 reaches a sensor (the filter answers the others). */
	struct sensor_task t = task_in(p, VIGIL_SC_CLONE3);
	t.rec.arch = VIGIL_ARCH_X32;
	assert_int_equal(core_syscall_entry(&core, &t), CORE_CONTINUE);
	assert_int_equal(ts.n_refused, 1);
	assert_int_equal(ts.refused_with, -ENOSYS);
	assert_int_equal(n_events, 0); /* an ENOSYS is no tamper attempt */
	proc_unref(p);
	proc_unref(root);
}

static void test_open_exit_when_another_task_can_race(void **state)
{
	(void)state;
	struct proc *root = test_proc(1, "/");
	struct proc *p = test_proc(getpid(), "/");
	test_sensor_init(&ts, &core, root);
	struct sensor_task t = task_in(p, VIGIL_SC_OPENAT);
	t.rec.args[0] = (uint64_t)(long)AT_FDCWD;
	t.rec.args[1] = put_str(&ts.mem, "/etc/hostname");
	p->threads = 1; /* alone: no rule reads the result, the entry is the event */
	assert_int_equal(core_syscall_entry(&core, &t), CORE_CONTINUE);
	assert_int_equal(n_events, 1);
	p->threads = 2; /* a second thread could flip the path: the exit names the file */
	assert_int_equal(core_syscall_entry(&core, &t), CORE_WANT_RESULT);
	assert_int_equal(n_events, 1);
	assert_true(t.open_pending);
	int fd = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	core_syscall_exit(&core, &t, fd);
	close(fd);
	assert_int_equal(n_events, 2);
	assert_int_equal(last_event.tamper, VIGIL_TAMPER_NONE);
	assert_int_equal(last_event.fd.num, fd);
	assert_false(t.open_pending);
	proc_unref(p);
	proc_unref(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clone3_answered_enosys),
		cmocka_unit_test(test_open_exit_when_another_task_can_race),
		cmocka_unit_test(test_open_prefilter_decision),
		cmocka_unit_test(test_owns_proc_path),
		cmocka_unit_test(test_open_of_vigil_memory_refused),
		cmocka_unit_test(test_signals_aimed_at_vigil),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
