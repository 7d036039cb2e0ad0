/* config.h — what FIM watches and how (filled from YAML, env or --fim PATH). */
#ifndef VIGIL_FIM_CONFIG_H
#define VIGIL_FIM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fim_watch_cfg {
	char *path;	/* absolute, no trailing '/' */
	bool recursive; /* default true */
	char **include; /* globs (base name, or full path if they hold '/'); none = all */
	size_t n_include;
	char **exclude;
	size_t n_exclude;
	uint32_t attrs; /* FIM_A_* that count as a change; default all */
	char *tags;	/* comma-separated, or NULL */
};

struct fim_config {
	struct fim_watch_cfg *watches;
	size_t n_watches;
	char *db_path;		  /* NULL: no baseline kept across restarts */
	unsigned reconcile_s;	  /* full rescan interval; 0 = never (default 3600) */
	unsigned degraded_scan_s; /* rescans of trees without watches (default 60) */
	unsigned coalesce_ms;	  /* quiet time before a change is reported (default 50) */
	unsigned max_delay_ms;	  /* ... but never later than this after the first event (500) */
	int hash_workers;	  /* 0: one per CPU */
};

void fim_config_init(struct fim_config *c);
void fim_config_free(struct fim_config *c);
/* Appends a watch of path with the defaults (recursive, every attribute).
 * Returns it, or NULL on ENOMEM or (errno EINVAL) an empty path. */
struct fim_watch_cfg *fim_config_add(struct fim_config *c, const char *path);
/* Appends a copy of s to a (NULL-free) string list; 0 or -1. */
int fim_strlist_add(char ***list, size_t *n, const char *s);
/* Parses "sha256,mode,uid" (or "all") into FIM_A_* bits; -1 names the bad one in bad. */
int fim_attrs_parse(const char *s, uint32_t *out, char *bad, size_t badlen);
/* True if the walk should enter directory dir of w (excludes apply,
 * include globs do not: they select files, not the trees they are in). */
bool fim_watch_covers_dir(const struct fim_watch_cfg *w, const char *dir);
/* The watch that covers path (longest root), or NULL. */
const struct fim_watch_cfg *fim_config_match(const struct fim_config *c, const char *path);
/* True if path is in w's scope: under it (or w itself when not recursive:
 * only its direct children), included and not excluded. */
bool fim_watch_covers(const struct fim_watch_cfg *w, const char *path);

#endif
