/*
 * heartbeat.h — the analyzer's side of the liveness check: it writes the
 * beat the supervisor reads (include/vigil/heartbeat.h).
 *
 * The event loop beats from a timer and while it drains the channel; the
 * start-up (configuration, rules, FIM watches) runs with a helper thread
 * beating for it, for at most HEARTBEAT_STARTUP_MAX_MS, so a slow start
 * is not taken for a hang while a start-up that never ends still is.
 */
#ifndef VIGIL_ANALYZER_HEARTBEAT_H
#define VIGIL_ANALYZER_HEARTBEAT_H

#include <stdint.h>

struct evloop;

#define HEARTBEAT_STARTUP_MAX_MS 60000u

/* Where beats go (the progress page; NULL: nowhere). Beats at once. */
void heartbeat_init(uint64_t *page);
/* Store CLOCK_MONOTONIC ns in the page's heartbeat word now. */
void heartbeat_beat(void);
/* Beat from a helper thread until heartbeat_startup_end(). */
void heartbeat_startup_begin(void);
void heartbeat_startup_end(void);
/* Beat from the loop's timers, every half VIGIL_HEARTBEAT_INTERVAL_MS. */
void heartbeat_loop_start(struct evloop *loop);
void heartbeat_loop_stop(struct evloop *loop);

#endif
