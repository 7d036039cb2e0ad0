/* rules_paths.h — where the bundled rules are, and loading them with a summary. */
#ifndef VIGIL_RULES_PATHS_H
#define VIGIL_RULES_PATHS_H

#include <stddef.h>
#include <stdio.h>

#include "rules/engine.h"

/*
 * The bundled rule files (*.yaml, sorted): $VIGIL_RULES_DIR, else
 * <bin>/../share/vigil/rules (the /opt/vigil bundle), else <bin>/../rules
 * (a build tree beside the sources). Returns a NULL-terminated malloc'd
 * array (free with rules_paths_free), or NULL if none was found.
 */
char **rules_paths_default(void);
void rules_paths_free(char **paths);
/* rel (e.g. "fim/container.yaml") inside the bundled rules directory, into
 * out. 0 if that file exists and is readable, else -1. */
int rules_bundled_path(const char *rel, char *out, size_t size);

/* Load the given files (or the bundled ones when n == 0) into e, print
 * diagnostics and a one-line summary to `out`; returns engine_load's result. */
int rules_load_reporting(struct engine *e, char *const *paths, size_t n, FILE *out, bool quiet);

#endif
