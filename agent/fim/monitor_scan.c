/*
 * monitor_scan.c — full scans on a worker thread, and what the loop does
 * with their result.
 *
 * The worker reads only the configuration and its own roots list, and
 * writes only scan_result; the loop thread does not touch either while
 * `scanning` is set, and joins the worker when the eventfd says it is done.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "fim/compare.h"
#include "fim/db.h"
#include "fim/hash.h"
#include "fim/monitor_internal.h"
#include "fim/scan.h"
#include "fim/walk.h"
#include "vigil/clock.h"
#include "vigil/log.h"

/* Keep only the entries some watch reports (include globs, depth). */
static void filter_covered(const struct fim_config *cfg, struct fim_set *s)
{
	size_t w = 0;
	for (size_t i = 0; i < s->n; i++) {
		const struct fim_watch_cfg *wc = fim_config_match(cfg, s->v[i].path);
		if (!wc || !fim_watch_covers(wc, s->v[i].path)) {
			fim_entry_free(&s->v[i]);
			continue;
		}
		s->v[w++] = s->v[i];
	}
	s->n = w;
}

static int scan_roots(const struct fim_config *cfg, char *const *roots, size_t n,
		      struct fim_set *out)
{
	for (size_t i = 0; i < n; i++) {
		const struct fim_watch_cfg *w = fim_config_match(cfg, roots[i]);
		if (!w)
			continue;
		struct fim_walk_opts o = {.excludes = (const char *const *)w->exclude,
					  .n_excludes = w->n_exclude,
					  .no_recurse = !w->recursive};
		if (fim_walk(roots[i], &o, out) != VIGIL_OK && errno != ENOENT)
			return -1;
	}
	fim_set_sort(out);
	fim_set_dedupe(out);
	filter_covered(cfg, out);
	return fim_hash_all(out, cfg->hash_workers, NULL) < 0 ? -1 : 0;
}

static void *scan_thread(void *arg)
{
	struct fim_monitor *m = arg;
	m->scan_rc = scan_roots(m->cfg, m->scan_roots, m->n_scan_roots, &m->scan_result);
	uint64_t one = 1;
	if (write(m->scan_efd, &one, sizeof(one)) != sizeof(one))
		LOG_WARN("fim: cannot signal the end of a scan");
	return NULL;
}

static void free_roots(struct fim_monitor *m)
{
	for (size_t i = 0; i < m->n_scan_roots; i++)
		free(m->scan_roots[i]);
	free(m->scan_roots);
	m->scan_roots = NULL;
	m->n_scan_roots = 0;
}

void fim_scan_start(struct fim_monitor *m, enum scan_kind kind)
{
	if (m->scanning)
		return;
	if (kind == SCAN_RESCAN) /* watches first, so nothing after the scan goes unseen */
		fim_rewatch_all(m);
	free_roots(m);
	bool unwatched = kind == SCAN_UNWATCHED;
	size_t n = unwatched ? m->w.n_unwatched : m->cfg->n_watches;
	m->scan_roots = calloc(n ? n : 1, sizeof(char *));
	for (size_t i = 0; m->scan_roots && i < n; i++)
		if ((m->scan_roots[i] =
			     strdup(unwatched ? m->w.unwatched[i] : m->cfg->watches[i].path)))
			m->n_scan_roots++;
	memset(&m->scan_result, 0, sizeof(m->scan_result));
	m->scan_kind = kind;
	m->scan_started_ms = vigil_mono_ms();
	m->scanning = true;
	if (pthread_create(&m->thread, NULL, scan_thread, m) != 0) {
		LOG_WARN("fim: cannot start a scan thread: %s", strerror(errno));
		m->scanning = false;
	}
}

static void touched_clear(struct fim_monitor *m)
{
	pathmap_clear(&m->touched);
}

/* Paths changed live while the scan ran keep their live state: the scan
 * may have read them before the change, and the change was reported. */
static void restore_touched(const char *path, void *val, void *arg)
{
	(void)val;
	void **a = arg;
	struct fim_monitor *m = a[0];
	const struct fim_set *before = a[1];
	const struct fim_entry *e = fim_set_find(before, path);
	struct fim_entry copy;
	if (!e)
		fim_state_delete(&m->state, path);
	else if (fim_entry_copy(&copy, e) == VIGIL_OK &&
		 fim_state_set(&m->state, &copy) != VIGIL_OK)
		fim_entry_free(&copy);
}

