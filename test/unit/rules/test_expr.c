/* Unit tests: every operator's semantics, <NA> handling, type sets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "rules/expr.h"
#include "vigil/prefilter.h"

static struct vigil_event ev;
static char err[256];

static struct expr *cmp(const char *field, const char *arg, const char *op, int n, ...)
{
	struct field_ref ref;
	assert_int_equal(field_resolve(field, arg, &ref, err, sizeof(err)), 0);
	const char *vals[16];
	size_t lens[16];
	va_list ap;
	va_start(ap, n);
	for (int i = 0; i < n; i++) {
		vals[i] = va_arg(ap, const char *);
		lens[i] = strlen(vals[i]);
	}
	va_end(ap);
	int o = expr_op_parse(op, strlen(op));
	assert_true(o >= 0);
	return expr_cmp(&ref, (enum expr_op)o, vals, lens, (size_t)n, err, sizeof(err));
}

static bool eval1(struct expr *e)
{
	assert_non_null(e);
	bool r = expr_eval(e, &ev, NULL);
	expr_free(e);
	return r;
}

static void setup_event(void)
{
	vigil_event_init(&ev, VIGIL_EV_SYSCALL);
	ev.type = VIGIL_SC_OPENAT;
	ev.has_res = 1;
	ev.res = 3;
	ev.fd.num = 3;
	ev.fd.type = VIGIL_FD_FILE;
	ev.fd.name = vigil_event_cstr(&ev, "/etc/ssh/sshd_config");
	ev.proc.pid = 100;
	ev.proc.name = vigil_event_cstr(&ev, "Bash");
	ev.proc.n_ancestors = 2;
	ev.proc.ancestors[0] = (struct vigil_ancestor){99, vigil_event_cstr(&ev, "nginx")};
	ev.proc.ancestors[1] = (struct vigil_ancestor){1, vigil_event_cstr(&ev, "vigil")};
	vigil_event_arg_cstr(&ev, "flags", "O_RDONLY|O_CLOEXEC");
}

static void test_string_ops(void **state)
{
	(void)state;
	setup_event();
	assert_true(eval1(cmp("fd.name", NULL, "=", 1, "/etc/ssh/sshd_config")));
	assert_true(eval1(cmp("fd.name", NULL, "==", 1, "/etc/ssh/sshd_config")));
	assert_false(eval1(cmp("fd.name", NULL, "=", 1, "/etc/ssh")));
	assert_true(eval1(cmp("fd.name", NULL, "!=", 1, "/etc/ssh")));
	assert_true(eval1(cmp("fd.name", NULL, "contains", 1, "ssh/")));
	assert_true(eval1(cmp("proc.name", NULL, "icontains", 1, "BAS")));
	assert_false(eval1(cmp("proc.name", NULL, "contains", 1, "bas")));
	assert_true(eval1(cmp("fd.name", NULL, "bcontains", 1, "737368"))); /* "ssh" */
	assert_true(eval1(cmp("fd.name", NULL, "startswith", 1, "/etc/")));
	assert_true(eval1(cmp("fd.name", NULL, "endswith", 1, "_config")));
	assert_true(eval1(cmp("fd.name", NULL, "glob", 1, "/etc/*/sshd_*")));
	assert_true(eval1(cmp("proc.name", NULL, "iglob", 1, "ba*")));
	assert_true(eval1(cmp("fd.name", NULL, "regex", 1, "^/etc/(ssh|ssl)/")));
	assert_true(eval1(cmp("proc.name", NULL, "in", 3, "sh", "Bash", "zsh")));
	assert_false(eval1(cmp("proc.name", NULL, "in", 2, "sh", "bash")));
	assert_true(eval1(cmp("fd.name", NULL, "pmatch", 2, "/usr", "/etc/ssh")));
	assert_false(eval1(cmp("fd.name", NULL, "pmatch", 1, "/etc/ss")));
	assert_true(eval1(cmp("fd.name", NULL, "pmatch", 1, "/")));
	assert_true(eval1(cmp("evt.arg.flags", NULL, "contains", 1, "O_RDONLY")));
	assert_false(eval1(cmp("proc.name", NULL, "in", 0)));  /* an empty list matches nothing */
	assert_false(eval1(cmp("fd.name", NULL, "pmatch", 0)));
}

