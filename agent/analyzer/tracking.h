/*
 * tracking.h — what the analyzer learns from the stream itself and rules
 * read back as fields: files written since start (proc.is_exe_upper_layer)
 * and socket protocols (fd.l4proto). Live and replay use the same.
 */
#ifndef VIGIL_TRACKING_H
#define VIGIL_TRACKING_H

#include "analyzer/sockets.h"
#include "analyzer/written.h"
#include "rules/fields.h"

struct tracking {
	struct written *written;
	struct sockets *sockets;
};

/* Allocate and hook into ctx (was_written, l4proto). */
int tracking_init(struct tracking *t, struct field_ctx *ctx);
/* Learn from one event, before the rules see it. */
void tracking_observe(struct tracking *t, struct vigil_event *ev);
void tracking_free(struct tracking *t);

#endif
