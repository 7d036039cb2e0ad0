/* engine.c — rule set compilation, the evt.type index, evaluation. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "rules/engine.h"
#include "vigil/prefilter.h"

struct index_list {
	uint32_t *rules; /* indices into e->rules, in definition order */
	size_t n;
};

struct engine {
	struct ruleset *rs;
	struct compiled_rule *rules;
	size_t n_rules;
	struct index_list by_type[VIGIL_SC_COUNT];
	struct index_list any_type; /* rules with no evt.type restriction */
	enum rules_priority min_priority;
	enum engine_matching matching;
	bool compiled;
};

struct engine *engine_new(void)
{
	struct engine *e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->rs = ruleset_new();
	if (!e->rs) {
		free(e);
		return NULL;
	}
	e->min_priority = RULES_PRIO_DEBUG;
	e->matching = ENGINE_MATCH_FIRST;
	return e;
}

static void clear_compiled(struct engine *e)
{
	for (size_t i = 0; i < e->n_rules; i++)
		compiled_rule_free(&e->rules[i]);
	free(e->rules);
	e->rules = NULL;
	e->n_rules = 0;
	for (int t = 0; t < VIGIL_SC_COUNT; t++) {
		free(e->by_type[t].rules);
		e->by_type[t] = (struct index_list){0};
	}
	free(e->any_type.rules);
	e->any_type = (struct index_list){0};
}

void engine_free(struct engine *e)
{
	if (!e)
		return;
	clear_compiled(e);
	ruleset_free(e->rs);
	free(e);
}

static int index_add(struct index_list *l, uint32_t i)
{
	uint32_t *n = realloc(l->rules, (l->n + 1) * sizeof(*n));
	if (!n)
		return -1;
	l->rules = n;
	l->rules[l->n++] = i;
	return 0;
}

static int build_index(struct engine *e)
{
	for (uint32_t i = 0; i < e->n_rules; i++) {
		const struct compiled_rule *r = &e->rules[i];
		if (!r->enabled || r->src->priority > e->min_priority)
			continue;
		if (r->any_type) {
			if (index_add(&e->any_type, i))
				return -1;
			continue;
		}
		for (int t = 1; t < VIGIL_SC_COUNT; t++)
			if (vigil_sc_set_has(&r->types, t) && index_add(&e->by_type[t], i))
				return -1;
	}
	return 0;
}

static int compile_all(struct engine *e, struct vigil_diag *diags)
{
	clear_compiled(e);
	size_t n = ruleset_rule_count(e->rs);
	e->rules = calloc(n ? n : 1, sizeof(*e->rules));
	if (!e->rules)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < n; i++, e->n_rules++)
		if (compile_rule(e->rs, ruleset_rule_at(e->rs, i), &e->rules[i], diags) != 0)
			rc = -1;
	if (build_index(e) != 0)
		return -1;
	e->compiled = true;
	return rc;
}

int engine_load(struct engine *e, const char *const *paths, size_t n, struct vigil_diag *diags)
{
	int rc = 0;
	for (size_t i = 0; i < n; i++)
		if (ruleset_load_file(e->rs, paths[i], diags) != 0)
			rc = -1;
	return compile_all(e, diags) != 0 ? -1 : rc;
}

int engine_load_buffer(struct engine *e, const char *name, const char *buf, size_t len,
		       struct vigil_diag *diags)
{
	int rc = ruleset_load_buffer(e->rs, name, buf, len, diags);
	return compile_all(e, diags) != 0 ? -1 : rc;
}

void engine_set_min_priority(struct engine *e, enum rules_priority p)
{
	e->min_priority = p;
	if (e->compiled) { /* the index holds only rules at or above the minimum */
		for (int t = 0; t < VIGIL_SC_COUNT; t++) {
			free(e->by_type[t].rules);
			e->by_type[t] = (struct index_list){0};
		}
		free(e->any_type.rules);
		e->any_type = (struct index_list){0};
		build_index(e);
	}
}

void engine_set_matching(struct engine *e, enum engine_matching m)
{
	e->matching = m;
}

/* Walk two sorted index lists in definition order, as Falco evaluates rules. */
size_t engine_eval(const struct engine *e, const struct vigil_event *ev,
		   const struct field_ctx *ctx, engine_match_fn fn, void *arg)
{
	static const struct index_list none;
	const struct index_list *a = ev->type < VIGIL_SC_COUNT ? &e->by_type[ev->type] : &none;
	/* Rules without an evt.type restriction are syscall rules: FIM changes
	 * only meet the rules of source fim, indexed under VIGIL_SC_FIM. */
	const struct index_list *b = ev->kind == VIGIL_EV_FIM ? &none : &e->any_type;
	size_t i = 0, j = 0, matches = 0;
	while (i < a->n || j < b->n) {
		uint32_t r = (j >= b->n || (i < a->n && a->rules[i] < b->rules[j])) ? a->rules[i++]
										    : b->rules[j++];
		const struct compiled_rule *cr = &e->rules[r];
		if (!expr_eval(cr->cond, ev, ctx))
			continue;
		matches++;
		if (fn)
			fn(cr, ev, arg);
		if (e->matching == ENGINE_MATCH_FIRST)
			break;
	}
	return matches;
}

