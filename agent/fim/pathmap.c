/*
 * pathmap.c — open addressing with linear probing and tombstones.
 *
 * The FIM monitor keeps its small, changing sets here (paths changed since
 * the baseline, paths waiting out their coalescing delay), next to the big
 * sorted baseline array, which never changes between scans.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fim/pathmap.h"

static char gone_marker;
#define PATHMAP_GONE (&gone_marker)

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static struct pathmap_slot *find(const struct pathmap *m, const char *key, bool for_insert)
{
	if (!m->cap)
		return NULL;
	size_t mask = m->cap - 1, i = hash_str(key) & mask;
	struct pathmap_slot *first_gone = NULL;
	for (;;) {
		struct pathmap_slot *s = &m->slots[i];
		if (!s->key)
			return for_insert ? (first_gone ? first_gone : s) : NULL;
		if (s->key == PATHMAP_GONE) {
			if (!first_gone)
				first_gone = s;
		} else if (strcmp(s->key, key) == 0) {
			return s;
		}
		i = (i + 1) & mask;
	}
}

static int grow(struct pathmap *m)
{
	size_t cap = m->cap ? m->cap : 16;
	while ((m->live + 1) * 2 > cap) /* at most half full after the rebuild */
		cap *= 2;
	struct pathmap_slot *old = m->slots;
	size_t old_cap = m->cap;
	m->slots = calloc(cap, sizeof(*m->slots));
	if (!m->slots) {
		m->slots = old;
		return -1;
	}
	m->cap = cap;
	m->used = m->live = 0;
	for (size_t i = 0; i < old_cap; i++) {
		if (!old[i].key || old[i].key == PATHMAP_GONE)
			continue;
		struct pathmap_slot *s = find(m, old[i].key, true);
		*s = old[i];
		m->used++;
		m->live++;
	}
	free(old);
	return 0;
}

void *pathmap_get(const struct pathmap *m, const char *key)
{
	struct pathmap_slot *s = find(m, key, false);
	return s ? s->val : NULL;
}

vigil_rc pathmap_put(struct pathmap *m, const char *key, void *val, void **old)
{
	*old = NULL;
	if ((m->used + 1) * 4 > m->cap * 3 && grow(m) != 0)
		return VIGIL_ERR_NOMEM;
	struct pathmap_slot *s = find(m, key, true);
	if (s->key && s->key != PATHMAP_GONE) {
		*old = s->val;
		s->val = val;
		return VIGIL_OK;
	}
	char *k = strdup(key);
	if (!k)
		return VIGIL_ERR_NOMEM;
	if (!s->key)
		m->used++;
	s->key = k;
	s->val = val;
	m->live++;
	return VIGIL_OK;
}

void *pathmap_del(struct pathmap *m, const char *key)
{
	struct pathmap_slot *s = find(m, key, false);
	if (!s)
		return NULL;
	void *v = s->val;
	free(s->key);
	s->key = PATHMAP_GONE;
	s->val = NULL;
	m->live--;
	return v;
}

void pathmap_each(const struct pathmap *m, void (*fn)(const char *key, void *val, void *arg),
		  void *arg)
{
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].key && m->slots[i].key != PATHMAP_GONE)
			fn(m->slots[i].key, m->slots[i].val, arg);
}

void pathmap_clear(struct pathmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].key && m->slots[i].key != PATHMAP_GONE)
			free(m->slots[i].key);
	free(m->slots);
	memset(m, 0, sizeof(*m));
}
