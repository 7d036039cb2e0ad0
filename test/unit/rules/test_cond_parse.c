/* Unit tests: the Falco condition parser (cond_parse, cond_to_string). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yaml.h>

#include "rules/cond_ast.h"

/* Parse s from an exact-size heap copy with no NUL after it, so ASan
 * catches any read past len, and any pointer kept into the text. */
static struct cond_node *parse_exact(const char *s, size_t n, struct cond_error *err)
{
	char *buf = malloc(n ? n : 1);
	assert_non_null(buf);
	memcpy(buf, s, n);
	struct cond_node *node = cond_parse(buf, n, err);
	free(buf);
	return node;
}

static struct cond_node *parse_ok(const char *s)
{
	struct cond_error err;
	struct cond_node *n = parse_exact(s, strlen(s), &err);
	if (!n)
		fail_msg("cond_parse(\"%s\"): %s", s, err.msg);
	return n;
}

/* The explicit text of s is want, want is its own explicit text, and the
 * minimal text of s parses back to the same tree (same explicit text). */
static void check_canon(const char *s, const char *want)
{
	struct cond_node *n = parse_ok(s);
	char *got = cond_to_explicit_string(n);
	char *minimal = cond_to_string(n);
	assert_non_null(got);
	assert_non_null(minimal);
	if (strcmp(got, want) != 0)
		fail_msg("input:    %s\nwant:     %s\ngot:      %s", s, want, got);
	cond_free(n);
	n = parse_ok(got);
	char *again = cond_to_explicit_string(n);
	assert_string_equal(again, want);
	free(again);
	cond_free(n);
	n = parse_ok(minimal);
	again = cond_to_explicit_string(n);
	if (strcmp(again, want) != 0)
		fail_msg("input:    %s\nminimal:  %s\nparsed as %s\nwant:     %s", s, minimal, again, want);
	free(again);
	free(minimal);
	free(got);
	cond_free(n);
}

/* The minimal text of s is want. */
static void check_minimal(const char *s, const char *want)
{
	struct cond_node *n = parse_ok(s);
	char *got = cond_to_string(n);
	assert_non_null(got);
	if (strcmp(got, want) != 0)
		fail_msg("input:    %s\nwant:     %s\ngot:      %s", s, want, got);
	free(got);
	cond_free(n);
}

static void check_error(const char *s, const char *msg, unsigned line, unsigned col)
{
	struct cond_error err;
	struct cond_node *n = parse_exact(s, strlen(s), &err);
	if (n)
		fail_msg("cond_parse(\"%s\") should fail with: %s", s, msg);
	if (strcmp(err.msg, msg) != 0)
		fail_msg("input: %s\nwant:  %s\ngot:   %s", s, msg, err.msg);
	assert_int_equal(err.line, line);
	assert_int_equal(err.col, col);
	/* reason is msg without " at L:C" */
	char at[32];
	snprintf(at, sizeof(at), " at %u:%u", line, col);
	const char *p = strstr(err.msg, at);
	assert_non_null(p);
	assert_int_equal(strncmp(err.reason, err.msg, (size_t)(p - err.msg)), 0);
	assert_string_equal(err.reason + (p - err.msg), p + strlen(at));
}

/* ---- precedence and associativity ---- */

static void test_precedence(void **state)
{
	(void)state;
	check_canon("a and b", "(a and b)");
	check_canon("a or b", "(a or b)");
	check_canon("not a", "(not a)");
	check_canon("a and b or c", "((a and b) or c)");
	check_canon("a or b and c", "(a or (b and c))");
	check_canon("a or b and c or d", "((a or (b and c)) or d)");
	check_canon("a and b and c", "((a and b) and c)");
	check_canon("a or b or c", "((a or b) or c)");
	check_canon("not a and b", "((not a) and b)");
	check_canon("not a or b", "((not a) or b)");
	check_canon("a and not b", "(a and (not b))");
	check_canon("a or not b", "(a or (not b))");
	check_canon("a or not b and c", "(a or ((not b) and c))");
	check_canon("not a and not b or not c and d", "(((not a) and (not b)) or ((not c) and d))");
	check_canon("not not a", "(not (not a))");
	check_canon("not not not a and b", "((not (not (not a))) and b)");
	check_canon("not (a and b)", "(not (a and b))");
	check_canon("not (a or b) and c", "((not (a or b)) and c)");
	check_canon("not(a)", "(not a)");
	check_canon("a and (b or c)", "(a and (b or c))");
	check_canon("(a or b) and c", "((a or b) and c)");
	check_canon("a and (b and c)", "(a and (b and c))");
	check_canon("a or (b or c)", "(a or (b or c))");
	check_canon("(a and b) or (c and d)", "((a and b) or (c and d))");
	check_canon("((a))", "a");
	check_canon("(((a or b)))", "(a or b)");
	check_canon("a and(b)or(c)", "((a and b) or c)");
	check_canon("(a)and(b)", "(a and b)");
	check_canon("not (not a)", "(not (not a))");
	check_canon("a\n  and\n  (b\n   or c)\n", "(a and (b or c))");
	check_canon("\ta\r\nor\r\n\tb", "(a or b)");
	/* comparisons are atoms: not takes the whole comparison */
	check_canon("not proc.name = bash and fd.num >= 0",
		    "((not proc.name = bash) and fd.num >= 0)");
	check_canon("proc.name = bash and not fd.num>=0 or evt.type in (open, openat)",
		    "((proc.name = bash and (not fd.num >= 0)) or evt.type in (open, openat))");
	/* keywords are case-sensitive and whole words */
	check_canon("AND", "AND");
	check_canon("nota and orb", "(nota and orb)");
}

