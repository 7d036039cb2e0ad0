/*
 * coverage_json.c — the "vigil coverage" alert in Falco's alert format, as
 * the `vigil health` alert is (docs/alert-format.md): source "vigil", the
 * facts in output_fields as vigil.* (and ecs.* from task metadata).
 */
#include <stdio.h>
#include <string.h>

#include "analyzer/coverage.h"
#include "rules/ruleset.h"
#include "ship/health.h"

struct obj {
	struct strbuf *sb;
	bool first;
};

static void key(struct obj *o, const char *k)
{
	if (!o->first)
		strbuf_addc(o->sb, ',');
	o->first = false;
	strbuf_add_json_str(o->sb, k, strlen(k));
	strbuf_addc(o->sb, ':');
}

/* A string, or null when absent or empty. */
static void kv_str(struct obj *o, const char *k, const char *v)
{
	key(o, k);
	if (v && *v)
		strbuf_add_json_str(o->sb, v, strlen(v));
	else
		strbuf_adds(o->sb, "null");
}

static void kv_bool(struct obj *o, const char *k, bool v)
{
	key(o, k);
	strbuf_adds(o->sb, v ? "true" : "false");
}

/* Task metadata: only what the endpoint gave (absent keys: not on ECS or
 * unavailable, which vigil.task_metadata says). */
static void task_fields(struct obj *o, const struct ecs_task_meta *t)
{
	char def[300];
	kv_str(o, "ecs.cluster", t->cluster);
	kv_str(o, "ecs.task_arn", t->task_arn);
	kv_str(o, "ecs.task_family", t->family);
	kv_str(o, "ecs.task_revision", t->revision);
	snprintf(def, sizeof(def), "%s:%s", t->family, t->revision);
	kv_str(o, "ecs.task_definition", t->family[0] ? def : NULL);
	kv_str(o, "ecs.container_name", t->container_name);
	kv_str(o, "ecs.image", t->image);
	kv_str(o, "ecs.image_digest", t->image_digest);
	kv_str(o, "ecs.availability_zone", t->availability_zone);
	kv_str(o, "ecs.launch_type", t->launch_type);
}

static int priority(const struct coverage_facts *f)
{
	if (f->monitored)
		return RULES_PRIO_INFORMATIONAL;
	if (!f->started)
		return RULES_PRIO_ERROR; /* nothing runs unwatched; the task fails visibly */
	if (strcmp(f->sensor, "none") == 0 && strcmp(f->choice, "--no-trace") == 0)
		return RULES_PRIO_WARNING; /* asked for */
	return RULES_PRIO_CRITICAL;	   /* the application runs and nothing watches it */
}

static void output_line(char *text, size_t size, const struct coverage_facts *f)
{
	if (f->monitored)
		snprintf(text, size,
			 "vigil coverage: the application is monitored (sensor=%s, %s; init=%s; "
			 "start_policy=%s)",
			 f->sensor, f->choice, f->init, f->policy);
	else if (!f->started)
		snprintf(text, size,
			 "vigil coverage: the application was NOT started: it cannot be monitored "
			 "and start_policy=security (%s)",
			 f->reason);
	else
		snprintf(text, size,
			 "vigil coverage: the application runs UNMONITORED (%s; init=%s; "
			 "start_policy=%s)",
			 f->reason, f->init, f->policy);
}

int coverage_alert_json(struct strbuf *out, const struct coverage_facts *f,
			const struct field_ctx *ctx)
{
	char text[1024];
	int prio = priority(f);
	output_line(text, sizeof(text), f);
	ship_own_alert_open(out, "vigil coverage", rules_priority_name(prio), text);
	strbuf_addc(out, '{');
	struct obj o = {out, true};
	kv_bool(&o, "vigil.monitored", f->monitored);
	kv_bool(&o, "vigil.started", f->started);
	kv_str(&o, "vigil.reason", f->reason);
	kv_str(&o, "vigil.sensor", f->sensor);
	kv_str(&o, "vigil.sensor_choice", f->choice);
	kv_str(&o, "vigil.start_policy", f->policy);
	kv_str(&o, "vigil.init", f->init);
	kv_str(&o, "vigil.pid1", f->pid1);
	key(&o, "vigil.pid");
	strbuf_add_int(out, f->pid);
	kv_str(&o, "vigil.version", VIGIL_VERSION);
	kv_str(&o, "vigil.task_metadata",
	       f->meta > 0   ? "ok"
	       : f->meta < 0 ? "unavailable"
			     : "none");
	kv_str(&o, "vigil.task_metadata_error", f->meta < 0 ? f->meta_err : NULL);
	kv_str(&o, "container.id", ctx ? ctx->container_id : NULL);
	kv_str(&o, "container.name", ctx ? ctx->container_name : NULL);
	kv_str(&o, "container.image", ctx ? ctx->image : NULL);
	if (f->meta > 0)
		task_fields(&o, &f->task);
	strbuf_addc(out, '}');
	ship_own_alert_close(out, "coverage", ctx && ctx->hostname ? ctx->hostname : "");
	return prio;
}
