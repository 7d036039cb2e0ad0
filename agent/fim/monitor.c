/*
 * monitor.c — the live monitor: watches, inotify events, coalescing, timers.
 *
 * Every inotify event only marks its path dirty. A dirty path is looked at
 * once it has been quiet for coalesce_ms (a burst of writes is one change)
 * or max_delay_ms after its first event (a file written continuously is
 * still reported). Looking at a path means lstat + SHA-256 and a
 * comparison with the recorded state, so the report says what changed no
 * matter which events arrived.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fim/monitor_internal.h"
#include "vigil/clock.h"
#include "vigil/log.h"

#define READ_BUF (64u * 1024u)
#define MAX_READS_PER_CALL 16 /* then let the loop serve the channel */
#define SAVE_EVERY_MS 10000u

static void report_unwatched(struct fim_monitor *m)
{
	if (m->w.n_unwatched == m->unwatched_reported || !m->notice)
		return;
	struct fim_notice n = {.kind = FIM_NOTICE_WATCH_LIMIT,
			       .paths = (const char *const *)m->w.unwatched,
			       .n_paths = m->w.n_unwatched};
	m->notice(&n, m->arg);
	m->unwatched_reported = m->w.n_unwatched;
	if (!m->next_unwatched_ms)
		m->next_unwatched_ms = vigil_mono_ms() + m->cfg->degraded_scan_s * 1000ull;
}

/* A watched file (not a directory) is watched through its parent. */
static void watch_root(struct fim_monitor *m, const struct fim_watch_cfg *w)
{
	struct stat st;
	if (lstat(w->path, &st) == 0 && S_ISDIR(st.st_mode)) {
		fim_watches_add_tree(&m->w, w, w->path);
		return;
	}
	char *parent = strdup(w->path);
	char *slash = parent ? strrchr(parent, '/') : NULL;
	if (slash) {
		*(slash == parent ? slash + 1 : slash) = '\0';
		struct fim_watch_cfg flat = *w;
		flat.path = parent;
		flat.recursive = false;
		fim_watches_add_tree(&m->w, &flat, parent);
	}
	free(parent);
}

void fim_rewatch_all(struct fim_monitor *m)
{
	for (size_t i = 0; i < m->cfg->n_watches; i++)
		watch_root(m, &m->cfg->watches[i]);
	report_unwatched(m);
}

struct fim_monitor *fim_monitor_start(const struct fim_config *cfg, fim_emit_fn emit,
				      fim_notice_fn notice, void *arg)
{
	struct fim_monitor *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->cfg = cfg;
	m->emit = emit;
	m->notice = notice;
	m->arg = arg;
	fim_state_init(&m->state);
	m->scan_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (m->scan_efd < 0 || fim_watches_init(&m->w) != 0) {
		int err = errno;
		(void)fim_monitor_free(m); /* no scan was started */
		errno = err;
		return NULL;
	}
	const char *t = getenv("VIGIL_TEST_FIM_OVERFLOW_EVERY");
	m->overflow_every = t ? strtoull(t, NULL, 10) : 0;
	m->drop_events = getenv("VIGIL_TEST_FIM_DROP_EVENTS") != NULL;
	fim_rewatch_all(m);
	uint64_t now = vigil_mono_ms();
	if (cfg->reconcile_s)
		m->next_reconcile_ms = now + cfg->reconcile_s * 1000ull;
	m->next_save_ms = now + SAVE_EVERY_MS;
	fim_scan_start(m, SCAN_BASELINE);
	return m;
}

int fim_monitor_inotify_fd(const struct fim_monitor *m)
{
	return m->w.fd;
}

int fim_monitor_scan_fd(const struct fim_monitor *m)
{
	return m->scan_efd;
}

void fim_mark_dirty(struct fim_monitor *m, const char *path)
{
	uint64_t now = vigil_mono_ms();
	struct dirty *d = pathmap_get(&m->dirty, path);
	if (d) {
		d->last_ms = now;
		return;
	}
	d = malloc(sizeof(*d));
	void *old;
	if (!d)
		return;
	d->first_ms = d->last_ms = now;
	if (pathmap_put(&m->dirty, path, d, &old) != VIGIL_OK)
		free(d);
}

static void overflowed(struct fim_monitor *m)
{
	m->st.overflows++;
	struct fim_notice n = {.kind = FIM_NOTICE_OVERFLOW};
	if (m->notice)
		m->notice(&n, m->arg);
	if (m->scanning)
		m->rescan_wanted = true;
	else
		fim_scan_start(m, m->ready ? SCAN_RESCAN : SCAN_BASELINE);
}

/* A directory appeared: watch it (and below) first, then scan it, so a
 * file created in it before the watch existed is still seen. */
static void new_directory(struct fim_monitor *m, const char *path)
{
	const struct fim_watch_cfg *w = fim_config_match(m->cfg, path);
	if (!w || !w->recursive || !fim_watch_covers_dir(w, path))
		return;
	fim_watches_add_tree(&m->w, w, path);
	report_unwatched(m);
	fim_apply_new_tree(m, path);
}

static void handle_event(struct fim_monitor *m, const struct inotify_event *ev)
{
	m->st.inotify_events++;
	if (ev->mask & IN_Q_OVERFLOW) {
		overflowed(m);
		return;
	}
	const char *dir = fim_watches_dir(&m->w, ev->wd);
	if (!dir)
		return;
	char path[PATH_MAX];
	int n = ev->len && ev->name[0] ? snprintf(path, sizeof(path), "%s%s%s", dir,
						  strcmp(dir, "/") == 0 ? "" : "/", ev->name)
				       : snprintf(path, sizeof(path), "%s", dir);
	if (n < 0 || (size_t)n >= sizeof(path))
		return;
	if (ev->mask & IN_IGNORED) {
		fim_watches_forget(&m->w, ev->wd);
		return;
	}
	if ((ev->mask & IN_ISDIR) && (ev->mask & IN_MOVED_FROM))
		fim_watches_drop_below(&m->w, path);
	fim_mark_dirty(m, path);
	if ((ev->mask & IN_ISDIR) && (ev->mask & (IN_CREATE | IN_MOVED_TO)))
		new_directory(m, path);
}

void fim_monitor_on_inotify(struct fim_monitor *m)
{
	char buf[READ_BUF] __attribute__((aligned(__alignof__(struct inotify_event))));
	for (int reads = 0; reads < MAX_READS_PER_CALL; reads++) {
		ssize_t len = read(m->w.fd, buf, sizeof(buf));
		if (len <= 0)
			return; /* EAGAIN: drained */
		for (size_t off = 0; off + sizeof(struct inotify_event) <= (size_t)len;) {
			const struct inotify_event *ev = (const void *)(buf + off);
			off += sizeof(*ev) + ev->len;
			if (off > (size_t)len)
				break;
			if (m->drop_events)
				continue; /* test hook: inotify missed it; only scans can tell */
			if (m->overflow_every && ++m->events_seen % m->overflow_every == 0) {
				overflowed(
					m); /* test hook: as if the kernel had dropped the rest */
				return;
			}
			handle_event(m, ev);
		}
	}
}