static void test_numeric_ops(void **state)
{
	(void)state;
	setup_event();
	assert_true(eval1(cmp("fd.num", NULL, "=", 1, "3")));
	assert_true(eval1(cmp("fd.num", NULL, ">=", 1, "0")));
	assert_false(eval1(cmp("fd.num", NULL, "<", 1, "0")));
	assert_true(eval1(cmp("evt.rawres", NULL, "in", 3, "0", "1", "3")));
	assert_true(eval1(cmp("proc.pid", NULL, ">", 1, "0x10")));
	assert_null(cmp("proc.pid", NULL, "=", 1, "abc"));
	assert_string_equal(err, "proc.pid is a number: 'abc' is not one");
	assert_null(cmp("proc.pid", NULL, "contains", 1, "1"));
	assert_null(cmp("proc.name", NULL, "<", 1, "1"));
	assert_null(cmp("fd.name", NULL, "regex", 1, "(unclosed"));
	assert_null(cmp("fd.name", NULL, "bcontains", 1, "zz"));
}

static void test_missing_values(void **state)
{
	(void)state;
	setup_event();
	/* <NA>: every comparison is false, even !=; only exists tells. */
	assert_false(eval1(cmp("proc.pname", NULL, "=", 1, "x")));
	assert_false(eval1(cmp("proc.pname", NULL, "!=", 1, "x")));
	assert_false(eval1(cmp("proc.pname", NULL, "exists", 0)));
	assert_true(eval1(cmp("proc.name", NULL, "exists", 0)));
	assert_false(eval1(cmp("proc.aname", "5", "=", 1, "x")));
}

static void test_any_ancestor_and_logic(void **state)
{
	(void)state;
	setup_event();
	assert_true(eval1(cmp("proc.aname", NULL, "=", 1, "vigil")));
	assert_true(eval1(cmp("proc.aname", NULL, "in", 2, "nginx", "x")));
	assert_false(eval1(cmp("proc.aname", NULL, "=", 1, "Bash"))); /* ancestors only */
	struct expr *t = cmp("proc.pid", NULL, "=", 1, "100");
	struct expr *f = cmp("proc.pid", NULL, "=", 1, "1");
	assert_true(eval1(expr_or(expr_and(t, expr_not(f)), expr_const(false))));
}

static void test_event_types(void **state)
{
	(void)state;
	vigil_sc_set s;
	struct expr *e = expr_and(cmp("evt.type", NULL, "in", 2, "open", "openat"),
				  cmp("fd.name", NULL, "startswith", 1, "/etc"));
	assert_true(expr_event_types(e, &s));
	assert_true(vigil_sc_set_has(&s, VIGIL_SC_OPENAT));
	assert_false(vigil_sc_set_has(&s, VIGIL_SC_EXECVE));
	expr_free(e);
	e = expr_not(cmp("evt.type", NULL, "=", 1, "execve"));
	assert_true(expr_event_types(e, &s));
	assert_false(vigil_sc_set_has(&s, VIGIL_SC_EXECVE));
	assert_true(vigil_sc_set_has(&s, VIGIL_SC_OPENAT));
	expr_free(e);
	e = expr_or(cmp("evt.type", NULL, "=", 1, "execve"), cmp("proc.name", NULL, "=", 1, "x"));
	assert_false(expr_event_types(e, &s)); /* the second half matches any type */
	expr_free(e);
	e = expr_not(expr_and(cmp("evt.type", NULL, "=", 1, "execve"), cmp("proc.name", NULL, "=", 1, "x")));
	assert_false(expr_event_types(e, &s));
	expr_free(e);
}

static void test_networks(void **state)
{
	(void)state;
	vigil_event_init(&ev, VIGIL_EV_SYSCALL);
	ev.type = VIGIL_SC_CONNECT;
	ev.fd.type = VIGIL_FD_IPV4;
	inet_pton(AF_INET, "10.1.2.3", ev.fd.dip);
	ev.fd.dport = 443;
	assert_true(eval1(cmp("fd.snet", NULL, "in", 3, "172.16.0.0/12", "10.0.0.0/8", "192.168.0.0/16")));
	assert_false(eval1(cmp("fd.snet", NULL, "=", 1, "10.1.3.0/24")));
	assert_true(eval1(cmp("fd.snet", NULL, "=", 1, "10.1.2.0/23")));
	assert_true(eval1(cmp("fd.net", NULL, "!=", 1, "127.0.0.0/8")));
	assert_true(eval1(cmp("fd.ip", NULL, "=", 1, "10.1.2.3")));   /* either end */
	assert_true(eval1(cmp("fd.port", NULL, "=", 1, "443")));
	assert_false(eval1(cmp("fd.rnet", NULL, "=", 1, "fd00::/8")));
	assert_null(cmp("fd.snet", NULL, "=", 1, "10.0.0.0/33"));
	assert_null(cmp("fd.snet", NULL, "contains", 1, "10"));
}

