/* rules_paths.h — where the bundled rules are (no rule engine here: the config links it). */
#ifndef VIGIL_RULES_PATHS_H
#define VIGIL_RULES_PATHS_H

#include <stddef.h>

/*
 * The bundled rules directory is the first of these that exists, BIN being
 * the directory of the running executable (/proc/self/exe, symbolic links
 * resolved; vigil-analyzer sits beside vigil or in PREFIX/libexec/vigil/):
 *   $VIGIL_RULES_DIR             when set and not empty, the only one looked at
 *   BIN/../../share/vigil/rules  an installed tree seen from the analyzer in
 *                                PREFIX/libexec/vigil/ (BIN named vigil only)
 *   BIN/../share/vigil/rules     an installed tree: PREFIX/bin/vigil with
 *                                PREFIX/share/vigil/rules, e.g. the /opt/vigil bundle
 *   BIN/share/vigil/rules        a build directory, wherever it is: the build
 *                                copies rules/ there
 * Relative to the executable only (vigil/sharedir.h), so the tree can be
 * moved and nothing of the source or build paths is compiled in.
 */

/* The bundled rule files (*.yaml directly in that directory, sorted). A
 * NULL-terminated malloc'd array (free with rules_paths_free), or NULL if no
 * directory was found or it holds none. */
char **rules_paths_default(void);
void rules_paths_free(char **paths);
/* rel (e.g. "fim/container.yaml") inside the bundled rules directory, into
 * out. 0 if that file exists and is readable, else -1. */
int rules_bundled_path(const char *rel, char *out, size_t size);
/* Where the bundled rules are looked for, for a message ("in A or B", or
 * "in DIR (from VIGIL_RULES_DIR)"), into out. */
void rules_paths_looked(char *out, size_t size);

#endif
