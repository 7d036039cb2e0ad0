/*
 * loss.h — loss reports: when dropped or lost events, and analyzer
 * restarts, reach the rules as "new" counts (vigil.*_new).
 *
 * Health events carry counters since start. A report says what changed
 * since the previous report: the first change in a minute is reported at
 * once, later ones are added up and reported when the minute is over
 * (loss_due_ms), and whatever is left at exit is reported then. So a
 * flood that drops events gives one alert a minute with the counts, never
 * none, however many health events the full queue itself swallowed: the
 * next one that arrives carries the totals.
 */
#ifndef VIGIL_ANALYZER_LOSS_H
#define VIGIL_ANALYZER_LOSS_H

#include <stdbool.h>
#include <stdint.h>

#include "vigil/event.h"

#define LOSS_REPORT_EVERY_MS 60000u

struct loss {
	struct vigil_health seen; /* the latest counters (supervisor's and ours) */
	uint64_t rep_dropped, rep_lost, rep_restarts; /* covered by the last report */
	uint64_t rep_ms; /* when it was made (monotonic ms); 0: never */
};

/* Takes the latest counters from h and sets h's *_new: non-zero when this
 * event is a report (due, or `force` at exit). Returns whether it is. */
bool loss_update(struct loss *l, struct vigil_health *h, uint64_t now_ms, bool force);
/* Something changed that no report has covered yet. */
bool loss_pending(const struct loss *l);
/* Milliseconds until a pending report is due (0: now). */
uint64_t loss_due_ms(const struct loss *l, uint64_t now_ms);

#endif