static char *repeat(const char *head, size_t n, const char *mid, const char *tail, size_t m);

/* The minimal form: parentheses only where the input needed a group. */
static void test_minimal_form(void **state)
{
	(void)state;
	check_minimal("a and b or c", "a and b or c");
	check_minimal("(a and b) or c", "a and b or c");
	check_minimal("a or (b and c)", "a or b and c");
	check_minimal("(a or b) and c", "(a or b) and c");
	check_minimal("a and (b or c)", "a and (b or c)");
	check_minimal("a and (b and c)", "a and (b and c)");
	check_minimal("((a and b) and c)", "a and b and c");
	check_minimal("not (a or b) and c", "not (a or b) and c");
	check_minimal("not not ((a))", "not not a");
	check_minimal("a or ((b or c) and d)", "a or (b or c) and d");
}

/* Regression (found by fuzz_cond): the printed text of a long chain or of
 * many nots must parse back, i.e. not nest deeper than COND_MAX_DEPTH. */
static void test_printed_depth_stays_within_limit(void **state)
{
	(void)state;
	char *chain = repeat("a and ", 1000, "a", "", 0);
	char *nots = repeat("not ", COND_MAX_DEPTH - 1, "a", "", 0);
	const char *inputs[] = {chain, nots};
	for (size_t i = 0; i < 2; i++) {
		struct cond_node *n = parse_ok(inputs[i]);
		char *t = cond_to_string(n);
		struct cond_node *again = parse_ok(t);
		char *t2 = cond_to_string(again);
		assert_string_equal(t, t2);
		free(t);
		free(t2);
		cond_free(n);
		cond_free(again);
	}
	free(chain);
	free(nots);
}

static void test_tree_shape(void **state)
{
	(void)state;
	struct cond_node *n = parse_ok("a and not (b or c)");
	assert_int_equal(n->kind, COND_AND);
	assert_int_equal(n->bin.left->kind, COND_MACRO);
	assert_string_equal(n->bin.left->macro.name, "a");
	struct cond_node *r = n->bin.right;
	assert_int_equal(r->kind, COND_NOT);
	assert_int_equal(r->child->kind, COND_GROUP);
	assert_int_equal(r->child->child->kind, COND_OR);
	assert_string_equal(r->child->child->bin.right->macro.name, "c");
	cond_free(n);
}

/* ---- operators ---- */

