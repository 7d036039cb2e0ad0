/* config.c — load the YAML configuration file (see config.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/config.h"
#include "analyzer/config_fim.h"
#include "analyzer/rules_paths.h"
#include "vigil/ydoc.h"

#define CONFIG_MAX_BYTES (1024 * 1024)

static const char *const ship_sections[] = {"outputs", "http",	 "queue",   "spool",	    "drain",
					    "file",    "health", "api_key", "falcosidekick"};

void config_init(struct vigil_config *c)
{
	memset(c, 0, sizeof(*c));
	fim_config_init(&c->fim);
}

void config_free(struct vigil_config *c)
{
	for (int i = 0; i < c->n_rules; i++)
		free(c->rules[i]);
	free(c->priority);
	free(c->rule_matching);
	free(c->start_policy);
	fim_config_free(&c->fim);
	for (size_t i = 0; i < c->n_ship; i++) {
		free(c->ship[i].key);
		free(c->ship[i].val);
		free(c->ship[i].where);
	}
	free(c->ship);
	memset(c, 0, sizeof(*c));
}

int config_add_ship(struct vigil_config *c, const char *key, const char *val, const char *where)
{
	struct config_kv *v = realloc(c->ship, (c->n_ship + 1) * sizeof(*v));
	if (!v)
		return -1;
	c->ship = v;
	struct config_kv *kv = &v[c->n_ship];
	kv->key = strdup(key);
	kv->val = strdup(val);
	kv->where = strdup(where);
	if (!kv->key || !kv->val || !kv->where) {
		free(kv->key);
		free(kv->val);
		free(kv->where);
		return -1;
	}
	c->n_ship++;
	return 0;
}

/* Delivery keys: scalars become "section.key" pairs, lists repeat the key. */
static void take_ship(struct vigil_config *c, struct vigil_dctx *dc, const char *prefix,
		      const struct ynode *n)
{
	char where[600];
	if (n->kind == YN_SCALAR) {
		snprintf(where, sizeof(where), "%s:%u:%u", dc->file, n->line, n->col);
		if (config_add_ship(c, prefix, n->null ? "" : n->u.str, where) != 0)
			dc->oom = true;
	} else if (n->kind == YN_SEQ) {
		for (uint32_t i = 0; i < n->n; i++)
			take_ship(c, dc, prefix, n->u.kids[i]);
	} else {
		for (uint32_t i = 0; i < n->n; i++) {
			char key[256];
			snprintf(key, sizeof(key), "%s.%s", prefix, n->u.kids[2 * i]->u.str);
			take_ship(c, dc, key, n->u.kids[2 * i + 1]);
		}
	}
}

static void take_rules(struct vigil_config *c, struct vigil_dctx *dc, const struct ynode *n)
{
	const struct ynode *const *items =
		n->kind == YN_SEQ ? (const struct ynode *const *)n->u.kids : &n;
	uint32_t count = n->kind == YN_SEQ ? n->n : 1;
	for (uint32_t i = 0; i < count; i++) {
		if (items[i]->kind != YN_SCALAR || items[i]->null) {
			vigil_dctx_add(dc, VIGIL_DIAG_ERROR, items[i]->line, items[i]->col, "rules",
				       "expected a rules file path");
		} else if (c->n_rules >= CONFIG_MAX_RULES) {
			vigil_dctx_add(dc, VIGIL_DIAG_ERROR, items[i]->line, items[i]->col, "rules",
				       "more than %d rules files", CONFIG_MAX_RULES);
		} else if (!(c->rules[c->n_rules++] = strdup(items[i]->u.str))) {
			dc->oom = true;
		}
	}
}

static void take_string(struct vigil_dctx *dc, const char *key, const struct ynode *n, char **out)
{
	if (n->kind != YN_SCALAR || n->null) {
		vigil_dctx_add(dc, VIGIL_DIAG_ERROR, n->line, n->col, key, "expected a value");
		return;
	}
	free(*out);
	if (!(*out = strdup(n->u.str)))
		dc->oom = true;
}

/* availability or security; the supervisor applies it (handoff_wire.h). */
static void take_policy(struct vigil_config *c, struct vigil_dctx *dc, const struct ynode *n)
{
	take_string(dc, "start_policy", n, &c->start_policy);
	if (c->start_policy && strcmp(c->start_policy, "availability") != 0 &&
	    strcmp(c->start_policy, "security") != 0)
		vigil_dctx_add(dc, VIGIL_DIAG_ERROR, n->line, n->col, "start_policy",
			       "expected availability or security, not '%s'", c->start_policy);
}

