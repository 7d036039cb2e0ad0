/* ruleset.c — the rule set: storage, lookups, and loading files in order.
 *
 * Lists, macros and rules are kept in definition order with a name index.
 * Each file is read item by item (rules_yaml.c), each item merged as soon
 * as it is read (rules_merge.c), so only one item is ever held apart from
 * the YAML tree. A file applies as one transaction: an entry is copied
 * before its first change in this load (the old one goes to an undo log),
 * new ones are appended; on any error the undo log puts everything back.
 * After a file's first error its remaining items are still read, to report
 * their errors too, but no longer merged.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rules/rules_internal.h"

const char *rules_set_entry_name(enum rules_kind k, const void *p)
{
	switch (k) {
	case RS_LIST: return ((const struct rules_list *)p)->name;
	case RS_MACRO: return ((const struct rules_macro *)p)->name;
	default: return ((const struct rules_rule *)p)->name;
	}
}

void rules_set_entry_free(enum rules_kind k, void *p)
{
	if (!p)
		return;
	if (k == RS_LIST)
		rules_list_clear(p);
	else if (k == RS_MACRO)
		rules_macro_clear(p);
	else
		rules_rule_clear(p);
	free(p);
}

static void *entry_copy(enum rules_kind k, const void *src)
{
	static const size_t sizes[] = {sizeof(struct rules_list), sizeof(struct rules_macro),
				       sizeof(struct rules_rule)};
	void *p = malloc(sizes[k]);
	if (!p)
		return NULL;
	int rc = k == RS_LIST	 ? rules_list_copy(p, src)
		 : k == RS_MACRO ? rules_macro_copy(p, src)
				 : rules_rule_copy(p, src);
	if (rc != 0) {
		free(p);
		return NULL;
	}
	return p;
}

struct ruleset *ruleset_new(void)
{
	return calloc(1, sizeof(struct ruleset));
}

void ruleset_free(struct ruleset *rs)
{
	if (!rs)
		return;
	for (int k = 0; k < 3; k++) {
		for (size_t i = 0; i < rs->e[k].n; i++)
			rules_set_entry_free((enum rules_kind)k, rs->e[k].v[i]);
		free(rs->e[k].v);
		free(rs->e[k].gen);
		vigil_strmap_free(&rs->e[k].idx);
	}
	for (size_t i = 0; i < rs->nplugins; i++)
		rules_plugin_req_clear(&rs->plugins[i]);
	free(rs->plugins);
	for (size_t i = 0; i < rs->nfiles; i++)
		free(rs->files[i]);
	free(rs->files);
	free(rs->undo);
	free(rs);
}

/* ---- slots, copy-on-write, undo ---- */

int rules_set_find(const struct ruleset *rs, enum rules_kind k, const char *name, size_t *slot)
{
	return vigil_strmap_get(&rs->e[k].idx, name, slot);
}

/* Put p in slot (replacing what is there) or, slot == n, at the end. */
int rules_set_put(struct ruleset *rs, enum rules_kind k, size_t slot, void *p)
{
	struct rules_entries *e = &rs->e[k];
	if (slot == e->n) {
		if (e->n == e->cap) {
			size_t cap = e->cap ? e->cap * 2 : 64;
			void **v = realloc(e->v, cap * sizeof(*v));
			if (!v)
				return -1;
			e->v = v;
			uint32_t *g = realloc(e->gen, cap * sizeof(*g));
			if (!g)
				return -1;
			e->gen = g;
			e->cap = cap;
		}
		if (vigil_strmap_put(&e->idx, rules_set_entry_name(k, p), slot) != 0)
			return -1;
		e->v[e->n] = p;
		e->gen[e->n++] = rs->gen;
		return 0;
	}
	if (e->gen[slot] != rs->gen) {
		if (rs->nundo == rs->undo_cap) {
			size_t cap = rs->undo_cap ? rs->undo_cap * 2 : 32;
			struct rules_undo *u = realloc(rs->undo, cap * sizeof(*u));
			if (!u)
				return -1;
			rs->undo = u;
			rs->undo_cap = cap;
		}
	}
	if (vigil_strmap_put(&e->idx, rules_set_entry_name(k, p), slot) != 0)
		return -1;
	if (e->gen[slot] == rs->gen) {
		rules_set_entry_free(k, e->v[slot]); /* made earlier in this same load */
	} else {
		struct rules_undo *u = &rs->undo[rs->nundo++];
		u->kind = k;
		u->slot = slot;
		u->old = e->v[slot];
		u->old_gen = e->gen[slot];
	}
	e->v[slot] = p;
	e->gen[slot] = rs->gen;
	return 0;
}

/* The entry in slot, copied first if this load has not touched it yet. */
void *rules_set_writable(struct ruleset *rs, enum rules_kind k, size_t slot)
{
	struct rules_entries *e = &rs->e[k];
	if (e->gen[slot] == rs->gen)
		return e->v[slot];
	void *p = entry_copy(k, e->v[slot]);
	if (!p)
		return NULL;
	if (rules_set_put(rs, k, slot, p) != 0) {
		rules_set_entry_free(k, p);
		return NULL;
	}
	return p;
}

struct txn {
	size_t n[3];
	size_t nplugins;
	bool has_engine;
	uint32_t engine[3];
	struct vigil_pos engine_pos;
	uint32_t seq;
};

static void txn_begin(struct ruleset *rs, struct txn *t)
{
	rs->gen++;
	rs->nundo = 0;
	for (int k = 0; k < 3; k++)
		t->n[k] = rs->e[k].n;
	t->nplugins = rs->nplugins;
	t->has_engine = rs->has_engine;
	memcpy(t->engine, rs->engine, sizeof(t->engine));
	t->engine_pos = rs->engine_pos;
	t->seq = rs->seq;
}