static void test_operators(void **state)
{
	(void)state;
	static const struct {
		const char *in, *canon;
		enum cond_op op;
		enum cond_kind kind;
		enum cond_val_kind vk;
	} t[] = {
		{ "x.y = v", "x.y = v", COND_OP_EQ, COND_CMP, COND_VAL_BARE },
		{ "x.y == v", "x.y = v", COND_OP_EQ, COND_CMP, COND_VAL_BARE },
		{ "x.y != v", "x.y != v", COND_OP_NE, COND_CMP, COND_VAL_BARE },
		{ "x.y < 1", "x.y < 1", COND_OP_LT, COND_CMP, COND_VAL_NUMBER },
		{ "x.y <= 1", "x.y <= 1", COND_OP_LE, COND_CMP, COND_VAL_NUMBER },
		{ "x.y > 1", "x.y > 1", COND_OP_GT, COND_CMP, COND_VAL_NUMBER },
		{ "x.y >= 1", "x.y >= 1", COND_OP_GE, COND_CMP, COND_VAL_NUMBER },
		{ "x.y contains v", "x.y contains v", COND_OP_CONTAINS, COND_CMP, COND_VAL_BARE },
		{ "x.y icontains v", "x.y icontains v", COND_OP_ICONTAINS, COND_CMP, COND_VAL_BARE },
		{ "x.y bcontains CAFEBABE", "x.y bcontains CAFEBABE", COND_OP_BCONTAINS, COND_CMP, COND_VAL_BARE },
		{ "x.y startswith /v", "x.y startswith /v", COND_OP_STARTSWITH, COND_CMP, COND_VAL_BARE },
		{ "x.y bstartswith 7f45", "x.y bstartswith 7f45", COND_OP_BSTARTSWITH, COND_CMP, COND_VAL_BARE },
		{ "x.y endswith v", "x.y endswith v", COND_OP_ENDSWITH, COND_CMP, COND_VAL_BARE },
		{ "x.y glob '/home/*'", "x.y glob \"/home/*\"", COND_OP_GLOB, COND_CMP, COND_VAL_QUOTED },
		{ "x.y iglob *.SH", "x.y iglob *.SH", COND_OP_IGLOB, COND_CMP, COND_VAL_BARE },
		{ "x.y regex \"^a.*b$\"", "x.y regex \"^a.*b$\"", COND_OP_REGEX, COND_CMP, COND_VAL_QUOTED },
		{ "x.y in (a, b)", "x.y in (a, b)", COND_OP_IN, COND_CMP, COND_VAL_LIST },
		{ "x.y intersects (a)", "x.y intersects (a)", COND_OP_INTERSECTS, COND_CMP, COND_VAL_LIST },
		{ "x.y pmatch (/a, /b)", "x.y pmatch (/a, /b)", COND_OP_PMATCH, COND_CMP, COND_VAL_LIST },
		{ "x.y exists", "x.y exists", COND_OP_EXISTS, COND_UNARY, COND_VAL_BARE },
		/* no blanks needed around symbols */
		{ "x.y=v", "x.y = v", COND_OP_EQ, COND_CMP, COND_VAL_BARE },
		{ "x.y!=v", "x.y != v", COND_OP_NE, COND_CMP, COND_VAL_BARE },
		{ "x.y>=0", "x.y >= 0", COND_OP_GE, COND_CMP, COND_VAL_NUMBER },
		{ "x.y<0", "x.y < 0", COND_OP_LT, COND_CMP, COND_VAL_NUMBER },
		{ "x.y in(a,b)", "x.y in (a, b)", COND_OP_IN, COND_CMP, COND_VAL_LIST },
		/* after an operator, < and > are values: evt.dir = < */
		{ "evt.dir = <", "evt.dir = <", COND_OP_EQ, COND_CMP, COND_VAL_BARE },
		{ "evt.dir=>", "evt.dir = >", COND_OP_EQ, COND_CMP, COND_VAL_BARE },
		{ "evt.dir != >", "evt.dir != >", COND_OP_NE, COND_CMP, COND_VAL_BARE },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		check_canon(t[i].in, t[i].canon);
		struct cond_node *n = parse_ok(t[i].in);
		assert_int_equal(n->kind, t[i].kind);
		assert_int_equal(n->cmp.op, t[i].op);
		if (n->kind == COND_CMP)
			assert_int_equal(n->cmp.value.kind, t[i].vk);
		cond_free(n);
	}
	assert_string_equal(cond_op_name(COND_OP_PMATCH), "pmatch");
	assert_string_equal(cond_op_name(COND_OP_EQ), "=");
}

static void test_numbers(void **state)
{
	(void)state;
	const char *good[] = { "0", "-1", "+3", "42", "1.5", "1.", "-1.5e+3", "2E-10", "0x1F", "0XfF" };
	const char *bad[] = { "abc", "1e5", "0x", "1.5.5", "--1", "1a", "\"1\"", "0xG" };
	char buf[64];
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(buf, sizeof(buf), "fd.num > %s", good[i]);
		struct cond_node *n = parse_ok(buf);
		assert_int_equal(n->cmp.value.kind, COND_VAL_NUMBER);
		assert_string_equal(n->cmp.value.str, good[i]);
		cond_free(n);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct cond_error err;
		snprintf(buf, sizeof(buf), "fd.num <= %s", bad[i]);
		assert_null(parse_exact(buf, strlen(buf), &err));
		assert_non_null(strstr(err.msg, "expected a number after '<='"));
		assert_int_equal(err.col, 11);
	}
	/* for = a number-looking word is a bare word; the compiler types it */
	struct cond_node *n = parse_ok("proc.vpid = 1");
	assert_int_equal(n->cmp.value.kind, COND_VAL_BARE);
	cond_free(n);
}

/* ---- values, quoting and escapes ---- */

static void check_value(const char *in, enum cond_val_kind kind, const char *str, size_t len)
{
	struct cond_node *n = parse_ok(in);
	assert_int_equal(n->kind, COND_CMP);
	assert_int_equal(n->cmp.value.kind, kind);
	assert_int_equal(n->cmp.value.len, len);
	assert_memory_equal(n->cmp.value.str, str, len);
	assert_int_equal(n->cmp.value.str[len], '\0');
	cond_free(n);
}

