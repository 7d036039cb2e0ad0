/* rules_yaml_values.c — typed values of rules-file items from YAML nodes:
 * strings, booleans, lists, texts, tags, exceptions and `override:` maps,
 * each checked with the position of the offending key or value. Used by
 * rules_yaml.c, which reads whole items.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules_internal.h"

void ry_err(struct rules_rd *r, const struct ynode *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vigil_dctx_vadd(r->dc, VIGIL_DIAG_ERROR, n->line, n->col, r->label, fmt, ap);
	va_end(ap);
	r->err = true;
}

void ry_warn(struct rules_rd *r, const struct ynode *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vigil_dctx_vadd(r->dc, VIGIL_DIAG_WARNING, n->line, n->col, r->label, fmt, ap);
	va_end(ap);
}

void ry_oom(struct rules_rd *r, const struct ynode *n)
{
	if (!r->oom)
		ry_err(r, n, "out of memory");
	r->oom = true;
}

struct vigil_pos ry_pos(const struct rules_rd *r, const struct ynode *n)
{
	struct vigil_pos p = {r->file, n->line, n->col};
	return p;
}

const char *ry_kind_name(const struct ynode *n)
{
	if (n->kind == YN_SEQ)
		return "a list";
	if (n->kind == YN_MAP)
		return "a mapping";
	return n->null ? "no value" : "a string";
}

/* ---- "did you mean" ---- */

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 40 || lb > 40)
		return 99;
	size_t row[41];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/* " (did you mean 'x'?)" for the closest of names, or "". */
void ry_suggest(char *out, size_t outlen, const char *key, const char *const *names)
{
	size_t best = 3;
	const char *pick = NULL;
	for (; *names; names++) {
		size_t d = edit_distance(key, *names);
		if (d < best) {
			best = d;
			pick = *names;
		}
	}
	if (pick)
		snprintf(out, outlen, " (did you mean '%s'?)", pick);
	else
		out[0] = '\0';
}

/* Every key of map must be in allowed; returns the keys found as bits
 * (bit i for allowed[i]). */
uint32_t ry_check_keys(struct rules_rd *r, const struct ynode *map, const char *const *allowed)
{
	uint32_t found = 0;
	for (uint32_t i = 0; i < map->n; i++) {
		const struct ynode *k = map->u.kids[2 * i];
		size_t a = 0;
		while (allowed[a] && strcmp(allowed[a], k->u.str) != 0)
			a++;
		if (allowed[a]) {
			found |= 1u << a;
			continue;
		}
		char hint[64];
		ry_suggest(hint, sizeof(hint), k->u.str, allowed);
		ry_err(r, k, "unknown key '%.100s'%s", k->u.str, hint);
	}
	return found;
}

/* ---- typed values ---- */

/* A non-empty string; NULL (error reported) otherwise. */
char *ry_string(struct rules_rd *r, const char *key, const struct ynode *v)
{
	if (v->kind != YN_SCALAR || v->null) {
		ry_err(r, v, "key '%s' must be a string, got %s", key, ry_kind_name(v));
		return NULL;
	}
	if (!v->n) {
		ry_err(r, v, "key '%s' must not be empty", key);
		return NULL;
	}
	char *s = strdup(v->u.str);
	if (!s)
		ry_oom(r, v);
	return s;
}

bool ry_bool(struct rules_rd *r, const char *key, const struct ynode *v, bool *out)
{
	static const char *const yes[] = {"true", "True", "TRUE", "yes", "Yes", "YES",
					  "on",	  "On",	  "ON",	  "y",	 "Y",	NULL};
	static const char *const no[] = {"false", "False", "FALSE", "no", "No", "NO",
					 "off",	  "Off",   "OFF",   "n",  "N",	NULL};
	if (v->kind == YN_SCALAR && !v->null) {
		for (size_t i = 0; yes[i]; i++)
			if (!strcmp(v->u.str, yes[i]))
				return *out = true, true;
		for (size_t i = 0; no[i]; i++)
			if (!strcmp(v->u.str, no[i]))
				return *out = false, true;
		ry_err(r, v, "key '%s' must be a boolean (true or false), got '%.100s'", key,
		       v->u.str);
		return false;
	}
	ry_err(r, v, "key '%s' must be a boolean (true or false), got %s", key, ry_kind_name(v));
	return false;
}

