/*
 * compile.c — conditions (cond_ast) and exceptions into expr trees.
 *
 * Macro references are expanded recursively (a reference cycle is an
 * error), list names inside in/intersects/pmatch lists are replaced by
 * their items (lists may name lists). Errors point at the file position of
 * the offending token, through the rule set's text maps.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/compile.h"
#include "rules/compile_internal.h"
#include "rules/cond_ast.h"

#define MAX_MACRO_DEPTH 64
#define MAX_LIST_DEPTH 32

struct cctx {
	const struct ruleset *rs;
	struct vigil_diag *diags;
	const char *item;			  /* "rule 'x'" */
	const char *macro_stack[MAX_MACRO_DEPTH]; /* cycle detection */
	int depth;
	const struct field_def *unsupported; /* first FS_NO field seen */
};

static void error_at(struct cctx *c, const struct rules_text *t, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void error_at(struct cctx *c, const struct rules_text *t, size_t off, const char *fmt, ...)
{
	struct vigil_pos pos = t->pos;
	rules_text_locate(t, off, &pos);
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	vigil_diag_add(c->diags, VIGIL_DIAG_ERROR, &pos, c->item, "%s", msg);
}

static const enum expr_op op_map[] = {
	[COND_OP_EQ] = OP_EQ,
	[COND_OP_NE] = OP_NE,
	[COND_OP_LT] = OP_LT,
	[COND_OP_LE] = OP_LE,
	[COND_OP_GT] = OP_GT,
	[COND_OP_GE] = OP_GE,
	[COND_OP_CONTAINS] = OP_CONTAINS,
	[COND_OP_ICONTAINS] = OP_ICONTAINS,
	[COND_OP_BCONTAINS] = OP_BCONTAINS,
	[COND_OP_STARTSWITH] = OP_STARTSWITH,
	[COND_OP_BSTARTSWITH] = OP_BSTARTSWITH,
	[COND_OP_ENDSWITH] = OP_ENDSWITH,
	[COND_OP_GLOB] = OP_GLOB,
	[COND_OP_IGLOB] = OP_IGLOB,
	[COND_OP_REGEX] = OP_REGEX,
	[COND_OP_IN] = OP_IN,
	[COND_OP_INTERSECTS] = OP_INTERSECTS,
	[COND_OP_PMATCH] = OP_PMATCH,
	[COND_OP_EXISTS] = OP_EXISTS,
};

/* A growable array of operand texts. */
struct vals {
	const char **s;
	size_t *len;
	size_t n, cap;
};

static int vals_push(struct vals *v, const char *s, size_t len)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 16;
		const char **ns = realloc(v->s, cap * sizeof(*ns));
		if (!ns)
			return -1;
		v->s = ns;
		size_t *nl = realloc(v->len, cap * sizeof(*nl));
		if (!nl)
			return -1;
		v->len = nl;
		v->cap = cap;
	}
	v->s[v->n] = s;
	v->len[v->n++] = len;
	return 0;
}

/* Items of a named list, recursively (an item may name another list). */
static int push_list(struct vals *v, const struct ruleset *rs, const struct rules_list *l,
		     int depth)
{
	if (depth > MAX_LIST_DEPTH)
		return -1;
	for (size_t i = 0; i < l->nitems; i++) {
		const char *item = l->items[i].str;
		size_t len = strlen(item);
		const struct rules_list *inner = ruleset_find_list(rs, item);
		/* Falco pastes list items into the condition text, so an item
		 * written as '"10.0.0.0/8"' is the quoted string 10.0.0.0/8. */
		if (!inner && len >= 2 && (item[0] == '"' || item[0] == '\'') &&
		    item[len - 1] == item[0]) {
			item++;
			len -= 2;
		}
		int rc = inner ? push_list(v, rs, inner, depth + 1) : vals_push(v, item, len);
		if (rc)
			return -1;
	}
	return 0;
}

