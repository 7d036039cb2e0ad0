/* rules_util.c — small helpers of the rules-file loader: a bump allocator,
 * a string-keyed hash map, version and priority parsing. */
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rules/rules_internal.h"

/* ---- arena ---- */

struct rules_arena_chunk {
	struct rules_arena_chunk *next;
	size_t used, cap;
	_Alignas(16) unsigned char data[];
};

#define ARENA_CHUNK (64u << 10)

void *rules_arena_alloc(struct rules_arena *a, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	struct rules_arena_chunk *c = a->head;
	if (!c || c->cap - c->used < n) {
		size_t cap = n > ARENA_CHUNK ? n : ARENA_CHUNK;
		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->used = 0;
		c->cap = cap;
		c->next = a->head;
		a->head = c;
	}
	void *p = c->data + c->used;
	c->used += n;
	return p;
}

void rules_arena_free(struct rules_arena *a)
{
	struct rules_arena_chunk *c = a->head;
	while (c) {
		struct rules_arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	a->head = NULL;
}

/* ---- string map ---- */

static uint64_t str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return h;
}

int rules_strmap_get(const struct rules_strmap *m, const char *key, size_t *val)
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

static void slot_put(struct rules_strmap_slot *slots, size_t cap, const char *key, size_t val)
{
	size_t mask = cap - 1;
	size_t i = str_hash(key) & mask;
	while (slots[i].key && strcmp(slots[i].key, key) != 0)
		i = (i + 1) & mask;
	slots[i].key = key;
	slots[i].val = val;
}

int rules_strmap_put(struct rules_strmap *m, const char *key, size_t val)
{
	if ((m->n + 1) * 2 > m->cap) { /* keep the load at most 1/2 */
		size_t cap = m->cap ? m->cap * 2 : 64;
		struct rules_strmap_slot *s = calloc(cap, sizeof(*s));
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
	if (rules_strmap_get(m, key, &old) != 0)
		m->n++;
	slot_put(m->slots, m->cap, key, val);
	return 0;
}

void rules_strmap_free(struct rules_strmap *m)
{
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

/* ---- misc ---- */

void *rules_grow(void *p, size_t need)
{
	if (p && malloc_usable_size(p) >= need)
		return p;
	size_t cap = need < 64 ? 64 : need + need / 2;
	if (cap < need)
		return NULL;
	return realloc(p, cap);
}

char *rules_strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

bool rules_parse_semver(const char *s, uint32_t out[3])
{
	for (int i = 0; i < 3; i++) {
		if (*s < '0' || *s > '9')
			return false;
		uint64_t v = 0;
		while (*s >= '0' && *s <= '9') {
			v = v * 10 + (uint64_t)(*s++ - '0');
			if (v > UINT32_MAX)
				return false;
		}
		out[i] = (uint32_t)v;
		if (i < 2 && *s++ != '.')
			return false;
	}
	return *s == '\0';
}

static const char *const prio_names[] = {
	"Emergency", "Alert", "Critical", "Error", "Warning", "Notice", "Informational", "Debug",
};

const char *rules_priority_name(enum rules_priority p)
{
	if ((unsigned)p >= sizeof(prio_names) / sizeof(prio_names[0]))
		return "Unknown";
	return prio_names[p];
}

bool rules_priority_parse(const char *s, enum rules_priority *out)
{
	for (size_t i = 0; i < sizeof(prio_names) / sizeof(prio_names[0]); i++) {
		if (strcasecmp(s, prio_names[i]) == 0) {
			*out = (enum rules_priority)i;
			return true;
		}
	}
	if (strcasecmp(s, "info") == 0) {
		*out = RULES_PRIO_INFORMATIONAL;
		return true;
	}
	return false;
}