static void record_change(struct fim_monitor *m, const struct fim_change *c)
{
	if (c->after) {
		struct fim_entry e;
		if (fim_entry_copy(&e, c->after) == VIGIL_OK &&
		    fim_state_set(&m->state, &e) != VIGIL_OK)
			fim_entry_free(&e);
	} else {
		fim_state_delete(&m->state, c->before->path);
	}
}

/* Report the differences between the recorded state and a scan of roots. */
static void apply_scan(struct fim_monitor *m, struct fim_set *now, enum vigil_fim_detector by)
{
	struct fim_set before;
	struct fim_changes c = {0};
	if (fim_state_snapshot(&m->state, &before) != VIGIL_OK)
		return;
	bool partial = m->scan_kind == SCAN_UNWATCHED;
	if (fim_compare(&before, now, (const char *const *)m->scan_roots, m->n_scan_roots, &c) ==
	    VIGIL_OK) {
		for (size_t i = 0; i < c.n; i++) {
			const struct fim_change *ch = &c.v[i];
			const char *path = ch->after ? ch->after->path : ch->before->path;
			if (pathmap_get(&m->touched, path))
				continue;
			fim_apply_scan_change(m, ch->action, ch->attrs, ch->before, ch->after, by);
			if (partial) /* only part of the tree: update entry by entry */
				record_change(m, ch);
		}
		if (c.n)
			m->state_changed = true;
	}
	fim_changes_free(&c);
	if (!partial) {
		fim_state_replace(&m->state, now); /* folds the overlay into a fresh base */
		void *a[2] = {m, &before};
		pathmap_each(&m->touched, restore_touched, a);
	}
	touched_clear(m);
	fim_set_free(&before);
}

/* The start-up scan: compare with the baseline kept from an earlier run. */
static void apply_baseline(struct fim_monitor *m)
{
	struct fim_db db;
	memset(&db, 0, sizeof(db));
	bool have_db = m->cfg->db_path && fim_db_load(m->cfg->db_path, &db) == VIGIL_OK;
	if (have_db) {
		fim_state_replace(&m->state, &db.entries);
		apply_scan(m, &m->scan_result, VIGIL_FIM_BY_SCAN);
	} else {
		fim_state_replace(&m->state, &m->scan_result);
		m->state_changed = true;
	}
	fim_db_free(&db);
	m->ready = true;
	struct fim_notice n = {.kind = FIM_NOTICE_BASELINE_DONE,
			       .entries = fim_state_count(&m->state),
			       .ms = vigil_mono_ms() - m->scan_started_ms};
	if (m->notice)
		m->notice(&n, m->arg);
}

void fim_monitor_on_scan_done(struct fim_monitor *m)
{
	uint64_t v;
	if (read(m->scan_efd, &v, sizeof(v)) != sizeof(v) || !m->scanning)
		return;
	pthread_join(m->thread, NULL);
	m->scanning = false;
	m->st.scans++;
	if (m->scan_rc != 0)
		LOG_WARN("fim: a scan failed (out of memory?); the next one will retry");
	else if (m->scan_kind == SCAN_BASELINE)
		apply_baseline(m);
	else
		apply_scan(m, &m->scan_result,
			   m->scan_kind == SCAN_RESCAN ? VIGIL_FIM_BY_RESCAN : VIGIL_FIM_BY_SCAN);
	fim_set_free(&m->scan_result);
	if (m->scan_rc == 0 && m->scan_kind != SCAN_UNWATCHED)
		fim_save_baseline(m);
	if (m->rescan_wanted) {
		m->rescan_wanted = false;
		fim_scan_start(m, m->ready ? SCAN_RESCAN : SCAN_BASELINE);
	}
}

void fim_save_baseline(struct fim_monitor *m)
{
	if (!m->cfg->db_path || !m->ready || !m->state_changed)
		return;
	struct fim_db db;
	memset(&db, 0, sizeof(db));
	if (fim_state_snapshot(&m->state, &db.entries) != VIGIL_OK)
		return;
	const char *what = "";
	if (fim_db_save(m->cfg->db_path, &db, &what) != VIGIL_OK)
		LOG_WARN("fim: cannot save the baseline to %s (%s): %s", m->cfg->db_path, what,
			 strerror(errno));
	else
		m->state_changed = false;
	fim_db_free(&db);
}