static int push_value(struct vals *v, const struct ruleset *rs, const struct cond_value *cv)
{
	if (cv->kind == COND_VAL_LIST) {
		for (size_t i = 0; i < cv->n_items; i++)
			if (push_value(v, rs, &cv->items[i]))
				return -1;
		return 0;
	}
	const struct rules_list *l =
		cv->kind == COND_VAL_BARE ? ruleset_find_list(rs, cv->str) : NULL;
	return l ? push_list(v, rs, l, 0) : vals_push(v, cv->str, cv->len);
}

static struct expr *compile_node(struct cctx *c, const struct cond_node *n,
				 const struct rules_text *t);

static struct expr *compile_macro(struct cctx *c, const struct cond_node *n,
				  const struct rules_text *t)
{
	const char *name = n->macro.name;
	const struct rules_macro *m = ruleset_find_macro(c->rs, name);
	if (!m) {
		error_at(c, t, n->pos.off, "undefined macro '%s'", name);
		return NULL;
	}
	for (int i = 0; i < c->depth; i++) {
		if (strcmp(c->macro_stack[i], name) == 0) {
			error_at(c, t, n->pos.off, "macro '%s' refers to itself", name);
			return NULL;
		}
	}
	if (c->depth == MAX_MACRO_DEPTH) {
		error_at(c, t, n->pos.off, "macros nested deeper than %d", MAX_MACRO_DEPTH);
		return NULL;
	}
	struct cond_error perr;
	struct cond_node *tree = cond_parse(m->condition.str, m->condition.len, &perr);
	if (!tree) {
		error_at(c, &m->condition, perr.off, "macro '%s': %s", name, perr.reason);
		return NULL;
	}
	c->macro_stack[c->depth++] = name;
	struct expr *e = compile_node(c, tree, &m->condition);
	c->depth--;
	cond_free(tree);
	return e;
}

static struct expr *compile_cmp(struct cctx *c, const struct cond_node *n,
				const struct rules_text *t)
{
	char err[256];
	struct field_ref ref;
	const struct cond_field *f = &n->cmp.field;
	if (field_resolve(f->name, f->arg, &ref, err, sizeof(err)) != 0) {
		error_at(c, t, f->pos.off, "%s", err);
		return NULL;
	}
	if (ref.def->support == FS_NO && !c->unsupported)
		c->unsupported = ref.def;
	struct vals v = {0};
	if (n->kind == COND_CMP && push_value(&v, c->rs, &n->cmp.value) != 0) {
		error_at(c, t, n->cmp.value.pos.off, "list too deep or out of memory");
		free(v.s);
		free(v.len);
		return NULL;
	}
	struct expr *e = expr_cmp(&ref, op_map[n->cmp.op], v.s, v.len, v.n, err, sizeof(err));
	if (!e)
		error_at(c, t, n->kind == COND_CMP ? n->cmp.value.pos.off : n->cmp.op_pos.off, "%s",
			 err);
	free(v.s);
	free(v.len);
	return e;
}

static struct expr *compile_node(struct cctx *c, const struct cond_node *n,
				 const struct rules_text *t)
{
	switch (n->kind) {
	case COND_AND:
		return expr_and(compile_node(c, n->bin.left, t), compile_node(c, n->bin.right, t));
	case COND_OR:
		return expr_or(compile_node(c, n->bin.left, t), compile_node(c, n->bin.right, t));
	case COND_NOT: return expr_not(compile_node(c, n->child, t));
	case COND_GROUP: return compile_node(c, n->child, t);
	case COND_MACRO: return compile_macro(c, n, t);
	case COND_CMP:
	case COND_UNARY: return compile_cmp(c, n, t);
	}
	return NULL;
}

/* Parse and compile one condition text (a rule's). */
static struct expr *compile_text(struct cctx *c, const struct rules_text *t)
{
	struct cond_error perr;
	struct cond_node *tree = cond_parse(t->str, t->len, &perr);
	if (!tree) {
		error_at(c, t, perr.off, "%s", perr.reason);
		return NULL;
	}
	struct expr *e = compile_node(c, tree, t);
	cond_free(tree);
	return e;
}