/* A list of strings (may be empty). */
bool ry_strlist(struct rules_rd *r, const char *key, const struct ynode *v, struct rules_str **out,
		size_t *nout)
{
	*out = NULL;
	*nout = 0;
	if (v->kind != YN_SEQ) {
		ry_err(r, v, "key '%s' must be a list of strings, got %s", key, ry_kind_name(v));
		return false;
	}
	for (uint32_t i = 0; i < v->n; i++) {
		const struct ynode *e = v->u.kids[i];
		if (e->kind != YN_SCALAR || e->null) {
			ry_err(r, e, "key '%s' must be a list of strings, but entry %u is %s", key,
			       i + 1, ry_kind_name(e));
			return false;
		}
	}
	if (!v->n)
		return true;
	struct rules_str *s = calloc(v->n, sizeof(*s));
	if (!s) {
		ry_oom(r, v);
		return false;
	}
	for (uint32_t i = 0; i < v->n; i++) {
		s[i].pos = ry_pos(r, v->u.kids[i]);
		if (!(s[i].str = strdup(v->u.kids[i]->u.str))) {
			for (uint32_t k = 0; k < i; k++)
				free(s[k].str);
			free(s);
			ry_oom(r, v);
			return false;
		}
	}
	*out = s;
	*nout = v->n;
	return true;
}

bool ry_text(struct rules_rd *r, const char *key, const struct ynode *v, struct rules_text *t)
{
	if (v->kind != YN_SCALAR || v->null) {
		ry_err(r, v, "key '%s' must be a string, got %s", key, ry_kind_name(v));
		return false;
	}
	if (!v->n) {
		ry_err(r, v, "key '%s' must not be empty", key);
		return false;
	}
	if (rules_text_from_node(t, v, r->buf, r->len, r->file) != 0) {
		ry_oom(r, v);
		return false;
	}
	return true;
}

bool ry_tags(struct rules_rd *r, const struct ynode *v, struct rules_rule *rule)
{
	struct rules_str *s;
	size_t n;
	if (!ry_strlist(r, "tags", v, &s, &n))
		return false;
	char **names = n ? malloc(n * sizeof(*names)) : NULL;
	bool ok = !n || names;
	for (size_t i = 0; ok && i < n; i++)
		names[i] = s[i].str;
	if (ok && rules_tags_merge(&rule->tags, &rule->ntags, names, n) != 0)
		ok = false;
	if (!ok)
		ry_oom(r, v);
	else if (rule->ntags > RULES_MAX_TAGS)
		ry_err(r, v, "more than %d tags", RULES_MAX_TAGS);
	for (size_t i = 0; i < n; i++)
		free(s[i].str);
	free(s);
	free(names);
	return ok;
}

/* ---- exceptions ---- */

/* A string, or a list of (lists of) strings, `depth` list levels at most. */
static bool get_value(struct rules_rd *r, const char *what, const struct ynode *v, int depth,
		      struct rules_value *out)
{
	memset(out, 0, sizeof(*out));
	out->pos = ry_pos(r, v);
	if (v->kind == YN_SCALAR && !v->null) {
		if (!(out->str = strdup(v->u.str))) {
			ry_oom(r, v);
			return false;
		}
		return true;
	}
	if (v->kind != YN_SEQ || depth == 0) {
		ry_err(r, v, "%s must be %s, got %s", what,
		       depth == 0 ? "a string" : "a string or a list", ry_kind_name(v));
		return false;
	}
	out->is_list = true;
	if (!v->n)
		return true;
	out->items = calloc(v->n, sizeof(*out->items));
	if (!out->items) {
		ry_oom(r, v);
		return false;
	}
	for (uint32_t i = 0; i < v->n; i++) {
		if (!get_value(r, what, v->u.kids[i], depth - 1, &out->items[i])) {
			rules_value_clear(out);
			return false;
		}
		out->nitems = i + 1;
	}
	return true;
}

