/* Unit tests: Falco output formats and the alert JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "rules/output.h"

static struct vigil_event ev;

static void setup_event(void)
{
	vigil_event_init(&ev, VIGIL_EV_SYSCALL);
	ev.ts_ns = 1795621815606372974ull;
	ev.type = 3; /* any syscall id */
	ev.fd.num = 3;
	ev.fd.type = VIGIL_FD_FILE;
	ev.fd.name = vigil_event_cstr(&ev, "/etc/shadow");
	ev.proc.pid = 7;
	ev.proc.name = vigil_event_cstr(&ev, "cat");
	ev.proc.n_ancestors = 2;
	ev.proc.ancestors[0] = (struct vigil_ancestor){6, vigil_event_cstr(&ev, "sh")};
	ev.proc.ancestors[1] = (struct vigil_ancestor){1, vigil_event_cstr(&ev, "vigil\"q")};
	vigil_event_arg_cstr(&ev, "flags", "O_RDONLY");
}

static void test_render(void **state)
{
	(void)state;
	setup_event();
	char err[128];
	const char *fmt = "%proc.name read %fd.name (flags=%evt.arg.flags) gp=%proc.aname[2] "
			  "parent=%proc.pname fd=%fd.num 100% sure. End %proc.name.";
	struct output_fmt *f = output_compile(fmt, strlen(fmt), err, sizeof(err));
	assert_non_null(f);
	struct strbuf sb;
	strbuf_init(&sb, 4096);
	output_render(f, &ev, NULL, &sb);
	assert_string_equal(sb.data, "cat read /etc/shadow (flags=O_RDONLY) gp=vigil\"q parent=<NA> "
				     "fd=3 100% sure. End cat.");
	strbuf_free(&sb);
	output_free(f);
	assert_null(output_compile("x %proc.nosuch", 14, err, sizeof(err)));
	assert_string_equal(err, "unknown field 'proc.nosuch'");
}

static void test_alert_json(void **state)
{
	(void)state;
	setup_event();
	char err[128];
	const char *fmt = "Read %fd.name by %proc.name gp=%proc.aname[2] p=%proc.pname n=%fd.num %fd.name";
	struct output_fmt *f = output_compile(fmt, strlen(fmt), err, sizeof(err));
	const char *tags[] = {"filesystem", "mitre_credential_access"};
	struct alert_rule r = {"Read sensitive file", "Warning", "syscall", tags, 2, f};
	struct field_ctx ctx = {.hostname = "task-1", .container_privileged = -1};
	struct strbuf sb;
	strbuf_init(&sb, 1 << 16);
	output_alert_json(&sb, &r, &ev, &ctx);
	const char *j = sb.data;
	assert_non_null(strstr(j, "\"hostname\":\"task-1\""));
	assert_non_null(strstr(j, ": Warning Read /etc/shadow by cat gp=vigil\\\"q p=<NA> n=3 /etc/shadow\""));
	assert_non_null(strstr(j, "\"output_fields\":{\"fd.name\":\"/etc/shadow\",\"proc.name\":\"cat\","
				  "\"proc.aname[2]\":\"vigil\\\"q\",\"proc.pname\":null,\"fd.num\":3}"));
	assert_non_null(strstr(j, "\"priority\":\"Warning\",\"rule\":\"Read sensitive file\",\"source\":\"syscall\""));
	assert_non_null(strstr(j, "\"tags\":[\"filesystem\",\"mitre_credential_access\"]"));
	assert_non_null(strstr(j, "\"time\":\"2026-11-25T15:50:15.606372974Z\""));
	const char *u = strstr(j, "\"uuid\":\"");
	assert_non_null(u);
	assert_int_equal(strlen(u), strlen("\"uuid\":\"") + 36 + 2);
	assert_int_equal(u[8 + 14], '4'); /* version 4 */
	strbuf_free(&sb);
	output_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_alert_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
