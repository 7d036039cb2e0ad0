/*
 * delivery.h — the analyzer's alert delivery: the ship module's sinks on
 * the event loop, with the API key from the key provider (env, file or
 * SSM Parameter Store) and the task described from ECS task metadata.
 */
#ifndef VIGIL_ANALYZER_DELIVERY_H
#define VIGIL_ANALYZER_DELIVERY_H

#include <stdbool.h>
#include <stdint.h>

#include "analyzer/config.h"
#include "rules/fields.h"
#include "vigil/evloop.h"

struct delivery;

/* Builds the sinks from the configuration (keys as file:line:col in errors),
 * VIGIL_* env and -o flags; starts the key provider when a key is configured.
 * NULL after logging what was wrong. */
struct delivery *delivery_start(const struct vigil_config *c, struct evloop *loop,
				const struct field_ctx *ctx);
/* Only checks the configuration (for start-up, before the program runs). 0 / -1. */
int delivery_check(const struct vigil_config *c);
/* Queue one alert (JSON object, no newline) of a rules priority. */
void delivery_submit(struct delivery *d, const char *json, size_t len, int priority);
/* At the end: deliver or spool everything within budget_ms (and
 * drain.timeout_ms), then stop. */
void delivery_finish(struct delivery *d, uint64_t budget_ms);
void delivery_free(struct delivery *d);
/* Alerts held only in memory now (lost if the process is killed). */
uint64_t delivery_in_memory(const struct delivery *d);
/* Count alerts a killed predecessor held in memory as lost. */
void delivery_count_crash_loss(struct delivery *d, uint64_t n);

#endif
