/* config.c — the FIM configuration: defaults, paths, attribute names, scope. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fim/config.h"
#include "fim/entry.h"
#include "fim/walk.h"

#define ALL_ATTRS ((1u << FIM_N_ATTRS) - 1)

void fim_config_init(struct fim_config *c)
{
	memset(c, 0, sizeof(*c));
	c->reconcile_s = 3600;
	c->degraded_scan_s = 60;
	c->coalesce_ms = 50;
	c->max_delay_ms = 500;
}

static void free_list(char **l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

void fim_config_free(struct fim_config *c)
{
	for (size_t i = 0; i < c->n_watches; i++) {
		struct fim_watch_cfg *w = &c->watches[i];
		free(w->path);
		free(w->tags);
		free_list(w->include, w->n_include);
		free_list(w->exclude, w->n_exclude);
	}
	free(c->watches);
	free(c->db_path);
	memset(c, 0, sizeof(*c));
}

struct fim_watch_cfg *fim_config_add(struct fim_config *c, const char *path)
{
	size_t len = strlen(path);
	while (len > 1 && path[len - 1] == '/')
		len--;
	if (len == 0) {
		errno = EINVAL;
		return NULL;
	}
	struct fim_watch_cfg *v = realloc(c->watches, (c->n_watches + 1) * sizeof(*v));
	if (!v)
		return NULL;
	c->watches = v;
	struct fim_watch_cfg *w = &v[c->n_watches];
	memset(w, 0, sizeof(*w));
	w->path = strndup(path, len);
	if (!w->path)
		return NULL;
	w->recursive = true;
	w->attrs = ALL_ATTRS;
	c->n_watches++;
	return w;
}

int fim_strlist_add(char ***list, size_t *n, const char *s)
{
	char **v = realloc(*list, (*n + 1) * sizeof(*v));
	if (!v)
		return -1;
	*list = v;
	if (!(v[*n] = strdup(s)))
		return -1;
	(*n)++;
	return 0;
}

static int attr_bit(const char *name, size_t len, uint32_t *bit)
{
	if (len == 3 && memcmp(name, "all", 3) == 0) {
		*bit = ALL_ATTRS;
		return 0;
	}
	for (unsigned i = 0; i < FIM_N_ATTRS; i++) {
		const char *n = fim_attr_name(i);
		if (strlen(n) == len && memcmp(n, name, len) == 0) {
			*bit = 1u << i;
			return 0;
		}
	}
	return -1;
}

int fim_attrs_parse(const char *s, uint32_t *out, char *bad, size_t badlen)
{
	*out = 0;
	while (*s) {
		s += strspn(s, ", ");
		size_t len = strcspn(s, ", ");
		if (!len)
			break;
		uint32_t bit;
		if (attr_bit(s, len, &bit) != 0) {
			snprintf(bad, badlen, "%.*s", (int)(len < 64 ? len : 64), s);
			return -1;
		}
		*out |= bit;
		s += len;
	}
	if (*out & FIM_A_SHA256) /* a content change shows in the type too */
		*out |= FIM_A_TYPE;
	return 0;
}

#define GLOBS(list) ((const char *const *)(list))

bool fim_watch_covers(const struct fim_watch_cfg *w, const char *path)
{
	if (!fim_path_under(path, w->path))
		return false;
	if (!w->recursive && strcmp(path, w->path) != 0) {
		const char *rest = path + strlen(w->path) + (strcmp(w->path, "/") != 0);
		if (strchr(rest, '/'))
			return false;
	}
	if (fim_glob_match(GLOBS(w->exclude), w->n_exclude, path))
		return false;
	return !w->n_include || fim_glob_match(GLOBS(w->include), w->n_include, path) ||
	       strcmp(path, w->path) == 0;
}

bool fim_watch_covers_dir(const struct fim_watch_cfg *w, const char *dir)
{
	/* as the walk: a pseudo filesystem is not entered from above */
	return !fim_is_pseudo_fs(dir) && fim_path_under(dir, w->path) &&
	       !fim_glob_match(GLOBS(w->exclude), w->n_exclude, dir);
}

const struct fim_watch_cfg *fim_config_match(const struct fim_config *c, const char *path)
{
	const struct fim_watch_cfg *best = NULL;
	for (size_t i = 0; i < c->n_watches; i++) {
		const struct fim_watch_cfg *w = &c->watches[i];
		if (fim_path_under(path, w->path) &&
		    (!best || strlen(w->path) > strlen(best->path)))
			best = w;
	}
	return best;
}
