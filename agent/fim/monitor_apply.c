/*
 * monitor_apply.c — compare one path with its recorded state and report.
 *
 * A directory's size, times and link count change whenever an entry is
 * added to or removed from it; that entry is reported on its own, so those
 * attributes of directories do not make a change by themselves.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fim/attrs.h"
#include "fim/compare.h"
#include "fim/db.h"
#include "fim/hash.h"
#include "fim/monitor_internal.h"
#include "fim/walk.h"

#define CONTENT_ATTRS (FIM_A_SHA256 | FIM_A_SIZE | FIM_A_TYPE | FIM_A_TARGET | FIM_A_INODE)
#define DIR_NOISE (FIM_A_SIZE | FIM_A_MTIME | FIM_A_CTIME | FIM_A_NLINK)

/* The current state of path into e; 1 exists, 0 gone, -1 ENOMEM. */
static int read_current(const struct fim_watch_cfg *w, const char *path, struct fim_entry *e)
{
	memset(e, 0, sizeof(*e));
	struct stat st;
	if (lstat(path, &st) != 0)
		return 0;
	if (!(e->path = strdup(path)) || fim_attrs_fill(e, &st) != VIGIL_OK) {
		fim_entry_free(e);
		return -1;
	}
	if (S_ISREG(st.st_mode) && (w->attrs & FIM_A_SHA256))
		fim_hash_entry(e);
	return 1;
}

static uint32_t relevant_diff(const struct fim_watch_cfg *w, const struct fim_entry *a,
			      const struct fim_entry *b)
{
	uint32_t d = fim_entry_diff(a, b) & w->attrs;
	if (S_ISDIR(a->mode) && S_ISDIR(b->mode))
		d &= ~(uint32_t)DIR_NOISE;
	return d;
}

static void emit(struct fim_monitor *m, const struct fim_watch_cfg *w, enum vigil_fim_action action,
		 uint32_t changed, const struct fim_entry *before, const struct fim_entry *after,
		 enum vigil_fim_detector by)
{
	struct fim_live_change c = {action, by, changed, before, after, w};
	m->st.changes++;
	m->emit(&c, m->arg);
}

struct gone_list {
	char **v;
	size_t n;
};

static void collect(const struct fim_entry *e, void *arg)
{
	struct gone_list *g = arg;
	char **v = realloc(g->v, (g->n + 1) * sizeof(*v));
	if (!v)
		return;
	g->v = v;
	if ((v[g->n] = strdup(e->path)))
		g->n++;
}

/* path is gone: report it and, for a directory, everything recorded below. */
static void report_gone(struct fim_monitor *m, const struct fim_watch_cfg *w,
			const struct fim_entry *prev, enum vigil_fim_detector by)
{
	if (S_ISDIR(prev->mode)) {
		struct gone_list g = {0};
		fim_state_below(&m->state, prev->path, collect, &g);
		for (size_t i = 0; i < g.n; i++) {
			const struct fim_entry *e = fim_state_get(&m->state, g.v[i]);
			const struct fim_watch_cfg *cw = fim_config_match(m->cfg, g.v[i]);
			void *old;
			if (m->scanning)
				pathmap_put(&m->touched, g.v[i], &m->touched, &old);
			if (e && cw && fim_watch_covers(cw, g.v[i]))
				emit(m, cw, VIGIL_FIM_DELETED, 0, e, NULL, by);
			fim_state_delete(&m->state, g.v[i]);
			free(g.v[i]);
		}
		free(g.v);
	}
	emit(m, w, VIGIL_FIM_DELETED, 0, prev, NULL, by);
	char *p = strdup(prev->path); /* prev points into the state we change */
	if (p) {
		fim_state_delete(&m->state, p);
		free(p);
	}
}

struct same_inode {
	struct fim_monitor *m;
	uint64_t ino;
	const char *except;
	char **v;
	size_t n;
};

