/* scan.c — the walk → sort → de-duplicate → hash pipeline. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fim/hash.h"
#include "fim/scan.h"

char *fim_abspath(const char *path)
{
	char *s;
	if (path[0] == '/') {
		s = strdup(path);
	} else {
		char cwd[PATH_MAX];
		if (!getcwd(cwd, sizeof(cwd)))
			return NULL;
		size_t n = strlen(cwd) + strlen(path) + 2;
		s = malloc(n);
		if (s) {
			bool dot = strcmp(path, ".") == 0;
			snprintf(s, n, "%s%s%s", cwd, dot || strcmp(cwd, "/") == 0 ? "" : "/",
				 dot ? "" : path);
		}
	}
	if (!s)
		return NULL;
	size_t n = strlen(s);
	while (n > 1 && s[n - 1] == '/')
		s[--n] = '\0';
	return s;
}

void fim_set_dedupe(struct fim_set *s)
{
	size_t w = 0;
	for (size_t i = 0; i < s->n; i++) {
		if (w > 0 && strcmp(s->v[w - 1].path, s->v[i].path) == 0) {
			fim_entry_free(&s->v[i]);
			continue;
		}
		s->v[w++] = s->v[i];
	}
	s->n = w;
}

vigil_rc fim_scan(const char *const *roots, size_t n_roots, bool missing_ok,
		  struct fim_walk_opts *o, struct fim_set *out, const char **bad_root)
{
	for (size_t i = 0; i < n_roots; i++) {
		vigil_rc rc = fim_walk(roots[i], o, out);
		if (rc != VIGIL_OK) {
			if (errno == ENOENT && missing_ok)
				continue;
			*bad_root = roots[i];
			return rc;
		}
	}
	fim_set_sort(out);
	fim_set_dedupe(out);
	fim_hash_all(out, 0, o->warn);
	return VIGIL_OK;
}