static bool is_ship_section(const char *k)
{
	for (size_t i = 0; i < sizeof(ship_sections) / sizeof(ship_sections[0]); i++)
		if (strcmp(k, ship_sections[i]) == 0)
			return true;
	return false;
}

static void take_top(struct vigil_config *c, struct vigil_dctx *dc, const struct ynode *root)
{
	if (root->kind != YN_MAP) {
		if (!root->null)
			vigil_dctx_add(dc, VIGIL_DIAG_ERROR, root->line, root->col, NULL,
				       "the configuration must be a mapping of keys");
		return;
	}
	for (uint32_t i = 0; i < root->n; i++) {
		const struct ynode *k = root->u.kids[2 * i], *v = root->u.kids[2 * i + 1];
		const char *key = k->u.str;
		if (strcmp(key, "rules") == 0)
			take_rules(c, dc, v);
		else if (strcmp(key, "priority") == 0)
			take_string(dc, key, v, &c->priority);
		else if (strcmp(key, "rule_matching") == 0)
			take_string(dc, key, v, &c->rule_matching);
		else if (strcmp(key, "start_policy") == 0)
			take_policy(c, dc, v);
		else if (strcmp(key, "fim") == 0)
			config_take_fim(c, dc, v);
		else if (is_ship_section(key))
			take_ship(c, dc, key, v);
		else
			vigil_dctx_add(
				dc, VIGIL_DIAG_ERROR, k->line, k->col, key,
				"unknown key (expected rules, priority, rule_matching, "
				"start_policy, fim, "
				"outputs, "
				"http, queue, spool, drain, file, health, api_key, falcosidekick)");
	}
}

static int parse_with(struct vigil_config *c, const char *name, const char *buf, size_t len,
		      struct vigil_diag *diags,
		      void (*take)(struct vigil_config *, struct vigil_dctx *,
				   const struct ynode *))
{
	struct vigil_dctx dc = {diags, name, 0, 0, 0, false};
	struct ydoc doc;
	int rc = ydoc_parse(buf, len, &dc, &doc);
	if (rc == 0) {
		if (doc.ndocs)
			take(c, &dc, doc.docs[0]);
		ydoc_free(&doc);
	}
	if (dc.oom)
		vigil_dctx_add(&dc, VIGIL_DIAG_ERROR, 0, 0, NULL, "out of memory");
	return rc == 0 && dc.nerrors == 0 ? 0 : -1;
}

/* Read path and hand its first document to `take`. */
static int load_with(struct vigil_config *c, const char *path, struct vigil_diag *diags,
		     void (*take)(struct vigil_config *, struct vigil_dctx *, const struct ynode *))
{
	struct vigil_dctx dc = {diags, path, 0, 0, 0, false};
	size_t len = 0;
	char *buf = ydoc_read_file(path, "configuration file", CONFIG_MAX_BYTES, &len, &dc);
	if (!buf)
		return -1;
	int rc = parse_with(c, path, buf, len, diags, take);
	free(buf);
	return rc;
}

int config_load_buffer(struct vigil_config *c, const char *name, const char *buf, size_t len,
		       struct vigil_diag *diags)
{
	return parse_with(c, name, buf, len, diags, take_top);
}

int config_load_file(struct vigil_config *c, const char *path, struct vigil_diag *diags)
{
	return load_with(c, path, diags, take_top);
}

static void take_profile(struct vigil_config *c, struct vigil_dctx *dc, const struct ynode *root)
{
	const struct ynode *fim = root->kind == YN_MAP ? ymap_get(root, "fim", NULL) : NULL;
	if (!fim) {
		vigil_dctx_add(dc, VIGIL_DIAG_ERROR, root->line, root->col, NULL,
			       "a FIM profile has one key, fim:");
		return;
	}
	config_take_fim(c, dc, fim);
}

int config_load_profile(struct vigil_config *c, const char *name, struct vigil_diag *diags)
{
	for (const char *p = name; *p; p++)
		if (!(*p >= 'a' && *p <= 'z') && !(*p >= '0' && *p <= '9') && *p != '-') {
			vigil_diag_add(diags, VIGIL_DIAG_ERROR, NULL, "fim.profile",
				       "'%s' is not a profile name (letters, digits, '-')", name);
			return -1;
		}
	char file[128], path[4096];
	snprintf(file, sizeof(file), "fim/%s.yaml", name);
	if (rules_bundled_path(file, path, sizeof(path)) != 0) {
		vigil_diag_add(diags, VIGIL_DIAG_ERROR, NULL, "fim.profile",
			       "no profile '%s' (looked for %s beside the bundled rules)", name,
			       file);
		return -1;
	}
	return load_with(c, path, diags, take_profile);
}
