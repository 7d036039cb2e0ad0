/* rules_yaml.c — one rules file's YAML trees to checked items.
 *
 * Each top-level entry becomes one `struct ritem` saying what it is (rule,
 * macro, list, version requirement), how it applies (full definition,
 * `append: true`, `override:`, enable-only) and the values it carries.
 * Everything that can be judged from the file alone is checked here, with
 * the position of the key or value at fault: unknown keys, missing keys,
 * wrong types, bad names, exception shapes, override rules. What depends
 * on earlier files (does the rule to append to exist?) is rules_merge.c's;
 * typed values and exceptions are read by rules_yaml_values.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules_internal.h"

/* ---- items ---- */

static void set_label(struct rules_rd *r, struct ritem *it, const char *kind, const char *name)
{
	char buf[320];
	if (name)
		snprintf(buf, sizeof(buf), "%s '%.200s%s'", kind, name,
			 strlen(name) > 200 ? "..." : "");
	else
		snprintf(buf, sizeof(buf), "%s", kind);
	free(it->label);
	it->label = strdup(buf);
	r->label = it->label ? it->label : kind;
}

/* The name under `key`; sets the label. NULL (reported) if bad. */
static char *read_name(struct rules_rd *r, const struct ynode *item, const char *key,
		       struct ritem *it)
{
	const struct ynode *v = ymap_get(item, key, NULL);
	set_label(r, it, key, NULL);
	char *name = ry_string(r, key, v);
	if (name)
		set_label(r, it, key, name);
	return name;
}

/* How a list or macro item applies: `append: true`, or `override:` of its
 * one key (keys[0]) by append or replace, or else a definition. */
static void read_mode(struct rules_rd *r, const struct ynode *item,
		      const struct rules_keyinfo *keys, struct ritem *it)
{
	const struct ynode *akey = NULL, *v;
	int append = ry_append_flag(r, item, &akey);
	if ((v = ymap_get(item, "override", NULL))) {
		if (append > 0)
			ry_err(r, akey, "'append' and 'override' cannot be used together");
		ry_override(r, v, keys, keys[0].bit, keys[0].bit, it);
		it->mode = (it->ov_append & keys[0].bit) ? RM_APPEND : RM_OVERRIDE;
	} else {
		it->mode = append > 0 ? RM_APPEND : RM_DEFINE;
	}
}

static const struct rules_keyinfo list_keys[] = {{"items", RK_ITEMS}, {NULL, 0}};

static void read_list(struct rules_rd *r, const struct ynode *item, struct ritem *it)
{
	static const char *const allowed[] = {"list", "items", "append", "override", NULL};
	it->kind = RI_LIST;
	it->list.name = read_name(r, item, "list", it);
	ry_check_keys(r, item, allowed);
	const char *name = it->list.name;
	if (name && strpbrk(name, "()\"' \t\r\n=,"))
		ry_err(r, ymap_get(item, "list", NULL),
		       "invalid list name: it may not contain spaces, quotes, parentheses, '=' or "
		       "','");
	const struct ynode *v;
	if ((v = ymap_get(item, "items", NULL))) {
		it->present |= RK_ITEMS;
		ry_strlist(r, "items", v, &it->list.items, &it->list.nitems);
	} else {
		ry_err(r, item, "missing required key 'items'");
	}
	read_mode(r, item, list_keys, it);
}

static const struct rules_keyinfo macro_keys[] = {{"condition", RK_CONDITION}, {NULL, 0}};

