/* strmap.c — a string-keyed map with borrowed keys (see vigil/strmap.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/strmap.h"

static uint64_t str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return h;
}

int vigil_strmap_get(const struct vigil_strmap *m, const char *key, size_t *val)
{
	if (!m->cap)
		return -1;
	size_t mask = m->cap - 1;
	for (size_t i = str_hash(key) & mask;; i = (i + 1) & mask) {
		if (!m->slots[i].key)
			return -1;
		if (strcmp(m->slots[i].key, key) == 0) {
			*val = m->slots[i].val;
			return 0;
		}
	}
}

static void slot_put(struct vigil_strmap_slot *slots, size_t cap, const char *key, size_t val)
{
	size_t mask = cap - 1;
	size_t i = str_hash(key) & mask;
	while (slots[i].key && strcmp(slots[i].key, key) != 0)
		i = (i + 1) & mask;
	slots[i].key = key;
	slots[i].val = val;
}

int vigil_strmap_put(struct vigil_strmap *m, const char *key, size_t val)
{
	if ((m->n + 1) * 2 > m->cap) { /* keep the load at most 1/2 */
		size_t cap = m->cap ? m->cap * 2 : 64;
		struct vigil_strmap_slot *s = calloc(cap, sizeof(*s));
		if (!s)
			return -1;
		for (size_t i = 0; i < m->cap; i++)
			if (m->slots[i].key)
				slot_put(s, cap, m->slots[i].key, m->slots[i].val);
		free(m->slots);
		m->slots = s;
		m->cap = cap;
	}
	size_t old;
	if (vigil_strmap_get(m, key, &old) != 0)
		m->n++;
	slot_put(m->slots, m->cap, key, val);
	return 0;
}

void vigil_strmap_free(struct vigil_strmap *m)
{
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

/* ---- misc ---- */
