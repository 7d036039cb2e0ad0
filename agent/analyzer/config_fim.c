/*
 * config_fim.c — fim: {profile, db, paths: [...], intervals} (docs/fim.md).
 *
 * A path is a string (watched recursively, every attribute) or a mapping
 * with path, recursive, include, exclude, attributes and tags.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/config_fim.h"
#include "fim/entry.h"
#include "fim/scan.h"

#define ERR(n, key, ...) vigil_dctx_add(dc, VIGIL_DIAG_ERROR, (n)->line, (n)->col, key, __VA_ARGS__)

static bool scalar(const struct ynode *n)
{
	return n->kind == YN_SCALAR && !n->null;
}

static int take_uint(struct vigil_dctx *dc, const char *key, const struct ynode *n, unsigned max,
		     unsigned *out)
{
	char *end;
	errno = 0;
	unsigned long v = scalar(n) ? strtoul(n->u.str, &end, 10) : 0;
	if (!scalar(n) || errno || *end || end == n->u.str || v > max || n->u.str[0] == '-') {
		ERR(n, key, "expected a whole number from 0 to %u", max);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

static bool take_bool(struct vigil_dctx *dc, const char *key, const struct ynode *n, bool *out)
{
	if (scalar(n) && (strcmp(n->u.str, "true") == 0 || strcmp(n->u.str, "false") == 0)) {
		*out = n->u.str[0] == 't';
		return true;
	}
	ERR(n, key, "expected true or false");
	return false;
}

/* A string or a list of strings, each passed to add. */
static void take_strings(struct vigil_dctx *dc, const char *key, const struct ynode *n,
			 int (*add)(void *ctx, const char *s), void *ctx)
{
	const struct ynode *const *items =
		n->kind == YN_SEQ ? (const struct ynode *const *)n->u.kids : &n;
	uint32_t count = n->kind == YN_SEQ ? n->n : 1;
	for (uint32_t i = 0; i < count; i++) {
		if (!scalar(items[i]))
			ERR(items[i], key, "expected a string");
		else if (add(ctx, items[i]->u.str) != 0)
			dc->oom = true;
	}
}

struct list_ctx {
	char ***list;
	size_t *n;
};

static int add_to_list(void *ctx, const char *s)
{
	struct list_ctx *l = ctx;
	return fim_strlist_add(l->list, l->n, s);
}

static int add_tag(void *ctx, const char *s)
{
	char **tags = ctx;
	size_t old = *tags ? strlen(*tags) : 0;
	char *n = realloc(*tags, old + strlen(s) + 2);
	if (!n)
		return -1;
	if (old)
		n[old++] = ',';
	strcpy(n + old, s);
	*tags = n;
	return 0;
}

static void take_attrs(struct vigil_dctx *dc, const struct ynode *n, struct fim_watch_cfg *w)
{
	uint32_t all = 0;
	const struct ynode *const *items =
		n->kind == YN_SEQ ? (const struct ynode *const *)n->u.kids : &n;
	uint32_t count = n->kind == YN_SEQ ? n->n : 1;
	for (uint32_t i = 0; i < count; i++) {
		uint32_t bits;
		char bad[80];
		if (!scalar(items[i]) ||
		    fim_attrs_parse(items[i]->u.str, &bits, bad, sizeof(bad)) != 0) {
			ERR(items[i], "attributes",
			    "unknown attribute '%s' (type mode uid gid size mtime ctime "
			    "inode nlink target xattrs sha256, or all)",
			    scalar(items[i]) ? bad : "");
			return;
		}
		all |= bits;
	}
	w->attrs = all;
}

