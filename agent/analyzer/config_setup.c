/*
 * config_setup.c — precedence: the YAML file (--config or VIGIL_CONFIG),
 * then VIGIL_* environment variables, then command-line flags.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyzer/config_setup.h"
#include "analyzer/delivery.h"
#include "vigil/log.h"

/* Where the FIM baseline lives unless configured: a per-user directory on
 * tmpfs-friendly ground, created 0700 and checked, never a fixed temp file. */
static char *default_db_path(void)
{
	char dir[4096];
	const char *run = getenv("XDG_RUNTIME_DIR");
	if (run && run[0] == '/')
		snprintf(dir, sizeof(dir), "%s/vigil", run);
	else
		snprintf(dir, sizeof(dir), "/tmp/vigil-%u", (unsigned)getuid());
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return NULL;
	struct stat st;
	if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != getuid() ||
	    (st.st_mode & 077)) {
		LOG_WARN("fim: %s is not a private directory of ours: the baseline is kept in "
			 "memory only",
			 dir);
		return NULL;
	}
	size_t n = strlen(dir) + sizeof("/fim.db");
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s/fim.db", dir);
	return p;
}

static int load_file_and_profile(struct vigil_config *c, const struct analyzer_options *o)
{
	struct vigil_diag d;
	vigil_diag_init(&d);
	const char *file = o->config ? o->config : getenv("VIGIL_CONFIG");
	int rc = 0;
	if (file && *file)
		rc = config_load_file(c, file, &d);
	const char *profile = getenv("VIGIL_FIM_PROFILE");
	if (rc == 0 && profile && *profile)
		rc = config_load_profile(c, profile, &d);
	vigil_diag_print(&d, stderr);
	vigil_diag_free(&d);
	return rc;
}

/* A --fim path that is not there is a typo, not a file to wait for. */
static int check_fim_flags(const struct analyzer_options *o)
{
	struct stat st;
	for (int i = 0; i < o->n_fim_paths; i++)
		if (lstat(o->fim_paths[i], &st) != 0) {
			LOG_ERR("--fim %s: %s", o->fim_paths[i], strerror(errno));
			return -1;
		}
	return 0;
}

static int apply_flags(struct vigil_config *c, const struct analyzer_options *o)
{
	if (o->n_rules) { /* --rules replaces the configured list */
		for (int i = 0; i < c->n_rules; i++)
			free(c->rules[i]);
		c->n_rules = 0;
		for (int i = 0; i < o->n_rules && i < CONFIG_MAX_RULES; i++)
			if (!(c->rules[c->n_rules++] = strdup(o->rules[i])))
				return -1;
	}
	if ((o->priority && !(free(c->priority), c->priority = strdup(o->priority))) ||
	    (o->matching && !(free(c->rule_matching), c->rule_matching = strdup(o->matching))))
		return -1;
	for (int i = 0; i < o->n_fim_paths; i++)
		if (config_add_fim_path(c, o->fim_paths[i]) != 0)
			return -1;
	for (int i = 0; i < o->n_outputs; i++)
		if (config_add_ship(c, "outputs", o->outputs[i], "-o") != 0)
			return -1;
	if (o->ca_file && config_add_ship(c, "http.ca_file", o->ca_file, "--ca-file") != 0)
		return -1;
	return 0;
}

int analyzer_config_setup(struct vigil_config *c, const struct analyzer_options *o, bool quiet)
{
	config_init(c);
	char err[512];
	if (load_file_and_profile(c, o) != 0)
		return -1;
	if (config_from_env(c, err, sizeof(err)) != 0) {
		LOG_ERR("%s", err);
		return -1;
	}
	if (check_fim_flags(o) != 0)
		return -1;
	if (apply_flags(c, o) != 0) {
		LOG_ERR("out of memory");
		return -1;
	}
	if (delivery_check(c) != 0) /* sinks and key settings, before the program starts */
		return -1;
	if (c->fim.n_watches && !c->fim.db_path)
		c->fim.db_path = default_db_path();
	if (c->fim.n_watches && !quiet)
		LOG_INFO("fim: watching %zu path%s (baseline %s)", c->fim.n_watches,
			 c->fim.n_watches == 1 ? "" : "s",
			 c->fim.db_path ? c->fim.db_path : "in memory");
	return 0;
}
