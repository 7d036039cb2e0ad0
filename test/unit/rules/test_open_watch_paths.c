/*
 * test_open_watch_paths.c — the paths the open backstop watches: what the
 * enabled open rules name exactly (fd.name = / in, fd.directory = / in),
 * and nothing that is a prefix, a negation, a disabled rule or a rule
 * below the priority.
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
#include "vigil/prefilter.h"

static bool has(const struct prefilter *pf, char op, const char *s)
{
	for (size_t i = 0; i < pf->n; i++)
		if (pf->preds[i].op == op && strcmp(pf->preds[i].s, s) == 0)
			return true;
	return false;
}

static void all_exact(const struct prefilter *pf)
{
	for (size_t i = 0; i < pf->n; i++)
		if ((pf->preds[i].op != PF_EQ && pf->preds[i].op != PF_DIR) || pf->preds[i].s[0] != '/')
			fail_msg("not an exact absolute path: %c%s", pf->preds[i].op, pf->preds[i].s);
}

static void test_bundled_rules(void **state)
{
	(void)state;
	char path[4096];
	const char *dir = getenv("VIGIL_BUNDLED_RULES");
	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/vigil_rules.yaml", dir);
	struct engine *e = engine_new();
	const char *paths[] = {path};
	struct vigil_diag d;
	vigil_diag_init(&d);
	assert_int_equal(engine_load(e, paths, 1, &d), 0);
	vigil_diag_free(&d);
	struct prefilter pf;
	engine_open_watch_paths(e, &pf);
	all_exact(&pf);
	assert_true(has(&pf, PF_EQ, "/etc/shadow"));
	assert_true(has(&pf, PF_EQ, "/root/.aws/credentials"));
	assert_true(has(&pf, PF_DIR, "/root/.ssh"));
	assert_false(has(&pf, PF_EQ, "/root/.bash_history")); /* an exception, and a pmatch */
	prefilter_free(&pf);
	engine_free(e);
}

static const char rules[] =
	"- rule: read a\n  desc: d\n  condition: evt.type = openat and fd.name = /a\n"
	"  output: o\n  priority: WARNING\n"
	"- rule: not b\n  desc: d\n  condition: evt.type = openat and not fd.name = /b\n"
	"  output: o\n  priority: WARNING\n"
	"- rule: off c\n  desc: d\n  condition: evt.type = openat and fd.name = /c\n"
	"  output: o\n  priority: WARNING\n  enabled: false\n"
	"- rule: low d\n  desc: d\n  condition: evt.type = openat and fd.name = /d\n"
	"  output: o\n  priority: DEBUG\n"
	"- rule: exec e\n  desc: d\n  condition: evt.type = execve and fd.name = /e\n"
	"  output: o\n  priority: WARNING\n"
	"- rule: any f\n  desc: d\n  condition: fd.name in (/f, relative)\n"
	"  output: o\n  priority: WARNING\n";

static void test_which_rules_count(void **state)
{
	(void)state;
	struct engine *e = engine_new();
	struct vigil_diag d;
	vigil_diag_init(&d);
	assert_int_equal(engine_load_buffer(e, "t.yaml", rules, sizeof(rules) - 1, &d), 0);
	vigil_diag_free(&d);
	engine_set_min_priority(e, RULES_PRIO_INFORMATIONAL);
	struct prefilter pf;
	engine_open_watch_paths(e, &pf);
	assert_int_equal(pf.n, 2);
	assert_true(has(&pf, PF_EQ, "/a"));
	assert_true(has(&pf, PF_EQ, "/f")); /* no evt.type: opens too; "relative" is no path */
	prefilter_free(&pf);
	engine_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bundled_rules),
		cmocka_unit_test(test_which_rules_count),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
