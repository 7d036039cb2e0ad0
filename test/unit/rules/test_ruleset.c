/* Unit tests: loading Falco rules files into a merged rule set
 * (agent/rules/ruleset.c, rules_yaml.c, rules_text.c; agent/common/ydoc.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "rules/ruleset.h"
#include "vigil/ydoc.h"

/* ---- helpers ---- */

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static const char *env_dir(const char *var, const char *fallback)
{
	const char *d = getenv(var);
	return d && *d ? d : fallback;
}

static int load(struct ruleset *rs, const char *name, const char *yaml, struct vigil_diag *d)
{
	return ruleset_load_buffer(rs, name, yaml, strlen(yaml), d);
}

/* Entry i formatted, with the directory part of the file name dropped. */
static const char *diag_str(const struct vigil_diag *d, size_t i)
{
	static char buf[1024];
	struct vigil_diag_entry e = d->v[i];
	const char *slash = strrchr(e.file, '/');
	if (slash)
		e.file = (char *)slash + 1;
	vigil_diag_format(&e, buf, sizeof(buf));
	return buf;
}

static const char *first_of(const struct vigil_diag *d, enum vigil_diag_level lvl)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].level == lvl)
			return diag_str(d, i);
	return "(none)";
}

/* Load yaml into a fresh set; expect failure with `want` as first error. */
static void expect_error(const char *yaml, const char *want)
{
	struct ruleset *rs = ruleset_new();
	struct vigil_diag d;
	vigil_diag_init(&d);
	int rc = load(rs, "t.yaml", yaml, &d);
	if (rc != -1 || strcmp(first_of(&d, VIGIL_DIAG_ERROR), want) != 0) {
		vigil_diag_print(&d, stderr);
		fprintf(stderr, "want: %s\n", want);
	}
	assert_int_equal(rc, -1);
	assert_string_equal(first_of(&d, VIGIL_DIAG_ERROR), want);
	vigil_diag_free(&d);
	ruleset_free(rs);
}

/* Position of the first occurrence of token in t. */
static void expect_at(const struct rules_text *t, const char *token, const char *file, uint32_t line,
		      uint32_t col)
{
	const char *p = strstr(t->str, token);
	assert_non_null(p);
	struct vigil_pos pos;
	assert_true(rules_text_locate(t, (size_t)(p - t->str), &pos));
	if (pos.line != line || pos.col != col || strcmp(pos.file, file) != 0)
		fprintf(stderr, "token '%s': got %s:%u:%u want %s:%u:%u\n", token, pos.file, pos.line, pos.col,
			file, line, col);
	assert_string_equal(pos.file, file);
	assert_int_equal(pos.line, line);
	assert_int_equal(pos.col, col);
}

static const char base_rule[] =
	"- list: shells\n"
	"  items: [bash, sh]\n"
	"- macro: spawned\n"
	"  condition: evt.type = execve\n"
	"- rule: Shell run\n"
	"  desc: a shell ran\n"
	"  condition: spawned and proc.name in (shells)\n"
	"  output: shell %proc.name\n"
	"  priority: notice\n"
	"  tags: [shell, T1059, shell]\n";

/* ---- definitions ---- */

static void test_define(void **state)
{
	(void)state;
	struct ruleset *rs = ruleset_new();
	struct vigil_diag d;
	vigil_diag_init(&d);
	assert_int_equal(load(rs, "base.yaml", base_rule, &d), 0);
	assert_int_equal(d.n, 0);

	const struct rules_list *l = ruleset_find_list(rs, "shells");
	assert_non_null(l);
	assert_int_equal(l->nitems, 2);
	assert_string_equal(l->items[1].str, "sh");
	assert_int_equal(l->items[1].pos.line, 2);
	assert_int_equal(l->items[1].pos.col, 17);

	const struct rules_macro *m = ruleset_find_macro(rs, "spawned");
	assert_string_equal(m->condition.str, "evt.type = execve");
	assert_int_equal(m->pos.line, 3);
	assert_int_equal(m->pos.col, 3);
	assert_int_equal(m->condition.pos.line, 4);
	assert_int_equal(m->condition.pos.col, 14);
	assert_int_equal(m->condition.style, YDOC_STYLE_PLAIN);

	const struct rules_rule *r = ruleset_find_rule(rs, "Shell run");
	assert_non_null(r);
	assert_string_equal(r->pos.file, "base.yaml");
	assert_int_equal(r->pos.line, 5);
	assert_string_equal(r->desc, "a shell ran");
	assert_string_equal(r->output.str, "shell %proc.name");
	assert_int_equal(r->priority, RULES_PRIO_NOTICE);
	assert_string_equal(r->source, "syscall");
	assert_true(r->enabled);
	assert_true(r->warn_evttypes);
	assert_false(r->skip_if_unknown_filter);
	assert_int_equal(r->ntags, 2); /* duplicates dropped, order kept */
	assert_string_equal(r->tags[0], "shell");
	assert_string_equal(r->tags[1], "T1059");
	assert_ptr_equal(ruleset_rule_at(rs, 0), r);
	assert_null(ruleset_rule_at(rs, 1));
	assert_null(ruleset_find_rule(rs, "shell run"));
	ruleset_free(rs);
	vigil_diag_free(&d);
}

static void test_priorities(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		enum rules_priority p;
	} cases[] = {
		{ "EMERGENCY", RULES_PRIO_EMERGENCY }, { "alert", RULES_PRIO_ALERT },
		{ "Critical", RULES_PRIO_CRITICAL },   { "error", RULES_PRIO_ERROR },
		{ "WARNING", RULES_PRIO_WARNING },     { "notice", RULES_PRIO_NOTICE },
		{ "informational", RULES_PRIO_INFORMATIONAL }, { "INFO", RULES_PRIO_INFORMATIONAL },
		{ "Debug", RULES_PRIO_DEBUG },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum rules_priority p;
		assert_true(rules_priority_parse(cases[i].text, &p));
		assert_int_equal(p, cases[i].p);
	}
	enum rules_priority p;
	assert_false(rules_priority_parse("warn", &p));
	assert_string_equal(rules_priority_name(RULES_PRIO_INFORMATIONAL), "Informational");
	assert_string_equal(rules_priority_name(RULES_PRIO_WARNING), "Warning");
}

