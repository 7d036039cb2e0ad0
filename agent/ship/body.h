/* body.h — the JSON a batch is sent as, and the counters object it carries. */
#ifndef VIGIL_SHIP_BODY_H
#define VIGIL_SHIP_BODY_H

#include "ship/batch.h"
#include "ship/ship.h"
#include "vigil/strbuf.h"

/* {"submitted":N,...}: every field of ship_counters, by name after `prefix`. */
void ship_counters_json(struct strbuf *sb, const struct ship_counters *c, const char *prefix);
/* Sum of every loss counter. */
uint64_t ship_counters_lost(const struct ship_counters *c);

/*
 * {"agent":{...,"counters":{...}},"task":{...},"batch":{...},"alerts":[...]}
 * (docs/alert-format.md). `out` is reset first; check out->truncated.
 */
void body_build(struct strbuf *out, const struct sbatch *b, const struct ship_agent_info *agent,
		const struct ship_counters *c);

#endif
