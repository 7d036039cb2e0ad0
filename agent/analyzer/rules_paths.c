/* rules_paths.c — where the bundled rules are (see rules_paths.h). */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyzer/rules_paths.h"

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

/* The bundled rules directory that exists, into out. 0, or -1 if none. */
static int bundled_dir(char *out, size_t size)
{
	const char *env = getenv("VIGIL_RULES_DIR");
	if (env && *env) {
		snprintf(out, size, "%s", env);
		return 0;
	}
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return -1;
	self[n] = '\0';
	char *slash = strrchr(self, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	static const char *const rel[] = {"/../share/vigil/rules", "/../rules"};
	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		snprintf(out, size, "%s%s", self, rel[i]);
		if (access(out, R_OK | X_OK) == 0)
			return 0;
	}
	return -1;
}

char **rules_paths_default(void)
{
	char dir[PATH_MAX + 32];
	return bundled_dir(dir, sizeof(dir)) == 0 ? yaml_files(dir) : NULL;
}

int rules_bundled_path(const char *rel, char *out, size_t size)
{
	char dir[PATH_MAX + 32];
	if (bundled_dir(dir, sizeof(dir)) != 0)
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
