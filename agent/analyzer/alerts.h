/* alerts.h — alerts as Falco JSON lines (the stdout sink; delivery sinks come later). */
#ifndef VIGIL_ALERTS_H
#define VIGIL_ALERTS_H

#include <stdint.h>

#include "rules/engine.h"
#include "rules/output.h"
#include "vigil/strbuf.h"

struct delivery;

struct alert_out {
	int fd;			   /* where lines go without delivery (replay: stdout) */
	struct delivery *delivery; /* live: the sinks (then fd is unused) */
	struct strbuf buf;	   /* pending lines */
	struct strbuf one;	   /* the alert being built for delivery */
	const struct field_ctx *ctx;
	uint64_t count;
	bool failed;
};

void alerts_init(struct alert_out *a, int fd, const struct field_ctx *ctx);
/* engine_match_fn: append one alert line. */
void alerts_on_match(const struct compiled_rule *r, const struct vigil_event *ev, void *arg);
/* One alert vigil raises itself (not from a rule). */
void alerts_emit(struct alert_out *a, const struct alert_rule *ar, int priority,
		 const struct vigil_event *ev);
/* Write out pending lines. */
void alerts_flush(struct alert_out *a);
void alerts_free(struct alert_out *a);

#endif
