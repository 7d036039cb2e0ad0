/* health.h — the `vigil health` alert. */
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

#endif
