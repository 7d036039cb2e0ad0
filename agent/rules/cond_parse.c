/*
 * cond_parse.c — recursive-descent parser for Falco conditions: the
 * expression grammar (or, and, not, groups, checks, macro names).
 *
 * One function per grammar rule (see cond_ast.h); operands are parsed in
 * cond_values.c. Nesting ('(' and 'not') is counted, so a hostile
 * condition cannot exhaust the stack; and/or chains are loops.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/cond_parser.h"

/* ---- nodes ---- */

static struct cond_node *new_node(struct parser *p, enum cond_kind kind, struct cond_pos pos)
{
	struct cond_node *n = calloc(1, sizeof(*n));
	if (!n) {
		cond_fail_oom(p);
		return NULL;
	}
	n->kind = kind;
	n->pos = pos;
	return n;
}

/* A binary or unary node over already-built children; frees them on failure. */
static struct cond_node *new_bin(struct parser *p, enum cond_kind kind, struct cond_pos pos,
				 struct cond_node *l, struct cond_node *r)
{
	struct cond_node *n = new_node(p, kind, pos);
	if (!n) {
		cond_free(l);
		cond_free(r);
		return NULL;
	}
	n->bin.left = l;
	n->bin.right = r;
	return n;
}

static struct cond_node *new_wrap(struct parser *p, enum cond_kind kind, struct cond_pos pos,
				  struct cond_node *child)
{
	struct cond_node *n = new_node(p, kind, pos);
	if (!n) {
		cond_free(child);
		return NULL;
	}
	n->child = child;
	return n;
}

/* ---- operators ---- */

enum op_class { OPC_UNARY, OPC_NUM, OPC_STR, OPC_LIST };

static const struct {
	const char *text;
	enum cond_op op;
	enum op_class cls;
} ops[] = {
	{"=", COND_OP_EQ, OPC_STR},
	{"==", COND_OP_EQ, OPC_STR},
	{"!=", COND_OP_NE, OPC_STR},
	{"<", COND_OP_LT, OPC_NUM},
	{"<=", COND_OP_LE, OPC_NUM},
	{">", COND_OP_GT, OPC_NUM},
	{">=", COND_OP_GE, OPC_NUM},
	{"contains", COND_OP_CONTAINS, OPC_STR},
	{"icontains", COND_OP_ICONTAINS, OPC_STR},
	{"bcontains", COND_OP_BCONTAINS, OPC_STR},
	{"startswith", COND_OP_STARTSWITH, OPC_STR},
	{"bstartswith", COND_OP_BSTARTSWITH, OPC_STR},
	{"endswith", COND_OP_ENDSWITH, OPC_STR},
	{"glob", COND_OP_GLOB, OPC_STR},
	{"iglob", COND_OP_IGLOB, OPC_STR},
	{"regex", COND_OP_REGEX, OPC_STR},
	{"in", COND_OP_IN, OPC_LIST},
	{"intersects", COND_OP_INTERSECTS, OPC_LIST},
	{"pmatch", COND_OP_PMATCH, OPC_LIST},
	{"exists", COND_OP_EXISTS, OPC_UNARY},
};

/* Index in ops[] of the operator token t, or -1. */
static int find_op(const struct token *t)
{
	if (t->kind != TOK_OP && t->kind != TOK_WORD)
		return -1;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (t->len == strlen(ops[i].text) && memcmp(t->text, ops[i].text, t->len) == 0)
			return (int)i;
	return -1;
}

/* The operator after a field and its operand. */
static bool parse_condition(struct parser *p, struct cond_node *n)
{
	struct token t = cond_lex_peek_expr(&p->lx);
	int i = find_op(&t);
	if (i < 0) {
		char expected[128], name[64];
		cond_show(n->cmp.field.name, strlen(n->cmp.field.name), name, sizeof(name));
		snprintf(expected, sizeof(expected), "expected an operator after field '%s'", name);
		cond_fail_unexpected(p, &t, expected);
		return false;
	}
	cond_lex_consume(&p->lx, &t);
	n->cmp.op = ops[i].op;
	n->cmp.op_pos = t.pos;
	switch (ops[i].cls) {
	case OPC_UNARY: n->kind = COND_UNARY; return true;
	case OPC_NUM: return cond_parse_number(p, ops[i].text, &n->cmp.value);
	case OPC_LIST: return cond_parse_list_operand(p, ops[i].text, &n->cmp.value);
	case OPC_STR:
	default: return cond_parse_scalar(p, ops[i].text, &n->cmp.value);
	}
}

static struct cond_node *parse_check(struct parser *p, const struct token *name)
{
	struct cond_node *n = new_node(p, COND_CMP, name->pos);
	if (!n)
		return NULL;
	if (!cond_parse_field(p, name, &n->cmp.field) || !parse_condition(p, n)) {
		cond_free(n);
		return NULL;
	}
	return n;
}

/* ---- expressions ---- */

static struct cond_node *parse_or(struct parser *p);

static const char expect_operand[] = "expected a field, macro name, 'not' or '('";
static const char field_shape[] = "a field is written class.name, e.g. proc.name";

