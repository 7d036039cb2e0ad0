/* body.c — batch bodies: agent and task objects, counters, the alerts array. */
#include <stdio.h>
#include <string.h>

#include "ship/body.h"
#include "vigil/clock.h"

/* "key":"value" (comma first unless it opens the object). */
static void field_str(struct strbuf *sb, bool first, const char *key, const char *v)
{
	if (!first)
		strbuf_addc(sb, ',');
	strbuf_add_json_str(sb, key, strlen(key));
	strbuf_addc(sb, ':');
	strbuf_add_json_str(sb, v, strlen(v));
}

static void field_u64(struct strbuf *sb, bool first, const char *key, uint64_t v)
{
	if (!first)
		strbuf_addc(sb, ',');
	strbuf_add_json_str(sb, key, strlen(key));
	strbuf_addc(sb, ':');
	strbuf_add_int(sb, (long long)v);
}

void ship_counters_json(struct strbuf *sb, const struct ship_counters *c, const char *prefix)
{
	const struct {
		const char *name;
		uint64_t v;
	} f[] = {
		{"submitted", c->submitted},
		{"delivered", c->delivered},
		{"sidekick_delivered", c->sidekick_delivered},
		{"written", c->written},
		{"dropped_queue_full", c->dropped_queue_full},
		{"dropped_spool_full", c->dropped_spool_full},
		{"dropped_too_large", c->dropped_too_large},
		{"dropped_rejected", c->dropped_rejected},
		{"dropped_write", c->dropped_write},
		{"dropped_shutdown", c->dropped_shutdown},
		{"dropped_invalid", c->dropped_invalid},
		{"dropped_crash", c->dropped_crash},
		{"spool_corrupt", c->spool_corrupt},
		{"spool_corrupt_alerts", c->spool_corrupt_alerts},
		{"requests", c->requests},
		{"retries", c->retries},
		{"spooled_batches", c->spooled_batches},
		{"spool_records", c->spool_records},
		{"spool_alerts", c->spool_alerts},
		{"spool_bytes", c->spool_bytes},
		{"queued_alerts", c->queued_alerts},
		{"queue_bytes", c->queue_bytes},
	};
	char name[64];
	strbuf_addc(sb, '{');
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		snprintf(name, sizeof(name), "%s%s", prefix, f[i].name);
		field_u64(sb, i == 0, name, f[i].v);
	}
	strbuf_addc(sb, '}');
}

static void agent_json(struct strbuf *sb, const struct ship_agent_info *a,
		       const struct ship_counters *c)
{
	strbuf_adds(sb, "\"agent\":{");
	field_str(sb, true, "name", "vigil");
	field_str(sb, false, "version", a->version);
	field_str(sb, false, "hostname", a->hostname);
	strbuf_adds(sb, ",\"container\":{");
	field_str(sb, true, "id", a->container_id);
	field_str(sb, false, "name", a->container_name);
	field_str(sb, false, "image", a->image);
	strbuf_adds(sb, "},\"counters\":");
	ship_counters_json(sb, c, "");
	strbuf_addc(sb, '}');
}

static void task_json(struct strbuf *sb, const struct ship_agent_info *a)
{
	strbuf_adds(sb, "\"task\":{");
	field_str(sb, true, "cluster", a->cluster);
	field_str(sb, false, "task_arn", a->task_arn);
	field_str(sb, false, "family", a->family);
	field_str(sb, false, "revision", a->revision);
	field_str(sb, false, "availability_zone", a->availability_zone);
	strbuf_addc(sb, '}');
}

uint64_t ship_counters_lost(const struct ship_counters *c)
{
	return c->dropped_queue_full + c->dropped_spool_full + c->dropped_too_large +
	       c->dropped_rejected + c->dropped_write + c->dropped_shutdown + c->dropped_invalid +
	       c->dropped_crash + c->spool_corrupt_alerts;
}

void body_build(struct strbuf *out, const struct sbatch *b, const struct ship_agent_info *agent,
		const struct ship_counters *c)
{
	char when[40];
	vigil_fmt_rfc3339(when, vigil_wall_ns());
	strbuf_reset(out);
	strbuf_addc(out, '{');
	agent_json(out, agent, c);
	strbuf_addc(out, ',');
	task_json(out, agent);
	strbuf_adds(out, ",\"batch\":{");
	field_str(out, true, "id", b->id);
	field_u64(out, false, "count", b->n);
	field_str(out, false, "sent_at", when);
	strbuf_adds(out, "},\"alerts\":[");
	for (size_t i = 0; i < b->n; i++) {
		if (i)
			strbuf_addc(out, ',');
		strbuf_add(out, b->data + b->a[i].off, b->a[i].len);
	}
	strbuf_adds(out, "]}");
}
