/* pathmap.h — a hash map from path strings to pointers (open addressing). */
#ifndef VIGIL_FIM_PATHMAP_H
#define VIGIL_FIM_PATHMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "vigil/rc.h"

struct pathmap_slot {
	char *key; /* owned by the map; NULL = empty, PATHMAP_GONE = deleted */
	void *val;
};

struct pathmap {
	struct pathmap_slot *slots;
	size_t cap, used, live; /* used counts deleted slots too */
};

/* Value for key, or NULL. */
void *pathmap_get(const struct pathmap *m, const char *key);
/* Insert or replace; *old gets the replaced value (or NULL). VIGIL_OK or VIGIL_ERR_NOMEM. */
vigil_rc pathmap_put(struct pathmap *m, const char *key, void *val, void **old);
/* Remove key; returns its value or NULL. */
void *pathmap_del(struct pathmap *m, const char *key);
/* Calls fn for each entry (the map must not change meanwhile). */
void pathmap_each(const struct pathmap *m, void (*fn)(const char *key, void *val, void *arg),
		  void *arg);
/* Frees keys and slots, not values. */
void pathmap_clear(struct pathmap *m);

#endif