static const char *const exception_keys[] = {"name", "fields", "comps", "values", NULL};

/* One exception entry. `full`: a definition (fields needed, defaults and
 * shape checked now); otherwise an append, checked when merged. */
static bool read_exception(struct rules_rd *r, const struct ynode *ex, bool full,
			   struct rules_exception *e)
{
	memset(e, 0, sizeof(*e));
	e->pos = ry_pos(r, ex);
	if (ex->kind != YN_MAP) {
		ry_err(r, ex,
		       "each exception must be a mapping with name, fields, comps, values; got %s",
		       ry_kind_name(ex));
		return false;
	}
	bool before = r->err;
	r->err = false;
	ry_check_keys(r, ex, exception_keys);
	const struct ynode *k, *v;
	if (!(v = ymap_get(ex, "name", &k)))
		ry_err(r, ex, "exception is missing required key 'name'");
	else
		e->name = ry_string(r, "name", v);
	if ((v = ymap_get(ex, "fields", &k))) {
		if (get_value(r, "'fields'", v, 1, &e->fields) && e->fields.is_list && v->n == 0)
			ry_err(r, v, "'fields' must not be an empty list");
	} else if (full && e->name) {
		ry_err(r, ex, "exception '%.100s' is missing required key 'fields'", e->name);
	}
	if ((v = ymap_get(ex, "comps", &k)))
		get_value(r, "'comps'", v, 1, &e->comps);
	if ((v = ymap_get(ex, "values", &k))) {
		if (v->kind != YN_SEQ) {
			ry_err(r, v, "'values' must be a list, got %s", ry_kind_name(v));
		} else if (v->n) {
			e->values = calloc(v->n, sizeof(*e->values));
			if (!e->values)
				ry_oom(r, v);
			for (uint32_t i = 0; e->values && i < v->n && !r->err; i++) {
				if (get_value(r, "an exception value", v->u.kids[i], 2,
					      &e->values[i]))
					e->nvalues = i + 1;
			}
		}
	} else if (!full && e->name) {
		ry_warn(r, ex, "appending to exception '%.100s' with no values", e->name);
	}
	if (!r->err && full) {
		char msg[256];
		struct vigil_pos at;
		if (rules_exception_check_shape(e, msg, sizeof(msg), &at) != 0 ||
		    rules_exception_check_values(e, e->values, e->nvalues, msg, sizeof(msg), &at) !=
			    0) {
			vigil_dctx_add(r->dc, VIGIL_DIAG_ERROR, at.line, at.col, r->label,
				       "exception '%.100s': %s", e->name, msg);
			r->err = true;
		}
	}
	bool ok = !r->err;
	r->err = r->err || before;
	return ok;
}

void ry_exceptions(struct rules_rd *r, const struct ynode *v, bool full, struct rules_rule *rule)
{
	if (v->kind == YN_SCALAR && v->null)
		return; /* Falco: an empty exceptions key is allowed */
	if (v->kind != YN_SEQ) {
		ry_err(r, v, "key 'exceptions' must be a list of exceptions, got %s",
		       ry_kind_name(v));
		return;
	}
	if (!v->n)
		return;
	if (v->n > RULES_MAX_EXCEPTIONS) {
		ry_err(r, v, "more than %d exceptions", RULES_MAX_EXCEPTIONS);
		return;
	}
	rule->exceptions = calloc(v->n, sizeof(*rule->exceptions));
	if (!rule->exceptions) {
		ry_oom(r, v);
		return;
	}
	struct vigil_strmap names = {0};
	for (uint32_t i = 0; i < v->n; i++) {
		struct rules_exception *e = &rule->exceptions[rule->nexceptions];
		if (!read_exception(r, v->u.kids[i], full, e)) {
			rules_exception_clear(e);
			continue;
		}
		size_t first;
		if (vigil_strmap_get(&names, e->name, &first) == 0)
			ry_err(r, v->u.kids[i], "exception '%.100s' is defined twice in this item",
			       e->name);
		else if (vigil_strmap_put(&names, e->name, rule->nexceptions) != 0)
			ry_oom(r, v);
		rule->nexceptions++;
	}
	vigil_strmap_free(&names);
}

