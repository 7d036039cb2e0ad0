/* rules_merge.c — Falco's semantics for merging one item into the set.
 *
 * As Falco documents them ("Overriding Rules", "Rule Exceptions"):
 *   - a full definition replaces an earlier one of the same name, in its
 *     place (definition order never changes); a rule may not change source;
 *   - `append: true` (deprecated) adds list items, or text to a macro's or
 *     rule's condition joined by one space, or rule exceptions (values
 *     appended to an exception of the same name, new exceptions added);
 *   - `override:` appends or replaces key by key: lists `items`, macros
 *     `condition` (append or replace); rules append condition, output,
 *     desc (joined by a space), tags (set union), exceptions (as above),
 *     and replace those plus priority, enabled, warn_evttypes and
 *     skip-if-unknown-filter;
 *   - a rule item with only `enabled` switches an earlier rule on or off;
 *   - appending to, overriding or enabling something not defined before
 *     (in this file or an earlier one) is an error.
 * Changes go through rules_set_writable()/rules_set_put() so that
 * ruleset.c can undo them if the file turns out to have an error.
 */
#include <stdlib.h>
#include <string.h>

#include "rules/rules_internal.h"

struct ap {
	struct ruleset *rs;
	struct vigil_dctx *dc;
	const struct ritem *it;
};