static void test_path_prefilter(void **state)
{
	(void)state;
	struct prefilter pf = {.active = true};
	struct expr *e = expr_and(cmp("fd.name", NULL, "startswith", 1, "/etc"),
				  cmp("proc.name", NULL, "=", 1, "x"));
	assert_true(expr_path_constraint(e, &pf));
	assert_true(prefilter_match(&pf, "/etc/shadow", 11));
	assert_false(prefilter_match(&pf, "/usr/lib/x", 10));
	prefilter_free(&pf);
	expr_free(e);
	e = cmp("proc.name", NULL, "=", 1, "x"); /* says nothing about the path */
	assert_false(expr_path_constraint(e, &pf));
	prefilter_free(&pf);
	expr_free(e);
	e = expr_or(cmp("fd.name", NULL, "in", 2, "/a", "/b"), cmp("fd.directory", NULL, "=", 1, "/root"));
	pf.active = true;
	assert_true(expr_path_constraint(e, &pf));
	assert_true(prefilter_match(&pf, "/b", 2));
	assert_true(prefilter_match(&pf, "/root/.ssh", 10));
	assert_false(prefilter_match(&pf, "/rootx", 6));
	prefilter_free(&pf);
	expr_free(e);
	e = expr_or(cmp("fd.name", NULL, "=", 1, "/a"), expr_not(cmp("fd.name", NULL, "=", 1, "/b")));
	assert_false(expr_path_constraint(e, &pf)); /* a negation matches almost any path */
	prefilter_free(&pf);
	expr_free(e);
}

/* The open backstop asks for paths named exactly: fd.directory is a
 * directory, and an `and` gives its exact operand, not the first one. */
static void test_path_prefilter_exact(void **state)
{
	(void)state;
	struct expr *e = expr_and(cmp("fd.name", NULL, "startswith", 1, "/etc"),
				  expr_or(cmp("fd.name", NULL, "in", 2, "/etc/shadow", "/etc/sudoers"),
					  cmp("fd.directory", NULL, "in", 1, "/etc/pam.d/")));
	struct prefilter pf = {.active = true, .exact = true};
	assert_true(expr_path_constraint(e, &pf));
	assert_int_equal(pf.n, 3);
	assert_int_equal(pf.preds[0].op, PF_EQ);
	assert_string_equal(pf.preds[1].s, "/etc/sudoers");
	assert_int_equal(pf.preds[2].op, PF_DIR);
	assert_string_equal(pf.preds[2].s, "/etc/pam.d"); /* the trailing slash is the same dir */
	assert_true(prefilter_match(&pf, "/etc/pam.d/su", 13));
	assert_false(prefilter_match(&pf, "/etc/pam.d/x/y", 14)); /* not below: in it */
	prefilter_free(&pf);
	pf = (struct prefilter){.active = true}; /* the supervisor's: unchanged, the first operand */
	assert_true(expr_path_constraint(e, &pf));
	assert_int_equal(pf.n, 1);
	assert_int_equal(pf.preds[0].op, PF_PREFIX);
	prefilter_free(&pf);
	expr_free(e);
	e = expr_and(cmp("fd.name", NULL, "startswith", 1, "/etc/"), cmp("proc.name", NULL, "=", 1, "x"));
	pf = (struct prefilter){.active = true, .exact = true}; /* nothing exact: the first one */
	assert_true(expr_path_constraint(e, &pf));
	assert_int_equal(pf.preds[0].op, PF_PREFIX);
	prefilter_free(&pf);
	expr_free(e);
}

static void test_unsupported(void **state)
{
	(void)state;
	struct expr *e = expr_and(cmp("proc.name", NULL, "=", 1, "x"), cmp("proc.sname", NULL, "=", 1, "sh"));
	const struct field_def *d = expr_unsupported_field(e);
	assert_non_null(d);
	assert_string_equal(d->name, "proc.sname");
	expr_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_string_ops),     cmocka_unit_test(test_numeric_ops),
		cmocka_unit_test(test_missing_values), cmocka_unit_test(test_any_ancestor_and_logic),
		cmocka_unit_test(test_event_types),    cmocka_unit_test(test_unsupported),
		cmocka_unit_test(test_networks),       cmocka_unit_test(test_path_prefilter),
		cmocka_unit_test(test_path_prefilter_exact),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
