/* rules_items.c — lists, macros, rules and exceptions: freeing, copying,
 * and the checks on an exception's shape that Falco makes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules_internal.h"

/* Comparison operators of Falco's condition language (libsinsp's list, as
 * the condition parser accepts them), hence what an exception may use. */
static const char *const operators[] = {
	"=",	       "==",	     "!=",     "<",	   "<=",	">",	     ">=",
	"in",	       "intersects", "pmatch", "contains", "icontains", "bcontains", "startswith",
	"bstartswith", "endswith",   "glob",   "iglob",	   "exists",	"regex",
};

static bool rules_is_operator(const char *op)
{
	for (size_t i = 0; i < sizeof(operators) / sizeof(operators[0]); i++)
		if (strcmp(op, operators[i]) == 0)
			return true;
	return false;
}

static bool is_set_operator(const char *op)
{
	return !strcmp(op, "in") || !strcmp(op, "intersects") || !strcmp(op, "pmatch");
}

/* ---- free / copy ---- */

void rules_value_clear(struct rules_value *v)
{
	free(v->str);
	for (size_t i = 0; i < v->nitems; i++)
		rules_value_clear(&v->items[i]);
	free(v->items);
	memset(v, 0, sizeof(*v));
}

static int rules_value_copy(struct rules_value *dst, const struct rules_value *src);

/* Deep-copy n values into a new array *dst; *copied counts the ones done,
 * so the caller's clear frees exactly those on failure. */
static int copy_values(struct rules_value **dst, size_t *copied, const struct rules_value *src,
		       size_t n)
{
	*dst = NULL;
	*copied = 0;
	if (!n)
		return 0;
	if (!(*dst = calloc(n, sizeof(**dst))))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (rules_value_copy(&(*dst)[i], &src[i]) != 0)
			return -1;
		*copied = i + 1;
	}
	return 0;
}

static int rules_value_copy(struct rules_value *dst, const struct rules_value *src)
{
	*dst = *src;
	dst->str = NULL;
	dst->items = NULL;
	dst->nitems = 0;
	if ((src->str && !(dst->str = strdup(src->str))) ||
	    copy_values(&dst->items, &dst->nitems, src->items, src->nitems) != 0) {
		rules_value_clear(dst);
		return -1;
	}
	return 0;
}

void rules_exception_clear(struct rules_exception *e)
{
	free(e->name);
	rules_value_clear(&e->fields);
	rules_value_clear(&e->comps);
	for (size_t i = 0; i < e->nvalues; i++)
		rules_value_clear(&e->values[i]);
	free(e->values);
	memset(e, 0, sizeof(*e));
}

static int rules_exception_copy(struct rules_exception *dst, const struct rules_exception *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->pos = src->pos;
	if (!(dst->name = rules_strdup(src->name)) && src->name)
		goto oom;
	if (rules_value_copy(&dst->fields, &src->fields) ||
	    rules_value_copy(&dst->comps, &src->comps) ||
	    copy_values(&dst->values, &dst->nvalues, src->values, src->nvalues) != 0)
		goto oom;
	return 0;
oom:
	rules_exception_clear(dst);
	return -1;
}