/* ---- override ---- */

/* `override:` map: key -> append|replace, each key allowed for the op. */
void ry_override(struct rules_rd *r, const struct ynode *v, const struct rules_keyinfo *keys,
		 uint32_t can_append, uint32_t can_replace, struct ritem *it)
{
	if (v->kind != YN_MAP || !v->n) {
		ry_err(r, v, "key 'override' must be a mapping of key: append or replace, got %s",
		       v->kind == YN_MAP ? "an empty mapping" : ry_kind_name(v));
		return;
	}
	for (uint32_t i = 0; i < v->n; i++) {
		const struct ynode *k = v->u.kids[2 * i], *op = v->u.kids[2 * i + 1];
		uint32_t bit = 0;
		for (const struct rules_keyinfo *ki = keys; ki->name; ki++)
			if (!strcmp(ki->name, k->u.str))
				bit = ki->bit;
		if (!(bit & (can_append | can_replace))) {
			ry_err(r, k, "key '%.100s' cannot be overridden", k->u.str);
			continue;
		}
		if (op->kind == YN_SCALAR && !strcmp(op->u.str, "append")) {
			if (!(bit & can_append))
				ry_err(r, op, "key '%s' cannot be appended to; use 'replace'",
				       k->u.str);
			it->ov_append |= bit;
		} else if (op->kind == YN_SCALAR && !strcmp(op->u.str, "replace")) {
			it->ov_replace |= bit;
		} else {
			ry_err(r, op, "override of '%s' must be %s, got %s%.100s%s", k->u.str,
			       (bit & can_append) ? "'append' or 'replace'" : "'replace'",
			       op->kind == YN_SCALAR && !op->null ? "'" : "",
			       op->kind == YN_SCALAR && !op->null ? op->u.str : ry_kind_name(op),
			       op->kind == YN_SCALAR && !op->null ? "'" : "");
		}
	}
}

/* With an override, every overridable key present must be named in it and
 * every key it names must be present. */
void ry_check_override_keys(struct rules_rd *r, const struct ynode *item,
			    const struct ynode *ovnode, const struct rules_keyinfo *keys,
			    uint32_t overridable, const struct ritem *it)
{
	uint32_t named = it->ov_append | it->ov_replace;
	for (const struct rules_keyinfo *ki = keys; ki->name; ki++) /* named, if with a bad op */
		if (ymap_get(ovnode, ki->name, NULL))
			named |= ki->bit;
	for (const struct rules_keyinfo *ki = keys; ki->name; ki++) {
		if (!(ki->bit & overridable))
			continue;
		const struct ynode *k;
		bool present = ymap_get(item, ki->name, &k) != NULL;
		if (present && !(named & ki->bit))
			ry_err(r, k,
			       "key '%s' has no entry under 'override' (say append or replace)",
			       ki->name);
		if (!present && (named & ki->bit)) {
			const struct ynode *ok;
			ymap_get(ovnode, ki->name, &ok);
			ry_err(r, ok, "override names '%s' but the item has no '%s'", ki->name,
			       ki->name);
		}
	}
}

/* `append: true` -> 1, false -> 0, absent -> 0, bad -> -1. */
int ry_append_flag(struct rules_rd *r, const struct ynode *item, const struct ynode **key)
{
	const struct ynode *v = ymap_get(item, "append", key);
	bool b = false;
	if (!v)
		return 0;
	if (!ry_bool(r, "append", v, &b))
		return -1;
	if (b)
		ry_warn(r, *key, "'append' is deprecated; use 'override' instead");
	return b ? 1 : 0;
}
