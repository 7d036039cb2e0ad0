/*
 * fim_live.h — live FIM inside the analyzer: the monitor's fds and timers
 * on the event loop, its changes turned into `source: fim` events with the
 * process that made them, evaluated by the rules like any other event.
 */
#ifndef VIGIL_ANALYZER_FIM_LIVE_H
#define VIGIL_ANALYZER_FIM_LIVE_H

#include "analyzer/alerts.h"
#include "analyzer/attribution.h"
#include "fim/monitor.h"
#include "rules/engine.h"
#include "vigil/evloop.h"

struct fim_live {
	struct fim_monitor *mon;
	struct evloop *loop;
	uint64_t timer;
	struct engine *engine; /* may be NULL (--no-rules) */
	struct alert_out *alerts;
	const struct field_ctx *ctx;
	struct attribution attribution;
	struct vigil_event *ev;	      /* scratch */
	struct output_fmt *limit_fmt; /* the watch-limit alert */
	/* optional: every FIM event also goes here (--events-out) */
	void (*on_event)(const struct vigil_event *ev, void *arg);
	void *on_event_arg;
	/* optional: FIM's degradation state changed (fim_monitor_stats) */
	void (*on_degraded)(void *arg);
};

/* Starts watching per cfg (which must outlive it). 0, or -1 (logged). */
int fim_live_start(struct fim_live *f, const struct fim_config *cfg, struct evloop *loop,
		   struct engine *engine, struct alert_out *alerts, const struct field_ctx *ctx);
/* Feed a syscall event to the attribution table. */
void fim_live_observe(struct fim_live *f, const struct vigil_event *ev);
/* Report what is pending and save the baseline (at exit). */
void fim_live_flush(struct fim_live *f);
/* Returns true if a scan was left running: keep the FIM configuration. */
bool fim_live_stop(struct fim_live *f);

#endif
