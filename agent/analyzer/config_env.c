/*
 * config_env.c — VIGIL_* environment overrides (task definitions set env
 * more easily than files). The delivery variables are read by the delivery
 * module itself; these are the rule and FIM ones.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/config.h"
#include "vigil/textutil.h"

static int env_string(const char *name, char **out)
{
	const char *v = getenv(name);
	if (!v || !*v)
		return 0;
	free(*out);
	return (*out = strdup(v)) ? 0 : -1;
}

/* VIGIL_FIM_PATHS=/etc:/usr/bin (':' or ',' separated), tagged with VIGIL_FIM_TAGS. */
static int env_fim_paths(struct vigil_config *c, char *err, size_t errlen)
{
	const char *v = getenv("VIGIL_FIM_PATHS");
	if (!v || !*v)
		return 0;
	const char *tags = getenv("VIGIL_FIM_TAGS");
	char *copy = strdup(v), *save = NULL;
	if (!copy)
		return -1;
	int rc = 0;
	for (char *p = strtok_r(copy, ":,", &save); p && rc == 0; p = strtok_r(NULL, ":,", &save)) {
		if (p[0] != '/') {
			snprintf(err, errlen, "VIGIL_FIM_PATHS: '%.200s' is not an absolute path",
				 p);
			rc = -1;
			break;
		}
		struct fim_watch_cfg *w = fim_config_add(&c->fim, p);
		if (!w || (tags && *tags && !(w->tags = strdup(tags))))
			rc = -1;
	}
	free(copy);
	return rc;
}

static int env_rules(struct vigil_config *c, char *err, size_t errlen)
{
	const char *v = getenv("VIGIL_RULES");
	if (!v || !*v)
		return 0;
	for (int i = 0; i < c->n_rules; i++)
		free(c->rules[i]);
	c->n_rules = 0;
	char *copy = strdup(v), *save = NULL;
	if (!copy)
		return -1;
	int rc = 0;
	for (char *p = strtok_r(copy, ",", &save); p && rc == 0; p = strtok_r(NULL, ",", &save)) {
		if (c->n_rules >= CONFIG_MAX_RULES) {
			snprintf(err, errlen, "VIGIL_RULES: more than %d rules files (the limit)",
				 CONFIG_MAX_RULES);
			rc = -1;
		} else if (!(c->rules[c->n_rules++] = strdup(p))) {
			rc = -1;
		}
	}
	free(copy);
	return rc;
}

int config_from_env(struct vigil_config *c, char *err, size_t errlen)
{
	snprintf(err, errlen, "out of memory");
	struct fim_config *f = &c->fim;
	if (env_rules(c, err, errlen) || env_string("VIGIL_PRIORITY", &c->priority) ||
	    env_string("VIGIL_RULE_MATCHING", &c->rule_matching) ||
	    env_string("VIGIL_FIM_DB", &f->db_path))
		return -1;
	if (vigil_env_uint("VIGIL_FIM_RECONCILE_INTERVAL_S", 0, 7 * 86400, &f->reconcile_s, err,
			   errlen) ||
	    vigil_env_uint("VIGIL_FIM_UNWATCHED_SCAN_INTERVAL_S", 0, 86400, &f->degraded_scan_s,
			   err, errlen) ||
	    vigil_env_uint("VIGIL_FIM_COALESCE_MS", 0, 60000, &f->coalesce_ms, err, errlen) ||
	    vigil_env_uint("VIGIL_FIM_MAX_DELAY_MS", 0, 600000, &f->max_delay_ms, err, errlen))
		return -1;
	return env_fim_paths(c, err, errlen);
}