/* A later definition replaces the earlier one where it stood. */
static void test_redefine_keeps_order(void **state)
{
	(void)state;
	struct ruleset *rs = ruleset_new();
	struct vigil_diag d;
	vigil_diag_init(&d);
	assert_int_equal(load(rs, "a.yaml",
			      "- rule: A\n  desc: a\n  condition: evt.type = open\n  output: a\n  priority: info\n"
			      "- rule: B\n  desc: b\n  condition: evt.type = close\n  output: b\n  priority: info\n"
			      "- list: l1\n  items: [x]\n- list: l2\n  items: [y]\n"
			      "- macro: m1\n  condition: evt.type = open\n- macro: m2\n  condition: evt.type = read\n",
			      &d),
			 0);
	assert_int_equal(load(rs, "b.yaml",
			      "- rule: A\n  desc: new a\n  condition: evt.type = openat\n  output: a2\n"
			      "  priority: error\n  tags: [t]\n"
			      "- list: l1\n  items: [z, w]\n"
			      "- macro: m1\n  condition: evt.type = openat2\n"
			      "- rule: C\n  desc: c\n  condition: evt.type = bind\n  output: c\n  priority: info\n",
			      &d),
			 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(ruleset_rule_count(rs), 3);
	const struct rules_rule *a = ruleset_rule_at(rs, 0);
	assert_string_equal(a->name, "A");
	assert_string_equal(a->desc, "new a");
	assert_string_equal(a->condition.str, "evt.type = openat");
	assert_string_equal(a->pos.file, "b.yaml");
	assert_int_equal(a->priority, RULES_PRIO_ERROR);
	assert_int_equal(a->ntags, 1);
	assert_string_equal(ruleset_rule_at(rs, 1)->name, "B");
	assert_string_equal(ruleset_rule_at(rs, 2)->name, "C");

	assert_int_equal(ruleset_list_count(rs), 2);
	assert_string_equal(ruleset_list_at(rs, 0)->name, "l1");
	assert_int_equal(ruleset_list_at(rs, 0)->nitems, 2);
	assert_string_equal(ruleset_list_at(rs, 0)->items[0].str, "z");
	assert_string_equal(ruleset_macro_at(rs, 0)->condition.str, "evt.type = openat2");
	assert_string_equal(ruleset_macro_at(rs, 1)->name, "m2");
	/* visibility grows with every change, in load order */
	assert_true(ruleset_list_at(rs, 0)->visibility > ruleset_list_at(rs, 1)->visibility);
	ruleset_free(rs);
	vigil_diag_free(&d);
}

/* ---- append: true (deprecated) ---- */

static void test_append_flag(void **state)
{
	(void)state;
	struct ruleset *rs = ruleset_new();
	struct vigil_diag d;
	vigil_diag_init(&d);
	assert_int_equal(load(rs, "base.yaml", base_rule, &d), 0);
	assert_int_equal(load(rs, "local.yaml",
			      "- list: shells\n  items: [zsh]\n  append: true\n"
			      "- macro: spawned\n  condition: or evt.type = execveat\n  append: true\n"
			      "- rule: Shell run\n  condition: and not user.name = root\n  append: true\n",
			      &d),
			 0);
	assert_int_equal(d.nerrors, 0);
	assert_int_equal(d.nwarnings, 3);
	assert_string_equal(first_of(&d, VIGIL_DIAG_WARNING),
			    "local.yaml:3:3: warning: list 'shells': 'append' is deprecated; use 'override' instead");

	const struct rules_list *l = ruleset_find_list(rs, "shells");
	assert_int_equal(l->nitems, 3);
	assert_string_equal(l->items[2].str, "zsh");
	assert_string_equal(l->items[2].pos.file, "local.yaml");
	/* Falco joins an appended condition with one space */
	assert_string_equal(ruleset_find_macro(rs, "spawned")->condition.str,
			    "evt.type = execve or evt.type = execveat");
	const struct rules_rule *r = ruleset_find_rule(rs, "Shell run");
	assert_string_equal(r->condition.str, "spawned and proc.name in (shells) and not user.name = root");
	assert_string_equal(r->output.str, "shell %proc.name");
	/* positions of appended text point into the second file */
	expect_at(&r->condition, "proc.name", "base.yaml", 7, 26);
	expect_at(&r->condition, "user.name", "local.yaml", 8, 22);
	ruleset_free(rs);
	vigil_diag_free(&d);
}

static const char exc_rule[] =
	"- rule: R\n"
	"  desc: d\n"
	"  condition: evt.type = open\n"
	"  output: o\n"
	"  priority: INFO\n"
	"  exceptions:\n"
	"    - name: proc_file\n"
	"      fields: [proc.name, fd.name]\n"
	"      comps: [==, in]\n"
	"      values:\n"
	"        - [nginx, [/etc/nginx, /var/nginx]]\n"
	"    - name: names\n"
	"      fields: proc.name\n"
	"      values: [a, b]\n"
	"    - name: pairs\n"
	"      fields: [proc.name, fd.directory]\n";

static void test_exceptions(void **state)
{
	(void)state;
	struct ruleset *rs = ruleset_new();
	struct vigil_diag d;
	vigil_diag_init(&d);
	assert_int_equal(load(rs, "e.yaml", exc_rule, &d), 0);
	const struct rules_rule *r = ruleset_find_rule(rs, "R");
	assert_int_equal(r->nexceptions, 3);
	const struct rules_exception *x = &r->exceptions[0];
	assert_string_equal(x->name, "proc_file");
	assert_true(x->fields.is_list);
	assert_int_equal(x->fields.nitems, 2);
	assert_string_equal(x->comps.items[1].str, "in");
	assert_int_equal(x->nvalues, 1);
	assert_true(x->values[0].items[1].is_list);
	assert_string_equal(x->values[0].items[1].items[1].str, "/var/nginx");
	assert_int_equal(x->values[0].pos.line, 11);
	assert_int_equal(x->values[0].pos.col, 11);
	/* defaults: a single field takes "in", a list takes "=" each */
	assert_false(r->exceptions[1].fields.is_list);
	assert_string_equal(r->exceptions[1].comps.str, "in");
	assert_true(r->exceptions[2].comps.is_list);
	assert_string_equal(r->exceptions[2].comps.items[0].str, "=");
	assert_string_equal(r->exceptions[2].comps.items[1].str, "=");
	assert_int_equal(r->exceptions[2].nvalues, 0);

	/* append values to existing exceptions, add a new one */
	assert_int_equal(load(rs, "l.yaml",
			      "- rule: R\n"
			      "  append: true\n"
			      "  exceptions:\n"
			      "    - name: proc_file\n"
			      "      values:\n"
			      "        - [apache, [/etc/apache]]\n"
			      "    - name: pairs\n"
			      "      values:\n"
			      "        - [npm, /usr/node]\n"
			      "    - name: new_one\n"
			      "      fields: fd.name\n"
			      "      comps: pmatch\n"
			      "      values: [/tmp]\n",
			      &d),
			 0);
	r = ruleset_find_rule(rs, "R");
	assert_string_equal(r->condition.str, "evt.type = open");
	assert_int_equal(r->nexceptions, 4);
	assert_int_equal(r->exceptions[0].nvalues, 2);
	assert_string_equal(r->exceptions[0].values[1].items[0].str, "apache");
	assert_string_equal(r->exceptions[0].values[1].pos.file, "l.yaml");
	assert_int_equal(r->exceptions[2].nvalues, 1);
	assert_string_equal(r->exceptions[3].name, "new_one");
	assert_string_equal(r->exceptions[3].comps.str, "pmatch");

	/* override append works the same; fields on an existing one is an error */
	assert_int_equal(load(rs, "x.yaml",
			      "- rule: R\n"
			      "  exceptions:\n"
			      "    - name: names\n"
			      "      fields: proc.pname\n"
			      "      values: [c]\n"
			      "  override:\n"
			      "    exceptions: append\n",
			      &d),
			 -1);
	assert_string_equal(first_of(&d, VIGIL_DIAG_ERROR),
			    "x.yaml:4:15: error: rule 'R': exception 'names' exists: only 'values' can be appended to it, not 'fields'");
	assert_int_equal(ruleset_find_rule(rs, "R")->exceptions[1].nvalues, 2);

	/* values of the wrong arity appended to an existing exception */
	vigil_diag_free(&d);
	assert_int_equal(load(rs, "y.yaml",
			      "- rule: R\n  exceptions:\n    - name: pairs\n      values:\n        - [only_one]\n"
			      "  override:\n    exceptions: append\n",
			      &d),
			 -1);
	assert_string_equal(first_of(&d, VIGIL_DIAG_ERROR),
			    "y.yaml:5:11: error: rule 'R': exception 'pairs': each value must be a list of 2 entries, one per field");

	/* override replace swaps the whole list */
	vigil_diag_free(&d);
	assert_int_equal(load(rs, "z.yaml",
			      "- rule: R\n  exceptions:\n    - name: only\n      fields: proc.name\n      values: [q]\n"
			      "  override:\n    exceptions: replace\n",
			      &d),
			 0);
	r = ruleset_find_rule(rs, "R");
	assert_int_equal(r->nexceptions, 1);
	assert_string_equal(r->exceptions[0].name, "only");
	ruleset_free(rs);
	vigil_diag_free(&d);
}

static void test_exception_errors(void **state)
{
	(void)state;
	const char *head = "- rule: R\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: INFO\n"
			   "  exceptions:\n";
	char buf[1024];
	snprintf(buf, sizeof(buf), "%s    - name: a\n      fields: proc.name\n      comps: '='\n", head);
	expect_error(buf,
		     "t.yaml:9:14: error: rule 'R': exception 'a': when 'fields' is a single field, 'comps' must be one of in, pmatch, intersects (got '=')");
	snprintf(buf, sizeof(buf), "%s    - name: a\n      fields: [proc.name]\n      comps: [like]\n", head);
	expect_error(buf, "t.yaml:9:15: error: rule 'R': exception 'a': 'like' is not a comparison operator");
	snprintf(buf, sizeof(buf), "%s    - name: a\n      comps: [=]\n", head);
	expect_error(buf, "t.yaml:7:7: error: rule 'R': exception 'a' is missing required key 'fields'");
	snprintf(buf, sizeof(buf), "%s    - name: a\n      fields: proc.name\n      values: [[x, y]]\n", head);
	expect_error(buf,
		     "t.yaml:9:16: error: rule 'R': exception 'a': each value must be a string when 'fields' is a single field");
	snprintf(buf, sizeof(buf),
		 "%s    - name: a\n      fields: [proc.name, fd.name]\n      values: [[x, [y]]]\n", head);
	expect_error(buf,
		     "t.yaml:9:20: error: rule 'R': exception 'a': the entry for 'fd.name' is a list, but its comp '=' takes a single value");
	snprintf(buf, sizeof(buf), "%s    - name: a\n      fields: proc.name\n    - name: a\n      fields: fd.name\n",
		 head);
	expect_error(buf, "t.yaml:9:7: error: rule 'R': exception 'a' is defined twice in this item");
	snprintf(buf, sizeof(buf), "%s    - name: a\n      field: proc.name\n", head);
	expect_error(buf, "t.yaml:8:7: error: rule 'R': unknown key 'field' (did you mean 'fields'?)");
	snprintf(buf, sizeof(buf), "%s    - [a, b]\n", head);
	expect_error(buf,
		     "t.yaml:7:7: error: rule 'R': each exception must be a mapping with name, fields, comps, values; got a list");

	/* appending a brand-new exception needs fields and values */
	struct ruleset *rs = ruleset_new();
	struct vigil_diag d;
	vigil_diag_init(&d);
	assert_int_equal(load(rs, "e.yaml", exc_rule, &d), 0);
	assert_int_equal(load(rs, "n.yaml", "- rule: R\n  append: true\n  exceptions:\n    - name: fresh\n      values: [x]\n",
			      &d),
			 -1);
	assert_string_equal(first_of(&d, VIGIL_DIAG_ERROR),
			    "n.yaml:4:7: error: rule 'R': new exception 'fresh' needs 'fields' (rule 'R' has no exception of that name)");
	ruleset_free(rs);
	vigil_diag_free(&d);
}

/* ---- override ---- */

static void test_override(void **state)
{
	(void)state;
	struct ruleset *rs = ruleset_new();
	struct vigil_diag d;
	vigil_diag_init(&d);
	assert_int_equal(load(rs, "base.yaml", base_rule, &d), 0);
	assert_int_equal(load(rs, "local.yaml",
			      "- list: shells\n  items: [zsh]\n  override:\n    items: append\n"
			      "- macro: spawned\n  condition: evt.type in (execve, execveat)\n  override:\n"
			      "    condition: replace\n"
			      "- rule: Shell run\n"
			      "  condition: and not user.name = root\n"
			      "  output: a shell (%proc.cmdline)\n"
			      "  desc: (tuned)\n"
			      "  tags: [local, shell]\n"
			      "  priority: Critical\n"
			      "  enabled: false\n"
			      "  override:\n"
			      "    condition: append\n"
			      "    output: replace\n"
			      "    desc: append\n"
			      "    tags: append\n"
			      "    priority: replace\n"
			      "    enabled: replace\n",
			      &d),
			 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(ruleset_find_list(rs, "shells")->nitems, 3);
	assert_string_equal(ruleset_find_macro(rs, "spawned")->condition.str, "evt.type in (execve, execveat)");
	const struct rules_rule *r = ruleset_find_rule(rs, "Shell run");
	assert_string_equal(r->condition.str, "spawned and proc.name in (shells) and not user.name = root");
	assert_string_equal(r->output.str, "a shell (%proc.cmdline)");
	assert_string_equal(r->output.pos.file, "local.yaml");
	assert_string_equal(r->desc, "a shell ran (tuned)");
	assert_int_equal(r->ntags, 3);
	assert_string_equal(r->tags[2], "local");
	assert_int_equal(r->priority, RULES_PRIO_CRITICAL);
	assert_false(r->enabled);
	assert_string_equal(r->pos.file, "base.yaml"); /* still its definition */

	/* replace lists and tags */
	assert_int_equal(load(rs, "more.yaml",
			      "- list: shells\n  items: [fish]\n  override:\n    items: replace\n"
			      "- rule: Shell run\n  tags: [only]\n  enabled: true\n  override:\n    tags: replace\n"
			      "    enabled: replace\n",
			      &d),
			 0);
	assert_int_equal(ruleset_find_list(rs, "shells")->nitems, 1);
	r = ruleset_find_rule(rs, "Shell run");
	assert_int_equal(r->ntags, 1);
	assert_string_equal(r->tags[0], "only");
	assert_true(r->enabled);
	ruleset_free(rs);
	vigil_diag_free(&d);
}

static void test_override_errors(void **state)
{
	(void)state;
	char buf[2048];
	snprintf(buf, sizeof(buf), "%s- rule: Shell run\n  priority: ERROR\n  override:\n    priority: append\n",
		 base_rule);
	expect_error(buf, "t.yaml:14:15: error: rule 'Shell run': key 'priority' cannot be appended to; use 'replace'");
	snprintf(buf, sizeof(buf), "%s- rule: Shell run\n  priority: ERROR\n  output: x\n  override:\n    output: replace\n",
		 base_rule);
	expect_error(buf,
		     "t.yaml:12:3: error: rule 'Shell run': key 'priority' has no entry under 'override' (say append or replace)");
	snprintf(buf, sizeof(buf), "%s- rule: Shell run\n  output: x\n  override:\n    output: replace\n    desc: append\n",
		 base_rule);
	expect_error(buf, "t.yaml:15:5: error: rule 'Shell run': override names 'desc' but the item has no 'desc'");
	snprintf(buf, sizeof(buf), "%s- rule: Shell run\n  output: x\n  append: true\n  override:\n    output: replace\n",
		 base_rule);
	expect_error(buf, "t.yaml:13:3: error: rule 'Shell run': 'append' and 'override' cannot be used together");
	snprintf(buf, sizeof(buf), "%s- rule: Shell run\n  output: x\n  override:\n    output: merge\n", base_rule);
	expect_error(buf,
		     "t.yaml:14:13: error: rule 'Shell run': override of 'output' must be 'append' or 'replace', got 'merge'");
	snprintf(buf, sizeof(buf), "%s- rule: Shell run\n  source: k8s_audit\n  override:\n    source: replace\n",
		 base_rule);
	expect_error(buf, "t.yaml:14:5: error: rule 'Shell run': key 'source' cannot be overridden");
	snprintf(buf, sizeof(buf), "%s- list: shells\n  items: [x]\n  override: [items]\n", base_rule);
	expect_error(buf,
		     "t.yaml:13:13: error: list 'shells': key 'override' must be a mapping of key: append or replace, got a list");
	snprintf(buf, sizeof(buf), "%s- macro: spawned\n  condition: x\n  override:\n    items: append\n", base_rule);
	expect_error(buf, "t.yaml:14:5: error: macro 'spawned': key 'items' cannot be overridden");
	expect_error("- macro: m\n  condition: x\n  override:\n    condition: replace\n",
		     "t.yaml:1:3: error: macro 'm': nothing to override: no macro of this name is defined earlier (files load in order)");
}

/* ---- enabled ---- */

static void test_enable_disable(void **state)
{
	(void)state;
	struct ruleset *rs = ruleset_new();
	struct vigil_diag d;
	vigil_diag_init(&d);
	assert_int_equal(load(rs, "a.yaml",
			      "- rule: Off\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: info\n"
			      "  enabled: false\n",
			      &d),
			 0);
	assert_false(ruleset_find_rule(rs, "Off")->enabled);
	assert_int_equal(load(rs, "b.yaml", "- rule: Off\n  enabled: true\n", &d), 0);
	assert_true(ruleset_find_rule(rs, "Off")->enabled);
	assert_string_equal(first_of(&d, VIGIL_DIAG_WARNING),
			    "b.yaml:2:3: warning: rule 'Off': 'enabled' alone is deprecated; use 'override: {enabled: replace}'");
	assert_int_equal(load(rs, "c.yaml", "- rule: Off\n  enabled: no\n", &d), 0);
	assert_false(ruleset_find_rule(rs, "Off")->enabled);
	/* the rule is otherwise untouched */
	assert_string_equal(ruleset_find_rule(rs, "Off")->condition.str, "evt.type = open");
	assert_int_equal(d.nerrors, 0);

	expect_error("- rule: Ghost\n  enabled: false\n",
		     "t.yaml:1:3: error: rule 'Ghost': nothing to enable or disable: no rule of this name is defined earlier (files load in order)");
	expect_error("- rule: Ghost\n  enabled: false\n  tags: [x]\n",
		     "t.yaml:3:3: error: rule 'Ghost': key 'tags' needs a full rule definition (condition, output, desc, priority) or an 'override'");
	ruleset_free(rs);
	vigil_diag_free(&d);
}

/* ---- undefined targets, sources, atomic files ---- */

static void test_update_undefined(void **state)
{
	(void)state;
	expect_error("- list: l\n  items: [a]\n  append: true\n",
		     "t.yaml:1:3: error: list 'l': nothing to append to: no list of this name is defined earlier (files load in order)");
	expect_error("- macro: m\n  condition: or x\n  append: true\n",
		     "t.yaml:1:3: error: macro 'm': nothing to append to: no macro of this name is defined earlier (files load in order)");
	expect_error("- rule: R\n  condition: and x\n  append: true\n",
		     "t.yaml:1:3: error: rule 'R': nothing to append to: no rule of this name is defined earlier (files load in order)");
	expect_error("- rule: R\n  output: x\n  override:\n    output: replace\n",
		     "t.yaml:1:3: error: rule 'R': nothing to override: no rule of this name is defined earlier (files load in order)");
	/* a definition later in the same file does not count */
	char buf[1024];
	snprintf(buf, sizeof(buf), "- list: shells\n  items: [zsh]\n  append: true\n%s", base_rule);
	expect_error(buf,
		     "t.yaml:1:3: error: list 'shells': nothing to append to: no list of this name is defined earlier (files load in order)");
	/* but earlier in the same file does */
	struct ruleset *rs = ruleset_new();
	snprintf(buf, sizeof(buf), "%s- list: shells\n  items: [zsh]\n  override:\n    items: append\n", base_rule);
	assert_int_equal(load(rs, "t.yaml", buf, NULL), 0);
	assert_int_equal(ruleset_find_list(rs, "shells")->nitems, 3);
	ruleset_free(rs);
	expect_error("- rule: R\n  append: true\n",
		     "t.yaml:1:3: error: rule 'R': an appended rule needs 'condition' or 'exceptions'");
	expect_error("- rule: R\n  append: true\n  condition: and x\n  output: y\n",
		     "t.yaml:4:3: error: rule 'R': key 'output' cannot be used with 'append: true', which appends only 'condition' and 'exceptions' (use 'override')");
}

static void test_source(void **state)
{
	(void)state;
	struct ruleset *rs = ruleset_new();
	struct vigil_diag d;
	vigil_diag_init(&d);
	assert_int_equal(load(rs, "a.yaml",
			      "- rule: K\n  desc: d\n  condition: ka.verb = create\n  output: o\n  priority: info\n"
			      "  source: k8s_audit\n",
			      &d),
			 0);
	assert_string_equal(ruleset_find_rule(rs, "K")->source, "k8s_audit");
	assert_int_equal(load(rs, "b.yaml",
			      "- rule: K\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: info\n", &d),
			 -1);
	assert_string_equal(first_of(&d, VIGIL_DIAG_ERROR),
			    "b.yaml:1:3: error: rule 'K': rule redefined with a different source ('syscall', it was 'k8s_audit')");
	ruleset_free(rs);
	vigil_diag_free(&d);
}

/* A file with an error leaves the set exactly as it was. */
static void test_file_is_atomic(void **state)
{
	(void)state;
	struct ruleset *rs = ruleset_new();
	struct vigil_diag d;
	vigil_diag_init(&d);
	assert_int_equal(load(rs, "base.yaml", base_rule, &d), 0);
	const char *bad = "- list: shells\n  items: [zsh]\n  override:\n    items: append\n"
			  "- macro: spawned\n  condition: or evt.type = execveat\n  override:\n    condition: append\n"
			  "- rule: Shell run\n  enabled: false\n  override:\n    enabled: replace\n"
			  "- rule: Shell run\n  desc: replaced\n  condition: evt.type = open\n  output: x\n  priority: debug\n"
			  "- list: new_list\n  items: [a]\n"
			  "- rule: New rule\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: info\n"
			  "- required_engine_version: 0.99.0\n"
			  "- required_plugin_versions:\n    - name: json\n      version: 0.7.0\n"
			  "- rule: Broken\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: loud\n";
	assert_int_equal(load(rs, "bad.yaml", bad, &d), -1);
	assert_int_equal(d.nerrors, 1);
	assert_int_equal(ruleset_list_count(rs), 1);
	assert_int_equal(ruleset_find_list(rs, "shells")->nitems, 2);
	assert_string_equal(ruleset_find_macro(rs, "spawned")->condition.str, "evt.type = execve");
	assert_int_equal(ruleset_rule_count(rs), 1);
	const struct rules_rule *r = ruleset_find_rule(rs, "Shell run");
	assert_true(r->enabled);
	assert_string_equal(r->desc, "a shell ran");
	assert_null(ruleset_find_rule(rs, "New rule"));
	assert_null(ruleset_find_list(rs, "new_list"));
	assert_null(ruleset_required_engine_version(rs, NULL));
	assert_int_equal(ruleset_plugin_req_count(rs), 0);

	/* the same file without the broken rule applies (merge-time errors roll back too) */
	char good[2048];
	snprintf(good, sizeof(good), "%.*s", (int)(strstr(bad, "- rule: Broken") - bad), bad);
	assert_int_equal(load(rs, "bad.yaml", good, &d), 0);
	assert_int_equal(ruleset_find_list(rs, "shells")->nitems, 3);
	assert_string_equal(ruleset_find_rule(rs, "Shell run")->desc, "replaced");
	assert_int_equal(ruleset_rule_count(rs), 2);
	assert_string_equal(ruleset_required_engine_version(rs, NULL), "0.99.0");
	assert_int_equal(ruleset_plugin_req_count(rs), 1);

	/* a merge-time error late in a file undoes replacements made before it */
	assert_int_equal(load(rs, "late.yaml",
			      "- rule: Shell run\n  desc: again\n  condition: evt.type = close\n  output: x\n"
			      "  priority: debug\n"
			      "- list: shells\n  items: [ksh]\n  append: true\n"
			      "- list: nowhere\n  items: [x]\n  append: true\n",
			      &d),
			 -1);
	assert_string_equal(ruleset_find_rule(rs, "Shell run")->desc, "replaced");
	assert_int_equal(ruleset_find_list(rs, "shells")->nitems, 3);
	assert_string_equal(ruleset_rule_at(rs, 0)->name, "Shell run");
	assert_non_null(ruleset_find_rule(rs, "New rule"));
	ruleset_free(rs);
	vigil_diag_free(&d);
}

/* ---- versions ---- */

static void test_versions(void **state)
{
	(void)state;
	struct ruleset *rs = ruleset_new();
	struct vigil_diag d;
	vigil_diag_init(&d);
	assert_int_equal(load(rs, "a.yaml", "- required_engine_version: 9\n", &d), 0);
	assert_string_equal(ruleset_required_engine_version(rs, NULL), "0.9.0");
	assert_int_equal(load(rs, "b.yaml", "- required_engine_version: 0.31.0\n- required_engine_version: 12\n", &d), 0);
	struct vigil_pos pos;
	assert_string_equal(ruleset_required_engine_version(rs, &pos), "0.31.0");
	assert_string_equal(pos.file, "b.yaml");
	assert_int_equal(pos.line, 1);
	assert_int_equal(d.n, 0);
	assert_int_equal(load(rs, "c.yaml", "- required_engine_version: 0.58.1\n", &d), 0);
	assert_string_equal(first_of(&d, VIGIL_DIAG_WARNING),
			    "c.yaml:1:28: warning: required_engine_version: rules require engine version 0.58.1, newer than the 0.57.0 this loader implements; some may not load");
	assert_string_equal(ruleset_required_engine_version(rs, NULL), "0.58.1");
	expect_error("- required_engine_version: [1]\n",
		     "t.yaml:1:28: error: required_engine_version: must be a number or a version 'x.y.z', got a list");

	assert_int_equal(load(rs, "p.yaml",
			      "- required_plugin_versions:\n"
			      "    - name: container\n      version: 0.4.0\n"
			      "    - name: k8saudit\n      version: 0.11.0\n"
			      "      alternatives:\n        - name: k8saudit-eks\n          version: 0.9.0\n",
			      &d),
			 0);
	assert_int_equal(ruleset_plugin_req_count(rs), 2);
	const struct rules_plugin_req *p = ruleset_plugin_req_at(rs, 1);
	assert_string_equal(p->name, "k8saudit");
	assert_string_equal(p->version, "0.11.0");
	assert_int_equal(p->nalternatives, 1);
	assert_string_equal(p->alternatives[0].name, "k8saudit-eks");
	expect_error("- required_plugin_versions:\n    - name: json\n      version: latest\n",
		     "t.yaml:3:16: error: required_plugin_versions: invalid version 'latest' for plugin 'json' (expected x.y.z)");
	expect_error("- required_plugin_versions:\n    - name: json\n",
		     "t.yaml:2:7: error: required_plugin_versions: plugin requirement 'json' is missing required key 'version'");
	ruleset_free(rs);
	vigil_diag_free(&d);
}

/* ---- text positions ---- */

static void test_text_positions(void **state)
{
	(void)state;
	const char *yaml =
		"- macro: m_plain\n"                                        /* 1 */
		"  condition: evt.type = open and fd.name = /etc\n"         /* 2 */
		"- macro: m_single\n"                                       /* 3 */
		"  condition: 'proc.name = ''it''s'' and x = 1'\n"          /* 4 */
		"- macro: m_double\n"                                       /* 5 */
		"  condition: \"proc.name = \\\"a\\\" and\\tfd.name = /t\"\n" /* 6 */
		"- macro: m_literal\n"                                      /* 7 */
		"  condition: |\n"                                          /* 8 */
		"    evt.type = open\n"                                     /* 9 */
		"      and fd.name = x\n"                                   /* 10 */
		"- macro: m_folded\n"                                       /* 11 */
		"  condition: >-\n"                                         /* 12 */
		"    evt.type = open\n"                                     /* 13 */
		"    and fd.name = x\n"                                     /* 14 */
		"- macro: m_multi\n"                                        /* 15 */
		"  condition: evt.type = open\n"                            /* 16 */
		"    and fd.name = y\n"                                     /* 17 */
		"- {macro: m_utf8, condition: \"proc.name = \xc3\xa9t\xc3\xa9 and fd.name = z\"}\n" /* 18 */
		"- macro: m_escape\n"                                       /* 19 */
		"  condition: \"a = \\u00e9\\x41 and b = \\\n"              /* 20 */
		"    c\"\n";                                                /* 21 */
	struct ruleset *rs = ruleset_new();
	struct vigil_diag d;
	vigil_diag_init(&d);
	assert_int_equal(load(rs, "p.yaml", yaml, &d), 0);

	const struct rules_text *t = &ruleset_find_macro(rs, "m_plain")->condition;
	assert_int_equal(t->style, YDOC_STYLE_PLAIN);
	expect_at(t, "evt.type", "p.yaml", 2, 14);
	expect_at(t, "fd.name", "p.yaml", 2, 34);

	t = &ruleset_find_macro(rs, "m_single")->condition;
	assert_string_equal(t->str, "proc.name = 'it's' and x = 1");
	assert_int_equal(t->style, YDOC_STYLE_SINGLE_QUOTED);
	assert_int_equal(t->pos.col, 15); /* inside the quote */
	expect_at(t, "it", "p.yaml", 4, 29);
	expect_at(t, "and", "p.yaml", 4, 37);

	t = &ruleset_find_macro(rs, "m_double")->condition;
	assert_string_equal(t->str, "proc.name = \"a\" and\tfd.name = /t");
	assert_int_equal(t->style, YDOC_STYLE_DOUBLE_QUOTED);
	expect_at(t, "\"a", "p.yaml", 6, 27); /* an escape maps to its backslash */
	expect_at(t, "and", "p.yaml", 6, 33);
	expect_at(t, "fd.name", "p.yaml", 6, 38);

	t = &ruleset_find_macro(rs, "m_literal")->condition;
	assert_string_equal(t->str, "evt.type = open\n  and fd.name = x\n");
	assert_int_equal(t->style, YDOC_STYLE_LITERAL);
	assert_int_equal(t->pos.line, 9);
	assert_int_equal(t->pos.col, 5);
	expect_at(t, "and", "p.yaml", 10, 7);

	t = &ruleset_find_macro(rs, "m_folded")->condition;
	assert_string_equal(t->str, "evt.type = open and fd.name = x");
	assert_int_equal(t->style, YDOC_STYLE_FOLDED);
	expect_at(t, "evt", "p.yaml", 13, 5);
	expect_at(t, "fd.name", "p.yaml", 14, 9);

	t = &ruleset_find_macro(rs, "m_multi")->condition;
	assert_string_equal(t->str, "evt.type = open and fd.name = y");
	expect_at(t, "= y", "p.yaml", 17, 17);

	t = &ruleset_find_macro(rs, "m_utf8")->condition; /* columns count characters */
	expect_at(t, "and", "p.yaml", 18, 47);
	expect_at(t, "fd.name", "p.yaml", 18, 51);

	t = &ruleset_find_macro(rs, "m_escape")->condition;
	assert_string_equal(t->str, "a = \xc3\xa9" "A and b = c");
	expect_at(t, "A", "p.yaml", 20, 25);
	expect_at(t, "and", "p.yaml", 20, 30);
	expect_at(t, "c", "p.yaml", 21, 5);

	/* the end of a text maps just past its last character */
	struct vigil_pos end;
	t = &ruleset_find_macro(rs, "m_plain")->condition;
	assert_true(rules_text_locate(t, t->len, &end));
	assert_int_equal(end.line, 2);
	assert_int_equal(end.col, 48);

	/* outputs are trimmed; the map follows */
	assert_int_equal(load(rs, "o.yaml",
			      "- rule: O\n  desc: d\n  condition: evt.type = open\n  output: >\n"
			      "    file opened\n    (%fd.name)\n  priority: info\n",
			      &d),
			 0);
	t = &ruleset_find_rule(rs, "O")->output;
	assert_string_equal(t->str, "file opened (%fd.name)");
	expect_at(t, "file", "o.yaml", 5, 5);
	expect_at(t, "%fd.name", "o.yaml", 6, 6);
	ruleset_free(rs);
	vigil_diag_free(&d);
}

/* ---- YAML-level: anchors, documents, empties, limits ---- */

static void test_yaml_features(void **state)
{
	(void)state;
	struct ruleset *rs = ruleset_new();
	struct vigil_diag d;
	vigil_diag_init(&d);
	assert_int_equal(load(rs, "empty.yaml", "", &d), 0);
	assert_int_equal(load(rs, "comments.yaml", "# nothing here\n\n", &d), 0);
	assert_int_equal(load(rs, "nulls.yaml", "-\n- list: a\n  items: []\n-\n", &d), 0);
	assert_int_equal(ruleset_find_list(rs, "a")->nitems, 0);
	/* several documents, anchors and aliases */
	assert_int_equal(load(rs, "docs.yaml",
			      "- list: b\n  items: &common [x, y]\n---\n- list: c\n  items: *common\n"
			      "- rule: R\n  desc: &d a description\n  condition: evt.type = open\n  output: *d\n"
			      "  priority: info\n  tags: *common\n",
			      &d),
			 0);
	assert_int_equal(ruleset_find_list(rs, "c")->nitems, 2);
	assert_string_equal(ruleset_find_rule(rs, "R")->output.str, "a description");
	assert_int_equal(ruleset_find_rule(rs, "R")->ntags, 2);
	assert_int_equal(d.n, 0);
	ruleset_free(rs);
	vigil_diag_free(&d);

	/* a UTF-8 byte order mark and CRLF line ends */
	rs = ruleset_new();
	vigil_diag_init(&d);
	assert_int_equal(load(rs, "crlf.yaml",
			      "\xef\xbb\xbf- macro: m\r\n  condition: >\r\n    evt.type = open\r\n    and x = 1\r\n",
			      &d),
			 0);
	const struct rules_macro *m = ruleset_find_macro(rs, "m");
	assert_string_equal(m->condition.str, "evt.type = open and x = 1\n");
	expect_at(&m->condition, "evt", "crlf.yaml", 3, 5);
	expect_at(&m->condition, "x = 1", "crlf.yaml", 4, 9);
	ruleset_free(rs);
	vigil_diag_free(&d);

	expect_error("- list: l\n  items: &a [x, *a]\n", "t.yaml:2:17: error: unknown alias '*a'");
	expect_error("- list: l\n  items: [\xff]\n", "t.yaml:2:11: error: YAML syntax error: invalid leading UTF-8 octet");
	expect_error("\xff\xfe-\0 \0", "t.yaml: error: rules files must be UTF-8, this one is UTF-16");
	expect_error("- [a, b]\n",
		     "t.yaml:1:3: error: each item must be a mapping with one of rule, macro, list, required_engine_version, required_plugin_versions; got a list");
	expect_error("- list: l\n  items: [a, [b]]\n",
		     "t.yaml:2:14: error: list 'l': key 'items' must be a list of strings, but entry 2 is a list");
	expect_error("- list: l\n  items: [a]\n  ? [x]\n  : y\n", "t.yaml:3:5: error: mapping keys must be strings");
	expect_error("- macro: m\n  condition: \"\"\n", "t.yaml:2:14: error: macro 'm': key 'condition' must not be empty");
	expect_error("- macro: m\n  condition:\n", "t.yaml:2:13: error: macro 'm': key 'condition' must be a string, got no value");
	expect_error("- rule:\n  desc: x\n", "t.yaml:1:8: error: rule: key 'rule' must be a string, got no value");
	expect_error("- list: \"a b\"\n  items: []\n",
		     "t.yaml:1:9: error: list 'a b': invalid list name: it may not contain spaces, quotes, parentheses, '=' or ','");
	expect_error("- macro: m\n  condition: \"x\\0y\"\n", "t.yaml:2:14: error: string contains a NUL character");
}

static void test_limits(void **state)
{
	(void)state;
	/* a scalar over 64 KiB */
	size_t big = YDOC_MAX_SCALAR_BYTES + 1;
	char *buf = malloc(big + 64);
	int n = snprintf(buf, 64, "- macro: m\n  condition: ");
	memset(buf + n, 'a', big);
	strcpy(buf + n + big, "\n");
	expect_error(buf, "t.yaml:2:14: error: string longer than 65536 bytes");
	free(buf);

	/* nesting */
	char deep[256];
	n = snprintf(deep, sizeof(deep), "- list: l\n  items: ");
	for (int i = 0; i < 40; i++)
		deep[n++] = '[';
	deep[n] = '\0';
	expect_error(deep, "t.yaml:2:40: error: nesting deeper than 32 levels");

	/* billion laughs: each level doubles, aliases count in full */
	char laughs[4096];
	n = snprintf(laughs, sizeof(laughs), "- list: l\n  items: &a0 [lol, lol]\n");
	for (int i = 1; i <= 30; i++)
		n += snprintf(laughs + n, sizeof(laughs) - (size_t)n, "- list: l%d\n  items: &a%d [*a%d, *a%d]\n", i,
			      i, i - 1, i - 1);
	expect_error(laughs, "t.yaml:37:3: error: document too large: more than 1048576 nodes (aliases count in full)");

	/* not a regular file, missing file */
	struct ruleset *rs = ruleset_new();
	struct vigil_diag d;
	vigil_diag_init(&d);
	assert_int_equal(ruleset_load_file(rs, "/", &d), -1);
	assert_string_equal(diag_str(&d, 0), ": error: cannot read rules file: not a regular file");
	assert_int_equal(ruleset_load_file(rs, "/nonexistent/rules.yaml", &d), -1);
	assert_string_equal(diag_str(&d, 1), "rules.yaml: error: cannot open rules file: No such file or directory");
	ruleset_free(rs);
	vigil_diag_free(&d);
}

/* Many small updates to one entry stay linear (no copy per append). */
static void test_many_updates(void **state)
{
	(void)state;
	const int n = 20000;
	const char *one = "- macro: m\n  condition: or x\n  override:\n    condition: append\n"
			  "- list: l\n  items: [i]\n  override:\n    items: append\n"
			  "- rule: R\n  tags: [t]\n  override:\n    tags: append\n";
	size_t len = strlen(one), cap = (size_t)n * len + 256;
	char *buf = malloc(cap);
	size_t off = (size_t)snprintf(buf, cap, "- macro: m\n  condition: y\n- list: l\n  items: []\n"
					     "- rule: R\n  desc: d\n  condition: m\n  output: o\n  priority: info\n");
	for (int i = 0; i < n; i++, off += len)
		memcpy(buf + off, one, len);
	struct ruleset *rs = ruleset_new();
	double t0 = now_ms();
	assert_int_equal(ruleset_load_buffer(rs, "many.yaml", buf, off, NULL), 0);
	double ms = now_ms() - t0;
	printf("# %d x 3 overrides (%zu KiB): %.1f ms\n", n, off / 1024, ms);
	assert_int_equal(ruleset_find_macro(rs, "m")->condition.len, 1 + 5 * (size_t)n);
	assert_int_equal(ruleset_find_list(rs, "l")->nitems, (size_t)n);
	assert_int_equal(ruleset_find_rule(rs, "R")->ntags, 1);
	assert_true(ms < 5000.0); /* a guard against blow-ups, generous for sanitizers */
	ruleset_free(rs);
	free(buf);

	/* per-rule caps */
	char *tags = malloc(8192);
	off = (size_t)snprintf(tags, 8192, "- rule: R\n  desc: d\n  condition: x\n  output: o\n  priority: info\n  tags: [");
	for (int i = 0; i <= RULES_MAX_TAGS; i++)
		off += (size_t)snprintf(tags + off, 8192 - off, "t%d,", i);
	snprintf(tags + off, 8192 - off, "]\n");
	expect_error(tags, "t.yaml:6:9: error: rule 'R': more than 256 tags");
	free(tags);
}

/* ---- bad files: exact messages ---- */

static void test_bad_files(void **state)
{
	(void)state;
	static const struct {
		const char *file;
		size_t nerrors;
		const char *want;
	} cases[] = {
		{ "bad_syntax.yaml", 1,
		  "bad_syntax.yaml:4:7: error: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence at line 2, column 10)" },
		{ "bad_tab.yaml", 1,
		  "bad_tab.yaml:2:1: error: YAML syntax error: found a tab character that violates indentation (while scanning a plain scalar at line 1, column 9)" },
		{ "bad_tags_type.yaml", 1,
		  "bad_tags_type.yaml:6:9: error: rule 'Tagged': key 'tags' must be a list of strings, got a string" },
		{ "bad_enabled.yaml", 1,
		  "bad_enabled.yaml:6:12: error: rule 'Maybe on': key 'enabled' must be a boolean (true or false), got 'maybe'" },
		{ "bad_unknown_key.yaml", 2,
		  "bad_unknown_key.yaml:6:3: error: rule 'Typo': unknown key 'conditon' (did you mean 'condition'?)" },
		{ "bad_unknown_item.yaml", 1,
		  "bad_unknown_item.yaml:4:3: error: unknown item 'rulez' (did you mean 'rule'?); expected one of rule, macro, list, required_engine_version, required_plugin_versions" },
		{ "bad_missing_keys.yaml", 1,
		  "bad_missing_keys.yaml:1:3: error: rule 'Half a rule': missing required keys 'output', 'priority'" },
		{ "bad_append_undefined.yaml", 1,
		  "bad_append_undefined.yaml:4:3: error: list 'shell_binaries': nothing to append to: no list of this name is defined earlier (files load in order)" },
		{ "bad_override_undefined.yaml", 1,
		  "bad_override_undefined.yaml:1:3: error: rule 'Not defined anywhere': nothing to override: no rule of this name is defined earlier (files load in order)" },
		{ "bad_duplicate_key.yaml", 1,
		  "bad_duplicate_key.yaml:5:3: error: duplicate key 'condition' (first at line 3, column 3)" },
		{ "bad_priority.yaml", 1,
		  "bad_priority.yaml:5:13: error: rule 'Urgent': key 'priority' must be one of emergency, alert, critical, error, warning, notice, informational, debug; got 'urgent'" },
		{ "bad_override_op.yaml", 1,
		  "bad_override_op.yaml:10:15: error: rule 'Base': key 'priority' cannot be appended to; use 'replace'" },
		{ "bad_exception_comps.yaml", 1,
		  "bad_exception_comps.yaml:9:14: error: rule 'With exceptions': exception 'proc_file': 'fields' and 'comps' must have the same length (2 and 3)" },
		{ "bad_exception_values.yaml", 1,
		  "bad_exception_values.yaml:11:11: error: rule 'With exceptions': exception 'proc_file': each value must be a list of 2 entries, one per field" },
		{ "bad_top_level.yaml", 1,
		  "bad_top_level.yaml:1:1: error: a rules file must be a list of items (- rule: ..., - macro: ..., - list: ...), got a mapping" },
		{ "bad_alias.yaml", 1, "bad_alias.yaml:5:10: error: unknown alias '*shells'" },
		{ "bad_macro_name.yaml", 1,
		  "bad_macro_name.yaml:1:10: error: macro 'open write': invalid macro name: it must start with a letter and hold only letters, digits and '_'" },
		{ "bad_items_type.yaml", 1,
		  "bad_items_type.yaml:2:10: error: list 'shells': key 'items' must be a list of strings, got a string" },
		{ "bad_engine_version.yaml", 1,
		  "bad_engine_version.yaml:1:28: error: required_engine_version: must be a number or a version 'x.y.z', got '0.x'" },
	};
	char path[4096];
	const char *dir = env_dir("VIGIL_TEST_DATA", "test/unit/rules/data");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ruleset *rs = ruleset_new();
		struct vigil_diag d;
		vigil_diag_init(&d);
		snprintf(path, sizeof(path), "%s/ruleset/%s", dir, cases[i].file);
		int rc = ruleset_load_file(rs, path, &d);
		const char *got = first_of(&d, VIGIL_DIAG_ERROR);
		if (rc != -1 || d.nerrors != cases[i].nerrors || strcmp(got, cases[i].want) != 0) {
			vigil_diag_print(&d, stderr);
			fprintf(stderr, "want: %s\n", cases[i].want);
		}
		assert_int_equal(rc, -1);
		assert_int_equal(d.nerrors, cases[i].nerrors);
		assert_string_equal(got, cases[i].want);
		/* nothing of a bad file is loaded */
		assert_int_equal(ruleset_rule_count(rs) + ruleset_macro_count(rs) + ruleset_list_count(rs), 0);
		vigil_diag_free(&d);
		ruleset_free(rs);
	}
}

static void test_diag_format(void **state)
{
	(void)state;
	struct vigil_diag_entry e = { VIGIL_DIAG_WARNING, "f.yaml", 3, 7, "rule 'x'", "hello" };
	char buf[64];
	assert_int_equal(vigil_diag_format(&e, buf, sizeof(buf)), strlen("f.yaml:3:7: warning: rule 'x': hello"));
	assert_string_equal(buf, "f.yaml:3:7: warning: rule 'x': hello");
	e.item = NULL;
	e.line = 0;
	e.level = VIGIL_DIAG_ERROR;
	vigil_diag_format(&e, buf, sizeof(buf));
	assert_string_equal(buf, "f.yaml: error: hello");
	/* a diag list keeps at most VIGIL_MAX_DIAGS per load */
	char yaml[8192];
	size_t n = 0;
	for (int i = 0; i < 150; i++)
		n += (size_t)snprintf(yaml + n, sizeof(yaml) - n, "- list: l%d\n  items: x\n", i);
	struct ruleset *rs = ruleset_new();
	struct vigil_diag d;
	vigil_diag_init(&d);
	assert_int_equal(load(rs, "many.yaml", yaml, &d), -1);
	assert_int_equal(d.n, VIGIL_MAX_DIAGS);
	assert_int_equal(d.dropped, 50);
	ruleset_free(rs);
	vigil_diag_free(&d);
}

/* ---- upstream Falco rules ---- */

struct counts {
	size_t rules, macros, lists;
};

static struct ruleset *load_upstream(const char *const *files, size_t n, struct counts *c, double *ms)
{
	const char *dir = env_dir("VIGIL_UPSTREAM_RULES", "test/data/falco-rules");
	struct ruleset *rs = ruleset_new();
	struct vigil_diag d;
	vigil_diag_init(&d);
	char path[4096];
	double t0 = now_ms();
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		int rc = ruleset_load_file(rs, path, &d);
		if (rc != 0 || d.n)
			vigil_diag_print(&d, stderr);
		assert_int_equal(rc, 0);
	}
	*ms = now_ms() - t0;
	assert_int_equal(d.nerrors, 0);
	assert_int_equal(d.nwarnings, 0);
	vigil_diag_free(&d);
	c->rules = ruleset_rule_count(rs);
	c->macros = ruleset_macro_count(rs);
	c->lists = ruleset_list_count(rs);
	return rs;
}

