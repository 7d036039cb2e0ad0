/* config_fim.h — the `fim:` section of the configuration and its env overrides. */
#ifndef VIGIL_ANALYZER_CONFIG_FIM_H
#define VIGIL_ANALYZER_CONFIG_FIM_H

#include "analyzer/config.h"
#include "vigil/ydoc.h"

void config_take_fim(struct vigil_config *c, struct vigil_dctx *dc, const struct ynode *fim);

#endif
