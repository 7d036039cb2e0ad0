/* Unit tests: field names resolve as Falco's, and extract the right values. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "rules/fields.h"
#include "vigil/syscalls.h"

static struct vigil_event ev;
static struct field_value val;

static void get(const char *name, const char *arg)
{
	struct field_ref ref;
	char err[128];
	assert_int_equal(field_resolve(name, arg, &ref, err, sizeof(err)), 0);
	struct field_ctx ctx = {.hostname = "h1", .container_id = "abc123", .container_privileged = -1};
	field_extract(&ref, &ev, &ctx, &val);
}

static void assert_str(const char *name, const char *arg, const char *want)
{
	get(name, arg);
	if (!want) {
		assert_false(val.present);
		return;
	}
	assert_true(val.present);
	assert_int_equal(val.len, strlen(want));
	assert_memory_equal(val.s, want, val.len);
}

static void assert_int(const char *name, const char *arg, int64_t want)
{
	get(name, arg);
	assert_true(val.present);
	assert_int_equal(val.i, want);
}

static void make_open(void)
{
	vigil_event_init(&ev, VIGIL_EV_SYSCALL);
	ev.type = VIGIL_SC_OPENAT;
	ev.has_res = 1;
	ev.res = -2;
	ev.open_flags = VIGIL_OPEN_READ;
	ev.fd.type = VIGIL_FD_FILE;
	ev.fd.name = vigil_event_cstr(&ev, "/etc/shadow");
	vigil_event_arg_cstr(&ev, "name", "shadow");
	vigil_event_arg_cstr(&ev, "flags", "O_RDONLY|O_CLOEXEC");
	ev.proc.pid = 42;
	ev.proc.name = vigil_event_cstr(&ev, "cat");
	ev.proc.args = vigil_event_cstr(&ev, "/etc/shadow");
	ev.proc.n_ancestors = 2;
	ev.proc.ancestors[0] = (struct vigil_ancestor){41, vigil_event_cstr(&ev, "bash")};
	ev.proc.ancestors[1] = (struct vigil_ancestor){1, vigil_event_cstr(&ev, "vigil")};
}

static void test_resolve(void **state)
{
	(void)state;
	struct field_ref ref;
	char err[128];
	assert_int_equal(field_resolve("proc.nosuch", NULL, &ref, err, sizeof(err)), -1);
	assert_string_equal(err, "unknown field 'proc.nosuch'");
	assert_int_equal(field_resolve("proc.name", "1", &ref, err, sizeof(err)), -1);
	assert_int_equal(field_resolve("proc.sname", NULL, &ref, err, sizeof(err)), 0);
	assert_int_equal(ref.def->support, FS_NO);
	assert_int_equal(field_resolve("k8s.ns.name", NULL, &ref, err, sizeof(err)), 0);
	assert_int_equal(ref.def->support, FS_NO);
	assert_int_equal(field_resolve("evt.arg.flags", NULL, &ref, err, sizeof(err)), 0);
	assert_string_equal(ref.argname, "flags");
	assert_int_equal(field_resolve("evt.arg", "1", &ref, err, sizeof(err)), 0);
	assert_int_equal(ref.argpos, 1);
}

static void test_event_and_proc_fields(void **state)
{
	(void)state;
	make_open();
	assert_str("evt.type", NULL, "openat");
	assert_str("evt.dir", NULL, "<");
	assert_str("evt.res", NULL, "ENOENT");
	assert_int("evt.rawres", NULL, -2);
	assert_str("evt.arg.flags", NULL, "O_RDONLY|O_CLOEXEC");
	assert_str("evt.arg", "0", "shadow");
	assert_str("evt.arg.nosuch", NULL, NULL);
	assert_str("evt.args", NULL, "name=shadow flags=O_RDONLY|O_CLOEXEC");
	assert_int("evt.is_open_read", NULL, 1);
	assert_int("evt.is_open_write", NULL, 0);
	assert_str("proc.cmdline", NULL, "cat /etc/shadow");
	assert_str("proc.aname", "0", "cat");
	assert_str("proc.aname", "1", "bash");
	assert_str("proc.aname", "2", "vigil");
	assert_str("proc.aname", "3", NULL);
	assert_int("proc.apid", "1", 41);
	assert_str("fd.directory", NULL, "/etc");
	assert_str("fd.filename", NULL, "shadow");
	assert_str("fd.typechar", NULL, "f");
	assert_str("container.id", NULL, "abc123");
	assert_str("evt.hostname", NULL, "h1");
	ev.res = 3;
	assert_str("evt.res", NULL, "SUCCESS");
	ev.has_res = 0;
	assert_str("evt.res", NULL, NULL);
	assert_str("evt.dir", NULL, ">");
}

static void test_any_ancestor(void **state)
{
	(void)state;
	make_open();
	struct field_ref ref;
	char err[128];
	assert_int_equal(field_resolve("proc.aname", NULL, &ref, err, sizeof(err)), 0);
	assert_int_equal(field_count(&ref, &ev), 2);
	field_extract_nth(&ref, &ev, NULL, 1, &val);
	assert_memory_equal(val.s, "vigil", 5);
}

static void test_socket_roles(void **state)
{
	(void)state;
	vigil_event_init(&ev, VIGIL_EV_SYSCALL);
	ev.type = VIGIL_SC_CONNECT;
	ev.fd.type = VIGIL_FD_IPV4;
	inet_pton(AF_INET, "169.254.169.254", ev.fd.dip);
	ev.fd.dport = 80;
	assert_str("fd.sip", NULL, "169.254.169.254"); /* connect: the server is the remote end */
	assert_int("fd.sport", NULL, 80);
	assert_str("fd.rip", NULL, "169.254.169.254");
	assert_int("fd.rport", NULL, 80);
	assert_str("fd.cip", NULL, NULL); /* local side unknown at connect */
	ev.type = VIGIL_SC_ACCEPT4;       /* accept: the client is the remote end */
	assert_str("fd.cip", NULL, "169.254.169.254");
	assert_str("fd.sip", NULL, NULL);
	assert_str("fd.sockfamily", NULL, "ip");
}

