/*
 * coverage.h — the "vigil coverage" alert: the supervisor's vigil_coverage
 * event (is the program monitored, by which sensor, under which init),
 * joined with vigil's version and, on ECS, the task it runs in, delivered
 * once per start through every sink (docs/alert-format.md). Made by vigil
 * itself, not by a rule, so no rules file or priority filter can lose it.
 */
#ifndef VIGIL_ANALYZER_COVERAGE_H
#define VIGIL_ANALYZER_COVERAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "analyzer/delivery.h"
#include "aws/ecs_meta.h"
#include "rules/fields.h"
#include "vigil/event.h"
#include "vigil/evloop.h"
#include "vigil/strbuf.h"

/* How long the alert waits for task metadata before it goes without. */
#define COVERAGE_META_WAIT_MS 2000u

/* The event's evt.arg.* (bounded copies) and the metadata outcome. */
struct coverage_facts {
	bool monitored, started;
	int32_t pid;
	char sensor[24], choice[200], policy[16], init[16], pid1[32], reason[640];
	int meta;	    /* 1 task metadata, 0 not on ECS, -1 unavailable */
	char meta_err[256]; /* why unavailable */
	struct ecs_task_meta task;
};

struct coverage {
	struct evloop *loop;
	struct delivery *delivery;
	const struct field_ctx *ctx;
	struct ecs_meta_bg *bg; /* the metadata fetch, NULL when not on ECS */
	char bg_err[160];	/* why it could not start */
	struct coverage_facts facts;
	bool taken;   /* the event came (one per start: a second one is ignored) */
	bool pending; /* and its alert waits for metadata */
	uint64_t taken_ms, deadline_ms, timer;
};

/* Start fetching task metadata at once (on a thread), so it is usually
 * there when the event comes. Never blocks. */
void coverage_init(struct coverage *c, struct evloop *loop, struct delivery *d,
		   const struct field_ctx *ctx);
/* The supervisor's event: alert now, or once metadata is in (at most
 * COVERAGE_META_WAIT_MS). */
void coverage_take(struct coverage *c, const struct vigil_event *ev);
/* The stream ended: an alert still waiting goes out now, after at most
 * max_wait_ms more for metadata (within its deadline). */
void coverage_flush(struct coverage *c, uint64_t max_wait_ms);
/* True while the metadata thread is in a request: leave with _exit then. */
bool coverage_busy(const struct coverage *c);
void coverage_free(struct coverage *c);

/* coverage_json.c: the alert into out (reset first); returns its priority
 * (enum rules_priority): Informational monitored, Warning --no-trace,
 * Critical running unmonitored, Error not started. */
int coverage_alert_json(struct strbuf *out, const struct coverage_facts *f,
			const struct field_ctx *ctx);

#endif
