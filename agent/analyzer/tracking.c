/* tracking.c — state learned from events for fields (see tracking.h). */
#include "analyzer/tracking.h"

#define WRITTEN_CAPACITY 65536 /* paths remembered for proc.is_exe_upper_layer */
#define SOCKETS_CAPACITY 65536 /* (pid, fd) entries for fd.l4proto */

int tracking_init(struct tracking *t, struct field_ctx *ctx)
{
	t->written = written_new(WRITTEN_CAPACITY);
	t->sockets = sockets_new(SOCKETS_CAPACITY);
	ctx->was_written = written_has;
	ctx->written_state = t->written;
	ctx->l4proto = sockets_l4proto;
	ctx->sockets_state = t->sockets;
	return t->written && t->sockets ? 0 : -1;
}

void tracking_observe(struct tracking *t, struct vigil_event *ev)
{
	written_observe(t->written, ev);
	sockets_observe(t->sockets, ev);
}

void tracking_free(struct tracking *t)
{
	written_free(t->written);
	sockets_free(t->sockets);
	t->written = NULL;
	t->sockets = NULL;
}
