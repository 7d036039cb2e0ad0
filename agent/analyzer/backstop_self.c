/*
 * backstop_self.c — vigil's own opens of watched files, as credits.
 *
 * FIM walks and hashes on its scan thread and hash workers, the key
 * provider reads credential files on its thread: each successful open is
 * reported through vigil/selfopen.h, on the thread that made it. A report
 * about a watched object becomes a note (which target, which entry) in a
 * ring the loop takes from. One lock guards it all; it is held for a
 * compare per target, and the state lives as long as the process, since a
 * FIM scan may still be running when the analyzer leaves.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/backstop_internal.h"
#include "vigil/clock.h"
#include "vigil/selfopen.h"

#define NOTES 1024 /* notes between two takes of the loop */

struct watched {
	bool file, dir; /* its own opens count; its entries' opens count */
	dev_t dev;
	ino_t ino;
	char *path, *real; /* for entries: the directory's names */
};

static struct {
	pthread_mutex_t lock;
	bool active;
	struct watched w[BS_MAX_TARGETS];
	int n;
	struct bs_note ring[NOTES];
	size_t first, count;
	uint64_t dropped;
} self = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void put(uint64_t wall_ns, int target, const char *name, size_t len)
{
	if (self.count == NOTES) {
		self.dropped++; /* its open will be an unseen one: loud, not silent */
		return;
	}
	struct bs_note *n = &self.ring[(self.first + self.count++) % NOTES];
	n->wall_ns = wall_ns;
	n->target = target;
	n->len = (uint8_t)len;
	memcpy(n->name, name, len);
}

static bool dir_is(const struct watched *w, const char *path, size_t dlen)
{
	return (w->path && strlen(w->path) == dlen && memcmp(w->path, path, dlen) == 0) ||
	       (w->real && strlen(w->real) == dlen && memcmp(w->real, path, dlen) == 0);
}

/* The selfopen watcher: which watched objects did this open reach? */
static void on_self_open(const char *path, const struct stat *st)
{
	const char *slash = strrchr(path, '/');
	size_t dlen = slash ? (slash == path ? 1 : (size_t)(slash - path)) : 0;
	size_t nlen = slash ? strlen(slash + 1) : 0;
	uint64_t now = vigil_wall_ns(); /* after the open: its IN_OPEN is queued */
	pthread_mutex_lock(&self.lock);
	for (int i = 0; self.active && i < self.n; i++) {
		const struct watched *w = &self.w[i];
		if (w->file && w->dev == st->st_dev && w->ino == st->st_ino)
			put(now, i, "", 0);
		if (w->dir && nlen && nlen <= NAME_MAX && dir_is(w, path, dlen))
			put(now, i, slash + 1, nlen);
	}
	pthread_mutex_unlock(&self.lock);
}

void bs_self_start(void)
{
	pthread_mutex_lock(&self.lock);
	self.active = true;
	pthread_mutex_unlock(&self.lock);
	vigil_selfopen_install(on_self_open);
}

static void clear(void)
{
	for (int i = 0; i < self.n; i++) {
		free(self.w[i].path);
		free(self.w[i].real);
	}
	memset(self.w, 0, sizeof(self.w));
	self.n = 0;
}

void bs_self_stop(void)
{
	vigil_selfopen_install(NULL);
	pthread_mutex_lock(&self.lock);
	self.active = false;
	clear();
	self.count = 0;
	pthread_mutex_unlock(&self.lock);
}

/* Owners only: a note names the target whose key counts the object. */
void bs_self_update(const struct backstop *b)
{
	pthread_mutex_lock(&self.lock);
	clear();
	for (int i = 0; i < b->n; i++) {
		const struct bs_target *t = &b->t[i];
		struct watched *w = &self.w[i];
		if (t->wd < 0 || t->owner != i)
			continue;
		w->file = t->o_self;
		w->dir = t->o_dir;
		w->dev = t->dev;
		w->ino = t->ino;
		w->path = t->o_dir ? strdup(t->path) : NULL;
		w->real = t->o_dir && t->real ? strdup(t->real) : NULL;
	}
	/* a directory named twice (a symlink to it) is known by the names of
	 * every target in the group */
	for (int i = 0; i < b->n; i++) {
		const struct bs_target *t = &b->t[i];
		if (t->wd >= 0 && t->owner != i && t->dir && !self.w[i].path) {
			self.w[i] = (struct watched){.dir = true, .path = strdup(t->path)};
			self.w[i].real = t->real ? strdup(t->real) : NULL;
		}
	}
	self.n = b->n;
	pthread_mutex_unlock(&self.lock);
}

size_t bs_self_take(struct bs_note *out, size_t max)
{
	size_t k = 0;
	pthread_mutex_lock(&self.lock);
	while (k < max && self.count) {
		out[k++] = self.ring[self.first];
		self.first = (self.first + 1) % NOTES;
		self.count--;
	}
	pthread_mutex_unlock(&self.lock);
	return k;
}

uint64_t bs_self_dropped(void)
{
	pthread_mutex_lock(&self.lock);
	uint64_t d = self.dropped;
	pthread_mutex_unlock(&self.lock);
	return d;
}
