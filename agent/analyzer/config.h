/*
 * config.h — vigil's YAML configuration (docs/configuration.md).
 *
 * One file (--config), every key overridable from VIGIL_* environment
 * variables, command-line flags for the common ones. Errors name the file,
 * line, column and key, and are found before the application starts.
 * Sections that belong to delivery (outputs, http, queue, spool, drain,
 * file, health, api_key) are kept as dotted key/value pairs for the
 * delivery module, which checks them itself.
 */
#ifndef VIGIL_ANALYZER_CONFIG_H
#define VIGIL_ANALYZER_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "fim/config.h"
#include "vigil/diag.h"

#define CONFIG_MAX_RULES 64

struct config_kv {
	char *key, *val; /* "http.batch_max_alerts", "1000" */
	char *where;	 /* "vigil.yaml:12:3" or "VIGIL_HTTP_BATCH_MAX_ALERTS" */
};

struct vigil_config {
	char *rules[CONFIG_MAX_RULES];
	int n_rules;
	char *priority, *rule_matching;
	char *start_policy; /* the file's start_policy (the supervisor's; handed over) */
	struct fim_config fim;
	struct config_kv *ship;
	size_t n_ship;
};

void config_init(struct vigil_config *c);
void config_free(struct vigil_config *c);
/* Loads path into c; problems go to diags (file:line:col). 0, or -1. */
int config_load_file(struct vigil_config *c, const char *path, struct vigil_diag *diags);
/* The same from memory (name stands for the file in messages). */
int config_load_buffer(struct vigil_config *c, const char *name, const char *buf, size_t len,
		       struct vigil_diag *diags);
/* Loads a FIM profile file's `fim:` section (rules/fim/NAME.yaml). 0 / -1. */
int config_load_profile(struct vigil_config *c, const char *name, struct vigil_diag *diags);
/* Appends a delivery key (used by the loader and by env/-o). 0 / -1. */
int config_add_ship(struct vigil_config *c, const char *key, const char *val, const char *where);
/* Applies VIGIL_* environment overrides; -1 with a message in err. */
int config_from_env(struct vigil_config *c, char *err, size_t errlen);
/* --fim PATH: watch PATH recursively with every attribute. */
int config_add_fim_path(struct vigil_config *c, const char *path);

#endif