static void test_values(void **state)
{
	(void)state;
	check_value("fd.name = /etc/shadow", COND_VAL_BARE, "/etc/shadow", 11);
	check_value("evt.res = -1", COND_VAL_BARE, "-1", 2);
	check_value("evt.arg.flags contains O_TRUNC", COND_VAL_BARE, "O_TRUNC", 7);
	check_value("proc.name = <NA>", COND_VAL_BARE, "<NA>", 4);
	check_value("proc.pname = runc:[0:PARENT]", COND_VAL_BARE, "runc:[0:PARENT]", 15);
	check_value("proc.name = and", COND_VAL_BARE, "and", 3); /* as in Falco: a value, not a keyword */
	check_value("proc.args endswith \\", COND_VAL_BARE, "\\", 1);
	check_value("proc.name = caf\xc3\xa9", COND_VAL_BARE, "caf\xc3\xa9", 5);
	check_value("proc.name = \"a b\"", COND_VAL_QUOTED, "a b", 3);
	check_value("proc.name = 'a b'", COND_VAL_QUOTED, "a b", 3);
	check_value("proc.name = \"\"", COND_VAL_QUOTED, "", 0);
	check_value("proc.name = ''", COND_VAL_QUOTED, "", 0);
	check_value("proc.name = \"(systemd)\"", COND_VAL_QUOTED, "(systemd)", 9);
	check_value("proc.name = 'say \"hi\"'", COND_VAL_QUOTED, "say \"hi\"", 8);
	check_value("proc.name = \"it's\"", COND_VAL_QUOTED, "it's", 4);
	check_value("proc.name = \"a\\\"b\"", COND_VAL_QUOTED, "a\"b", 3);
	check_value("proc.name = 'a\\'b'", COND_VAL_QUOTED, "a'b", 3);
	check_value("proc.name = \"\\b\\f\\n\\r\\t\\\\\\/\"", COND_VAL_QUOTED, "\b\f\n\r\t\\/", 7);
	check_value("proc.name = \"a\\\\\"", COND_VAL_QUOTED, "a\\", 2); /* an escaped backslash before the quote */
	check_value("proc.args contains \"\\ \"", COND_VAL_QUOTED, "\\", 1); /* Falco reads \<space> as \ */
	check_value("proc.name = \"line1\nline2\"", COND_VAL_QUOTED, "line1\nline2", 11);
	check_value("proc.cmdline = \"a=b,c\"", COND_VAL_QUOTED, "a=b,c", 5);

	/* canonical printing re-escapes */
	check_canon("proc.name = 'a \"b\" \\\\ c'", "proc.name = \"a \\\"b\\\" \\\\ c\"");
	check_canon("proc.name = \"tab\\there\"", "proc.name = \"tab\\there\"");
	check_canon("proc.name = \"new\nline\"", "proc.name = \"new\\nline\"");
}

/* ---- fields ---- */

static void check_field(const char *in, const char *name, const char *arg, bool quoted)
{
	struct cond_node *n = parse_ok(in);
	const struct cond_field *f = &n->cmp.field;
	assert_string_equal(f->name, name);
	if (arg) {
		assert_non_null(f->arg);
		assert_string_equal(f->arg, arg);
		assert_int_equal(f->arg_len, strlen(arg));
	} else {
		assert_null(f->arg);
	}
	assert_int_equal(f->arg_quoted, quoted);
	cond_free(n);
}

static void test_fields(void **state)
{
	(void)state;
	check_field("proc.name = x", "proc.name", NULL, false);
	check_field("proc.aname[2] = x", "proc.aname", "2", false);
	check_field("evt.arg.flags contains O_TRUNC", "evt.arg.flags", NULL, false);
	check_field("evt.arg[0] = x", "evt.arg", "0", false);
	check_field("fd.types[] intersects (ipv4)", "fd.types", "", false);
	check_field("container.mount.dest[/proc*] != \"\"", "container.mount.dest", "/proc*", false);
	check_field("k8s.pod.label[app.kubernetes.io/name] = x", "k8s.pod.label", "app.kubernetes.io/name", false);
	check_field("proc.env[\"HOME\"] exists", "proc.env", "HOME", true);
	check_field("proc.env['A B'] exists", "proc.env", "A B", true);
	check_field("ka.req.pod.containers.image exists", "ka.req.pod.containers.image", NULL, false);
	check_field("k8s.ns.name=default", "k8s.ns.name", NULL, false);
	check_canon("proc.aname[2]=sshd", "proc.aname[2] = sshd");
	check_canon("proc.env['A B'] exists", "proc.env[\"A B\"] exists");
	check_canon("fd.types[] exists", "fd.types[] exists");
}

/* ---- lists ---- */