static void assert_absent(const char *name)
{
	get(name, NULL);
	assert_false(val.present);
}

/* fd.connected / fd.name_changed: Falco's fd state after the event. */
static void test_socket_state(void **state)
{
	(void)state;
	vigil_event_init(&ev, VIGIL_EV_SYSCALL);
	ev.type = VIGIL_SC_CONNECT;
	ev.fd.type = VIGIL_FD_IPV4;
	assert_absent("fd.connected"); /* at entry the result is not known */
	assert_absent("fd.name_changed");
	ev.has_res = 1;
	ev.res = 0;
	assert_int("fd.connected", NULL, 1);
	assert_int("fd.name_changed", NULL, 1);
	ev.res = -EINPROGRESS; /* non-blocking: named, not connected yet */
	assert_int("fd.connected", NULL, 0);
	assert_int("fd.name_changed", NULL, 1);
	ev.res = -ECONNREFUSED;
	assert_int("fd.connected", NULL, 0);
	assert_int("fd.name_changed", NULL, 0);
	ev.type = VIGIL_SC_ACCEPT4;
	ev.res = 5;
	assert_int("fd.connected", NULL, 1);
	assert_int("fd.name_changed", NULL, 0);
	make_open(); /* a file: known false */
	assert_int("fd.connected", NULL, 0);
	assert_int("fd.name_changed", NULL, 0);
	ev.fd.type = VIGIL_FD_NONE; /* no fd at all */
	assert_absent("fd.connected");
}

/* vigil.tamper on the attempt only; the counters on health events only. */
static void test_vigil_fields(void **state)
{
	(void)state;
	make_open();
	assert_absent("vigil.tamper");
	assert_absent("vigil.events_dropped");
	ev.tamper = VIGIL_TAMPER_PROC_VIGIL;
	assert_str("vigil.tamper", NULL, "proc_vigil");
	vigil_event_init(&ev, VIGIL_EV_HEALTH);
	ev.type = VIGIL_SC_HEALTH;
	ev.health = (struct vigil_health){.events_dropped = 70, .events_lost = 3, .analyzer_restarts = 2,
					  .dropped_new = 40, .lost_new = 1, .fim_overflows = 5};
	assert_absent("vigil.tamper");
	assert_int("vigil.events_dropped", NULL, 70);
	assert_int("vigil.events_lost", NULL, 3);
	assert_int("vigil.analyzer_restarts", NULL, 2);
	assert_int("vigil.events_dropped_new", NULL, 40);
	assert_int("vigil.events_lost_new", NULL, 1);
	assert_int("vigil.analyzer_restarts_new", NULL, 0);
	assert_int("vigil.fim_degraded", NULL, 0);
	assert_int("vigil.fim_overflows", NULL, 5);
	ev.health.fim_unwatched = 2;
	assert_int("vigil.fim_degraded", NULL, 1);
	assert_int("vigil.fim_unwatched", NULL, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_event_and_proc_fields),
		cmocka_unit_test(test_any_ancestor),
		cmocka_unit_test(test_socket_roles),
		cmocka_unit_test(test_socket_state),
		cmocka_unit_test(test_vigil_fields),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
