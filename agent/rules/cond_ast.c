/* cond_ast.c — freeing and printing condition trees. */
#include <stdint.h>
#include <stdlib.h>

#include "rules/cond_ast.h"
#include "vigil/strbuf.h"

const char *cond_op_name(enum cond_op op)
{
	static const char *const names[] = {
		[COND_OP_EQ] = "=",
		[COND_OP_NE] = "!=",
		[COND_OP_LT] = "<",
		[COND_OP_LE] = "<=",
		[COND_OP_GT] = ">",
		[COND_OP_GE] = ">=",
		[COND_OP_CONTAINS] = "contains",
		[COND_OP_ICONTAINS] = "icontains",
		[COND_OP_BCONTAINS] = "bcontains",
		[COND_OP_STARTSWITH] = "startswith",
		[COND_OP_BSTARTSWITH] = "bstartswith",
		[COND_OP_ENDSWITH] = "endswith",
		[COND_OP_GLOB] = "glob",
		[COND_OP_IGLOB] = "iglob",
		[COND_OP_REGEX] = "regex",
		[COND_OP_IN] = "in",
		[COND_OP_INTERSECTS] = "intersects",
		[COND_OP_PMATCH] = "pmatch",
		[COND_OP_EXISTS] = "exists",
	};
	if ((unsigned)op >= sizeof(names) / sizeof(names[0]) || !names[op])
		return "?";
	return names[op];
}

/* ---- freeing ---- */

static void value_clear(struct cond_value *v)
{
	free(v->str);
	for (size_t i = 0; i < v->n_items; i++)
		value_clear(&v->items[i]);
	free(v->items);
}

void cond_free(struct cond_node *n)
{
	/* Walk left spines and not/group chains in a loop, recursing only into
	 * right operands: a long `a or b or c ...` must not cost stack. */
	while (n) {
		struct cond_node *next = NULL;
		switch (n->kind) {
		case COND_AND:
		case COND_OR:
			cond_free(n->bin.right);
			next = n->bin.left;
			break;
		case COND_NOT:
		case COND_GROUP: next = n->child; break;
		case COND_CMP:
		case COND_UNARY:
			free(n->cmp.field.name);
			free(n->cmp.field.arg);
			value_clear(&n->cmp.value);
			break;
		case COND_MACRO: free(n->macro.name); break;
		}
		free(n);
		n = next;
	}
}

/* ---- printing ---- */

/* Double-quoted, with the escapes cond_parse reads back. */
static void print_quoted(struct strbuf *sb, const char *s, size_t n)
{
	strbuf_addc(sb, '"');
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '"': strbuf_adds(sb, "\\\""); break;
		case '\\': strbuf_adds(sb, "\\\\"); break;
		case '\b': strbuf_adds(sb, "\\b"); break;
		case '\f': strbuf_adds(sb, "\\f"); break;
		case '\n': strbuf_adds(sb, "\\n"); break;
		case '\r': strbuf_adds(sb, "\\r"); break;
		case '\t': strbuf_adds(sb, "\\t"); break;
		default: strbuf_addc(sb, s[i]);
		}
	}
	strbuf_addc(sb, '"');
}

static void print_value(struct strbuf *sb, const struct cond_value *v)
{
	switch (v->kind) {
	case COND_VAL_QUOTED: print_quoted(sb, v->str, v->len); break;
	case COND_VAL_LIST:
		strbuf_addc(sb, '(');
		for (size_t i = 0; i < v->n_items; i++) {
			if (i)
				strbuf_adds(sb, ", ");
			print_value(sb, &v->items[i]);
		}
		strbuf_addc(sb, ')');
		break;
	case COND_VAL_BARE:
	case COND_VAL_NUMBER: strbuf_add(sb, v->str, v->len); break;
	}
}

static void print_check(struct strbuf *sb, const struct cond_node *n)
{
	const struct cond_field *f = &n->cmp.field;
	strbuf_adds(sb, f->name);
	if (f->arg) {
		strbuf_addc(sb, '[');
		if (f->arg_quoted)
			print_quoted(sb, f->arg, f->arg_len);
		else
			strbuf_add(sb, f->arg, f->arg_len);
		strbuf_addc(sb, ']');
	}
	strbuf_addc(sb, ' ');
	strbuf_adds(sb, cond_op_name(n->cmp.op));
	if (n->kind == COND_CMP) {
		strbuf_addc(sb, ' ');
		print_value(sb, &n->cmp.value);
	}
}

