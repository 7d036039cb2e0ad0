/* rules_load.h — loading rules into an engine, diagnostics and a summary printed. */
#ifndef VIGIL_RULES_LOAD_H
#define VIGIL_RULES_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "rules/engine.h"

/* Load the given files (or the bundled ones when n == 0) into e, print
 * diagnostics and a one-line summary to `out`; returns engine_load's result. */
int rules_load_reporting(struct engine *e, char *const *paths, size_t n, FILE *out, bool quiet);

#endif
