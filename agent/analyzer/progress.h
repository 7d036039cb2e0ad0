/*
 * progress.h — what an analyzer has handled, in a page shared with its
 * successors (a memfd the supervisor keeps).
 *
 * A record is {last evt.num handled, events lost so far, --events-out size
 * at that point, alerts held only in memory}. Two slots and an index: the inactive slot is written in
 * full, then the index flips with one atomic store, so an analyzer killed
 * at any instant leaves a record whose three values belong together.
 */
#ifndef VIGIL_ANALYZER_PROGRESS_H
#define VIGIL_ANALYZER_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

struct progress_rec {
	uint64_t last_num, lost, out_size;
	uint64_t alerts_in_memory; /* queued for delivery, not yet sent, written or spooled */
};

/* Maps the page behind fd; NULL if it cannot. */
uint64_t *progress_map(int fd);
/* The last complete record; false (and zeros) if none was ever stored. */
bool progress_load(const uint64_t *page, struct progress_rec *out);
void progress_store(uint64_t *page, const struct progress_rec *rec);

#endif
