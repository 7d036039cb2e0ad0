/* rules_paths.h — where the bundled rules are (no rule engine here: the config links it). */
#ifndef VIGIL_RULES_PATHS_H
#define VIGIL_RULES_PATHS_H

#include <stddef.h>

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

#endif