static void disable(struct compiled_rule *out, const char *why, const char *what)
{
	out->enabled = false;
	snprintf(out->disabled_why, sizeof(out->disabled_why), "%s%s%s", why, what ? " " : "",
		 what ? what : "");
}

int compile_rule(const struct ruleset *rs, const struct rules_rule *r, struct compiled_rule *out,
		 struct vigil_diag *diags)
{
	char item[300], err[256];
	snprintf(item, sizeof(item), "rule '%s'", r->name);
	memset(out, 0, sizeof(*out));
	out->src = r;
	out->enabled = r->enabled;
	if (!r->enabled)
		disable(out, "disabled in the rules file", NULL);
	struct cctx c = {.rs = rs, .diags = diags, .item = item};
	size_t errors_before = diags ? diags->nerrors : 0;
	struct expr *cond = compile_text(&c, &r->condition);
	struct expr *exc = cond ? compile_exceptions(rs, r, diags, item, &c.unsupported) : NULL;
	if (cond && exc)
		cond = expr_and(cond, expr_not(exc));
	out->output = output_compile(r->output.str, r->output.len, err, sizeof(err));
	if (!out->output)
		vigil_diag_add(diags, VIGIL_DIAG_ERROR, &r->output.pos, item, "output: %s", err);
	if (!cond || !out->output || (diags && diags->nerrors > errors_before)) {
		expr_free(cond);
		disable(out, "does not compile", NULL);
		return -1;
	}
	out->cond = cond;
	out->any_type = !expr_event_types(cond, &out->types);
	/* Tamper checks are traced whenever vigil runs, on whatever syscall
	 * they catch: a rule on vigil.tamper sees them all without making
	 * every syscall traced (docs/rules.md). */
	out->tamper_watch = out->any_type && expr_uses_field(cond, "vigil.tamper");
	out->needs_result = expr_uses_result(cond);
	out->needs_writes = expr_uses_field(cond, "proc.is_exe_upper_layer");
	/* fd.l4proto, and the type of a dup'ed socket, are learned from socket calls. */
	bool dups = vigil_sc_set_has(&out->types, VIGIL_SC_DUP) ||
		    vigil_sc_set_has(&out->types, VIGIL_SC_DUP2) ||
		    vigil_sc_set_has(&out->types, VIGIL_SC_DUP3);
	out->needs_sockets = expr_uses_field(cond, "fd.l4proto") ||
			     (dups && (expr_uses_field(cond, "fd.type") ||
				       expr_uses_field(cond, "fd.typechar") ||
				       expr_uses_field(cond, "fd.sockfamily")));
	bool fim = strcmp(r->source, "fim") == 0;
	if (fim) { /* FIM rules see only FIM changes, and need nothing traced */
		memset(&out->types, 0, sizeof(out->types));
		vigil_sc_set_add(&out->types, VIGIL_SC_FIM);
		out->any_type = false;
		out->needs_result = out->needs_writes = out->needs_sockets = false;
	} else {
		vigil_sc_set_del(&out->types, VIGIL_SC_FIM);
	}
	if (!fim && strcmp(r->source, "syscall") != 0) {
		if (r->enabled)
			vigil_diag_add(diags, VIGIL_DIAG_WARNING, &r->pos, item,
				       "source '%s' is not available in vigil: rule disabled",
				       r->source);
		disable(out, "source not available:", r->source);
	} else if (c.unsupported) {
		if (r->enabled)
			vigil_diag_add(
				diags, VIGIL_DIAG_WARNING, &r->condition.pos, item,
				"needs field %s, which vigil does not produce: rule disabled",
				c.unsupported->name);
		disable(out, "needs field", c.unsupported->name);
	}
	return 0;
}

void compiled_rule_free(struct compiled_rule *r)
{
	expr_free(r->cond);
	output_free(r->output);
	r->cond = NULL;
	r->output = NULL;
}