static void read_macro(struct rules_rd *r, const struct ynode *item, struct ritem *it)
{
	static const char *const allowed[] = {"macro", "condition", "append", "override", NULL};
	it->kind = RI_MACRO;
	it->macro.name = read_name(r, item, "macro", it);
	ry_check_keys(r, item, allowed);
	const char *name = it->macro.name;
	if (name) {
		bool ok = (name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z');
		for (const char *c = name; ok && *c; c++)
			ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			     (*c >= '0' && *c <= '9') || *c == '_';
		if (!ok)
			ry_err(r, ymap_get(item, "macro", NULL),
			       "invalid macro name: it must start with a letter and hold only "
			       "letters, digits and '_'");
	}
	const struct ynode *v;
	if ((v = ymap_get(item, "condition", NULL))) {
		it->present |= RK_CONDITION;
		ry_text(r, "condition", v, &it->macro.condition);
	} else {
		ry_err(r, item, "missing required key 'condition'");
	}
	read_mode(r, item, macro_keys, it);
}

static const struct rules_keyinfo rule_keys[] = {
	{"condition", RK_CONDITION},
	{"output", RK_OUTPUT},
	{"desc", RK_DESC},
	{"priority", RK_PRIORITY},
	{"source", RK_SOURCE},
	{"enabled", RK_ENABLED},
	{"tags", RK_TAGS},
	{"exceptions", RK_EXCEPTIONS},
	{"warn_evttypes", RK_WARN_EVTTYPES},
	{"skip-if-unknown-filter", RK_SKIP_UNKNOWN},
	{NULL, 0},
};

#define RULE_REQUIRED (RK_CONDITION | RK_OUTPUT | RK_DESC | RK_PRIORITY)
#define RULE_APPENDABLE (RK_CONDITION | RK_OUTPUT | RK_DESC | RK_TAGS | RK_EXCEPTIONS)
#define RULE_REPLACEABLE \
	(RULE_APPENDABLE | RK_PRIORITY | RK_ENABLED | RK_WARN_EVTTYPES | RK_SKIP_UNKNOWN)

/* Read the value of every rule key present. `full_exceptions`: exceptions
 * are definitions (not values appended to earlier ones). */
static void read_rule_values(struct rules_rd *r, const struct ynode *item, struct ritem *it,
			     bool full_exceptions)
{
	struct rules_rule *rule = &it->rule;
	for (const struct rules_keyinfo *ki = rule_keys; ki->name; ki++) {
		const struct ynode *v = ymap_get(item, ki->name, NULL);
		if (!v)
			continue;
		it->present |= ki->bit;
		switch (ki->bit) {
		case RK_CONDITION: ry_text(r, "condition", v, &rule->condition); break;
		case RK_OUTPUT:
			if (ry_text(r, "output", v, &rule->output))
				rules_text_trim(&rule->output);
			break;
		case RK_DESC: rule->desc = ry_string(r, "desc", v); break;
		case RK_SOURCE: rule->source = ry_string(r, "source", v); break;
		case RK_ENABLED: ry_bool(r, "enabled", v, &rule->enabled); break;
		case RK_WARN_EVTTYPES: ry_bool(r, "warn_evttypes", v, &rule->warn_evttypes); break;
		case RK_SKIP_UNKNOWN:
			ry_bool(r, "skip-if-unknown-filter", v, &rule->skip_if_unknown_filter);
			break;
		case RK_TAGS: ry_tags(r, v, rule); break;
		case RK_EXCEPTIONS: ry_exceptions(r, v, full_exceptions, rule); break;
		case RK_PRIORITY:
			if (v->kind != YN_SCALAR || v->null)
				ry_err(r, v, "key 'priority' must be a string, got %s",
				       ry_kind_name(v));
			else if (!rules_priority_parse(v->u.str, &rule->priority))
				ry_err(r, v,
				       "key 'priority' must be one of emergency, alert, critical, "
				       "error, warning, notice, informational, debug; got '%.100s'",
				       v->u.str);
			break;
		}
	}
}

static void missing_keys(struct rules_rd *r, const struct ynode *item, uint32_t missing)
{
	char buf[128] = "";
	size_t n = 0;
	for (const struct rules_keyinfo *ki = rule_keys; ki->name; ki++) {
		if (!(missing & ki->bit))
			continue;
		size_t used = strlen(buf);
		snprintf(buf + used, sizeof(buf) - used, "%s'%s'", n ? ", " : "", ki->name);
		n++;
	}
	ry_err(r, item, "missing required key%s %s", n > 1 ? "s" : "", buf);
}

static void read_rule(struct rules_rd *r, const struct ynode *item, struct ritem *it)
{
	static const char *const allowed[] = {
		"rule",
		"condition",
		"output",
		"desc",
		"priority",
		"source",
		"enabled",
		"tags",
		"exceptions",
		"override",
		"append",
		"warn_evttypes",
		"skip-if-unknown-filter",
		NULL,
	};
	struct rules_rule *rule = &it->rule;
	it->kind = RI_RULE;
	rule->name = read_name(r, item, "rule", it);
	rule->enabled = true;
	rule->warn_evttypes = true;
	ry_check_keys(r, item, allowed);

	const struct ynode *akey = NULL, *okey = NULL, *ov;
	int append = ry_append_flag(r, item, &akey);
	uint32_t has = 0;
	for (const struct rules_keyinfo *ki = rule_keys; ki->name; ki++)
		if (ymap_get(item, ki->name, NULL))
			has |= ki->bit;

	if ((ov = ymap_get(item, "override", &okey))) {
		it->mode = RM_OVERRIDE;
		if (append > 0)
			ry_err(r, akey, "'append' and 'override' cannot be used together");
		ry_override(r, ov, rule_keys, RULE_APPENDABLE, RULE_REPLACEABLE, it);
		if (ov->kind == YN_MAP)
			ry_check_override_keys(r, item, ov, rule_keys, RULE_REPLACEABLE, it);
		const struct ynode *k;
		if (ymap_get(item, "source", &k))
			ry_err(r, k,
			       "key 'source' cannot be overridden; redefine the rule instead");
		/* exceptions replaced are definitions; appended ones may add values */
		read_rule_values(r, item, it, !(it->ov_append & RK_EXCEPTIONS));
		return;
	}
	if (append > 0) {
		it->mode = RM_APPEND;
		for (const struct rules_keyinfo *ki = rule_keys; ki->name; ki++) {
			const struct ynode *k;
			if ((ki->bit & has) && !(ki->bit & (RK_CONDITION | RK_EXCEPTIONS)) &&
			    ymap_get(item, ki->name, &k))
				ry_err(r, k,
				       "key '%s' cannot be used with 'append: true', which appends "
				       "only 'condition' and 'exceptions' (use 'override')",
				       ki->name);
		}
		if (!(has & (RK_CONDITION | RK_EXCEPTIONS)))
			ry_err(r, item, "an appended rule needs 'condition' or 'exceptions'");
		read_rule_values(r, item, it, false);
		return;
	}
	if (!(has & RULE_REQUIRED) && (has & RK_ENABLED)) {
		it->mode = RM_ENABLE;
		for (const struct rules_keyinfo *ki = rule_keys; ki->name; ki++) {
			const struct ynode *k;
			if ((ki->bit & has) && ki->bit != RK_ENABLED &&
			    ymap_get(item, ki->name, &k))
				ry_err(r, k,
				       "key '%s' needs a full rule definition (condition, output, "
				       "desc, priority) or an 'override'",
				       ki->name);
		}
		const struct ynode *k;
		ymap_get(item, "enabled", &k);
		ry_warn(r, k, "'enabled' alone is deprecated; use 'override: {enabled: replace}'");
		read_rule_values(r, item, it, true);
		return;
	}
	it->mode = RM_DEFINE;
	if ((has & RULE_REQUIRED) != RULE_REQUIRED)
		missing_keys(r, item, RULE_REQUIRED & ~has);
	read_rule_values(r, item, it, true);
	if (!rule->source && !r->err && !(rule->source = strdup("syscall")))
		ry_oom(r, item);
}

static void read_engine_version(struct rules_rd *r, const struct ynode *item, struct ritem *it)
{
	static const char *const allowed[] = {"required_engine_version", NULL};
	it->kind = RI_ENGINE;
	set_label(r, it, "required_engine_version", NULL);
	ry_check_keys(r, item, allowed);
	const struct ynode *v = ymap_get(item, "required_engine_version", NULL);
	if (v->kind != YN_SCALAR || v->null) {
		ry_err(r, v, "must be a number or a version 'x.y.z', got %s", ry_kind_name(v));
		return;
	}
	const char *s = v->u.str;
	bool digits = *s != '\0';
	for (const char *c = s; *c; c++)
		digits = digits && *c >= '0' && *c <= '9';
	uint32_t ver[3];
	if (digits && strlen(s) <= 9) { /* Falco: N means 0.N.0 */
		ver[0] = 0;
		ver[1] = (uint32_t)strtoul(s, NULL, 10);
		ver[2] = 0;
	} else if (!rules_parse_semver(s, ver)) {
		ry_err(r, v, "must be a number or a version 'x.y.z', got '%.100s'", s);
		return;
	}
	memcpy(it->ver, ver, sizeof(ver));
	const uint32_t ours[3] = {RULES_ENGINE_VERSION_MAJOR, RULES_ENGINE_VERSION_MINOR,
				  RULES_ENGINE_VERSION_PATCH};
	for (int i = 0; i < 3; i++) {
		if (ver[i] > ours[i]) {
			ry_warn(r, v,
				"rules require engine version %u.%u.%u, newer than the %s this "
				"loader implements; some may not load",
				ver[0], ver[1], ver[2], RULES_ENGINE_VERSION);
			break;
		}
		if (ver[i] < ours[i])
			break;
	}
}

static bool read_plugin_req(struct rules_rd *r, const struct ynode *m, bool alt,
			    struct rules_plugin_req *p)
{
	static const char *const allowed[] = {"name", "version", "alternatives", NULL};
	static const char *const allowed_alt[] = {"name", "version", NULL};
	memset(p, 0, sizeof(*p));
	p->pos = ry_pos(r, m);
	if (m->kind != YN_MAP) {
		ry_err(r, m,
		       "each plugin requirement must be a mapping with name and version, got %s",
		       ry_kind_name(m));
		return false;
	}
	ry_check_keys(r, m, alt ? allowed_alt : allowed);
	const struct ynode *v;
	if (!(v = ymap_get(m, "name", NULL)) || !(p->name = ry_string(r, "name", v))) {
		if (!v)
			ry_err(r, m, "plugin requirement is missing required key 'name'");
		return false;
	}
	if (!(v = ymap_get(m, "version", NULL))) {
		ry_err(r, m, "plugin requirement '%.100s' is missing required key 'version'",
		       p->name);
		return false;
	}
	if (!(p->version = ry_string(r, "version", v)))
		return false;
	uint32_t ver[3];
	if (!rules_parse_semver(p->version, ver)) {
		ry_err(r, v, "invalid version '%.100s' for plugin '%.100s' (expected x.y.z)",
		       p->version, p->name);
		return false;
	}
	if (!alt && (v = ymap_get(m, "alternatives", NULL))) {
		if (v->kind != YN_SEQ) {
			ry_err(r, v, "key 'alternatives' must be a list, got %s", ry_kind_name(v));
			return false;
		}
		if (v->n && !(p->alternatives = calloc(v->n, sizeof(*p->alternatives)))) {
			ry_oom(r, v);
			return false;
		}
		for (uint32_t i = 0; i < v->n; i++) {
			if (!read_plugin_req(r, v->u.kids[i], true, &p->alternatives[i])) {
				rules_plugin_req_clear(&p->alternatives[i]);
				return false;
			}
			p->nalternatives = i + 1;
		}
	}
	return true;
}

static void read_plugin_versions(struct rules_rd *r, const struct ynode *item, struct ritem *it)
{
	static const char *const allowed[] = {"required_plugin_versions", NULL};
	it->kind = RI_PLUGINS;
	set_label(r, it, "required_plugin_versions", NULL);
	ry_check_keys(r, item, allowed);
	const struct ynode *v = ymap_get(item, "required_plugin_versions", NULL);
	if (v->kind != YN_SEQ) {
		ry_err(r, v, "must be a list of plugin requirements, got %s", ry_kind_name(v));
		return;
	}
	if (!v->n)
		return;
	if (!(it->plugins = calloc(v->n, sizeof(*it->plugins)))) {
		ry_oom(r, v);
		return;
	}
	for (uint32_t i = 0; i < v->n; i++) {
		if (!read_plugin_req(r, v->u.kids[i], false, &it->plugins[i])) {
			rules_plugin_req_clear(&it->plugins[i]);
			return;
		}
		it->nplugins = i + 1;
	}
}

static void ritem_clear(struct ritem *it)
{
	free(it->label);
	rules_list_clear(&it->list);
	rules_macro_clear(&it->macro);
	rules_rule_clear(&it->rule);
	for (size_t i = 0; i < it->nplugins; i++)
		rules_plugin_req_clear(&it->plugins[i]);
	free(it->plugins);
	memset(it, 0, sizeof(*it));
}

static const char *const item_kinds[] = {
	"rule", "macro", "list", "required_engine_version", "required_plugin_versions", NULL,
};

static void read_item(struct rules_rd *r, const struct ynode *item, rules_item_fn *fn, void *ctx)
{
	r->label = NULL;
	r->err = false;
	if (item->kind == YN_SCALAR && item->null)
		return; /* Falco skips empty entries */
	if (item->kind != YN_MAP || !item->n) {
		ry_err(r, item,
		       "each item must be a mapping with one of rule, macro, list, "
		       "required_engine_version, required_plugin_versions; got %s",
		       item->kind == YN_MAP ? "an empty mapping" : ry_kind_name(item));
		return;
	}
	const char *kind = NULL;
	for (uint32_t i = 0; i < item->n && !kind; i++)
		for (size_t k = 0; item_kinds[k] && !kind; k++)
			if (!strcmp(item->u.kids[2 * i]->u.str, item_kinds[k]))
				kind = item_kinds[k];
	if (!kind) {
		const struct ynode *k = item->u.kids[0];
		char hint[64];
		ry_suggest(hint, sizeof(hint), k->u.str, item_kinds);
		ry_err(r, k,
		       "unknown item '%.100s'%s; expected one of rule, macro, list, "
		       "required_engine_version, required_plugin_versions",
		       k->u.str, hint);
		return;
	}
	struct ritem item_, *it = &item_;
	memset(it, 0, sizeof(*it));
	it->pos = ry_pos(r, item);
	if (!strcmp(kind, "rule"))
		read_rule(r, item, it);
	else if (!strcmp(kind, "macro"))
		read_macro(r, item, it);
	else if (!strcmp(kind, "list"))
		read_list(r, item, it);
	else if (!strcmp(kind, "required_engine_version"))
		read_engine_version(r, item, it);
	else
		read_plugin_versions(r, item, it);
	/* after the first error the file is rejected: only look for more errors */
	if (!r->err && r->dc->nerrors == r->errors_before)
		fn(ctx, it);
	ritem_clear(it);
}

int rules_yaml_read(const char *file, const char *buf, size_t len, rules_item_fn *fn, void *ctx,
		    struct vigil_dctx *dc)
{
	struct ydoc doc;
	size_t errors = dc->nerrors;
	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3)) { /* UTF-8 byte order mark */
		buf += 3;
		len -= 3;
	} else if (len >= 2 && (!memcmp(buf, "\xff\xfe", 2) || !memcmp(buf, "\xfe\xff", 2))) {
		vigil_dctx_add(dc, VIGIL_DIAG_ERROR, 0, 0, NULL,
			       "rules files must be UTF-8, this one is UTF-16");
		return -1;
	}
	if (ydoc_parse(buf, len, dc, &doc) != 0)
		return -1;
	struct rules_rd r = {
		.file = file, .buf = buf, .len = len, .dc = dc, .errors_before = errors};
	for (size_t d = 0; d < doc.ndocs; d++) {
		const struct ynode *root = doc.docs[d];
		if (root->kind == YN_SCALAR && root->null)
			continue; /* empty document */
		if (root->kind != YN_SEQ) {
			r.label = NULL;
			ry_err(&r, root,
			       "a rules file must be a list of items (- rule: ..., - macro: ..., - "
			       "list: ...), got %s",
			       ry_kind_name(root));
			continue;
		}
		for (uint32_t i = 0; i < root->n && !r.oom; i++)
			read_item(&r, root->u.kids[i], fn, ctx);
	}
	ydoc_free(&doc);
	return dc->nerrors != errors ? -1 : 0;
}