static void txn_commit(struct ruleset *rs)
{
	for (size_t i = 0; i < rs->nundo; i++)
		rules_set_entry_free(rs->undo[i].kind, rs->undo[i].old);
	rs->nundo = 0;
}

void rules_set_engine_fmt(struct ruleset *rs)
{
	snprintf(rs->engine_str, sizeof(rs->engine_str), "%u.%u.%u", rs->engine[0], rs->engine[1],
		 rs->engine[2]);
}

static void txn_rollback(struct ruleset *rs, const struct txn *t)
{
	for (size_t i = rs->nundo; i-- > 0;) {
		struct rules_undo *u = &rs->undo[i];
		struct rules_entries *e = &rs->e[u->kind];
		rules_set_entry_free(u->kind, e->v[u->slot]);
		e->v[u->slot] = u->old;
		e->gen[u->slot] = u->old_gen;
	}
	rs->nundo = 0;
	for (int k = 0; k < 3; k++) {
		struct rules_entries *e = &rs->e[k];
		while (e->n > t->n[k])
			rules_set_entry_free((enum rules_kind)k, e->v[--e->n]);
		/* rebuild the index: same size as before, so no allocation fails */
		if (e->idx.cap)
			memset(e->idx.slots, 0, e->idx.cap * sizeof(*e->idx.slots));
		e->idx.n = 0;
		for (size_t i = 0; i < e->n; i++)
			vigil_strmap_put(&e->idx, rules_set_entry_name((enum rules_kind)k, e->v[i]),
					 i);
	}
	while (rs->nplugins > t->nplugins)
		rules_plugin_req_clear(&rs->plugins[--rs->nplugins]);
	rs->has_engine = t->has_engine;
	memcpy(rs->engine, t->engine, sizeof(t->engine));
	rs->engine_pos = t->engine_pos;
	rules_set_engine_fmt(rs);
	rs->seq = t->seq;
}

/* ---- loading ---- */

static const char *intern_file(struct ruleset *rs, const char *name)
{
	for (size_t i = rs->nfiles; i-- > 0;)
		if (!strcmp(rs->files[i], name))
			return rs->files[i];
	char **v = realloc(rs->files, (rs->nfiles + 1) * sizeof(*v));
	if (!v)
		return NULL;
	rs->files = v;
	if (!(v[rs->nfiles] = strdup(name)))
		return NULL;
	return v[rs->nfiles++];
}

struct merge_ctx {
	struct ruleset *rs;
	struct vigil_dctx *dc;
};

static void merge_one(void *ctx, struct ritem *it)
{
	struct merge_ctx *m = ctx;
	rules_merge_item(m->rs, m->dc, it);
}

int ruleset_load_buffer(struct ruleset *rs, const char *name, const char *buf, size_t len,
			struct vigil_diag *diags)
{
	struct vigil_dctx dc = {.d = diags, .file = name ? name : "<rules>"};
	if (len > RULES_MAX_FILE_BYTES) {
		vigil_dctx_add(&dc, VIGIL_DIAG_ERROR, 0, 0, NULL, "rules file larger than %u bytes",
			       RULES_MAX_FILE_BYTES);
		return -1;
	}
	const char *file = intern_file(rs, dc.file);
	if (!file) {
		vigil_dctx_add(&dc, VIGIL_DIAG_ERROR, 0, 0, NULL, "out of memory");
		return -1;
	}
	struct txn t;
	txn_begin(rs, &t);
	struct merge_ctx m = {rs, &dc};
	rules_yaml_read(file, buf ? buf : "", buf ? len : 0, merge_one, &m, &dc);
	if (dc.nerrors) {
		txn_rollback(rs, &t);
		return -1;
	}
	txn_commit(rs);
	return 0;
}

int ruleset_load_file(struct ruleset *rs, const char *path, struct vigil_diag *diags)
{
	struct vigil_dctx dc = {.d = diags, .file = path};
	size_t len = 0;
	char *buf = ydoc_read_file(path, "rules file", RULES_MAX_FILE_BYTES, &len, &dc);
	if (!buf)
		return -1;
	int rc = ruleset_load_buffer(rs, path, buf, len, diags);
	free(buf);
	return rc;
}

/* ---- queries ---- */

#define ACCESSORS(kind, type, K)                                                           \
	size_t ruleset_##kind##_count(const struct ruleset *rs)                            \
	{                                                                                  \
		return rs->e[K].n;                                                         \
	}                                                                                  \
	const struct type *ruleset_##kind##_at(const struct ruleset *rs, size_t i)         \
	{                                                                                  \
		return i < rs->e[K].n ? rs->e[K].v[i] : NULL;                              \
	}                                                                                  \
	const struct type *ruleset_find_##kind(const struct ruleset *rs, const char *name) \
	{                                                                                  \
		size_t slot;                                                               \
		return rules_set_find(rs, K, name, &slot) == 0 ? rs->e[K].v[slot] : NULL;  \
	}

ACCESSORS(rule, rules_rule, RS_RULE)
ACCESSORS(macro, rules_macro, RS_MACRO)
ACCESSORS(list, rules_list, RS_LIST)

const char *ruleset_required_engine_version(const struct ruleset *rs, struct vigil_pos *pos)
{
	if (!rs->has_engine)
		return NULL;
	if (pos)
		*pos = rs->engine_pos;
	return rs->engine_str;
}

size_t ruleset_plugin_req_count(const struct ruleset *rs)
{
	return rs->nplugins;
}

const struct rules_plugin_req *ruleset_plugin_req_at(const struct ruleset *rs, size_t i)
{
	return i < rs->nplugins ? &rs->plugins[i] : NULL;
}
