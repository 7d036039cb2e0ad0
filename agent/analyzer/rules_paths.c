/* rules_paths.c — where the bundled rules are (see rules_paths.h). */
#include <dirent.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyzer/rules_paths.h"
#include "vigil/sharedir.h"

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char **yaml_files(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return NULL;
	char **v = NULL;
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len < 6 || strcmp(e->d_name + len - 5, ".yaml") != 0 || e->d_name[0] == '.')
			continue;
		char **nv = realloc(v, (n + 2) * sizeof(*nv));
		if (!nv)
			break;
		v = nv;
		size_t plen = strlen(dir) + len + 2;
		if (!(v[n] = malloc(plen)))
			break;
		snprintf(v[n++], plen, "%s/%s", dir, e->d_name);
		v[n] = NULL;
	}
	closedir(d);
	if (v)
		qsort(v, n, sizeof(*v), by_name);
	return v;
}

#define DIR_MAX VIGIL_SHARE_PATH_MAX
#define N_CANDIDATES VIGIL_SHARE_MAX

/* The directories to look at, in order (rules_paths.h), into dirs; returns
 * how many (0 if the executable's path cannot be read), *from_env set when
 * the only one is $VIGIL_RULES_DIR. */
static size_t candidates(char dirs[N_CANDIDATES][DIR_MAX], bool *from_env)
{
	const char *env = getenv("VIGIL_RULES_DIR");
	*from_env = env && *env;
	if (*from_env) {
		snprintf(dirs[0], DIR_MAX, "%s", env);
		return 1;
	}
	return vigil_share_candidates("rules", dirs);
}

/* The bundled rules directory that exists, into out. 0, or -1 if none. */
static int bundled_dir(char out[DIR_MAX])
{
	char dirs[N_CANDIDATES][DIR_MAX];
	bool from_env;
	size_t n = candidates(dirs, &from_env);
	for (size_t i = 0; i < n; i++)
		if (from_env || access(dirs[i], R_OK | X_OK) == 0) {
			memcpy(out, dirs[i], DIR_MAX);
			return 0;
		}
	return -1;
}

void rules_paths_looked(char *out, size_t size)
{
	char dirs[N_CANDIDATES][DIR_MAX];
	bool from_env;
	size_t n = candidates(dirs, &from_env);
	if (n == 0)
		snprintf(out, size, "beside the executable (/proc/self/exe cannot be read)");
	else if (from_env)
		snprintf(out, size, "in %s (from VIGIL_RULES_DIR)", dirs[0]);
	else if (n == 2)
		snprintf(out, size, "in %s or %s", dirs[0], dirs[1]);
	else
		snprintf(out, size, "in %s, %s or %s", dirs[0], dirs[1], dirs[2]);
}

char **rules_paths_default(void)
{
	char dir[DIR_MAX];
	return bundled_dir(dir) == 0 ? yaml_files(dir) : NULL;
}

int rules_bundled_path(const char *rel, char *out, size_t size)
{
	char dir[DIR_MAX];
	if (bundled_dir(dir) != 0)
		return -1;
	int n = snprintf(out, size, "%s/%s", dir, rel);
	return n < 0 || (size_t)n >= size || access(out, R_OK) != 0 ? -1 : 0;
}

void rules_paths_free(char **paths)
{
	for (char **p = paths; p && *p; p++)
		free(*p);
	free(paths);
}
