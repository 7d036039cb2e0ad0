/*
 * state.h — what FIM currently believes is on disk.
 *
 * A sorted baseline array from the last full scan, plus an overlay of the
 * paths that changed since (a new entry, or a tombstone for a deletion).
 * Live changes touch only the overlay; a scan replaces both.
 */
#ifndef VIGIL_FIM_STATE_H
#define VIGIL_FIM_STATE_H

#include "fim/entry.h"
#include "fim/pathmap.h"
#include "vigil/rc.h"

struct fim_state {
	struct fim_set base;	/* sorted by path */
	struct pathmap overlay; /* path -> struct fim_entry * (path NULL = deleted) */
};

void fim_state_init(struct fim_state *s);
void fim_state_free(struct fim_state *s);
/* The recorded entry for path, or NULL if none (or deleted). */
const struct fim_entry *fim_state_get(const struct fim_state *s, const char *path);
/* Records e as path's state (takes e's allocations; e is cleared).
 * VIGIL_OK, or VIGIL_ERR_NOMEM (e is left to the caller). */
vigil_rc fim_state_set(struct fim_state *s, struct fim_entry *e);
/* Records that path no longer exists. VIGIL_OK or VIGIL_ERR_NOMEM. */
vigil_rc fim_state_delete(struct fim_state *s, const char *path);
/* Calls fn for each recorded entry strictly below dir (not dir itself). */
void fim_state_below(const struct fim_state *s, const char *dir,
		     void (*fn)(const struct fim_entry *e, void *arg), void *arg);
/* A sorted deep copy of the whole current state. VIGIL_OK or VIGIL_ERR_NOMEM. */
vigil_rc fim_state_snapshot(const struct fim_state *s, struct fim_set *out);
/* Replaces everything with scan (sorted; taken over, *scan is cleared). */
void fim_state_replace(struct fim_state *s, struct fim_set *scan);
/* Entries recorded (for the memory figures). */
size_t fim_state_count(const struct fim_state *s);

#endif