static void test_lists(void **state)
{
	(void)state;
	struct cond_node *n = parse_ok("evt.type in (open, 'a b', \"c\", (d, (e)), shell_binaries)");
	const struct cond_value *v = &n->cmp.value;
	assert_int_equal(v->kind, COND_VAL_LIST);
	assert_int_equal(v->n_items, 5);
	assert_int_equal(v->items[0].kind, COND_VAL_BARE);
	assert_string_equal(v->items[0].str, "open");
	assert_int_equal(v->items[1].kind, COND_VAL_QUOTED);
	assert_string_equal(v->items[1].str, "a b");
	assert_int_equal(v->items[2].kind, COND_VAL_QUOTED);
	assert_int_equal(v->items[3].kind, COND_VAL_LIST);
	assert_int_equal(v->items[3].n_items, 2);
	assert_int_equal(v->items[3].items[1].kind, COND_VAL_LIST);
	assert_string_equal(v->items[3].items[1].items[0].str, "e");
	assert_int_equal(v->items[4].kind, COND_VAL_BARE);
	assert_string_equal(v->items[4].str, "shell_binaries");
	cond_free(n);

	/* `in name` is `in (name)` */
	n = parse_ok("proc.name in shell_binaries");
	assert_int_equal(n->cmp.value.kind, COND_VAL_LIST);
	assert_int_equal(n->cmp.value.n_items, 1);
	assert_string_equal(n->cmp.value.items[0].str, "shell_binaries");
	cond_free(n);

	/* many items: the array grows */
	char big[8192];
	size_t o = (size_t)snprintf(big, sizeof(big), "fd.sport in (");
	for (int i = 0; i < 1000; i++)
		o += (size_t)snprintf(big + o, sizeof(big) - o, "%s%d", i ? "," : "", i);
	snprintf(big + o, sizeof(big) - o, ")");
	n = parse_ok(big);
	assert_int_equal(n->cmp.value.n_items, 1000);
	assert_string_equal(n->cmp.value.items[999].str, "999");
	cond_free(n);

	check_canon("proc.name in (a,b ,  c)", "proc.name in (a, b, c)");
	check_canon("proc.name in (\n  a,\n  b\n)", "proc.name in (a, b)");
	check_canon("proc.name in shell_binaries", "proc.name in (shell_binaries)");
	check_canon("proc.name in (a, (b, 'c d'))", "proc.name in (a, (b, \"c d\"))");
	check_canon("proc.pname in (runc:[0:PARENT], runc:[1:CHILD], \"<NA>\")",
		    "proc.pname in (runc:[0:PARENT], runc:[1:CHILD], \"<NA>\")");
	check_canon("proc.args intersects (\"-V\", \"-l\")", "proc.args intersects (\"-V\", \"-l\")");
	check_canon("fd.name pmatch (repository_directories)", "fd.name pmatch (repository_directories)");
}

/* ---- positions ---- */

static void assert_pos(struct cond_pos p, unsigned line, unsigned col, size_t off)
{
	assert_int_equal(p.line, line);
	assert_int_equal(p.col, col);
	assert_int_equal(p.off, off);
}

static void test_positions(void **state)
{
	(void)state;
	const char *s = "evt.type = open\n  and not (proc.aname[1] in (a,\n    'b'))";
	struct cond_node *n = parse_ok(s);
	assert_pos(n->pos, 2, 3, 18);                  /* and */
	assert_pos(n->bin.left->pos, 1, 1, 0);         /* evt.type */
	assert_pos(n->bin.left->cmp.op_pos, 1, 10, 9); /* = */
	assert_pos(n->bin.left->cmp.value.pos, 1, 12, 11);
	struct cond_node *not = n->bin.right;
	assert_pos(not->pos, 2, 7, 22);
	assert_pos(not->child->pos, 2, 11, 26); /* ( */
	struct cond_node *cmp = not->child->child;
	assert_pos(cmp->pos, 2, 12, 27);
	assert_pos(cmp->cmp.field.pos, 2, 12, 27);
	assert_pos(cmp->cmp.op_pos, 2, 26, 41);
	assert_pos(cmp->cmp.value.pos, 2, 29, 44);
	assert_pos(cmp->cmp.value.items[0].pos, 2, 30, 45);
	assert_pos(cmp->cmp.value.items[1].pos, 3, 5, 52);
	cond_free(n);

	/* columns count characters, not bytes; \r\n is one line break */
	n = parse_ok("proc.name = \"\xc3\xa9\" and x");
	assert_pos(n->pos, 1, 17, 17);
	assert_pos(n->bin.right->pos, 1, 21, 21);
	cond_free(n);
	n = parse_ok("a\r\nand\rb");
	assert_pos(n->pos, 2, 1, 3);
	assert_pos(n->bin.right->pos, 3, 1, 7);
	cond_free(n);
}

/* ---- length, not NUL ---- */

static void test_not_nul_terminated(void **state)
{
	(void)state;
	struct cond_error err;
	const char *s = "a and bXYZ";
	struct cond_node *n = parse_exact(s, 7, &err);
	assert_non_null(n);
	char *t = cond_to_explicit_string(n);
	assert_string_equal(t, "(a and b)");
	free(t);
	cond_free(n);
	assert_null(parse_exact(s, 5, &err));
	assert_string_equal(err.msg, "unexpected end of condition at 1:6: expected a field, macro name, 'not' or '('");
	/* cut inside a string, a field argument, an operator */
	assert_null(parse_exact("x.y = \"abc\"", 9, &err));
	assert_string_equal(err.msg, "unterminated string at 1:7: missing closing '\"'");
	assert_null(parse_exact("x.y[ab] = 1", 5, &err));
	assert_string_equal(err.msg, "unclosed '[' at 1:4: expected ']' after the field argument");
	n = parse_exact("x.y != 1", 5, &err); /* "x.y !" */
	assert_null(n);
	assert_string_equal(err.msg, "unexpected token '!' at 1:5: expected an operator after field 'x.y'");
	assert_null(cond_parse(NULL, 0, &err));
	assert_string_equal(err.msg, "empty condition at 1:1");
	assert_null(cond_parse("a and", 5, NULL)); /* err is optional */
	/* NUL bytes are never part of a condition */
	assert_null(parse_exact("a and \0b", 8, &err));
	assert_string_equal(err.msg, "unexpected token '\\x00' at 1:7: expected a field, macro name, 'not' or '('");
	assert_null(parse_exact("x.y = \"a\0b\"", 11, &err));
	assert_string_equal(err.msg, "NUL byte in a string at 1:9");
}

