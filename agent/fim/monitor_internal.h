/* monitor_internal.h — the monitor's state, shared by its source files. */
#ifndef VIGIL_FIM_MONITOR_INTERNAL_H
#define VIGIL_FIM_MONITOR_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>

#include "fim/monitor.h"
#include "fim/pathmap.h"
#include "fim/state.h"
#include "fim/watches.h"

enum scan_kind { SCAN_BASELINE = 1, SCAN_RESCAN, SCAN_RECONCILE, SCAN_UNWATCHED };

/* A path waiting out its coalescing delay. */
struct dirty {
	uint64_t first_ms, last_ms;
};

struct fim_monitor {
	const struct fim_config *cfg;
	fim_emit_fn emit;
	fim_notice_fn notice;
	void *arg;
	struct fim_watches w;
	struct fim_state state;
	struct pathmap dirty;	/* path -> struct dirty * */
	struct pathmap touched; /* paths changed live while a scan ran (value: the map itself) */
	bool ready;		/* the baseline is in `state` */
	size_t unwatched_reported;
	/* the scan worker */
	pthread_t thread;
	bool scanning, rescan_wanted;
	enum scan_kind scan_kind;
	int scan_efd;
	char **scan_roots; /* what the running scan covers */
	size_t n_scan_roots;
	struct fim_set scan_result;
	int scan_rc;
	uint64_t scan_started_ms;
	uint64_t next_reconcile_ms, next_unwatched_ms, next_save_ms;
	bool state_changed;		      /* since the baseline was last saved */
	uint64_t overflow_every, events_seen; /* VIGIL_TEST_FIM_OVERFLOW_EVERY (tests) */
	bool drop_events;		      /* VIGIL_TEST_FIM_DROP_EVENTS (tests) */
	struct fim_monitor_stats st;
};

/* monitor_apply.c: bring one path's recorded state up to date, emitting the change. */
void fim_apply_path(struct fim_monitor *m, const char *path, enum vigil_fim_detector by);
/* Mark everything in a directory tree that just appeared as changed. */
void fim_apply_new_tree(struct fim_monitor *m, const char *dir);
/* monitor_apply.c: emit one change of a scan comparison and record it. */
void fim_apply_scan_change(struct fim_monitor *m, uint32_t action, uint32_t attrs,
			   const struct fim_entry *before, const struct fim_entry *after,
			   enum vigil_fim_detector by);
/* monitor.c: watch every directory of the configured trees (again: after an
 * overflow, directories created meanwhile may have no watch yet). */
void fim_rewatch_all(struct fim_monitor *m);
/* monitor_scan.c */
void fim_scan_start(struct fim_monitor *m, enum scan_kind kind);
void fim_mark_dirty(struct fim_monitor *m, const char *path);
void fim_save_baseline(struct fim_monitor *m);

#endif