static const char *const upstream[] = {
	"falco_rules.yaml",
	"falco-incubating_rules.yaml",
	"falco-sandbox_rules.yaml",
};

static void test_upstream_each(void **state)
{
	(void)state;
	static const struct counts want[] = { { 25, 87, 49 }, { 31, 82, 54 }, { 37, 183, 60 } };
	for (size_t i = 0; i < 3; i++) {
		struct counts c;
		double ms;
		struct ruleset *rs = load_upstream(&upstream[i], 1, &c, &ms);
		printf("# %s: %zu rules, %zu macros, %zu lists (%.2f ms)\n", upstream[i], c.rules, c.macros,
		       c.lists, ms);
		assert_int_equal(c.rules, want[i].rules);
		assert_int_equal(c.macros, want[i].macros);
		assert_int_equal(c.lists, want[i].lists);
		assert_string_equal(ruleset_required_engine_version(rs, NULL), "0.57.0");
		assert_int_equal(ruleset_plugin_req_count(rs), 1);
		assert_string_equal(ruleset_plugin_req_at(rs, 0)->name, "container");
		ruleset_free(rs);
	}
}

static void test_upstream_all(void **state)
{
	(void)state;
	struct counts c;
	double ms, best = 1e9;
	for (int round = 0; round < 3; round++) {
		struct ruleset *rs = load_upstream(upstream, 3, &c, &ms);
		if (ms < best)
			best = ms;
		if (round == 0) {
			const struct rules_rule *r = ruleset_find_rule(rs, "Terminal shell in container");
			assert_non_null(r);
			assert_int_equal(r->priority, RULES_PRIO_NOTICE);
			assert_string_equal(r->source, "syscall");
			assert_true(r->enabled);
			assert_string_equal(r->tags[0], "maturity_stable");
			assert_int_equal(r->condition.style, YDOC_STYLE_FOLDED);
			assert_true(strstr(r->condition.str, "spawned_process and container") == r->condition.str);
			assert_int_equal(r->condition.pos.line, 721);
			assert_int_equal(r->condition.pos.col, 5);
			size_t disabled = 0;
			for (size_t i = 0; i < ruleset_rule_count(rs); i++)
				disabled += !ruleset_rule_at(rs, i)->enabled;
			printf("# all three: %zu rules (%zu disabled), %zu macros, %zu lists\n", c.rules, disabled,
			       c.macros, c.lists);
			assert_int_equal(disabled, 12);
		}
		ruleset_free(rs);
	}
	printf("# loading all three: %.2f ms (best of 3)\n", best);
	assert_int_equal(c.rules, 93);
	assert_int_equal(c.macros, 315);
	assert_int_equal(c.lists, 118);
	assert_true(best < 100.0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_define),
		cmocka_unit_test(test_priorities),
		cmocka_unit_test(test_redefine_keeps_order),
		cmocka_unit_test(test_append_flag),
		cmocka_unit_test(test_exceptions),
		cmocka_unit_test(test_exception_errors),
		cmocka_unit_test(test_override),
		cmocka_unit_test(test_override_errors),
		cmocka_unit_test(test_enable_disable),
		cmocka_unit_test(test_update_undefined),
		cmocka_unit_test(test_source),
		cmocka_unit_test(test_file_is_atomic),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_text_positions),
		cmocka_unit_test(test_yaml_features),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_many_updates),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_diag_format),
		cmocka_unit_test(test_upstream_each),
		cmocka_unit_test(test_upstream_all),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
