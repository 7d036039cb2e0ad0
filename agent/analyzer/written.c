/* written.c — a bounded set of written paths (open addressing, FIFO eviction). */
#include <stdlib.h>
#include <string.h>

#include "analyzer/written.h"
#include "vigil/syscalls.h"

struct written {
	char **slots;	/* hash table of owned strings, NULL = empty */
	size_t n_slots; /* power of two, >= 2 * capacity */
	char **fifo;	/* insertion order, for eviction */
	size_t capacity, head, count;
	uint64_t forgotten;
};

static uint64_t hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

struct written *written_new(size_t capacity)
{
	struct written *w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->capacity = capacity;
	w->n_slots = 16;
	while (w->n_slots < capacity * 2)
		w->n_slots *= 2;
	w->slots = calloc(w->n_slots, sizeof(*w->slots));
	w->fifo = calloc(capacity, sizeof(*w->fifo));
	if (!w->slots || !w->fifo) {
		written_free(w);
		return NULL;
	}
	return w;
}

void written_free(struct written *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->n_slots && w->slots; i++)
		free(w->slots[i]);
	free(w->slots);
	free(w->fifo);
	free(w);
}

static size_t find(const struct written *w, const char *path, size_t len, bool *found)
{
	size_t i = hash(path, len) & (w->n_slots - 1);
	while (w->slots[i]) {
		if (strlen(w->slots[i]) == len && memcmp(w->slots[i], path, len) == 0) {
			*found = true;
			return i;
		}
		i = (i + 1) & (w->n_slots - 1);
	}
	*found = false;
	return i;
}

/* Remove one entry and re-insert the rest of its cluster (linear probing). */
static void erase(struct written *w, const char *path)
{
	bool found;
	size_t i = find(w, path, strlen(path), &found);
	if (!found)
		return;
	free(w->slots[i]);
	w->slots[i] = NULL;
	for (size_t j = (i + 1) & (w->n_slots - 1); w->slots[j]; j = (j + 1) & (w->n_slots - 1)) {
		char *s = w->slots[j];
		w->slots[j] = NULL;
		size_t k = find(w, s, strlen(s), &found);
		w->slots[k] = s;
	}
}

static void add(struct written *w, const char *path, size_t len)
{
	bool found;
	if (!w || len == 0 || path[0] != '/')
		return;
	size_t i = find(w, path, len, &found);
	if (found)
		return;
	if (w->count == w->capacity) { /* forget the oldest */
		erase(w, w->fifo[w->head]);
		w->head = (w->head + 1) % w->capacity;
		w->count--;
		w->forgotten++;
		i = find(w, path, len, &found);
	}
	char *s = strndup(path, len);
	if (!s)
		return;
	w->slots[i] = s;
	w->fifo[(w->head + w->count) % w->capacity] = s;
	w->count++;
}

static const struct vigil_evarg *arg(const struct vigil_event *ev, const char *key)
{
	for (int i = 0; i < ev->n_evargs; i++) {
		vigil_str k = ev->evargs[i].key;
		if (k.len == strlen(key) && memcmp(vigil_str_ptr(ev, k), key, k.len) == 0)
			return &ev->evargs[i];
	}
	return NULL;
}

void written_observe(struct written *w, const struct vigil_event *ev)
{
	const struct vigil_evarg *a;
	if (vigil_sc_opens_file(ev->type)) {
		if ((ev->open_flags & VIGIL_OPEN_WRITE) && vigil_str_present(ev->fd.name))
			add(w, vigil_str_ptr(ev, ev->fd.name), ev->fd.name.len);
		return;
	}
	switch (ev->type) {
	case VIGIL_SC_RENAME:
	case VIGIL_SC_RENAMEAT:
	case VIGIL_SC_RENAMEAT2:
	case VIGIL_SC_LINK:
	case VIGIL_SC_LINKAT:
		if ((a = arg(ev, "newpath")))
			add(w, vigil_str_ptr(ev, a->val), a->val.len);
		break;
	default: break;
	}
}

bool written_has(const void *state, const char *path, size_t len)
{
	const struct written *w = state;
	bool found = false;
	if (w)
		find(w, path, len, &found);
	return found;
}

uint64_t written_forgotten(const struct written *w)
{
	return w ? w->forgotten : 0;
}