/* ---- errors ---- */

static void test_errors(void **state)
{
	(void)state;
	check_error("proc.name = bash and\n  and x",
		    "unexpected token 'and' at 2:3: expected a field, macro name, 'not' or '('", 2, 3);
	check_error("", "empty condition at 1:1", 1, 1);
	check_error(" \n\t ", "empty condition at 1:1", 1, 1);
	check_error("a and", "unexpected end of condition at 1:6: expected a field, macro name, 'not' or '('", 1, 6);
	check_error("a or\n  \n", "unexpected end of condition at 1:5: expected a field, macro name, 'not' or '('", 1, 5);
	check_error("not", "unexpected end of condition at 1:4: expected a field, macro name, 'not' or '('", 1, 4);
	check_error("or a", "unexpected token 'or' at 1:1: expected a field, macro name, 'not' or '('", 1, 1);
	check_error("a b", "unexpected token 'b' at 1:3: expected 'and', 'or' or end of condition", 1, 3);
	check_error("a AND b", "unexpected token 'AND' at 1:3: expected 'and', 'or' or end of condition", 1, 3);
	check_error("(a and b", "unclosed '(' at 1:1: expected ')' before end of condition", 1, 1);
	check_error("a and (b or (c)", "unclosed '(' at 1:7: expected ')' before end of condition", 1, 7);
	check_error("a and b)", "unmatched ')' at 1:8", 1, 8);
	check_error("()", "unexpected token ')' at 1:2: expected a field, macro name, 'not' or '('", 1, 2);
	check_error("(a b)", "unexpected token 'b' at 1:4: expected 'and', 'or' or ')'", 1, 4);
	check_error("proc.name = \"abc", "unterminated string at 1:13: missing closing '\"'", 1, 13);
	check_error("proc.name = 'ab\\'", "unterminated string at 1:13: missing closing \"'\"", 1, 13);
	check_error("proc.name =", "unexpected end of condition at 1:12: expected a value after '='", 1, 12);
	check_error("proc.name contains )", "unexpected token ')' at 1:20: expected a value after 'contains'", 1, 20);
	check_error("proc.name = (a)", "unexpected token '(' at 1:13: expected a value after '='", 1, 13);
	check_error("proc.name === a", "unexpected token '=' at 1:13: expected a value after '=='", 1, 13);
	check_error("proc.name in ()",
		    "empty list at 1:14: expected a value or list name between '(' and ')'", 1, 14);
	check_error("proc.name in (a, ( ))",
		    "empty list at 1:18: expected a value or list name between '(' and ')'", 1, 18);
	check_error("proc.name in (a, b", "unclosed '(' at 1:14: expected ')' before end of condition", 1, 14);
	check_error("proc.name in (a,", "unclosed '(' at 1:14: expected ')' before end of condition", 1, 14);
	check_error("proc.name in (a b)", "unexpected token 'b' at 1:17: expected ',' or ')' in list", 1, 17);
	check_error("proc.name in (a,)", "unexpected token ')' at 1:17: expected a value, list name or '(' in list", 1, 17);
	check_error("proc.name in (a=b)", "unexpected token '=' at 1:16: expected ',' or ')' in list", 1, 16);
	check_error("proc.name in", "unexpected end of condition at 1:13: expected '(' or a list name after 'in'", 1, 13);
	check_error("proc.name in \"a\"", "unexpected token '\"a\"' at 1:14: expected '(' or a list name after 'in'", 1, 14);
	check_error("proc.name bash", "unexpected token 'bash' at 1:11: expected an operator after field 'proc.name'", 1, 11);
	check_error("proc.name IN (a)", "unexpected token 'IN' at 1:11: expected an operator after field 'proc.name'", 1, 11);
	check_error("proc.name", "unexpected end of condition at 1:10: expected an operator after field 'proc.name'", 1, 10);
	check_error("proc.pid > abc", "unexpected token 'abc' at 1:12: expected a number after '>'", 1, 12);
	check_error("proc.pid >", "unexpected end of condition at 1:11: expected a number after '>'", 1, 11);
	check_error("proc.name = \"a\\qb\"", "unsupported escape sequence '\\q' at 1:15", 1, 15);
	check_error("proc.name = 'a\\\"b'", "unsupported escape sequence '\\\"' at 1:15", 1, 15);
	check_error("proc.name = \"a\\'b\"", "unsupported escape sequence '\\'' at 1:15", 1, 15);
	check_error("proc = bash", "invalid field name 'proc' at 1:1: a field is written class.name, e.g. proc.name", 1, 1);
	check_error("proc. = x", "invalid field name 'proc.' at 1:1: a field is written class.name, e.g. proc.name", 1, 1);
	check_error("a and proc.1x = 2", "invalid field name 'proc.1x' at 1:7: a field is written class.name, e.g. proc.name", 1, 7);
	check_error("proc.aname[2 = x", "unclosed '[' at 1:11: expected ']' after the field argument", 1, 11);
	check_error("proc.aname [2] = x", "unexpected token '[2]' at 1:12: expected an operator after field 'proc.aname'", 1, 12);
	check_error("proc.env[\"HOME] exists", "unterminated string at 1:10: missing closing '\"'", 1, 10);
	check_error("a or , b", "unexpected token ',' at 1:6: expected a field, macro name, 'not' or '('", 1, 6);
	check_error("a and $x", "unexpected token '$x' at 1:7: expected a field, macro name, 'not' or '('", 1, 7);
	check_error("a and 123", "unexpected token '123' at 1:7: expected a field, macro name, 'not' or '('", 1, 7);
	check_error("\"a\" and b", "unexpected token '\"a\"' at 1:1: expected a field, macro name, 'not' or '('", 1, 1);
	check_error("tolower(proc.name) = bash",
		    "unsupported field transformer 'tolower()' at 1:1: fields are compared as extracted", 1, 1);
	check_error("proc.name = val(proc.pname)",
		    "unsupported field transformer 'val()' at 1:13: fields are compared as extracted", 1, 13);
	check_error("a and b and\n\n   c d",
		    "unexpected token 'd' at 3:6: expected 'and', 'or' or end of condition", 3, 6);
	check_error("proc.name = xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx yyyy",
		    "unexpected token 'yyyy' at 1:95: expected 'and', 'or' or end of condition", 1, 95);
	check_error("a and bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.",
		    "invalid field name 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb...' at 1:7: "
		    "a field is written class.name, e.g. proc.name", 1, 7);
}

