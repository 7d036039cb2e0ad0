/* loss.c — at most one loss report a minute, never a silent loss (see loss.h). */
#include "analyzer/loss.h"

/* A count below what was reported (cannot happen; a forged page could
 * claim it) is reported whole rather than as a huge difference. */
static uint64_t since(uint64_t now, uint64_t reported)
{
	return now >= reported ? now - reported : now;
}

bool loss_pending(const struct loss *l)
{
	return l->seen.events_dropped != l->rep_dropped || l->seen.events_lost != l->rep_lost ||
	       l->seen.analyzer_restarts != l->rep_restarts;
}

uint64_t loss_due_ms(const struct loss *l, uint64_t now_ms)
{
	if (!l->rep_ms || now_ms >= l->rep_ms + LOSS_REPORT_EVERY_MS)
		return 0;
	return l->rep_ms + LOSS_REPORT_EVERY_MS - now_ms;
}

bool loss_update(struct loss *l, struct vigil_health *h, uint64_t now_ms, bool force)
{
	l->seen = *h;
	h->dropped_new = h->lost_new = h->restarts_new = 0;
	if (!loss_pending(l) || (!force && loss_due_ms(l, now_ms) > 0))
		return false;
	h->dropped_new = since(h->events_dropped, l->rep_dropped);
	h->lost_new = since(h->events_lost, l->rep_lost);
	h->restarts_new = since(h->analyzer_restarts, l->rep_restarts);
	l->rep_dropped = h->events_dropped;
	l->rep_lost = h->events_lost;
	l->rep_restarts = h->analyzer_restarts;
	l->rep_ms = now_ms ? now_ms : 1;
	l->seen = *h;
	return true;
}
