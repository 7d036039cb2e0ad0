/* config_setup.h — the analyzer's configuration: file, then env, then flags. */
#ifndef VIGIL_ANALYZER_CONFIG_SETUP_H
#define VIGIL_ANALYZER_CONFIG_SETUP_H

#include <stdbool.h>

#include "analyzer/config.h"
#include "analyzer/options.h"

/* Fills c; prints problems (file:line:col) to stderr. 0, or -1. */
int analyzer_config_setup(struct vigil_config *c, const struct analyzer_options *o, bool quiet);

#endif
