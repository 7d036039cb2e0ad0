/*
 * monitor.h — live FIM: inotify in real time, scans for what inotify misses.
 *
 * The monitor lives in the analyzer's event loop but owns no loop itself:
 * the caller polls fim_monitor_inotify_fd() and fim_monitor_scan_fd(), and
 * calls fim_monitor_tick() when fim_monitor_next_ms() says work is due.
 * Changes come out through the emit callback; FIM knows no rules or sinks.
 *
 * Full scans (the start-up baseline, rescans after an inotify overflow,
 * periodic reconciliation, scans of trees the watch limit left without
 * watches) run on a worker thread and never block the loop; SHA-256 of
 * the scanned files runs in parallel on every CPU.
 */
#ifndef VIGIL_FIM_MONITOR_H
#define VIGIL_FIM_MONITOR_H

#include <stdbool.h>
#include <stdint.h>

#include "fim/config.h"
#include "fim/entry.h"
#include "vigil/event.h"

struct fim_live_change {
	enum vigil_fim_action action;
	enum vigil_fim_detector detected_by;
	uint32_t changed;			/* FIM_A_* bits (modified/metadata) */
	const struct fim_entry *before, *after; /* NULL when absent */
	const struct fim_watch_cfg *watch;	/* tags */
};

enum fim_notice_kind {
	FIM_NOTICE_WATCH_LIMIT = 1, /* some trees are scanned periodically, not watched */
	FIM_NOTICE_OVERFLOW,	    /* the inotify queue overflowed: a rescan follows */
	FIM_NOTICE_BASELINE_DONE,   /* the first scan finished */
};

struct fim_notice {
	enum fim_notice_kind kind;
	const char *const *paths; /* WATCH_LIMIT: the trees without watches */
	size_t n_paths;
	uint64_t entries; /* BASELINE_DONE: entries recorded */
	uint64_t ms;	  /* BASELINE_DONE: how long it took */
};

typedef void (*fim_emit_fn)(const struct fim_live_change *c, void *arg);
typedef void (*fim_notice_fn)(const struct fim_notice *n, void *arg);

struct fim_monitor;

struct fim_monitor_stats {
	uint64_t inotify_events, changes, overflows, scans, watches, unwatched_trees, entries;
};

/* cfg must outlive the monitor. Adds the watches and starts the baseline
 * scan; returns NULL (errno set) if inotify cannot be used at all. */
struct fim_monitor *fim_monitor_start(const struct fim_config *cfg, fim_emit_fn emit,
				      fim_notice_fn notice, void *arg);
int fim_monitor_inotify_fd(const struct fim_monitor *m);
int fim_monitor_scan_fd(const struct fim_monitor *m);
void fim_monitor_on_inotify(struct fim_monitor *m);
void fim_monitor_on_scan_done(struct fim_monitor *m);
/* Milliseconds until fim_monitor_tick() has work (-1: none scheduled). */
int fim_monitor_next_ms(const struct fim_monitor *m);
void fim_monitor_tick(struct fim_monitor *m);
/* Report what is still waiting out its coalescing delay, save the
 * baseline; called before the analyzer exits. */
void fim_monitor_flush(struct fim_monitor *m);
void fim_monitor_stats(const struct fim_monitor *m, struct fim_monitor_stats *st);
/* Frees m. With a scan still running, m is left to the process exit and
 * this returns true: the configuration must then stay allocated too. */
bool fim_monitor_free(struct fim_monitor *m);

#endif
