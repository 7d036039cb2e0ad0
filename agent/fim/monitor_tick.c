/* monitor_tick.c — due work: coalesced paths, reconciliation, saving, teardown. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fim/monitor_internal.h"
#include "vigil/clock.h"

static uint64_t due_at(const struct fim_monitor *m, const struct dirty *d)
{
	uint64_t quiet = d->last_ms + m->cfg->coalesce_ms,
		 latest = d->first_ms + m->cfg->max_delay_ms;
	return quiet < latest ? quiet : latest;
}

struct due_scan {
	const struct fim_monitor *m;
	uint64_t now, next;
	char **ready;
	size_t n;
	bool all;
};

static void find_due(const char *path, void *val, void *arg)
{
	struct due_scan *s = arg;
	uint64_t at = due_at(s->m, val);
	if (at <= s->now || s->all) {
		char **v = realloc(s->ready, (s->n + 1) * sizeof(*v));
		if (v && (v[s->n] = strdup(path))) {
			s->ready = v;
			s->n++;
		} else if (v) {
			s->ready = v;
		}
	} else if (!s->next || at < s->next) {
		s->next = at;
	}
}

static int cmp_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Process the dirty paths that are due (all of them when `all`). */
static void process_dirty(struct fim_monitor *m, bool all)
{
	if (!m->ready || !m->dirty.live)
		return;
	struct due_scan s = {m, vigil_mono_ms(), 0, NULL, 0, all};
	pathmap_each(&m->dirty, find_due, &s);
	/* Parents before children: a new directory is recorded before its files. */
	qsort(s.ready, s.n, sizeof(*s.ready), cmp_path);
	for (size_t i = 0; i < s.n; i++) {
		free(pathmap_del(&m->dirty, s.ready[i]));
		fim_apply_path(m, s.ready[i], VIGIL_FIM_BY_INOTIFY);
		free(s.ready[i]);
	}
	free(s.ready);
}

static uint64_t next_dirty_ms(const struct fim_monitor *m)
{
	uint64_t next = 0;
	for (size_t i = 0; i < m->dirty.cap; i++) {
		const struct pathmap_slot *sl = &m->dirty.slots[i];
		if (!sl->key || !sl->val)
			continue;
		uint64_t at = due_at(m, sl->val);
		if (!next || at < next)
			next = at;
	}
	return next;
}

int fim_monitor_next_ms(const struct fim_monitor *m)
{
	uint64_t now = vigil_mono_ms(), next = 0;
	uint64_t cands[] = {m->ready ? next_dirty_ms(m) : 0, m->next_reconcile_ms,
			    m->w.n_unwatched ? m->next_unwatched_ms : 0,
			    m->state_changed ? m->next_save_ms : 0};
	for (size_t i = 0; i < sizeof(cands) / sizeof(cands[0]); i++)
		if (cands[i] && (!next || cands[i] < next))
			next = cands[i];
	if (!next)
		return -1;
	return next <= now ? 0 : next - now > 60000 ? 60000 : (int)(next - now);
}

void fim_monitor_tick(struct fim_monitor *m)
{
	process_dirty(m, false);
	uint64_t now = vigil_mono_ms();
	if (m->next_reconcile_ms && now >= m->next_reconcile_ms && !m->scanning && m->ready) {
		m->next_reconcile_ms = now + m->cfg->reconcile_s * 1000ull;
		fim_scan_start(m, SCAN_RECONCILE);
	}
	if (m->w.n_unwatched && now >= m->next_unwatched_ms && !m->scanning && m->ready) {
		m->next_unwatched_ms = now + m->cfg->degraded_scan_s * 1000ull;
		fim_scan_start(m, SCAN_UNWATCHED);
	}
	if (now >= m->next_save_ms) {
		m->next_save_ms = now + 10000;
		fim_save_baseline(m);
	}
}

void fim_monitor_flush(struct fim_monitor *m)
{
	fim_monitor_on_inotify(m);
	process_dirty(m, true);
	fim_save_baseline(m);
}

void fim_monitor_stats(const struct fim_monitor *m, struct fim_monitor_stats *st)
{
	*st = m->st;
	st->watches = m->w.n_watched;
	st->unwatched_trees = m->w.n_unwatched;
	st->entries = fim_state_count(&m->state);
}

static void free_dirty(const char *key, void *val, void *arg)
{
	(void)key;
	(void)arg;
	free(val);
}

bool fim_monitor_free(struct fim_monitor *m)
{
	if (!m)
		return false;
	if (m->scanning) {
		/* A scan of a big tree can take seconds; the analyzer must exit
		 * within its drain deadline. The worker still uses m: leave it to
		 * the process exit (kept reachable, so it is not a leak). */
		static struct fim_monitor *left_running;
		pthread_detach(m->thread);
		left_running = m;
		(void)left_running;
		return true;
	}
	for (size_t i = 0; i < m->n_scan_roots; i++)
		free(m->scan_roots[i]);
	free(m->scan_roots);
	pathmap_each(&m->dirty, free_dirty, NULL);
	pathmap_clear(&m->dirty);
	pathmap_clear(&m->touched);
	fim_state_free(&m->state);
	fim_watches_free(&m->w);
	if (m->scan_efd >= 0)
		close(m->scan_efd);
	free(m);
	return false;
}