/* Syscalls that write files: what proc.is_exe_upper_layer learns from
 * (with the opens, vigil_sc_set_add_opens()). */
static const int write_syscalls[] = {VIGIL_SC_RENAME, VIGIL_SC_RENAMEAT, VIGIL_SC_RENAMEAT2,
				     VIGIL_SC_LINK, VIGIL_SC_LINKAT};

/* Syscalls that create sockets: what fd.l4proto learns from (results needed). */
static const int socket_syscalls[] = {VIGIL_SC_SOCKET, VIGIL_SC_ACCEPT, VIGIL_SC_ACCEPT4,
				      VIGIL_SC_DUP,    VIGIL_SC_DUP2,	VIGIL_SC_DUP3};

static bool any_active(const struct engine *e, size_t flag_offset)
{
	for (size_t i = 0; i < e->n_rules; i++) {
		const struct compiled_rule *r = &e->rules[i];
		if (r->enabled && r->src->priority <= e->min_priority &&
		    *(const bool *)((const char *)r + flag_offset))
			return true;
	}
	return false;
}

static void add_all(vigil_sc_set *set, const int *ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		vigil_sc_set_add(set, ids[i]);
}

bool engine_syscalls(const struct engine *e, vigil_sc_set *set)
{
	memset(set, 0, sizeof(*set));
	bool restricted = true;
	for (size_t i = 0; i < e->any_type.n; i++)
		restricted = restricted && e->rules[e->any_type.rules[i]].tamper_watch;
	for (int t = 1; t < VIGIL_SC_COUNT; t++)
		if (e->by_type[t].n || !restricted)
			vigil_sc_set_add(set, t);
	if (any_active(e, offsetof(struct compiled_rule, needs_writes))) {
		vigil_sc_set_add_opens(set);
		add_all(set, write_syscalls, sizeof(write_syscalls) / sizeof(write_syscalls[0]));
	}
	if (any_active(e, offsetof(struct compiled_rule, needs_sockets)))
		add_all(set, socket_syscalls, sizeof(socket_syscalls) / sizeof(socket_syscalls[0]));
	return restricted;
}

void engine_result_syscalls(const struct engine *e, vigil_sc_set *set)
{
	memset(set, 0, sizeof(*set));
	if (any_active(e, offsetof(struct compiled_rule, needs_sockets)))
		add_all(set, socket_syscalls, sizeof(socket_syscalls) / sizeof(socket_syscalls[0]));
	for (size_t i = 0; i < e->n_rules; i++) {
		const struct compiled_rule *r = &e->rules[i];
		if (!r->enabled || !r->needs_result || r->src->priority > e->min_priority)
			continue;
		for (size_t w = 0; w < sizeof(set->bits) / sizeof(set->bits[0]); w++)
			set->bits[w] |= r->any_type && !r->tamper_watch ? ~0ull : r->types.bits[w];
	}
}

static bool can_open(const struct compiled_rule *r)
{
	if (r->any_type)
		return true;
	for (int t = 1; t < VIGIL_SC_COUNT; t++)
		if (vigil_sc_opens_file(t) && vigil_sc_set_has(&r->types, t))
			return true;
	return false;
}

void engine_open_prefilter(const struct engine *e, struct prefilter *pf)
{
	memset(pf, 0, sizeof(*pf));
	pf->active = true;
	for (size_t i = 0; i < e->n_rules; i++) {
		const struct compiled_rule *r = &e->rules[i];
		if (!r->enabled || !r->needs_result || r->src->priority > e->min_priority ||
		    !can_open(r))
			continue;
		if (!expr_path_constraint(r->cond, pf)) {
			prefilter_free(pf);
			pf->active = false;
			return;
		}
	}
}

/* Keep the predicates of `one` that name a path exactly. */
static void keep_exact(struct prefilter *pf, const struct prefilter *one)
{
	for (size_t i = 0; i < one->n; i++) {
		const struct prefilter_pred *p = &one->preds[i];
		if ((p->op == PF_EQ || p->op == PF_DIR) && p->len && p->s[0] == '/')
			prefilter_add(pf, p->op, p->s, p->len); /* ENOMEM: one path fewer */
	}
}

void engine_open_watch_paths(const struct engine *e, struct prefilter *pf)
{
	memset(pf, 0, sizeof(*pf));
	pf->active = true;
	pf->exact = true;
	for (size_t i = 0; i < e->n_rules; i++) {
		const struct compiled_rule *r = &e->rules[i];
		if (!r->enabled || r->src->priority > e->min_priority || !can_open(r))
			continue;
		struct prefilter one = {.active = true, .exact = true};
		if (expr_path_constraint(r->cond, &one))
			keep_exact(pf, &one);
		prefilter_free(&one);
	}
}

size_t engine_rule_count(const struct engine *e)
{
	return e->n_rules;
}

const struct compiled_rule *engine_rule_at(const struct engine *e, size_t i)
{
	return i < e->n_rules ? &e->rules[i] : NULL;
}

size_t engine_enabled_count(const struct engine *e)
{
	size_t n = 0;
	for (size_t i = 0; i < e->n_rules; i++)
		n += e->rules[i].enabled;
	return n;
}