/* ---- depth ---- */

static char *repeat(const char *head, size_t n, const char *mid, const char *tail, size_t m)
{
	size_t hl = strlen(head), ml = strlen(mid), tl = strlen(tail);
	char *s = malloc(hl * n + ml + tl * m + 1);
	assert_non_null(s);
	char *p = s;
	for (size_t i = 0; i < n; i++, p += hl)
		memcpy(p, head, hl);
	memcpy(p, mid, ml);
	p += ml;
	for (size_t i = 0; i < m; i++, p += tl)
		memcpy(p, tail, tl);
	*p = '\0';
	return s;
}

/* head^ok mid tail^ok parses; with one more head and tail it is too deep at bad_col. */
static void check_depth(const char *head, const char *mid, const char *tail, size_t ok, unsigned bad_col)
{
	struct cond_error err;
	char *s = repeat(head, ok, mid, tail, ok);
	struct cond_node *n = parse_exact(s, strlen(s), &err);
	if (!n)
		fail_msg("%s", err.msg);
	cond_free(n);
	free(s);
	s = repeat(head, ok + 1, mid, tail, ok + 1);
	assert_null(parse_exact(s, strlen(s), &err));
	char want[128];
	snprintf(want, sizeof(want), "nesting too deep at 1:%u: more than 256 levels of '(' and 'not'", bad_col);
	assert_string_equal(err.msg, want);
	free(s);
}

static void test_depth(void **state)
{
	(void)state;
	check_depth("(", "a", ")", COND_MAX_DEPTH, 257);
	check_depth("not ", "a", "", COND_MAX_DEPTH, 1 + 256 * 4);
	check_depth("not(", "a", ")", COND_MAX_DEPTH / 2, 1 + 128 * 4); /* each counts twice */
	check_depth("(", "x.y in (a)", ")", COND_MAX_DEPTH - 1, 257 + 7); /* the list is a level */
}

static void test_depth_lists(void **state)
{
	(void)state;
	struct cond_error err;
	char *open = repeat("(", COND_MAX_DEPTH, "", "", 0);
	char *close = repeat(")", COND_MAX_DEPTH, "", "", 0);
	size_t n = strlen(open) * 2 + 16;
	char *s = malloc(n + 8);
	snprintf(s, n + 8, "x.y in %sa%s", open, close);
	struct cond_node *node = parse_exact(s, strlen(s), &err);
	assert_non_null(node);
	cond_free(node);
	snprintf(s, n + 8, "x.y in (%sa%s)", open, close);
	assert_null(parse_exact(s, strlen(s), &err));
	assert_string_equal(err.msg, "nesting too deep at 1:264: more than 256 levels of '(' and 'not'");
	free(s);
	free(open);
	free(close);
}

