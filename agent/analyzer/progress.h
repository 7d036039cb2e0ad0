/*
 * progress.h — what an analyzer has handled, in a page shared with its
 * successors (a memfd the supervisor keeps).
 *
 * A record is {last evt.num handled, events lost so far, --events-out size
 * at that point, alerts held only in memory, the last loss report}. Two
 * slots and an index: the inactive slot is written in full, then the index
 * flips with one atomic store, so an analyzer killed at any instant leaves
 * a record whose values belong together.
 *
 * A successor trusts nothing it inherits: each slot carries a checksum, and
 * a record whose checksum is wrong, or whose counters went down from the
 * other slot's, is rejected (docs/architecture.md, "The channel").
 */
#ifndef VIGIL_ANALYZER_PROGRESS_H
#define VIGIL_ANALYZER_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct progress_rec {
	uint64_t last_num, lost, out_size;
	uint64_t alerts_in_memory; /* queued for delivery, not yet sent, written or spooled */
	/* the last loss report (loss.h): counters it covered, and when (monotonic ms) */
	uint64_t rep_dropped, rep_lost, rep_restarts, rep_ms;
};

enum progress_state {
	PROGRESS_NONE, /* never stored: a first start */
	PROGRESS_OK,
	PROGRESS_REJECTED, /* stored, but not sound: see the reason */
};

/* Maps the page behind fd; NULL if it cannot. */
uint64_t *progress_map(int fd);
/*
 * The last complete record. With PROGRESS_REJECTED, `why` says what was
 * wrong and *out holds, per counter, the highest value either slot shows
 * (a forged slot can raise a count, never lower it below the other slot's).
 */
enum progress_state progress_load(const uint64_t *page, struct progress_rec *out, char *why,
				  size_t whylen);
/* Never touches the heartbeat word (heartbeat.h). */
void progress_store(uint64_t *page, const struct progress_rec *rec);

/*
 * May --events-out (fd, a regular file) be cut back to `out_size`, the end
 * of the last recorded event? Only a tail one write can leave (at most
 * `max_tail` bytes) after a complete line: anything else is not what a
 * killed predecessor leaves, and nothing is cut. 0 yes, 1 nothing to cut,
 * -1 no (the reason in why).
 */
int progress_check_cut(int fd, uint64_t out_size, uint64_t max_tail, char *why, size_t whylen);

#endif