static void take_path_map(struct vigil_config *c, struct vigil_dctx *dc, const struct ynode *n)
{
	const struct ynode *p = ymap_get(n, "path", NULL);
	if (!p || !scalar(p) || p->u.str[0] != '/') {
		ERR(p ? p : n, "path", "each FIM path needs path: with an absolute path");
		return;
	}
	struct fim_watch_cfg *w = fim_config_add(&c->fim, p->u.str);
	if (!w) {
		dc->oom = true;
		return;
	}
	for (uint32_t i = 0; i < n->n; i++) {
		const char *k = n->u.kids[2 * i]->u.str;
		const struct ynode *v = n->u.kids[2 * i + 1];
		if (strcmp(k, "path") == 0)
			continue;
		if (strcmp(k, "recursive") == 0)
			take_bool(dc, k, v, &w->recursive);
		else if (strcmp(k, "include") == 0)
			take_strings(dc, k, v, add_to_list,
				     &(struct list_ctx){&w->include, &w->n_include});
		else if (strcmp(k, "exclude") == 0)
			take_strings(dc, k, v, add_to_list,
				     &(struct list_ctx){&w->exclude, &w->n_exclude});
		else if (strcmp(k, "attributes") == 0)
			take_attrs(dc, v, w);
		else if (strcmp(k, "tags") == 0)
			take_strings(dc, k, v, add_tag, &w->tags);
		else
			ERR(n->u.kids[2 * i], k,
			    "unknown key (path, recursive, include, exclude, attributes, tags)");
	}
}

static void take_paths(struct vigil_config *c, struct vigil_dctx *dc, const struct ynode *n)
{
	if (n->kind != YN_SEQ) {
		ERR(n, "paths", "expected a list of paths");
		return;
	}
	for (uint32_t i = 0; i < n->n; i++) {
		const struct ynode *it = n->u.kids[i];
		if (scalar(it) && it->u.str[0] == '/') {
			if (!fim_config_add(&c->fim, it->u.str))
				dc->oom = true;
		} else if (it->kind == YN_MAP) {
			take_path_map(c, dc, it);
		} else {
			ERR(it, "paths", "expected an absolute path or a mapping with path:");
		}
	}
}

static void take_profile(struct vigil_config *c, struct vigil_dctx *dc, const struct ynode *n)
{
	static int depth; /* a profile naming a profile: one level is plenty */
	if (!scalar(n) || depth > 0) {
		ERR(n, "profile",
		    depth ? "a profile cannot name another profile" : "expected a profile name");
		return;
	}
	depth++;
	if (config_load_profile(c, n->u.str, dc->d) != 0)
		ERR(n, "profile", "profile '%s' did not load (see above)", n->u.str);
	depth--;
}

void config_take_fim(struct vigil_config *c, struct vigil_dctx *dc, const struct ynode *fim)
{
	if (fim->kind != YN_MAP) {
		ERR(fim, "fim", "expected a mapping (paths, profile, db, ...)");
		return;
	}
	struct fim_config *f = &c->fim;
	for (uint32_t i = 0; i < fim->n; i++) {
		const struct ynode *k = fim->u.kids[2 * i], *v = fim->u.kids[2 * i + 1];
		const char *key = k->u.str;
		if (strcmp(key, "paths") == 0)
			take_paths(c, dc, v);
		else if (strcmp(key, "profile") == 0)
			take_profile(c, dc, v);
		else if (strcmp(key, "db") == 0 && scalar(v)) {
			free(f->db_path);
			if (!(f->db_path = strdup(v->u.str)))
				dc->oom = true;
		} else if (strcmp(key, "reconcile_interval_s") == 0)
			take_uint(dc, key, v, 7 * 86400, &f->reconcile_s);
		else if (strcmp(key, "unwatched_scan_interval_s") == 0)
			take_uint(dc, key, v, 86400, &f->degraded_scan_s);
		else if (strcmp(key, "coalesce_ms") == 0)
			take_uint(dc, key, v, 60000, &f->coalesce_ms);
		else if (strcmp(key, "max_delay_ms") == 0)
			take_uint(dc, key, v, 600000, &f->max_delay_ms);
		else if (strcmp(key, "hash_workers") == 0) {
			unsigned n;
			if (take_uint(dc, key, v, 256, &n) == 0)
				f->hash_workers = (int)n;
		} else
			ERR(k, key,
			    "unknown key (paths, profile, db, reconcile_interval_s, "
			    "unwatched_scan_interval_s, coalesce_ms, max_delay_ms, hash_workers)");
	}
}

int config_add_fim_path(struct vigil_config *c, const char *path)
{
	char *abs = fim_abspath(path);
	struct fim_watch_cfg *w = abs ? fim_config_add(&c->fim, abs) : NULL;
	free(abs);
	return w ? 0 : -1;
}