/* A chain of 200000 terms is not nesting: it parses, prints and frees
 * without recursion along its length. */
static void test_long_chain(void **state)
{
	(void)state;
	char *s = repeat("a or b and ", 100000, "c", "", 0);
	struct cond_node *n = parse_ok(s);
	char *t = cond_to_explicit_string(n);
	assert_non_null(t);
	/* a or (b and a) or ... or (b and c), left-deep */
	assert_int_equal(strspn(t, "("), 100000);
	assert_int_equal(strncmp(t + 100000, "a or (b and a)) or (b and a))", 29), 0);
	assert_string_equal(t + strlen(t) - 14, " or (b and c))");
	free(t);
	cond_free(n);
	free(s);
}

/* ---- upstream Falco rules: every condition must parse ---- */

struct scan {
	const char *file;
	size_t n, failed;
	double secs;
};

static const char *map_get(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);
		yaml_node_t *v = yaml_document_get_node(doc, p->value);
		if (k && v && k->type == YAML_SCALAR_NODE && v->type == YAML_SCALAR_NODE &&
		    strcmp((const char *)k->data.scalar.value, key) == 0)
			return (const char *)v->data.scalar.value;
	}
	return NULL;
}

static void scan_item(yaml_document_t *doc, yaml_node_t *item, struct scan *sc)
{
	if (item->type != YAML_MAPPING_NODE)
		return;
	yaml_node_t *cond = NULL;
	for (yaml_node_pair_t *p = item->data.mapping.pairs.start; p < item->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);
		if (k && k->type == YAML_SCALAR_NODE && strcmp((const char *)k->data.scalar.value, "condition") == 0)
			cond = yaml_document_get_node(doc, p->value);
	}
	if (!cond || cond->type != YAML_SCALAR_NODE)
		return;
	const char *name = map_get(doc, item, "rule");
	if (!name)
		name = map_get(doc, item, "macro");
	const char *text = (const char *)cond->data.scalar.value;
	size_t len = cond->data.scalar.length;
	struct cond_error err;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct cond_node *n = cond_parse(text, len, &err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	sc->secs += (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	sc->n++;
	if (!n) {
		sc->failed++;
		print_error("%s: '%s' (condition line %zu): %s\n--- condition:\n%.*s\n---\n", sc->file,
			    name ? name : "?", (size_t)cond->start_mark.line + 1, err.msg, (int)len, text);
		return;
	}
	/* and the canonical text is stable */
	char *s1 = cond_to_string(n);
	assert_non_null(s1);
	struct cond_node *again = cond_parse(s1, strlen(s1), &err);
	assert_non_null(again);
	char *s2 = cond_to_string(again);
	assert_string_equal(s1, s2);
	free(s1);
	free(s2);
	cond_free(again);
	cond_free(n);
}

static void scan_file(const char *dir, const char *base, struct scan *sc)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, base);
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("open %s", path);
	yaml_parser_t parser;
	yaml_document_t doc;
	assert_true(yaml_parser_initialize(&parser));
	yaml_parser_set_input_file(&parser, f);
	sc->file = base;
	for (;;) {
		if (!yaml_parser_load(&parser, &doc))
			fail_msg("%s: YAML error: %s", path, parser.problem);
		yaml_node_t *root = yaml_document_get_root_node(&doc);
		if (!root) {
			yaml_document_delete(&doc);
			break;
		}
		if (root->type == YAML_SEQUENCE_NODE)
			for (yaml_node_item_t *it = root->data.sequence.items.start; it < root->data.sequence.items.top; it++)
				scan_item(&doc, yaml_document_get_node(&doc, *it), sc);
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&parser);
	fclose(f);
}

static void test_upstream_rules(void **state)
{
	(void)state;
	const char *dir = getenv("VIGIL_UPSTREAM_RULES");
	if (!dir || !*dir)
		skip();
	static const char *const files[] = { "falco_rules.yaml", "falco-incubating_rules.yaml",
					     "falco-sandbox_rules.yaml" };
	size_t total = 0, failed = 0;
	double secs = 0;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct scan sc = { 0 };
		scan_file(dir, files[i], &sc);
		print_message("%s: %zu conditions, %zu failed, %.2f ms\n", files[i], sc.n, sc.failed, sc.secs * 1e3);
		assert_true(sc.n >= 50); /* the scan found the conditions */
		total += sc.n;
		failed += sc.failed;
		secs += sc.secs;
	}
	print_message("upstream: %zu conditions parsed in %.2f ms\n", total, secs * 1e3);
	assert_int_equal(failed, 0);
	assert_true(secs < 0.1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_minimal_form),
		cmocka_unit_test(test_printed_depth_stays_within_limit),
		cmocka_unit_test(test_tree_shape),
		cmocka_unit_test(test_operators),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_positions),
		cmocka_unit_test(test_not_nul_terminated),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_depth_lists),
		cmocka_unit_test(test_long_chain),
		cmocka_unit_test(test_upstream_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
