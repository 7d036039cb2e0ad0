/* strmap.h — string -> index map with borrowed keys (open addressing). */
#ifndef VIGIL_STRMAP_H
#define VIGIL_STRMAP_H

#include <stddef.h>

struct vigil_strmap_slot {
	const char *key;
	size_t val;
};
struct vigil_strmap {
	struct vigil_strmap_slot *slots;
	size_t cap, n;
};
/* 0 and *val set if found, -1 if not. */
int vigil_strmap_get(const struct vigil_strmap *m, const char *key, size_t *val);
/* Insert or overwrite; -1 on ENOMEM. */
int vigil_strmap_put(struct vigil_strmap *m, const char *key, size_t val);
void vigil_strmap_free(struct vigil_strmap *m);

#endif
