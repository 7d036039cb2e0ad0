/*
 * heartbeat.h — the analyzer's side of the liveness check: it writes the
 * beat the supervisor reads (include/vigil/heartbeat.h).
 *
 * A thread of its own beats for the analyzer's whole life. What the check
 * is for is a frozen analyzer (SIGSTOP, a ptrace stop: every thread
 * stops); a loop that is merely slow or blocked on an output (a FIFO
 * nobody reads, a stalled disk) is not helped by a restart, which would
 * only lose what it holds, and shows up as counted, alerted drops instead.
 */
#ifndef VIGIL_ANALYZER_HEARTBEAT_H
#define VIGIL_ANALYZER_HEARTBEAT_H

#include <stdint.h>

/* Beat into the page's heartbeat word now, then from a thread every
 * half VIGIL_HEARTBEAT_INTERVAL_MS (page NULL: nowhere). */
void heartbeat_start(uint64_t *page);
/* End the thread (at exit). */
void heartbeat_stop(void);

#endif