void rules_list_clear(struct rules_list *l)
{
	free(l->name);
	for (size_t i = 0; i < l->nitems; i++)
		free(l->items[i].str);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

int rules_list_copy(struct rules_list *dst, const struct rules_list *src)
{
	*dst = *src;
	dst->items = NULL;
	dst->nitems = 0;
	if (!(dst->name = strdup(src->name)))
		return -1;
	if (src->nitems) {
		dst->items = calloc(src->nitems, sizeof(*dst->items));
		if (!dst->items)
			goto oom;
		for (size_t i = 0; i < src->nitems; i++) {
			dst->items[i].pos = src->items[i].pos;
			if (!(dst->items[i].str = strdup(src->items[i].str)))
				goto oom;
			dst->nitems = i + 1;
		}
	}
	return 0;
oom:
	rules_list_clear(dst);
	return -1;
}

void rules_macro_clear(struct rules_macro *m)
{
	free(m->name);
	rules_text_clear(&m->condition);
	memset(m, 0, sizeof(*m));
}

int rules_macro_copy(struct rules_macro *dst, const struct rules_macro *src)
{
	*dst = *src;
	memset(&dst->condition, 0, sizeof(dst->condition));
	if (!(dst->name = strdup(src->name)))
		return -1;
	if (rules_text_copy(&dst->condition, &src->condition) != 0) {
		rules_macro_clear(dst);
		return -1;
	}
	return 0;
}

void rules_rule_clear(struct rules_rule *r)
{
	free(r->name);
	rules_text_clear(&r->condition);
	rules_text_clear(&r->output);
	free(r->desc);
	free(r->source);
	for (size_t i = 0; i < r->ntags; i++)
		free(r->tags[i]);
	free(r->tags);
	for (size_t i = 0; i < r->nexceptions; i++)
		rules_exception_clear(&r->exceptions[i]);
	free(r->exceptions);
	memset(r, 0, sizeof(*r));
}

int rules_rule_copy(struct rules_rule *dst, const struct rules_rule *src)
{
	*dst = *src;
	dst->name = dst->desc = dst->source = NULL;
	memset(&dst->condition, 0, sizeof(dst->condition));
	memset(&dst->output, 0, sizeof(dst->output));
	dst->tags = NULL;
	dst->ntags = 0;
	dst->exceptions = NULL;
	dst->nexceptions = 0;
	if (!(dst->name = rules_strdup(src->name)) && src->name)
		goto oom;
	if (!(dst->desc = rules_strdup(src->desc)) && src->desc)
		goto oom;
	if (!(dst->source = rules_strdup(src->source)) && src->source)
		goto oom;
	if (rules_text_copy(&dst->condition, &src->condition) ||
	    rules_text_copy(&dst->output, &src->output))
		goto oom;
	if (src->ntags) {
		dst->tags = calloc(src->ntags, sizeof(*dst->tags));
		if (!dst->tags)
			goto oom;
		for (size_t i = 0; i < src->ntags; i++) {
			if (!(dst->tags[i] = strdup(src->tags[i])))
				goto oom;
			dst->ntags = i + 1;
		}
	}
	if (src->nexceptions) {
		dst->exceptions = calloc(src->nexceptions, sizeof(*dst->exceptions));
		if (!dst->exceptions)
			goto oom;
		for (size_t i = 0; i < src->nexceptions; i++) {
			if (rules_exception_copy(&dst->exceptions[i], &src->exceptions[i]) != 0)
				goto oom;
			dst->nexceptions = i + 1;
		}
	}
	return 0;
oom:
	rules_rule_clear(dst);
	return -1;
}

void rules_plugin_req_clear(struct rules_plugin_req *p)
{
	free(p->name);
	free(p->version);
	for (size_t i = 0; i < p->nalternatives; i++)
		rules_plugin_req_clear(&p->alternatives[i]);
	free(p->alternatives);
	memset(p, 0, sizeof(*p));
}

/* ---- exception checks ---- */

int rules_exception_check_shape(struct rules_exception *e, char *msg, size_t msglen,
				struct vigil_pos *at)
{
	struct rules_value *f = &e->fields, *c = &e->comps;
	bool has_comps = c->is_list || c->str;
	*at = has_comps ? c->pos : f->pos;
	if (f->is_list) {
		if (!f->nitems) {
			*at = f->pos;
			snprintf(msg, msglen, "'fields' must not be an empty list");
			return -1;
		}
		if (!has_comps) { /* Falco: one "=" per field */
			c->is_list = true;
			c->pos = f->pos;
			c->items = calloc(f->nitems, sizeof(*c->items));
			if (!c->items)
				goto oom;
			for (size_t i = 0; i < f->nitems; i++) {
				c->items[i].pos = f->items[i].pos;
				if (!(c->items[i].str = strdup("=")))
					goto oom;
				c->nitems = i + 1;
			}
			return 0;
		}
		if (!c->is_list) {
			snprintf(msg, msglen, "'comps' must be a list when 'fields' is a list");
			return -1;
		}
		if (c->nitems != f->nitems) {
			snprintf(msg, msglen,
				 "'fields' and 'comps' must have the same length (%zu and %zu)",
				 f->nitems, c->nitems);
			return -1;
		}
		for (size_t i = 0; i < c->nitems; i++) {
			if (!rules_is_operator(c->items[i].str)) {
				*at = c->items[i].pos;
				snprintf(msg, msglen, "'%.100s' is not a comparison operator",
					 c->items[i].str);
				return -1;
			}
		}
		return 0;
	}
	if (!has_comps) { /* Falco: a single field defaults to "in" */
		c->pos = f->pos;
		if (!(c->str = strdup("in")))
			goto oom;
		return 0;
	}
	if (c->is_list) {
		snprintf(msg, msglen,
			 "'comps' must be a single operator when 'fields' is a single field");
		return -1;
	}
	if (!is_set_operator(c->str)) {
		snprintf(msg, msglen,
			 "when 'fields' is a single field, 'comps' must be one of in, pmatch, "
			 "intersects (got '%.100s')",
			 c->str);
		return -1;
	}
	return 0;
oom:
	snprintf(msg, msglen, "out of memory");
	return -1;
}

int rules_exception_check_values(const struct rules_exception *shape,
				 const struct rules_value *values, size_t nvalues, char *msg,
				 size_t msglen, struct vigil_pos *at)
{
	const struct rules_value *f = &shape->fields, *c = &shape->comps;
	for (size_t i = 0; i < nvalues; i++) {
		const struct rules_value *v = &values[i];
		*at = v->pos;
		if (!f->is_list) {
			if (v->is_list) {
				snprintf(msg, msglen,
					 "each value must be a string when 'fields' is a single "
					 "field");
				return -1;
			}
			continue;
		}
		if (!v->is_list || v->nitems != f->nitems) {
			snprintf(msg, msglen,
				 "each value must be a list of %zu entries, one per field",
				 f->nitems);
			return -1;
		}
		for (size_t k = 0; k < v->nitems; k++) {
			const struct rules_value *e = &v->items[k];
			if (!e->is_list)
				continue;
			*at = e->pos;
			if (!is_set_operator(c->items[k].str)) {
				snprintf(msg, msglen,
					 "the entry for '%.100s' is a list, but its comp '%s' "
					 "takes a single value",
					 f->items[k].str, c->items[k].str);
				return -1;
			}
			for (size_t j = 0; j < e->nitems; j++) {
				if (e->items[j].is_list) {
					*at = e->items[j].pos;
					snprintf(msg, msglen, "a value list may only hold strings");
					return -1;
				}
			}
		}
	}
	return 0;
}

int rules_tags_merge(char ***tags, size_t *ntags, char *const *add, size_t nadd)
{
	struct vigil_strmap seen = {0};
	bool use_map = *ntags + nadd > 32; /* small sets: a scan is cheaper */
	for (size_t i = 0; use_map && i < *ntags; i++)
		if (vigil_strmap_put(&seen, (*tags)[i], i) != 0)
			goto oom;
	for (size_t i = 0; i < nadd; i++) {
		size_t idx;
		bool dup = false;
		if (use_map)
			dup = vigil_strmap_get(&seen, add[i], &idx) == 0;
		for (size_t k = 0; !use_map && !dup && k < *ntags; k++)
			dup = !strcmp((*tags)[k], add[i]);
		if (dup)
			continue;
		char **v = rules_grow(*tags, (*ntags + 1) * sizeof(*v));
		if (!v)
			goto oom;
		*tags = v;
		if (!(v[*ntags] = strdup(add[i])))
			goto oom;
		(*ntags)++;
		if (use_map && vigil_strmap_put(&seen, v[*ntags - 1], *ntags - 1) != 0)
			goto oom;
	}
	vigil_strmap_free(&seen);
	return 0;
oom:
	vigil_strmap_free(&seen);
	return -1;
}