static void ap_err(struct ap *a, const struct vigil_pos *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void ap_err(struct ap *a, const struct vigil_pos *at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vigil_dctx_vadd(a->dc, VIGIL_DIAG_ERROR, at->line, at->col, a->it->label, fmt, ap);
	va_end(ap);
}

static void ap_oom(struct ap *a)
{
	ap_err(a, &a->it->pos, "out of memory");
}

static const char *kind_word(enum rules_kind k)
{
	return k == RS_LIST ? "list" : k == RS_MACRO ? "macro" : "rule";
}

static const char *mode_verb(enum ritem_mode m)
{
	return m == RM_APPEND ? "append to" : m == RM_OVERRIDE ? "override" : "enable or disable";
}

/* Slot of the earlier definition an update needs; reports if there is none. */
static bool need_prev(struct ap *a, enum rules_kind k, const char *name, size_t *slot)
{
	if (rules_set_find(a->rs, k, name, slot) == 0)
		return true;
	ap_err(a, &a->it->pos,
	       "nothing to %s: no %s of this name is defined earlier (files load in order)",
	       mode_verb(a->it->mode), kind_word(k));
	return false;
}

/* Move a parsed definition into a fresh entry in its slot (or at the end). */
static void define(struct ap *a, enum rules_kind k, void *item_part, size_t size)
{
	void *p = malloc(size);
	if (!p) {
		ap_oom(a);
		return;
	}
	memcpy(p, item_part, size);
	memset(item_part, 0, size);
	size_t slot;
	if (rules_set_find(a->rs, k, rules_set_entry_name(k, p), &slot) != 0)
		slot = a->rs->e[k].n;
	if (rules_set_put(a->rs, k, slot, p) != 0) {
		rules_set_entry_free(k, p);
		ap_oom(a);
	}
}

static void apply_list(struct ap *a, struct ritem *it)
{
	struct rules_list *l = &it->list;
	l->pos = it->pos;
	l->visibility = ++a->rs->seq;
	size_t slot;
	if (it->mode == RM_DEFINE) {
		define(a, RS_LIST, l, sizeof(*l));
		return;
	}
	if (!need_prev(a, RS_LIST, l->name, &slot))
		return;
	if (it->mode == RM_OVERRIDE) { /* items: replace */
		define(a, RS_LIST, l, sizeof(*l));
		return;
	}
	struct rules_list *prev = rules_set_writable(a->rs, RS_LIST, slot);
	if (!prev) {
		ap_oom(a);
		return;
	}
	if (l->nitems) {
		struct rules_str *v =
			rules_grow(prev->items, (prev->nitems + l->nitems) * sizeof(*v));
		if (!v) {
			ap_oom(a);
			return;
		}
		memcpy(v + prev->nitems, l->items, l->nitems * sizeof(*v));
		prev->items = v;
		prev->nitems += l->nitems;
		free(l->items);
		l->items = NULL;
		l->nitems = 0;
	}
	prev->visibility = l->visibility;
}

static void apply_macro(struct ap *a, struct ritem *it)
{
	struct rules_macro *m = &it->macro;
	m->pos = it->pos;
	m->visibility = ++a->rs->seq;
	size_t slot;
	if (it->mode == RM_DEFINE) {
		define(a, RS_MACRO, m, sizeof(*m));
		return;
	}
	if (!need_prev(a, RS_MACRO, m->name, &slot))
		return;
	if (it->mode == RM_OVERRIDE) { /* condition: replace */
		define(a, RS_MACRO, m, sizeof(*m));
		return;
	}
	struct rules_macro *prev = rules_set_writable(a->rs, RS_MACRO, slot);
	if (!prev || rules_text_append(&prev->condition, &m->condition) != 0) {
		ap_oom(a);
		return;
	}
	prev->visibility = m->visibility;
}

/* Append exceptions of an update to rule r, Falco's way. */
static void append_exceptions(struct ap *a, struct rules_rule *r, struct rules_rule *upd)
{
	char msg[256];
	struct vigil_pos at;
	for (size_t i = 0; i < upd->nexceptions; i++) {
		struct rules_exception *e = &upd->exceptions[i];
		struct rules_exception *prev = NULL;
		for (size_t k = 0; k < r->nexceptions && !prev; k++)
			if (!strcmp(r->exceptions[k].name, e->name))
				prev = &r->exceptions[k];
		if (prev) {
			if (e->fields.is_list || e->fields.str) {
				ap_err(a, &e->fields.pos,
				       "exception '%.100s' exists: only 'values' can be appended "
				       "to it, not 'fields'",
				       e->name);
				continue;
			}
			if (e->comps.is_list || e->comps.str) {
				ap_err(a, &e->comps.pos,
				       "exception '%.100s' exists: only 'values' can be appended "
				       "to it, not 'comps'",
				       e->name);
				continue;
			}
			if (rules_exception_check_values(prev, e->values, e->nvalues, msg,
							 sizeof(msg), &at)) {
				ap_err(a, &at, "exception '%.100s': %s", e->name, msg);
				continue;
			}
			if (!e->nvalues)
				continue;
			struct rules_value *v =
				rules_grow(prev->values, (prev->nvalues + e->nvalues) * sizeof(*v));
			if (!v) {
				ap_oom(a);
				return;
			}
			memcpy(v + prev->nvalues, e->values, e->nvalues * sizeof(*v));
			prev->values = v;
			prev->nvalues += e->nvalues;
			free(e->values);
			e->values = NULL;
			e->nvalues = 0;
			continue;
		}
		if (!e->fields.is_list && !e->fields.str) {
			ap_err(a, &e->pos,
			       "new exception '%.100s' needs 'fields' (rule '%.200s' has no "
			       "exception of that name)",
			       e->name, r->name);
			continue;
		}
		if (!e->nvalues) {
			ap_err(a, &e->pos, "new exception '%.100s' needs 'values'", e->name);
			continue;
		}
		if (rules_exception_check_shape(e, msg, sizeof(msg), &at) ||
		    rules_exception_check_values(e, e->values, e->nvalues, msg, sizeof(msg), &at)) {
			ap_err(a, &at, "exception '%.100s': %s", e->name, msg);
			continue;
		}
		if (r->nexceptions >= RULES_MAX_EXCEPTIONS) {
			ap_err(a, &e->pos, "more than %d exceptions in one rule",
			       RULES_MAX_EXCEPTIONS);
			return;
		}
		struct rules_exception *v =
			rules_grow(r->exceptions, (r->nexceptions + 1) * sizeof(*v));
		if (!v) {
			ap_oom(a);
			return;
		}
		r->exceptions = v;
		r->exceptions[r->nexceptions++] = *e;
		memset(e, 0, sizeof(*e));
	}
}

/* s := s + " " + add */
static int str_append(char **s, const char *add)
{
	size_t a = strlen(*s), b = strlen(add);
	char *n = rules_grow(*s, a + b + 2);
	if (!n)
		return -1;
	n[a] = ' ';
	memcpy(n + a + 1, add, b + 1);
	*s = n;
	return 0;
}

static void rule_appends(struct ap *a, struct rules_rule *r, struct rules_rule *u, uint32_t keys)
{
	int rc = 0;
	if (keys & RK_CONDITION)
		rc |= rules_text_append(&r->condition, &u->condition);
	if (keys & RK_OUTPUT)
		rc |= rules_text_append(&r->output, &u->output);
	if (keys & RK_DESC)
		rc |= str_append(&r->desc, u->desc);
	if (keys & RK_TAGS)
		rc |= rules_tags_merge(&r->tags, &r->ntags, u->tags, u->ntags);
	if (rc)
		ap_oom(a);
	if (r->ntags > RULES_MAX_TAGS)
		ap_err(a, &a->it->pos, "more than %d tags in one rule", RULES_MAX_TAGS);
	if (keys & RK_EXCEPTIONS)
		append_exceptions(a, r, u);
}

#define SWAP(x, y)                      \
	do {                            \
		__typeof__(x) tmp_ = x; \
		x = y;                  \
		y = tmp_;               \
	} while (0)

/* Replaced values move from u into r (r's old ones go with u). */
static void rule_replaces(struct rules_rule *r, struct rules_rule *u, uint32_t keys)
{
	if (keys & RK_CONDITION)
		SWAP(r->condition, u->condition);
	if (keys & RK_OUTPUT)
		SWAP(r->output, u->output);
	if (keys & RK_DESC)
		SWAP(r->desc, u->desc);
	if (keys & RK_PRIORITY)
		r->priority = u->priority;
	if (keys & RK_TAGS) {
		SWAP(r->tags, u->tags);
		SWAP(r->ntags, u->ntags);
	}
	if (keys & RK_EXCEPTIONS) {
		SWAP(r->exceptions, u->exceptions);
		SWAP(r->nexceptions, u->nexceptions);
	}
	if (keys & RK_ENABLED)
		r->enabled = u->enabled;
	if (keys & RK_WARN_EVTTYPES)
		r->warn_evttypes = u->warn_evttypes;
	if (keys & RK_SKIP_UNKNOWN)
		r->skip_if_unknown_filter = u->skip_if_unknown_filter;
}

static void apply_rule(struct ap *a, struct ritem *it)
{
	struct rules_rule *u = &it->rule;
	uint32_t vis = ++a->rs->seq;
	size_t slot;
	if (it->mode == RM_DEFINE) {
		if (rules_set_find(a->rs, RS_RULE, u->name, &slot) == 0) {
			const struct rules_rule *prev = a->rs->e[RS_RULE].v[slot];
			if (strcmp(prev->source, u->source) != 0) {
				ap_err(a, &it->pos,
				       "rule redefined with a different source ('%.100s', it was "
				       "'%.100s')",
				       u->source, prev->source);
				return;
			}
		}
		u->pos = it->pos;
		u->visibility = vis;
		define(a, RS_RULE, u, sizeof(*u));
		return;
	}
	if (!need_prev(a, RS_RULE, u->name, &slot))
		return;
	struct rules_rule *r = rules_set_writable(a->rs, RS_RULE, slot);
	if (!r) {
		ap_oom(a);
		return;
	}
	r->visibility = vis;
	switch (it->mode) {
	case RM_ENABLE: r->enabled = u->enabled; break;
	case RM_APPEND: rule_appends(a, r, u, it->present & (RK_CONDITION | RK_EXCEPTIONS)); break;
	default:
		rule_appends(a, r, u, it->ov_append);
		rule_replaces(r, u, it->ov_replace);
		break;
	}
}

static void apply_engine(struct ap *a, const struct ritem *it)
{
	struct ruleset *rs = a->rs;
	if (rs->has_engine && memcmp(it->ver, rs->engine, sizeof(rs->engine)) != 0) {
		bool newer = false;
		for (int i = 0; i < 3; i++) {
			if (it->ver[i] != rs->engine[i]) {
				newer = it->ver[i] > rs->engine[i];
				break;
			}
		}
		if (!newer)
			return;
	}
	rs->has_engine = true;
	memcpy(rs->engine, it->ver, sizeof(rs->engine));
	rs->engine_pos = it->pos;
	rules_set_engine_fmt(rs);
}

static void apply_plugins(struct ap *a, struct ritem *it)
{
	struct ruleset *rs = a->rs;
	if (!it->nplugins)
		return;
	struct rules_plugin_req *v =
		rules_grow(rs->plugins, (rs->nplugins + it->nplugins) * sizeof(*v));
	if (!v) {
		ap_oom(a);
		return;
	}
	memcpy(v + rs->nplugins, it->plugins, it->nplugins * sizeof(*v));
	rs->plugins = v;
	rs->nplugins += it->nplugins;
	free(it->plugins);
	it->plugins = NULL;
	it->nplugins = 0;
}

/* ---- loading ---- */

void rules_merge_item(struct ruleset *rs, struct vigil_dctx *dc, struct ritem *it)
{
	struct ap a = {rs, dc, it};
	switch (it->kind) {
	case RI_LIST: apply_list(&a, it); break;
	case RI_MACRO: apply_macro(&a, it); break;
	case RI_RULE: apply_rule(&a, it); break;
	case RI_ENGINE: apply_engine(&a, it); break;
	case RI_PLUGINS: apply_plugins(&a, it); break;
	}
}