static void mark_if_same_inode(const struct fim_entry *e, void *arg)
{
	struct same_inode *s = arg;
	if (e->ino != s->ino || strcmp(e->path, s->except) == 0 || S_ISDIR(e->mode))
		return;
	char **v = realloc(s->v, (s->n + 1) * sizeof(*v));
	if (v && (v[s->n] = strdup(e->path)))
		s->n++;
	if (v)
		s->v = v;
}

/*
 * A hard link added or removed changes the link count of the file's other
 * names, but inotify reports only the name that came or went: look at the
 * other names with the same inode too.
 */
static void mark_other_links(struct fim_monitor *m, const struct fim_entry *e)
{
	if (!S_ISREG(e->mode) || e->nlink < 2)
		return;
	struct same_inode s = {m, e->ino, e->path, NULL, 0};
	fim_state_below(&m->state, "/", mark_if_same_inode, &s);
	for (size_t i = 0; i < s.n; i++) {
		fim_mark_dirty(m, s.v[i]);
		free(s.v[i]);
	}
	free(s.v);
}

void fim_apply_path(struct fim_monitor *m, const char *path, enum vigil_fim_detector by)
{
	const struct fim_watch_cfg *w = fim_config_match(m->cfg, path);
	if (!w || !fim_watch_covers(w, path))
		return;
	void *old;
	if (m->scanning && pathmap_put(&m->touched, path, &m->touched, &old) != VIGIL_OK)
		return;
	const struct fim_entry *prev = fim_state_get(&m->state, path);
	struct fim_entry cur;
	int r = read_current(w, path, &cur);
	if (r < 0)
		return;
	if (r == 0) {
		if (prev) {
			mark_other_links(m, prev);
			report_gone(m, w, prev, by);
		}
		return;
	}
	if (!prev) {
		mark_other_links(m, &cur);
		emit(m, w, VIGIL_FIM_CREATED, 0, NULL, &cur, by);
	} else {
		uint32_t d = relevant_diff(w, prev, &cur);
		if (!d) {
			fim_entry_free(&cur);
			return;
		}
		emit(m, w, d & CONTENT_ATTRS ? VIGIL_FIM_MODIFIED : VIGIL_FIM_METADATA, d, prev,
		     &cur, by);
	}
	m->state_changed = true;
	if (fim_state_set(&m->state, &cur) != VIGIL_OK)
		fim_entry_free(&cur);
}

void fim_apply_new_tree(struct fim_monitor *m, const char *dir)
{
	const struct fim_watch_cfg *w = fim_config_match(m->cfg, dir);
	if (!w)
		return;
	struct fim_walk_opts o = {.excludes = (const char *const *)w->exclude,
				  .n_excludes = w->n_exclude,
				  .no_recurse = !w->recursive};
	struct fim_set found = {0};
	/* Marked, not reported now: the coalescing delay lets the tracer's
	 * event for the mkdir or the write arrive, for attribution. */
	if (fim_walk(dir, &o, &found) == VIGIL_OK)
		for (size_t i = 0; i < found.n; i++)
			fim_mark_dirty(m, found.v[i].path);
	fim_set_free(&found);
}

void fim_apply_scan_change(struct fim_monitor *m, uint32_t action, uint32_t attrs,
			   const struct fim_entry *before, const struct fim_entry *after,
			   enum vigil_fim_detector by)
{
	const char *path = after ? after->path : before->path;
	const struct fim_watch_cfg *w = fim_config_match(m->cfg, path);
	if (!w || !fim_watch_covers(w, path))
		return;
	if (action == FIM_ADDED) {
		emit(m, w, VIGIL_FIM_CREATED, 0, NULL, after, by);
	} else if (action == FIM_REMOVED) {
		emit(m, w, VIGIL_FIM_DELETED, 0, before, NULL, by);
	} else {
		uint32_t d = relevant_diff(w, before, after);
		if (d)
			emit(m, w, d & CONTENT_ATTRS ? VIGIL_FIM_MODIFIED : VIGIL_FIM_METADATA, d,
			     before, after, by);
	}
}
