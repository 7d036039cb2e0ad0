/* health.h — the `vigil health` alert, and the envelope of vigil's own alerts. */
#ifndef VIGIL_SHIP_HEALTH_H
#define VIGIL_SHIP_HEALTH_H

#include <stdint.h>

#include "ship/ship.h"
#include "vigil/strbuf.h"

/*
 * Build the alert into out (reset first); returns its priority: Warning
 * when losses grew past `lost_before`, else Informational.
 */
int health_alert(struct strbuf *out, const struct ship_counters *c, uint64_t lost_before,
		 const char *hostname);

/*
 * vigil's own alerts (health, coverage) in Falco's alert format: open
 * resets out and writes time, rule, priority, source "vigil" and the
 * output text, up to "output_fields": (the caller writes its object);
 * close writes tags ["vigil", tag], hostname and a new uuid.
 */
void ship_own_alert_open(struct strbuf *out, const char *rule, const char *priority,
			 const char *text);
void ship_own_alert_close(struct strbuf *out, const char *tag, const char *hostname);

#endif
