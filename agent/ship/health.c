/* health.c — the periodic `vigil health` alert: counters in Falco's alert format. */
#include <stdio.h>
#include <string.h>

#include "ship/batch.h"
#include "ship/body.h"
#include "ship/health.h"
#include "vigil/clock.h"

#define PRIO_WARNING 4
#define PRIO_INFORMATIONAL 6

void ship_own_alert_open(struct strbuf *out, const char *rule, const char *priority,
			 const char *text)
{
	char when[40];
	vigil_fmt_rfc3339(when, vigil_wall_ns());
	strbuf_reset(out);
	strbuf_adds(out, "{\"time\":\"");
	strbuf_adds(out, when);
	strbuf_adds(out, "\",\"rule\":");
	strbuf_add_json_str(out, rule, strlen(rule));
	strbuf_adds(out, ",\"priority\":\"");
	strbuf_adds(out, priority);
	strbuf_adds(out, "\",\"source\":\"vigil\",\"output\":");
	strbuf_add_json_str(out, text, strlen(text));
	strbuf_adds(out, ",\"output_fields\":");
}

void ship_own_alert_close(struct strbuf *out, const char *tag, const char *hostname)
{
	char uuid[SHIP_UUID_LEN + 1];
	ship_uuid(uuid);
	strbuf_adds(out, ",\"tags\":[\"vigil\",");
	strbuf_add_json_str(out, tag, strlen(tag));
	strbuf_adds(out, "],\"hostname\":");
	strbuf_add_json_str(out, hostname, strlen(hostname));
	strbuf_adds(out, ",\"uuid\":\"");
	strbuf_adds(out, uuid);
	strbuf_adds(out, "\"}");
}

int health_alert(struct strbuf *out, const struct ship_counters *c, uint64_t lost_before,
		 const char *hostname)
{
	uint64_t lost = ship_counters_lost(c);
	/* New losses since the last report make it a warning someone should look at. */
	int prio = lost > lost_before ? PRIO_WARNING : PRIO_INFORMATIONAL;
	char text[256];
	snprintf(text, sizeof(text),
		 "vigil health: submitted=%llu delivered=%llu written=%llu lost=%llu spooled=%llu "
		 "queued=%llu",
		 (unsigned long long)c->submitted, (unsigned long long)c->delivered,
		 (unsigned long long)c->written, (unsigned long long)lost,
		 (unsigned long long)c->spool_alerts, (unsigned long long)c->queued_alerts);
	ship_own_alert_open(out, "vigil health", prio == PRIO_WARNING ? "Warning" : "Informational",
			    text);
	ship_counters_json(out, c, "vigil.");
	ship_own_alert_close(out, "health", hostname);
	return prio;
}
