/* cond_values.c — the right-hand side of checks (values, numbers, lists) and fields. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/cond_parser.h"

static bool parse_list(struct parser *p, struct cond_value *v, const struct token *open);

/* A quoted or bare scalar t into v (t is consumed). */
static bool take_scalar(struct parser *p, const struct token *t, struct cond_value *v)
{
	v->pos = t->pos;
	if (t->kind == TOK_STRING) {
		v->kind = COND_VAL_QUOTED;
		if (!cond_unquote(p, t, &v->str, &v->len))
			return false;
	} else {
		v->kind = COND_VAL_BARE;
		v->len = t->len;
		v->str = cond_dup_text(p, t->text, t->len);
		if (!v->str)
			return false;
	}
	cond_lex_consume(&p->lx, t);
	return true;
}

/* The operand of = != contains ... regex: one quoted or bare value. */
bool cond_parse_scalar(struct parser *p, const char *opname, struct cond_value *v)
{
	char expected[64];
	struct token t = cond_lex_peek_value(&p->lx);
	if (t.kind == TOK_BARE && cond_is_transformer_call(&p->lx, &t)) {
		cond_fail_transformer(p, &t);
		return false;
	}
	if (t.kind == TOK_STRING || t.kind == TOK_BARE)
		return take_scalar(p, &t, v);
	snprintf(expected, sizeof(expected), "expected a value after '%s'", opname);
	cond_fail_unexpected(p, &t, expected);
	return false;
}

/* The operand of < <= > >=: a number, as Falco requires. */
bool cond_parse_number(struct parser *p, const char *opname, struct cond_value *v)
{
	char expected[64];
	struct token t = cond_lex_peek_value(&p->lx);
	if (t.kind == TOK_BARE && cond_is_transformer_call(&p->lx, &t)) {
		cond_fail_transformer(p, &t);
		return false;
	}
	if (t.kind == TOK_BARE && cond_lex_is_number(t.text, t.len)) {
		if (!take_scalar(p, &t, v))
			return false;
		v->kind = COND_VAL_NUMBER;
		return true;
	}
	snprintf(expected, sizeof(expected), "expected a number after '%s'", opname);
	cond_fail_unexpected(p, &t, expected);
	return false;
}

/* One list item: a value, a list name, or a nested list. */
static bool parse_item(struct parser *p, struct cond_value *list, struct cond_pos open)
{
	if ((list->n_items & (list->n_items - 1)) == 0) {
		/* the capacity is the next power of two: full at 0, 1, 2, 4 ... */
		size_t cap = list->n_items ? list->n_items * 2 : 1;
		struct cond_value *items = realloc(list->items, cap * sizeof(*items));
		if (!items) {
			cond_fail_oom(p);
			return false;
		}
		list->items = items;
	}
	struct cond_value *item = &list->items[list->n_items++];
	memset(item, 0, sizeof(*item));

	struct token t = cond_lex_peek_value(&p->lx);
	if (t.kind == TOK_LPAREN)
		return parse_list(p, item, &t);
	if (t.kind == TOK_STRING || t.kind == TOK_BARE)
		return take_scalar(p, &t, item);
	if (t.kind == TOK_END)
		cond_fail_unclosed(p, open);
	else
		cond_fail_unexpected(p, &t, "expected a value, list name or '(' in list");
	return false;
}

/* After the items: ',' for another, ')' to finish. Returns 1 for more, 0 done, -1 error. */
static int list_next(struct parser *p, struct cond_pos open)
{
	struct token t = cond_lex_peek_value(&p->lx);
	if (t.kind == TOK_COMMA || t.kind == TOK_RPAREN) {
		cond_lex_consume(&p->lx, &t);
		return t.kind == TOK_COMMA;
	}
	if (t.kind == TOK_END)
		cond_fail_unclosed(p, open);
	else
		cond_fail_unexpected(p, &t, "expected ',' or ')' in list");
	return -1;
}

/* '(' item (',' item)* ')', starting at the '(' token `open`. */
static bool parse_list(struct parser *p, struct cond_value *v, const struct token *open)
{
	v->kind = COND_VAL_LIST;
	v->pos = open->pos;
	if (!cond_depth_push(p, open->pos))
		return false;
	cond_lex_consume(&p->lx, open);
	struct token t = cond_lex_peek_value(&p->lx);
	bool ok = false;
	if (t.kind == TOK_RPAREN) {
		cond_fail(p, open->pos, "empty list",
			  "expected a value or list name between '(' and ')'");
	} else {
		int more = 1;
		while (more == 1 && parse_item(p, v, open->pos))
			more = list_next(p, open->pos);
		ok = more == 0;
	}
	cond_depth_pop(p);
	return ok;
}

/* The operand of in/intersects/pmatch: a list, or a list name alone. */
bool cond_parse_list_operand(struct parser *p, const char *opname, struct cond_value *v)
{
	char expected[64];
	struct token t = cond_lex_peek_value(&p->lx);
	if (t.kind == TOK_LPAREN)
		return parse_list(p, v, &t);
	if (t.kind == TOK_BARE && cond_is_transformer_call(&p->lx, &t)) {
		cond_fail_transformer(p, &t);
		return false;
	}
	if (t.kind == TOK_BARE && cond_lex_is_identifier(t.text, t.len)) {
		/* `in name` means `in (name)`: a one-item list the compiler expands. */
		v->kind = COND_VAL_LIST;
		v->pos = t.pos;
		v->items = calloc(1, sizeof(*v->items));
		if (!v->items) {
			cond_fail_oom(p);
			return false;
		}
		v->n_items = 1;
		return take_scalar(p, &t, &v->items[0]);
	}
	snprintf(expected, sizeof(expected), "expected '(' or a list name after '%s'", opname);
	cond_fail_unexpected(p, &t, expected);
	return false;
}

/* name ('[' arg ']')?, the name token being a field name. */
bool cond_parse_field(struct parser *p, const struct token *name, struct cond_field *f)
{
	f->pos = name->pos;
	f->name = cond_dup_text(p, name->text, name->len);
	if (!f->name)
		return false;
	cond_lex_consume(&p->lx, name);
	/* The bracket must touch the name, as in Falco: proc.aname[2]. */
	if (!cond_lex_at(&p->lx, '['))
		return true;
	struct cond_pos open = p->lx.pos;
	cond_lex_skip_byte(&p->lx);
	struct token a = cond_lex_field_arg(&p->lx);
	if (a.kind == TOK_UNTERMINATED) {
		cond_fail_unexpected(p, &a, NULL);
		return false;
	}
	f->arg_quoted = a.kind == TOK_STRING;
	if (f->arg_quoted) {
		if (!cond_unquote(p, &a, &f->arg, &f->arg_len))
			return false;
	} else {
		f->arg_len = a.len;
		f->arg = cond_dup_text(p, a.text, a.len);
		if (!f->arg)
			return false;
	}
	cond_lex_consume(&p->lx, &a);
	if (!cond_lex_at(&p->lx, ']')) {
		cond_fail(p, open, "unclosed '['", "expected ']' after the field argument");
		return false;
	}
	cond_lex_skip_byte(&p->lx);
	return true;
}