/*
 * Two printers share this code. The minimal one prints a parenthesis only
 * where precedence needs it, i.e. only where the input had a group, so its
 * text never nests deeper than the text it was parsed from and always
 * parses back within COND_MAX_DEPTH. The explicit one parenthesises every
 * and/or/not node, which shows the tree's shape (what the parser tests
 * check) but can nest deeper than the input did.
 */
struct printer {
	struct strbuf *sb;
	bool explicit;
};

static void print_node(const struct printer *p, const struct cond_node *n);

static bool is_binary(const struct cond_node *n)
{
	return n->kind == COND_AND || n->kind == COND_OR;
}

static const struct cond_node *skip_groups(const struct cond_node *n)
{
	while (n->kind == COND_GROUP)
		n = n->child;
	return n;
}

/*
 * An operand of an and/or node of kind `parent` (or of a not, parent ==
 * COND_NOT). Minimal form: a binary operand needs parentheses under `not`,
 * as the right operand of its own kind (the chains are left-deep), and when
 * it is an `or` under an `and`.
 */
static void print_operand(const struct printer *p, const struct cond_node *n, enum cond_kind parent,
			  bool right)
{
	n = skip_groups(n);
	bool paren = !p->explicit && is_binary(n) &&
		     (parent == COND_NOT || (right && n->kind == parent) ||
		      (parent == COND_AND && n->kind == COND_OR));
	if (paren)
		strbuf_addc(p->sb, '(');
	print_node(p, n);
	if (paren)
		strbuf_addc(p->sb, ')');
}

/* An and/or node and its left spine, without recursing down the spine:
 * the spine's nodes are collected, then printed bottom-up. */
static void print_chain(const struct printer *p, const struct cond_node *n)
{
	size_t k = 0;
	const struct cond_node *m;
	for (m = n; is_binary(m); m = m->bin.left)
		k++;
	const struct cond_node **spine = malloc(k * sizeof(*spine));
	if (!spine) {
		p->sb->oom = true;
		return;
	}
	size_t i = k;
	for (m = n; is_binary(m); m = m->bin.left)
		spine[--i] = m;
	/* Where an `and` has an `or` as its left child, what is printed so
	 * far must be grouped; all such groups open at the very start. */
	for (i = 0; i < k; i++)
		if (p->explicit ||
		    (i > 0 && spine[i]->kind == COND_AND && spine[i - 1]->kind == COND_OR))
			strbuf_addc(p->sb, '(');
	print_operand(p, m, spine[0]->kind, false);
	for (i = 0; i < k; i++) {
		strbuf_adds(p->sb, spine[i]->kind == COND_AND ? " and " : " or ");
		print_operand(p, spine[i]->bin.right, spine[i]->kind, true);
		bool closes = p->explicit || (i + 1 < k && spine[i + 1]->kind == COND_AND &&
					      spine[i]->kind == COND_OR);
		if (closes)
			strbuf_addc(p->sb, ')');
	}
	free(spine);
}

static void print_node(const struct printer *p, const struct cond_node *n)
{
	n = skip_groups(n);
	switch (n->kind) {
	case COND_AND:
	case COND_OR: print_chain(p, n); break;
	case COND_NOT:
		strbuf_adds(p->sb, p->explicit ? "(not " : "not ");
		print_operand(p, n->child, COND_NOT, false);
		if (p->explicit)
			strbuf_addc(p->sb, ')');
		break;
	case COND_CMP:
	case COND_UNARY: print_check(p->sb, n); break;
	case COND_MACRO: strbuf_adds(p->sb, n->macro.name); break;
	case COND_GROUP: break;
	}
}

static char *print_tree(const struct cond_node *n, bool explicit)
{
	struct strbuf sb;
	if (!n)
		return NULL;
	strbuf_init(&sb, SIZE_MAX / 2);
	struct printer p = {&sb, explicit};
	print_node(&p, n);
	if (sb.oom || sb.truncated || !sb.data) {
		strbuf_free(&sb);
		return NULL;
	}
	return sb.data;
}

char *cond_to_string(const struct cond_node *n)
{
	return print_tree(n, false);
}

char *cond_to_explicit_string(const struct cond_node *n)
{
	return print_tree(n, true);
}