static void fail_field_name(struct parser *p, const struct token *t)
{
	char what[128], name[64];
	cond_show(t->text, t->len, name, sizeof(name));
	snprintf(what, sizeof(what), "invalid field name '%s'", name);
	cond_fail(p, t->pos, what, field_shape);
}

/* A bare identifier: a macro reference. */
static struct cond_node *parse_macro(struct parser *p, const struct token *t)
{
	if (cond_is_transformer_call(&p->lx, t)) {
		cond_fail_transformer(p, t);
		return NULL;
	}
	struct cond_node *n = new_node(p, COND_MACRO, t->pos);
	if (!n)
		return NULL;
	n->macro.name = cond_dup_text(p, t->text, t->len);
	if (!n->macro.name) {
		cond_free(n);
		return NULL;
	}
	cond_lex_consume(&p->lx, t);
	/* `proc = bash`: an identifier before an operator was meant as a field. */
	struct token next = cond_lex_peek_expr(&p->lx);
	if (find_op(&next) >= 0) {
		fail_field_name(p, t);
		cond_free(n);
		return NULL;
	}
	return n;
}

/* '(' expr ')', starting at the '(' token `open`. */
static struct cond_node *parse_group(struct parser *p, const struct token *open)
{
	if (!cond_depth_push(p, open->pos))
		return NULL;
	cond_lex_consume(&p->lx, open);
	struct cond_node *inner = parse_or(p);
	if (inner) {
		struct token t = cond_lex_peek_expr(&p->lx);
		if (t.kind == TOK_RPAREN) {
			cond_lex_consume(&p->lx, &t);
			inner = new_wrap(p, COND_GROUP, open->pos, inner);
		} else {
			if (t.kind == TOK_END)
				cond_fail_unclosed(p, open->pos);
			else
				cond_fail_unexpected(p, &t, "expected 'and', 'or' or ')'");
			cond_free(inner);
			inner = NULL;
		}
	}
	cond_depth_pop(p);
	return inner;
}

static struct cond_node *parse_primary(struct parser *p)
{
	struct token t = cond_lex_peek_expr(&p->lx);
	if (t.kind == TOK_LPAREN)
		return parse_group(p, &t);
	if (t.kind == TOK_WORD && !cond_lex_word_is(&t, "and") && !cond_lex_word_is(&t, "or")) {
		if (cond_lex_is_field_name(t.text, t.len))
			return parse_check(p, &t);
		if (cond_lex_is_identifier(t.text, t.len))
			return parse_macro(p, &t);
		if (memchr(t.text, '.', t.len)) {
			fail_field_name(p, &t);
			return NULL;
		}
	}
	cond_fail_unexpected(p, &t, expect_operand);
	return NULL;
}

static struct cond_node *parse_not(struct parser *p)
{
	struct token t = cond_lex_peek_expr(&p->lx);
	if (!cond_lex_word_is(&t, "not"))
		return parse_primary(p);
	if (!cond_depth_push(p, t.pos))
		return NULL;
	cond_lex_consume(&p->lx, &t);
	struct cond_node *child = parse_not(p);
	cond_depth_pop(p);
	return child ? new_wrap(p, COND_NOT, t.pos, child) : NULL;
}

/* operand (keyword operand)*, left associative. */
static struct cond_node *parse_chain(struct parser *p, const char *kw, enum cond_kind kind,
				     struct cond_node *(*operand)(struct parser *))
{
	struct cond_node *left = operand(p);
	while (left) {
		struct token t = cond_lex_peek_expr(&p->lx);
		if (!cond_lex_word_is(&t, kw))
			break;
		cond_lex_consume(&p->lx, &t);
		struct cond_node *right = operand(p);
		if (!right) {
			cond_free(left);
			return NULL;
		}
		left = new_bin(p, kind, t.pos, left, right);
	}
	return left;
}

static struct cond_node *parse_and(struct parser *p)
{
	return parse_chain(p, "and", COND_AND, parse_not);
}

static struct cond_node *parse_or(struct parser *p)
{
	return parse_chain(p, "or", COND_OR, parse_and);
}

/* After the whole expression only the end may follow. */
static bool expect_end(struct parser *p)
{
	struct token t = cond_lex_peek_expr(&p->lx);
	if (t.kind == TOK_END)
		return true;
	if (t.kind == TOK_RPAREN)
		cond_fail(p, t.pos, "unmatched ')'", NULL);
	else
		cond_fail_unexpected(p, &t, "expected 'and', 'or' or end of condition");
	return false;
}

struct cond_node *cond_parse(const char *text, size_t len, struct cond_error *err)
{
	struct cond_error scratch;
	struct parser p = {.err = err ? err : &scratch};
	memset(p.err, 0, sizeof(*p.err));
	cond_lex_init(&p.lx, text ? text : "", text ? len : 0);

	struct token t = cond_lex_peek_expr(&p.lx);
	if (t.kind == TOK_END) {
		cond_fail(&p, (struct cond_pos){.line = 1, .col = 1, .off = 0}, "empty condition",
			  NULL);
		return NULL;
	}
	struct cond_node *n = parse_or(&p);
	if (n && !expect_end(&p)) {
		cond_free(n);
		n = NULL;
	}
	if (!n && !p.failed)
		cond_fail(&p, p.lx.pos, "internal parser error",
			  NULL); /* every failure path sets one */
	return n;
}
