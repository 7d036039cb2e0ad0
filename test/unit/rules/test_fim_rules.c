/*
 * test_fim_rules.c — FIM changes through the engine: source: fim rules see
 * FIM events only (and syscall rules never do), fim.* fields, and the
 * bundled rules/vigil_fim_rules.yaml priorities for typical paths.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/engine.h"
#include "vigil/syscalls.h"

struct hit {
	char rule[128];
	int priority;
	int n;
};

static void on_match(const struct compiled_rule *r, const struct vigil_event *ev, void *arg)
{
	(void)ev;
	struct hit *h = arg;
	snprintf(h->rule, sizeof(h->rule), "%s", r->src->name);
	h->priority = (int)r->src->priority;
	h->n++;
}

static struct vigil_event *fim_event(const char *path, enum vigil_fim_action action, bool attributed)
{
	static struct vigil_event ev;
	vigil_event_init(&ev, VIGIL_EV_FIM);
	ev.strs_used = 0;
	ev.type = VIGIL_SC_FIM;
	ev.fim.action = (uint8_t)action;
	ev.fim.path = vigil_event_cstr(&ev, path);
	ev.fim.has_cur = action != VIGIL_FIM_DELETED;
	ev.fim.has_prev = action != VIGIL_FIM_CREATED;
	ev.fim.mode = 0100600;
	ev.fim.prev_mode = 0100644;
	ev.fim.attributed = attributed;
	if (attributed) {
		ev.proc.pid = 42;
		ev.proc.name = vigil_event_cstr(&ev, "sed");
	}
	vigil_event_seal(&ev);
	return &ev;
}

static struct engine *load(const char *text)
{
	struct engine *e = engine_new();
	struct vigil_diag d;
	vigil_diag_init(&d);
	assert_int_equal(engine_load_buffer(e, "t.yaml", text, strlen(text), &d), 0);
	vigil_diag_free(&d);
	return e;
}

static void test_sources_are_kept_apart(void **state)
{
	(void)state;
	struct engine *e = load("- rule: any syscall\n  desc: d\n  condition: proc.pid = 42\n"
				"  output: o\n  priority: WARNING\n"
				"- rule: fim mode\n  desc: d\n  condition: fim.mode = 0600 and fim.prev_mode = 0644 "
				"and fim.action = modified and proc.name = sed and evt.source = fim\n"
				"  output: o\n  priority: ERROR\n  source: fim\n");
	struct hit h = {0};
	engine_eval(e, fim_event("/etc/x", VIGIL_FIM_MODIFIED, true), NULL, on_match, &h);
	assert_int_equal(h.n, 1); /* not the syscall rule, though proc.pid = 42 */
	assert_string_equal(h.rule, "fim mode");
	/* an unattributed change has no process: proc.name is <NA>, never "" */
	memset(&h, 0, sizeof(h));
	engine_eval(e, fim_event("/etc/x", VIGIL_FIM_MODIFIED, false), NULL, on_match, &h);
	assert_int_equal(h.n, 0);
	engine_free(e);
	/* and a FIM rule, which has no evt.type, adds nothing to what is traced */
	e = load("- rule: any change\n  desc: d\n  condition: fim.path exists\n  output: o\n"
		 "  priority: ERROR\n  source: fim\n");
	vigil_sc_set set;
	assert_true(engine_syscalls(e, &set));
	for (int t = 1; t < VIGIL_SC_PROCEXIT; t++)
		assert_false(vigil_sc_set_has(&set, t));
	engine_free(e);
}

static void test_bundled_priorities(void **state)
{
	(void)state;
	char path[4096];
	const char *dir = getenv("VIGIL_BUNDLED_RULES");
	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/vigil_fim_rules.yaml", dir);
	struct engine *e = engine_new();
	const char *paths[] = {path};
	struct vigil_diag d;
	vigil_diag_init(&d);
	assert_int_equal(engine_load(e, paths, 1, &d), 0);
	assert_int_equal(d.nerrors + d.nwarnings, 0);
	vigil_diag_free(&d);
	static const struct {
		const char *path;
		int priority;
	} cases[] = {
		{"/etc/passwd", RULES_PRIO_CRITICAL},      {"/etc/sudoers.d/app", RULES_PRIO_CRITICAL},
		{"/usr/bin/ls", RULES_PRIO_CRITICAL},      {"/usr/lib/x86_64-linux-gnu/libc.so.6", RULES_PRIO_CRITICAL},
		{"/etc/nginx/nginx.conf", RULES_PRIO_ERROR}, {"/app/server.py", RULES_PRIO_WARNING},
		{"/app/log/access.log", RULES_PRIO_INFORMATIONAL}, {"/var/cache/x/y", RULES_PRIO_INFORMATIONAL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hit h = {0};
		engine_eval(e, fim_event(cases[i].path, VIGIL_FIM_MODIFIED, true), NULL, on_match, &h);
		if (h.n != 1 || h.priority != cases[i].priority)
			fail_msg("%s: %d matches, last '%s' priority %d, want %d", cases[i].path, h.n, h.rule,
				 h.priority, cases[i].priority);
	}
	engine_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sources_are_kept_apart),
		cmocka_unit_test(test_bundled_priorities),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
