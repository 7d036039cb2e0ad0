/*
 * compile_exceptions.c — Falco rule exceptions into one expression.
 *
 * With `fields: [f1, f2]` and `comps: [c1, c2]` (default `=`), each value
 * is a tuple [v1, v2] and matches when f1 c1 v1 and f2 c2 v2; a value item
 * may itself be a list for in/intersects/pmatch. With `fields: f` (one
 * name), `comps` is one of in/intersects/pmatch (default `in`) and the
 * values are the list. The rule fires only when no value of any exception
 * matches: cond and not (exc1 or exc2 ...).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/compile_internal.h"

struct ectx {
	struct vigil_diag *diags;
	const char *item;
	const struct rules_exception *x;
	const struct field_def **unsupported;
};

static struct expr *fail(struct ectx *c, const struct vigil_pos *pos, const char *msg)
{
	vigil_diag_add(c->diags, VIGIL_DIAG_ERROR, pos, c->item, "exception '%s': %s", c->x->name,
		       msg);
	return NULL;
}

/* One comparison "field comp value(s)". */
static struct expr *one_cmp(struct ectx *c, const struct rules_value *field, const char *comp,
			    const struct rules_value *val)
{
	char err[256];
	struct field_ref ref;
	char name[128];
	const char *arg = NULL;
	snprintf(name, sizeof(name), "%s", field->str);
	char *br = strchr(name, '['); /* proc.aname[2] written as one string */
	if (br && name[strlen(name) - 1] == ']') {
		name[strlen(name) - 1] = '\0';
		*br = '\0';
		arg = br + 1;
	}
	if (field_resolve(name, arg, &ref, err, sizeof(err)) != 0)
		return fail(c, &field->pos, err);
	if (ref.def->support == FS_NO && !*c->unsupported)
		*c->unsupported = ref.def;
	int op = expr_op_parse(comp, strlen(comp));
	if (op < 0) {
		snprintf(err, sizeof(err), "unknown comparison '%s'", comp);
		return fail(c, &field->pos, err);
	}
	size_t n = val->is_list ? val->nitems : 1;
	const char **vs = calloc(n ? n : 1, sizeof(*vs));
	size_t *ls = calloc(n ? n : 1, sizeof(*ls));
	struct expr *e = NULL;
	if (vs && ls) {
		bool ok = true;
		for (size_t i = 0; i < n; i++) {
			const struct rules_value *it = val->is_list ? &val->items[i] : val;
			ok = ok && !it->is_list && it->str;
			vs[i] = ok ? it->str : "";
			ls[i] = ok ? strlen(it->str) : 0;
		}
		if (!ok)
			fail(c, &val->pos, "a value item must be a string");
		else if (!(e = expr_cmp(&ref, (enum expr_op)op, vs, ls, n, err, sizeof(err))))
			fail(c, &val->pos, err);
	}
	free(vs);
	free(ls);
	return e;
}

/* Exception with a list of fields: OR over value tuples of AND over fields. */
static struct expr *tuple_form(struct ectx *c)
{
	const struct rules_exception *x = c->x;
	size_t nf = x->fields.nitems;
	struct expr *any = NULL;
	for (size_t v = 0; v < x->nvalues; v++) {
		const struct rules_value *tuple = &x->values[v];
		if (!tuple->is_list || tuple->nitems != nf)
			return expr_free(any),
			       fail(c, &tuple->pos, "each value needs one entry per field");
		struct expr *all = NULL;
		for (size_t i = 0; i < nf; i++) {
			const char *comp =
				x->comps.is_list && i < x->comps.nitems && x->comps.items[i].str
					? x->comps.items[i].str
					: "=";
			struct expr *e = one_cmp(c, &x->fields.items[i], comp, &tuple->items[i]);
			if (!e)
				return expr_free(all), expr_free(any), NULL;
			all = all ? expr_and(all, e) : e;
		}
		any = any ? expr_or(any, all) : all;
	}
	return any;
}

static struct expr *single_form(struct ectx *c)
{
	const struct rules_exception *x = c->x;
	if (x->nvalues == 0)
		return NULL;
	const char *comp = x->comps.str && !x->comps.is_list ? x->comps.str : "in";
	struct rules_value list = {
		.pos = x->values[0].pos, .is_list = true, .items = x->values, .nitems = x->nvalues};
	return one_cmp(c, &x->fields, comp, &list);
}

struct expr *compile_exceptions(const struct ruleset *rs, const struct rules_rule *r,
				struct vigil_diag *diags, const char *item,
				const struct field_def **unsupported)
{
	(void)rs;
	struct expr *any = NULL;
	for (size_t i = 0; i < r->nexceptions; i++) {
		struct ectx c = {diags, item, &r->exceptions[i], unsupported};
		const struct rules_exception *x = c.x;
		if (x->nvalues == 0)
			continue; /* an exception with no values yet excludes nothing */
		struct expr *e = x->fields.is_list ? tuple_form(&c) : single_form(&c);
		if (!e) {
			expr_free(any);
			return NULL;
		}
		any = any ? expr_or(any, e) : e;
	}
	return any;
}
